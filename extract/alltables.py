"""Every ruled table of every page of a PDF (``jixiao tables``), whatever its layout.

``extract.pdf.read_document`` reads only the pages that can be forms; this module reads every
page (or a page range) with the same page reader, so a table of an unknown layout comes out as
cells with their spans, text, box and method, ready to be written as JSON, CSV or HTML.

Text comes from the PDF's text layer. A page without one that carries an image (a scan) is
marked ``kind="scanned"``: it gives no text, and usually no table either (a scan has no vector
rulings), unless an OCR hook reads it (``read_tables(..., ocr=hook)``, see ``OcrHook``).

A page a PDF library cannot load or parse is skipped and named in ``damaged_pages`` (the same
page-level isolation as ``extract.pdf.read_document``); the other pages are read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, Field

from .errors import Corrupt, PageDamage
from .model import Page
from .pdf import (
    MAX_BYTES,
    MinerPages,
    check_file,
    matching_miner_page,
    open_pdfium,
    page_text,
    read_or_note,
    read_page,
    sha256_file,
)

# The OCR hook: (page as read from the text layer, its pypdfium2 page) -> the page to keep. It is
# called for every page read and decides itself which pages go the OCR way (e.g. with
# extract.ocr.needs_ocr on the page's text); it returns those pages read from their image (cells
# with method "ocr:<engine>" and their confidence, kind "scanned") and the others unchanged.
OcrHook = Callable[[Page, Any], Page]


class TablesDocument(BaseModel):
    path: str
    sha256: str
    n_pages: int
    pages: list[Page]  # the pages read, in order
    missing_pages: list[int] = Field(default_factory=list)  # asked for but past the last page
    damaged_pages: dict[int, str] = Field(default_factory=dict)  # page number -> why it was not read
    notes: list[str] = Field(default_factory=list)  # what else the reader noticed (a damaged page tree)


# ---------------------------------------------------------------- page ranges

_RANGE = re.compile(r"^\s*(\d+)\s*(?:(-)\s*(\d*)\s*)?$")


def parse_pages(spec: str) -> list[tuple[int, int | None]]:
    """"1-3,5,8-" -> [(1, 3), (5, 5), (8, None)] (None: to the last page). ValueError if malformed."""
    out: list[tuple[int, int | None]] = []
    for part in spec.split(","):
        m = _RANGE.match(part)
        if not m:
            raise ValueError(f"bad page range {part.strip()!r} in {spec!r}: use e.g. 1-3,5,8-")
        first = int(m.group(1))
        last = None if m.group(2) and not m.group(3) else int(m.group(3) or first)
        if first < 1 or (last is not None and last < first):
            raise ValueError(f"bad page range {part.strip()!r} in {spec!r}: pages count from 1, first <= last")
        out.append((first, last))
    return out


def select_pages(ranges: Iterable[tuple[int, int | None]] | None, n_pages: int) -> tuple[list[int], list[int]]:
    """(pages to read, pages asked for that the document does not have), both 1-based and sorted."""
    if ranges is None:
        return list(range(1, n_pages + 1)), []
    want: set[int] = set()
    missing: set[int] = set()
    for first, last in ranges:
        end = n_pages if last is None else last
        want.update(p for p in range(first, min(end, n_pages) + 1))
        if first > n_pages:
            missing.add(first)
        elif last is not None and last > n_pages:
            missing.update(range(n_pages + 1, last + 1))
    return sorted(want), sorted(missing)


# ---------------------------------------------------------------- pages


def has_text_layer(plumber_page) -> bool:
    return bool(plumber_page.chars)


def read_page_all(plumber_page, pdfium_page, number: int) -> Page:
    """``extract.pdf.read_page`` on any page, marking a page with no text layer but an image."""
    page = read_page(plumber_page, pdfium_page, number)
    if not has_text_layer(plumber_page) and plumber_page.images:
        page.kind = "scanned"
    return page


def ocr_hook(mode: str = "auto", engine: str = "rapidocr") -> OcrHook | None:
    """Read pages that need it from their image, with the same OCR path ``extract`` uses.

    ``auto``: pages whose text layer is unusable but that show something; ``always``: every page
    that shows something; ``never``: none (no hook). The engine loads on the first such page.
    """
    if mode == "never":
        return None
    readers: list = []

    def hook(page: Page, pdfium_page) -> Page:
        from .ocr.route import needs_ocr

        if not needs_ocr(pdfium_page, page_text(pdfium_page), mode):
            return page
        if not readers:
            from .ocr.engines import get_engine
            from .ocr.reader import ScanReader

            readers.append(ScanReader(get_engine(engine)))
        return readers[0].read(pdfium_page, page.number)

    return hook


def read_tables(
    path: str | os.PathLike,
    pages: str | list[tuple[int, int | None]] | None = None,
    ocr: OcrHook | None = None,
    max_bytes: int = MAX_BYTES,
    sha256: str | None = None,
) -> TablesDocument:
    """Every ruled table of the PDF's pages (all, or ``pages``: "1-3,5,8-" or parsed ranges).

    Raises the typed errors of ``extract.errors`` for an input that cannot be read (not a PDF,
    empty, too large, encrypted, corrupt, or none of the pages asked for readable) and ValueError
    for a malformed page range. ``sha256``: the file's hash when the caller has it already.
    """
    ranges = parse_pages(pages) if isinstance(pages, str) else pages
    try:
        check_file(path, max_bytes)
        digest = sha256 or sha256_file(path)
    except OSError as e:
        raise Corrupt(f"cannot read the file: {e.strerror or e}") from e
    pdf = open_pdfium(path)
    miner = None
    try:
        wanted, missing = select_pages(ranges, len(pdf))
        out: list[Page] = []
        reader = None
        if wanted:
            miner = MinerPages(path)
            reader = _PageReader(pdf, miner, ocr)
            out = [page for page in map(reader.read, wanted) if page is not None]
            if not out:
                first = min(reader.damaged)
                raise Corrupt(f"no page can be read (page {first + 1}: {reader.damaged[first]})")
        return TablesDocument(
            path=str(path), sha256=digest, n_pages=len(pdf), pages=out, missing_pages=missing,
            damaged_pages={i + 1: why for i, why in sorted(reader.damaged.items())} if reader else {},
            notes=reader.notes if reader else [],
        )
    finally:
        if miner is not None:
            miner.close()
        pdf.close()


class _PageReader:
    """Reads one page at a time with pdfplumber (text, rulings) and PDFium (hidden text, OCR). A
    page either library fails on is skipped and ``damaged`` (page index -> why) says why.

    Where the two libraries disagree on the page tree (a page only one of them can load),
    pdfplumber's page for PDFium's page i is the nearby one sharing its text, as ``extract`` does.
    """

    def __init__(self, pdf, miner: MinerPages, ocr: OcrHook | None):
        if miner.error is not None:  # pdfminer cannot parse the file at all: no page can be read
            raise miner.error
        self.pdf, self.miner, self.ocr = pdf, miner, ocr
        self.damaged: dict[int, str] = {}
        self.notes: list[str] = []
        self.aligned = len(miner.pages) == len(pdf)
        if not self.aligned:
            self.notes.append(f"the page tree is damaged: PDFium finds {len(pdf)} pages, pdfminer"
                              f" {len(miner.pages)} (each page is read where both show its text)")

    def read(self, number: int) -> Page | None:
        return read_or_note(lambda: self._read(number), self.damaged, number - 1)

    def _read(self, number: int) -> Page:
        pdfium_page = self.pdf[number - 1]
        try:
            pp = self._plumber_page(number - 1, pdfium_page)
            try:
                page = read_page_all(pp, pdfium_page, number)
                return self.ocr(page, pdfium_page) if self.ocr is not None else page
            finally:
                pp.close()  # drop its parsed objects: a long PDF is read page by page
        finally:
            pdfium_page.close()

    def _plumber_page(self, i: int, pdfium_page):
        if not self.aligned:
            return matching_miner_page(self.miner.pages, i, len(self.pdf), page_text(pdfium_page), close_others=True)
        pp = self.miner.pages[i]
        if pp is None:
            raise PageDamage(self.miner.damaged.get(i, "pdfminer cannot build this page"))
        return pp

