"""Render jixiao's sample filings and write their expected records.

Run from the repository root:

    python sample_pdfs/make_samples.py

Every form is plain data (see SAMPLES at the bottom): pages made of text lines and ruled tables,
tables made of cells with row/column spans.  A small layout engine wraps the text (CJK and Latin,
measured with reportlab's stringWidth), sizes the rows and draws the result.  A cell whose text is
longer than what it shows ("cut-off") is written as ``Cell(shown, before=..., after=...)``: the
engine picks a font size near the table's base size that makes exactly ``shown`` visible and the
row height that hides the rest.

Visibility rule: a character is visible iff the centre of its glyph box (the box pdfminer and
pdfplumber report: advance width x font size, from baseline+descent) lies inside the cell's inner
box (the cell box inset by half the ruling width).  No glyph centre is allowed within 1pt of an
inner box edge, so the rule is never a close call.

A sample is rendered in one of two variants (the seed in both, the other templates as ``visible``):

* ``visible``: cut-off cells hold only the visible characters (the PDF has no hidden text);
* ``clipped``: cut-off cells hold their whole text, drawn inside a clip path equal to the cell's
  inner box, so a reader sees only part of it.

The seed form is defined here; the further templates (district 2026, central, provincial, a page
break, a 部门预算公开 document with forms at the end) are data in ``sample_forms.py``.  A
``Document`` puts several forms, or pages that are no form, into one PDF (one record per form).
``python sample_pdfs/make_samples.py district central`` renders only the stems with those prefixes.

For each PDF the script writes ``expected/<stem>.json`` (the canonical records, SPEC.md, without
``provenance``) and ``expected/<stem>.cells.json`` (every table cell's visible text), both derived
from the data and the geometry here, never from jixiao.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent
EXPECTED_DIR = HERE / "expected"
FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT = "WenQuanYiMicroHei"

PAGE_W, PAGE_H = A4
CONTENT_W = 535.0  # every table is this wide
PAGE_MARGIN_X = (PAGE_W - CONTENT_W) / 2
PAGE_MARGIN_TOP = 40.0
PAGE_MARGIN_BOTTOM = 30.0

PAD = 2.0  # text padding inside a cell's inner box
LEADING = 1.5  # line pitch, as a multiple of the font size
EDGE_MARGIN = 1.0  # no glyph centre may lie closer than this to an inner box edge
OVERFLOW = 0.5  # a one-line cut shows text this close to the inner edge on each cut side (not PAD)
SPARE = 1.0  # extra vertical room a complete cell gets beyond its padding
SIZE_RANGE = 0.15  # a cut-off cell's font size may differ this much (relative) from the base
SIZE_STEP = 0.01

# Line breaking (a plain subset of the Chinese rules): these may not start a line ...
NO_LINE_START = set("，。、；：？！）》〕」』】”’)]%")
# ... and these may not end one.
NO_LINE_END = set("（《〔「『【“‘([")
# Runs of these characters (numbers, dates, Latin words) are not broken across lines.
LATIN_RUN = re.compile(r"[A-Za-z0-9.\-%/+#]+")


# ---------------------------------------------------------------------------------------------
# Form data model
# ---------------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One table cell.  ``text`` is what it shows; ``before``/``after`` are hidden by the cut.

    Record mapping: ``key`` is one record path (or a list of paths that all get the cell's value,
    e.g. a merged 一级目标 cell); ``label`` is an inline label split off the value;
    ``para_keys`` maps the cell's paragraphs (split on "\\n") to (path, label) pairs instead.
    ``flags`` are extra expected flags (the ones geometry cannot tell, e.g. duplicated_text).
    ``unmapped``: a label cell that matches no SPEC key; the record carries an ``unmapped_label``
    flag (path "fields", detail the label).  ``continues``: the cell continues its key's value from
    the previous page (a row split by a page break); its text is appended to the value.
    """

    text: str = ""
    rs: int = 1
    cs: int = 1
    align: str = "left"  # left | center | right
    valign: str = "middle"  # top | middle
    nowrap: bool = False  # a single line that overflows sideways instead of wrapping
    before: str = ""
    after: str = ""
    key: str | list[str] | None = None
    label: str = ""
    para_keys: tuple[tuple[str, str], ...] = ()
    flags: tuple[str, ...] = ()
    checkbox: bool = False  # options marked □ (unticked) or ☑/■ (ticked)
    full_line: bool = False  # a complete cell whose last line is full: the layout checks it is
    unmapped: bool = False  # a label SPEC has no key for: expected as an unmapped_label flag
    continues: bool = False  # the rest of a value begun on the previous page (same key)

    @property
    def full(self) -> str:
        return self.before + self.text + self.after

    @property
    def is_cut(self) -> bool:
        return bool(self.before or self.after)


@dataclass
class Text:
    """A line of text outside the tables (titles, 金额单位 …)."""

    text: str
    size: float = 10.0
    align: str = "left"  # left | center | right
    gap: float = 6.0  # space above the line
    key: str | None = None
    label: str = ""
    indent: float = 0.0  # extra left offset of a left-aligned line (a paragraph's first line)


@dataclass
class Table:
    widths: list[float]  # base column widths; their sum is the table width
    rows: list[list[Cell]]  # HTML-like: a row lists only the cells that start in it
    size: float = 9.0  # base font size
    line_width: float = 0.6
    rules: str = "stroke"  # stroke: stroked lines; fill: thin filled rectangles
    min_row: float = 18.0
    gap: float = 8.0


@dataclass
class Form:
    meta: dict  # the record's "form" object ("type" defaults to "project"; give "department" here)
    pages: list[list[Text | Table]]


@dataclass
class Document:
    """A PDF with more than one form, or with pages that are not forms: its parts in page order.

    A part is a ``Form`` (one filing, its pages) or a plain list of pages that belong to no filing
    (narrative, budget tables).  A bare ``Form`` in SAMPLES is a document of that one form.
    """

    parts: list[Form | list[list[Text | Table]]]


# ---------------------------------------------------------------------------------------------
# Text measuring, wrapping and joining
# ---------------------------------------------------------------------------------------------


def register_font() -> None:
    if not FONT_FILE.exists():
        sys.exit(f"font {FONT_FILE} is missing: apt-get install fonts-wqy-microhei")
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))


def use_font(name: str, path: Path) -> None:
    """Lay out and draw with another font from now on (make_layouts.py varies it; the samples do not)."""
    global FONT, FONT_FILE
    FONT, FONT_FILE = name, path
    if name not in pdfmetrics.getRegisteredFontNames():
        register_font()


def use_page(size: tuple[float, float], content_w: float) -> None:
    """Lay out on another page size with tables ``content_w`` wide (make_layouts.py: A4 landscape)."""
    global PAGE_W, PAGE_H, CONTENT_W, PAGE_MARGIN_X
    PAGE_W, PAGE_H = size
    CONTENT_W = content_w
    PAGE_MARGIN_X = (PAGE_W - CONTENT_W) / 2


def advance(ch: str, size: float) -> float:
    return pdfmetrics.stringWidth(ch, FONT, size)


def descent() -> float:
    """The font's descent as a (negative) fraction of the font size, as written in the PDF."""
    return pdfmetrics.getFont(FONT).face.descent / 1000.0


@dataclass
class Line:
    chars: list[tuple[int, str, float]]  # (index in the cell's full text, char, x offset)
    width: float
    para: int


Token = list[tuple[int, str]]  # (index in the cell's full text, char), never split across lines


def tokenize(text: str, start: int) -> list[Token]:
    """Split a paragraph into unbreakable tokens: Latin runs, single spaces, single CJK chars."""
    tokens, i = [], 0
    while i < len(text):
        m = LATIN_RUN.match(text, i)
        end = m.end() if m else i + 1
        tokens.append([(start + j, text[j]) for j in range(i, end)])
        i = end
    return tokens


def tokens_width(tokens: list[Token], size: float) -> float:
    return sum(advance(ch, size) for tok in tokens for _, ch in tok)


def make_line(tokens: list[Token], size: float, para: int) -> Line:
    while tokens and tokens[-1][0][1] == " ":
        tokens = tokens[:-1]  # a line never ends with a space
    chars, x = [], 0.0
    for idx, ch in (c for tok in tokens for c in tok):
        chars.append((idx, ch, x))
        x += advance(ch, size)
    return Line(chars, x, para)


def wrap(full: str, size: float, width: float, nowrap: bool) -> list[Line]:
    """Greedy line breaking by glyph advances, with the NO_LINE_START/NO_LINE_END rules."""
    lines: list[Line] = []
    offset = 0
    for para_no, para in enumerate(full.split("\n")):
        current: list[Token] = []
        for tok in tokenize(para, offset):
            is_space = tok[0][1] == " "
            if is_space and not current:
                continue  # a line never starts with a space
            if nowrap or is_space or not current or tokens_width(current + [tok], size) <= width:
                current.append(tok)
                continue
            while current[-1][0][1] == " ":
                current.pop()
            carry: list[Token] = []
            while len(current) > 1 and (carry or [tok])[0][0][1] in NO_LINE_START:
                carry.insert(0, current.pop())
            while len(current) > 1 and current[-1][-1][1] in NO_LINE_END:
                carry.insert(0, current.pop())
            lines.append(make_line(current, size, para_no))
            current = carry + [tok]
        lines.append(make_line(current, size, para_no))
        offset += len(para) + 1
    return lines


def is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_lines(lines: list[str]) -> str:
    """SPEC rule: no space between two CJK characters, one space between two Latin words."""
    out = ""
    for text in lines:
        if out and text and is_latin(out[-1]) and is_latin(text[0]):
            out += " "
        out += text
    return out


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------


@dataclass
class Glyph:
    idx: int  # index in the cell's full text
    ch: str
    para: int
    line: int
    x0: float
    x1: float
    top: float  # page coordinates, y down from the top of the page
    bottom: float
    visible: bool = True

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2


@dataclass
class PlacedCell:
    cell: Cell
    row: int
    col: int
    size: float = 0.0
    lines: list[Line] = field(default_factory=list)
    bbox: tuple[float, float, float, float] = (0, 0, 0, 0)  # x0, top, x1, bottom
    inner: tuple[float, float, float, float] = (0, 0, 0, 0)
    glyphs: list[Glyph] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return any(not g.visible for g in self.glyphs)


@dataclass
class PlacedTable:
    table: Table
    cells: list[PlacedCell]
    xs: list[float]
    ys: list[float]


@dataclass
class PlacedText:
    item: Text
    x: float
    top: float


def place_grid(table: Table) -> list[PlacedCell]:
    """Assign each cell its (row, col) like an HTML table: skip slots taken by spans above."""
    taken: set[tuple[int, int]] = set()
    placed = []
    ncols = len(table.widths)
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            if c + cell.cs > ncols:
                raise ValueError(f"row {r}: cell {cell.text[:12]!r} overflows the table")
            taken.update((r + i, c + j) for i in range(cell.rs) for j in range(cell.cs))
            placed.append(PlacedCell(cell, r, c))
            c += cell.cs
    missing = {(r, c) for r in range(len(table.rows)) for c in range(ncols)} - taken
    if missing:
        raise ValueError(f"table slots not covered by any cell: {sorted(missing)}")
    return placed


def line_offsets(pc: PlacedCell) -> list[float]:
    """x offset of each line's start from the inner box's left edge."""
    inner_w = pc.inner[2] - pc.inner[0]
    if pc.cell.align == "center":
        return [(inner_w - ln.width) / 2 for ln in pc.lines]
    if pc.cell.align == "right":
        return [inner_w - PAD - ln.width for ln in pc.lines]
    return [PAD] * len(pc.lines)


def horizontal_visibility(pc: PlacedCell) -> set[int] | None:
    """For a single-line cell: indices whose glyph is inside (None if a glyph is too close)."""
    inner_w = pc.inner[2] - pc.inner[0]
    (line,) = pc.lines
    (x,) = line_offsets(pc)
    shown = set()
    edges: list[tuple[float, float]] = []  # visible glyphs' left and right, in order
    for idx, ch, off in line.chars:
        x0, x1 = x + off, x + off + advance(ch, pc.size)
        cx = (x0 + x1) / 2
        if min(abs(cx), abs(cx - inner_w)) < EDGE_MARGIN:
            return None
        if 0 < cx < inner_w:
            if x0 < 0 or x1 > inner_w:
                return None  # a visible glyph must not cross the ruling
            shown.add(idx)
            edges.append((x0, x1))
    # Overflowing text ignores the padding: on each cut side it shows text inside it.
    if edges and pc.cell.before and edges[0][0] > OVERFLOW:
        return None
    if edges and pc.cell.after and inner_w - edges[-1][1] > OVERFLOW:
        return None
    return shown


def wanted(cell: Cell) -> set[int]:
    start = len(cell.before)
    return {i for i in range(start, start + len(cell.text)) if cell.full[i] != "\n"}


def laid_out(lines: list[Line]) -> set[int]:
    return {idx for ln in lines for idx, _, _ in ln.chars}


def cut_lines(pc: PlacedCell) -> tuple[int, int] | None:
    """First and last visible line of a wrapped cut-off cell, if the cut falls between lines."""
    want = wanted(pc.cell)
    inside = [i for i, ln in enumerate(pc.lines) if {c[0] for c in ln.chars} <= want]
    if not inside or laid_out(pc.lines) & want != laid_out([pc.lines[i] for i in inside]):
        return None
    first, last = inside[0], inside[-1]
    if last - first + 1 != len(inside):
        return None
    n = len(pc.lines)
    if pc.cell.valign == "top" and first != 0:
        return None
    if pc.cell.valign == "middle" and first != n - 1 - last:
        return None  # centred text overflows both ends by the same number of lines
    if last == n - 1 and first == 0:
        return None
    return first, last


def fit_cell(pc: PlacedCell, base: float) -> None:
    """Choose the font size and wrap the text; cut-off cells search for a size that cuts right."""
    cell = pc.cell
    width = pc.inner[2] - pc.inner[0] - 2 * PAD
    if not cell.is_cut:
        pc.size = base
        pc.lines = wrap(cell.full, base, width, cell.nowrap)
        too_wide = [ln for ln in pc.lines if ln.width > width]
        if too_wide:
            raise ValueError(f"complete cell {cell.text!r} does not fit its column")
        if cell.full_line and pc.lines[-1].width + advance("国", base) <= width:
            raise ValueError(f"the last line of {cell.text!r} is not full: {width - pc.lines[-1].width:.1f}pt free")
        return
    steps = round(base * SIZE_RANGE / SIZE_STEP)
    for k in sorted(range(-steps, steps + 1), key=lambda k: (abs(k), k)):
        pc.size = round(base + k * SIZE_STEP, 2)
        pc.lines = wrap(cell.full, pc.size, width, cell.nowrap)
        if cell.nowrap:
            if horizontal_visibility(pc) == wanted(cell):
                return
        elif cut_lines(pc):
            return
    raise ValueError(f"no font size near {base} cuts {cell.text!r} as asked; change the layout")


def height_bounds(pc: PlacedCell) -> tuple[float, float, float]:
    """Bounds on the cell's inner height: (needed, ideal maximum, hard maximum).

    A complete cell needs its lines plus padding.  A cut-off cell needs its visible lines fully
    inside; ideally the edge falls before the first hidden line's glyph box starts (so the clipped
    variant shows no sliver of it), and it must fall before that line's glyph centre.
    """
    s, pitch, n = pc.size, pc.size * LEADING, len(pc.lines)
    block = (n - 1) * pitch + s
    cut = None if pc.cell.nowrap or not pc.cell.is_cut else cut_lines(pc)
    if cut is None:
        return block + 2 * PAD + SPARE, float("inf"), float("inf")
    first, last = cut
    if pc.cell.valign == "top":
        shown = PAD + last * pitch + s
        return shown, shown + pitch - s, shown + pitch - s / 2 - EDGE_MARGIN
    shown = 2 * ((last - first) / 2 * pitch + s / 2)
    return shown, shown + 2 * (pitch - s), shown + 2 * (pitch - s / 2 - EDGE_MARGIN)


def layout_table(table: Table, x0: float, top: float) -> PlacedTable:
    cells = place_grid(table)
    lw = table.line_width
    xs = [x0]
    for w in table.widths:
        xs.append(xs[-1] + w)
    for pc in cells:
        left, right = xs[pc.col] + lw / 2, xs[pc.col + pc.cell.cs] - lw / 2
        pc.inner = (left, 0.0, right, 0.0)
        fit_cell(pc, table.size)

    heights, caps = [], []
    for r in range(len(table.rows)):
        bounds = [height_bounds(pc) for pc in cells if pc.row == r and pc.cell.rs == 1]
        low = max(b[0] for b in bounds)
        ideal, cap = min(b[1] for b in bounds), min(b[2] for b in bounds)
        if cap == float("inf"):
            height = max(low, table.min_row - lw)
        else:  # the cut edge halfway between the last shown line and the first hidden one
            cut_low = max(b[0] for b in bounds if b[2] < float("inf"))
            height = max(low, (cut_low + ideal) / 2)
            if height >= cap:
                raise ValueError(f"row {r}: no height satisfies its cells; change the layout")
        heights.append(height + lw)
        caps.append(cap)
    for pc in (pc for pc in cells if pc.cell.rs > 1):  # merged cells may need more than their rows give
        rows = range(pc.row, pc.row + pc.cell.rs)
        need = height_bounds(pc)[0] + lw - sum(heights[r] for r in rows)
        free = [r for r in rows if caps[r] == float("inf")]
        if need > 0:
            if not free:
                raise ValueError(f"merged cell {pc.cell.text!r} cannot grow")
            for r in free:
                heights[r] += need / len(free)
    ys = [top]
    for h in heights:
        ys.append(ys[-1] + h)

    for pc in cells:
        pc.bbox = (xs[pc.col], ys[pc.row], xs[pc.col + pc.cell.cs], ys[pc.row + pc.cell.rs])
        pc.inner = (pc.bbox[0] + lw / 2, pc.bbox[1] + lw / 2, pc.bbox[2] - lw / 2, pc.bbox[3] - lw / 2)
        place_glyphs(pc)
        check_cell(pc)
    return PlacedTable(table, cells, xs, ys)


def place_glyphs(pc: PlacedCell) -> None:
    s, pitch = pc.size, pc.size * LEADING
    block = (len(pc.lines) - 1) * pitch + s
    ix0, itop, ix1, ibottom = pc.inner
    if pc.cell.valign == "top":
        first_top = itop + PAD
    else:
        first_top = (itop + ibottom) / 2 - block / 2
    pc.glyphs = []
    for n, (line, x) in enumerate(zip(pc.lines, line_offsets(pc))):
        top = first_top + n * pitch
        for idx, ch, off in line.chars:
            g = Glyph(idx, ch, line.para, n, ix0 + x + off, ix0 + x + off + advance(ch, s), top, top + s)
            cx, cy = g.centre
            g.visible = ix0 < cx < ix1 and itop < cy < ibottom
            pc.glyphs.append(g)


def check_cell(pc: PlacedCell) -> None:
    """The layout guarantees: no close calls, exactly the asked text visible, nothing crossing."""
    ix0, itop, ix1, ibottom = pc.inner
    for g in pc.glyphs:
        cx, cy = g.centre
        if min(abs(cx - ix0), abs(cx - ix1), abs(cy - itop), abs(cy - ibottom)) < EDGE_MARGIN:
            raise AssertionError(f"glyph {g.ch!r} of {pc.cell.text!r} is within 1pt of an edge")
        if g.visible and (g.x0 < ix0 or g.x1 > ix1 or g.top < itop or g.bottom > ibottom):
            raise AssertionError(f"visible glyph {g.ch!r} of {pc.cell.text!r} crosses a ruling")
    shown = {g.idx for g in pc.glyphs if g.visible}
    if shown != wanted(pc.cell) & laid_out(pc.lines):
        raise AssertionError(f"cell {pc.cell.text!r} shows {visible_text(pc)!r}")


def layout_page(items: list[Text | Table]) -> list[PlacedText | PlacedTable]:
    placed: list[PlacedText | PlacedTable] = []
    y = PAGE_MARGIN_TOP
    for item in items:
        y += item.gap
        if isinstance(item, Table):
            if abs(sum(item.widths) - CONTENT_W) > 0.01:
                raise ValueError(f"table is {sum(item.widths)}pt wide, not {CONTENT_W}")
            pt = layout_table(item, PAGE_MARGIN_X, y)
            y = pt.ys[-1]
            placed.append(pt)
        else:
            w = sum(advance(ch, item.size) for ch in item.text)
            x = {"left": PAGE_MARGIN_X, "center": (PAGE_W - w) / 2, "right": PAGE_W - PAGE_MARGIN_X - w}[item.align]
            if item.indent:
                x += item.indent
            placed.append(PlacedText(item, x, y))
            y += item.size
    if y > PAGE_H - PAGE_MARGIN_BOTTOM:
        raise ValueError(f"page content ends at {y:.1f}pt, below the bottom margin")
    return placed


def paragraph(text: str, size: float = 10.5, indent: float = 2.0, gap: float = 5.0) -> list[Text]:
    """Running text (outside tables) wrapped to the content width, as one ``Text`` per line.

    The first line is indented by ``indent`` characters; lines are ``LEADING`` x size apart.
    """
    lines: list[Text] = []
    rest, first = text, True
    while rest:
        shift = indent * size if first else 0.0
        line = wrap(rest, size, CONTENT_W - shift, False)[0]
        n = line.chars[-1][0] + 1
        lines.append(Text(rest[:n], size=size, gap=gap if first else size * (LEADING - 1), indent=shift))
        rest, first = rest[n:].lstrip(" "), False
    return lines


def item_height(item: Text | Table) -> float:
    if isinstance(item, Table):
        return item.gap + layout_table(item, PAGE_MARGIN_X, 0.0).ys[-1]
    return item.gap + item.size


def flow(chunks: list[list[Text | Table] | None], footer: str = "", first_number: int = 1) -> list[list[Text | Table]]:
    """Fill pages top to bottom with chunks (items kept together); ``None`` starts a new page.

    ``footer`` (``"- {n} -"``) is centred at the foot of every page, numbered from ``first_number``.
    """
    footer_size = 9.0
    bottom = PAGE_H - PAGE_MARGIN_BOTTOM - (footer_size + 8 if footer else 0)
    pages: list[list[Text | Table]] = []
    page: list[Text | Table] = []
    y = PAGE_MARGIN_TOP

    def close() -> None:
        if footer:
            gap = PAGE_H - PAGE_MARGIN_BOTTOM - footer_size - y
            page.append(Text(footer.format(n=first_number + len(pages)), size=footer_size, align="center", gap=gap))
        pages.append(page)

    for chunk in chunks:
        if chunk is None or (page and y + sum(item_height(i) for i in chunk) > bottom):
            if page:
                close()
            page, y = [], PAGE_MARGIN_TOP
        if chunk:
            page += chunk
            y += sum(item_height(i) for i in chunk)
            if y > bottom:
                raise ValueError(f"a chunk starting {chunk[0]!r:.40} does not fit on one page")
    if page:
        close()
    return pages


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------


def baseline(top: float, size: float) -> float:
    """PDF y of the baseline for a glyph box whose top is at ``top`` (page coordinates)."""
    return PAGE_H - (top + size * (1 + descent()))


def rulings(pt: PlacedTable) -> list[tuple[str, int, int, int]]:
    """Maximal ruling segments: (h|v, grid line, first, last+1) in grid units."""
    units: set[tuple[str, int, int]] = set()
    for pc in pt.cells:
        r0, r1, c0, c1 = pc.row, pc.row + pc.cell.rs, pc.col, pc.col + pc.cell.cs
        units |= {("h", r, c) for r in (r0, r1) for c in range(c0, c1)}
        units |= {("v", c, r) for c in (c0, c1) for r in range(r0, r1)}
    segments = []
    for kind, line, pos in sorted(units):
        last = segments[-1] if segments else None
        if last and last[:2] == (kind, line) and last[3] == pos:
            segments[-1] = (kind, line, last[2], pos + 1)
        else:
            segments.append((kind, line, pos, pos + 1))
    used_x = {s[1] for s in segments if s[0] == "v"}
    used_y = {s[1] for s in segments if s[0] == "h"}
    if used_x != set(range(len(pt.xs))) or used_y != set(range(len(pt.ys))):
        raise ValueError("a grid line bounds no cell: the extractor could not see that column")
    return segments


def draw_rulings(c: canvas.Canvas, pt: PlacedTable) -> None:
    lw = pt.table.line_width
    for kind, line, a, b in rulings(pt):
        if kind == "h":
            x0, x1, y0, y1 = pt.xs[a], pt.xs[b], pt.ys[line], pt.ys[line]
        else:
            x0, x1, y0, y1 = pt.xs[line], pt.xs[line], pt.ys[a], pt.ys[b]
        if pt.table.rules == "stroke":
            c.line(x0, PAGE_H - y0, x1, PAGE_H - y1)
        else:  # a filled rectangle lw thick, reaching over the crossing rulings
            c.rect(x0 - lw / 2, PAGE_H - y1 - lw / 2, x1 - x0 + lw, y1 - y0 + lw, stroke=0, fill=1)


def draw_cell(c: canvas.Canvas, pc: PlacedCell, variant: str) -> None:
    clip = variant == "clipped" and pc.hidden
    if clip:
        c.saveState()
        ix0, itop, ix1, ibottom = pc.inner
        path = c.beginPath()
        path.rect(ix0, PAGE_H - ibottom, ix1 - ix0, ibottom - itop)
        c.clipPath(path, stroke=0, fill=0)
    c.setFont(FONT, pc.size)
    for n in range(len(pc.lines)):
        glyphs = [g for g in pc.glyphs if g.line == n and (clip or g.visible)]
        if glyphs:
            text = "".join(g.ch for g in glyphs)
            c.drawString(glyphs[0].x0, baseline(glyphs[0].top, pc.size), text)
    if clip:
        c.restoreState()


def render(pages: list[list[PlacedText | PlacedTable]], variant: str, path: Path) -> bytes:
    c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1)
    c.setTitle(path.stem)
    for page in pages:
        for item in page:
            if isinstance(item, PlacedText):
                c.setFont(FONT, item.item.size)
                c.drawString(item.x, baseline(item.top, item.item.size), item.item.text)
            else:
                c.setLineWidth(item.table.line_width)
                draw_rulings(c, item)
                for pc in item.cells:
                    draw_cell(c, pc, variant)
        c.showPage()
    c.save()
    return path.read_bytes()


# ---------------------------------------------------------------------------------------------
# Expected records
# ---------------------------------------------------------------------------------------------

# Key order of the record's objects, as in SPEC.md
FIELD_ORDER = (
    "reporting_unit project_name parent_project project_category project_nature supervising_dept implementing_unit "
    "project_leader contact_person contact_phone start_date end_date period overview basis necessity feasibility "
    "resources overall_goal annual_goal composition other_notes department functions annual_tasks"
).split()
FUNDING_ORDER = (
    "total total_fiscal total_other annual annual_fiscal annual_fiscal_superior annual_fiscal_local "
    "annual_fiscal_subordinate annual_carryover annual_other basic_expense project_expense"
).split()
INDICATOR_ORDER = (
    "level1 level2 level3 level1_code level2_code target target_op target_value target_unit remark targets".split()
)
COST_ORDER = "project activity detail amount unit_price price_basis quantity quantity_basis remark".split()
SAFEGUARD_ORDER = "system document measures stage_planning stage_implementation stage_closing".split()
LEVEL1_CODES = {
    "产出目标": "output",
    "产出指标": "output",
    "效果目标": "outcome",
    "效益指标": "outcome",
    "满意度指标": "satisfaction",
    "成本指标": "cost",
    # with the score ranges printed in the cell (Chongqing 审批表)
    "成本指标（0-20）分": "cost",
    "产出指标（40-50）分": "output",
    "效益指标（20-30）分": "outcome",
    "满意度指标（0-10）分": "satisfaction",
}
LEVEL2_CODES = {
    "数量": "quantity",
    "质量": "quality",
    "时效": "timeliness",
    "成本": "cost",
    "经济效益": "economic",
    "社会效益影响": "social",
    "社会效益": "social",
    "生态效益": "ecological",
    "可持续影响": "sustainability",
    "满意度": "satisfaction",
    "数量指标": "quantity",
    "质量指标": "quality",
    "时效指标": "timeliness",
    "成本指标": "cost",
    "经济成本指标": "cost",
    "社会成本指标": "cost",
    "生态环境成本指标": "cost",
    "经济效益指标": "economic",
    "社会效益指标": "social",
    "生态效益指标": "ecological",
    "可持续影响指标": "sustainability",
    "服务对象满意度指标": "satisfaction",
    "社会公众或服务对象满意度指标": "satisfaction",
}
MONEY_PATHS = re.compile(r"^(funding\.\w+|cost_items\[\d+\]\.(amount|unit_price)|cost_total)$")
TARGET = re.compile(r"^(≥|≤|>|<|=)?\s*(\d+(?:\.\d+)?)\s*(\S+)?$")
UNIT_IN_BRACKETS = re.compile(r"^[(（](.+)[)）]$")  # "=100.00(%)": the unit is "%"
DATE_PATHS = ("fields.start_date", "fields.end_date")
DATE = re.compile(r"^(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?$")
UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10000), None: Decimal(1)}
BRACKETS = {"》": "《", "）": "（", "〕": "〔", "]": "["}
TICKED, UNTICKED = "☑■", "□"


def visible_text(pc: PlacedCell, para: int | None = None) -> str:
    return glyph_text([g for g in pc.glyphs if g.visible and para in (None, g.para)])


def glyph_text(glyphs: list[Glyph]) -> str:
    lines: dict[int, str] = {}
    for g in glyphs:
        lines[g.line] = lines.get(g.line, "") + g.ch
    return join_lines([lines[n] for n in sorted(lines)])


def balanced(text: str) -> bool:
    stack = []
    for ch in text:
        if ch in BRACKETS.values():
            stack.append(ch)
        elif ch in BRACKETS:
            if not stack or stack.pop() != BRACKETS[ch]:
                return False
    return not stack


def money(text: str, factor: Decimal = Decimal(1)) -> str:
    """An amount as printed (``771,325,800.00``, ``3,600.00`` 万元 with factor 10000) in 元, two places.

    A unit printed in the cell (``10000万元``) is dropped: the form's unit (the factor) says what it is.
    """
    if not text.strip():
        return ""  # a present but empty amount cell
    text = re.sub(r"\s*万?元$", "", text.strip())
    return str((Decimal(text.replace(",", "")) * factor).quantize(Decimal("0.01")))


def iso_date(text: str) -> str:
    """``2026年1月1日``, ``2026/1/1``, ``2026-01-01`` -> ``2026-01-01``."""
    m = DATE.match(text)
    if not m:
        raise ValueError(f"not a date: {text!r}")
    return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"


def sum_mismatches(funding: dict) -> set[str]:
    """Funding paths whose parts do not add up (the SPEC's sum_mismatch rules)."""
    amounts = {k: Decimal(v) for k, v in funding.items() if v}
    rules = [
        ("total", ["total_fiscal", "total_other"]),
        ("annual_fiscal", ["annual_fiscal_superior", "annual_fiscal_local", "annual_fiscal_subordinate"]),
    ]
    if "annual_fiscal" in amounts:
        rules.append(("annual", ["annual_fiscal", "annual_carryover", "annual_other"]))
    else:
        fiscal_parts = ["annual_fiscal_superior", "annual_fiscal_local", "annual_fiscal_subordinate"]
        rules.append(("annual", fiscal_parts + ["annual_carryover", "annual_other"]))
    bad = set()
    for whole, parts in rules:
        present = [amounts[p] for p in parts if p in amounts]
        if whole in amounts and len(present) >= 2 and sum(present) != amounts[whole]:
            bad.add(f"funding.{whole}")
    return bad


def checkbox_value(text: str) -> tuple[str, bool]:
    """(the ticked option, whether exactly one is ticked).

    Marks before the options ("□新增项目 ■延续项目") or, where the text does not start with a mark,
    after them ("新增项目□延续项目√": √ ticks the option before it).
    """
    if text.strip()[:1] in TICKED + UNTICKED:
        options = re.findall(f"([{TICKED}{UNTICKED}])\\s*([^{TICKED}{UNTICKED}]+)", text)
    else:
        options = [(mark, opt) for opt, mark in re.findall(f"([^{TICKED}{UNTICKED}√]+)([{TICKED}{UNTICKED}√])", text)]
    ticked = [opt.strip() for mark, opt in options if mark in TICKED + "√"]
    return (ticked[0] if len(ticked) == 1 else ""), len(ticked) == 1


@dataclass
class Value:
    path: str
    text: str
    page: int
    glyphs: list[Glyph]  # the value's glyphs, visible and hidden (empty outside tables)
    flags: tuple[str, ...] = ()
    continues: bool = False


def strip_label(text: str, label: str) -> str:
    if label:
        if not text.startswith(label):
            raise AssertionError(f"{text!r} does not start with its label {label!r}")
        text = text[len(label) :]
    return text


def values(pages: list[list[PlacedText | PlacedTable]], first_page: int = 1) -> list[Value]:
    """Every keyed cell or line as record values (visible text, labels split off)."""
    out = []
    for page_no, page in enumerate(pages, first_page):
        for item in page:
            if isinstance(item, PlacedText):
                if item.item.key:
                    text = strip_label(item.item.text, item.item.label)
                    out.append(Value(item.item.key, text, page_no, []))
                continue
            for pc in item.cells:
                cell = pc.cell
                if cell.para_keys:
                    for para, (path, label) in enumerate(cell.para_keys):
                        text = strip_label(visible_text(pc, para), label)
                        glyphs = [g for g in pc.glyphs if g.para == para]
                        out.append(Value(path, text, page_no, glyphs, cell.flags))
                elif cell.key:
                    text = strip_label(visible_text(pc), cell.label)
                    for path in [cell.key] if isinstance(cell.key, str) else cell.key:
                        out.append(Value(path, text, page_no, pc.glyphs, cell.flags, cell.continues))
    return out


def value_flags(v: Value, variant: str, checkbox: bool) -> list[dict]:
    flags = [{"code": code, "path": v.path, "page": v.page} for code in v.flags]
    shown = [g.idx for g in v.glyphs if g.visible]
    head = [g for g in v.glyphs if shown and g.idx < min(shown) and not g.visible]
    tail = [g for g in v.glyphs if shown and g.idx > max(shown) and not g.visible]
    codes = []
    if head:
        codes.append("truncated_head")
    if tail:
        codes.append("truncated_tail")
    if not balanced(v.text):
        codes.append("unbalanced_brackets")
    if checkbox and not checkbox_value(v.text)[1]:
        codes.append("ambiguous_checkbox")
    flags += [{"code": code, "path": v.path, "page": v.page} for code in codes]
    if variant == "clipped" and (head or tail):
        detail = " … ".join(glyph_text(part) for part in (head, tail) if part)
        flags.append({"code": "clipped_text", "path": v.path, "page": v.page, "detail": detail})
    return flags


def get_path(record: dict, path: str) -> object:
    """The value at ``path`` (as set_path writes it), or None."""
    m = re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)(?:\.(.+))?", path)
    if m:
        items = record.get(m[1], [])
        item = items[int(m[2])] if int(m[2]) < len(items) else {}
        return item.get(m[3], {}).get(m[4]) if m[4] else item.get(m[3])
    group, _, key = path.partition(".")
    return record.get(group, {}).get(key) if key else record.get(path)


def set_path(record: dict, path: str, value: object) -> None:
    # "indicators[3].targets.年度指标值": one value column of a multi-column indicator (its header as printed)
    m = re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)(?:\.(.+))?", path)
    if m:
        items = record.setdefault(m[1], [])
        while len(items) <= int(m[2]):
            items.append({})
        if m[4]:
            items[int(m[2])].setdefault(m[3], {})[m[4]] = value
        else:
            items[int(m[2])][m[3]] = value
    elif "." in path:
        group, key = path.split(".")
        record.setdefault(group, {})[key] = value
    else:
        record[path] = value


def ordered(d: dict, order: list[str]) -> dict:
    unknown = set(d) - set(order)
    if unknown:
        raise ValueError(f"keys outside the SPEC: {sorted(unknown)}")
    return {k: d[k] for k in order if k in d}


def indicator(ind: dict) -> dict:
    m = TARGET.match(ind["target"])
    ind["level1_code"] = LEVEL1_CODES[ind["level1"]]
    ind["level2_code"] = LEVEL2_CODES.get(ind["level2"], "other")
    ind["target_op"] = (m[1] or "=") if m else None
    ind["target_value"] = m[2] if m else None
    unit = m[3] if m else None
    if unit and UNIT_IN_BRACKETS.match(unit):
        unit = UNIT_IN_BRACKETS.match(unit)[1]
    ind["target_unit"] = unit
    ind.setdefault("remark", None)  # a table without a 备注 column: every indicator has the same keys
    return ordered(ind, INDICATOR_ORDER)


def unmapped_flags(pages: list, first_page: int) -> list[dict]:
    """An unmapped_label flag for every label cell marked ``unmapped`` (detail: the label)."""
    return [
        {"code": "unmapped_label", "path": "fields", "page": page_no, "detail": visible_text(pc)}
        for page_no, page in enumerate(pages, first_page)
        for item in page
        if isinstance(item, PlacedTable)
        for pc in item.cells
        if pc.cell.unmapped
    ]


def build_record(form: Form, pages: list, variant: str, pdf: Path, sha: str, n: int = 1, first_page: int = 1) -> dict:
    """The record of the ``n``-th filing of the PDF, whose ``pages`` start at page ``first_page``."""
    checkbox_paths = {
        pc.cell.key
        for page in pages
        for item in page
        if isinstance(item, PlacedTable)
        for pc in item.cells
        if pc.cell.checkbox
    }
    data: dict = {}
    flags = []
    factor = UNIT_FACTORS[form.meta["amount_unit_original"]]
    for v in values(pages, first_page):
        text = v.text
        if v.continues:
            text = join_lines([get_path(data, v.path) or "", text])
        if MONEY_PATHS.match(v.path):
            text = money(text, factor)
        elif v.path in DATE_PATHS:
            text = iso_date(text)
        elif v.path in checkbox_paths:
            text = checkbox_value(text)[0]
        elif v.path.split(".")[-1].startswith("stage_"):
            text = "√" in text
        set_path(data, v.path, text)
        flags += value_flags(v, variant, v.path in checkbox_paths)
    flags += unmapped_flags(pages, first_page)
    declared = {f["path"] for f in flags if f["code"] == "sum_mismatch"}
    if declared != sum_mismatches(data.get("funding", {})):
        raise AssertionError(f"sum_mismatch declared on {declared}, the amounts say {sum_mismatches(data['funding'])}")
    record = {
        "schema_version": "1",
        "filing_id": f"{sha[:12]}-{n}",
        "source": {
            "file": pdf.name,
            "sha256": sha,
            "pages": list(range(first_page, first_page + len(pages))),
            "kind": "digital",
        },
        "form": {"type": "project", **form.meta},
        "fields": ordered(data.get("fields", {}), FIELD_ORDER),
        "funding": ordered(data.get("funding", {}), FUNDING_ORDER),
        "indicators": [indicator(i) for i in data.get("indicators", [])],
        "cost_items": [ordered(i, COST_ORDER) for i in data.get("cost_items", [])],
        "cost_total": data.get("cost_total"),
        "safeguards": [ordered(i, SAFEGUARD_ORDER) for i in data.get("safeguards", [])],
        "flags": sorted(flags, key=lambda f: (f["path"], f["code"])),
    }
    return record


def cells_record(pages: list[list[PlacedText | PlacedTable]], pdf: Path) -> dict:
    out = []
    for page_no, page in enumerate(pages, 1):
        tables = []
        for item in page:
            if isinstance(item, PlacedTable):
                tables.append(
                    {
                        "bbox": [round(v, 2) for v in (item.xs[0], item.ys[0], item.xs[-1], item.ys[-1])],
                        "cols": [round(x, 2) for x in item.xs],
                        "rows": [round(y, 2) for y in item.ys],
                        "cells": [
                            {
                                "row": pc.row,
                                "col": pc.col,
                                "rowspan": pc.cell.rs,
                                "colspan": pc.cell.cs,
                                "text": visible_text(pc),
                            }
                            for pc in item.cells
                        ],
                    }
                )
        out.append({"page": page_no, "tables": tables})
    return {"file": pdf.name, "pages": out}


# ---------------------------------------------------------------------------------------------
# Form data: the 2020 Minhang 区长质量奖工作经费 filing (shared/reference/seed_form_2020_minhang)
# ---------------------------------------------------------------------------------------------

DOC_32 = "《上海市闵行区区长质量奖管理办法》（闵府发〔2015〕32号）"
REMARK_2020 = "项目2020年实施目标"


def centred(text: str, **kw) -> Cell:
    """A centred cell: labels and short values."""
    return Cell(text, align="center", **kw)


def wide(text: str, key: str, **kw) -> Cell:
    """A narrative cell spanning the value columns of sheet 1."""
    return Cell(text, cs=5, valign="top", key=key, **kw)


def funding_row(text: str, amount: str, key: str, align: str = "center") -> list[Cell]:
    return [Cell(text, cs=2), Cell(amount, cs=3, align=align, key=key)]


def indicator_cells(i: int, level3: Cell, target: str, remark: str) -> list[Cell]:
    level3.key = f"indicators[{i}].level3"
    return [
        level3,
        Cell(target, align="center", key=f"indicators[{i}].target"),
        Cell(remark, cs=6, key=f"indicators[{i}].remark"),
    ]


def cost_row(i: int, activity: str, detail: str, amount: str) -> list[Cell]:
    keyed = [
        ("activity", activity),
        ("detail", detail),
        ("amount", amount),
        ("unit_price", amount),
        ("price_basis", ""),
        ("quantity", "1.00"),
        ("quantity_basis", ""),
        ("remark", "年度项目"),
    ]
    project = Cell(
        "长质量奖工作经", cs=2, before="区", after="费", align="center", nowrap=True, key=f"cost_items[{i}].project"
    )
    return [project] + [Cell(text, align="center", key=f"cost_items[{i}].{name}") for name, text in keyed]


def safeguard_row(i: int, system: str, document: Cell, measures: Cell) -> list[Cell]:
    document.key, measures.key = f"safeguards[{i}].document", f"safeguards[{i}].measures"
    stages = [
        ("stage_planning", "立项和计划阶段 √"),
        ("stage_implementation", "实施阶段 √"),
        ("stage_closing", "收尾和完成阶段 √"),
    ]
    return [centred(system, key=f"safeguards[{i}].system"), document, measures] + [
        centred(text, key=f"safeguards[{i}].{name}") for name, text in stages
    ]


def top(text: str, **kw) -> Cell:
    """A narrative cell: text from the top left."""
    return Cell(text, valign="top", **kw)


SHEET1 = [
    Text("财政项目支出绩效目标申报表（项目总体情况）", size=16, align="center", gap=0),
    Text("（2020年）", size=11, align="center"),
    Text("填报单位（盖章）：", key="fields.reporting_unit", label="填报单位（盖章）："),
    Text("金额单位：元", align="right", gap=4),
    Table(
        widths=[161, 68, 68, 68, 82, 88],
        line_width=0.8,
        rows=[
            [centred("项目名称"), Cell("区长质量奖工作经费", cs=5, key="fields.project_name")],
            [
                centred("项目类别"),
                Cell("□一次性项目 □经常性项目 □中期预算试点项目", cs=5, key="fields.project_category", checkbox=True),
            ],
            [
                centred("项目负责人："),
                centred("顾爱民", key="fields.project_leader"),
                centred("联系人："),
                centred("顾爱民", key="fields.contact_person"),
                centred("联系电话："),
                centred("64982846", key="fields.contact_phone"),
            ],
            [
                centred("起始日期："),
                centred("2020-01-01", key="fields.start_date"),
                centred("结束日期："),
                centred("2020-12-31", key="fields.end_date"),
                Cell(cs=2),
            ],
            [
                centred("项目概况"),
                wide(
                    "根据国务院《质量发展纲要（2011-2020年）》、《上海市质量发展规划（2011-2020）》"
                    "和《上海市政府质量奖管理办法》等文件规定，2015年12月，闵行区政府发布"
                    + DOC_32
                    + "，2015年12月，闵行区政府发布"
                    + DOC_32
                    + "，设立闵行区区长质量奖"
                    "励制度。为做好区长质量奖的发掘 培育 评审 表彰工作 特设立此项目预算",
                    after="390000.00元，按年度安排，保障各项工作有序开展。",
                    key="fields.overview",
                    flags=("duplicated_text",),
                ),
            ],
            [
                centred("项目立项情况", rs=2),
                wide(
                    "依据：《上海市质量发展规划（2011-2020）》 《上海市政府质量奖管理办法》 "
                    + DOC_32
                    + " 《关于完善闵行区区长质量奖管理办法的补充通知》"
                    "（闵市监〔2018〕109号）",
                    key="fields.basis",
                    label="依据：",
                ),
            ],
            [
                wide(
                    "必要性：" + DOC_32 + "是根据《上海市质量发展规划（2011-2020）》和《上海市政府质量"
                    "奖管理办法》等文件，同时结合本区实际制定的。同时，该项目主要为卓越绩效孵化经费、"
                    "区长质量奖评审经费以及评选出以后的表彰工作经费，该三项经费是项目前期发动、培育、"
                    "推荐、申报、资格评审、资料评审、现场评审、综合评价、评审委审定、社会公示、区政府"
                    "通过、表彰、宣传推广等工作环节高效可行\n"
                    "可行性：结合近年区长质量奖工作经验，实施卓越绩效管理模式的前期发掘、孵化、培育是"
                    "工作的重心和关键，过程中的资格申报、专家评审、综合评价、评委评定、社会公示以及"
                    "结果表彰宣传是工作的必要环节，通过发动各成员单位和街镇共同做好培育工作，为企业"
                    "提升质量管理水平出谋划策，通过邀请专家评委开展各项评审工作，为区长质量奖的评定"
                    "严格把关，真正使区长质量奖成为树立质量标杆、引领区域质量水平的旗帜。因此项目实施"
                    "目标较",
                    after="为明确，具备实施条件。",
                    key=None,
                    para_keys=(("fields.necessity", "必要性："), ("fields.feasibility", "可行性：")),
                )
            ],
            [
                centred("项目资金", rs=7),
                Cell("一、项目总预算：390000", cs=5, key="funding.total", label="一、项目总预算："),
            ],
            funding_row("二、当年预算：", "390000", "funding.annual"),
            funding_row("(一) 财政拨款：", "390000", "funding.annual_fiscal"),
            funding_row("1. 上级财政拨款：", "0", "funding.annual_fiscal_superior"),
            funding_row("2. 本级财政安排：", "390000", "funding.annual_fiscal_local"),
            funding_row("3. 下级财政配套：", "0", "funding.annual_fiscal_subordinate"),
            funding_row("(二) 其他资金：", "0", "funding.annual_other"),
            [
                centred("项目相关资源投入和制度建设情况"),
                Cell(
                    "中，针对各街镇和成员单位推荐的企业，筛选基础好、意识强、符合申报要求的企业开展前期",
                    cs=5,
                    key="fields.resources",
                    before="区市场监管局会同区质量工作领导小组各成员单位建立区长质量奖企业培育库，在日常工作",
                    after="孵化培育，并组织专家开展自评和现场辅导。",
                ),
            ],
            [
                centred("项目总目标"),
                wide(
                    "进一步推进质量强区战略，提高闵行区质量总体水平，表彰在质量管理、经营绩效方面取得"
                    "突出成效的组织和个人，引导和激励区内各类组织建立和实施卓越绩效管理模式，增强我区",
                    after="企业核心竞争力和品牌影响力。",
                    key="fields.overall_goal",
                ),
            ],
            [
                centred("年度绩效目标"),
                wide(
                    "完成2020年度闵行区区长质量奖的评审工作（资格评审、资料评审、现场评审、综合评价、"
                    "评审委审定等工作）；做好对获奖组织或个人的表彰和宣传工作；力争孵化10家企业，为",
                    after="2021年度区长质量奖评选储备后备力量。",
                    key="fields.annual_goal",
                ),
            ],
            [centred("需要说明的其他问题"), wide("无", key="fields.other_notes")],
        ],
    ),
]

SHEET2 = [
    Text("财政项目支出绩效目标申报表（绩效目标）", size=16, align="center", gap=0),
    Text("（2020年）", size=11, align="center"),
    Text("附件1-2", align="right", gap=4),
    Text("项目名称：区长质量奖工作经费", gap=4),
    Text("金额单位：元", align="right", gap=4),
    Table(
        widths=[24, 24, 42, 59.3, 68, 58, 58, 26, 34, 26, 115.7],
        rules="fill",
        rows=[
            [
                centred("项目构成"),
                top(
                    "本项目由2个主体活动（作业、任务）和对应的3个明细构成，分别为：①区长质量奖专家评审"
                    "—区长质量奖评审26万元，用于资格评审、资料评审、现场评审、综合评价和评审委审定等"
                    "环节的专家评审费用；②区长质量奖日常工作—卓越绩效孵化10",
                    cs=10,
                    after="万元、工作经费3万元，用于企业孵化培育和日常工作开展。",
                    key="fields.composition",
                ),
            ],
            [
                centred("绩效目标", rs=7),
                centred("一级目标"),
                centred("二级目标"),
                centred("三级目标"),
                centred("目标值"),
                centred("备注", cs=6),
            ],
            [
                centred("产出目标", rs=3, key=[f"indicators[{i}].level1" for i in range(3)]),
                centred("数量", key="indicators[0].level2"),
                *indicator_cells(0, centred("孵化培育落实"), "100%", "项目2020年实施目标：孵化10家企业"),
            ],
            [
                centred("质量", key="indicators[1].level2"),
                *indicator_cells(
                    1,
                    centred("完成评审工作"),
                    "100%",
                    "项目2020年实施目标：资格评审、资料评审、现场评审、综合评价、评审委审定等工作",
                ),
            ],
            [
                centred("时效", key="indicators[2].level2"),
                *indicator_cells(2, centred("评定工作完成"), "及时", "项目2020年实施目标：年底前完成"),
            ],
            [
                centred("效果目标", rs=3, key=[f"indicators[{i}].level1" for i in range(3, 6)]),
                centred("社会效益影响", rs=2, key=["indicators[3].level2", "indicators[4].level2"]),
                *indicator_cells(3, Cell("区长质量奖成", after="功举办率", nowrap=True), "成功举办", REMARK_2020),
            ],
            indicator_cells(4, Cell("2021年的评奖", after="准备工作", nowrap=True), "孵化准备", REMARK_2020),
            [
                centred("满意度", key="indicators[5].level2"),
                *indicator_cells(5, Cell("入孵企业满意", after="度", nowrap=True), "90%", REMARK_2020),
            ],
            [centred("项目构成分解", rs=5), centred("项目名称", cs=2)]
            + [centred(h) for h in ("项目内容", "项目明细", "明细金额", "单价", "依据", "数量", "依据", "备注")],
            cost_row(0, "区长质量奖专家评审", "区长质量奖评审", "260000.00"),
            cost_row(1, "区长质量奖日常工作", "卓越绩效孵化", "100000.00"),
            cost_row(2, "区长质量奖日常工作", "工作经费", "30000.00"),
            [centred("金额合计", cs=4), centred("390000.00", key="cost_total")] + [centred("-----") for _ in range(5)],
        ],
    ),
]

SHEET3 = [
    Text("项目支出绩效目标申报表（制度保障）", size=16, align="center", gap=0),
    Text("（2020年）", size=11, align="center"),
    Table(
        widths=[70, 62.5, 116.5, 95.34, 95.33, 95.33],
        line_width=0.5,
        rows=[
            [Cell("项目名称：区长质量奖工作经费", cs=6)],
            [centred("制度保障"), centred("文件名称"), centred("具体措施"), centred("保障阶段", cs=3)],
            safeguard_row(
                0,
                "项目管理制度",
                top("《上海市闵行区", after="区长质量奖管理办法》"),
                top("对质量奖具体实施过程中的", after="各环节进行全程管理。"),
            ),
            safeguard_row(
                1, "预算管理制度", top("闵行区预算管理制度"), top("严格按照闵行区财政局的预算管理要求编制项目预算")
            ),
            safeguard_row(
                2, "财务管理制度", top("《闵行区市场监督管理局财务管理", after="办法》"), top("严格遵守财务管理制度")
            ),
        ],
    ),
]

SEED_2020_MINHANG = Form(
    meta={"title": "财政项目支出绩效目标申报表", "year": 2020, "amount_unit_original": "元"},
    pages=[SHEET1, SHEET2, SHEET3],
)

# (file stem, form, variant)
SAMPLES = [
    ("seed_2020_minhang_visible", SEED_2020_MINHANG, "visible"),
    ("seed_2020_minhang_clipped", SEED_2020_MINHANG, "clipped"),
]


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def all_samples() -> list[tuple[str, Form | Document, str]]:
    """The seed's samples (above), the further templates of ``sample_forms.py`` and ``province_forms.py``."""
    # sample_forms imports this module by name; run as a script, this module is __main__.
    sys.modules.setdefault("make_samples", sys.modules[__name__])
    import province_forms
    import sample_forms

    return SAMPLES + sample_forms.SAMPLES + province_forms.SAMPLES


def main(only: list[str]) -> None:
    """Render every sample (or those whose stem starts with one of ``only``)."""
    register_font()
    EXPECTED_DIR.mkdir(exist_ok=True)
    for stem, doc, variant in all_samples():
        if only and not any(stem.startswith(prefix) for prefix in only):
            continue
        parts = doc.parts if isinstance(doc, Document) else [doc]
        pages: list[list[PlacedText | PlacedTable]] = []
        filings = []  # (form, its placed pages, its first page number)
        for part in parts:
            placed = [layout_page(items) for items in (part.pages if isinstance(part, Form) else part)]
            if isinstance(part, Form):
                filings.append((part, placed, len(pages) + 1))
            pages += placed
        pdf = HERE / f"{stem}.pdf"
        sha = hashlib.sha256(render(pages, variant, pdf)).hexdigest()
        records = [
            build_record(form, placed, variant, pdf, sha, n, first)
            for n, (form, placed, first) in enumerate(filings, 1)
        ]
        write_json(EXPECTED_DIR / f"{stem}.json", records)
        write_json(EXPECTED_DIR / f"{stem}.cells.json", cells_record(pages, pdf))
        print(f"{pdf.relative_to(HERE.parent)}  sha256 {sha}")


if __name__ == "__main__":
    main(sys.argv[1:])
