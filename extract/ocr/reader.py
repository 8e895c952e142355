"""A scanned page, read in two steps: ``probe`` (image, orientation, grid, lines outside the
tables: enough to tell a form's title page or a continuation page) and ``complete`` (the cells).

Each step is one recognition call for the whole page (plus one for the upside-down check when a
page shows no title), so neither engine pays a process or a detection pass per cell.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import cv2
import numpy as np

from .. import classify
from ..grid import GridTable, find_tables
from ..model import Cell, Line, Page, Table
from ..textfold import is_ideograph
from . import image as im
from . import layout as lay
from .engines import Engine, Recognized

OUTSIDE_SPLIT = 2.5  # line heights: a wider gap outside tables separates two texts on one row
NOISE_CONF = 0.5  # a small blob read with less confidence than this is noise, not text
MARGIN_PT = 30.0  # a dark area at the image's edge this big is beyond the sheet (no glyph is)
FLIP_MARGIN = 0.12  # upside-down wins when its mean confidence is higher by this much


@dataclass
class Scan:
    """One page image analysed: geometry found, text outside the tables read."""

    number: int
    img: im.PageImage
    ink: np.ndarray = field(repr=False)  # text ink (rulings of tables erased), 255 = ink
    clean: np.ndarray = field(repr=False)  # grayscale with table rulings painted out
    tables: list[GridTable] = field(default_factory=list)
    cell_lines: list[list[list[lay.LineBox]]] = field(default_factory=list)  # table → cell → lines
    outside: list[lay.LineBox] = field(default_factory=list)
    em: float = 20.0  # px, typical text line height
    page: Page | None = None  # lines and title filled by probe; tables by complete


class ScanReader:
    """Reads the scanned pages of one PDF with one engine."""

    def __init__(self, engine: Engine, dpi: int = im.DPI, max_pixels: int = im.MAX_PIXELS):
        self.engine = engine
        self.dpi = dpi
        self.max_pixels = max_pixels

    # -- step 0
    def glance(self, pdfium_page) -> bool:
        """Whether the page may start a form (a cheap look; False means surely not)."""
        from .glance import may_start_form

        return may_start_form(self, pdfium_page)

    # -- step 1
    def probe(self, pdfium_page, number: int) -> Scan:
        img = im.load_page_image(pdfium_page, self.dpi, self.max_pixels)
        im.straighten(img)
        scan = self._layout(number, img)
        sample = scan.outside + self._orientation_sample(scan)
        texts = self._read_lines(scan, sample)
        n_out = len(scan.outside)
        if not any(classify.is_title(r.text) for r in texts[:n_out]) and self._upside_down(scan, sample, texts):
            img.gray = im.rotate_quarter(img.gray, 180)
            img.rotation = (img.rotation + 180) % 360
            scan = self._layout(number, img)
            texts = self._read_lines(scan, scan.outside)
        for box, r in zip(scan.outside, texts):
            box.text, box.confidence = r.text, r.confidence
        scan.outside = [b for b in scan.outside if self._keep(scan, b)]
        lines = [self._line(scan, b) for b in scan.outside]
        lines.sort(key=lambda ln: (round(ln.bbox[1] / 4), ln.bbox[0]))

        def first_row() -> list[str]:  # read only when no title stands outside the tables
            k = min(range(len(scan.tables)), key=lambda i: scan.tables[i].bbox[1])
            boxes = [b for gc, ls in zip(scan.tables[k].cells, scan.cell_lines[k]) if gc.row == 0 for b in ls[:2]]
            return [r.text for r in self._read_lines(scan, boxes)]

        title = classify.page_title((ln.text for ln in lines), first_row if scan.tables else None)
        pt = img.pt_per_px
        h, w = img.gray.shape
        # The tables' geometry already (their cells are read by ``complete``).
        tables = [Table(page=number, bbox=tuple(round(v, 2) for v in t.bbox), n_rows=t.n_rows, n_cols=t.n_cols,
                        cells=[Cell(row=c.row, col=c.col, rowspan=c.rowspan, colspan=c.colspan,
                                    bbox=tuple(round(v, 2) for v in c.bbox), method=self.engine.method)
                               for c in t.cells])
                  for t in scan.tables]
        scan.page = Page(number=number, width=round(w * pt, 2), height=round(h * pt, 2), kind="scanned",
                         lines=lines, tables=tables, title=title, turn=img.rotation)
        return scan

    # -- step 2
    def complete(self, scan: Scan) -> Page:
        boxes = [b for cells in scan.cell_lines for lines in cells for b in lines]
        texts = self._read_lines(scan, boxes)
        for b, r in zip(boxes, texts):
            b.text, b.confidence = r.text, r.confidence
        tables = []
        for table, cells in zip(scan.page.tables, scan.cell_lines):  # the probe's geometry, now read
            out = []
            for cell, lines in zip(table.cells, cells):
                model_lines = [self._line(scan, b) for b in lines if self._keep(scan, b)]
                unread = any(b.text == "" for b in lines)  # ink that no engine made text of
                conf = min([ln.confidence for ln in model_lines] + ([0.0] if unread else []), default=1.0)
                out.append(cell.model_copy(update={"lines": model_lines, "confidence": round(conf, 4)}))
            tables.append(table.model_copy(update={"cells": out}))
        return scan.page.model_copy(update={"tables": tables})

    def read(self, pdfium_page, number: int) -> Page:
        return self.complete(self.probe(pdfium_page, number))

    # -- geometry
    def _layout(self, number: int, img: im.PageImage) -> Scan:
        pt = img.pt_per_px
        paper = im.paper_level(img.gray)
        ink = im.binarize(img.gray, img.dpi, paper)
        beyond = ink > im.without_margins(ink, img.px(MARGIN_PT))
        ink[beyond] = 0
        rulings = lay.find_rulings(ink, pt)
        tables = find_tables(rulings.segs)
        erase = lay.table_rulings_mask(rulings, tables, pt)
        raw_text = cv2.bitwise_and(ink, cv2.bitwise_not(erase))
        text_ink = im.remove_specks(raw_text, img.dpi)
        clean = img.gray.copy()
        clean[(erase > 0) | (raw_text > text_ink) | beyond] = int(paper)  # rulings, dust, what is beyond the sheet
        scan = Scan(number=number, img=img, ink=text_ink, clean=clean, tables=tables)
        h, w = ink.shape
        inset = rulings.thickness + 2  # what is left of a ruling's grey edge stays out
        regions: list[list[tuple[int, int, int, int] | None]] = []
        for t in tables:
            per_cell, boxes = [], []
            for gc in t.cells:
                x0, y0, x1, y1 = (int(round(v / pt)) for v in gc.bbox)
                x0, y0 = max(0, x0 + inset), max(0, y0 + inset)
                x1, y1 = min(w, x1 - inset), min(h, y1 - inset)
                if x1 <= x0 or y1 <= y0:
                    per_cell.append([])
                    boxes.append(None)
                    continue
                region = text_ink[y0:y1, x0:x1]
                per_cell.append(lay.find_lines(region, x0, y0, min_height=_min_line(img)))
                boxes.append((x0, y0, x1, y1))
            scan.cell_lines.append(per_cell)
            regions.append(boxes)
        outside = text_ink.copy()
        for t in tables:
            x0, y0, x1, y1 = (int(round(v / pt)) for v in t.bbox)
            outside[max(0, y0 - 2) : y1 + 3, max(0, x0 - 2) : x1 + 3] = 0
        scan.outside = lay.find_lines(outside, 0, 0, split_gap=OUTSIDE_SPLIT, min_height=_min_line(img))
        heights = [b.height for b in scan.outside] + [b.height for c in scan.cell_lines for ls in c for b in ls]
        heights = [x for x in heights if x >= img.px(4.0)]
        scan.em = float(np.median(heights)) if heights else float(img.px(10.0))
        self._split_run_together(scan, regions)
        return scan

    @staticmethod
    def _split_run_together(scan: Scan, regions: list[list[tuple[int, int, int, int] | None]]) -> None:
        """Cells whose every line ran into the next (two lines a hair apart make one band, and
        a cell of two lines then has no other band to compare with) are found again with the
        page's usual line height."""
        for t, cells in enumerate(scan.cell_lines):
            for c, lines in enumerate(cells):
                box = regions[t][c]
                if box is None or not any(b.height >= 1.6 * scan.em for b in lines):
                    continue
                x0, y0, x1, y1 = box
                cells[c] = lay.find_lines(scan.ink[y0:y1, x0:x1], x0, y0, min_height=_min_line(scan.img),
                                          line_height=scan.em)

    @staticmethod
    def _wordlike(scan: Scan, b: lay.LineBox) -> bool:
        """Whether a line box can tell up from down: a few characters of text, not a speck (a
        150 dpi scan's three specks of dust, read upside down with more confidence, turned a
        real form over)."""
        return b.height >= 0.6 * scan.em and b.x1 - b.x0 >= 2 * b.height

    def _orientation_sample(self, scan: Scan, n: int = 6) -> list[lay.LineBox]:
        """Some cell lines too, when the page has little text outside its tables."""
        if sum(self._wordlike(scan, b) for b in scan.outside) >= 3:
            return []
        cells = [b for c in scan.cell_lines for ls in c for b in ls]
        cells.sort(key=lambda b: -(b.x1 - b.x0))
        return [lay.LineBox(b.x0, b.y0, b.x1, b.y1) for b in cells[:n]]

    def _upside_down(self, scan: Scan, sample: list[lay.LineBox], upright: list[Recognized]) -> bool:
        """Whether the page reads better turned 180°: ``sample``'s lines, read as they are
        (``upright``) and turned."""
        pairs = [(b, r) for b, r in zip(sample, upright) if self._wordlike(scan, b)]
        if not pairs:
            return False
        sample, upright = [b for b, _ in pairs], [r for _, r in pairs]
        crops = [np.ascontiguousarray(np.rot90(self._crop(scan, b), 2)) for b in sample]
        flipped = self.engine.recognize(crops)
        if any(classify.is_title(r.text) for r in flipped):
            return True
        up = float(np.mean([r.confidence for r in upright])) if upright else 0.0
        down = float(np.mean([r.confidence for r in flipped])) if flipped else 0.0
        return down > up + FLIP_MARGIN

    # -- reading
    @staticmethod
    def _crop_left(b: lay.LineBox) -> int:
        """The x where a line's crop starts: the line with half a line height of paper before it."""
        return max(0, b.x0 - max(3, int(0.5 * b.height)))

    def _crop(self, scan: Scan, b: lay.LineBox) -> np.ndarray:
        h = b.height
        pv, ph = max(2, int(0.25 * h)), max(3, int(0.5 * h))
        H, W = scan.clean.shape
        return scan.clean[max(0, b.y0 - pv) : min(H, b.y1 + pv), self._crop_left(b) : min(W, b.x1 + ph)]

    def _read_lines(self, scan: Scan, boxes: list[lay.LineBox]) -> list[Recognized]:
        """Recognise lines in one engine call; dashes, boxes and ticks come from the image."""
        results: list[Recognized | None] = [None] * len(boxes)
        todo: list[int] = []
        for i, b in enumerate(boxes):
            dashes = lay.dash_run(scan.ink, b, scan.em)
            if dashes:
                results[i] = Recognized(dashes, 1.0)
            else:
                todo.append(i)
        if todo:
            read = self.engine.recognize([self._crop(scan, boxes[i]) for i in todo])
            for i, r in zip(todo, read):
                b = boxes[i]
                offset = b.x0 - self._crop_left(b)  # where the line starts in its crop
                r = _trim_strays(r, keep_last=_ends_on_a_printed_mark(r, b, offset, scan))
                r = _without_false_stops(r, b, offset, scan)
                b.certainty = _certainty(r)
                r = _with_marks(r, lay.find_marks(scan.ink, b, scan.em), b, offset, scan, self.engine.exact_positions)
                r = _with_dashes(r, b, offset, scan)
                if self.engine.exact_positions:
                    results[i] = _with_spaces(r, b, offset, scan)
                    b.ax0, b.ax1 = _advance_extent(results[i], b, offset)
                else:
                    results[i] = _with_spaces_rough(r, b, offset, scan)
        return [r if r is not None else Recognized("", 0.0) for r in results]

    def _keep(self, scan: Scan, b: lay.LineBox) -> bool:
        """Blank stays blank: a small blob read as nothing, or as a stray mark, is noise."""
        text = b.text.strip()
        if not text:
            return False
        small = b.height < 0.5 * scan.em
        if small and b.confidence < NOISE_CONF and not set(text) <= set("-—_"):
            return False
        return not (len(text) == 1 and unicodedata.category(text)[0] == "P" and b.confidence < NOISE_CONF)

    def _line(self, scan: Scan, b: lay.LineBox) -> Line:
        pt = scan.img.pt_per_px
        x0 = b.ax0 if b.ax0 is not None and abs(b.ax0 - b.x0) < 0.3 * b.height else b.x0
        x1 = b.ax1 if b.ax1 is not None and abs(b.ax1 - b.x1) < 0.3 * b.height else b.x1
        bbox = (round(x0 * pt, 2), round(b.y0 * pt, 2), round(x1 * pt, 2), round(b.y1 * pt, 2))
        size = round(max(b.height, 0.6 * scan.em) * pt / 0.88, 2)
        conf = b.confidence if b.certainty is None else min(b.confidence, b.certainty)
        return Line(text=b.text, bbox=bbox, size=size, confidence=round(conf, 4))


def _min_line(img: im.PageImage) -> int:
    """The least height (pixels) of a line box: 2 pt, and 3 px at the least (below is a speck)."""
    return max(3, img.px(2.0))


STRAYS = set(".。,，、'`·‘’_")
COMPARISONS = set("<>≤≥")
IMAGE_DECIDES = set("一口")  # read again from the image by _with_dashes and _with_marks


def _certainty(r: Recognized) -> float | None:
    """The engine's confidence in the least sure ideograph or comparison sign of a line: a
    misread character (普→晋, ≥→>) is one unsure step in a line of sure ones, which the line's
    mean hides.  Digits and punctuation do not count: the engine is often unsure of them when
    right (sums check amounts; a lost mark is flagged by the normaliser's look-alike rules), nor
    do 一 and 口, which the image decides afterwards (a dash or a one; a box or the character)."""
    confs = r.char_confidences
    if not confs or len(confs) != len(r.text):
        return None
    counted = (c for ch, c in zip(r.text, confs) if (is_ideograph(ch) or ch in COMPARISONS) and ch not in IMAGE_DECIDES)
    return min(counted, default=None)


SURE_STOP = 0.95  # a real form's small "。" at 200 dpi: 0.9999, a bilevel one at 300 dpi: 0.98; a ring of dust: 0.86
MARK_INK = 0.15  # line heights: a printed comma or stop is at least this big; dust is smaller


def _trim_strays(r: Recognized, below: float = 0.75, keep_last: bool = False) -> Recognized:
    """Drop a punctuation mark read with low confidence at either end of a line: dust, not text
    — unless the image shows a mark-sized blob there (``keep_last``: the line's comma at a wrap)."""
    confs = r.char_confidences
    if not confs or len(confs) != len(r.text):
        return r
    lo, hi = 0, len(r.text)
    while lo < hi and r.text[lo] in STRAYS and confs[lo] < below:
        lo += 1
    while not keep_last and hi > lo and r.text[hi - 1] in STRAYS and confs[hi - 1] < below:
        hi -= 1
    if (lo, hi) == (0, len(r.text)):
        return r
    pos = r.positions[lo:hi] if r.positions is not None else None
    kept = confs[lo:hi]
    conf = sum(kept) / len(kept) if kept else 0.0
    return Recognized(r.text[lo:hi], conf, pos, kept)


def _ends_on_a_printed_mark(r: Recognized, b: lay.LineBox, offset: int, scan: Scan) -> bool:
    """Whether the line ends on a comma-like mark after an ideograph (a wrapped sentence goes on:
    "…2.3万株，" | "实行…") that sits on a blob of ink the size of a printed mark."""
    pos, text = r.positions, r.text
    if len(text) < 2 or pos is None or len(pos) != len(text):
        return False
    if text[-1] not in "，,、；;" or not is_ideograph(text[-2]):
        return False
    h = max(b.height, 1)
    _, _, stats, _ = cv2.connectedComponentsWithStats(scan.ink[b.y0 : b.y1, b.x0 : b.x1], connectivity=8)
    at = pos[-1] - offset
    return any(abs(x + w / 2 - at) < 0.4 * h and max(w, hh) >= MARK_INK * h for x, _, w, hh, _ in stats[1:].tolist())


def _without_false_stops(r: Recognized, b: lay.LineBox, offset: int, scan: Scan) -> Recognized:
    """A "。" is a ring about a third of a character wide; a speck of dust read as one is not.
    Nor is a "·" next to another separator ("、·")."""
    pos = r.positions
    if ("。" not in r.text and "·" not in r.text) or pos is None or len(pos) != len(r.text):
        return r
    sub = scan.ink[b.y0 : b.y1, b.x0 : b.x1]
    n, _, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    h = max(b.height, 1)
    drop = set()
    for k, ch in enumerate(r.text):
        if ch == "·":
            beside = (r.text[k - 1] if k else "") + (r.text[k + 1] if k + 1 < len(r.text) else "")
            if any(c in "、，。；：,;:" for c in beside):
                drop.add(k)
            continue
        if ch != "。" or _holds_a_character(r.text, pos, k, h):
            continue
        at = pos[k] - offset
        near = [s for s in stats[1:].tolist() if s[0] - 0.2 * h <= at <= s[0] + s[2] + 0.2 * h and s[1] > 0.3 * h]
        sure = bool(r.char_confidences) and r.char_confidences[k] >= SURE_STOP
        if near and max(max(s[2], s[3]) for s in near) < 0.24 * h and not (sure and any(_is_ring(s, h) for s in near)):
            drop.add(k)
    if not drop:
        return r
    keep = [k for k in range(len(r.text)) if k not in drop]
    confs = [r.char_confidences[k] for k in keep] if r.char_confidences else None
    return Recognized("".join(r.text[k] for k in keep), r.confidence, [pos[k] for k in keep], confs)


def _is_ring(stat: list[int], h: float) -> bool:
    """A blob (x, y, w, h, area) shaped as a small "。" in low-resolution print: mark-sized, at
    least 4 px across, and hollow (a 5 × 5 px ring fills 16 of its 25 pixels; dust is mostly
    solid, but a speck can be a ring too: the engine must be sure of its "。" as well)."""
    _, _, w, hh, area = stat
    return min(w, hh) >= 4 and max(w, hh) >= MARK_INK * h and area <= 0.7 * w * hh


def _holds_a_character(text: str, pos: list[float], k: int, h: float) -> bool:
    """Whether the mark at k stands between two ideographs a whole character's room apart: a
    full stop in small print, whose ring may be no bigger than dust.  Dust falls on paper, not
    in a blank the width of a character inside a sentence."""
    if not 0 < k < len(text) - 1 or not (is_ideograph(text[k - 1]) and is_ideograph(text[k + 1])):
        return False
    return pos[k + 1] - pos[k - 1] >= 1.6 * h


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


BOX_LOOKALIKES = set("oO0D5QaSsg@")
TICK_LOOKALIKES = set("VvJ/\\丿レノ乂√✓✔")


def _with_marks(r: Recognized, marks: list[lay.Mark], b: lay.LineBox, offset: int, scan: Scan,
                exact: bool = True) -> Recognized:
    """Put the boxes and ticks found in the image into the text, where the engine read them
    (or missed them): the image decides whether a box is empty, ticked or filled."""
    text = list(r.text)
    pos = list(r.positions) if r.positions is not None and len(r.positions) == len(text) else None
    reach = 0.6 * max(b.height, 1)
    for m in marks + _ticks(scan, b):
        mx = (m.x0 + m.x1) / 2 - b.x0 + offset
        if pos is None:
            if m.kind == "tick":
                continue
            if m.kind != "tick" and any(ch in lay.BOX_CHARS for ch in text):
                continue
            text.insert(0 if m.x0 - b.x0 < (b.x1 - b.x0) / 2 else len(text), m.char)
            continue
        near = [k for k in range(len(text)) if abs(pos[k] - mx) <= reach]
        if not exact:
            # Rough positions: only a character the engine made of a box or tick is replaced.
            for k in sorted(near, key=lambda k: abs(pos[k] - mx)):
                if (m.kind == "tick" and text[k] in TICK_LOOKALIKES) or (
                        m.kind != "tick" and (text[k] in lay.BOX_CHARS or text[k] in BOX_LOOKALIKES)):
                    text[k] = m.char
                    break
            continue
        if near:
            k = min(near, key=lambda k: abs(pos[k] - mx))
            ch = text[k]
            if m.kind == "tick":
                if ch in TICK_LOOKALIKES:
                    text[k] = m.char
                continue  # a digit or a character that happens to look like a tick
            if ch == "口" and (m.y1 - m.y0) >= 0.75 * b.height:
                continue  # the character 口, as large as the others
            if ch in lay.BOX_CHARS or ch in BOX_LOOKALIKES or not (is_ideograph(ch) or _is_punct(ch)):
                text[k] = m.char
            continue  # an ideograph that looks like a box (国, 回) or a full stop: the engine knows better
        j = sum(1 for p in pos if p < mx)
        text.insert(j, m.char)
        pos.insert(j, mx)
    return Recognized("".join(text), r.confidence, pos, r.char_confidences)


CLOSING = set("）》」』】〕")
OPENING = set("（《「『【〔")
SPACE_GAP = 0.28  # line heights of empty columns between two characters that make a space
MARK_SPACE_GAP = 0.22  # the same next to a tick or a box
ASCII_BRACKET_SPACE_GAP = 0.5  # the same beside "(" or ")" (SimSun's: a hairline in a half-width box)
DIGIT_SPACE_GAP = 0.6  # between two digits (a "1" has wide margins of its own)
DIGIT_CJK_SPACE_GAP = 0.45  # between a digit and an ideograph
FULL_BRACKET_GAP = 0.4  # blank beside a bracket that makes it a full-width one
FULL_WIDTH_MARK = {":": "：", ";": "；", ",": "，"}  # a full-width mark sits in the left half of its box
FULL_WIDTH_FORM = {**FULL_WIDTH_MARK, "(": "（", ")": "）"}
HALF_WIDTH_MARK = {"：": ":", "；": ";", "，": ",", "”": '"'}
# Pitches between the centres of two ideographs with a mark between them: 2 for a full-width
# mark, 1.5 for an ASCII one; within MARK_SPAN_DOUBT of the middle, in doubt.
MARK_FULL_SPAN = 1.75
MARK_SPAN_DOUBT = 0.1
MARK_SURENESS = 0.7
PITCH_SPACE = 1.14  # two ideographs this many pitches apart have a space between them
SPACE_ROOM_PX = 3.0  # ... and at least this many pixels past one pitch
BRACKET_SPACE_GAP = 1.0  # between a closing and an opening bracket (each has its own white half)
HALF_WHITE_SPACE_GAP = 0.7  # between a bracket's white half and a character
# Pitches past the bound: a space closer to it than 0.6 of this is doubtful (sureness < 0.8).
# A printed half-width space stands 0.11 pitch or more past the bound (WQY Micro Hei, whose space
# is narrow); the spaces the image makes up where there is none, less than 0.07.
SPACE_DOUBT = 0.13
BRACKET_ROOM = 0.08  # pitches more room for a space beside a full-width bracket (a space: 0.11 or more)
LOST_MARK_ROOM = 0.7  # pitches past the bound: a blank as wide as a character
LOST_MARK_SURENESS = 0.7
ENGINE_SPACE_SURENESS = 0.7  # an engine's space between Chinese characters in print too small to measure
# Below this line height (pixels: 5 pt print at 150 dpi) a gap between glyphs is a pixel or two,
# no longer measurable: no space is inferred from the image (the engine's own spaces stay).
SPACE_MIN_PX = 13


def _plain(ch: str) -> bool:
    return is_ideograph(ch) or ch.isascii() and (ch.isalnum() or ch in "()%") or ch in "√□☑■"


def _ideograph_span(text: str, k: int, reach: int = 3) -> tuple[int, int] | None:
    """The nearest ideographs left of and right of the boundary after k, with only full-width
    punctuation between them (so their distance is a whole number of character pitches)."""
    def full(ch: str) -> bool:
        return ch in CLOSING or ch in OPENING or ch in "、，。：；！？"

    i = k
    while i >= 0 and not is_ideograph(text[i]):
        if not full(text[i]) or k - i >= reach:
            return None
        i -= 1
    j = k + 1
    while j < len(text) and not is_ideograph(text[j]):
        if not full(text[j]) or j - k - 1 >= reach:
            return None
        j += 1
    if i < 0 or j >= len(text):
        return None
    return i, j


def _advance_extent(r: Recognized, b: lay.LineBox, offset: int) -> tuple[float | None, float | None]:
    """Where the first and last characters' boxes start and end (pixels), when they are
    full-width: a text layer's boxes are advance boxes, a little wider than the ink, and the
    normaliser's checks compare them with the cell's edges."""
    if not r.text or b.pitch is None or b.centres is None:
        return None, None
    first, last = b.centres
    x0 = b.x0 - offset + first - b.pitch / 2 if is_ideograph(r.text[0]) else None
    x1 = b.x0 - offset + last + b.pitch / 2 if is_ideograph(r.text[-1]) else None
    return x0, x1


def _with_spaces_rough(r: Recognized, b: lay.LineBox, offset: int, scan: Scan) -> Recognized:
    """Spaces from wide blank columns, each put at the character boundary nearest to it (for an
    engine whose character positions are rough)."""
    ink = _line_ink(r, b, scan)
    if ink is None:
        return r
    text, pos, cols, inked = ink
    h = max(b.height, 1)
    mids = [(pos[k] + pos[k + 1]) / 2 - offset for k in range(len(text) - 1)]
    at: set[int] = set()
    for a, e in lay.runs(~cols):
        if a <= inked[0] or e > inked[-1] or e - a <= 0.36 * h:
            continue
        k = min(range(len(mids)), key=lambda k: abs(mids[k] - (a + e) / 2))
        x, y = text[k], text[k + 1]
        if _plain(x) and _plain(y) and not (x.isdigit() and y.isdigit()):
            at.add(k)
    if not at:
        return r
    out, out_pos = [], []
    for k, ch in enumerate(text):
        out.append(ch)
        out_pos.append(pos[k])
        if k in at:
            out.append(" ")
            out_pos.append((pos[k] + pos[k + 1]) / 2)
    return Recognized("".join(out), r.confidence, out_pos, None)


def _line_ink(r: Recognized, b: lay.LineBox, scan: Scan):
    """(text, positions, inked columns, indexes of inked columns) of a recognised line, or None
    when it has no per-character positions or no ink to place spaces by."""
    text, pos = r.text, r.positions
    if pos is None or len(pos) != len(text) or len(text) < 2:
        return None
    cols = (scan.ink[b.y0 : b.y1, b.x0 : b.x1] > 0).any(axis=0)
    inked = np.flatnonzero(cols)
    if inked.size == 0:
        return None
    return text, pos, cols, inked


def _gap_near(runs: list[tuple[int, int]], lo: float, hi: float) -> tuple[int, int] | None:
    """The blank run between two character positions, nearest to their middle."""
    mid = (lo + hi) / 2
    inside = [(a, b) for a, b in runs if b > lo and a < hi]
    if not inside:
        return None
    return min(inside, key=lambda r: 0 if r[0] <= mid <= r[1] else min(abs(r[0] - mid), abs(r[1] - mid)))


def _with_spaces(r: Recognized, b: lay.LineBox, offset: int, scan: Scan) -> Recognized:
    """Spaces where the image shows them: an engine reading a line often drops a space between
    two CJK characters, which the digital text has ("发掘 培育", "》 《"), and puts in spaces
    that the image does not show.  A decision the image leaves in doubt lowers the line's
    certainty (``_space_sureness``), so the value is flagged rather than silently spaced."""
    ink = _line_ink(r, b, scan)
    if ink is None:
        return r
    text, pos, cols, inked = ink
    h = max(b.height, 1)
    # An engine's own space next to a bracket or between two Chinese characters is decided again
    # below, from the image; in print too small to measure a gap it stays, as a doubtful space.
    engine_cjk = {k for k, ch in enumerate(text) if ch == " " and 0 < k < len(text) - 1
                  and not (text[k - 1].isascii() and text[k + 1].isascii())}
    if engine_cjk and h < SPACE_MIN_PX:
        _doubt_line(b, ENGINE_SPACE_SURENESS)
    drop = {k for k, ch in enumerate(text) if ch == " " and (
        (k + 1 < len(text) and text[k + 1] in "(（《〔") or (k > 0 and text[k - 1] in ")）》〕"))}
    if h >= SPACE_MIN_PX:
        drop |= engine_cjk
    if drop:
        text = "".join(ch for k, ch in enumerate(text) if k not in drop)
        pos = [x for k, x in enumerate(pos) if k not in drop]
        if len(text) < 2:
            return Recognized(text, r.confidence, pos, None)
    runs = lay.runs(~cols)
    n = len(text)
    p = [x - offset for x in pos]
    gaps = [_gap_near(runs, p[k], p[k + 1]) for k in range(n - 1)]
    left = [max(gaps[k - 1][1] if k > 0 and gaps[k - 1] else int(inked[0]), p[k] - 0.6 * h) for k in range(n)]
    right = [min(gaps[k][0] if k < n - 1 and gaps[k] else int(inked[-1]) + 1, p[k] + 0.6 * h) for k in range(n)]
    centre = [(left[k] + right[k]) / 2 for k in range(n)]
    ideo_pairs = [
        centre[k + 1] - centre[k] for k in range(n - 1) if is_ideograph(text[k]) and is_ideograph(text[k + 1])
    ]
    if len(ideo_pairs) >= 3:
        pitch = float(np.median(ideo_pairs))
    else:  # too few to measure: an ideograph is about as wide as its advance (the line's ink
        # height alone undershoots it in small print, where strokes merge into a flat band)
        widths = [right[k] - left[k] for k in range(n) if is_ideograph(text[k])]
        pitch = max(h, float(np.median(widths)) if widths else 0.0) / 0.91
    chars = list(text)
    mark_sure = _mark_widths(chars, gaps, h, centre, pitch)
    text = "".join(chars)
    b.pitch = pitch
    b.centres = (centre[0] + offset, centre[-1] + offset)
    out, out_pos = [text[0]], [pos[0]]
    sure = mark_sure
    for k in range(n - 1):
        a, c = text[k], text[k + 1]
        space = False
        if a != " " and c != " " and gaps[k] is not None and h >= SPACE_MIN_PX:
            gap = gaps[k][1] - gaps[k][0]
            measured, bound, by_pitch = _space_test(text, k, gap, h, centre, pitch)
            space = measured > bound + _bracket_room(a, c, by_pitch, pitch) and (
                gap > 0.15 * h or not (is_ideograph(a) and is_ideograph(c)))
            if not (a.isascii() and c.isascii()):
                sure = min(sure, _space_sureness(measured, bound, by_pitch, pitch))
        if space:
            out.append(" ")
            out_pos.append((pos[k] + pos[k + 1]) / 2)
        out.append(c)
        out_pos.append(pos[k + 1])
    _doubt_line(b, sure)
    if "".join(out) == r.text:
        return r
    return Recognized("".join(out), r.confidence, out_pos, None)


def _mark_widths(chars: list[str], gaps: list[tuple[int, int] | None], h: float, centre: list[float],
                 pitch: float) -> float:
    """Full-width or ASCII, for brackets and marks (in place): a full-width mark fills a whole
    character box, an ASCII one half a box ("整合,优势" in a real form, where the engine reads
    "，"). Between two ideographs, their distance says which: two pitches or one and a half;
    elsewhere a mark is full-width when the half of its box it leaves white is there.
    Returns how sure the line's marks are: a distance near the middle is in doubt."""
    n, sure = len(chars), 1.0

    def blank(k: int) -> float:
        return 0.0 if not 0 <= k < n - 1 or gaps[k] is None else gaps[k][1] - gaps[k][0]

    for k, ch in enumerate(chars):
        if not (ch in "()" or ch in FULL_WIDTH_MARK or ch in HALF_WIDTH_MARK) or k == 0:
            continue
        if k == n - 1:
            if ch in FULL_WIDTH_MARK and is_ideograph(chars[k - 1]):
                chars[k] = FULL_WIDTH_MARK[ch]  # a wrapped line's mark after Chinese
            continue
        if is_ideograph(chars[k - 1]) and is_ideograph(chars[k + 1]) and ch not in "()":
            span = (centre[k + 1] - centre[k - 1]) / pitch
            full = span >= MARK_FULL_SPAN
            if abs(span - MARK_FULL_SPAN) < MARK_SPAN_DOUBT:
                sure = min(sure, MARK_SURENESS)
        elif ch == "(":
            full = blank(k - 1) >= FULL_BRACKET_GAP * h
        else:  # ")" and marks: the white right half
            full = blank(k) >= FULL_BRACKET_GAP * h
            if ch in HALF_WIDTH_MARK:
                continue  # not after and before Chinese: the engine's reading stands
        if full and ch in FULL_WIDTH_FORM:
            chars[k] = FULL_WIDTH_FORM[ch]
        elif not full and ch in HALF_WIDTH_MARK:
            chars[k] = HALF_WIDTH_MARK[ch]
    return sure


def _space_test(text: str, k: int, gap: float, h: float, centre: list[float], pitch: float
                ) -> tuple[float, float, bool]:
    """Whether a space stands after character k, as (measured, bound, by_pitch): a space when
    measured > bound (pixels); ``by_pitch``: measured between two ideographs' centres.
    Between two ideographs the test is their pitch (centre to centre, so a narrow glyph such as
    目 does not look spaced); elsewhere the blank columns between the two glyphs."""
    a, c = text[k], text[k + 1]
    if is_ideograph(a) and is_ideograph(c):
        return _ideograph_step(text, k, centre, pitch), pitch + _space_room(pitch), True
    if a.isdigit() and c.isdigit():
        return gap, DIGIT_SPACE_GAP * h, False
    if a.isdigit() and is_ideograph(c) or is_ideograph(a) and c.isdigit():
        return gap, DIGIT_CJK_SPACE_GAP * h, False
    if _plain(a) and _plain(c):
        if a in "√□☑■" or c in "√□☑■":
            limit = MARK_SPACE_GAP
        elif a in "()" or c in "()":
            limit = ASCII_BRACKET_SPACE_GAP  # its ink is thin, its side bearing wide
        else:
            limit = SPACE_GAP
        return gap, limit * h, False
    if a in CLOSING and c in OPENING or a in CLOSING and _plain(c) or _plain(a) and c in OPENING:
        # Full-width brackets carry their own white half: compare the ideographs around
        # them, whose distance is a whole number of pitches when nothing is spaced.
        span = _ideograph_span(text, k)
        if span is not None:
            i, j = span
            return centre[j] - centre[i], (j - i) * pitch + _space_room(pitch), True
        if a in CLOSING and c in OPENING:
            return gap, BRACKET_SPACE_GAP * h, False
        return gap, HALF_WHITE_SPACE_GAP * h, False
    return 0.0, 1.0, False  # no space is read between other characters: nothing to doubt


def _bracket_room(a: str, c: str, by_pitch: bool, pitch: float) -> float:
    """More room before a space is read beside a full-width bracket: its slot varies more between
    fonts and in justified lines than an ideograph's (a real form's "肇事（案）" stands 0.07 pitch
    past the ideographs' bound, no space). How sure the reading is still goes by the plain bound:
    a blank in between is left out, and in doubt."""
    return BRACKET_ROOM * pitch if by_pitch and (a in CLOSING or c in OPENING) else 0.0


def _ideograph_step(text: str, k: int, centre: list[float], pitch: float) -> float:
    """The distance from ideograph k to k+1, robust to one misplaced centre: a glyph whose
    radical stands apart (氵 in 滨江) can get its centre from the wrong blank, which widens one
    step and narrows the next by as much. A space widens every span across it, so the step is
    the least of the plain step and the two-pitch spans around it less one pitch."""
    steps = [centre[k + 1] - centre[k]]
    if k + 2 < len(text) and is_ideograph(text[k + 2]):
        steps.append(centre[k + 2] - centre[k] - pitch)
    if k > 0 and is_ideograph(text[k - 1]):
        steps.append(centre[k + 1] - centre[k - 1] - pitch)
    return min(steps)


def _space_room(pitch: float) -> float:
    """How far past a whole number of pitches two ideographs' centres stand before a space is
    read between them: PITCH_SPACE, and in small print at least SPACE_ROOM_PX, as the centres
    of glyphs a few pixels apart wander by a pixel or two (a real form at 200 dpi: solid pairs
    from 14.0 to 18.0 px apart, at a pitch of 15.6)."""
    return max((PITCH_SPACE - 1) * pitch, SPACE_ROOM_PX)


def _space_sureness(measured: float, bound: float, by_pitch: bool, pitch: float) -> float:
    """How sure a space (or its absence) between two non-ASCII characters is, 0.5..1.

    Two ideographs set solid stand 0.14 pitch short of the bound and a printed space puts them
    0.11 or more past it, so a space read from a pitch just past the bound is in doubt (below the
    bound the pitch is noise). A blank a whole character wide is a space, or a mark too small for
    the image (a "；" or "，" lost between 》《 or two words): in doubt too. Gaps beside other
    characters vary with their side bearings, too much to say more. A wrong space changes the
    value as much as a wrong character does."""
    d = measured - bound
    if d > LOST_MARK_ROOM * pitch:
        return LOST_MARK_SURENESS
    if by_pitch and d > 0:
        return 0.5 + 0.5 * min(1.0, d / (SPACE_DOUBT * pitch))
    return 1.0


def _doubt_line(b: lay.LineBox, sure: float) -> None:
    """Fold a doubt about the line's spacing into its certainty (its least sure character)."""
    if sure < 1.0:
        b.certainty = sure if b.certainty is None else min(b.certainty, sure)


EM_DASH_WIDTH = 0.7  # line heights: a flat stroke narrower than this is not a dash "—"


def _with_dashes(r: Recognized, b: lay.LineBox, offset: int, scan: Scan) -> Recognized:
    """"一" and "—" look alike to an engine. "—" stands between two words (jieba leaves it a word
    of its own) and its stroke is about as wide as a character; "一" starts words (一次性, 一级)."""
    text, pos = r.text, r.positions
    if pos is None or len(pos) != len(text) or not any(ch in "一—" for ch in text):
        return r
    sub = scan.ink[b.y0 : b.y1, b.x0 : b.x1]
    n, _, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    h = max(b.height, 1)
    flats = [(x, w) for x, y, w, hh, _ in stats[1:].tolist() if hh <= 0.2 * h and w >= 0.6 * h]
    out = list(text)

    def word(ch: str) -> bool:
        return is_ideograph(ch) or ch.isdigit()

    for k, ch in enumerate(text):
        if ch not in "一—":
            continue
        between = 0 < k < len(text) - 1 and word(text[k - 1]) and word(text[k + 1])
        if not between or _in_word(text, k):
            out[k] = "一"
            continue
        at = pos[k] - offset
        near = [w for x, w in flats if x - 0.3 * h <= at <= x + w + 0.3 * h]
        if near and max(near) >= EM_DASH_WIDTH * h:
            out[k] = "—"
    return Recognized("".join(out), r.confidence, pos, r.char_confidences)


def _in_word(text: str, k: int) -> bool:
    """Whether "一" at k is part of a longer word in its context (jieba's segmentation)."""
    from ..words import jieba

    lo = max(0, k - 4)
    window = text[lo : k] + "一" + text[k + 1 : k + 5]
    at = k - lo
    i = 0
    for tok in jieba().lcut(window):
        if i <= at < i + len(tok):
            return len(tok) > 1
        i += len(tok)
    return False


def _ticks(scan: Scan, b: lay.LineBox) -> list[lay.Mark]:
    sub = scan.ink[b.y0 : b.y1, b.x0 : b.x1]
    if sub.size == 0:
        return []
    n, labels, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = (int(s) for s in stats[i])
        if h < 0.6 * b.height or w < 0.4 * b.height:
            continue
        if not lay.is_tick((labels[y : y + h, x : x + w] == i).astype(np.uint8)):
            continue
        # A tick stands apart: no other ink in its columns or just beside them.
        lo, hi = max(0, x - int(0.15 * b.height)), min(sub.shape[1], x + w + int(0.15 * b.height))
        others = (labels[:, lo:hi] > 0) & (labels[:, lo:hi] != i)
        if not others.any():
            out.append(lay.Mark(b.x0 + x, b.y0 + y, b.x0 + x + w, b.y0 + y + h, "tick"))
    return out
