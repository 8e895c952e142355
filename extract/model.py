"""Objects passed from extraction to normalisation.

Coordinates are PDF points, origin top-left (pdfplumber's ``top``/``bottom`` convention):
``bbox = (x0, top, x1, bottom)``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

BBox = tuple[float, float, float, float]


class Line(BaseModel):
    """One printed line of text: its characters in reading order."""

    text: str
    bbox: BBox
    size: float = 0.0  # font size (points)
    confidence: float = 1.0


class Cell(BaseModel):
    """One cell of a ruled table; a merged cell appears once, with its span."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    bbox: BBox
    lines: list[Line] = Field(default_factory=list)
    # Characters that are in the PDF but outside the visible cell (clip path): before / after
    # the visible text in reading order.
    hidden_before: str = ""
    hidden_after: str = ""
    method: str = "text"
    confidence: float = 1.0

    @property
    def text(self) -> str:
        """Lines joined with a newline (the normaliser applies the SPEC's join rule)."""
        return "\n".join(line.text for line in self.lines)


class Table(BaseModel):
    page: int
    bbox: BBox
    n_rows: int
    n_cols: int
    cells: list[Cell]

    def at(self, row: int, col: int) -> Cell | None:
        """The cell covering grid position (row, col)."""
        for c in self.cells:
            if c.row <= row < c.row + c.rowspan and c.col <= col < c.col + c.colspan:
                return c
        return None

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the row they start in, left to right."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[c.row].append(c)
        return out


class Page(BaseModel):
    number: int  # 1-based
    width: float
    height: float
    kind: Literal["digital", "scanned"] = "digital"
    lines: list[Line] = Field(default_factory=list)  # text outside tables, reading order
    tables: list[Table] = Field(default_factory=list)
    title: str | None = None  # the form title line, when the page carries one
    form_start: bool = False  # the first page of a form (by its title, or by its labels when untitled)
    # Degrees clockwise the page as shown was turned to read it upright (a sideways scan, a
    # /Rotate that does not match the drawing); width, height and every box are on the turned
    # page, and extract.orient.unturn_box maps a box back onto the page as shown.
    turn: int = 0


class Document(BaseModel):
    path: str
    sha256: str
    n_pages: int
    pages: list[Page]  # the pages that can be forms (others are skipped early)
    skipped_pages: int = 0
    unread_pages: list[int] = Field(default_factory=list)  # pages that needed OCR while it was off
    actions: list[str] = Field(default_factory=list)  # JavaScript, Launch, …: noted, never run
    self_evaluations: list[int] = Field(default_factory=list)  # pages titled 绩效自评表: seen, not filings
    # Pages the PDF libraries could not load or parse (page number → why): skipped, the others read.
    damaged_pages: dict[int, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)  # what else a reader of the results should know
    # Pages read by OCR that have no usable text layer of their own: the pages a searchable copy
    # lays its text over (the others are digital, or scans that carry a text layer already).
    textless_pages: list[int] = Field(default_factory=list)
    # Scanned pages that are no form, read by OCR for their text alone (``read_document``'s
    # ``text_pages_until``, for a searchable copy); they never become filings.
    text_only_pages: list[Page] = Field(default_factory=list)
