"""Which pages can be forms: a cheap test on a page's text, before any table work."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# A form's title line: "…绩效目标申报表", "…绩效目标表", optionally with a sheet name and/or year in
# brackets. A sentence that merely mentions such a table ("详见单位的项目绩效目标表") is not a title.
_TITLE = re.compile(
    r"^(?!详见|见|参见|附件|附表)[^，。；：:,;]{0,40}绩效目标(?:申报)?表"
    r"(?:[（(][^（）()]{1,16}[）)])?(?:[（(]?\d{4}\s*年度?[）)]?)?$"
)
# "附件2" / "附件1-2：" / "表3-1" printed in front of a title on the same line.
_PREFIX = re.compile(r"^(?:附件|附表|表)\s*[\d一二三四五六七八九十]+(?:\s*[-—－]\s*\d+)?\s*[：:、.．]?\s*")
_GAP = re.compile(r"\s{2,}|\t")
_SHEET = re.compile(r"[（(]([^（）()]{2,16})[）)]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_SPACES = re.compile(r"[\s\u3000]+")


def squash(text: str) -> str:
    return _SPACES.sub("", text)


def is_title(line: str) -> bool:
    """A form's title line, possibly behind an attachment number ("附件2 …申报表")."""
    t = squash(line)
    bare = _PREFIX.sub("", t)
    return bool(_TITLE.match(t) or bare != t and _TITLE.match(bare))


def page_title(lines: Iterable[str], first_row: Callable[[], Iterable[str]] | None = None) -> str | None:
    """A page's form title: the first title line outside its tables, else one printed inside the
    first row of its topmost table (``first_row`` gives that row's lines; called only if needed)."""
    title = next((t for t in lines if is_title(t)), None)
    if title is None and first_row is not None:
        title = next((t for t in first_row() if is_title(t)), None)
    return title


def title_parts(line: str) -> tuple[str, str | None]:
    """("财政项目支出绩效目标申报表", "项目总体情况") from the title line."""
    t = _PREFIX.sub("", squash(line))
    m = re.search(r"绩效目标(?:申报)?表", t)
    base = t[: m.end()] if m else t
    sheet = None
    for s in _SHEET.findall(t[m.end():] if m else ""):
        if not _YEAR.search(s):
            sheet = s
    return base, sheet


def year_of(text: str) -> int | None:
    m = _YEAR.search(squash(text))
    return int(m.group(1)) if m else None


def page_may_be_form(text: str) -> bool:
    """First pass on a page's whole text (one line per text line; text set apart on the same
    line by wide spaces, such as a date beside the title, counts as its own piece)."""
    for line in text.splitlines():
        if "绩效目标" in line and any(is_title(piece) for piece in _GAP.split(line.strip()) if "绩效目标" in piece):
            return True
    return False
