"""SPEC paths into a canonical record (``fields.annual_goal``, ``indicators[3].target``): where a
path's value lives, what a new value for it must look like, and whether two values are the same.

The paths are those the extractor writes into flags and provenance (normalize/record.py): rows
are counted from 0, an indicator's value columns are ``indicators[i].targets.<header as printed>``.
Pure functions over a record dict, no I/O: corrections are checked and applied with them, and a
review server can check a decision with them before it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from jixiao.normalize import schema
from jixiao.normalize.values import fmt_amount, parse_amount, parse_date


class InvalidDecision(ValueError):
    """A decision that cannot stand for this record (or at all); the message says why, in words
    fit for a reviewer (a server answers 400 with it)."""


_ROW = re.compile(r"^(indicators|cost_items|safeguards)\[(\d+)\]\.(\w+)$")
_TARGET = re.compile(r"^indicators\[(\d+)\]\.targets\.(.+)$")
_KEYED = re.compile(r"^(fields|funding|form)\.(\w+)$")
TARGET_OPS = ("=", "≥", "≤", ">", "<")
# form.amount_unit_original is left out: changing it would not convert the amounts.
FORM_KINDS = {"title": ("text", ()), "year": ("year", ()), "type": ("choice", schema.FORM_TYPES)}


@dataclass
class Slot:
    """Where one value of a record lives: ``holder[key]``, and what kind of value it takes
    (text, amount, date, decimal, flag (a tick), year, choice of ``choices``)."""

    path: str
    holder: dict
    key: str
    kind: str
    choices: tuple = ()

    def get(self):
        return self.holder.get(self.key)


def kind_of(path: str) -> tuple[str, tuple]:
    """(kind, choices) of the value ``path`` names in any record that has it; InvalidDecision for a
    path that names no value at all (its key unknown, its form wrong)."""
    if path == "cost_total":
        return "amount", ()
    if _TARGET.match(path):
        return "text", ()
    m = _KEYED.match(path) or _ROW.match(path)
    found = None
    if m and m.re is _KEYED:
        found = _keyed_kind(m.group(1), m.group(2))
    elif m:
        found = _row_kind(m.group(1), m.group(3))
    if found is None:
        raise InvalidDecision(f"{path!r} is not the path of a value (fields.KEY, funding.KEY, form.title|year|type, "
                              "cost_total, indicators[i].KEY, indicators[i].targets.HEADER, cost_items[i].KEY, "
                              "safeguards[i].KEY, rows counted from 0, keys as SPEC names them)")
    return found


def locate(record: dict, path: str) -> Slot:
    """The slot ``path`` names in ``record``; InvalidDecision for a path that names no value of it
    (an unknown key, a row it does not have, a value column it does not have)."""
    kind, choices = kind_of(path)
    if path == "cost_total":
        return Slot(path, record, "cost_total", kind)
    m = _TARGET.match(path)
    if m:
        row = _row(record, "indicators", int(m.group(1)), path)
        targets = row.get("targets")
        if not isinstance(targets, dict) or m.group(2) not in targets:
            have = ", ".join(targets) if isinstance(targets, dict) else "none"
            raise InvalidDecision(f"{path}: this indicator has no value column {m.group(2)!r} (it has: {have})")
        return Slot(path, targets, m.group(2), kind)
    m = _KEYED.match(path)
    if m:
        holder = record.get(m.group(1))
        if not isinstance(holder, dict):  # every record has the three; this one is not a record
            raise InvalidDecision(f"{path}: this record has no {m.group(1)}")
        return Slot(path, holder, m.group(2), kind, choices)
    m = _ROW.match(path)
    return Slot(path, _row(record, m.group(1), int(m.group(2)), path), m.group(3), kind, choices)


def _keyed_kind(section: str, key: str) -> tuple[str, tuple] | None:
    if section == "fields" and key in schema.FIELD_KEYS:
        return ("date" if key in schema.DATE_FIELDS else "text"), ()
    if section == "funding" and key in schema.FUNDING_KEYS:
        return "amount", ()
    if section == "form":
        return FORM_KINDS.get(key)
    return None


def _row_kind(section: str, key: str) -> tuple[str, tuple] | None:
    if section == "indicators" and key in schema.INDICATOR_KEYS and key != "targets":
        return {"level1_code": ("choice", (*schema.LEVEL1_CODES, None)),
                "level2_code": ("choice", (*schema.LEVEL2_CODES, None)),
                "target_op": ("choice", (*TARGET_OPS, None)),
                "target_value": ("decimal", ())}.get(key, ("text", ()))
    if section == "cost_items" and key in schema.COST_ITEM_KEYS:
        return ("amount" if key in schema.COST_AMOUNT_KEYS else "text"), ()
    if section == "safeguards" and key in schema.SAFEGUARD_KEYS:
        return ("flag" if key.startswith("stage_") else "text"), ()
    return None


def _row(record: dict, section: str, index: int, path: str) -> dict:
    rows = record.get(section) or []
    if index >= len(rows):
        raise InvalidDecision(f"{path}: index {index} is out of range: this filing has {len(rows)} {section} "
                              f"row(s), counted from 0")
    return rows[index]


def normalised(slot: Slot, value):
    """``value`` as the record keeps a value of this slot (an amount in 元 with two places, a date
    as YYYY-MM-DD), or InvalidDecision. None (absent) is allowed where the extractor may give it."""
    if value is None:
        if slot.kind == "choice" and None not in slot.choices:
            raise InvalidDecision(f"{slot.path}: a value is needed, one of {', '.join(map(str, slot.choices))}")
        return None
    if slot.kind == "flag":
        if not isinstance(value, bool):
            raise InvalidDecision(f"{slot.path}: true or false (ticked or not), not {value!r}")
        return value
    if slot.kind == "year":
        return _year(slot, value)
    if not isinstance(value, str):
        raise InvalidDecision(f"{slot.path}: a text value is needed, not {value!r}")
    if slot.kind == "choice" and value not in slot.choices:
        raise InvalidDecision(f"{slot.path}: {value!r} is not one of {', '.join(c for c in slot.choices if c)}")
    if value == "" or slot.kind in ("text", "choice"):
        return value
    return _parsed(slot, value)


def _parsed(slot: Slot, value: str) -> str:
    """An amount, date or decimal, as the extractor writes it."""
    if slot.kind == "amount":
        amount = parse_amount(value, "元")
        if amount is None:
            raise InvalidDecision(f"{slot.path}: {value!r} is not an amount in 元 (e.g. 390000.00)")
        return fmt_amount(amount)
    if slot.kind == "date":
        iso = parse_date(value)
        if iso is None:
            raise InvalidDecision(f"{slot.path}: {value!r} is not a date (YYYY-MM-DD)")
        return iso
    if _decimal(value) is None:
        raise InvalidDecision(f"{slot.path}: {value!r} is not a number")
    return value.strip()


def _year(slot: Slot, value) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2200:
        raise InvalidDecision(f"{slot.path}: {value!r} is not a year")
    return value


def _decimal(text) -> Decimal | None:
    try:
        d = Decimal(str(text).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def same(slot: Slot, current, original) -> bool:
    """Whether the value a reviewer saw (``original``) is the value there now. Amounts are equal
    when they are the same number ("390000" is "390000.00"); anything else must match exactly."""
    if current == original and type(current) is type(original):
        return True
    if slot.kind == "amount" and isinstance(current, str) and isinstance(original, str):
        a, b = parse_amount(current, "元"), parse_amount(original, "元")
        return a is not None and a == b
    return False
