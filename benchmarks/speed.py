"""Speed benchmark: jixiao against raw pdfplumber, measured in the same run, printed as ratios.

    .venv/bin/python benchmarks/speed.py            # all measurements
    .venv/bin/python benchmarks/speed.py --quick    # fewer repeats

Measures (best of N repeats, warm: start-up is measured separately):
- non-form pages: pages/s of jixiao on ../shared/realdata/no_forms/ (82 real pages, no form),
  and raw pdfplumber page.extract_tables() over the same pages;
- form pages of the digital samples: s/page of jixiao (whole filing: tables, normalising, checks)
  against raw page.extract_tables() on the same pages;
- start-up: `jixiao --version` in a fresh process;
- a one-filing run as a user starts it: the whole `jixiao extract ONE.pdf -o DIR` process against a
  Python process running raw pdfplumber over the same file (median of alternating runs);
- peak memory of a jixiao extract run (max RSS of the process);
- throughput of `jixiao extract` at --jobs 1 and --jobs 2 on the same corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NO_FORMS = ROOT.parent / "shared" / "realdata" / "no_forms"

from sample_pdfs.catalog import digital_samples, expected_files, expected_records, pdf_of  # noqa: E402  (after the path set-up)


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def raw_tables(path: Path, pages: list[int] | None = None) -> int:
    import pdfplumber

    n = 0
    with pdfplumber.open(path) as pdf:
        for i, page in enumerate(pdf.pages):
            if pages is None or i + 1 in pages:
                page.extract_tables()
                n += 1
    return n


def ours(path: Path) -> dict:
    from jixiao.pipelines.api import process_file

    return process_file(str(path)).model_dump()


def form_pages(path: Path) -> list[int]:
    res = ours(path)
    return sorted({p for r in res["records"] for p in r["source"]["pages"]})


def run_cli(args: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one `jixiao` process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.pipelines.cli", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        raise SystemExit(f"jixiao {' '.join(args)} failed")
    return time.perf_counter() - t0, usage.ru_maxrss


def one_filing_sample() -> Path:
    """The first born-digital sample that holds exactly one filing."""
    return next(pdf_of(e) for e in expected_files()
                if [r["source"]["kind"] for r in expected_records(e)] == ["digital"])


def one_filing_ratio(path: Path, repeats: int) -> tuple[float, float]:
    """Median wall time of a whole `jixiao extract` process on one filing, and of a Python process
    that imports pdfplumber and runs extract_tables() on every page of it: alternated, so both see
    the same machine."""
    import statistics

    script = Path(sys.executable).parent / "jixiao"
    jixiao = [str(script)] if script.exists() else [sys.executable, "-m", "jixiao.pipelines.cli"]
    raw = [sys.executable, "-c", "import pdfplumber, sys\n"
           "with pdfplumber.open(sys.argv[1]) as pdf:\n    [p.extract_tables() for p in pdf.pages]", str(path)]
    ours_t, raw_t = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            ours_t.append(_wall(jixiao + ["extract", str(path), "-o", f"{tmp}/{i}", "-q"]))
            raw_t.append(_wall(raw))
    return statistics.median(ours_t), statistics.median(raw_t)


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    reps = 2 if args.quick else 5
    rows: list[tuple[str, str]] = []

    def report(name: str, value: str) -> None:
        rows.append((name, value))
        print(f"{name:<58} {value}", flush=True)

    # Start-up: a fresh interpreter importing the CLI, and one filing (jieba's dictionary).
    t_import, _ = run_cli(["--version"])
    report("start-up: `jixiao --version` (fresh process)", f"{t_import:.3f} s")
    samples = digital_samples()
    one = one_filing_sample()
    t_one, t_raw_one = one_filing_ratio(one, 7 if args.quick else 15)
    report(f"one-filing run ({one.name}), whole process: jixiao extract", f"{t_one:8.3f} s")
    report("one-filing run: python + raw pdfplumber extract_tables()", f"{t_raw_one:8.3f} s")
    report("one-filing run: ratio jixiao / raw (goal <= 2)", f"{t_one / t_raw_one:8.2f}")
    ours(samples[0])  # warm this process: modules, jieba

    # Non-form pages.
    if NO_FORMS.exists():
        nf = sorted(NO_FORMS.glob("*.pdf"))
        import pypdfium2

        n_pages = sum(len(pypdfium2.PdfDocument(str(p))) for p in nf)
        t_ours = best(lambda: [ours(p) for p in nf], reps)
        t_raw = best(lambda: [raw_tables(p) for p in nf], max(1, reps // 2))
        report(f"non-form pages ({n_pages} real pages): jixiao", f"{n_pages / t_ours:8.1f} pages/s")
        report("non-form pages: raw pdfplumber extract_tables()", f"{n_pages / t_raw:8.1f} pages/s")
        report("non-form pages: ratio jixiao time / raw time", f"{t_ours / t_raw:8.3f}")
    else:
        report("non-form pages", f"skipped: {NO_FORMS} not found")

    # Form pages of the digital samples.
    pages = {p: form_pages(p) for p in samples}
    n_form = sum(len(v) for v in pages.values())
    t_ours = best(lambda: [ours(p) for p in samples], reps)
    t_raw = best(lambda: [raw_tables(p, pages[p]) for p in samples], reps)
    report(f"form pages ({n_form} pages of {len(samples)} digital samples): jixiao", f"{t_ours / n_form:8.4f} s/page")
    report("form pages: raw pdfplumber extract_tables()", f"{t_raw / n_form:8.4f} s/page")
    report("form pages: ratio jixiao / raw (goal <= 1.2)", f"{t_ours / t_raw:8.3f}")

    # Batch throughput at --jobs 1 and --jobs 2, and peak memory, on one corpus.
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "in"
        corpus.mkdir()
        n = 0
        for i in range(8 if args.quick else 16):
            for p in samples + (sorted(NO_FORMS.glob("*.pdf"))[:1] if NO_FORMS.exists() else []):
                (corpus / f"{i:02d}_{p.name}").write_bytes(p.read_bytes() + f"% copy {i}\n".encode())
                n += 1
        times = {}
        for jobs in (1, 2):
            out = Path(tmp) / f"out{jobs}"
            wall, rss = run_cli(["extract", str(corpus), "-o", str(out), "-q", "--jobs", str(jobs)])
            shutil.rmtree(out)
            times[jobs] = wall
            report(f"batch of {n} inputs, --jobs {jobs}",
                   f"{n / wall:8.2f} inputs/s, driver peak RSS {rss / 1024:.0f} MiB")
        report("batch: speed-up --jobs 2 / --jobs 1 (goal >= 1.8 on 2 cores)", f"{times[1] / times[2]:8.2f}x")
    report("this process: peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(json.dumps(dict(rows), ensure_ascii=False))


if __name__ == "__main__":
    main()
