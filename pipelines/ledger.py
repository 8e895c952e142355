"""The run ledger: SQLite (WAL) in OUTDIR, written only by the driver.

One row per (input sha256, pipeline version, config hash) with its status and its result, so a
rerun skips unchanged inputs, recognises renamed or duplicated files by their bytes, and the
outputs can be rebuilt from the ledger alone after any crash.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

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
CREATE TABLE IF NOT EXISTS seen (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL
);
"""


class Ledger:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # -- hashing cache: skip re-hashing a file whose size and mtime are unchanged
    def known_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        row = self.db.execute("SELECT sha256, size, mtime_ns FROM seen WHERE path = ?", (path,)).fetchone()
        if row and row[1] == size and row[2] == mtime_ns:
            return row[0]
        return None

    def remember_hash(self, path: str, sha256: str, size: int, mtime_ns: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO seen (path, sha256, size, mtime_ns) VALUES (?, ?, ?, ?)",
            (path, sha256, size, mtime_ns),
        )

    # -- results
    def get(self, sha256: str, version: str, config: str) -> tuple[str, dict | None] | None:
        row = self.db.execute(
            "SELECT status, result FROM results WHERE sha256 = ? AND version = ? AND config = ?",
            (sha256, version, config),
        ).fetchone()
        if not row:
            return None
        return row[0], json.loads(row[1]) if row[1] else None

    def mark(self, sha256: str, version: str, config: str, status: str, source_file: str, result: dict | None = None):
        self.mark_many([(sha256, version, config, status, source_file, result)])

    def mark_many(self, rows: list[tuple[str, str, str, str, str, dict | None]]) -> None:
        """Record several inputs' states in one transaction (one fsync)."""
        if not rows:
            return
        now = time.time()
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO results (sha256, version, config, status, source_file, result, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (sha, ver, cfg, st, name, json.dumps(res, ensure_ascii=False) if res is not None else None, now)
                    for sha, ver, cfg, st, name, res in rows
                ],
            )

    def transaction(self):
        """A block of writes committed together (e.g. the hashes of a run's inputs)."""
        return _Transaction(self.db)


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
        found.setdefault(digest, []).append((Path(file), size, mtime))
    return found


class _Transaction:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
