"""Text values as SPEC prints them: lines joined, full-width digits/letters made ASCII."""

from __future__ import annotations

import re

from jixiao.extract.textfold import fold

_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})
_FULLWIDTH.update({"％": "%", "\u3000": " "})
_TRANS = str.maketrans(_FULLWIDTH)


def clean(text: str) -> str:
    """Full-width digits, Latin letters and ％ to ASCII, the ideographic space to a space;
    radical code points to the ideographs they print as."""
    return fold(text).translate(_TRANS)


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_lines(lines: list[str]) -> str:
    """Lines of one cell as one value: no space between CJK, one space between Latin words."""
    out = ""
    for raw in lines:
        line = clean(raw).strip()
        if not line:
            continue
        if out and _latin(out[-1]) and _latin(line[0]) and (out[-1].isalpha() or line[0].isalpha()):
            out += " "
        out += line
    return out


_COLON = re.compile(r"^\s*([^：:]{1,24}?)\s*[：:]\s*(.*)$", re.S)


def split_label(text: str) -> tuple[str, str] | None:
    """("依据", "《…》") from "依据：《…》"; None when the text has no leading "label：" part."""
    m = _COLON.match(text)
    if not m:
        return None
    return m.group(1), m.group(2)
