"""Writing OUTDIR: filings.jsonl, the SPEC's CSV files, failures.csv, run_summary.json (last).

Every file is written to a temporary name, fsynced and renamed, so a crash never leaves a
half-written file where a reader expects a whole one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from normalize import schema

FILINGS_COLUMNS = (
    "filing_id",
    "source_file",
    "source_sha256",
    "pages",
    *schema.FIELD_KEYS,
    *schema.FUNDING_KEYS,
    "amount_unit_original",
    "flag_count",
    "status",
)
FAILURE_COLUMNS = ("source_file", "source_sha256", "error_class", "message")
TABLES = {
    "indicators.csv": ("indicators", schema.INDICATOR_KEYS),
    "cost_items.csv": ("cost_items", schema.COST_ITEM_KEYS),
    "safeguards.csv": ("safeguards", schema.SAFEGUARD_KEYS),
}


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def csv_bytes(columns: Iterable[str], rows: Iterable[dict], bom: bool = True) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    columns = list(columns)
    w.writerow(columns)
    for row in rows:
        w.writerow([_cell(row.get(c)) for c in columns])
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def filing_row(rec: dict) -> dict:
    row = {
        "filing_id": rec["filing_id"],
        "source_file": rec["source"]["file"],
        "source_sha256": rec["source"]["sha256"],
        "pages": ",".join(str(p) for p in rec["source"]["pages"]),
        "amount_unit_original": rec["form"].get("amount_unit_original"),
        "flag_count": len(rec.get("flags", [])),
        "status": "flagged" if rec.get("flags") else "ok",
    }
    for k in schema.FIELD_KEYS:
        row[k] = rec["fields"].get(k)
    for k in schema.FUNDING_KEYS:
        row[k] = rec["funding"].get(k)
    return row


def write_outputs(outdir: Path, results: list[dict], formats: set[str], bom: bool = True) -> dict[str, Path]:
    """Write every output for the given per-input results; returns what was written."""
    records = [r for res in results for r in res.get("records", [])]
    written: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        atomic_write(outdir / name, data)
        written[name] = outdir / name

    if "jsonl" in formats:
        put("filings.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8"))
    if "csv" in formats:
        put("filings.csv", csv_bytes(FILINGS_COLUMNS, (filing_row(r) for r in records), bom))
        for name, (key, cols) in TABLES.items():
            rows = ({"filing_id": r["filing_id"], **item} for r in records for item in r.get(key, []))
            put(name, csv_bytes(("filing_id", *cols), rows, bom))
        flags = ({"filing_id": r["filing_id"], **fl} for r in records for fl in r.get("flags", []))
        put("flags.csv", csv_bytes(("filing_id", *schema.FLAG_KEYS), flags, bom))
    failures = [
        {k: res.get(k) for k in FAILURE_COLUMNS} for res in results if res.get("status") == "failure"
    ]
    put("failures.csv", csv_bytes(FAILURE_COLUMNS, failures, bom))
    return written


def write_summary(outdir: Path, summary: dict) -> Path:
    path = outdir / "run_summary.json"
    atomic_write(path, (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path
