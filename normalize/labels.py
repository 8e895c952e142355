"""The label table (labels.toml): loading, validation, and matching printed labels to keys.

Matching goes exact alias → normalised alias → fuzzy (edit distance on the normalised text,
with a threshold and a margin over the runner-up), so OCR damage and new variants still land
on the right key and a label that matches nothing is reported, never dropped.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jixiao.extract.classify import Signature

from . import schema

TABLE_PATH = Path(__file__).with_name("labels.toml")

# Kinds of key in the table, and where their keys must come from.
_KIND_KEYS = {
    "fields": schema.FIELD_KEYS,
    "funding": schema.FUNDING_KEYS,
    "funding_contextual": ("fiscal", "other"),
    "sections": ("funding", "approval", "goals", "composition_breakdown", "safeguards", "amount_unit", "sign"),
    "funding_columns": ("amount",),
    "funding_rows": schema.FUNDING_KEYS,
    "indicator_columns": ("level1", "level2", "level3", "target", "unit", "remark"),
    "cost_columns": (*schema.COST_ITEM_KEYS, "basis", "total_row"),
    "safeguard_columns": ("system", "document", "measures", "stages"),
    "level1_codes": schema.LEVEL1_CODES,
    "level2_codes": schema.LEVEL2_CODES,
}
# Kinds whose labels stand in the running text of a form (label cells, "label：value" lines).
# Column headers are matched separately, only where a header row is expected.
TEXT_KINDS = ("fields", "funding", "funding_contextual", "sections")

_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．](?!\d))")
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
_TRAIL = re.compile(r"[：:;；,，.。、\s]+$")
_REFERENCE = re.compile(r"^(?:详见|参见|见|注)")


class LabelTableError(ValueError):
    pass


def normalise(text: str) -> str:
    """A label's comparable form: NFKC, no spaces, no enumerator, no trailing colon, no 其中."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s+", "", t)
    t = _TRAIL.sub("", t)
    t = _ENUM.sub("", t)
    t = re.sub(r"^其中[:：]?", "", t)
    return t


def printed_as_label(text: str) -> bool:
    """The text carries a label's marks: an enumerator, a trailing colon or a leading 其中."""
    return normalise(text) != re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def strip_parens(text: str) -> str:
    return _PAREN.sub("", text)


@dataclass(frozen=True)
class Match:
    kind: str  # one of _KIND_KEYS
    key: str
    score: float  # 1.0 exact
    method: str  # exact | normalised | fuzzy


@dataclass(frozen=True, eq=False)
class LabelTable:
    entries: dict[str, dict[str, tuple[str, ...]]]  # kind → key → aliases
    index: dict[str, tuple[str, str]]  # normalised alias → (kind, key)
    metric_stems: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lookalike: dict[str, frozenset[str]] = field(default_factory=dict)
    required: dict = field(default_factory=dict)
    # [signature]: the labels that make an untitled ruled page a form (extract's page test)
    signature: Signature = field(default_factory=Signature)
    # [label_shape]: the endings and length of a label the table does not know
    label_endings: tuple[str, ...] = ()
    label_max_chars: int = 12
    # [heading_shape]: the endings and length of a heading printed across a table (绩效项目指标表)
    heading_endings: tuple[str, ...] = ()
    heading_max_chars: int = 20
    # [label_form_only]: normalised aliases that are labels only where printed as one
    form_only: frozenset[str] = frozenset()

    def label_shaped(self, text: str) -> bool:
        """A cell that reads as a label the table does not know (short, no digits, a label's ending)."""
        t = normalise(strip_parens(text))
        if not 2 <= len(t) <= self.label_max_chars or any(ch.isdigit() for ch in t):
            return False
        if any(p in t for p in "，。；、,;"):
            return False
        return t.endswith(self.label_endings)

    def heading_shaped(self, text: str) -> bool:
        """A text that reads as the title of a table part (short, no sentence, a heading's ending);
        a reference to one ("详见附表") is a sentence, not a heading."""
        t = normalise(text)
        if not 2 <= len(t) <= self.heading_max_chars or _REFERENCE.match(t):
            return False
        if any(p in t for p in "，。；：:,;"):
            return False
        return t.endswith(self.heading_endings)

    def match(self, text: str, kinds: tuple[str, ...] = TEXT_KINDS, fuzzy: bool = True) -> Match | None:
        """The key a printed label stands for, or None."""
        if not text or len(text) > 40:
            return None
        return _match(self, text, kinds, fuzzy)

    def _match(self, text: str, kinds: tuple[str, ...], fuzzy: bool) -> Match | None:
        # A bare common word ("其他") is no label; "三、其他：" is.
        skip = frozenset() if printed_as_label(text) else self.form_only
        for candidate, method in ((normalise(text), "normalised"), (normalise(strip_parens(text)), "normalised")):
            hit = self.index.get(candidate)
            if hit and hit[0] in kinds and candidate not in skip:
                exact = candidate == text.strip()
                return Match(hit[0], hit[1], 1.0, "exact" if exact else method)
        if not fuzzy:
            return None
        return self._fuzzy(normalise(strip_parens(text)), kinds, skip)

    def _fuzzy(
        self,
        t: str,
        kinds: tuple[str, ...],
        skip: frozenset[str] = frozenset(),
        threshold: float = 0.75,
        margin: float = 0.08,
    ) -> Match | None:
        if len(t) < 2:
            return None
        scored: list[tuple[float, str, str]] = []
        for alias, (kind, key) in self.index.items():
            if kind not in kinds or alias in skip or abs(len(alias) - len(t)) > max(2, len(alias) // 3):
                continue
            scored.append((similarity(t, alias, self.lookalike), kind, key))
        if not scored:
            return None
        scored.sort(reverse=True)
        best, kind, key = scored[0]
        runner = next((s for s, k, kk in scored[1:] if (k, kk) != (kind, key)), 0.0)
        if best >= threshold and best - runner >= margin:
            return Match(kind, key, round(best, 3), "fuzzy")
        return None

    def aliases(self, kind: str) -> dict[str, tuple[str, ...]]:
        return self.entries.get(kind, {})

    # Record keys whose label is a shared one: 其中：财政资金 under a total or an annual row, one
    # 阶段 header over the three stage columns (the assembler's mapping, read backwards).
    _SHARED = {
        ("funding", "total_fiscal"): ("funding_contextual", "fiscal"),
        ("funding", "total_other"): ("funding_contextual", "other"),
        ("funding", "annual_other"): ("funding_contextual", "other"),
        ("safeguard_columns", "stage_planning"): ("safeguard_columns", "stages"),
        ("safeguard_columns", "stage_implementation"): ("safeguard_columns", "stages"),
        ("safeguard_columns", "stage_closing"): ("safeguard_columns", "stages"),
    }

    def typical_label(self, kind: str, key: str) -> str:
        """The usual printed label of a record key ("" if the table has none)."""
        kind2, key2 = self._SHARED.get((kind, key), (kind, key))
        aliases = self.aliases(kind2).get(key2) or self.aliases(kind).get(key) or ()
        return aliases[0] if aliases else ""

    def column(self, text: str, kind: str) -> str | None:
        """The column key a header cell stands for within one block (indicator, cost, safeguard)."""
        if not text or len(text) > 30:
            return None
        return _column(self, text, kind)

    def level_code(self, text: str, level: int) -> str | None:
        """The code of an indicator level from the keywords its printed name contains."""
        t = normalise(text)
        if not t:
            return None
        for code, words in self.aliases(f"level{level}_codes").items():
            if any(w in t for w in words):
                return code
        return "other" if level == 2 else None


LOOKALIKE_COST = 0.3  # substituting a character OCR confuses with it costs this, not 1


@lru_cache(maxsize=65536)
def _match(table: LabelTable, text: str, kinds: tuple[str, ...], fuzzy: bool) -> Match | None:
    return table._match(text, kinds, fuzzy)


@lru_cache(maxsize=8192)
def _column_index(table: LabelTable, kind: str) -> dict[str, str]:
    return {normalise(a): key for key, aliases in table.aliases(kind).items() for a in aliases}


@lru_cache(maxsize=65536)
def _column(table: LabelTable, text: str, kind: str) -> str | None:
    index = _column_index(table, kind)
    full = normalise(text)
    return index.get(normalise(strip_parens(text)) or full) or index.get(full)


def similarity(a: str, b: str, lookalike: dict[str, frozenset[str]] | None = None) -> float:
    """1 − normalised Levenshtein distance, where OCR look-alike substitutions cost less."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    look = lookalike or {}
    prev = [float(j) for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        cur = [float(i)]
        alike = look.get(ca, frozenset())
        for j, cb in enumerate(b, 1):
            sub_cost = 0.0 if ca == cb else (LOOKALIKE_COST if cb in alike else 1.0)
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + sub_cost))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))


def build_table(data: dict) -> LabelTable:
    """Validate raw TOML data into a LabelTable; raises LabelTableError with every problem found."""
    problems: list[str] = []
    data = dict(data)
    entries: dict[str, dict[str, tuple[str, ...]]] = {}
    required = data.pop("required", {})
    by_type = required.get("fields", {})
    if not isinstance(by_type, dict) or set(by_type) - set(schema.FORM_TYPES):
        problems.append(f"[required] fields must map form types {schema.FORM_TYPES} to lists of fields")
        by_type = {}
    for form_type, keys in by_type.items():
        for key in keys:
            if key not in schema.FIELD_KEYS:
                problems.append(f"[required] fields.{form_type}: {key} is not a field of the schema")
    for key in required.get("funding_any", []):
        if key not in schema.FUNDING_KEYS:
            problems.append(f"[required] funding_any: {key} is not a funding key of the schema")
    signature = data.pop("signature", {})
    label_shape = data.pop("label_shape", {})
    heading_shape = data.pop("heading_shape", {})
    form_only = data.pop("label_form_only", {}).get("aliases", [])
    problems += _signature_problems(signature) + _shape_problems("label_shape", label_shape)
    problems += _shape_problems("heading_shape", heading_shape)
    metric_stems = data.pop("metric_stems", {})
    groups = data.pop("ocr_lookalikes", {}).get("groups", [])
    lookalike = {}
    for g in groups:
        for ch in g:
            lookalike.setdefault(ch, set()).update(set(g) - {ch})
    if not all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in metric_stems.values()):
        problems.append("[metric_stems] values must be lists of suffixes")
    for kind, keys in data.items():
        if kind not in _KIND_KEYS:
            problems.append(f"unknown table [{kind}]")
            continue
        entries[kind] = {}
        for key, aliases in keys.items():
            if key not in _KIND_KEYS[kind]:
                problems.append(f"[{kind}] {key} is not a key of the schema")
            if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
                problems.append(f"[{kind}] {key} must be a list of non-empty strings")
                continue
            entries[kind][key] = tuple(aliases)
    index: dict[str, tuple[str, str]] = {}
    for kind in TEXT_KINDS:
        for key, aliases in entries.get(kind, {}).items():
            for alias in aliases:
                n = normalise(alias)
                if n in index and index[n] != (kind, key):
                    problems.append(f"alias {alias!r} maps to both {index[n]} and {(kind, key)}")
                index[n] = (kind, key)
    for alias in form_only:
        if normalise(alias) not in index:
            problems.append(f"[label_form_only] {alias!r} is no alias of a label")
    for kind in _KIND_KEYS:
        if kind not in entries:
            problems.append(f"table [{kind}] is missing")
    if problems:
        raise LabelTableError("label table is invalid:\n  " + "\n  ".join(problems))
    return LabelTable(
        entries,
        index,
        {k: tuple(v) for k, v in metric_stems.items()},
        {k: frozenset(v) for k, v in lookalike.items()},
        required,
        Signature(
            words=tuple(signature.get("words", ())),
            required=tuple(tuple(g) for g in signature.get("required", ())),
            negative=tuple(signature.get("negative", ())),
            min_words=signature.get("min_words", 5),
        ),
        tuple(label_shape.get("endings", ())),
        label_shape.get("max_chars", 12),
        tuple(heading_shape.get("endings", ())),
        heading_shape.get("max_chars", 20),
        frozenset(normalise(a) for a in form_only),
    )


def _signature_problems(sig: dict) -> list[str]:
    def words(v) -> bool:
        return isinstance(v, list) and all(isinstance(s, str) and s.strip() for s in v)

    out = []
    if set(sig) - {"words", "required", "negative", "min_words"}:
        out.append(f"[signature] unknown keys: {sorted(set(sig) - {'words', 'required', 'negative', 'min_words'})}")
    if not words(sig.get("words", [])) or not words(sig.get("negative", [])):
        out.append("[signature] words and negative must be lists of non-empty strings")
    if not all(words(g) and g for g in sig.get("required", [])):
        out.append("[signature] required must be a list of non-empty lists of strings")
    if not isinstance(sig.get("min_words", 1), int) or sig.get("min_words", 1) < 1:
        out.append("[signature] min_words must be a positive integer")
    return out


def _shape_problems(name: str, shape: dict) -> list[str]:
    """Problems of a [label_shape]-like table: endings and a maximum length."""
    out = []
    if not all(isinstance(e, str) and e for e in shape.get("endings", [])):
        out.append(f"[{name}] endings must be non-empty strings")
    if not isinstance(shape.get("max_chars", 12), int) or shape.get("max_chars", 12) < 2:
        out.append(f"[{name}] max_chars must be an integer of at least 2")
    return out


@lru_cache(maxsize=1)
def load(path: str | None = None) -> LabelTable:
    with open(path or TABLE_PATH, "rb") as f:
        return build_table(tomllib.load(f))


TABLE = load()  # validated at import: a broken table never gets as far as a run
