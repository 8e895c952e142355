#!/usr/bin/env bash
# Sets up everything jixiao needs on a fresh Debian machine: Debian packages (when root and apt
# are there), a .venv with Python >= 3.11, and the package with its test tools.
# Safe to rerun: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(python3 python3-venv python3-pip fonts-wqy-microhei fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei poppler-utils chromium chromium-driver tesseract-ocr tesseract-ocr-chi-sim)

missing_debs() {
  local p out=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
  done
  echo "${out[@]:-}"
}

if command -v dpkg-query >/dev/null 2>&1; then
  todo=$(missing_debs)
  if [ -n "$todo" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "setup: installing Debian packages: $todo"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      # shellcheck disable=SC2086
      apt-get install -y -qq --no-install-recommends $todo >/dev/null
    else
      echo "setup: note: these Debian packages are missing and this user cannot install them: $todo"
      echo "setup:       run as root: apt-get install -y $todo"
      echo "setup:       (fonts-wqy-microhei is only needed to regenerate sample_pdfs/; poppler-utils for page images)"
    fi
  fi
else
  echo "setup: note: not a Debian system; install Python >= 3.11 with venv yourself if it is missing"
fi

PY=""
for cand in python3.13 python3.12 python3.11 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY=$cand
    break
  fi
done
if [ -z "$PY" ]; then
  echo "setup: error: Python >= 3.11 is needed (Debian: apt-get install python3 python3-venv)" >&2
  exit 3
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv || { echo "setup: error: '$PY -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 3; }
fi

stamp=.venv/.jixiao-installed
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing jixiao and its dependencies into .venv (pip)"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi

# Bytecode of jixiao's own modules (an editable install leaves them as source): a run then does
# not compile them at every start, where PYTHONDONTWRITEBYTECODE is set (0.05 s of a small run).
.venv/bin/python -m compileall -q jixiao extract normalize pipelines >/dev/null

# jieba's dictionary as an indexed file (extract/words.py), built once here rather than by the
# first run that needs a word (a few seconds; a no-op when it is there).
.venv/bin/python -c "from jixiao.extract.words import jieba; jieba()"
