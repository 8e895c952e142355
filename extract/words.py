"""Chinese word segmentation (jieba), loaded once per process and only when first needed.

jieba's own start-up reads its whole prefix dictionary (about 600,000 entries) into a dict: 0.7 s
and more before the first word, in every worker that needs one. A check segments a dozen
characters at a time and looks up a few dozen of those entries, so here the dictionary is an
indexed SQLite file built once (from jieba's own dictionary, by jieba's own ``gen_pfdict``, so the
segmentation is the same) and read a row at a time. Where the file cannot be built or read,
jieba loads its dictionary the usual way.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from functools import lru_cache
from pathlib import Path

log = logging.getLogger("jixiao")


@lru_cache(maxsize=1)
def jieba():
    """The jieba module, quiet and ready to segment."""
    j = _import_jieba()
    j.setLogLevel(60)
    if not j.dt.initialized:
        try:
            j.dt.FREQ, j.dt.total = _indexed_dictionary(j)
            j.dt.initialized = True
        except (OSError, sqlite3.Error, ValueError) as e:
            log.debug("jieba's indexed dictionary is not available (%s): loading it whole", e)
            j.initialize()
    return j


def _import_jieba():
    """``import jieba``, without the pkg_resources it tries first (0.15 s, and a deprecation
    warning) to locate its dictionary: its fallback opens the file next to the module."""
    import sys

    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba as j

        return j
    sys.modules["pkg_resources"] = None  # makes jieba's optional `import pkg_resources` fail
    try:
        import jieba as j
    finally:
        del sys.modules["pkg_resources"]
    return j


class _IndexedFreq:
    """jieba's prefix dictionary (word → frequency, 0 for a prefix that is no word), read from an
    SQLite file one entry at a time; what the segmenter asks is kept (a few hundred entries)."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        self._known: dict[str, int | None] = {}

    def get(self, word: str, default=None):
        if word not in self._known:
            row = self._db.execute("SELECT n FROM freq WHERE word = ?", (word,)).fetchone()
            self._known[word] = row[0] if row else None
        n = self._known[word]
        return default if n is None else n

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        n = self.get(word)
        if n is None:
            raise KeyError(word)
        return n

    def __setitem__(self, word: str, n: int) -> None:  # jieba.add_word: this process only
        self._known[word] = n


def _indexed_dictionary(j) -> tuple[_IndexedFreq, int]:
    """(the prefix dictionary, the total frequency), building the index file on first use."""
    with j.get_module_res(j.DEFAULT_DICT_NAME) as f:
        st = os.fstat(f.fileno())
    path = _cache_dir() / f"jieba-{j.__version__}-{st.st_size}-{st.st_mtime_ns}.sqlite"
    if not path.exists():
        _build(j, path)
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    total = db.execute("SELECT n FROM freq WHERE word = ''").fetchone()
    if total is None:
        raise ValueError(f"{path} has no total")
    return _IndexedFreq(db), total[0]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    d = Path(base) / "jixiao"
    try:
        d.mkdir(parents=True, exist_ok=True)
        if os.access(d, os.W_OK):
            return d
    except OSError:
        pass
    return Path(tempfile.gettempdir())


def _build(j, path: Path) -> None:
    """Write the index file (once per jieba version and dictionary; about 2 s). Built under a
    temporary name and renamed, so workers building it at the same time never read half a file."""
    freq, total = j.Tokenizer.gen_pfdict(j.get_module_res(j.DEFAULT_DICT_NAME))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        try:
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
            # The empty word never occurs in text: it holds the total.
            db.executemany("INSERT INTO freq VALUES (?, ?)", [("", total), *sorted(freq.items())])
            db.commit()
        finally:
            db.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
