"""The per-input function every executor runs, and the Python API beside the CLI.

    >>> from jixiao.pipelines.api import extract_records
    >>> records = extract_records("sample_pdfs/seed_2020_minhang_visible.pdf")
"""

from __future__ import annotations

import json
import os
import signal
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from jixiao.extract.errors import (
    EngineMissing,
    InputError,
    NeedsOcr,
    Timeout,
    brief,
    from_pdf_library,
    is_timeout,
    out_of_memory,
    set_deadline_passed,
    short_traceback,
)


class Options(BaseModel):
    """What changes a run's results (hashed into the ledger key)."""

    ocr: Literal["auto", "always", "never"] = "auto"
    ocr_engine: Literal["rapidocr", "tesseract"] = "rapidocr"
    timeout: float = 600.0
    max_bytes: int = 512 * 1024 * 1024
    # --searchable-pdf DIR: every page without a text layer is read by OCR, and the result
    # carries the lines read (``FileResult.text_layer``); the driver writes the copies into DIR.
    searchable_pdf: str | None = None

    def key(self) -> str:
        # The timeout does not change a result that finishes; it is left out of the key. A text
        # layer changes the result (more pages read, the lines kept); where the copies go does not.
        # Only a run that asks for one has it in its key, so every other run's key stays as it was.
        key = self.model_dump(include={"ocr", "ocr_engine", "max_bytes"})
        if self.searchable_pdf is not None:
            key["text_layer"] = True
        return json.dumps(key, separators=(",", ":"))


class FileResult(BaseModel):
    source_file: str
    source_sha256: str = ""
    status: Literal["success", "partial", "failure"] = "success"
    records: list[dict] = Field(default_factory=list)
    error_class: str | None = None
    message: str = ""
    pages: int = 0
    form_pages: int = 0
    seconds: float = 0.0
    soft_errors: list[str] = Field(default_factory=list)
    missing_dependency: bool = False  # the failure is a missing OCR engine / language data
    # With --searchable-pdf: one entry per page without a text layer of its own, what OCR read on it
    # (``text_layer_of``); None otherwise, so that ordinary results stay small.
    text_layer: list[dict] | None = None


# After the deadline the alarm goes on firing at this interval: a library that caught the first
# Timeout (pdfminer and pdfplumber catch exceptions broadly) meets the next one.
_REARM_SECONDS = 0.5


@contextmanager
def _deadline(seconds: float):
    """Raise Timeout in this (main) thread after ``seconds``; a no-op where alarms do not work."""
    if not seconds or seconds <= 0 or not hasattr(signal, "SIGALRM"):
        yield
        return
    try:
        old = signal.signal(signal.SIGALRM, _on_alarm)
    except ValueError:  # not the main thread
        yield
        return
    set_deadline_passed(False)
    signal.setitimer(signal.ITIMER_REAL, seconds, _REARM_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _on_alarm(signum, frame):
    set_deadline_passed(True)  # whatever is raised from now on is this timeout (``is_timeout``)
    raise Timeout("the input took longer than the --timeout limit")


@contextmanager
def guarded(result: FileResult, timeout: float):
    """Run one input's work within ``timeout``: whatever it raises becomes the input's failure
    (MemoryError too; a bug of ours must not stop the batch either), and ``result.seconds`` the
    time it took. Shared by ``extract`` and ``tables``."""
    t0 = time.perf_counter()
    try:
        with _deadline(timeout):
            yield
    except Exception as e:
        result.missing_dependency = isinstance(e, EngineMissing)
        result.status = "failure"
        result.error_class, result.message = failure_of(e)
    finally:
        set_deadline_passed(False)  # it spoke for this input only
        result.seconds = round(time.perf_counter() - t0, 4)


def failure_of(e: Exception) -> tuple[str, str]:
    """(error_class, message) of an input that failed with ``e``: a timeout is always ``timeout``;
    an error of a PDF library, once the file opened, says the PDF is damaged (``corrupt``); only
    jixiao's own errors are ``internal``, with where they were raised, for a maintainer."""
    if is_timeout(e):
        return "timeout", "the input took longer than the --timeout limit"
    if isinstance(e, NeedsOcr):  # the CLI's words for the way out
        return e.error_class, f"{e} (--ocr never); rerun with --ocr auto"
    if isinstance(e, InputError):
        return e.error_class, str(e)
    if isinstance(e, MemoryError):
        return "too_large", "ran out of memory reading this input"
    if from_pdf_library(e):
        if out_of_memory(e):  # a PDF library that could not allocate: no damaged file
            return "too_large", f"ran out of memory reading this input ({brief(e, 160)})"
        return "corrupt", f"the PDF is damaged: {brief(e, 300)}"
    return "internal", short_traceback(e)


def page_notes(doc, records: list) -> list[str]:
    """What the input's results leave out, page by page: damaged pages, and form pages that gave
    no filing (with why)."""
    notes = [f"page {n} is damaged and was not read: {why}" for n, why in doc.damaged_pages.items()]
    in_filings = {p for r in records for p in r.source.pages}
    for page in doc.pages:
        if page.form_start and page.number not in in_filings:
            what = f"titled {page.title}" if page.title else "a form by its labels"
            why = ("no ruled table was found on it" if not page.tables
                   else "its tables carry none of the form's fields")
            notes.append(f"page {page.number} looks like a form ({what}) but gave no filing: {why}")
    return notes + list(doc.notes)


def process_file(
    path: str, options: Options | None = None, display_name: str | None = None, sha256: str | None = None
) -> FileResult:
    """Extract every filing of one PDF. Never raises for a problem with the input itself.

    ``sha256``: the file's hash when the caller has it already (the batch driver does).
    """
    from jixiao.extract.pdf import read_document, sha256_file
    from jixiao.normalize.labels import TABLE
    from jixiao.normalize.record import records_from_document

    options = options or Options()
    name = display_name or Path(path).name
    result = FileResult(source_file=name)
    text_pages_until = _text_pages_until(options)
    with guarded(result, options.timeout):
        result.source_sha256 = sha256 or sha256_file(path)
        doc = read_document(path, max_bytes=options.max_bytes, ocr=options.ocr, engine=options.ocr_engine,
                            sha256=result.source_sha256, signature=TABLE.signature,
                            text_pages_until=text_pages_until)
        records = records_from_document(doc, name)
        if doc.self_evaluations:
            pages = ",".join(map(str, doc.self_evaluations))
            result.soft_errors.append(f"page(s) {pages}: a 绩效自评表 (an evaluation after the fact), not a filing")
        if doc.actions:
            result.soft_errors.append(f"the PDF carries {', '.join(doc.actions)} actions (not executed)")
        result.records = [r.to_json() for r in records]
        result.pages = doc.n_pages
        result.form_pages = len(doc.pages)
        if doc.unread_pages:  # scanned pages left unread (--ocr never): done, but not all of it
            result.status = "partial"
            pages = ",".join(map(str, doc.unread_pages))
            result.soft_errors.append(f"page(s) {pages} have no usable text layer and were not read (--ocr never)")
        if doc.damaged_pages:  # the other pages were read: done, but not all of it
            result.status = "partial"
        result.soft_errors += page_notes(doc, records)
        if options.searchable_pdf is not None:
            result.text_layer = text_layer_of(doc)
    return result


# Of the time limit, what reading the pages that are no form (for a searchable copy's text) leaves
# for the page in progress and the rest of the input's work: this share, and at least this long.
TEXT_LAYER_RESERVE = 0.2
TEXT_LAYER_RESERVE_SECONDS = 30.0


def _text_pages_until(options: Options) -> float | None:
    """When (``time.monotonic()``) reading pages for their text alone stops, so that a long scan
    never times out, losing its filings, for the sake of its text layer; None: no such reading."""
    if options.searchable_pdf is None:
        return None
    reserve = max(TEXT_LAYER_RESERVE * options.timeout, TEXT_LAYER_RESERVE_SECONDS)
    return time.monotonic() + options.timeout - reserve


def text_layer_of(doc) -> list[dict]:
    """What OCR read on each page that has no text layer of its own (form or not): the page, its
    ``turn`` (which way its text runs) and its lines, each with its box on the page as shown."""
    from jixiao.extract.orient import unturn_box

    textless = set(doc.textless_pages)
    pages = sorted((p for p in (*doc.pages, *doc.text_only_pages) if p.number in textless), key=lambda p: p.number)
    layer = []
    for page in pages:
        lines = [*page.lines, *(ln for t in page.tables for c in t.cells for ln in c.lines)]
        layer.append({"page": page.number, "turn": page.turn, "lines": [
            {"text": ln.text, "confidence": ln.confidence,
             "bbox": [round(v, 2) for v in unturn_box(ln.bbox, page.turn, page.width, page.height)]}
            for ln in lines if ln.text.strip()]})
    return layer


def extract_records(path: str | os.PathLike, **options) -> list[dict]:
    """The canonical records (SPEC) of one PDF; raises the input's error if it fails."""
    res = process_file(str(path), Options(**options))
    if res.status == "failure":
        raise _input_error(res.error_class, res.message)
    return res.records


def _input_error(error_class: str | None, message: str) -> Exception:
    from jixiao.extract import errors

    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.InputError)]
    cls = next((c for c in classes if c.error_class == error_class), errors.InputError)
    return cls(message)


def extract_paths(paths: str | os.PathLike | list[str | os.PathLike], **options) -> list[dict]:
    """The canonical records (SPEC) of every PDF in ``paths`` (files, folders, globs, as the CLI
    finds them), in this process, one input after the other (``jixiao.extract``). The first input
    that fails raises its error, its file named; ``options`` are ``Options``' fields."""
    from .inputs import Refused, display_name, find_inputs

    opts = Options(**options)
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    records: list[dict] = []
    for entry in find_inputs([os.fspath(p) for p in items]):
        if isinstance(entry, Refused):
            raise _input_error(entry.error_class, f"{entry.path}: {entry.message}")
        res = process_file(str(entry), opts, display_name(os.path.basename(entry)))
        if res.status == "failure":
            raise _input_error(res.error_class, f"{entry}: {res.message}")
        records += res.records
    return records
