"""Fuzz benchmark: every mutant the fuzz generator makes for one seed, through `jixiao extract`.

    .venv/bin/python benchmarks/fuzz.py --seed 1234 --jobs 2            # all ~650 mutants
    .venv/bin/python benchmarks/fuzz.py --seed 7 --sample 150 --timeout 10

Builds the generator's SEEDDIR (four samples and two real budget books, as
../shared/fuzz/README.md names them), runs ../shared/fuzz/gen.py, runs one `jixiao extract`
over the mutants, and prints how each input ended: success, partial, or its failure class, in
all and by mutant category. The goal is no `internal` (a bug of jixiao's, never a damaged
input), every input accounted for and no traceback on the console; the exit status is 1 where
one of these fails.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FUZZ = SHARED / "fuzz"
SEED_FILES = (
    ROOT / "sample_pdfs" / "seed_2020_minhang_visible.pdf",
    ROOT / "sample_pdfs" / "district_2026_jingan.pdf",
    ROOT / "sample_pdfs" / "province_2024_jiangxi.pdf",
    ROOT / "sample_pdfs" / "central_2025_wenwu_scan200.pdf",
    SHARED / "realdata" / "no_forms" / "putuo_shangwuwei_2025_dept_budget.pdf",
    SHARED / "realdata" / "no_forms" / "putuo_sifaju_2026_dept_budget.pdf",
)


def make_mutants(workdir: Path, seed: int, sample: int | None = None) -> tuple[Path, dict[str, str]]:
    """The mutants of ``seed`` in workdir/mutants (all, or a fixed ``sample`` of them, drawn with
    the same seed); returns the directory and each mutant's category."""
    seeddir, outdir = workdir / "seeds", workdir / "mutants"
    seeddir.mkdir(parents=True, exist_ok=True)
    for f in SEED_FILES:
        if not f.exists():
            raise SystemExit(f"fuzz.py: {f} is missing (the generator needs it)")
        shutil.copy(f, seeddir / f.name)
    subprocess.run([sys.executable, str(FUZZ / "gen.py"), str(seeddir), str(outdir), "--seed", str(seed)],
                   check=True, stdout=subprocess.DEVNULL)
    with open(outdir / "manifest.tsv", encoding="utf-8") as f:
        category = {row["name"]: row["category"] for row in csv.DictReader(f, delimiter="\t")}
    if sample is not None and sample < len(category):
        keep = set(random.Random(seed).sample(sorted(category), sample))
        for name in sorted(category):
            if name not in keep:
                (outdir / name).unlink()
        category = {n: c for n, c in category.items() if n in keep}
    return outdir, category


def run_extract(inputs: Path, out: Path, jobs: int, timeout: float) -> tuple[int, str, float]:
    """`jixiao extract` over ``inputs`` with one JSON line per event on stderr: (exit status,
    stderr, seconds)."""
    cmd = [sys.executable, "-m", "jixiao.pipelines.cli", "extract", str(inputs), "-o", str(out),
           "--jobs", str(jobs), "--timeout", str(timeout), "--log-json"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, errors="replace")
    return proc.returncode, proc.stderr, time.perf_counter() - t0


def outcomes(out: Path, stderr: str, inputs: Path | None = None) -> dict[str, str]:
    """How each input ended: "success", "partial", or its failure class (failures.csv). jixiao
    reads inputs with the same bytes once, under one of their names: with ``inputs`` (their
    directory), the others take that one's outcome."""
    ended: dict[str, str] = {}
    for line in stderr.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("event") == "input_done":
            ended[event["file"]] = event["status"]
    with open(out / "failures.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            ended[row["source_file"]] = row["error_class"]
    if inputs is not None:
        twins: dict[str, list[str]] = defaultdict(list)
        for p in sorted(inputs.glob("*.pdf")):
            twins[hashlib.sha256(p.read_bytes()).hexdigest()].append(p.name)
        for names in twins.values():
            done = [ended[n] for n in names if n in ended]
            for n in names:
                if done and n not in ended:
                    ended[n] = done[0]
    return ended


def failure_messages(out: Path, error_class: str) -> list[tuple[str, str]]:
    with open(out / "failures.csv", encoding="utf-8-sig", newline="") as f:
        return [(r["source_file"], r["message"]) for r in csv.DictReader(f) if r["error_class"] == error_class]


def report(category: dict[str, str], ended: dict[str, str], summary: dict, stderr: str, code: int,
           seconds: float, out: Path) -> bool:
    """Print the class distribution; returns whether the run met the goal."""
    classes = Counter(ended.get(name, "unaccounted") for name in category)
    by_cat: dict[str, Counter] = defaultdict(Counter)
    for name, cat in category.items():
        by_cat[cat][ended.get(name, "unaccounted")] += 1
    cols = sorted(classes, key=lambda c: (-classes[c], c))
    print(f"{len(category)} mutants, exit status {code}, {seconds:.0f} s")
    print("class distribution:")
    for c in cols:
        print(f"  {c:<16}{classes[c]:>5}  {100 * classes[c] / len(category):5.1f}%")
    print("by category:")
    print("  " + f"{'category':<11}" + "".join(f"{c[:10]:>11}" for c in cols))
    for cat in sorted(by_cat):
        print("  " + f"{cat:<11}" + "".join(f"{by_cat[cat][c]:>11}" for c in cols))
    # Inputs with the same bytes are done once: the summary counts unique inputs.
    found = summary.get("inputs", {}).get("found")
    unaccounted = classes.get("unaccounted", 0)
    traceback = "Traceback (most recent call last)" in stderr
    print(f"inputs found by jixiao: {found} of {len(category)}; unaccounted: {unaccounted};"
          f" traceback on the console: {'yes' if traceback else 'no'}")
    internal = failure_messages(out, "internal")
    for name, message in internal:
        print(f"  internal: {name}: {message[:400]}")
    return not internal and not unaccounted and not traceback and found == len(category)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1234, help="the generator's seed (default 1234)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0, help="jixiao's --timeout per input (default 30)")
    ap.add_argument("--sample", type=int, default=None, help="run only this many mutants (a fixed draw)")
    ap.add_argument("--workdir", type=Path, default=None, help="keep mutants and outputs here")
    args = ap.parse_args(argv)
    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="jixiao-fuzz-")
        workdir = Path(tmp.name)
    try:
        mutants, category = make_mutants(workdir, args.seed, args.sample)
        out = workdir / "out"
        code, stderr, seconds = run_extract(mutants, out, args.jobs, args.timeout)
        summary = json.loads((out / "run_summary.json").read_text(encoding="utf-8"))
        ok = report(category, outcomes(out, stderr, mutants), summary, stderr, code, seconds, out)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
