"""What a scanned page that is no form costs: the glance against the full probe, in one run.

    .venv/bin/python benchmarks/nonform_scans.py [--repeat 3] [--threads 1]

For each page of the real non-form scans (``../shared/realdata/forms/xfund_negatives/``) and of
the scanned samples (``sample_pdfs/*_scan*.pdf``, ``*_rot90.pdf``), times

- ``probe``: the full first read of a scanned page (what every page cost before the glance);
- ``glance``: the quick look that now decides whether the probe runs at all;

and prints s/page for both, their ratio, and whether the glance let the page through.  A form's
first page must always pass (the glance may never lose a filing); a non-form page should not.
``--threads 1`` pins the OCR runtime to one core (the issue's budget is 1 s/page on one core).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NEGATIVES = ROOT.parent / "shared" / "realdata" / "forms" / "xfund_negatives"


def timed(fn, repeat: int):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def pages(paths: list[Path]):
    import pypdfium2 as pdfium

    from jixiao.pipelines.api import extract_records

    for path in paths:
        starts = set()
        if "xfund" not in path.name:  # a sample: the pages where its filings start
            starts = {rec["source"]["pages"][0] for rec in extract_records(path)}
        pdf = pdfium.PdfDocument(str(path))
        for i in range(len(pdf)):
            yield path.name, i + 1, pdf[i], (i + 1) in starts


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="OCR runtime threads (0: its default)")
    args = ap.parse_args(argv)
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    from jixiao.extract.ocr.engines import get_engine
    from jixiao.extract.ocr.reader import ScanReader

    reader = ScanReader(get_engine("rapidocr"))
    paths = sorted(NEGATIVES.glob("*.pdf")) + sorted((ROOT / "sample_pdfs").glob("*_scan300.pdf"))
    paths += sorted((ROOT / "sample_pdfs").glob("*_rot90.pdf"))
    rows = []
    print(f"{'file':<38}{'page':>5}{'probe s':>9}{'glance s':>10}{'ratio':>7}  filing starts  glance")
    for name, number, page, start in pages(paths):
        t_probe, _ = timed(lambda p=page, n=number: reader.probe(p, n), args.repeat)
        t_glance, passed = timed(lambda p=page: reader.glance(p), args.repeat)
        rows.append((name, number, start, passed, t_probe, t_glance))
        print(f"{name:<38}{number:>5}{t_probe:>9.2f}{t_glance:>10.2f}{t_glance / t_probe:>7.2f}  "
              f"{'yes' if start else 'no':<14} {'pass' if passed else 'stop'}")  # fmt: skip
    non_forms = [r for r in rows if "xfund" in r[0]]
    lost = [r for r in rows if r[2] and not r[3]]
    print()
    for label, group in (("no form (real scans)", non_forms), ("all pages", rows)):
        probe = sum(r[4] for r in group) / len(group)
        glance = sum(r[5] for r in group) / len(group)
        print(f"{label}: probe {probe:.2f} s/page, glance {glance:.2f} s/page ({glance / probe:.2f}×)")
    stopped = sum(1 for r in non_forms if not r[3])
    print(f"non-form pages stopped by the glance: {stopped}/{len(non_forms)}; "
          f"form first pages stopped (lost): {len(lost)}")  # fmt: skip


if __name__ == "__main__":
    main()
