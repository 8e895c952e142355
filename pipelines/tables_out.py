"""Writers of ``jixiao tables``: one JSON and one HTML file per PDF, one CSV file per table.

In DIR, for a PDF whose file name stem is ``<stem>``:

* ``<stem>.tables.json``: every table with its cells (row, col, rowspan, colspan, text, bbox,
  page, method, confidence), and per page the text outside the tables;
* ``<stem>.tables.html``: one ``<table>`` per table, merged cells as rowspan/colspan;
* ``<stem>.p<page>.t<n>.csv``: table n (1-based, reading order) of that page as a plain grid: a
  merged cell's text in its top-left position and empty strings in the positions it covers.

Text is as printed, one printed line per line (no SPEC join rule: that is ``extract``'s job).
A page that could not be read (damaged) is named in the JSON's ``notes`` and ``damaged_pages``.
Every file is written atomically; CSV files are UTF-8 with a BOM unless asked otherwise.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

from jixiao.extract.alltables import TablesDocument
from jixiao.extract.model import Table

from .outputs import atomic_write, csv_safe

FORMATS = ("json", "csv", "html")


def table_id(table: Table, index: int) -> str:
    return f"p{table.page}.t{index}"


def csv_name(stem: str, table: Table, index: int) -> str:
    return f"{stem}.{table_id(table, index)}.csv"


def numbered(page_tables: list[Table]) -> list[tuple[int, Table]]:
    """(1-based index on its page, table) in reading order."""
    out: list[tuple[int, Table]] = []
    count: dict[int, int] = {}
    for t in page_tables:
        count[t.page] = count.get(t.page, 0) + 1
        out.append((count[t.page], t))
    return out


def all_tables(doc: TablesDocument) -> list[tuple[int, Table]]:
    return numbered([t for p in doc.pages for t in p.tables])


def table_grid(table: Table) -> list[list[str]]:
    """n_rows x n_cols texts: each cell's text at its top-left position, "" elsewhere."""
    grid = [["" for _ in range(table.n_cols)] for _ in range(table.n_rows)]
    for c in table.cells:
        grid[c.row][c.col] = c.text
    return grid


def csv_table_bytes(table: Table, bom: bool = True) -> bytes:
    buf = io.StringIO()
    # Cells a spreadsheet would run as formulas get a leading ' (README: CSV and spreadsheets).
    csv.writer(buf, lineterminator="\r\n").writerows([[csv_safe(c) for c in row] for row in table_grid(table)])
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def _cell_json(c, page: int) -> dict:
    out = {
        "row": c.row,
        "col": c.col,
        "rowspan": c.rowspan,
        "colspan": c.colspan,
        "text": c.text,
        "bbox": list(c.bbox),
        "page": page,
        "method": c.method,
        "confidence": c.confidence,
    }
    if c.hidden_before:
        out["hidden_before"] = c.hidden_before  # in the PDF, hidden by a clip path (see SPEC clipped_text)
    if c.hidden_after:
        out["hidden_after"] = c.hidden_after
    return out


def _method(table: Table) -> str:
    methods = sorted({c.method for c in table.cells})
    return methods[0] if len(methods) == 1 else "mixed"


def document_notes(doc: TablesDocument) -> list[str]:
    """What the tables leave out: damaged pages (in ``extract``'s words), then the reader's notes."""
    return [f"page {n} is damaged and was not read: {why}" for n, why in doc.damaged_pages.items()] + doc.notes


def document_json(doc: TablesDocument, source_name: str) -> dict:
    tables = []
    for index, t in all_tables(doc):
        tables.append(
            {
                "id": table_id(t, index),
                "page": t.page,
                "index": index,
                "bbox": list(t.bbox),
                "n_rows": t.n_rows,
                "n_cols": t.n_cols,
                "method": _method(t),
                "cells": [_cell_json(c, t.page) for c in sorted(t.cells, key=lambda c: (c.row, c.col))],
            }
        )
    pages = [
        {
            "page": p.number,
            "width": p.width,
            "height": p.height,
            "kind": p.kind,
            "tables": len(p.tables),
            "text_outside_tables": [{"text": ln.text, "bbox": list(ln.bbox)} for ln in p.lines],
        }
        for p in doc.pages
    ]
    return {
        "file": source_name,
        "sha256": doc.sha256,
        "n_pages": doc.n_pages,
        "pages_read": [p.number for p in doc.pages],
        "missing_pages": doc.missing_pages,
        "damaged_pages": sorted(doc.damaged_pages),
        "notes": document_notes(doc),
        "tables": tables,
        "pages": pages,
    }


_CSS = (
    "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:2em}"
    "td{border:1px solid #888;padding:2px 5px;vertical-align:top;white-space:pre-wrap}"
    "td.hole{background:#eee}caption{text-align:left;font-weight:bold;padding:4px 0}"
)


def _html_text(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def table_html(table: Table, index: int) -> str:
    """One ``<table>``: a row per grid row, merged cells with rowspan/colspan, and an empty
    ``<td class="hole">`` where no cell covers a grid position (so the grid stays rectangular)."""
    start = {(c.row, c.col): c for c in table.cells}
    covered: set[tuple[int, int]] = set()
    for c in table.cells:
        covered.update((r, k) for r in range(c.row, c.row + c.rowspan) for k in range(c.col, c.col + c.colspan))
    tid = table_id(table, index)
    caption = f"page {table.page}, table {index} ({table.n_rows} × {table.n_cols})"
    out = [f'<table id="{tid}">', f"<caption>{caption}</caption>"]
    for r in range(table.n_rows):
        tds = []
        for k in range(table.n_cols):
            c = start.get((r, k))
            if c is not None:
                span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                    f' colspan="{c.colspan}"' if c.colspan > 1 else ""
                )
                tds.append(f"<td{span}>{_html_text(c.text)}</td>")
            elif (r, k) not in covered:
                tds.append('<td class="hole"></td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def document_html(doc: TablesDocument, source_name: str) -> str:
    tables = all_tables(doc)
    name = html.escape(source_name)
    head = (
        f'<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n<title>{name}: tables</title>\n'
        f"<style>{_CSS}</style>\n</head>\n<body>\n<h1>{name}</h1>\n"
        f"<p>{len(tables)} table(s) on {len(doc.pages)} page(s) read of {doc.n_pages}.</p>\n"
    )
    notes = [f"<p>{html.escape(note[0].upper() + note[1:].rstrip('.'))}.</p>" for note in document_notes(doc)]
    notes += [
        f"<p>Page {p.number} has no text layer (a scan): its tables are not read (no OCR).</p>"
        for p in doc.pages
        if p.kind == "scanned" and not any(c.method.startswith("ocr") for t in p.tables for c in t.cells)
    ]
    body = [table_html(t, i) for i, t in tables]
    return head + "\n".join(notes + body) + "\n</body>\n</html>\n"


def _stale_csvs(outdir: Path, stem: str, keep: set[str]) -> list[Path]:
    pattern = re.compile(re.escape(stem) + r"\.p\d+\.t\d+\.csv")
    if not outdir.is_dir():
        return []
    return [p for p in outdir.iterdir() if pattern.fullmatch(p.name) and p.name not in keep]


def write_document(
    outdir: Path, stem: str, doc: TablesDocument, source_name: str, formats: set[str], bom: bool = True
) -> list[Path]:
    """Write the chosen formats for one PDF; returns the files written.

    A rerun into the same DIR replaces ``<stem>``'s files, and removes its CSV files of tables
    that are no longer there (another ``--pages``, a changed PDF).
    """
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        atomic_write(outdir / name, data)
        written.append(outdir / name)

    if "json" in formats:
        text = json.dumps(document_json(doc, source_name), ensure_ascii=False, indent=1)
        put(f"{stem}.tables.json", (text + "\n").encode("utf-8"))
    if "html" in formats:
        put(f"{stem}.tables.html", document_html(doc, source_name).encode("utf-8"))
    if "csv" in formats:
        names = set()
        for index, t in all_tables(doc):
            name = csv_name(stem, t, index)
            names.add(name)
            put(name, csv_table_bytes(t, bom))
        for stale in _stale_csvs(outdir, stem, names):
            stale.unlink(missing_ok=True)
    return written
