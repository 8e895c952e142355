"""Characters as text layers give them: radical and compatibility code points folded to the
ideographs they print as, glyphs without Unicode, check boxes in symbol fonts, CJK classes.

Radicals and compatibility code points:

Many Chinese PDFs (some Office/WPS exports, macOS Quartz with some fonts) map common glyphs to
Kangxi radicals or CJK compatibility ideographs in their ToUnicode tables: "项⽬" (U+2F6C) where the
page shows "项目". The glyph on the page is the same; only the code point differs, and titles,
labels and values would not match what a reader types. Text enters jixiao through
``fold`` so every stage sees the unified ideograph. The mapping is Unicode's own (NFKC for Kangxi
radicals, NFC for compatibility ideographs) plus, for the CJK Radicals Supplement, the standalone
characters those radicals are drawn as (Unicode's EquivalentUnifiedIdeograph data).
"""

from __future__ import annotations

import functools
import unicodedata

# CJK Radicals Supplement → the character it is drawn as (standalone forms only).
_SUPPLEMENT = {
    "\u2e81": "厂", "\u2e8a": "卜", "\u2ea0": "民", "\u2ec1": "虎", "\u2ec4": "西", "\u2ec5": "见",
    "\u2ec6": "角", "\u2ec7": "角", "\u2ec9": "贝", "\u2ecb": "车", "\u2ed1": "長", "\u2ed3": "长",
    "\u2ed4": "门", "\u2ed7": "雨", "\u2eda": "页", "\u2edb": "风", "\u2edc": "飞", "\u2edd": "食",
    "\u2ee2": "马", "\u2ee3": "骨", "\u2ee4": "鬼", "\u2ee5": "鱼", "\u2ee6": "鸟", "\u2ee7": "卤",
    "\u2ee8": "麦", "\u2ee9": "黄", "\u2eec": "齐", "\u2eee": "齿", "\u2ef0": "龙", "\u2ef3": "龟",
}


def _table() -> dict[int, str]:
    out: dict[int, str] = {ord(k): v for k, v in _SUPPLEMENT.items()}
    for cp in range(0x2F00, 0x2FD6):  # Kangxi radicals
        to = unicodedata.normalize("NFKC", chr(cp))
        if len(to) == 1 and to != chr(cp):
            out[cp] = to
    for lo, hi in ((0xF900, 0xFB00), (0x2F800, 0x2FA20)):  # CJK compatibility ideographs
        for cp in range(lo, hi):
            to = unicodedata.normalize("NFC", chr(cp))
            if len(to) == 1 and to != chr(cp):
                out[cp] = to
    return out


FOLD = _table()
_FOLDABLE = frozenset(chr(cp) for cp in FOLD)


def fold(text: str) -> str:
    """``text`` with radical and compatibility code points as their unified ideographs."""
    if not text or _FOLDABLE.isdisjoint(text):
        return text
    return text.translate(FOLD)


def is_ideograph(ch: str) -> bool:
    """A Chinese character (CJK unified ideographs and extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def is_cjk(ch: str) -> bool:
    """CJK script in the wide sense: ideographs, CJK punctuation, full-width forms, compatibility
    ideographs ("" is not)."""
    return bool(ch) and ("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\uf900" <= ch <= "\ufaff")


def unmapped(ch: str) -> bool:
    """Whether a text layer gave ``ch`` for a glyph it has no Unicode for: U+FFFD, a private-use
    code, or a control code other than tab and line breaks (unmapped CID fonts)."""
    o = ord(ch)
    return (ch == "\ufffd" or 0xE000 <= o <= 0xF8FF or o >= 0xF0000
            or (o < 0x20 or 0x7F <= o <= 0x9F) and ch not in "\t\n\r")


# Check boxes typed in Word/WPS with a symbol font: the text layer has the font's own code (a Latin
# letter, or the same code in the private-use area at U+F000 + code), not the box the page shows.
_SYMBOL_BOXES = {
    "wingdings2": {"R": "☑", "S": "☒", "T": "☒", "Q": "☒", "P": "✓", "£": "□", "*": "□"},
    "wingdings": {"þ": "☑", "ý": "☒", "ü": "✓", "¨": "□", "o": "□", "q": "□", "n": "■"},
}


@functools.lru_cache(maxsize=256)
def _symbol_font(fontname: str | None) -> dict[str, str] | None:
    name = (fontname or "").split("+", 1)[-1].lower().replace(" ", "").replace("-", "")
    if name.startswith("wingdings2"):
        return _SYMBOL_BOXES["wingdings2"]
    if name.startswith("wingdings") and not name.startswith("wingdings3"):
        return _SYMBOL_BOXES["wingdings"]
    return None


def symbol_box(text: str, fontname: str | None) -> str:
    """The check box a symbol-font character prints as ("R" in Wingdings 2 → "☑"), else ``text``."""
    if len(text) != 1:
        return text
    boxes = _symbol_font(fontname)
    if boxes is None:
        return text
    code = chr(ord(text) - 0xF000) if 0xF020 <= ord(text) <= 0xF0FF else text
    return boxes.get(code, text)


def fold_chars(chars: list[dict]) -> list[dict]:
    """pdfplumber-style character dicts; those whose text folds (radicals, symbol-font check
    boxes) are copied with the folded text."""
    out = []
    for c in chars:
        t = c["text"]
        folded = fold(t)
        if folded is t:
            folded = symbol_box(t, c.get("fontname"))
        out.append(c if folded is t else dict(c, text=folded))
    return out
