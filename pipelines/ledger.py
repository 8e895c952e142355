"""The run ledger: SQLite (WAL) in OUTDIR, written only by the driver.

One row per (input sha256, pipeline version, config hash) with its status and its result, so a
rerun skips unchanged inputs, recognises renamed or duplicated files by their bytes, and the
outputs can be rebuilt from the ledger alone after any crash. Beside each finished result, its
share of the output files as written (``rendered``, made from the result by the outputs' code,
keyed by that code's hash too), so a rerun over a large archive copies bytes instead of loading
and re-encoding every result; writing a result drops its renderings. The last run's inputs, in
order, and its settings (``last_run``, ``last_run_settings``) let ``jixiao apply`` write exactly
the outputs of that run again.

A damaged ledger (truncated, overwritten, another file or a directory in its place, another
schema, locked by some other program) raises ``LedgerDamaged``; the run sets it aside
(``set_aside``) and starts again with a fresh one: the ledger is a cache of results, and every
result can be made again from the inputs. A full disk is ``OutputNotWritable`` (exit 4).
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
import time
from pathlib import Path

from .errors import OutputNotWritable

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    sha256 TEXT NOT NULL,
    version TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    source_file TEXT NOT NULL,
    result TEXT,
    updated REAL NOT NULL,
    PRIMARY KEY (sha256, version, config)
);
CREATE TABLE IF NOT EXISTS rendered (
    sha256 TEXT NOT NULL,
    version TEXT NOT NULL,
    config TEXT NOT NULL,
    render TEXT NOT NULL,
    brief TEXT NOT NULL,
    text BLOB NOT NULL,
    PRIMARY KEY (sha256, version, config, render)
);
CREATE TABLE IF NOT EXISTS last_run (
    n INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    failure TEXT
);
CREATE TABLE IF NOT EXISTS last_run_settings (
    settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
);
"""
COLUMNS = {
    "results": ["sha256", "version", "config", "status", "source_file", "result", "updated"],
    "seen": ["path", "sha256", "size", "mtime_ns"],
    "rendered": ["sha256", "version", "config", "render", "brief", "text"],
    "last_run": ["n", "sha256", "failure"],
    "last_run_settings": ["settings"],
}
LAST_RUN_CHUNK = 1000  # entries of the last run read per query
# Only jixiao writes the ledger, and only one run at a time (the OUTDIR lock): a lock held longer
# than this is some other program's (a database browser), and the run goes on without that file.
BUSY_SECONDS = 5.0
# SQLite result codes that say the file is not a usable ledger (as opposed to a full disk, or a
# bug of ours: a wrong statement is SQLITE_ERROR and keeps its traceback).
_DAMAGE = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED",
           "SQLITE_READONLY", "SQLITE_IOERR")


class LedgerDamaged(Exception):
    """The ledger file cannot be used; the message says why."""


def _translate(e: sqlite3.Error, path: Path) -> Exception:
    """The run's view of a SQLite error: a full disk, a damaged ledger, or (anything else) itself."""
    name = getattr(e, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL") or name.startswith("SQLITE_IOERR") and _disk_full(path):
        return OutputNotWritable(f"cannot write the ledger {path}: {e} (the disk is full)")
    if name.startswith(_DAMAGE) or (type(e) is sqlite3.DatabaseError and not name):
        return LedgerDamaged(f"{e} ({name})" if name else str(e))
    return e


def _disk_full(path: Path) -> bool:
    """Whether the ledger's file system has (next to) no room left: SQLite reports some writes that
    fail for want of space as I/O errors."""
    try:
        st = os.statvfs(path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < (1 << 20)


class Ledger:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        _check_header(self.path)
        self.db = None
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_SECONDS)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
            self._check_schema()
        except sqlite3.Error as e:
            self.close()
            raise _translate(e, self.path) from e
        except LedgerDamaged:
            self.close()
            raise

    def _check_schema(self) -> None:
        for table, want in COLUMNS.items():
            have = [row[1] for row in self.db.execute(f"PRAGMA table_info({table})")]
            if have != want:
                raise LedgerDamaged(f"table {table} has columns {have}, not {want} (another program's file?)")

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def _run(self, sql: str, params=(), many: bool = False):
        """Execute, with SQLite's errors as the run's (``_translate``)."""
        try:
            return self.db.executemany(sql, params) if many else self.db.execute(sql, params)
        except sqlite3.Error as e:
            raise _translate(e, self.path) from e

    # -- hashing cache: skip re-hashing a file whose size and mtime are unchanged
    def known_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        row = self._run("SELECT sha256, size, mtime_ns FROM seen WHERE path = ?", (_stored_path(path),)).fetchone()
        if row and row[1] == size and row[2] == mtime_ns:
            return row[0]
        return None

    def remember_hash(self, path: str, sha256: str, size: int, mtime_ns: int) -> None:
        self._run(
            "INSERT OR REPLACE INTO seen (path, sha256, size, mtime_ns) VALUES (?, ?, ?, ?)",
            (_stored_path(path), sha256, size, mtime_ns),
        )

    def forget_hash(self, path: str) -> None:
        """Drop the cached hash of ``path`` (its bytes changed under the same size and mtime)."""
        self._run("DELETE FROM seen WHERE path = ?", (_stored_path(path),))

    # -- results
    def get(self, sha256: str, version: str, config: str) -> tuple[str, dict | None] | None:
        row = self._run(
            "SELECT status, result FROM results WHERE sha256 = ? AND version = ? AND config = ?",
            (sha256, version, config),
        ).fetchone()
        if not row:
            return None
        try:
            return row[0], json.loads(row[1]) if row[1] else None
        except ValueError as e:  # a row SQLite reads back intact but that is not our JSON
            raise LedgerDamaged(f"a result that is not JSON ({e})") from e

    def state(self, sha256: str, version: str, config: str) -> tuple[str, dict | None] | None:
        """``get``, without loading a finished result (only a failure's says whether the entry can
        be reused): a rerun over a large archive does not read every result."""
        row = self._run(
            "SELECT status, result IS NULL FROM results WHERE sha256 = ? AND version = ? AND config = ?",
            (sha256, version, config),
        ).fetchone()
        if not row:
            return None
        if row[0] == "failed" and not row[1]:
            return self.get(sha256, version, config)
        return row[0], None if row[1] else {}

    def result(self, sha256: str, version: str, config: str) -> dict | None:
        """The result of a finished entry (done or failed), or None."""
        row = self._run(
            "SELECT result FROM results WHERE sha256 = ? AND version = ? AND config = ?"
            " AND status IN ('done', 'failed')",
            (sha256, version, config),
        ).fetchone()
        if not row or row[0] is None:
            return None
        try:
            return json.loads(row[0])
        except ValueError as e:  # a row SQLite reads back intact but that is not our JSON
            raise LedgerDamaged(f"a result that is not JSON ({e})") from e

    def mark(self, sha256: str, version: str, config: str, status: str, source_file: str, result: dict | None = None):
        self.mark_many([(sha256, version, config, status, source_file, result)])

    def mark_many(self, rows: list[tuple[str, str, str, str, str, dict | None]]) -> None:
        """Record several inputs' states in one transaction (one fsync)."""
        if not rows:
            return
        now = time.time()
        with self.transaction():
            self._run(
                "INSERT OR REPLACE INTO results (sha256, version, config, status, source_file, result, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(sha, ver, cfg, st, name, _json_text(res) if res is not None else None, now)
                 for sha, ver, cfg, st, name, res in rows],
                many=True,
            )
            self._run("DELETE FROM rendered WHERE sha256 = ? AND version = ? AND config = ?",
                      [row[:3] for row in rows], many=True)

    # -- renderings of finished results (see the module's docstring)
    def rendered(self, sha256: str, version: str, config: str, render: str) -> tuple[dict, bytes] | None:
        """(brief, text) kept for a result by ``keep_rendered``, or None."""
        row = self._run(
            "SELECT brief, text FROM rendered WHERE sha256 = ? AND version = ? AND config = ? AND render = ?",
            (sha256, version, config, render),
        ).fetchone()
        if not row:
            return None
        try:
            return json.loads(row[0]), bytes(row[1])
        except (ValueError, TypeError) as e:
            raise LedgerDamaged(f"a rendering that is not ours ({e})") from e

    def keep_rendered(self, sha256: str, version: str, config: str, render: str, brief: dict, text: bytes) -> None:
        self._run("INSERT OR REPLACE INTO rendered (sha256, version, config, render, brief, text)"
                  " VALUES (?, ?, ?, ?, ?, ?)", (sha256, version, config, render, _json_text(brief), text))

    def drop_renderings_except(self, render: str) -> None:
        """Drop what older code rendered: it can never be used again."""
        self._run("DELETE FROM rendered WHERE render != ?", (render,))

    # -- the last run's outputs: which inputs, in which order, written how (``jixiao apply``)
    def remember_run(self, entries, settings: dict) -> None:
        """Replace the last run's record: ``entries`` (ledger key, or a refused input's key with its
        failure), in output order, read once (an archive's worth are never held), and ``settings``."""
        self._run("DELETE FROM last_run")
        self._run("INSERT INTO last_run (n, sha256, failure) VALUES (?, ?, ?)",
                  ((n, key, None if failure is None else _json_text(failure))
                   for n, (key, failure) in enumerate(entries)), many=True)
        self._run("DELETE FROM last_run_settings")
        self._run("INSERT INTO last_run_settings (settings) VALUES (?)", (_json_text(settings),))

    def last_run_settings(self) -> dict | None:
        row = self._run("SELECT settings FROM last_run_settings").fetchone()
        try:
            return json.loads(row[0]) if row else None
        except (ValueError, TypeError) as e:
            raise LedgerDamaged(f"last run settings that are not ours ({e})") from e

    def last_run(self):
        """The entries ``remember_run`` kept, in order, a chunk at a time."""
        after = -1
        while True:
            rows = self._run("SELECT n, sha256, failure FROM last_run WHERE n > ? ORDER BY n LIMIT ?",
                             (after, LAST_RUN_CHUNK)).fetchall()
            if not rows:
                return
            for n, key, failure in rows:
                try:
                    yield key, None if failure is None else json.loads(failure)
                except ValueError as e:
                    raise LedgerDamaged(f"a last-run entry that is not ours ({e})") from e
                after = n

    def transaction(self):
        """A block of writes committed together (e.g. the hashes of a run's inputs)."""
        return _Transaction(self)


def _json_text(res: dict) -> str:
    """A result as JSON text SQLite can store. CJK stays readable; a string that cannot be UTF-8
    (a surrogate-escaped file name in a library's message) is kept as a JSON escape instead."""
    text = json.dumps(res, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(res)
    return text


def _stored_path(path: str) -> str | bytes:
    """A path as the ledger keeps it: text, or the exact bytes (a BLOB) when it is no UTF-8."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path)


def _loaded_path(value: str | bytes) -> Path:
    return Path(os.fsdecode(value) if isinstance(value, bytes) else value)


def _check_header(path: Path) -> None:
    """Refuse a file shorter than its SQLite header says (cut off by a full disk or a copy)
    before SQLite reads zeros where pages should be. Anything else SQLite checks itself."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
            size = os.fstat(f.fileno()).st_size
    except (FileNotFoundError, IsADirectoryError):
        return  # a new ledger; a directory is SQLite's to refuse (SQLITE_CANTOPEN)
    except OSError as e:
        raise LedgerDamaged(f"cannot read it ({e.strerror or e})") from e
    if len(head) < 100 or not head.startswith(b"SQLite format 3\0"):
        return
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    counter, pages = struct.unpack(">II", head[24:32])
    valid_for = struct.unpack(">I", head[92:96])[0]
    if pages and counter == valid_for and size < pages * page_size:
        raise LedgerDamaged(f"truncated: {size} bytes where its header says {pages * page_size}")


def set_aside(path: str | Path) -> Path:
    """Move a damaged ledger (and its -wal / -shm, which must not meet a new ledger) to
    ``<name>.corrupt-<time>``; returns the new name."""
    path = Path(path)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while os.path.lexists(target):
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if os.path.lexists(side):
                os.replace(side, target.with_name(target.name + suffix))
        if os.path.lexists(path):
            os.replace(path, target)
    except OSError as e:
        raise OutputNotWritable(f"cannot move the damaged ledger {path} aside: {e.strerror or e}") from e
    return target


def seen_by_hash(path: str | Path) -> dict[str, list[tuple[Path, int, int]]]:
    """sha256 → [(file path, size, mtime_ns)] as a ledger last saw them, read only (the review site
    finds sources by it); empty when there is no ledger or it cannot be read."""
    db = Path(path)
    if not db.is_file():
        return {}
    try:
        con = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            rows = con.execute("SELECT path, sha256, size, mtime_ns FROM seen").fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return {}
    found: dict[str, list[tuple[Path, int, int]]] = {}
    for file, digest, size, mtime in rows:
        found.setdefault(digest, []).append((_loaded_path(file), size, mtime))
    return found


def last_result(path: str | Path, sha256: str) -> dict | None:
    """The result the last run's outputs were written from for these bytes (its version and
    config: ``last_run_settings``), read only (the review server checks decisions against it);
    None when there is none or the ledger cannot be read."""
    db = Path(path)
    if not db.is_file():
        return None
    try:
        con = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_SECONDS)
        try:
            row = con.execute("SELECT settings FROM last_run_settings").fetchone()
            settings = json.loads(row[0]) if row else {}
            row = con.execute(
                "SELECT result FROM results WHERE sha256 = ? AND version = ? AND config = ?"
                " AND status IN ('done', 'failed')",
                (sha256, settings.get("version"), settings.get("config")),
            ).fetchone()
        finally:
            con.close()
        return json.loads(row[0]) if row and row[0] else None
    except (sqlite3.Error, ValueError, TypeError, AttributeError):
        return None


class _Transaction:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def __enter__(self):
        self.ledger._run("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            self.ledger._run("COMMIT")
            return
        try:
            self.ledger.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the error that ended the block is the one to report
