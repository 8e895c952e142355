"""Parsing values: amounts, dates, targets, ticks. Each parser returns None when it cannot."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .text import clean

CENT = Decimal("0.01")
UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10000), "千元": Decimal(1000), "亿元": Decimal(100000000)}

_AMOUNT = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
_UNIT_IN = re.compile(r"(万元|千元|亿元|元)")


def unit_in(text: str) -> str | None:
    """The money unit a label or line names ("项目资金（万元）" → 万元)."""
    m = _UNIT_IN.search(text or "")
    return m.group(1) if m else None


def parse_amount(text: str, unit: str | None = "元") -> Decimal | None:
    """An amount in 元 with two places, or None ("771,325,800.00", "39 万元", "390000")."""
    t = clean(text or "").strip()
    if not t:
        return None
    own = unit_in(t)
    t = re.sub(r"(万元|千元|亿元|元)$", "", t).strip()
    t = t.replace(",", "").replace("，", "").replace(" ", "")
    if not _AMOUNT.match(t):
        return None
    try:
        value = Decimal(t)
    except InvalidOperation:
        return None
    factor = UNIT_FACTORS.get(own or unit or "元", Decimal(1))
    return (value * factor).quantize(CENT)


def fmt_amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(CENT):f}"


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(text: str) -> str | None:
    """ISO YYYY-MM-DD from 2020-01-01, 2020/1/1, 2020年1月1日, 2020.1.1; None otherwise."""
    t = clean(text or "").strip()
    for pat in _DATE_PATTERNS:
        m = pat.match(t)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


_OPS = (
    ("≥", "≥"),
    (">=", "≥"),
    ("不低于", "≥"),
    ("不少于", "≥"),
    ("大于等于", "≥"),
    ("≤", "≤"),
    ("<=", "≤"),
    ("不高于", "≤"),
    ("不超过", "≤"),
    ("不多于", "≤"),
    ("小于等于", "≤"),
    ("＞", ">"),
    (">", ">"),
    ("大于", ">"),
    ("高于", ">"),
    ("＜", "<"),
    ("<", "<"),
    ("小于", "<"),
    ("低于", "<"),
    ("＝", "="),
    ("=", "="),
    ("等于", "="),
)
_TARGET = re.compile(r"^(\d+(?:\.\d+)?)\s*[（(]?\s*([^\d（）()]{0,6}?)\s*[）)]?$")


def parse_target(text: str) -> tuple[str | None, str | None, str | None]:
    """(op, value, unit) of an indicator target: "≥90.00(%)" → ("≥", "90.00", "%"); "及时" → Nones."""
    t = clean(text or "").strip().replace(",", "")
    op = None
    for word, sym in _OPS:
        if t.startswith(word):
            op, t = sym, t[len(word) :].strip()
            break
    m = _TARGET.match(t)
    if not m:
        return None, None, None
    value, unit = m.group(1), (m.group(2) or "").strip() or None
    return op or "=", value, unit


TICKED = "☑✓✔√■☒▣●"
UNTICKED = "□☐○"
_OPTION = re.compile(rf"([{TICKED}{UNTICKED}])\s*([^{TICKED}{UNTICKED}]*)")


_SUFFIX_OPTION = re.compile(rf"([^{TICKED}{UNTICKED}]+)([{TICKED}{UNTICKED}])")


def checkbox_options(text: str) -> list[tuple[str, bool]] | None:
    """[(option text, ticked)] for a cell of boxes, else None. A mark stands before its option
    ("□一次性项目 ☑经常性项目", "是否 □是 ■否") or, where the text ends on a mark and does not start
    with one, after it ("新增项目□延续项目√": √ ticks the option before it)."""
    t = clean(text or "").strip()
    if sum(t.count(c) for c in TICKED + UNTICKED) < 2:
        return None
    marks = TICKED + UNTICKED
    if t[-1] in marks and t[0] not in marks:
        pairs = [(mark, label) for label, mark in _SUFFIX_OPTION.findall(t)]
    else:
        pairs = _OPTION.findall(t)
    out = []
    for mark, label in pairs:
        label = label.strip()
        if label:
            out.append((label, mark in TICKED))
    return out or None


_LONE_TICK = re.compile(rf"^([^{TICKED}{UNTICKED}]{{2,12}}?)\s*([{TICKED}])\s*([^{TICKED}{UNTICKED}]{{2,12}})$")


def lone_tick(text: str) -> tuple[str, str] | None:
    """(the option before, the option after) where a cell of two options shows a single tick
    between them ("新增项目 ☑延续项目": the other option's empty box was not read, as in a
    photographed scan at 150 dpi), else None. Which option the tick belongs to the cell alone
    cannot prove: a mark usually stands before its option."""
    m = _LONE_TICK.match(clean(text or "").strip())
    return (m.group(1).strip(), m.group(3).strip()) if m else None


def ticked(text: str) -> bool:
    """A stage or option cell counts as ticked when it holds a tick mark or says 是."""
    t = clean(text or "")
    return any(c in t for c in TICKED) or t.strip() in {"是", "Y", "y", "V", "v"}
