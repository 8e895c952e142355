"""OUTDIR: created, proved writable, and held by one run at a time.

The hold is an OS lock (``flock``) on ``OUTDIR/.jixiao.lock``: the kernel drops it when the run's
processes end, however they end (kill -9 too), so there is never a stale lock to clean up. The
file's text names the holder (pid, start time, command) for the message a second run prints.
The file stays after the run: removing it would let a waiting run and a new one lock two different
files.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputNotWritable, UsageError
from .inputs import display_path

LOCK_NAME = ".jixiao.lock"
log = logging.getLogger("jixiao")


class OutdirBusy(UsageError):
    """Another run holds OUTDIR (exit 1: the command can be given again, or with --wait)."""


def prepare(outdir: Path) -> None:
    """Create OUTDIR and prove it writable with a file of this process's own (two runs never race
    on one probe name)."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".jixiao-write-test.", dir=outdir)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise OutputNotWritable(f"cannot write to {display_path(outdir)}: {e.strerror or e}") from e


@contextmanager
def hold(outdir: Path, wait: bool = False) -> Iterator[None]:
    """OUTDIR for this run alone, until the block ends. Another run holding it: OutdirBusy at once,
    or (``wait``) a warning and a wait for it to end."""
    import fcntl

    try:
        outdir.mkdir(parents=True, exist_ok=True)
        fd = os.open(outdir / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as e:
        raise OutputNotWritable(f"cannot write to {display_path(outdir)}: {e.strerror or e}") from e
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise OutdirBusy(f"{display_path(outdir)} is in use by {holder}; wait for it to end, "
                                 "or rerun with --wait") from None
            log.warning("%s is in use by %s; waiting for it to end (--wait)", display_path(outdir), holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        _stamp(fd, outdir)
        yield
    finally:
        os.close(fd)  # releases the lock


def _stamp(fd: int, outdir: Path) -> None:
    """Write who holds OUTDIR into the lock file (this is also the proof that OUTDIR is writable)."""
    text = json.dumps({
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "command": " ".join(sys.argv),
    }, ensure_ascii=True) + "\n"
    data = text.encode()
    try:
        # Overwrite in place, then cut: on a full disk the file's block is already there.
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))
    except OSError as e:
        raise OutputNotWritable(f"cannot write to {display_path(outdir)}: {e.strerror or e}") from e


def _holder(fd: int) -> str:
    """The run holding the lock, in words, from what it wrote into the file."""
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return (f"another jixiao run (pid {info['pid']} on {info['host']}, started {info['started']}:"
                f" {info['command']})")
    except (OSError, ValueError, KeyError, TypeError):
        return "another jixiao run (it has not written its details yet)"
