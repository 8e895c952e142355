"""Which pages can be forms: a cheap test on a page's text, before any table work."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# A form's title line: the title family (…绩效目标申报表 / 填报表 / 审批表 / 申请表, …绩效目标表,
# 绩效项目申报表, 专项资金绩效目标表, 部门整体支出绩效目标(申报)表 …), optionally with a sheet name and/or year
# in brackets. A sentence that merely mentions such a table ("详见单位的项目绩效目标表") is not a title.
_FAMILY = r"(?:绩效目标(?:申报|填报|审批|申请|批复)?表|绩效项目申报表)"
_TITLE = re.compile(
    r"^(?!详见|见|参见|附件|附表)[^，。；：:,;]{0,40}" + _FAMILY +
    r"(?:[（(][^（）()]{1,16}[）)])?(?:[（(]?\d{4}\s*年度?[）)]?)?$"
)
# An evaluation after the fact (绩效自评表, 绩效目标自评表): a relative of the form, not a filing.
_SELF_EVAL = re.compile(r"^[^，。；：:,;]{0,40}绩效(?:目标)?自评(?:价)?表(?:[（(][^（）()]{1,16}[）)])?$")
# "附件2" / "附件1-2：" / "表3-1" printed in front of a title on the same line.
_PREFIX = re.compile(r"^(?:附件|附表|表)\s*[\d一二三四五六七八九十]+(?:\s*[-—－]\s*\d+)?\s*[：:、.．]?\s*")
_GAP = re.compile(r"\s{2,}|\t")
_SHEET = re.compile(r"[（(]([^（）()]{2,16})[）)]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_SPACES = re.compile(r"[\s\u3000]+")
_STRAY = re.compile(r"[·•・]|[.．,，、](?=[（(])")


def squash(text: str) -> str:
    return _SPACES.sub("", text)


def is_title(line: str) -> bool:
    """A form's title line, possibly behind an attachment number ("附件2 …申报表"). A dot no
    title prints (a speck a scan's reader took for "·" before the year: "申报表·(2024年度)") does
    not make it none."""
    t = _STRAY.sub("", squash(line))
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
    m = re.search(_FAMILY, t)
    base = t[: m.end()] if m else t
    sheet = None
    for s in _SHEET.findall(t[m.end():] if m else ""):
        if not _YEAR.search(s):
            sheet = s
    return base, sheet


def year_of(text: str) -> int | None:
    m = _YEAR.search(squash(text))
    return int(m.group(1)) if m else None


def is_self_evaluation(line: str) -> bool:
    """A 绩效自评表's title line (not a filing; the run notes that one was seen)."""
    t = squash(line)
    return bool(_SELF_EVAL.match(_PREFIX.sub("", t)))


def _pieces(text: str) -> Iterable[str]:
    """A page text's lines, and the pieces set apart on a line by wide spaces."""
    for line in text.splitlines():
        if "绩效" in line:
            yield from _GAP.split(line.strip())


def page_class(text: str, signature: Signature | None = None) -> str | None:
    """First pass on a page's whole text (one line per text line; text set apart on the same
    line by wide spaces, such as a date beside the title, counts as its own piece): "form" for a
    title of the family or (where a ``signature`` is given) enough of the form's own labels,
    "self_evaluation" for a 绩效自评表's title, else None."""
    pieces = list(_pieces(text))
    if any(is_title(piece) for piece in pieces):
        return "form"
    if any(is_self_evaluation(piece) for piece in pieces):
        return "self_evaluation"
    return "form" if signature is not None and signature.matches(text) else None


@dataclass(frozen=True)
class Signature:
    """The labels that make a ruled page a form when its title is new or missing.

    Given by the caller (the label vocabulary is the normaliser's data, not extract's). A page
    matches when its text holds at least ``min_words`` distinct ``words``, at least one of each
    group in ``required`` (e.g. a project label and an indicator label), and fewer than two
    ``negative`` words (an evaluation form's 执行数 / 得分 …).
    """

    words: tuple[str, ...] = ()
    required: tuple[tuple[str, ...], ...] = ()
    negative: tuple[str, ...] = ()
    min_words: int = 5

    def matches(self, text: str) -> bool:
        t = squash(text)
        if sum(w in t for w in self.negative) >= 2:
            return False
        if not all(any(w in t for w in group) for group in self.required):
            return False
        return sum(w in t for w in self.words) >= self.min_words
