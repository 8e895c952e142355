"""Writing OUTDIR: filings.jsonl, the SPEC's tables (CSV, Parquet, SQLite), datapackage.json,
failures.csv, and run_summary.json last.

Every tabular output comes from one declaration (normalize.schema.OUTPUT_TABLES). Every file is
written to a temporary name and fsynced; only when all of a run's files are written are they
renamed into place, so a crash or a full disk never leaves a half-written file, nor a mix of this
run's files and the last one's. A write that fails for want of space is OutputNotWritable (exit 4).

The files are written as the inputs' shares of them stream past, one input at a time
(``write_parts``; ``write_outputs`` for plain results): no table is ever held whole, so memory
stays flat however large the archive grows. An input's share (``Part``) is rendered once from its
result and kept in the ledger (``pack``), so a rerun over a large archive copies bytes instead of
re-encoding every result.

CSV cells are made safe for spreadsheets (``csv_safe``); JSONL, Parquet and SQLite keep the text.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import sqlite3
import tempfile
import zlib
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from jixiao.normalize import schema

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
    f, tmp = _new_tmp(path)
    try:
        with f:
            f.write(data)
            _sync(f)
    except BaseException as e:
        _discard(tmp)
        if isinstance(e, OSError):
            raise _not_writable(path, e) from e
        raise
    return tmp


def _new_tmp(path: Path):
    """(an open binary file, its name): a new temporary file beside ``path`` with the usual
    permissions (mkstemp alone gives 0600)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise _not_writable(path, e) from e
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        return os.fdopen(fd, "wb"), Path(tmp)
    except OSError as e:
        os.close(fd)
        _discard(Path(tmp))
        raise _not_writable(path, e) from e


def _sync(f) -> None:
    f.flush()
    os.fsync(f.fileno())


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

    def create(self, path: Path):
        """An open binary temporary file for ``path``, to be written by the caller (and closed)."""
        f, tmp = _new_tmp(path)
        self.files[path] = tmp
        return f

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


def reviewed(rec: dict) -> bool:
    """filings.csv's ``reviewed``: a person decided something about this filing (a value set or
    confirmed, a flag dismissed: corrections.jsonl) and no flag of it is left unresolved. A filing
    nobody looked at is not reviewed, even without flags."""
    flags = rec.get("flags") or []
    decided = bool(rec.get("corrections")) or any(fl.get("resolved_at") for fl in flags)
    return decided and all(fl.get("resolved_at") for fl in flags)


def corrections_made(rec: dict) -> int:
    """filings.csv's ``corrections``: the values a person set (their audit entries)."""
    return sum(1 for c in rec.get("corrections") or [] if c.get("action") == "set")


def filing_row(rec: dict) -> dict:
    row = {
        "filing_id": rec["filing_id"],
        "source_file": rec["source"]["file"],
        "source_sha256": rec["source"]["sha256"],
        "pages": ",".join(str(p) for p in rec["source"]["pages"]),
        "amount_unit_original": rec["form"].get("amount_unit_original"),
        "flag_count": len(rec.get("flags", [])),
        "status": "flagged" if rec.get("flags") else "ok",
        "reviewed": reviewed(rec),
        "corrections": corrections_made(rec),
    }
    for k in schema.FIELD_KEYS:
        row[k] = rec["fields"].get(k)
    for k in schema.FUNDING_KEYS:
        row[k] = rec["funding"].get(k)
    return row


def _flat(item: dict) -> dict:
    """A child row with its object values (an indicator's ``targets``) as JSON text (SPEC)."""
    return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for k, v in item.items()}


def rows_of(res: dict) -> dict[str, list[dict]]:
    """The rows one input's result adds to each output table (its filings in order)."""
    records = res.get("records", [])
    rows: dict[str, list[dict]] = {
        "filings": [filing_row(r) for r in records],
        "failures": [{k: res.get(k) for k in FAILURE_COLUMNS}] if res.get("status") == "failure" else [],
    }
    for name in schema.FOREIGN_KEYS:  # the child tables, one row per item of a record
        rows[name] = [{"filing_id": r["filing_id"], **_flat(item)} for r in records for item in r.get(name, [])]
    return rows


def frames_of(records: Iterable[dict]) -> dict:
    """The SPEC tables of ``records`` as pandas DataFrames (``jixiao.to_frames``): the rows of
    ``rows_of``, the columns of OUTPUT_TABLES, each cell typed as in Parquet (``_typed``:
    amounts ``Decimal``, counts ``int``, yes/no ``bool``, absent ``None``), object dtype."""
    import pandas as pd

    rows = rows_of({"records": list(records)})
    frames = {}
    for name in ("filings", *schema.FOREIGN_KEYS):
        cols = TABLES[name]
        data = [[_typed(r.get(c), t) for c, t in cols] for r in rows[name]]
        frames[name] = pd.DataFrame(data, columns=[c for c, _ in cols], dtype=object)
    return frames


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


def csv_lines(columns, rows, types: dict[str, str] | None = None) -> str:
    """CSV lines (CRLF) of ``rows``; ``types`` (column → OUTPUT_TABLES type) tells the text
    columns, whose cells are made safe (``csv_safe``): every column when it is not given."""
    columns = list(columns)
    text = [types is None or types.get(c, "string") == "string" for c in columns]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [_csv_cell(row.get(c), t) for c, t in zip(columns, text)] for row in rows)
    return buf.getvalue()


def csv_head(columns, bom: bool) -> str:
    """The start of a CSV file: BOM (Excel on Chinese Windows needs it) and the header line."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(list(columns))
    return ("\ufeff" if bom else "") + buf.getvalue()


def csv_bytes(columns, rows, bom: bool = True, types: dict[str, str] | None = None) -> bytes:
    """A whole CSV file, as the streamed ones are written: ``csv_head`` and ``csv_lines``."""
    return _utf8(csv_head(columns, bom) + csv_lines(columns, rows, types))


# ---------------------------------------------------------------- Parquet (exact decimals)

# A table's rows wait as Python values until they are this many cells (rows x columns), then as
# an Arrow batch (compact) until the batches hold this many bytes: then they are a row group. So a
# table takes a few MB however many rows it has; one up to that size is one row group, as
# pq.write_table makes it.
BATCH_CELLS = 8_192
ROW_GROUP_BYTES = 4 << 20


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


# ---------------------------------------------------------------- SQLite

_SQL_TYPES = {"string": "TEXT", "decimal": "TEXT", "integer": "INTEGER", "boolean": "INTEGER"}
# Cells of one table inserted together (executemany): bounded memory, few calls.
SQL_CHUNK_CELLS = 16_384


def _create_tables(db: sqlite3.Connection) -> None:
    """The SPEC tables, keys and indexes, empty."""
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


def _stored(v, typ: str):
    """``_typed`` as JSON and SQLite keep it: a decimal as its exact text (Parquet makes it a
    Decimal again); a boolean stays one (SQLite stores it as 0/1)."""
    v = _typed(v, typ)
    return str(v) if isinstance(v, Decimal) else v


# ---------------------------------------------------------------- one input's share


CSV_TABLES = ("filings", *schema.FOREIGN_KEYS, "failures")  # in this order in every Part
# What the rendered text of a Part depends on besides the result: this module's code. A change
# to it makes every cached rendering (the ledger's ``rendered`` table) stale.
RENDER_KEY = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


class Part:
    """One input's share of the outputs, as ``render`` makes it: ``text`` holds its lines of
    filings.jsonl ("jsonl") and of each CSV file (CSV_TABLES), as the bytes written, and its table
    rows for the typed formats ("typed": JSON, read only when Parquet or SQLite is written)."""

    def __init__(self, text: dict[str, bytes]):
        self.text = text
        self._typed: dict[str, list[list]] | None = None

    @classmethod
    def of(cls, res: dict) -> Part:
        return cls(render(res))

    def typed(self) -> dict[str, list[list]]:
        """Table → rows, each a list of cells in OUTPUT_TABLES order (``_stored``)."""
        if self._typed is None:
            self._typed = json.loads(self.text["typed"])
        return self._typed


PARTS = ("jsonl", *CSV_TABLES, "typed")


def render(res: dict) -> dict[str, bytes]:
    """A result's share of every output file (``Part``), in UTF-8: no BOM, no header."""
    rows = rows_of(res)
    text = {"jsonl": _utf8("".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in res.get("records", [])))}
    for name in CSV_TABLES:
        text[name] = _utf8(csv_lines([c for c, _ in TABLES[name]], rows[name], dict(TABLES[name])))
    typed = {name: [[_stored(r.get(c), t) for c, t in cols] for r in rows[name]] for name, cols in TABLES.items()}
    text["typed"] = json.dumps(typed, ensure_ascii=False).encode("utf-8")  # no lone surrogate left
    return text


def pack(text: dict[str, bytes]) -> bytes:
    """A Part's ``text`` as one blob to keep in the ledger: the lengths, a newline, the bytes,
    deflated (a fifth of the size: the ledger would otherwise double; inflating costs ~30 µs)."""
    raw = b" ".join(b"%d" % len(text[n]) for n in PARTS) + b"\n" + b"".join(text[n] for n in PARTS)
    return zlib.compress(raw, 1)


def unpack(blob: bytes) -> dict[str, bytes]:
    """``pack``, undone; ValueError when the blob is not one."""
    try:
        head, _, body = zlib.decompress(blob).partition(b"\n")
    except zlib.error as e:
        raise ValueError(str(e)) from e
    sizes = [int(n) for n in head.split()]
    if len(sizes) != len(PARTS) or sum(sizes) != len(body):
        raise ValueError("not a packed rendering")
    text, at = {}, 0
    for name, size in zip(PARTS, sizes):
        text[name] = body[at:at + size]
        at += size
    return text


# ---------------------------------------------------------------- streamed files


class _Sink:
    """One output file fed input by input. ``add`` and ``close`` turn a failed write into
    OutputNotWritable naming the file; ``abort`` lets go of what is open (the staging discards
    the temporary file)."""

    path: Path

    def add(self, part: Part) -> None:
        self._guarded(self._add, part)

    def close(self) -> None:
        self._guarded(self._close)

    def _guarded(self, fn, *args) -> None:
        try:
            fn(*args)
        except OSError as e:
            raise _not_writable(self.path, e) from e

    def _add(self, part: Part) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError


class _TextSink(_Sink):
    """filings.jsonl or a CSV file: ``head`` (BOM and header), then each Part's ``text[name]``."""

    def __init__(self, staging: Staging, path: Path, name: str, head: bytes = b""):
        self.path, self.name = path, name
        self.f = staging.create(path)
        self.f.write(head)

    def _add(self, part: Part) -> None:
        self.f.write(part.text[self.name])

    def _close(self) -> None:
        _sync(self.f)
        self.f.close()

    def abort(self) -> None:
        try:
            self.f.close()
        except OSError:
            pass  # the write that failed is the error to report


class _ParquetSink(_Sink):
    """A Parquet file of one table, a row group per ROW_GROUP_BYTES of Arrow data."""

    def __init__(self, staging: Staging, path: Path, table: str):
        import pyarrow.parquet as pq

        self.path, self.table, self.cols = path, table, TABLES[table]
        self.schema = _arrow_schema(table)
        self.f = staging.create(path)
        try:
            self.writer = pq.ParquetWriter(self.f, self.schema)
        except BaseException:
            self.f.close()
            raise
        self.rows: list[list] = []
        self.batches: list = []
        self.batch_bytes = 0
        self.groups = 0

    def _add(self, part: Part) -> None:
        rows = part.typed()[self.table]
        self.rows += rows
        if len(self.rows) * len(self.cols) >= BATCH_CELLS:
            self._batch()
            if self.batch_bytes >= ROW_GROUP_BYTES:
                self._flush()

    def _batch(self) -> None:
        import pyarrow as pa

        columns = list(zip(*self.rows)) or [()] * len(self.cols)
        arrays = [[None if v is None else Decimal(v) for v in col] if t == "decimal" else col
                  for col, (_c, t) in zip(columns, self.cols)]
        batch = pa.RecordBatch.from_arrays([pa.array(col, type=f.type) for col, f in zip(arrays, self.schema)],
                                           schema=self.schema)
        self.batches.append(batch)
        self.batch_bytes += batch.nbytes
        self.rows = []

    def _flush(self) -> None:
        import pyarrow as pa

        self.writer.write_table(pa.Table.from_batches(self.batches, schema=self.schema))
        self.groups += 1
        self.batches, self.batch_bytes = [], 0

    def _close(self) -> None:
        if self.rows or not (self.batches or self.groups):
            self._batch()  # an empty table too: one empty row group, as pq.write_table makes it
        if self.batches:
            self._flush()
        self.writer.close()
        _sync(self.f)
        self.f.close()

    def abort(self) -> None:
        for close in (self.writer.close, self.f.close):
            try:
                close()
            except Exception:  # noqa: BLE001 - the write that failed is the error to report
                pass
        self.writer.is_open = False  # or its __del__ tries the failed close once more


class _SqliteSink(_Sink):
    """filings.sqlite: every table, rows inserted in chunks, one transaction."""

    def __init__(self, staging: Staging, path: Path):
        self.path, self.db = path, None
        self.tmp = _tmp_path(path)
        staging.adopt(path, self.tmp)
        self.pending: dict[str, list[list]] = {name: [] for name in TABLES}
        self._guarded(self._open)

    def _open(self) -> None:
        self.db = sqlite3.connect(self.tmp)  # a new file: sqlite creates it with the usual permissions
        _create_tables(self.db)

    def _guarded(self, fn, *args) -> None:
        try:
            fn(*args)
        except (OSError, sqlite3.Error) as e:
            raise OutputNotWritable(f"cannot write {self.path}: {e}") from e

    def _add(self, part: Part) -> None:
        typed = part.typed()
        for name, cols in TABLES.items():
            self.pending[name] += typed[name]
            if len(self.pending[name]) * len(cols) >= SQL_CHUNK_CELLS:
                self._insert(name)

    def _insert(self, name: str) -> None:
        marks = ", ".join("?" for _ in TABLES[name])
        self.db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', self.pending[name])
        self.pending[name] = []

    def _close(self) -> None:
        for name in TABLES:
            self._insert(name)
        self.db.commit()
        self.db.close()
        self.db = None
        with open(self.tmp, "rb") as f:
            os.fsync(f.fileno())

    def abort(self) -> None:
        if self.db is not None:
            self.db.close()  # uncommitted: nothing more is written
            self.db = None
        _discard(self.tmp.with_name(self.tmp.name + "-journal"))


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


def _open_sinks(sinks: list[_Sink], staging: Staging, outdir: Path, formats: set[str], bom: bool) -> dict[str, str]:
    """Append a sink for every file of these formats (failures.csv always) to ``sinks`` (as each is
    opened: one that fails leaves the others to be let go of); returns the CSV files by table."""
    csv_names = {}
    if "jsonl" in formats:
        sinks.append(_TextSink(staging, outdir / "filings.jsonl", "jsonl"))
    for name in CSV_TABLES if "csv" in formats else ("failures",):
        head = _utf8(csv_head([c for c, _ in TABLES[name]], bom))
        sinks.append(_TextSink(staging, outdir / f"{name}.csv", name, head))
        csv_names[name] = f"{name}.csv"
    if "parquet" in formats:
        for name in TABLES:
            sinks.append(_ParquetSink(staging, outdir / "parquet" / f"{name}.parquet", name))
    if "sqlite" in formats:
        sinks.append(_SqliteSink(staging, outdir / "filings.sqlite"))
    return csv_names


def write_outputs(outdir: Path, results: Iterable[dict], formats: set[str], bom: bool = True) -> dict[str, Path]:
    """``write_parts`` for per-input results (in input order)."""
    return write_parts(outdir, (Part.of(res) for res in results), formats, bom)


def write_parts(outdir: Path, parts: Iterable[Part], formats: set[str], bom: bool = True) -> dict[str, Path]:
    """Write every output from the inputs' Parts (any iterable, in input order, read once, one
    Part at a time); returns what was written. All files are staged first and renamed into place
    together (nothing replaced when one cannot be written)."""
    staging = Staging()
    sinks: list[_Sink] = []
    try:
        csv_names = _open_sinks(sinks, staging, outdir, formats, bom)
        for part in parts:
            for sink in sinks:
                sink.add(part)
        while sinks:
            sinks[0].close()
            sinks.pop(0)
        staging.put(outdir / "datapackage.json",
                    (json.dumps(datapackage(csv_names, bom), ensure_ascii=False, indent=2) + "\n").encode())
        written = {str(path.relative_to(outdir)): path for path in staging.files}
        staging.commit()
    except BaseException as e:
        for sink in sinks:
            sink.abort()
        staging.discard()
        if isinstance(e, OSError):
            raise _not_writable(Path(e.filename or outdir), e) from e
        raise
    return written


def write_summary(outdir: Path, summary: dict) -> Path:
    path = outdir / "run_summary.json"
    atomic_write(path, _utf8(json.dumps(summary, ensure_ascii=False, indent=2) + "\n"))
    return path
