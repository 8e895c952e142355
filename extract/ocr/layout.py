"""Where things are on an upright page image: the ruled grid, text lines, boxes and ticks.

Cells are the holes between ruling lines: the lines found here become ``Seg``s in points and
``extract.grid.find_tables`` rebuilds the cells with their spans, as for a digital page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..grid import JOIN, GridTable, Seg

H_KERNEL_PT = 16.0  # a horizontal run of ink longer than this is a ruling
V_KERNEL_PT = 12.0  # a vertical one (cells are taller than any character stroke in them)
SHORT_RULING_PT = 24.0  # a vertical ruling shorter than this must meet horizontal ones at both ends
BOX_CHARS = {"□": "empty", "☐": "empty", "口": "empty", "☑": "ticked", "☒": "ticked", "▣": "ticked", "■": "filled"}


@dataclass
class Rulings:
    segs: list[Seg]  # points
    hmask: np.ndarray  # ink of horizontal rulings
    vmask: np.ndarray
    thickness: int  # px, typical ruling thickness
    # (labels, stats) of the connected pieces of hmask and vmask: one ruling piece each
    pieces: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] = field(repr=False, default=None)


def find_rulings(ink: np.ndarray, pt_per_px: float) -> Rulings:
    kh = max(8, int(round(H_KERNEL_PT / pt_per_px)))
    kv = max(6, int(round(V_KERNEL_PT / pt_per_px)))
    bridge = _bridge(pt_per_px)
    # Bridge small breaks (noise, JPEG) along the line before keeping long runs only.
    h = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 1)))
    h = cv2.morphologyEx(h, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (kh, 1)))
    v = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, bridge)))
    v = cv2.morphologyEx(v, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, kv)))
    v = _without_strokes(v, h, pt_per_px)
    segs: list[Seg] = []
    thick: list[int] = []
    pieces = []
    for mask, horizontal in ((h, True), (v, False)):
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        pieces.append((labels, stats))
        for i in range(1, n):
            x, y, w, hh, area = (int(s) for s in stats[i])
            if horizontal:
                t = max(1, round(area / max(w, 1)))
                yc = (y + hh / 2) * pt_per_px
                segs.append(Seg(x * pt_per_px, yc, (x + w) * pt_per_px, yc))
            else:
                t = max(1, round(area / max(hh, 1)))
                xc = (x + w / 2) * pt_per_px
                segs.append(Seg(xc, y * pt_per_px, xc, (y + hh) * pt_per_px))
            thick.append(t)
    thickness = int(np.median(thick)) if thick else 2
    return Rulings(segs=segs, hmask=h, vmask=v, thickness=thickness, pieces=(pieces[0], pieces[1]))


def _bridge(pt_per_px: float) -> int:
    """The widest break (px) closed along a ruling: noise and JPEG blocks break scanned lines."""
    return max(2, int(round(1.0 / pt_per_px)))


def _without_strokes(v: np.ndarray, h: np.ndarray, pt_per_px: float) -> np.ndarray:
    """Vertical runs minus the strokes of big characters: a title's 目 or 报 has a vertical
    stroke as long as a short ruling (12 pt in 15 pt print). A ruling that short divides one
    row, so it meets a horizontal ruling at both ends; a stroke stops short of one of them at
    least (a stroke taken for a ruling splits the title's cell, and is erased from its text)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(v, connectivity=8)
    reach = max(2, int(round(JOIN / pt_per_px)))
    drop = np.zeros(n, dtype=bool)
    for i in range(1, n):
        x, y, w, hh, _ = (int(s) for s in stats[i])
        if hh * pt_per_px >= SHORT_RULING_PT:
            continue
        ends = (h[max(0, y - reach) : y + reach + 1, max(0, x - reach) : x + w + reach],
                h[max(0, y + hh - 1 - reach) : y + hh + reach, max(0, x - reach) : x + w + reach])
        drop[i] = not all(e.any() for e in ends)
    if not drop.any():
        return v
    out = v.copy()
    out[drop[labels]] = 0
    return out


def table_rulings_mask(r: Rulings, tables: list[GridTable], pt_per_px: float) -> np.ndarray:
    """The ruling ink that belongs to a found table (not a long stroke inside a cell): erased
    before the text is read."""
    tol = 2.5
    out = np.zeros_like(r.hmask)
    for (labels, stats), horizontal in zip(r.pieces, (True, False)):
        n = len(stats)
        keep = np.zeros(n, dtype=bool)
        for i in range(1, n):
            x, y, w, h, _ = (int(s) for s in stats[i])
            x0, y0, x1, y1 = x * pt_per_px, y * pt_per_px, (x + w) * pt_per_px, (y + h) * pt_per_px
            for t in tables:
                bx0, by0, bx1, by1 = t.bbox
                if horizontal:
                    yc = (y0 + y1) / 2
                    if x1 >= bx0 - tol and x0 <= bx1 + tol and any(abs(yc - g) <= tol for g in t.ys):
                        keep[i] = True
                        break
                else:
                    xc = (x0 + x1) / 2
                    if y1 >= by0 - tol and y0 <= by1 + tol and any(abs(xc - g) <= tol for g in t.xs):
                        keep[i] = True
                        break
        out[keep[labels]] = 255
        out[_stubs(labels, stats, keep, r.vmask if horizontal else r.hmask, _bridge(pt_per_px), horizontal)] = 0
    # Grow by a pixel or two: the grey edge of a scanned line is ink too.
    return cv2.dilate(out, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)), iterations=2)


def _stubs(labels: np.ndarray, stats: np.ndarray, keep: np.ndarray, across: np.ndarray, bridge: int,
           horizontal: bool) -> np.ndarray:
    """The stubs of the kept ruling pieces that stick out past a crossing ruling (``across``) by
    no more than two bridges: a character printed against the far side of the crossing, joined
    on by the bridging. Erased with the ruling, the right stroke of a final "0" set hard against
    a cell's border went, and "800.00" was read "800.0C"; a ruling that really goes on past a
    crossing goes on for a whole cell. Worked out for horizontal pieces; vertical ones on the
    transposed masks."""
    if not horizontal:
        labels, across, stats = labels.T, across.T, stats[:, [1, 0, 3, 2, 4]]
    reach = 2 * bridge
    stub = np.zeros(labels.shape, dtype=bool)
    for i in np.flatnonzero(keep):
        x, y, w, h, _ = (int(v) for v in stats[i])
        if w <= 2 * reach:
            continue
        band = across[y : y + h, x : x + w].any(axis=0)
        own = labels[y : y + h, x : x + w] == i
        head, tail = band[: reach + 1], band[::-1][: reach + 1]
        first = int(np.argmax(head)) if head.any() else 0
        last = w - 1 - int(np.argmax(tail)) if tail.any() else w - 1
        stub[y : y + h, x : x + first] |= own[:, :first]
        stub[y : y + h, x + last + 1 : x + w] |= own[:, last + 1 :]
    return stub if horizontal else stub.T


# ---------------------------------------------------------------- text lines


@dataclass
class LineBox:
    """One printed line (or a piece of one) in pixels, and what was read there."""

    x0: int
    y0: int
    x1: int
    y1: int
    text: str = ""
    confidence: float = 1.0
    certainty: float | None = None  # the reader's: its least sure meaningful character
    # Set by the reader: the character pitch, the first and last characters' centres (x, in the
    # line image), and the first and last characters' advance-box edges (page pixels).
    pitch: float | None = None
    centres: tuple[float, float] | None = None
    ax0: float | None = None
    ax1: float | None = None

    @property
    def height(self) -> int:
        return self.y1 - self.y0


@dataclass
class Mark:
    """A box or tick found in the image: where, and what it is."""

    x0: int
    y0: int
    x1: int
    y1: int
    kind: str  # empty | ticked | filled | tick

    @property
    def char(self) -> str:
        return {"empty": "□", "ticked": "☑", "filled": "■", "tick": "√"}[self.kind]


def runs(on: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of true (non-zero) values."""
    on = on.astype(bool)
    if not on.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], on.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def find_lines(ink: np.ndarray, x0: int, y0: int, split_gap: float | None = None,
               min_height: int = 4, line_height: float | None = None) -> list[LineBox]:
    """Text lines in an ink region (already without rulings), top to bottom.

    Rows of ink make line bands; a band is split where a horizontal gap is wider than
    ``split_gap`` line heights (two texts side by side), and each piece is trimmed to its ink.
    ``line_height`` (the page's usual line, when known) lets a region whose lines all ran
    together be split too.
    """
    if ink.size == 0:
        return []
    rows = (ink > 0).sum(axis=1)
    bands = runs(rows)
    if not bands:
        return []
    usual = int(np.median([b - a for a, b in bands]))  # lines run together are the fewer
    if line_height:
        usual = min(usual, int(line_height))
    bands = [piece for a, b in bands for piece in split_tall_band(rows, a, b, usual)]
    heights = sorted(b - a for a, b in bands)
    typical = heights[len(heights) * 3 // 4]
    # Join bands split by a gap inside a line (三, 二, punctuation below the middle).
    merged: list[list[int]] = []
    for a, b in bands:
        if merged:
            pa, pb = merged[-1]
            gap = a - pb
            short = min(b - a, pb - pa) < 0.55 * typical
            joins = gap <= max(1, 0.12 * typical) or (short and gap <= 0.35 * typical and (b - pa) <= 1.3 * typical)
            if joins and (b - pa) <= 1.45 * typical:  # two full lines a hair apart stay two
                merged[-1][1] = b
                continue
        merged.append([a, b])
    out: list[LineBox] = []
    for a, b in merged:
        band = ink[a:b]
        cols = (band > 0).sum(axis=0)
        pieces = runs(cols)
        if not pieces:
            continue
        h = b - a
        pieces = _without_dust(band, pieces, h)
        if not pieces:
            continue
        groups: list[list[int]] = [list(pieces[0])]
        for p0, p1 in pieces[1:]:
            if split_gap is not None and p0 - groups[-1][1] > split_gap * h:
                groups.append([p0, p1])
            else:
                groups[-1][1] = p1
        for g0, g1 in groups:
            sub = band[:, g0:g1]
            ys = np.flatnonzero((sub > 0).any(axis=1))
            t, bt = a + int(ys[0]), a + int(ys[-1]) + 1
            if bt - t < min_height and (sub > 0).sum() < min_height * min_height:
                continue  # a speck, not text
            out.append(LineBox(x0 + g0, y0 + t, x0 + g1, y0 + bt))
    return out


def split_tall_band(rows: np.ndarray, a: int, b: int, typical: int) -> list[tuple[int, int]]:
    """A band of rows ``[a, b)`` as one or more lines: two printed lines become one band when a
    speck, a descender or a little skew leaves ink in every row between them. Such a band is at
    least 1.6 typical lines tall, and its row profile (``rows``: ink per row) falls to a deep
    valley between the lines, which the middle of one line never does (it sums many characters)."""
    if typical < 4 or b - a < 1.6 * typical:
        return [(a, b)]
    prof = rows[a:b].astype(float)
    k = typical // 16  # a light smoothing: a valley is a few rows wide, a stroke gap in a line one
    smooth = np.convolve(prof, np.ones(2 * k + 1) / (2 * k + 1), mode="same")
    lo, hi = int(0.5 * typical), (b - a) - int(0.5 * typical)
    if hi <= lo:
        return [(a, b)]
    cut = lo + int(np.argmin(smooth[lo:hi]))
    body = np.median(prof[prof > 0]) if (prof > 0).any() else 0.0
    if smooth[cut] > 0.2 * body:
        return [(a, b)]
    # The cut row belongs to neither line; each side starts and ends on its own ink.
    pieces = [(a + p0, a + p1) for p0, p1 in (_ink_span(prof[:cut]), _ink_span(prof[cut + 1 :], cut + 1))]
    return [q for piece in pieces if piece[1] > piece[0] for q in split_tall_band(rows, *piece, typical)]


def _ink_span(prof: np.ndarray, offset: int = 0) -> tuple[int, int]:
    on = np.flatnonzero(prof > 0)
    return (offset + int(on[0]), offset + int(on[-1]) + 1) if on.size else (0, 0)


def _without_dust(band: np.ndarray, pieces: list[tuple[int, int]], h: int) -> list[tuple[int, int]]:
    """Column runs of a line band minus dust: a small spot standing apart from the text."""
    if len(pieces) < 2:
        return pieces
    keep = []
    for i, (p0, p1) in enumerate(pieces):
        rows = np.flatnonzero((band[:, p0:p1] > 0).any(axis=1))
        small = p1 - p0 < 0.3 * h and rows.size and rows[-1] - rows[0] + 1 < 0.3 * h
        gap_l = p0 - pieces[i - 1][1] if i > 0 else 10**6
        gap_r = pieces[i + 1][0] - p1 if i + 1 < len(pieces) else 10**6
        if small and min(gap_l, gap_r) > 1.0 * h:
            continue
        keep.append((p0, p1))
    return keep


# ---------------------------------------------------------------- boxes, ticks and dashes


def find_marks(ink: np.ndarray, line: LineBox, em: float) -> list[Mark]:
    """Check boxes (empty, ticked, filled) in one line's ink (line coordinates are page pixels)."""
    sub = ink[line.y0 : line.y1, line.x0 : line.x1]
    if sub.size == 0:
        return []
    n, labels, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    marks: list[Mark] = []
    for i in range(1, n):
        x, y, w, h, area = (int(s) for s in stats[i])
        side = max(w, h)
        if side < 0.3 * em or side > 1.05 * em or abs(w - h) > 0.1 * side + 1:
            continue
        comp = (labels[y : y + h, x : x + w] == i).astype(np.uint8)
        fill = area / float(w * h)
        if fill > 0.88 and side >= 0.4 * em:
            marks.append(Mark(line.x0 + x, line.y0 + y, line.x0 + x + w, line.y0 + y + h, "filled"))
            continue
        # A box: its outline is a rectangle (ink along all four sides), and little else of it.
        t = max(1, int(round(side * 0.2)))
        ring = np.ones_like(comp)
        ring[t:-t, t:-t] = 0
        sides = [comp[:t].any(axis=0).mean(), comp[-t:].any(axis=0).mean(),
                 comp[:, :t].any(axis=1).mean(), comp[:, -t:].any(axis=1).mean()]
        if min(sides) < 0.9:
            continue
        inner = sub[y + t : y + h - t, x + t : x + w - t]
        stroke_in_ring = (comp * ring).sum() / max(ring.sum(), 1)
        if stroke_in_ring < 0.35:
            continue
        inside = (inner > 0).mean() if inner.size else 0.0
        marks.append(Mark(line.x0 + x, line.y0 + y, line.x0 + x + w, line.y0 + y + h,
                          "ticked" if inside > 0.12 else "empty"))
    return sorted(marks, key=lambda m: m.x0)


def is_tick(comp: np.ndarray) -> bool:
    """A check mark: no hole, thin, its lowest ink left of the middle, both top corners reached
    (the short left arm lower than the long right one)."""
    h, w = comp.shape
    if h < 4 or w < 3 or not 0.4 <= w / h <= 1.6:
        return False
    fill = comp.mean()
    if fill > 0.45:
        return False
    ys, xs = np.nonzero(comp)
    bottom_x = xs[ys >= ys.max() - max(1, h // 10)].mean() / w
    if not 0.1 <= bottom_x <= 0.48:
        return False
    right_top = ys[xs >= w * 0.75].min() if (xs >= w * 0.75).any() else h
    left_top = ys[xs <= w * 0.25].min() if (xs <= w * 0.25).any() else h
    return right_top <= 0.25 * h and right_top + 0.15 * h <= left_top <= 0.75 * h


HYPHEN_PITCH = 0.34  # line heights between hyphens of "-----"


def dash_run(ink: np.ndarray, line: LineBox, em: float) -> str | None:
    """"-----" when a line is nothing but short flat strokes at mid height (a struck-out cell)."""
    sub = ink[line.y0 : line.y1, line.x0 : line.x1]
    if sub.size == 0:
        return None
    n, _, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
    parts = [s for s in stats[1:].tolist() if s[4] >= 0.01 * em * em]  # no dust
    if not parts:
        return None
    top = min(s[1] for s in parts)
    bottom = max(s[1] + s[3] for s in parts)
    if bottom - top > 0.3 * em or any(s[2] < 1.5 * s[3] for s in parts):
        return None
    x0 = min(s[0] for s in parts)
    x1 = max(s[0] + s[2] for s in parts)
    width = x1 - x0
    if width < 0.6 * em:
        return None
    widths = sorted(s[2] for s in parts)
    if len(parts) >= 2 and widths[-1] <= 1.5 * widths[0]:
        return "-" * len(parts)  # separate hyphens: count them
    return "-" * max(2, int(round(width / (HYPHEN_PITCH * em))))
