"""Reading a PDF's text layer: which pages are forms, their ruled tables, cells and lines.

pypdfium2 does the cheap first pass over every page (its text, about a millisecond a page) and
tells which characters a clip path hides; pdfplumber parses only the pages that can be forms.
"""

from __future__ import annotations

import bisect
import ctypes
import hashlib
import mmap
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from . import classify, orient
from .errors import (
    Corrupt,
    Empty,
    Encrypted,
    InputError,
    NotAPdf,
    PageDamage,
    Timeout,
    TooLarge,
    brief,
    from_pdf_library,
    is_timeout,
    out_of_memory,
)
from .grid import GridTable, Seg, find_tables, segment_from_line, segments_from_rect
from .model import Cell, Document, Line, Page, Table
from .textfold import fold, fold_chars, is_cjk

MAX_BYTES = 512 * 1024 * 1024
_HEADER_WINDOW = 1024
_TAIL_WINDOW = 4096


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_file(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> None:
    """Cheap checks before any parser sees the file, in one pass over its bytes."""
    size = Path(path).stat().st_size
    if size == 0:
        raise Empty("the file is empty (0 bytes)")
    if size > max_bytes:
        raise TooLarge(f"{size} bytes is over the limit of {max_bytes}")
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        if b"%PDF-" not in m[:_HEADER_WINDOW]:
            raise NotAPdf("no %PDF- header: this is not a PDF file")
        if m.find(b"%%EOF", max(0, size - _TAIL_WINDOW)) < 0 and not _eof_before_padding(m):
            raise Corrupt("the file is truncated: it does not end with %%EOF")
        check_bombs(m)


_PADDING_WINDOW = 1 << 20


def _eof_before_padding(m: mmap.mmap) -> bool:
    """Whether %%EOF comes before some padding or junk at the end (a scanner or a document system
    padding the file to a block size, a mail gateway appending text): readers accept such files."""
    tail = m[max(0, len(m) - _PADDING_WINDOW):]
    at = tail.rfind(b"%%EOF")
    # A file cut off after an earlier %%EOF (a linearized file's first part, an earlier revision)
    # still has PDF objects after it; padding and appended junk have none.
    return at >= 0 and b"endobj" not in tail[at:] and b"endstream" not in tail[at:]


BOMB_BYTES = 256 * 1024 * 1024  # one stream inflating past this is a decompression bomb
_STREAM = re.compile(rb"stream\r?\n")


def check_bombs(m: mmap.mmap, min_compressed: int = 32 * 1024) -> None:
    """Refuse a file (its bytes, mapped) with a Flate stream that inflates past BOMB_BYTES,
    before any parser does."""
    pos = 0
    while True:
        hit = _STREAM.search(m, pos)
        if not hit:
            return
        start = hit.end()
        end = m.find(b"endstream", start)
        if end < 0:
            return
        pos = end + 9
        if end - start < min_compressed:
            continue
        d = zlib.decompressobj()
        total = 0
        try:
            for i in range(start, end, 1 << 16):
                total += len(d.decompress(m[i : min(i + (1 << 16), end)], BOMB_BYTES + 1 - total))
                if total > BOMB_BYTES or d.unconsumed_tail:
                    raise TooLarge(
                        f"a compressed stream of {end - start} bytes inflates past {BOMB_BYTES >> 20} MiB"
                        " (decompression bomb)"
                    )
        except zlib.error:
            continue


# ---------------------------------------------------------------- actions (noted, never run)

ACTION_TYPES = frozenset({"JavaScript", "Launch", "SubmitForm", "ImportData", "URI"})
MAX_ACTION_NODES = 50_000  # objects looked at for actions: a damaged or hostile file ends here

# Where actions live, from the catalog down: for each kind of node, the keys that lead to more
# (key → the kind of node found there). A byte search for "/JS" would also hit compressed data
# (every scan has some), and miss actions inside compressed object streams.
_ACTION_PATHS = {
    "catalog": {"OpenAction": "action", "AA": "events", "Names": "names", "AcroForm": "acroform",
                "Pages": "pages", "Outlines": "outline"},
    "names": {"JavaScript": "js_tree"},
    "js_tree": {"Kids": "js_tree"},  # and the values of its /Names array, below
    "acroform": {"Fields": "field"},
    "field": {"Kids": "field", "A": "action", "AA": "events"},
    "pages": {"Kids": "pages", "AA": "events", "Annots": "annot"},  # page tree nodes and pages
    "annot": {"A": "action", "AA": "events", "Parent": "field"},
    "outline": {"First": "outline", "Next": "outline", "A": "action"},
    "action": {"Next": "action"},
}


def find_actions(doc) -> list[str]:
    """The kinds of action (JavaScript, Launch, SubmitForm, ImportData, URI) a PDF carries, from
    its object structure (a pdfminer ``PDFDocument``): the catalog's /OpenAction, /AA and
    JavaScript name tree, pages', annotations', form fields' and outline items' actions.
    jixiao never runs them; it notes them. Best effort on a damaged file: what cannot be
    resolved is passed over, and the walk stops after MAX_ACTION_NODES objects."""
    from pdfminer.pdftypes import PDFObjRef

    found: set[str] = set()
    seen: set[int] = set()
    todo: list[tuple[str, object]] = [("catalog", doc.catalog)]
    budget = MAX_ACTION_NODES
    while todo and budget > 0:
        kind, obj = todo.pop()
        budget -= 1
        if isinstance(obj, PDFObjRef):
            if obj.objid in seen:
                continue
            seen.add(obj.objid)
            obj = _resolve(obj)
        if isinstance(obj, list):
            todo.extend((kind, item) for item in obj[:budget])
            continue
        if not isinstance(obj, dict):
            continue
        if kind == "action":
            found |= _action_kinds(obj)
        elif kind == "events":  # /AA: every value is an action, under its event's name
            todo.extend(("action", v) for v in list(obj.values())[:budget])
        elif kind == "js_tree":
            entries = _resolve(obj.get("Names"))
            if isinstance(entries, list) and entries:
                found.add("JavaScript")
                todo.extend(("action", v) for v in entries[1::2][:budget])
        for key, child in _ACTION_PATHS.get(kind, {}).items():
            if key in obj:
                todo.append((child, obj[key]))
    return sorted(found)


def _action_kinds(action: dict) -> set[str]:
    kind = _resolve(action.get("S"))
    name = getattr(kind, "name", kind)
    if isinstance(name, bytes):
        name = name.decode("latin-1")
    found = {name} & ACTION_TYPES if isinstance(name, str) else set()
    if "JS" in action:  # a script under another action type (Rendition) runs all the same
        found.add("JavaScript")
    return found


def _resolve(obj):
    """An object reference resolved; None where the object is damaged or missing."""
    from pdfminer.pdftypes import resolve1

    try:
        return resolve1(obj)
    except Exception as e:
        if is_timeout(e):
            raise
        return None


def pdf_actions(path: str | os.PathLike) -> list[str]:
    """``find_actions`` of the PDF at ``path`` ([] where pdfminer cannot parse it)."""
    try:
        pdf = open_plumber(path)
    except Corrupt:
        return []
    try:
        return find_actions(pdf.doc)
    finally:
        pdf.stream.close()


def open_plumber(path: str | os.PathLike):
    """pdfplumber's view of the PDF; a file it cannot parse is Corrupt."""
    import pdfplumber

    try:
        return pdfplumber.open(path)
    except Exception as e:  # pdfminer raises many kinds on damaged files
        raise Corrupt(f"the PDF cannot be parsed: {e}") from e


def open_pdfium(path: str | os.PathLike):
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        # PDFium's error text comes from a process-wide "last error" that an earlier document can
        # have left behind, so what kind of failure this is comes from a second reader.
        opinion = _pdfminer_opinion(path)
        if opinion == "encrypted":
            raise Encrypted("the PDF is encrypted (password required)") from e
        if opinion == 0:
            raise Empty("the PDF has no pages") from e
        raise Corrupt(f"the PDF cannot be parsed: {e}") from e
    if len(pdf) == 0:
        raise Empty("the PDF has no pages")
    return pdf


def _pdfminer_opinion(path) -> int | str | None:
    """A second opinion on a file PDFium refuses: "encrypted", its page count, or None when it
    cannot be read either (no page tree: pdfminer's own fallback, a scan of every object the
    xref claims, never ends on an xref that claims 10^9 of them)."""
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    try:
        with open(path, "rb") as f:
            doc = PDFDocument(PDFParser(f))
            return len(page_slots(doc)[0]) if "Pages" in doc.catalog else None
    except (PDFPasswordIncorrect, PDFEncryptionError):
        return "encrypted"
    except Exception as e:
        if is_timeout(e):
            raise
        return None


def page_text(pdfium_page) -> str:
    """A page's text layer, one text line per line, radicals folded (``textfold``)."""
    tp = pdfium_page.get_textpage()
    try:
        return fold(tp.get_text_range())
    finally:
        tp.close()


def page_texts(pdf, damaged: dict[int, str] | None = None) -> list[str]:
    """Every page's text layer (the first pass). With ``damaged``, a page PDFium cannot load reads
    as "" and ``damaged[index]`` says why; without, its error goes up."""
    out = []
    for i in range(len(pdf)):
        if damaged is None:
            out.append(_page_text_at(pdf, i))
        else:
            out.append(read_or_note(lambda i=i: _page_text_at(pdf, i), damaged, i) or "")
    return out


def _page_text_at(pdf, i: int) -> str:
    page = pdf[i]
    try:
        return page_text(page)
    finally:
        page.close()


def read_or_note(read, damaged: dict[int, str], index: int):
    """``read()`` of one page, or None where a PDF library fails on that page (it is damaged):
    ``damaged[index]`` then says why, and the other pages go on. A timeout, a failure of the
    whole input and jixiao's own errors (a bug: the input fails, with its traceback) go up."""
    try:
        return read()
    except (InputError, MemoryError):
        raise
    except PageDamage as e:
        damaged.setdefault(index, str(e))
        return None
    except Exception as e:
        if is_timeout(e):
            raise Timeout("the input took longer than the --timeout limit") from e
        if not from_pdf_library(e) or out_of_memory(e):
            raise  # a bug of ours, or a failed allocation (no damaged page): the input fails
        damaged.setdefault(index, brief(e))
        return None


# ---------------------------------------------------------------- pdfminer's pages, one at a time

MAX_PAGE_TREE_DEPTH = 1024  # as PDFium: a deeper page tree is a loop or an attack


def _box_problem(box) -> str | None:
    """Why a page's MediaBox or CropBox is not a rectangle (None when it is one)."""
    import math

    from pdfminer.pdftypes import resolve1

    box = resolve1(box)
    values = [resolve1(v) for v in box] if isinstance(box, list) else None
    if (values is not None and len(values) == 4
            and all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)):
        return None
    shown = " ".join(_shown(v) for v in values) if values is not None else _shown(box)
    return f"[{shown[:60]}] is not four numbers"


def _shown(v) -> str:
    """A PDF value as written (a name or keyword without pdfminer's wrapping)."""
    v = getattr(v, "name", v)
    return v.decode("latin-1") if isinstance(v, bytes) else str(v)


def page_slots(doc) -> tuple[list, dict[int, str]]:
    """pdfminer's pages of ``doc`` in page-tree order, as pdfminer's own walk finds them (with
    inherited Resources, MediaBox, CropBox and Rotate), and why those that cannot be built are
    damaged (index → why; their slot is None). Unlike pdfminer's walk, a damaged page or node
    does not end it, and a loop or a very deep tree cannot hang it."""
    from pdfminer.pdfpage import LITERAL_PAGE, LITERAL_PAGES, PDFPage
    from pdfminer.pdftypes import PDFObjRef, dict_value, list_value

    slots: list = []
    damaged: dict[int, str] = {}
    visited: set[int] = set()
    root = doc.catalog.get("Pages")
    stack = [(root, doc.catalog, 0)] if root is not None else []
    while stack:
        ref, parent, depth = stack.pop()
        if isinstance(ref, PDFObjRef):
            if ref.objid in visited:
                continue
            visited.add(ref.objid)
        node = read_or_note(lambda ref=ref: dict_value(ref), damaged, len(slots))
        if node is None:  # a kid that cannot be read: most likely a page (PDFium counts it as one)
            slots.append(None)
            continue
        props = dict(node)
        for k, v in parent.items():
            if k in PDFPage.INHERITABLE_ATTRS and k not in props:
                props[k] = v
        kind = props.get("Type", props.get("type"))
        if kind is LITERAL_PAGES and "Kids" in props and depth < MAX_PAGE_TREE_DEPTH:
            kids = read_or_note(lambda p=props: list_value(p["Kids"]), {}, 0) or []
            stack.extend((kid, props, depth + 1) for kid in reversed(kids))
        elif kind is LITERAL_PAGE:
            objid = ref.objid if isinstance(ref, PDFObjRef) else None
            slots.append(read_or_note(lambda i=objid, p=props: _build_page(doc, i, p), damaged, len(slots)))
    return slots, damaged


def _build_page(doc, objid, props: dict):
    from pdfminer.pdfpage import PDFPage

    if "MediaBox" not in props:  # required; pdfminer would guess US Letter, pdfplumber fails
        raise PageDamage("it has no MediaBox")
    for key in ("MediaBox", "CropBox"):
        problem = _box_problem(props[key]) if key in props else None
        if problem:
            raise PageDamage(f"its {key} {problem}")
    return PDFPage(doc, objid, props, None)


class MinerPages:
    """pdfminer's view of a PDF through pdfplumber, each page built on its own, and only when a
    page is read digitally: pdfplumber's ``pages`` builds every page at once (one bad MediaBox
    fails them all; a budget book of 80 pages that are no form pays for all of them).

    ``pages[j]`` is a pdfplumber page or None (``damaged[j]`` says why). ``error`` is set instead
    where pdfminer cannot parse the file at all (a form page then fails the input as before).
    """

    def __init__(self, path: str | os.PathLike):
        self.pages = _LazyPages(self)
        self.damaged: dict[int, str] = {}
        self.error: Corrupt | None = None
        self.slots: list = []
        try:
            self.pdf = open_plumber(path)
        except Corrupt as e:
            self.pdf, self.error = None, e
            return
        self.slots, self.damaged = page_slots(self.pdf.doc)

    def actions(self) -> list[str]:
        return find_actions(self.pdf.doc) if self.pdf is not None else []

    def close(self) -> None:
        # Not pdfplumber's close(): it would build every page first.
        if self.pdf is None:
            return
        for page in self.pages.built():
            page.close()
        self.pdf.flush_cache()
        self.pdf.stream.close()
        self.pdf = None



class _LazyPages:
    """``MinerPages.pages``: a pdfplumber page is built on first use (a page that cannot be
    built is None, and ``damaged`` says why)."""

    def __init__(self, owner: MinerPages):
        self._owner = owner
        self._built: dict[int, object] = {}

    def __len__(self) -> int:
        return len(self._owner.slots)

    def __getitem__(self, j: int):
        owner = self._owner
        if j not in self._built:
            slot = owner.slots[j]
            self._built[j] = None if slot is None else read_or_note(lambda: self._build(j, slot), owner.damaged, j)
        return self._built[j]

    def _build(self, j: int, slot):
        import pdfplumber.page

        # doctop as pdfplumber counts it: the heights of the pages before
        top = sum(abs(s.mediabox[3] - s.mediabox[1]) for s in self._owner.slots[:j] if s is not None)
        return pdfplumber.page.Page(self._owner.pdf, slot, j + 1, top)

    def built(self) -> list:
        return [p for p in self._built.values() if p is not None]

# ---------------------------------------------------------------- pure helpers (testable)


def build_lines(chars: list[dict], split_gap: float | None = None) -> list[Line]:
    """Group characters (dicts with text, x0, x1, top, bottom, size) into printed lines.

    With ``split_gap`` (in font sizes), a wide horizontal gap starts a separate line, so that
    two texts side by side on a page ("填报单位：" … "金额单位：元") stay apart.
    """
    upright = [c for c in chars if c.get("upright", True)]
    turned = [c for c in chars if not c.get("upright", True)]
    lines: list[Line] = _turned_lines(turned) if turned else []
    for row in _ordered_rows(upright):
        pieces: list[list[dict]] = [[row[0]]]
        for ch in row[1:]:
            prev = pieces[-1][-1]
            size = max(prev.get("size") or 0, ch.get("size") or 0, 1.0)
            if split_gap is not None and ch["x0"] - prev["x1"] > split_gap * size:
                pieces.append([ch])
            else:
                pieces[-1].append(ch)
        for piece in pieces:
            lines.append(_line(piece))
    return [ln for ln in lines if ln.text.strip()]


def _turned_lines(chars: list[dict]) -> list[Line]:
    """Text turned by 90° (a label written up or down a narrow cell): one line per column of
    characters, read the way the text runs, from the characters' text matrix. Turned
    counter-clockwise it reads bottom to top and its lines follow left to right; turned clockwise,
    top to bottom and right to left."""
    cols: list[list[dict]] = []
    lo = hi = 0.0  # the last column's extent
    for ch in sorted(chars, key=lambda c: (c["x0"] + c["x1"]) / 2):
        mid = (ch["x0"] + ch["x1"]) / 2
        if cols and lo - 1 <= mid <= hi + 1:
            cols[-1].append(ch)
            lo, hi = min(lo, ch["x0"]), max(hi, ch["x1"])
        else:
            cols.append([ch])
            lo, hi = ch["x0"], ch["x1"]
    def rises(cs: list[dict]) -> bool:
        return sum(1 if (c.get("matrix") or (1, 0))[1] > 0 else -1 for c in cs) > 0

    upward = rises(chars)
    out = []
    for col in cols:
        col.sort(key=lambda c: c["top"], reverse=rises(col))
        bbox = (min(c["x0"] for c in col), min(c["top"] for c in col), max(c["x1"] for c in col),
                max(c["bottom"] for c in col))
        size = sorted(c.get("size") or 0 for c in col)[len(col) // 2]
        text = "".join(c["text"] for c in col).strip()
        if text:
            out.append(Line.model_construct(text=text, bbox=bbox, size=round(size, 2), confidence=1.0))
    return out if upward else out[::-1]


# Fullwidth punctuation carries its own spacing: a gap before a closing mark or after an opening
# one is the exporter's punctuation spacing (WPS, Word's compression), never a space.
_CJK_CLOSING = frozenset("，。、；：！？）》」』】〕”’…")
_CJK_OPENING = frozenset("（《「『【〔“‘")


def _line(chars: list[dict]) -> Line:
    # Each gap between neighbours: its width, the font size it is measured in, and whether both
    # sides are CJK. A wide gap reads as a space, except in evenly spread CJK text (Excel/Word
    # distributed alignment, "项  目  名  称": every CJK gap wide and all about the same).
    pairs = []
    for a, b in zip(chars, chars[1:]):
        size = max(a.get("size") or 0, b.get("size") or 0, 1.0)
        pairs.append((b["x0"] - a["x1"], size, is_cjk(a["text"][-1:]) and is_cjk(b["text"][:1])))
    cjk = [gap / size for gap, size, both in pairs if both]
    spread = len(chars) > 2 and len(cjk) >= 2 and min(cjk) > 0.35 and max(cjk) - min(cjk) < 0.3
    text = [chars[0]["text"]]
    for (gap, size, both), a, b in zip(pairs, chars, chars[1:]):
        if (a["text"] != " " and b["text"] != " " and not (spread and both) and gap > 0.35 * size
                and a["text"][-1:] not in _CJK_OPENING and b["text"][:1] not in _CJK_CLOSING):
            text.append(" ")
        text.append(b["text"])
    s = "".join(text).strip()
    bbox = (
        min(c["x0"] for c in chars),
        min(c["top"] for c in chars),
        max(c["x1"] for c in chars),
        max(c["bottom"] for c in chars),
    )
    sizes = sorted(c.get("size") or 0 for c in chars)
    # Built from trusted parts on a hot path: no validation pass.
    return Line.model_construct(text=s, bbox=bbox, size=round(sizes[len(sizes) // 2], 2), confidence=1.0)


def _cell_index(t: GridTable) -> dict[tuple[int, int], int]:
    idx = {}
    for i, c in enumerate(t.cells):
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                idx[(r, k)] = i
    return idx


def _locate(t: GridTable, idx: dict, x: float, y: float) -> int | None:
    if not (t.xs[0] <= x <= t.xs[-1] and t.ys[0] <= y <= t.ys[-1]):
        return None
    c = min(max(bisect.bisect_right(t.xs, x) - 1, 0), len(t.xs) - 2)
    r = min(max(bisect.bisect_right(t.ys, y) - 1, 0), len(t.ys) - 2)
    return idx.get((r, c))


def _lines_text(lines: list[Line]) -> str:
    return "\n".join(ln.text for ln in lines)


def assemble_page(
    number: int,
    width: float,
    height: float,
    chars: list[dict],
    segs: list[Seg],
    hidden: list[dict] | None = None,
) -> Page:
    """Tables with their cells' text, and the lines outside tables, from a page's raw parts.

    ``hidden`` are characters a clip path hides, each with the ``clip`` box it was drawn in:
    they belong to the cell their clip box is in, never to the cell they happen to lie over.
    """
    grids = find_tables(segs)
    per_cell: list[list[list[dict]]] = [[[] for _ in g.cells] for g in grids]
    hidden_per_cell: list[list[list[dict]]] = [[[] for _ in g.cells] for g in grids]
    indexes = [_cell_index(g) for g in grids]
    outside: list[dict] = []
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        for ti, g in enumerate(grids):
            ci = _locate(g, indexes[ti], cx, cy)
            if ci is not None:
                per_cell[ti][ci].append(ch)
                break
        else:
            outside.append(ch)
    for ch in hidden or []:
        x0, top, x1, bottom = ch["clip"]
        cx, cy = (x0 + x1) / 2, (top + bottom) / 2
        for ti, g in enumerate(grids):
            ci = _locate(g, indexes[ti], cx, cy)
            if ci is not None:
                hidden_per_cell[ti][ci].append(ch)
                break
    tables = []
    for ti, g in enumerate(grids):
        cells = []
        for ci, gc in enumerate(g.cells):
            visible = per_cell[ti][ci]
            cell = Cell.model_construct(
                row=gc.row,
                col=gc.col,
                rowspan=gc.rowspan,
                colspan=gc.colspan,
                bbox=tuple(round(v, 2) for v in gc.bbox),
                lines=build_lines(visible),
                hidden_before="",
                hidden_after="",
                method="text",
                confidence=1.0,
            )
            if hidden_per_cell[ti][ci]:
                cell.hidden_before, cell.hidden_after = _split_hidden(visible, hidden_per_cell[ti][ci])
            cells.append(cell)
        tables.append(
            Table(page=number, bbox=tuple(round(v, 2) for v in g.bbox), n_rows=g.n_rows, n_cols=g.n_cols, cells=cells)
        )
    lines = build_lines(outside, split_gap=3.0)
    def first_row() -> Iterator[str]:
        first = min(tables, key=lambda t: t.bbox[1])
        return (ln.text for c in first.cells if c.row == 0 for ln in c.lines[:2])

    title = classify.page_title((ln.text for ln in lines), first_row if tables else None)
    return Page(number=number, width=width, height=height, lines=lines, tables=tables, title=title)


def _split_hidden(visible: list[dict], hidden: list[dict]) -> tuple[str, str]:
    """The hidden characters before and after the visible ones, in reading order."""
    tagged = [dict(c, _hidden=False) for c in visible] + [dict(c, _hidden=True) for c in hidden]
    before: list[dict] = []
    after: list[dict] = []
    seen_visible = False
    for line in _ordered_rows(tagged):
        for ch in line:
            if not ch["_hidden"]:
                seen_visible = True
            elif seen_visible:
                after.append(ch)
            else:
                before.append(ch)
    # Characters after the last visible one that were put in "before" cannot occur: reading order.
    return _lines_text(build_lines(before)), _lines_text(build_lines(after))


def _ordered_rows(chars: list[dict]) -> list[list[dict]]:
    rows: list[list[dict]] = []
    top = bottom = 0.0
    for ch in sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"])):
        mid = (ch["top"] + ch["bottom"]) / 2
        if rows and top <= mid <= bottom:
            rows[-1].append(ch)
            top, bottom = min(top, ch["top"]), max(bottom, ch["bottom"])
        else:
            rows.append([ch])
            top, bottom = ch["top"], ch["bottom"]
    return [sorted(r, key=lambda c: c["x0"]) for r in rows]


# ---------------------------------------------------------------- PDF access


def _segments(page) -> list[Seg]:
    segs: list[Seg] = []
    area = float(page.width) * float(page.height)
    for ln in page.lines:
        s = segment_from_line(ln["x0"], ln["top"], ln["x1"], ln["bottom"])
        if s:
            segs.append(s)
    for r in page.rects:
        w, h = r["x1"] - r["x0"], r["bottom"] - r["top"]
        if not r.get("stroke") and not r.get("fill"):
            continue
        if not r.get("stroke") and (w * h > 0.5 * area or _is_white(r.get("non_stroking_color"))):
            continue  # page background or an invisible fill
        segs += segments_from_rect(r["x0"], r["top"], r["x1"], r["bottom"])
    # Rulings drawn as general paths (pdfminer "curves"), e.g. a table frame as one closed
    # "m l l l h" path: a stroked path gives its horizontal and vertical straight pieces; a filled
    # one made only of such pieces is a filled rectangle, with the same rules as above.
    for cv in page.curves:
        pieces = _path_pieces(cv)
        if cv.get("stroke"):
            for (x0, y0), (x1, y1) in pieces:
                s = segment_from_line(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
                if s:
                    segs.append(s)
        elif cv.get("fill") and pieces and all(abs(a[0] - b[0]) < 0.01 or abs(a[1] - b[1]) < 0.01 for a, b in pieces):
            x0, top, x1, bottom = cv["x0"], cv["top"], cv["x1"], cv["bottom"]
            if (x1 - x0) * (bottom - top) > 0.5 * area or _is_white(cv.get("non_stroking_color")):
                continue
            segs += segments_from_rect(x0, top, x1, bottom)
    return segs


def _path_pieces(curve: dict) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight pieces of a path (its ``l`` and closing ``h`` operators), in top-based points."""
    path = curve.get("path")
    if not path:
        pts = curve.get("pts") or []
        return list(zip(pts, pts[1:]))
    pieces = []
    start = cur = None
    for op in path:
        if op[0] == "m":
            start = cur = op[1]
        elif op[0] == "l" and cur is not None:
            pieces.append((cur, op[1]))
            cur = op[1]
        elif op[0] == "c":
            cur = op[-1]
        elif op[0] == "h" and cur is not None and start is not None:
            if cur != start:
                pieces.append((cur, start))
            cur = start
    return pieces


def _is_white(color) -> bool:
    if color is None:
        return False
    if isinstance(color, (int, float)):
        return color >= 0.99
    vals = list(color)
    if len(vals) == 4:  # CMYK
        return all(v <= 0.01 for v in vals)
    return bool(vals) and all(isinstance(v, (int, float)) and v >= 0.99 for v in vals)


def hidden_chars(pdfium_page, page_height: float) -> list[dict]:
    """Characters drawn outside the clip path of their own text object, each with its ``clip`` box.

    Text objects that stick out of their clip are found first (most pages have none, and then
    nothing else is done); only their characters are then located, by PDFium's own mapping of
    characters to objects — hidden text is often drawn right over a neighbouring cell's text.
    """
    import pypdfium2.raw as raw

    sticking: dict[int, tuple[float, float, float, float]] = {}
    box = [ctypes.c_float() for _ in range(4)]
    for obj in _text_objects(raw, pdfium_page.raw):
        clip = _clip_box(raw, obj)
        if clip is None or not raw.FPDFPageObj_GetBounds(obj, *(ctypes.byref(b) for b in box)):
            continue
        left, bottom, right, top = (b.value for b in box)
        cl, cb, cr, ct = clip
        if left >= cl - 0.5 and bottom >= cb - 0.5 and right <= cr + 0.5 and top <= ct + 0.5:
            continue
        sticking[ctypes.cast(obj, ctypes.c_void_p).value or 0] = clip
    if not sticking:
        return []
    out = []
    tp = pdfium_page.get_textpage()
    try:
        for i in range(tp.count_chars()):
            obj = raw.FPDFText_GetTextObject(tp.raw, i)
            clip = sticking.get(ctypes.cast(obj, ctypes.c_void_p).value or 0) if obj else None
            if clip is None:
                continue
            x0, y0, x1, y1 = tp.get_charbox(i)
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            cl, cb, cr, ct = clip
            if cl - 0.5 <= cx <= cr + 0.5 and cb - 0.5 <= cy <= ct + 0.5:
                continue
            text = fold(tp.get_text_range(i, 1))
            if text.strip():
                out.append({"text": text, "x0": x0, "x1": x1, "top": page_height - y1, "bottom": page_height - y0,
                            "clip": (cl, page_height - ct, cr, page_height - cb)})
    finally:
        tp.close()
    return out


def _text_objects(raw, page, depth: int = 4):
    """The page's text objects, those inside form XObjects included (raw handles: a hot path)."""
    stack = [(raw.FPDFPage_CountObjects(page), lambda i: raw.FPDFPage_GetObject(page, i), 0)]
    while stack:
        n, get, d = stack.pop()
        for i in range(n):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                yield obj
            elif kind == raw.FPDF_PAGEOBJ_FORM and d < depth:
                count = raw.FPDFFormObj_CountObjects(obj)
                stack.append((count, lambda k, o=obj: raw.FPDFFormObj_GetObject(o, k), d + 1))


def _clip_box(raw, obj) -> tuple[float, float, float, float] | None:
    """The bounding box (left, bottom, right, top) of an object's clip path, or None."""
    clip = raw.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    box = None
    x, y = ctypes.c_float(), ctypes.c_float()
    for p in range(raw.FPDFClipPath_CountPaths(clip)):
        pts = []
        for s in range(raw.FPDFClipPath_CountPathSegments(clip, p)):
            seg = raw.FPDFClipPath_GetPathSegment(clip, p, s)
            if seg and raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
                pts.append((x.value, y.value))
        if not pts:
            continue
        b = (min(q[0] for q in pts), min(q[1] for q in pts), max(q[0] for q in pts), max(q[1] for q in pts))
        # Several clip paths apply together: the visible region is their intersection.
        box = b if box is None else (max(box[0], b[0]), max(box[1], b[1]), min(box[2], b[2]), min(box[3], b[3]))
    return box


def split_hidden(chars: list[dict], hidden: list[dict]) -> tuple[list[dict], list[dict]]:
    """pdfplumber's characters split into those a reader sees and those PDFium found hidden."""
    if not hidden:
        return chars, []
    pool: dict[str, list[dict]] = {}
    for h in hidden:
        pool.setdefault(h["text"], []).append(h)
    visible, gone = [], []
    for ch in chars:
        hit = None
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        size = ch.get("size") or 10
        for h in pool.get(ch["text"], ()):
            if abs((h["x0"] + h["x1"]) / 2 - cx) < 0.5 * size and abs((h["top"] + h["bottom"]) / 2 - cy) < 0.6 * size:
                hit = h
                break
        if hit is None:
            visible.append(ch)
        else:
            pool[ch["text"]].remove(hit)
            gone.append(dict(ch, clip=hit["clip"]))
    return visible, gone


def has_duplicate_chars(chars: list[dict], tol: float = 1.0) -> bool:
    """Whether any glyph is printed twice at (nearly) the same place (fake bold): the same text
    within ``tol`` points both ways."""
    at: dict[str, list[tuple[float, float]]] = {}
    for c in chars:
        at.setdefault(c["text"], []).append((c["top"], c["x0"]))
    for pts in at.values():
        if len(pts) < 2:
            continue
        pts.sort()
        for i, (y, x) in enumerate(pts):
            j = i + 1
            while j < len(pts) and pts[j][0] - y <= tol:
                if abs(pts[j][1] - x) <= tol:
                    return True
                j += 1
    return False


def read_page(plumber_page, pdfium_page, number: int) -> Page:
    """One digital page, read upright: a page whose text runs sideways or upside down as shown
    (a /Rotate that does not match its drawing) is turned first, and says so in ``Page.turn``."""
    if has_duplicate_chars(plumber_page.chars):
        plumber_page = plumber_page.dedupe_chars()
    chars = fold_chars(plumber_page.chars)  # upright or not: vertical labels are text too
    width, height = float(plumber_page.width), float(plumber_page.height)
    turn = orient.text_turn(chars)
    chars = orient.turn_chars(chars, turn, width, height)
    hidden = _hidden_chars_turned(pdfium_page, width, height, turn) if pdfium_page is not None else []
    visible, gone = split_hidden(chars, hidden)
    segs = orient.turn_segs(_segments(plumber_page), turn, width, height)
    width, height = orient.turned_size(turn, width, height)
    page = assemble_page(number, width, height, visible, segs, gone)
    page.turn = turn
    return page


def _hidden_chars_turned(pdfium_page, width: float, height: float, turn: int) -> list[dict]:
    """Hidden characters on the page as shown (``width`` x ``height``, pdfplumber's frame, which
    applies /Rotate; PDFium's boxes are in the unrotated page space), then turned by ``turn``."""
    rotate = pdfium_page.get_rotation() % 360
    u_width, u_height = orient.turned_size(rotate, width, height)  # the unrotated page's size
    out = []
    for h in hidden_chars(pdfium_page, u_height):
        box = (h["x0"], h["top"], h["x1"], h["bottom"])
        box = orient.turn_box(orient.turn_box(box, rotate, u_width, u_height), turn, width, height)
        clip = orient.turn_box(orient.turn_box(h["clip"], rotate, u_width, u_height), turn, width, height)
        out.append({**h, "x0": box[0], "top": box[1], "x1": box[2], "bottom": box[3], "clip": clip})
    return out


def _continues(page: Page) -> bool:
    """A page without a title continues the form before it when it starts with a table."""
    if page.title or not page.tables:
        return False
    first_top = min(t.bbox[1] for t in page.tables)
    above = [ln for ln in page.lines if ln.bbox[3] <= first_top]
    return all(len(ln.text) <= 12 for ln in above)


def read_document(
    path: str | os.PathLike,
    max_bytes: int = MAX_BYTES,
    ocr: str = "auto",
    engine: str = "rapidocr",
    sha256: str | None = None,
    signature: classify.Signature | None = None,
    text_pages_until: float | None = None,
) -> Document:
    """The form pages of a PDF (pages that cannot be forms are skipped cheaply).

    Page by page: a usable text layer is read the digital way; a page without one (no text,
    unmapped CID codes, garbage, glyphs without Unicode) or a form page that is one big image is
    read from its image by OCR (``ocr="auto"``); ``"always"`` OCRs every page, ``"never"`` none (a
    PDF whose only readable pages would need OCR is then ``NeedsOcr``). ``engine`` names the OCR
    engine. ``signature``: the form's own labels, which make a ruled page a form when its title
    is new or missing (the caller's vocabulary; without it only titled pages are forms).

    A page the PDF libraries cannot load or parse is skipped and named in ``damaged_pages``; the
    others are read. A PDF none of whose pages can be read is ``Corrupt``.

    ``text_pages_until`` (a ``time.monotonic()``): also read by OCR, for their text alone, the
    pages without a text layer that are no form (``Document.text_only_pages``, a searchable
    copy's text), as long as the clock is before it.
    """
    check_file(path, max_bytes)
    digest = sha256 or sha256_file(path)  # a caller that hashed the file already passes it
    pdf = open_pdfium(path)
    miner = None
    try:
        miner = MinerPages(path)
        src = _PageSource(pdf, miner, ocr, engine, signature)
        pages = _form_pages(src)
        n = len(pdf)
        if len(src.damaged) == n:
            first = min(src.damaged)
            raise Corrupt(f"no page can be read (page {first + 1}: {src.damaged[first]})")
        if not pages and src.blocked:
            from .errors import NeedsOcr

            raise NeedsOcr(f"{len(src.blocked)} of {n} pages have no usable text layer (scanned?) and OCR is off")
        text_only = _text_only_pages(src, pages, text_pages_until) if text_pages_until is not None else []
        return Document(
            path=str(path), sha256=digest, n_pages=n, pages=pages, skipped_pages=n - len(pages),
            unread_pages=sorted(i + 1 for i in src.blocked), actions=miner.actions(),
            self_evaluations=[i + 1 for i, kind in enumerate(src.kinds) if kind == "self_evaluation"],
            damaged_pages={i + 1: src.why_damaged(i) for i in sorted(src.damaged)}, notes=src.notes,
            textless_pages=[i + 1 for i in sorted(src.textless - src.damaged.keys())], text_only_pages=text_only,
        )
    finally:
        if miner is not None:
            miner.close()
        pdf.close()


def _text_only_pages(src: _PageSource, forms: list[Page], until: float) -> list[Page]:
    """The pages without a text layer that are not among ``forms``, read in full by OCR for their
    text, while ``time.monotonic()`` is before ``until``: the forms came first, and a note names
    the pages left for want of time."""
    import time

    read = {p.number - 1 for p in forms}
    pages, left = [], []
    for i in sorted(src.textless - read):
        if i in src.damaged:
            continue
        if time.monotonic() >= until:
            left.append(i + 1)
            continue
        page = src.full(i)
        if i not in src.damaged:
            pages.append(page)
    if left:
        src.notes.append(f"page(s) {','.join(map(str, left))} were not read for a text layer: too little of the"
                         " time limit was left (--timeout)")
    return pages


def _form_pages(src: _PageSource) -> list[Page]:
    """The pages that start a form, each with the pages that continue it (a table running over)."""
    pages: list[Page] = []
    n = len(src.kinds)
    i = 0
    while i < n:
        if src.may_start(i) and (src.probe(i).title or src.form_by_labels(i)):
            page = src.full(i)
            page.form_start = True
            pages.append(page)
            j = i + 1
            while j < n and not src.starts_form(j):
                if not src.readable(j) or not _continues(src.probe(j)):
                    break
                pages.append(src.full(j))
                j += 1
            i = j
            continue
        i += 1
    return pages


# ---------------------------------------------------------------- per-page routing (digital / OCR)

MATCH_SHARE = 0.8  # of a page's characters that another reader's page must share to be the same page


def _blank(i: int) -> Page:
    """What a damaged page reads as: nothing (no title, no table), so no form starts or runs on it."""
    return Page(number=i + 1, width=0.0, height=0.0)


def _glyphs_without_text(text: str, usable: bool) -> bool:
    """Whether a page draws glyphs its text layer cannot name (fonts without a usable ToUnicode
    map): what they say is only in their image."""
    from .ocr.route import MIN_CHARS

    return not usable and sum(not ch.isspace() for ch in text) >= MIN_CHARS


def matching_miner_page(pages, i: int, n: int, text: str, close_others: bool = False):
    """pdfminer's page that shows PDFium's page i (of n), whose text is ``text``: of the pages
    near i (a page lost or added shifts the rest by one), the one sharing most of its text.
    ``close_others``: free the parsed characters of the pages tried and not taken (a long PDF
    read page by page). Raises PageDamage when none shares enough."""
    m = len(pages)
    best, best_share, tried = None, 0.0, []
    for j in dict.fromkeys((i, i - 1, i + 1, i + m - n)):
        if not 0 <= j < m:
            continue
        page = pages[j]
        if page is None:  # a page pdfminer could not build
            continue
        tried.append(page)
        chars = read_or_note(lambda page=page: page.chars, {}, j)
        if not chars:
            continue
        share = _shared_share(fold("".join(c["text"] for c in chars)), text)
        if share > best_share:
            best, best_share = page, share
    found = best if best_share >= MATCH_SHARE else None
    if close_others:
        for page in tried:
            if page is not found:
                page.close()
    if found is None:
        raise PageDamage("the page tree is damaged: pdfminer has no page with this page's text")
    return found


def _shared_share(a: str, b: str) -> float:
    """The share of characters (spaces aside) two texts have in common, of the longer one."""
    from collections import Counter

    ca, cb = Counter(a), Counter(b)
    for c in (ca, cb):
        for ws in [k for k in c if k.isspace()]:
            del c[ws]
    return sum((ca & cb).values()) / max(sum(ca.values()), sum(cb.values()), 1)


class _PageSource:
    """Reads each page the way it needs: pdfplumber for a text layer, OCR for an image.

    The OCR engine loads only when a page needs it; a page's read is kept, so probing a page and
    then taking it costs one read. A page a PDF library fails on reads as blank and is recorded
    in ``damaged`` (page index → why).

    PDFium (the first pass) and pdfminer (the digital read) walk the page tree each their own way:
    where they agree on the pages (the usual case) page i is page i for both; where a damaged tree
    makes them disagree, pdfminer's page for PDFium's page i is the nearby one with its text.
    """

    def __init__(self, pdf, miner: MinerPages, ocr: str, engine: str,
                 signature: classify.Signature | None = None):
        self.pdf = pdf
        self.miner = miner
        self.engine_name = engine
        self.damaged: dict[int, str] = {}
        self.notes: list[str] = []
        self.texts = page_texts(pdf, self.damaged)
        pdfium_lost_pages = bool(self.damaged)  # so far, pages PDFium could not load
        self.aligned = miner.error is None and len(miner.pages) == len(pdf) and not pdfium_lost_pages
        if self.aligned:
            self._read_blank_pages_with_pdfminer()
        elif miner.error is None:
            self.notes.append(f"the page tree is damaged: PDFium finds {len(pdf)} pages, pdfminer"
                              f" {len(miner.pages)} (a page is read digitally only where both show its text)")
        self.kinds = [classify.page_class(t, signature) for t in self.texts]
        self.form_text = [kind == "form" for kind in self.kinds]
        self.scanned: set[int] = set()
        self.blocked: set[int] = set()  # pages that need OCR when OCR is off
        self.textless: set[int] = set()  # scanned pages without a usable text layer of their own
        self._route(ocr)
        if self.aligned:  # pages pdfminer cannot parse: OCR needs none of it, the digital read does
            for i, why in miner.damaged.items():
                if i not in self.scanned and i not in self.blocked:
                    self.damaged.setdefault(i, why)
        self._reader = None
        self._probes: dict[int, object] = {}
        self._full: dict[int, Page] = {}

    def _route(self, ocr: str) -> None:
        """Which pages go to OCR (or, with OCR off, are blocked)."""
        from .ocr.route import needs_ocr, page_decides, text_layer_usable

        for i, text in enumerate(self.texts):
            if i in self.damaged:
                continue
            usable = text_layer_usable(text)
            glyphs_only = _glyphs_without_text(text, usable)
            if not (glyphs_only or page_decides(usable, ocr, self.form_text[i])):
                continue  # the answer is no: no page load

            def decide(i=i, text=text, usable=usable, glyphs_only=glyphs_only) -> bool:
                page = self.pdf[i]
                try:
                    return glyphs_only or needs_ocr(page, text, ocr, may_be_form=self.form_text[i], usable=usable)
                finally:
                    page.close()

            if read_or_note(decide, self.damaged, i):
                (self.blocked if ocr == "never" else self.scanned).add(i)
                if ocr != "never" and not usable:
                    self.textless.add(i)

    def _read_blank_pages_with_pdfminer(self) -> None:
        """A page PDFium finds nothing on (no text, no object) while pdfminer finds text: PDFium
        could not parse the page (a dictionary nested too deep, …); its text layer is pdfminer's."""
        import pypdfium2.raw as raw

        for i, text in enumerate(self.texts):
            if text.strip() or i in self.damaged or self.miner.slots[i] is None:
                continue

            def empty_for_pdfium(i=i) -> bool:
                page = self.pdf[i]
                try:
                    return raw.FPDFPage_CountObjects(page.raw) == 0
                finally:
                    page.close()

            if not read_or_note(empty_for_pdfium, self.damaged, i):
                continue
            text = read_or_note(lambda i=i: fold(self.miner.pages[i].extract_text()), self.damaged, i)
            if text and text.strip():
                self.texts[i] = text
                self.notes.append(f"page {i + 1}: PDFium cannot parse this page (it finds nothing on it);"
                                  " its text was read with pdfminer alone")

    def why_damaged(self, i: int) -> str:
        why = self.damaged[i]
        return f"{why} (its text says it is a form: a filing may be lost)" if self.form_text[i] else why

    def readable(self, i: int) -> bool:
        return i not in self.blocked and i not in self.damaged

    def may_start(self, i: int) -> bool:
        """Whether page i can start a form: its text says so, or a glance at its image (the
        full read of a scanned page that is no form costs seconds; the glance, a fraction)."""
        if i in self.damaged:
            return False
        if i in self.scanned:
            return i in self._probes or bool(read_or_note(lambda: self._ocr().glance(self.pdf[i]), self.damaged, i))
        return i not in self.blocked and self.form_text[i]

    def form_by_labels(self, i: int) -> bool:
        """A digital page without a form title whose text carries the form's labels in a table."""
        return i not in self.scanned and self.form_text[i] and bool(self.probe(i).tables)

    def starts_form(self, i: int) -> bool:
        """Whether page i starts a form of its own (so it does not continue the one before)."""
        if i in self.scanned:
            return self.probe(i).title is not None
        return i not in self.blocked and i not in self.damaged and self.form_text[i]

    def probe(self, i: int) -> Page:
        """Enough of page i to tell a title or a continuation (for a digital page: all of it)."""
        if i not in self.scanned:
            return self.full(i)
        if i not in self._probes and i not in self.damaged:
            probe = read_or_note(lambda: self._ocr().probe(self.pdf[i], i + 1), self.damaged, i)
            if probe is not None:
                self._probes[i] = probe
        return self._probes[i].page if i in self._probes else _blank(i)

    def full(self, i: int) -> Page:
        if i not in self._full:
            page = None if i in self.damaged else read_or_note(lambda: self._read(i), self.damaged, i)
            self._full[i] = page if page is not None else _blank(i)
        return self._full[i]

    def _read(self, i: int) -> Page | None:
        if i in self.scanned:
            self.probe(i)
            return self._ocr().complete(self._probes.pop(i)) if i in self._probes else None
        return read_page(self._plumber_page(i), self.pdf[i], i + 1)

    def _plumber_page(self, i: int):
        if self.miner.error is not None:  # pdfminer cannot parse the file: no page can be read digitally
            raise self.miner.error
        if self.aligned:
            return self.miner.pages[i]
        return matching_miner_page(self.miner.pages, i, len(self.pdf), self.texts[i])

    def _ocr(self):
        if self._reader is None:
            from .ocr.engines import get_engine
            from .ocr.reader import ScanReader

            self._reader = ScanReader(get_engine(self.engine_name))
        return self._reader
