#!/usr/bin/env bash
# Sets everything up, then extracts the sample filings into out/ and says where the outputs are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
set +e
.venv/bin/jixiao extract sample_pdfs -o out "$@"
code=$?
set -e
echo "run-samples: exit status $code; the outputs are in $(pwd)/out/ (filings.jsonl, filings.csv, …, run_summary.json)"
exit $code
