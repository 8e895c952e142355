"""Typed failures of one input. ``error_class`` is the SPEC's failures.csv vocabulary."""

from __future__ import annotations

import os
from pathlib import Path


class InputError(Exception):
    """An input that yields no result. Never stops a batch: it becomes a failures.csv row."""

    error_class = "internal"


class NotAPdf(InputError):
    error_class = "not_a_pdf"


class Encrypted(InputError):
    error_class = "encrypted"


class Corrupt(InputError):
    error_class = "corrupt"


class Empty(InputError):
    error_class = "empty"


class TooLarge(InputError):
    error_class = "too_large"


class Timeout(InputError):
    error_class = "timeout"


class OcrUnavailable(InputError):
    error_class = "ocr_unavailable"


class NeedsOcr(InputError):
    """A page has no usable text layer and OCR is switched off (``--ocr never``)."""

    error_class = "ocr_unavailable"


class EngineMissing(OcrUnavailable):
    """The chosen OCR engine or its language data is not installed: the run exits 3."""


class PageDamage(Exception):
    """One page of the PDF is damaged: it is skipped and named, the other pages are read."""


# ---------------------------------------------------------------- where an exception comes from

_PDF_LIBRARIES = ("pdfminer", "pdfplumber", "pypdfium2")
_JIXIAO = ("jixiao",)
_ROOT = str(Path(__file__).resolve().parent.parent) + os.sep


class _DeadlineState:
    """Whether the time limit of the input being read has passed (the alarm is process-wide)."""

    passed = False


def set_deadline_passed(passed: bool) -> None:
    _DeadlineState.passed = passed


def is_timeout(e: BaseException) -> bool:
    """Whether ``e`` is a timeout: a Timeout, an exception raised while one was being handled
    (pdfminer and pdfplumber catch exceptions broadly and raise their own), or anything raised
    once the time limit has passed."""
    return _DeadlineState.passed or any(isinstance(x, Timeout) for x in _chain(e))


# How a library says it could not get memory (an address-space cap refuses to map more).
OUT_OF_MEMORY = ("failed to map segment", "bad_alloc", "cannot allocate memory", "memoryerror", "out of memory",
                 "ran out of memory")


def out_of_memory(e: BaseException) -> bool:
    """Whether ``e`` (or what it was raised from) is a failed allocation: a MemoryError, an OSError
    ENOMEM, or a library's message saying so. Under ``--max-memory`` a PDF library that cannot
    allocate raises its own error, which would otherwise read as a damaged file."""
    import errno

    for x in _chain(e):
        if isinstance(x, MemoryError) or isinstance(x, OSError) and x.errno == errno.ENOMEM:
            return True
        if any(s in str(x).lower() for s in OUT_OF_MEMORY):
            return True
    return False


def from_pdf_library(e: BaseException) -> bool:
    """Whether ``e`` was raised by a PDF library (pdfminer, pdfplumber, pypdfium2) rather than by
    jixiao's own code: its type is theirs, or the innermost frame that is theirs or jixiao's is
    theirs (other code, the standard library or numpy, stands for whoever called it). Raised by a
    library after the file opened, it says the PDF is damaged, not that jixiao is."""
    if _package(type(e).__module__) in _PDF_LIBRARIES:
        return True
    frames = []
    tb = e.__traceback__
    while tb is not None:
        frames.append(_package(tb.tb_frame.f_globals.get("__name__", "")))
        tb = tb.tb_next
    for package in reversed(frames):
        if package in _PDF_LIBRARIES:
            return True
        if package in _JIXIAO:
            return False
    return False


def _package(module: str) -> str:
    return module.split(".")[0]


def short_traceback(e: BaseException, frames: int = 8) -> str:
    """``e`` and where it was raised, on one line (a failures.csv cell, a note): the last
    ``frames`` frames as file:line in function, innermost last."""
    import traceback

    where = traceback.extract_tb(e.__traceback__)[-frames:]
    path = " > ".join(f"{_short_path(f.filename)}:{f.lineno} in {f.name}" for f in where)
    return f"{type(e).__name__}: {e} [traceback: {path}]" if path else f"{type(e).__name__}: {e}"


def _short_path(filename: str) -> str:
    """A frame's file relative to the repository or to site-packages (shorter, and no home paths)."""
    if filename.startswith(_ROOT):
        return filename[len(_ROOT):]
    _head, sep, tail = filename.rpartition("site-packages" + os.sep)
    return tail if sep else filename


def _chain(e: BaseException | None):
    seen: set[int] = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or e.__context__


def brief(e: BaseException, limit: int = 200) -> str:
    """``e`` in a few words for a note (pdfminer puts whole dictionaries in its messages)."""
    text = " ".join(f"{type(e).__name__}: {e}".split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
