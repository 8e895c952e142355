"""Writing OUTDIR: filings.jsonl, the SPEC's tables (CSV, Parquet, SQLite), datapackage.json,
failures.csv, and run_summary.json last.

Every tabular output comes from one declaration (normalize.schema.OUTPUT_TABLES). Every file is
written to a temporary name and fsynced; only when all of a run's files are written are they
renamed into place, so a crash or a full disk never leaves a half-written file, nor a mix of this
run's files and the last one's. A write that fails for want of space is OutputNotWritable (exit 4).

CSV cells are made safe for spreadsheets (``csv_safe``); JSONL, Parquet and SQLite keep the text.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import sqlite3
import tempfile
from decimal import Decimal
from pathlib import Path

from normalize import schema

from .errors import OutputNotWritable

TABLES = schema.OUTPUT_TABLES
FILINGS_COLUMNS = tuple(c for c, _ in TABLES["filings"])
FAILURE_COLUMNS = tuple(c for c, _ in TABLES["failures"])


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> None:
    """Write, fsync, rename; the file gets the usual permissions (mkstemp alone gives 0600)."""
    tmp = _staged(path, data)
    try:
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as e:
        _discard(tmp)
        raise _not_writable(path, e) from e


def _staged(path: Path, data: bytes) -> Path:
    """``data`` in a fsynced temporary file beside ``path``, ready to be renamed over it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise _not_writable(path, e) from e
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException as e:
        _discard(Path(tmp))
        if isinstance(e, OSError):
            raise _not_writable(path, e) from e
        raise
    return Path(tmp)


def _discard(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def _not_writable(path: Path, e: OSError) -> OutputNotWritable:
    from .inputs import display_path

    full = " (the disk is full)" if e.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return OutputNotWritable(f"cannot write {display_path(path)}: {e.strerror or e}{full}; none of this run's"
                             " outputs replaced the last ones")


class Staging:
    """A run's output files, each written in full to a temporary file first; ``commit`` renames
    them all into place (the names only: no space needed), ``discard`` drops them."""

    def __init__(self):
        self.files: dict[Path, Path] = {}

    def put(self, path: Path, data: bytes) -> None:
        self.files[path] = _staged(path, data)

    def adopt(self, path: Path, tmp: Path) -> None:
        self.files[path] = tmp

    def commit(self) -> None:
        for path, tmp in self.files.items():
            os.replace(tmp, path)
        for d in {p.parent for p in self.files}:
            _fsync_dir(d)
        self.files.clear()

    def discard(self) -> None:
        for tmp in self.files.values():
            _discard(tmp)
        self.files.clear()


def _fsync_dir(d: Path) -> None:
    dir_fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _tmp_path(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    return Path(tmp)


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


def _flat(item: dict) -> dict:
    """A child row with its object values (an indicator's ``targets``) as JSON text (SPEC)."""
    return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for k, v in item.items()}


def records_of(results: list[dict]) -> list[dict]:
    """Every filing's record, in input order."""
    return [r for res in results for r in res.get("records", [])]


def table_rows(results: list[dict]) -> dict[str, list[dict]]:
    """The rows of every output table, from the per-input results (in input order)."""
    records = records_of(results)
    rows: dict[str, list[dict]] = {
        "filings": [filing_row(r) for r in records],
        "failures": [{k: res.get(k) for k in FAILURE_COLUMNS} for res in results if res.get("status") == "failure"],
    }
    for name in schema.FOREIGN_KEYS:  # the child tables, one row per item of a record
        rows[name] = [{"filing_id": r["filing_id"], **_flat(item)} for r in records for item in r.get(name, [])]
    return rows


# ---------------------------------------------------------------- CSV


# A spreadsheet reads a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_safe(text: str) -> str:
    """A text cell that a spreadsheet would run as a formula, with a leading ``'`` (shown as text,
    not evaluated). What cannot be a formula stays as it is: a lone sign (an indicator's
    ``target_op`` "=", a "-" for nothing) and a plain signed number ("-12.50")."""
    if len(text) > 1 and text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv_cell(v, text: bool = False) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return csv_safe(str(v)) if text else str(v)


def _utf8(text: str) -> bytes:
    """UTF-8; a lone surrogate (a file name that was no UTF-8, in a library's message) as a
    ``\\udcNN`` escape rather than a failed write."""
    return text.encode("utf-8", "backslashreplace")


def csv_bytes(columns, rows, bom: bool = True, types: dict[str, str] | None = None) -> bytes:
    """CSV text; ``types`` (column → OUTPUT_TABLES type) tells the text columns, whose cells are
    made safe (``csv_safe``): every column when it is not given."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    columns = list(columns)
    w.writerow(columns)
    text = [types is None or types.get(c, "string") == "string" for c in columns]
    for row in rows:
        w.writerow([_csv_cell(row.get(c), t) for c, t in zip(columns, text)])
    return _utf8(("\ufeff" if bom else "") + buf.getvalue())


# ---------------------------------------------------------------- Parquet (exact decimals)


def _arrow_schema(name: str):
    import pyarrow as pa

    types = {"string": pa.string(), "decimal": pa.decimal128(20, 2), "integer": pa.int64(), "boolean": pa.bool_()}
    return pa.schema([pa.field(c, types[t]) for c, t in TABLES[name]])


def _typed(value, typ: str):
    """A cell as its column's type. SPEC: absent is null, present but empty is "" (for text)."""
    if value is None or value == "" and typ != "string":
        return None
    if typ == "decimal":
        return Decimal(str(value))
    if typ == "integer":
        return int(value)
    if typ == "boolean":
        return bool(value)
    text = str(value)
    return text if text.isascii() else _utf8(text).decode("utf-8")  # a lone surrogate as an escape


def parquet_bytes(name: str, rows: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = TABLES[name]
    data = {c: [_typed(r.get(c), t) for r in rows] for c, t in cols}
    table = pa.table(data, schema=_arrow_schema(name))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


# ---------------------------------------------------------------- SQLite

_SQL_TYPES = {"string": "TEXT", "decimal": "TEXT", "integer": "INTEGER", "boolean": "INTEGER"}


def write_sqlite(path: Path, rows: dict[str, list[dict]]) -> None:
    """One database with the SPEC tables, keys and indexes; decimals as exact TEXT."""
    tmp = sqlite_staged(path, rows)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def sqlite_staged(path: Path, rows: dict[str, list[dict]]) -> Path:
    """``write_sqlite``'s database in a fsynced temporary file beside ``path``."""
    tmp = None
    try:
        tmp = _tmp_path(path)
        _fill_sqlite(tmp, rows)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
    except (OSError, sqlite3.Error) as e:
        if tmp is not None:
            _discard(tmp)
            _discard(tmp.with_name(tmp.name + "-journal"))
        raise OutputNotWritable(f"cannot write {path}: {e}") from e
    return tmp


def _fill_sqlite(tmp: Path, rows: dict[str, list[dict]]) -> None:
    db = sqlite3.connect(tmp)  # a new file: sqlite creates it with the usual permissions
    try:
        for name, cols in TABLES.items():
            defs = [f'"{c}" {_SQL_TYPES[t]}' for c, t in cols]
            if name in schema.PRIMARY_KEYS:
                defs.append(f"PRIMARY KEY ({', '.join(schema.PRIMARY_KEYS[name])})")
            if name in schema.FOREIGN_KEYS:
                fk = schema.FOREIGN_KEYS[name]
                defs.append(f'FOREIGN KEY ("{fk}") REFERENCES filings (filing_id)')
            db.execute(f'CREATE TABLE "{name}" ({", ".join(defs)})')
            if name in schema.FOREIGN_KEYS:
                db.execute(f'CREATE INDEX "{name}_filing" ON "{name}" (filing_id)')
            names = [c for c, _ in cols]
            db.executemany(
                f'INSERT INTO "{name}" VALUES ({", ".join("?" for _ in names)})',
                [[_sql_value(r.get(c), t) for c, t in cols] for r in rows[name]],
            )
        db.commit()
    finally:
        db.close()


def _sql_value(v, typ: str):
    """``_typed``, in what SQLite stores: decimals as exact text, booleans as 0/1."""
    v = _typed(v, typ)
    if isinstance(v, bool):
        return int(v)
    return str(v) if isinstance(v, Decimal) else v


# ---------------------------------------------------------------- datapackage.json


def datapackage(csv_names: dict[str, str], bom: bool) -> dict:
    """Frictionless Data Package describing every CSV (Table Schema), from the same declaration."""
    types = {"string": "string", "decimal": "number", "integer": "integer", "boolean": "boolean"}
    resources = []
    for name, fname in csv_names.items():
        fields = []
        for c, t in TABLES[name]:
            f = {"name": c, "type": types[t]}
            if t == "decimal":
                f["description"] = "amount in 元, exact decimal with two places"
            if t == "boolean":
                f["trueValues"], f["falseValues"] = ["true"], ["false"]
            fields.append(f)
        table_schema: dict = {"fields": fields, "missingValues": [""]}
        if name in schema.PRIMARY_KEYS:
            table_schema["primaryKey"] = list(schema.PRIMARY_KEYS[name])
        if name in schema.FOREIGN_KEYS:
            fk = schema.FOREIGN_KEYS[name]
            table_schema["foreignKeys"] = [{"fields": fk, "reference": {"resource": "filings", "fields": fk}}]
        resources.append({
            "name": name.replace("_", "-"),
            "path": fname,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig" if bom else "utf-8",
            "schema": table_schema,
        })
    return {"name": "jixiao-output", "profile": "tabular-data-package", "resources": resources}


# ---------------------------------------------------------------- all of OUTDIR


def write_outputs(outdir: Path, results: list[dict], formats: set[str], bom: bool = True) -> dict[str, Path]:
    """Write every output for the given per-input results; returns what was written. All files are
    staged first and renamed into place together (nothing replaced when one cannot be written)."""
    rows = table_rows(results)
    written: dict[str, Path] = {}
    staging = Staging()

    def put(name: str, data: bytes) -> None:
        staging.put(outdir / name, data)
        written[name] = outdir / name

    try:
        if "jsonl" in formats:
            records = records_of(results)
            put("filings.jsonl", _utf8("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)))
        csv_names = {}
        if "csv" in formats:
            for name in ("filings", *schema.FOREIGN_KEYS):
                put(f"{name}.csv", csv_bytes([c for c, _ in TABLES[name]], rows[name], bom, dict(TABLES[name])))
                csv_names[name] = f"{name}.csv"
        put("failures.csv", csv_bytes(FAILURE_COLUMNS, rows["failures"], bom, dict(TABLES["failures"])))
        csv_names["failures"] = "failures.csv"
        put("datapackage.json",
            (json.dumps(datapackage(csv_names, bom), ensure_ascii=False, indent=2) + "\n").encode())
        if "parquet" in formats:
            for name in TABLES:
                put(f"parquet/{name}.parquet", parquet_bytes(name, rows[name]))
        if "sqlite" in formats:
            staging.adopt(outdir / "filings.sqlite", sqlite_staged(outdir / "filings.sqlite", rows))
            written["filings.sqlite"] = outdir / "filings.sqlite"
        staging.commit()
    except OSError as e:
        staging.discard()
        raise _not_writable(Path(e.filename or outdir), e) from e
    except BaseException:
        staging.discard()
        raise
    return written


def write_summary(outdir: Path, summary: dict) -> Path:
    path = outdir / "run_summary.json"
    atomic_write(path, _utf8(json.dumps(summary, ensure_ascii=False, indent=2) + "\n"))
    return path
