"""Archive scale: time per input and peak memory of `jixiao extract` as the archive grows.

    .venv/bin/python benchmarks/scale.py                       # N = 400, 4,000, 20,000
    .venv/bin/python benchmarks/scale.py --quick               # N = 50, 200 (a minute)
    .venv/bin/python benchmarks/scale.py --sizes 20000 --seed-above 4000 --json m.json
    .venv/bin/python benchmarks/scale.py --table a.json b.json # the table of saved measurements

For each N: N distinct one-page filings (one sample PDF, each copy with its own trailing PDF
comment after %%EOF, so every copy has its own sha256 and parses the same) are extracted into a
fresh OUTDIR by `.venv/bin/jixiao extract`, as a user runs it; then one more input is added and
the same command is run again (the increment: the N unchanged inputs come from the ledger, the
new one is parsed, every output is rewritten); then one more, with all four formats
(jsonl,csv,parquet,sqlite). jixiao runs from a copy of jixiao/, pipelines/, extract/ and normalize/ taken
when the benchmark starts: an edit to the tree during a long run would change the pipeline
version between the first run and the increment.

``--seed-above N``: for a size above N the first run is not measured (on a busy 2-core machine a
20,000-input first run takes over half an hour): one copy is extracted for real, and the ledger gets a
row for every other copy made from that result (its sha256, filing id and file name replaced) and
the hash cache row a first run leaves; a run over the whole archive (every input a ledger hit, every
output written) stands for the first run's memory and is labelled "seeded". The increments are
real runs as for any N.

Memory is the peak resident set (VmHWM) of the jixiao driver process, read from /proc while it
runs (every 20 ms; VmHWM is a high-water mark, so only growth in the last 20 ms before exit could
be missed), and the largest resident set of any process of the run (driver or worker:
ru_maxrss of the reaped children of a small wrapper process that runs the command).

The 100,000 line is extrapolated: a least-squares line through the measured (N, value) points
(first run seconds, increment seconds, peak memory; seeded first runs left out of the first run's
columns), evaluated at N = 100,000 (the first run's seconds then divided by 100,000). With sizes
close together (--quick) it mostly extrapolates noise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALL_FORMATS = "jsonl,csv,parquet,sqlite"
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"
SOURCE = ROOT / "sample_pdfs" / "district_2026_pudong.pdf"  # one page, one filing
EXTRAPOLATE_TO = 100_000
CODE = ("pipelines", "extract", "normalize")

# Runs the command, watches its process's VmHWM, writes both peaks (KiB) as JSON to fd SCALE_FD.
WRAPPER = r"""
import json, os, resource, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:])
hwm = 0
while p.poll() is None:
    try:
        with open(f"/proc/{p.pid}/status") as f:
            hwm = max([hwm] + [int(l.split()[1]) for l in f if l.startswith("VmHWM:")])
    except (OSError, ValueError):
        pass
    time.sleep(0.02)
tree = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
os.write(int(os.environ["SCALE_FD"]), json.dumps({"rc": p.returncode, "driver_kib": hwm, "tree_kib": tree}).encode())
"""


def snapshot(work: Path) -> Path:
    """A copy of jixiao's code, for every run of this benchmark (see the docstring)."""
    code = work / "code"  # code/jixiao/ as installed (extract/ as jixiao/extract/, …): on PYTHONPATH,
    ignore = shutil.ignore_patterns("__pycache__")  # it comes before the editable install
    shutil.copytree(ROOT / "jixiao", code / "jixiao", ignore=ignore)
    for pkg in CODE:
        shutil.copytree(ROOT / pkg, code / "jixiao" / pkg, ignore=ignore)
    return code


def name_of(i: int) -> str:
    return f"filing_{i:07d}.pdf"


def make_inputs(folder: Path, first: int, count: int) -> None:
    """``count`` distinct copies of SOURCE, numbered from ``first``."""
    data = SOURCE.read_bytes()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(first, first + count):
        (folder / name_of(i)).write_bytes(data + b"%%jixiao-scale %07d\n" % i)


def extract(inputs: Path, out: Path, jobs: int, formats: str, code: Path) -> dict:
    """One `jixiao extract` run: wall seconds, exit status, driver and process-tree peak RSS (MiB)."""
    cmd = [str(JIXIAO), "extract", str(inputs), "-o", str(out), "-q", "--jobs", str(jobs), "--format", formats]
    r, w = os.pipe()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER, *cmd], pass_fds=(w,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(code), "SCALE_FD": str(w)})
    os.close(w)
    _, err = proc.communicate()
    seconds = time.perf_counter() - t0
    with os.fdopen(r) as f:
        got = json.loads(f.read() or "{}")
    if got.get("rc") not in (0,):
        raise SystemExit(f"jixiao extract failed ({got}): {err.decode(errors='replace')[-2000:]}")
    summary = json.loads((out / "run_summary.json").read_text(encoding="utf-8"))
    return {"seconds": seconds, "driver_mib": got["driver_kib"] / 1024, "tree_mib": got["tree_kib"] / 1024,
            "skipped": summary["inputs"]["skipped_unchanged"], "filings": summary["filings"]["total"]}


def seed(inputs: Path, out: Path, n: int, jobs: int, code: Path) -> None:
    """``out``'s ledger as a first run over the n inputs leaves it, from one real result (docstring)."""
    one = inputs.parent / "seed_one"
    one.mkdir()
    shutil.copy(inputs / name_of(0), one / name_of(0))
    extract(one, out, jobs, "jsonl", code)  # the real result of copy 0, in out's ledger
    db = sqlite3.connect(out / "ledger.sqlite")
    sha0, version, config, text = db.execute("SELECT sha256, version, config, result FROM results").fetchone()
    db.close()
    sys.path.insert(0, str(code))
    from jixiao.pipelines.ledger import Ledger  # the snapshot's, as the runs use it

    ledger = Ledger(out / "ledger.sqlite")
    rows = []
    for i in range(n):
        path = inputs / name_of(i)
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        res = json.loads(text.replace(sha0, sha).replace(sha0[:12], sha[:12])
                         .replace(json.dumps(name_of(0)), json.dumps(name_of(i))))
        rows.append((sha, version, config, "done", name_of(i), res))
        st = path.stat()
        ledger.remember_hash(os.path.realpath(path), sha, st.st_size, st.st_mtime_ns)
        if len(rows) == 1000 or i == n - 1:
            ledger.mark_many(rows)
            rows = []
    ledger.close()
    shutil.rmtree(one)


def measure(n: int, work: Path, jobs: int, formats: str, code: Path, seeded: bool) -> dict:
    inputs, out = work / f"in_{n}", work / f"out_{n}"
    make_inputs(inputs, 0, n)
    if seeded:
        seed(inputs, out, n, jobs, code)
    first = extract(inputs, out, jobs, formats, code)
    first["seeded"] = seeded
    assert first["filings"] == n and first["skipped"] == (n if seeded else 0), first
    make_inputs(inputs, n, 1)  # the increment: one new input
    inc = extract(inputs, out, jobs, formats, code)
    assert inc["filings"] == n + 1 and inc["skipped"] == n, inc
    make_inputs(inputs, n + 1, 1)  # and one more, every format written
    inc_all = extract(inputs, out, jobs, ALL_FORMATS, code)
    assert inc_all["filings"] == n + 2 and inc_all["skipped"] == n + 1, inc_all
    shutil.rmtree(inputs)
    ledger_mib = (out / "ledger.sqlite").stat().st_size / (1 << 20)
    shutil.rmtree(out)
    return {"n": n, "first": first, "increment": inc, "increment_all": inc_all, "ledger_mib": ledger_mib}


def fit(xs: list[float], ys: list[float], at: float) -> float:
    """The least-squares line through (xs, ys), evaluated at ``at`` (the mean for a single point)."""
    if len(xs) < 2:
        return ys[0]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my + slope * (at - mx)


def _mb(m: dict) -> str:
    return f"{m['driver_mib']:.0f} MB ({m['tree_mib']:.0f} MB)"


def table(rows: list[dict]) -> str:
    lines = ["| N | first run s/input | first run peak RSS, driver (largest process) | increment (+1 input) s "
             "| increment peak RSS, driver (largest process) | increment, all 4 formats: s, driver peak RSS |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        f, i, a = r["first"], r["increment"], r["increment_all"]
        per_input = "ledger seeded" if f.get("seeded") else f"{f['seconds'] / r['n']:.3f}"
        first_mb = f"{_mb(f)} (seeded: outputs only)" if f.get("seeded") else _mb(f)
        lines.append(f"| {r['n']:,} | {per_input} | {first_mb} | {i['seconds']:.2f} | {_mb(i)} "
                     f"| {a['seconds']:.2f} s, {a['driver_mib']:.0f} MB |")

    def ext(key, part, only_real=False):
        pts = [r for r in rows if not (only_real and r[part].get("seeded"))]
        return fit([r["n"] for r in pts], [r[part][key] for r in pts], EXTRAPOLATE_TO)

    real = [r for r in rows if not r["first"].get("seeded")]
    if not real:
        per_input, first_mb = "-", "-"
    else:
        per_input = (f"{ext('seconds', 'first', True) / EXTRAPOLATE_TO:.3f}" if len(real) > 1  # the line, per input
                     else f"{real[0]['first']['seconds'] / real[0]['n']:.3f}")
        first_mb = f"{ext('driver_mib', 'first', True):.0f} MB ({ext('tree_mib', 'first', True):.0f} MB)"
    inc_mb = f"{ext('driver_mib', 'increment'):.0f} MB ({ext('tree_mib', 'increment'):.0f} MB)"
    lines.append(f"| {EXTRAPOLATE_TO:,} (extrapolated) | {per_input} | {first_mb} "
                 f"| {ext('seconds', 'increment'):.2f} | {inc_mb} "
                 f"| {ext('seconds', 'increment_all'):.2f} s, {ext('driver_mib', 'increment_all'):.0f} MB |")
    return "\n".join(lines)


def verdict(rows: list[dict]) -> str:
    small, big = rows[0], rows[-1]
    peak = max(big["first"]["driver_mib"], big["increment"]["driver_mib"])
    base = max(small["first"]["driver_mib"], small["increment"]["driver_mib"])
    return (f"driver peak RSS at N={big['n']:,}: {peak:.0f} MB = {peak / base:.2f}x that at N={small['n']:,} "
            f"(goal <= 1.5x); increment at N={big['n']:,}: {big['increment']['seconds']:.2f} s (goal < 10 s)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="400,4000,20000", help="comma-separated archive sizes")
    ap.add_argument("--quick", action="store_true", help="N = 50, 200")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--format", default="jsonl,csv", help="jixiao's --format (default: its default)")
    ap.add_argument("--seed-above", type=int, default=None, metavar="N",
                    help="seed the ledger instead of measuring the first run for sizes above N")
    ap.add_argument("--workdir", type=Path, default=None, help="where inputs and OUTDIRs go (default: a temp dir)")
    ap.add_argument("--json", type=Path, default=None, help="also write the measurements here")
    ap.add_argument("--table", type=Path, nargs="+", default=None, metavar="JSON",
                    help="print the table of measurements saved by --json, measuring nothing")
    args = ap.parse_args()
    if args.table:
        rows = sorted((r for f in args.table for r in json.loads(f.read_text())), key=lambda r: r["n"])
    else:
        rows = run_sizes(args)
        print(f"jixiao extract --jobs {args.jobs} --format {args.format}; {SOURCE.name} copies (1 page, 1 filing each)")
    print(table(rows))
    print(verdict(rows))
    return 0


def run_sizes(args) -> list[dict]:
    sizes = [50, 200] if args.quick else [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="jixiao-scale-", dir=args.workdir))
    rows = []
    try:
        code = snapshot(work)
        for n in sorted(sizes):
            seeded = args.seed_above is not None and n > args.seed_above
            rows.append(measure(n, work, args.jobs, args.format, code, seeded))
            r = rows[-1]
            print(f"N={n:,}: first run {r['first']['seconds']:.1f} s{' (seeded)' if seeded else ''}, increment "
                  f"{r['increment']['seconds']:.2f} s, ledger {r['ledger_mib']:.0f} MB", file=sys.stderr, flush=True)
            if args.json:  # as it goes: a long run keeps what it measured
                args.json.write_text(json.dumps(rows, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    sys.exit(main())
