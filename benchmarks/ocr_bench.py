"""OCR on the scanned samples: field accuracy per engine and dpi, and seconds per page.

    python benchmarks/ocr_bench.py                  # accuracy + speed, both engines
    python benchmarks/ocr_bench.py --engines rapidocr --no-raw

Accuracy: the share of the golden records' ``fields`` and ``funding`` values that come out
exactly equal (``sample_pdfs/expected/<stem>.json``, made from the digital samples).

Speed, in the same run on the same pages: jixiao's OCR path per engine (page image → grid →
line crops → one recognition call per page), and each engine's raw full-page reading of the
same page images (RapidOCR: detection + recognition on the whole page; Tesseract: one
``--psm 3`` page). Engines load once, before timing. Timings alternate between the two paths
page by page, so a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLES = ROOT / "sample_pdfs"
EXPECTED = SAMPLES / "expected"
# (label, file suffix): the scanned variants make_scans.py writes
SCANS = [("300 dpi", "scan300"), ("200 dpi", "scan200"), ("rotated page", "rot90"), ("mixed", "mixed")]


def scanned_files() -> list[tuple[str, Path]]:
    out = []
    for label, suffix in SCANS:
        for pdf in sorted(SAMPLES.glob(f"*_{suffix}.pdf")):
            if (EXPECTED / f"{pdf.stem}.json").exists():
                out.append((label, pdf))
    return out


def accuracy(engine: str, verbose: bool = False) -> dict[str, tuple[int, int]]:
    from jixiao.pipelines.api import Options, process_file
    from sample_pdfs.catalog import field_accuracy

    by_label: dict[str, list[int]] = {}
    for label, pdf in scanned_files():
        res = process_file(str(pdf), Options(ocr_engine=engine))
        want = json.loads((EXPECTED / f"{pdf.stem}.json").read_text(encoding="utf-8"))
        if res.status == "failure":
            print(f"  {pdf.name}: failed: {res.error_class}: {res.message}")
            ok, total = 0, sum(len(w.get("fields", {})) + len(w.get("funding", {})) for w in want)
            diffs = []
        else:
            ok, total, diffs = field_accuracy(res.records, want)
        acc = by_label.setdefault(label, [0, 0])
        acc[0] += ok
        acc[1] += total
        print(f"  {engine:9s} {pdf.name:40s} {ok}/{total} = {ok / max(total, 1):.3f}  ({res.seconds:.1f} s)")
        if verbose:
            for d in diffs:
                print(f"      {d}")
    return {k: (v[0], v[1]) for k, v in by_label.items()}


def speed(engines: list[str], raw: bool) -> dict[str, float]:
    import pypdfium2 as pdfium

    from jixiao.extract.ocr import image as im
    from jixiao.extract.ocr.engines import get_engine
    from jixiao.extract.ocr.reader import ScanReader

    pages = []
    for label, pdf in scanned_files():
        if label not in ("300 dpi", "200 dpi"):
            continue
        doc = pdfium.PdfDocument(str(pdf))
        for i in range(len(doc)):
            pages.append((doc, i))
    times: dict[str, list[float]] = {}
    for name in engines:
        engine = get_engine(name)  # loaded before timing: once per process in a real run too
        reader = ScanReader(engine)
        for doc, i in pages:
            t0 = time.perf_counter()
            reader.read(doc[i], i + 1)
            times.setdefault(f"jixiao {name}", []).append(time.perf_counter() - t0)
            if raw:
                img = im.load_page_image(doc[i])
                t0 = time.perf_counter()
                engine.read_page(img.gray)
                times.setdefault(f"raw full-page {name}", []).append(time.perf_counter() - t0)
    return {k: sum(v) / len(v) for k, v in times.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engines", default="rapidocr,tesseract")
    ap.add_argument("--no-raw", dest="raw", action="store_false", help="skip the raw full-page baselines")
    ap.add_argument("--no-accuracy", dest="accuracy", action="store_false")
    ap.add_argument("--no-speed", dest="speed", action="store_false")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every wrong value")
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    if "tesseract" in engines and not shutil.which("tesseract"):
        print("tesseract is not installed: skipping it (apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
        engines.remove("tesseract")
    if not scanned_files():
        print("no scanned samples: run python sample_pdfs/make_scans.py")
        return 1
    print(f"machine: {os.cpu_count()} cores; pages: {len(scanned_files())} files")
    if args.accuracy:
        print("field accuracy (fields + funding exact, as in the golden records):")
        for name in engines:
            for label, (ok, total) in accuracy(name, args.verbose).items():
                print(f"  => {name:9s} {label:13s} {ok}/{total} = {ok / max(total, 1):.3f}")
    if args.speed:
        print("seconds per page (300 and 200 dpi scans, same pages, same run):")
        for k, v in speed(engines, args.raw).items():
            print(f"  {k:28s} {v:6.2f} s/page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
