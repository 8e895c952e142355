"""Reading what jixiao wrote, the way its users' tools do."""

from __future__ import annotations

import csv
from pathlib import Path


def read_csv(path: Path, header: bool = True) -> list:
    """A CSV file jixiao wrote: starts with a UTF-8 BOM (for Excel); rows as dicts by the header
    row, or (``header=False``) as lists of every row."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    lines = raw.decode("utf-8-sig").splitlines(keepends=True)
    return list(csv.DictReader(lines)) if header else list(csv.reader(lines))
