"""Flags: where a person should look. A check never changes a value.

Truncation combines the cell's geometry (the text runs to the cell's right edge with no room for
another line) with text cues (ends on a function word, a comma or an open bracket, in the middle
of a word, or is a cut piece of another value; starts with a closing bracket or a cut word).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from jixiao.extract.textfold import is_ideograph, unmapped
from jixiao.extract.words import jieba

LOW_CONFIDENCE = 0.80  # an OCR'd value whose least sure character (or mean) is below this gets low_confidence
# ... and an amount (digits, "," and "."): its misread digit is no word a dictionary could catch,
# while the engine reads a right one surely (702 of 703 amounts of the scans benchmark at 0.959
# or more; a real form's 7595500.00 read 1595500.00 at 0.813).
LOW_CONFIDENCE_AMOUNT = 0.90
_AMOUNT = re.compile(r"[\d,.]+")


def low_confidence_bound(text: str) -> float:
    """The confidence below which an OCR'd value is doubtful."""
    return LOW_CONFIDENCE_AMOUNT if _AMOUNT.fullmatch(text.strip()) else LOW_CONFIDENCE


TERMINAL = "。！？!?；;…"
CLOSERS = "）)》」』】〕]”’"
OPENERS = "（(《「『【〔[“‘"
SEPARATORS = "，,、：:—－-/"
# Characters a Chinese sentence does not end on: prepositions, conjunctions, 的, degree words.
FUNCTION_WORDS = set("的为和对较及与以并在将把被向从于或且而其之更最很均由按使让给")
# Single characters that do end a value on their own (units, counters, organisation suffixes).
STANDALONE = set("年月日元个次人天家项类率度费区市省县镇乡村局部处室办会院所站队组台套份批期段")
_PAIRS = {"》": "《", "）": "（", ")": "(", "〕": "〔", "]": "[", "】": "【", "」": "「", "』": "『"}


@dataclass(frozen=True)
class Geometry:
    """Where a value's text sits in its cell (computed by the assembler from the cell's lines)."""

    # The text fills its cell to the edge: a single line from the left edge to the right ruling,
    # or a last line as wide as the others at the bottom of a cell with no room for another line.
    at_edge: bool = False
    # The last line ends within a character of the right edge's padding: no room for one more
    # character, so a word cut there is plausible (a short value far from the edge is not cut).
    near_edge: bool = False
    # The first line starts inside the left padding the table's other text keeps: text cut on
    # its left (a centred line wider than its cell).
    head_at_edge: bool = False




# A middle dot between two ideographs (or full-width brackets): how OCR reads a small "；" or "、"
# (件；确保 → 件·确保, 》；《 → 》·《).
# Budget forms never print one there (foreign names with · do not occur), so it is flagged for
# a person, never replaced: which mark it was is not certain.
_DOT_LOOKALIKE = re.compile(r"(.)[·•‧](.)")
# A colon between a closing and an opening full-width bracket (《A》：《B》): how OCR reads a "；"
# whose tail is faint; forms list documents with "；" or "、" there, so it is flagged.
_COLON_BETWEEN_BRACKETS = re.compile(r"[》）〕]：[《（〔]")
# A space between two digits of an OCR'd value: a decimal point or a dash too faint for the page
# image ("6 00" for "6.00", "021 6867" for "021-6867"); flagged, since which mark is not certain.
# A mark no value starts with (".≤100%": a speck before the sign), and a symbol no Chinese
# sentence holds, next to an ideograph ("隐患*，": a speck of a seal's edge).
_LEADING_MARK = re.compile(r"^([.,，。、·:：;；'`])(?!\d)")
_STRAY_SYMBOL = re.compile(r"(?<=[\u4e00-\u9fff])[*^|\\@$&]|[*^|\\@$&](?=[\u4e00-\u9fff])")
_SPACED_DIGITS = re.compile(r"\d \d")


def ocr_lookalike(v: str, lookalike: dict[str, frozenset[str]] | None = None) -> str | None:
    """Why an OCR'd value holds a mark or a character that is likely a misread, or None."""
    for m in _DOT_LOOKALIKE.finditer(v):
        if _cjk_side(m.group(1)) and _cjk_side(m.group(2)):
            return f"{m.group(0)!r}: a dot between two characters is often a misread '；' or '、'"
    m = _COLON_BETWEEN_BRACKETS.search(v)
    if m:
        return f"{m.group(0)!r}: a colon between two brackets is often a misread '；'"
    m = _SPACED_DIGITS.search(v)
    if m:
        return f"{m.group(0)!r}: a space between two digits is often a lost '.' or '-'"
    m = _LEADING_MARK.match(v)
    if m:
        return f"{v[:4]!r}: a value does not start with {m.group(1)!r}; often a speck read as a mark"
    if '"' in v and ("“" in v or "”" in v):
        return f"{v[:6]!r}…: straight and curly quotes in one value; one of them is likely misread"
    m = _STRAY_SYMBOL.search(v)
    if m:
        near = v[max(0, m.start() - 2) : m.end() + 2]
        return f"{near!r}: {m.group(0)!r} beside Chinese text is often a speck or a misread mark"
    return word_lookalike(v, lookalike) if lookalike else None


def _cjk_side(ch: str) -> bool:
    """An ideograph or a full-width bracket: what stands either side of a "；" or "、" ("》·《")."""
    return is_ideograph(ch) or (ch in OPENERS + CLOSERS and not ch.isascii())


def word_lookalike(v: str, lookalike: dict[str, frozenset[str]]) -> str | None:
    """A character that makes no word with its neighbours where a look-alike of it would
    ("各界人土" for 人士, "法冶" for 法治): an engine sure of a wrong character is still wrong, and
    the dictionary, not the engine, sees it. Named, never replaced."""
    for i, ch in enumerate(v):
        if ch not in lookalike or not is_ideograph(ch) or _in_a_word(v, i):
            continue
        free = [j for j in range(max(0, i - 3), min(len(v), i + 4)) if not _in_a_word(v, j)]
        for alt in sorted(lookalike[ch]):
            w = _word_at(v[:i] + alt + v[i + 1 :], i, set(free))
            if w is not None:
                return f"{v[max(0, i - 2) : i + 3]!r}: {ch!r} makes no word here, its look-alike {alt!r} does ({w})"
    return None


_WORD_SPAN = (2, 3, 4)
_COMMON_WORD = 20  # jieba frequency: rarer entries (names, odd compounds) prove nothing


def _word_at(v: str, i: int, free: set[int]) -> str | None:
    """A dictionary word of two to four characters in ``v`` that covers position i and only
    ``free`` positions (ones no word of the value as read takes: "全年未发生" is no 年末), or None."""
    freq = jieba().dt.FREQ
    for start, end in _spans_over(v, i):
        if set(range(start, end)) <= free and (freq.get(v[start:end]) or 0) >= _COMMON_WORD:
            return v[start:end]
    return None


def _in_a_word(v: str, i: int) -> bool:
    freq = jieba().dt.FREQ
    return any((freq.get(v[start:end]) or 0) > 0 for start, end in _spans_over(v, i))


def _spans_over(v: str, i: int) -> Iterator[tuple[int, int]]:
    """[start, end) of each run of two to four characters of ``v`` that covers position i."""
    for n in _WORD_SPAN:
        for start in range(max(0, i - n + 1), min(i, len(v) - n) + 1):
            yield start, start + n


_CID = re.compile(r"\(cid:\d+\)")


def unspellable(v: str) -> int:
    """How many characters of a text-layer value the PDF cannot spell: glyphs without a Unicode
    mapping, which come out as "(cid:123)", U+FFFD, control or private-use characters."""
    return len(_CID.findall(v)) + sum(map(unmapped, _CID.sub("", v)))


def ends_mid_word(v: str) -> bool:
    """The last word is a lone character cut from a longer one ("区长质量奖成")."""
    if len(v) < 5 or not is_ideograph(v[-1]) or v[-1] in STANDALONE:
        return False
    toks = jieba().lcut(v[-12:])
    return len(toks) >= 2 and len(toks[-1]) == 1 and len(toks[-2]) >= 2


def starts_mid_word(v: str) -> bool:
    """The first word is a lone character followed by punctuation ("中，针对…")."""
    return len(v) >= 3 and is_ideograph(v[0]) and v[1] in "，,、。；;" and v[0] not in STANDALONE


def cut_piece(v: str, others: list[str]) -> tuple[bool, bool]:
    """(head cut, tail cut) when ``v`` is a piece cut from another short value, like 长质量奖工作经
    from the project name 区长质量奖工作经费 (a phrase quoted inside a long text is no cut piece)."""
    if len(v) < 4:
        return False, False
    for w in others:
        if len(w) - len(v) > max(2, len(v) // 2) or any(p in w for p in "，。；,;"):
            continue
        if len(w) > len(v) and v in w:
            i = w.index(v)
            return i > 0, i + len(v) < len(w)
    return False, False


def truncated_tail(v: str, geom: Geometry, cut_tail: bool = False) -> str | None:
    """Why ``v`` looks cut at its end, or None."""
    v = v.rstrip()
    if not v:
        return None
    last = v[-1]
    if last in TERMINAL or last in CLOSERS:
        return None
    if last in OPENERS:
        return f"ends on an open bracket {last!r}"
    if last in SEPARATORS:
        return f"ends on {last!r}"
    if len(v) >= 4 and last in FUNCTION_WORDS:
        return f"ends on the function word {last!r}"
    if cut_tail:
        return "is a cut piece of another value"
    opened = _unclosed(v)
    if opened:
        return f"stops inside {opened!r} … (never closed)"
    if geom.at_edge:
        return "the text fills its cell to the edge and stops without a full stop"
    if geom.near_edge and ends_mid_word(v):
        return f"ends in the middle of a word ({v[-6:]!r}) at the cell's edge"
    return None


def truncated_head(v: str, cut_head: bool = False, geom: Geometry | None = None) -> str | None:
    v = v.lstrip()
    if not v:
        return None
    if geom is not None and geom.head_at_edge and v[0] not in OPENERS:
        return "the text starts inside the cell's left padding (cut on its left)"
    if v[0] in CLOSERS or v[0] in "，,、。；;：:":
        return f"starts with {v[0]!r}"
    if starts_mid_word(v):
        return f"starts with a cut word ({v[:4]!r})"
    if cut_head:
        return "is a cut piece of another value"
    return None


_OPENS = frozenset(_PAIRS.values())


def _brackets(v: str) -> tuple[str | None, list[str]]:
    """(the first closing bracket with no opening one, the brackets left open at the end)."""
    stray = None
    stack: list[str] = []
    for ch in v:
        if ch in _OPENS:
            stack.append(ch)
        elif ch in _PAIRS:
            if stack and stack[-1] == _PAIRS[ch]:
                stack.pop()
            elif stray is None:
                stray = ch
    return stray, stack


def _unclosed(v: str) -> str | None:
    """The last bracket opened and never closed (a title or note cut off), if any."""
    stack = _brackets(v)[1]
    return stack[-1] if stack else None


def metric_cut(v: str, stems: dict[str, tuple[str, ...]]) -> str | None:
    """An indicator name that ends on a metric's stem without its suffix (…满意 for …满意度)."""
    for stem, suffixes in stems.items():
        if v.endswith(stem) and not any(v.endswith(stem + s) for s in suffixes):
            return f"ends on {stem!r} without {'/'.join(stem + s for s in suffixes)}"
    return None


def unbalanced_brackets(v: str) -> str | None:
    stray, stack = _brackets(v)
    if stray:
        return f"{stray!r} without its opening bracket"
    if stack:
        return f"{''.join(stack)!r} not closed"
    return None


_CLAUSE = re.compile(r"[^，。；！？,;!?]+[，。；！？,;!?]?")


def duplicated_text(v: str, min_chars: int = 12) -> str | None:
    """A run of whole clauses that occurs twice in one value."""
    clauses = [c.strip() for c in _CLAUSE.findall(v) if c.strip()]
    n = len(clauses)
    best = ""
    for i in range(n):
        for j in range(i + 1, n):
            k = 0
            while j + k < n and i + k < j and clauses[i + k] == clauses[j + k]:
                k += 1
            run = "".join(clauses[i : i + k])
            if len(run) >= min_chars and len(run) > len(best):
                best = run
    return f"repeated: {best}" if best else None


def sum_check(total: Decimal | None, parts: list[Decimal | None]) -> str | None:
    """"total ≠ a + b + …" when every part is given and they do not add up; None otherwise."""
    if total is None or not parts or any(p is None for p in parts):
        return None
    s = sum(parts, Decimal(0))
    if s != total:
        return f"{total} ≠ {' + '.join(str(p) for p in parts)} = {s}"
    return None
