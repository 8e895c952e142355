"""The inputs of a run as the OS gives them: found, named, refused, hashed, and read once.

Names: Python hands a name that is not valid UTF-8 (a GBK name from a zip unpacked on Linux) over
as a str with surrogate escapes; it can neither be written to UTF-8 outputs nor stored in SQLite as
is. ``display_name`` is the one form such a name takes in every output; the ledger keeps the exact
bytes (``ledger.py``), so a file is always found again.

Reading: the driver hashes a file to look it up in the ledger; the worker parses it and then hashes
it again, so a result is only kept under the hash of the bytes that were parsed. A file that changed
in between is ``changed_during_read``, and the next run reads it again.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from jixiao.extract.errors import InputError

from .errors import UsageError

_BLOCK = 1 << 20


# ---------------------------------------------------------------- names


def _is_cjk_text(s: str) -> bool:
    """Whether every non-ASCII character is a CJK ideograph or CJK / fullwidth punctuation: what a
    Chinese file name decoded with the right codec looks like (a wrong codec gives odd symbols)."""
    wide = [c for c in s if ord(c) > 0x7F]
    return bool(wide) and all(
        "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\u3000" <= c <= "\u303f"
        or "\uff00" <= c <= "\uffef" for c in wide)


def display_name(name: str) -> str:
    """A file name as outputs show it (README: file names). A valid UTF-8 name as it is; else its
    bytes decoded as GB18030 where that gives Chinese text (the usual case: an archive made on
    Chinese Windows); else UTF-8 with each byte that does not decode as ``\\xNN``. Each form maps
    back to the exact bytes (encode as UTF-8, as GB18030, or undo the escapes)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    raw = name.encode("utf-8", "surrogateescape")
    try:
        gb = raw.decode("gb18030")
        if _is_cjk_text(gb):
            return gb
    except UnicodeDecodeError:
        pass
    return raw.decode("utf-8", "backslashreplace")


def display_path(path: str | os.PathLike) -> str:
    """A path with each component as ``display_name`` shows it (a UTF-8 directory above a GBK name
    stays readable)."""
    text = os.fspath(path)
    return "/".join(display_name(part) for part in text.split("/"))


# ---------------------------------------------------------------- finding inputs


@dataclass(frozen=True)
class Refused:
    """A path among the inputs that is no file to read: it becomes a failures.csv row."""

    path: Path
    error_class: str
    message: str


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory named like a PDF"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    return "not a regular file"


def classify(path: Path) -> Path | Refused:
    """``path`` when it is a regular file (through symbolic links), else why it is refused. Never
    opens anything: opening a FIFO would wait for a writer forever."""
    try:
        st = os.stat(path)
    except OSError as e:
        if os.path.islink(path):
            return Refused(path, "not_a_pdf", f"a symbolic link to nothing readable ({e.strerror or e})")
        return Refused(path, "corrupt", f"cannot read the file: {e.strerror or e}")
    if stat.S_ISREG(st.st_mode):
        return path
    return Refused(path, "not_a_pdf", _kind(st.st_mode))


def _walk(top: Path) -> tuple[list[Path | Refused], list[Refused]]:
    """Every entry named *.pdf (any case) under ``top``, classified; and the directories that could
    not be listed. Symbolic links to directories are not followed (as ``Path.rglob``)."""
    found: list[Path] = []
    unlisted: list[Refused] = []

    def cannot_list(e: OSError) -> None:
        unlisted.append(Refused(Path(e.filename), "corrupt", f"cannot list this directory: {e.strerror or e}"))

    for dirpath, dirnames, filenames in os.walk(top, onerror=cannot_list):
        base = Path(dirpath)
        found += [base / n for n in (*dirnames, *filenames) if n.lower().endswith(".pdf")]
    return [classify(p) for p in sorted(found)], unlisted


def find_inputs(items: list[str]) -> list[Path | Refused]:
    """The inputs named: files, directories (recursive, *.pdf any case) and globs, in order, each
    once. A named path that exists but is no regular file is refused, not skipped; a name that
    matches nothing at all is a usage error."""
    found: list[Path | Refused] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            entries, unlisted = _walk(p)
            found += entries + unlisted
        elif os.path.lexists(p):
            found.append(classify(p))
        elif any(ch in item for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True))
            if not matches:
                raise UsageError(f"no file matches {display_path(item)!r}")
            for m in matches:
                found += find_inputs([str(m)])
        else:
            raise UsageError(f"input not found: {display_path(item)}")
    seen: set[str] = set()
    out = []
    for entry in found:
        key = os.path.realpath(entry.path if isinstance(entry, Refused) else entry)
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


# ---------------------------------------------------------------- reading


class ChangedDuringRead(InputError):
    """The bytes read for parsing are not the bytes hashed before: the file is being written."""

    error_class = "changed_during_read"


def open_regular(path: str | os.PathLike) -> int:
    """A read-only descriptor of ``path``, refused unless it is a regular file. O_NONBLOCK: a FIFO
    put in the file's place after it was classified does not hang the open."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, _kind(mode))
    except BaseException:
        os.close(fd)
        raise
    return fd


def sha256_fd(fd: int, limit: int | None = None) -> str:
    """The sha256 of what is read from ``fd`` (at most ``limit`` bytes)."""
    h = hashlib.sha256()
    left = limit
    while left is None or left > 0:
        block = os.read(fd, _BLOCK if left is None else min(_BLOCK, left))
        if not block:
            break
        h.update(block)
        if left is not None:
            left -= len(block)
    return h.hexdigest()


def hash_file(path: str | os.PathLike) -> tuple[str, os.stat_result]:
    """(sha256, the file's stat taken before reading it). A file written while it is hashed gets a
    new mtime, so the ledger's (size, mtime) cache never keeps the mixed hash."""
    fd = open_regular(path)
    try:
        st = os.fstat(fd)
        return sha256_fd(fd), st
    finally:
        os.close(fd)


def checked_digest(path: str | os.PathLike, max_bytes: int,
                   digest: Callable[[str | os.PathLike, os.stat_result], str] | None = None
                   ) -> tuple[str | None, tuple[str, str] | None]:
    """(the file's sha256, None), or (None, (error class, message)) for a file over the size
    limit (refused without reading it) or one that cannot be read. ``digest(path, stat)``
    hashes it (default: ``hash_file``; ``extract`` passes one that asks its ledger first)."""
    try:
        st = os.stat(path)
        if st.st_size > max_bytes:
            return None, ("too_large", f"{st.st_size} bytes is over the limit of {max_bytes}")
        return (digest(path, st) if digest else hash_file(path)[0]), None
    except OSError as e:
        return None, ("corrupt", f"cannot read the file: {e.strerror or e}")


@contextmanager
def parsed_as_hashed(path: str | os.PathLike, sha256: str, max_bytes: int) -> Iterator[str]:
    """``path``, for parsing; once the parse is over the file is hashed again and must still be
    ``sha256``, the hash the driver looked the file up by, or ChangedDuringRead is raised. Every
    byte the parsers read was read between the two hashes, so equal hashes mean the parse saw the
    hashed bytes (a change undone within the parse would go unseen: files being written grow,
    they do not change and change back). Parsing a private copy instead would be exact, but
    PDFium opens files by their resolved path, which an in-memory file does not have."""
    yield os.fspath(path)
    _check(_hash_path(path, max_bytes), sha256)


def _hash_path(path, max_bytes: int) -> str:
    fd = open_regular(path)
    try:
        return sha256_fd(fd, max_bytes + 1)
    finally:
        os.close(fd)


def _check(digest: str, expected: str) -> None:
    if digest != expected:
        raise ChangedDuringRead(
            f"the file changed while this run read it (sha256 {expected[:12]}… when listed, {digest[:12]}… when"
            " parsed); nothing was kept for it and the next run reads it again")
