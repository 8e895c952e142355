"""Ruled-table finding as small pure functions (no PDF needed to test them).

edges (thin lines or thin filled rectangles) → snapped and joined segments → connected
components (one per table, so stacked tables stay apart) → elementary grid → cells merged
across missing rulings → cells with row/col spans.

Coordinates: x grows right, y grows down (pdfplumber's ``top``).
"""

from __future__ import annotations

from dataclasses import dataclass

SNAP = 2.0  # points: rulings closer than this are the same ruling
JOIN = 2.5  # points: collinear pieces with a gap up to this are one ruling
MIN_LEN = 4.0  # points: shorter segments are noise (ticks, underlines of glyphs)
THIN = 2.5  # points: a filled rectangle thinner than this is a ruling


@dataclass(frozen=True)
class Seg:
    """A horizontal (``y0 == y1``) or vertical (``x0 == x1``) ruling."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y0) <= abs(self.x1 - self.x0)


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple[float, float, float, float]


@dataclass(frozen=True)
class GridTable:
    bbox: tuple[float, float, float, float]
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    cells: tuple[GridCell, ...]

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


def segments_from_rect(x0: float, top: float, x1: float, bottom: float) -> list[Seg]:
    """A rectangle as rulings: a thin one is a single ruling, a larger one its four sides."""
    w, h = x1 - x0, bottom - top
    if h <= THIN and w > h:
        y = (top + bottom) / 2
        return [Seg(x0, y, x1, y)]
    if w <= THIN and h > w:
        x = (x0 + x1) / 2
        return [Seg(x, top, x, bottom)]
    return [Seg(x0, top, x1, top), Seg(x0, bottom, x1, bottom), Seg(x0, top, x0, bottom), Seg(x1, top, x1, bottom)]


def segment_from_line(x0: float, top: float, x1: float, bottom: float) -> Seg | None:
    """A stroked line as a ruling, or None when it is neither horizontal nor vertical."""
    if abs(bottom - top) <= SNAP:
        y = (top + bottom) / 2
        return Seg(min(x0, x1), y, max(x0, x1), y)
    if abs(x1 - x0) <= SNAP:
        x = (x0 + x1) / 2
        return Seg(x, min(top, bottom), x, max(top, bottom))
    return None


def _cluster(values: list[float], tol: float) -> dict[float, float]:
    """Map each value to the mean of its cluster (values within ``tol`` of their neighbour)."""
    out: dict[float, float] = {}
    group: list[float] = []
    for v in sorted(set(values)):
        if group and v - group[-1] > tol:
            mean = sum(group) / len(group)
            out.update((g, mean) for g in group)
            group = []
        group.append(v)
    if group:
        mean = sum(group) / len(group)
        out.update((g, mean) for g in group)
    return out


def _join(spans: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    spans = sorted(spans)
    out = [spans[0]]
    for a, b in spans[1:]:
        if a <= out[-1][1] + tol:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def normalize_segments(segs: list[Seg], snap: float = SNAP, join: float = JOIN, min_len: float = MIN_LEN) -> list[Seg]:
    """Snap near-collinear rulings to one coordinate and join touching pieces."""
    hs = [s for s in segs if s.horizontal]
    vs = [s for s in segs if not s.horizontal]
    out: list[Seg] = []
    ymap = _cluster([s.y0 for s in hs], snap)
    by_y: dict[float, list[tuple[float, float]]] = {}
    for s in hs:
        by_y.setdefault(ymap[s.y0], []).append((s.x0, s.x1))
    for y, spans in by_y.items():
        out += [Seg(a, y, b, y) for a, b in _join(spans, join) if b - a >= min_len]
    xmap = _cluster([s.x0 for s in vs], snap)
    by_x: dict[float, list[tuple[float, float]]] = {}
    for s in vs:
        by_x.setdefault(xmap[s.x0], []).append((s.y0, s.y1))
    for x, spans in by_x.items():
        out += [Seg(x, a, x, b) for a, b in _join(spans, join) if b - a >= min_len]
    return out


def _touches(h: Seg, v: Seg, tol: float) -> bool:
    return h.x0 - tol <= v.x0 <= h.x1 + tol and v.y0 - tol <= h.y0 <= v.y1 + tol


def components(segs: list[Seg], tol: float = JOIN) -> list[list[Seg]]:
    """Groups of rulings connected through intersections: one group per table."""
    parent = list(range(len(segs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, s in enumerate(segs) if s.horizontal]
    vs = [i for i, s in enumerate(segs) if not s.horizontal]
    vs.sort(key=lambda i: segs[i].x0)
    for i in hs:
        h = segs[i]
        for j in vs:
            v = segs[j]
            if v.x0 > h.x1 + tol:
                break
            if _touches(h, v, tol):
                parent[find(i)] = find(j)
    groups: dict[int, list[Seg]] = {}
    for i, s in enumerate(segs):
        groups.setdefault(find(i), []).append(s)
    return list(groups.values())


def _covers(spans: list[tuple[float, float]], a: float, b: float, tol: float) -> bool:
    """Whether the middle of [a, b] and most of it lie on one of the spans."""
    mid = (a + b) / 2
    need = (b - a) * 0.6
    for s0, s1 in spans:
        if s0 - tol <= mid <= s1 + tol and min(s1, b) - max(s0, a) >= need - tol:
            return True
    return False


def _open_side(across: list[Seg], along: list[Seg], snap: float, low: bool, horizontal: bool) -> Seg | None:
    """The missing border on one side of a table drawn without it: two or more rulings of
    ``across`` run on past every ruling of ``along`` and end together; the border joins their ends.

    ``horizontal``: ``across`` are horizontal rulings (the border is vertical); ``low``: the
    left/top side, else the right/bottom side."""
    def start(s: Seg) -> float:
        return s.x0 if horizontal else s.y0

    def end(s: Seg) -> float:
        return s.x1 if horizontal else s.y1

    if not along:
        return None
    edge = min(start(s) for s in along) if low else max(start(s) for s in along)  # along: x0 or y0
    past = [s for s in across if (start(s) < edge - 3 * snap if low else end(s) > edge + 3 * snap)]
    if len(past) < 2:
        return None
    tip = min(start(s) for s in past) if low else max(end(s) for s in past)
    ends = [s for s in past if abs((start(s) if low else end(s)) - tip) <= snap]
    if len(ends) < 2:
        return None
    a = min(s.y0 if horizontal else s.x0 for s in ends)
    b = max(s.y0 if horizontal else s.x0 for s in ends)
    return Seg(tip, a, tip, b) if horizontal else Seg(a, tip, b, tip)


def close_open_sides(segs: list[Seg], snap: float = SNAP) -> list[Seg]:
    """``segs`` with the outer borders a table was drawn without (rulings that run on past the
    last crossing ruling to a common end, as in forms without side borders)."""
    hs = [s for s in segs if s.horizontal]
    vs = [s for s in segs if not s.horizontal]
    extra = [b for horizontal, across, along in ((True, hs, vs), (False, vs, hs)) for low in (True, False)
             if (b := _open_side(across, along, snap, low, horizontal)) is not None]
    return segs + extra


def grid_from_component(segs: list[Seg], snap: float = SNAP) -> GridTable | None:
    """Rebuild the cells of one table from its rulings, merged cells with their spans."""
    segs = close_open_sides(segs, snap)
    hs = [s for s in segs if s.horizontal]
    vs = [s for s in segs if not s.horizontal]
    if len(hs) < 2 or len(vs) < 2:
        return None
    xs = sorted(set(_cluster([s.x0 for s in vs], snap).values()))
    ys = sorted(set(_cluster([s.y0 for s in hs], snap).values()))
    if len(xs) < 2 or len(ys) < 2:
        return None
    h_at: dict[int, list[tuple[float, float]]] = {}
    for s in hs:
        r = min(range(len(ys)), key=lambda k: abs(ys[k] - s.y0))
        h_at.setdefault(r, []).append((s.x0, s.x1))
    v_at: dict[int, list[tuple[float, float]]] = {}
    for s in vs:
        c = min(range(len(xs)), key=lambda k: abs(xs[k] - s.x0))
        v_at.setdefault(c, []).append((s.y0, s.y1))
    tol = snap

    def hline(r: int, c: int) -> bool:  # ruling along the top of elementary row r, column c
        return _covers(h_at.get(r, []), xs[c], xs[c + 1], tol)

    def vline(r: int, c: int) -> bool:  # ruling along the left of elementary column c, row r
        return _covers(v_at.get(c, []), ys[r], ys[r + 1], tol)

    n_r, n_c = len(ys) - 1, len(xs) - 1
    parent = {(r, c): (r, c) for r in range(n_r) for c in range(n_c)}

    def find(k: tuple[int, int]) -> tuple[int, int]:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for r in range(n_r):
        for c in range(n_c):
            if c + 1 < n_c and not vline(r, c + 1):
                parent[find((r, c + 1))] = find((r, c))
            if r + 1 < n_r and not hline(r + 1, c):
                parent[find((r + 1, c))] = find((r, c))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for k in parent:
        groups.setdefault(find(k), []).append(k)
    cells: list[GridCell] = []
    taken: set[tuple[int, int]] = set()
    for members in sorted(groups.values(), key=lambda m: min(m)):
        r0 = min(r for r, _ in members)
        r1 = max(r for r, _ in members)
        c0 = min(c for _, c in members)
        c1 = max(c for _, c in members)
        # A region open to the outside (no ruling on its border) is not a cell.
        if not _enclosed(r0, r1, c0, c1, hline, vline):
            continue
        block = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if block & taken:
            continue
        taken |= block
        cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])))
    if not cells:
        return None
    return _compact(GridTable((xs[0], ys[0], xs[-1], ys[-1]), tuple(xs), tuple(ys), tuple(cells)))


def _enclosed(r0: int, r1: int, c0: int, c1: int, hline, vline) -> bool:
    sides = [hline(r0, c) for c in range(c0, c1 + 1)] + [hline(r1 + 1, c) for c in range(c0, c1 + 1)]
    sides += [vline(r, c0) for r in range(r0, r1 + 1)] + [vline(r, c1 + 1) for r in range(r0, r1 + 1)]
    return sum(sides) >= 0.75 * len(sides)


def _compact(t: GridTable) -> GridTable:
    """Drop grid lines that no cell starts or ends on (left over from dropped regions)."""
    used_x = sorted({c.col for c in t.cells} | {c.col + c.colspan for c in t.cells})
    used_y = sorted({c.row for c in t.cells} | {c.row + c.rowspan for c in t.cells})
    if len(used_x) == len(t.xs) and len(used_y) == len(t.ys):
        return t
    cx = {k: i for i, k in enumerate(used_x)}
    ry = {k: i for i, k in enumerate(used_y)}
    cells = tuple(
        GridCell(ry[c.row], cx[c.col], ry[c.row + c.rowspan] - ry[c.row], cx[c.col + c.colspan] - cx[c.col], c.bbox)
        for c in t.cells
    )
    xs = tuple(t.xs[k] for k in used_x)
    ys = tuple(t.ys[k] for k in used_y)
    return GridTable((xs[0], ys[0], xs[-1], ys[-1]), xs, ys, cells)


def find_tables(segs: list[Seg], min_cells: int = 2) -> list[GridTable]:
    """All ruled tables among the rulings, top to bottom then left to right."""
    segs = normalize_segments(segs)
    tables = [t for comp in components(segs) if (t := grid_from_component(comp)) and len(t.cells) >= min_cells]
    return sorted(tables, key=lambda t: (round(t.bbox[1]), t.bbox[0]))
