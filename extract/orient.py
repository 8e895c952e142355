"""Which way a page's text runs, and quarter turns of its geometry.

A page can show its form sideways or upside down although its text layer is fine: a /Rotate
that does not match the drawing (a landscape form saved as a portrait page, or a page turned in
a viewer and saved), or a scan fed sideways.  Reading needs the form upright; the record's boxes
point at the page as a viewer shows it.  ``turn`` is always the angle, clockwise, by which the
page as shown must be turned to read it: 0, 90, 180 or 270.

Boxes are ``(x0, top, x1, bottom)`` in points, origin top-left (extract/model.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .grid import Seg

# A turn needs this many characters running one way, and this share of all of them: a form
# has vertical labels (项目资金 written down a narrow cell) that must not turn an upright page.
MIN_CHARS = 20
MIN_SHARE = 0.6


def char_turn(matrix) -> int | None:
    """The turn that makes one character upright, from its text matrix (a, b, c, d, e, f) in
    pdfminer's page space (y up), or None for a skewed one."""
    a, b = matrix[0], matrix[1]
    if abs(b) < 1e-6 * max(abs(a), 1.0) and a > 0:
        return 0
    if abs(a) < 1e-6 * max(abs(b), 1.0):
        # Text running up the page reads after turning the page clockwise.
        return 90 if b > 0 else 270
    if abs(b) < 1e-6 * max(abs(a), 1.0) and a < 0:
        return 180
    return None


def text_turn(chars: Iterable[dict]) -> int:
    """The turn that makes most of the page's characters upright (0 when they already are)."""
    turns = (char_turn(c.get("matrix") or (1, 0)) for c in chars if c.get("text", "").strip())
    votes = Counter(t for t in turns if t is not None)
    total = sum(votes.values())
    if total < MIN_CHARS:
        return 0
    turn, n = votes.most_common(1)[0]
    return turn if n >= MIN_SHARE * total else 0


def turned_size(turn: int, width: float, height: float) -> tuple[float, float]:
    return (height, width) if turn in (90, 270) else (width, height)


def turn_point(x: float, y: float, turn: int, width: float, height: float) -> tuple[float, float]:
    """A point of a ``width`` x ``height`` page as shown, on the page turned clockwise by ``turn``."""
    if turn == 90:
        return height - y, x
    if turn == 180:
        return width - x, height - y
    if turn == 270:
        return y, width - x
    return x, y


def turn_box(box, turn: int, width: float, height: float) -> tuple[float, float, float, float]:
    """A box on the page as shown, on the page turned by ``turn`` (size of the page as shown)."""
    (ax, ay), (bx, by) = (turn_point(box[0], box[1], turn, width, height),
                          turn_point(box[2], box[3], turn, width, height))  # fmt: skip
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def unturn_box(box, turn: int, width: float, height: float) -> tuple[float, float, float, float]:
    """The inverse of ``turn_box``: a box on the turned page (of size ``width`` x ``height``, as
    turned) back on the page as shown."""
    return turn_box(box, (360 - turn) % 360, width, height)


def turn_chars(chars: list[dict], turn: int, width: float, height: float) -> list[dict]:
    """pdfplumber characters as they sit on the turned page: box, upright and text direction."""
    if not turn:
        return chars
    out = []
    for c in chars:
        x0, top, x1, bottom = turn_box((c["x0"], c["top"], c["x1"], c["bottom"]), turn, width, height)
        t = char_turn(c.get("matrix") or (1, 0))
        upright = t == turn if t is not None else c.get("upright", True)
        # pdfminer's size is the box's extent across the text as it lay: for a sideways
        # character, its advance. Upright now, it is the height again.
        size = bottom - top if upright else c.get("size")
        out.append({**c, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "upright": upright, "size": size,
                    "matrix": _turned_matrix(c.get("matrix") or (1, 0, 0, 1, 0, 0), turn)})  # fmt: skip
    return out


def _turned_matrix(m, turn: int) -> tuple:
    """The text direction (a, b) turned clockwise on the page (y up: clockwise is negative)."""
    a, b = m[0], m[1]
    for _ in range(turn // 90):
        a, b = b, -a
    return (a, b, *m[2:])


def turn_segs(segs: list[Seg], turn: int, width: float, height: float) -> list[Seg]:
    if not turn:
        return segs
    out = []
    for s in segs:
        x0, y0, x1, y1 = turn_box((s.x0, s.y0, s.x1, s.y1), turn, width, height)
        out.append(Seg(x0, y0, x1, y1))
    return out
