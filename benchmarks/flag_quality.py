"""Flag precision and recall per code over every sample filing, against its golden flags.

    .venv/bin/python benchmarks/flag_quality.py [--digital-only] [--json]

A flag counts as found when jixiao raises the same (code, path, page) as the golden record.
The golden flags come from sample_pdfs/make_samples.py's own data and geometry, never from jixiao.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TRUNCATION = ("truncated_tail", "truncated_head")


def flag_set(records: list[dict]) -> set[tuple[int, str, str, int | None]]:
    return {(i, f["code"], f["path"], f.get("page")) for i, r in enumerate(records) for f in r.get("flags", [])}


def measure(digital_only: bool = False) -> dict:
    from jixiao.pipelines.api import extract_records
    from sample_pdfs import catalog

    tp, fp, fn = Counter(), Counter(), Counter()
    files = 0
    details: list[str] = []
    for exp_path in catalog.expected_files():
        expected = catalog.expected_records(exp_path)
        if digital_only and any(r["source"]["kind"] != "digital" for r in expected):
            continue
        pdf = catalog.pdf_of(exp_path)
        got = extract_records(pdf)
        files += 1
        want, have = flag_set(expected), flag_set(got)
        for f in want & have:
            tp[f[1]] += 1
        for f in have - want:
            fp[f[1]] += 1
            details.append(f"  extra   {pdf.name}: {f[1]} {f[2]} p{f[3]}")
        for f in want - have:
            fn[f[1]] += 1
            details.append(f"  missing {pdf.name}: {f[1]} {f[2]} p{f[3]}")
    rows = {}
    for code in sorted(set(tp) | set(fp) | set(fn)):
        rows[code] = _pr(tp[code], fp[code], fn[code])
    trunc = _pr(sum(tp[c] for c in TRUNCATION), sum(fp[c] for c in TRUNCATION), sum(fn[c] for c in TRUNCATION))
    return {"files": files, "by_code": rows, "truncation": trunc, "details": details}


def _pr(tp: int, fp: int, fn: int) -> dict:
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--digital-only", action="store_true", help="skip the scanned samples (no OCR)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res = measure(args.digital_only)
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return 0
    print(f"flag quality over {res['files']} sample file(s)")
    print(f"{'code':<22}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    for code, r in [*res["by_code"].items(), ("truncation (both)", res["truncation"])]:
        p = "-" if r["precision"] is None else f"{r['precision']:.3f}"
        rc = "-" if r["recall"] is None else f"{r['recall']:.3f}"
        print(f"{code:<22}{r['tp']:>5}{r['fp']:>5}{r['fn']:>5}{p:>11}{rc:>8}")
    for line in res["details"]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
