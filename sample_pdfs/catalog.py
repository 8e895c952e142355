"""The committed sample filings and their expected records, for the tests and benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def expected_files() -> list[Path]:
    """Every expected-record file (``expected/<stem>.json``), not the cell files."""
    return sorted(p for p in (HERE / "expected").glob("*.json") if not p.name.endswith(".cells.json"))


def pdf_of(expected: Path) -> Path:
    return HERE / (expected.name.removesuffix(".json") + ".pdf")


def expected_records(expected: Path) -> list[dict]:
    return json.loads(expected.read_text(encoding="utf-8"))


def digital_samples() -> list[Path]:
    """The sample PDFs whose filings are all born-digital (no OCR needed)."""
    out = []
    for exp in expected_files():
        recs = expected_records(exp)
        if recs and all(r["source"]["kind"] == "digital" for r in recs):
            out.append(pdf_of(exp))
    return out


def field_accuracy(got: list[dict], want: list[dict]) -> tuple[int, int, list[str]]:
    """(exact values, golden values, differences) over fields + funding of each expected record;
    a filing that ``got`` lacks counts all its values as wrong."""
    ok = total = 0
    diffs = []
    for n, w in enumerate(want):
        g = got[n] if n < len(got) else {}
        for group in ("fields", "funding"):
            for key, value in w.get(group, {}).items():
                total += 1
                mine = (g.get(group) or {}).get(key)
                if mine == value:
                    ok += 1
                else:
                    diffs.append(f"{group}.{key}: {mine!r} (want {value!r})")
    return ok, total, diffs
