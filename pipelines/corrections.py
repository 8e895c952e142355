"""Corrections as data (issue 14): ``OUTDIR/corrections.jsonl``, a person's decisions about the
extracted values, one JSON object a line, only ever appended to.

    {"filing_id": "a54e3d5a83a8-1", "path": "fields.annual_goal", "action": "set", "value": "…",
     "original": "…", "reviewer": "wang", "at": "2025-03-01T10:00:00+08:00", "note": "…"}

Actions: ``set`` (the value is ``value``), ``confirm`` (a person checked the value), and
``dismiss_flag`` (the flags of code ``flag`` on ``path`` need no more attention). ``original`` is
the value the reviewer saw. Every rebuild of the outputs applies the decisions to the records
before they are rendered (``Corrections.apply``), in file order, each only while the value there
still equals its ``original``: one that no longer does is a conflict (a ``correction_conflict``
flag and run_summary.json), never applied, so the file never changes a value behind anyone's back.

A review server checks a decision with ``check_decision`` and writes it with ``append_decision``.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from jixiao.normalize.schema import FLAG_CODES
from jixiao.normalize.values import parse_target

from .errors import UsageError
from .inputs import display_path
from .outputs import reviewed
from .record_paths import InvalidDecision, Slot, kind_of, locate, normalised, same

CORRECTIONS = "corrections.jsonl"
ACTIONS = ("set", "confirm", "dismiss_flag")
CONFLICT = "correction_conflict"
_FILING_ID = re.compile(r"^[0-9a-f]{12}-\d+$")
log = logging.getLogger("jixiao")


@dataclass(frozen=True)
class Decision:
    """One line of corrections.jsonl, checked; ``value`` normalised as the record keeps it.
    ``has_original``: a dismiss_flag on a path that names no value (``fields``) may leave it out."""

    filing_id: str
    path: str
    action: str
    reviewer: str
    at: str
    original: object = None
    has_original: bool = True
    value: object = None
    flag: str | None = None
    note: str = ""
    line: int = 0  # in corrections.jsonl, from 1 (0: not read from the file)

    def to_json(self) -> dict:
        out = {"filing_id": self.filing_id, "path": self.path, "action": self.action}
        if self.action == "set":
            out["value"] = self.value
        if self.action == "dismiss_flag":
            out["flag"] = self.flag
        if self.has_original:
            out["original"] = self.original
        out.update(reviewer=self.reviewer, at=self.at)
        if self.note:
            out["note"] = self.note
        return out


def parse_decision(obj, line: int = 0) -> Decision:
    """A decision from its JSON object, checked for what needs no record: the keys, their types,
    the action, the path's form and a set's value (an amount that parses, a date, …)."""
    if not isinstance(obj, dict):
        raise InvalidDecision("a decision is a JSON object")
    action = obj.get("action")
    if action not in ACTIONS:
        raise InvalidDecision(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    for key in ("filing_id", "path", "reviewer", "at"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise InvalidDecision(f"{key!r} is missing or not a text")
    if not _FILING_ID.match(obj["filing_id"]):
        raise InvalidDecision(f"filing_id {obj['filing_id']!r} is not one (<first 12 hex of sha256>-<n>)")
    _check_time(obj["at"])
    if not isinstance(obj.get("note", ""), str):
        raise InvalidDecision("'note' is not a text")
    d = Decision(obj["filing_id"], obj["path"], action, obj["reviewer"], obj["at"], obj.get("original"),
                 "original" in obj, note=obj.get("note") or "", line=line)
    if action == "dismiss_flag":
        return _dismissal(obj, d)
    kind, choices = kind_of(d.path)
    if not d.has_original:
        raise InvalidDecision(f"a {action} needs 'original' (the value the reviewer saw; null for none)")
    if action == "confirm":
        return d
    if "value" not in obj:
        raise InvalidDecision("a set needs 'value'")
    value = normalised(Slot(d.path, {}, "", kind, choices), obj["value"])
    return replace(d, value=value)


def _dismissal(obj: dict, d: Decision) -> Decision:
    flag = obj.get("flag")
    if flag == CONFLICT:
        raise InvalidDecision(f"a {CONFLICT} flag is not dismissed: confirm the value there now, or set it")
    if flag not in FLAG_CODES:
        raise InvalidDecision(f"flag {flag!r} is not a flag code")
    if not d.has_original and _names_a_value(d.path):
        raise InvalidDecision("a dismiss_flag on a value needs 'original' (the value the reviewer saw)")
    return replace(d, flag=flag)


def _names_a_value(path: str) -> bool:
    try:
        kind_of(path)
    except InvalidDecision:
        return False  # a flag on a whole section ("fields", "cost_items")
    return True


def _check_time(text: str) -> None:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise InvalidDecision(f"'at' {text!r} is not an ISO time (e.g. 2025-03-01T10:00:00+08:00)") from None


# ---------------------------------------------------------------- checking against a record


def check_decision(record: dict, obj) -> Decision:
    """The decision ``obj`` checked against ``record`` as the outputs show it now (corrections
    applied): InvalidDecision, with a message for the reviewer, when it cannot be applied (another
    filing, a path the record does not have, a bad value, a flag that is not there, or a stale
    ``original``). For a server, before ``append_decision``."""
    d = parse_decision(obj)
    if d.filing_id != record.get("filing_id"):
        raise InvalidDecision(f"the decision names filing {d.filing_id}, the record is {record.get('filing_id')}")
    if d.action == "dismiss_flag" and not _flags_of(record, d):
        raise InvalidDecision(f"{d.path}: this filing has no {d.flag} flag there")
    _current(record, d)
    return d


def _current(record: dict, d: Decision) -> tuple[Slot | None, object]:
    """(the slot of ``d``'s path, its value), checked against ``d.original``: InvalidDecision when
    the record has no such value or the value there is not the one the reviewer saw."""
    if d.action == "dismiss_flag" and not (d.has_original and _names_a_value(d.path)):
        return None, None
    slot = locate(record, d.path)
    now = slot.get()
    if not same(slot, now, d.original):
        raise InvalidDecision(f"{d.path}: the reviewer saw {_shown(d.original)}, the value is now {_shown(now)}")
    return slot, now


def _flags_of(record: dict, d: Decision) -> list[dict]:
    return [f for f in record.get("flags") or [] if f.get("code") == d.flag and f.get("path") == d.path]


def _shown(v) -> str:
    return json.dumps(v, ensure_ascii=False)


# ---------------------------------------------------------------- applying to a record


@dataclass
class Outcome:
    """What a filing's decisions did (summed over a run for run_summary.json)."""

    applied: Counter = field(default_factory=Counter)  # by action
    conflicts: list[dict] = field(default_factory=list)
    superseded: int = 0  # conflicts a later set/confirm on the same path made moot
    obsolete: int = 0  # dismissals of a flag the filing no longer has


def apply_to_record(record: dict, decisions: list[Decision]) -> Outcome:
    """Apply ``decisions`` (this filing's, in file order) to ``record``, in place. One whose
    ``original`` is not the value there at its turn is a conflict, unless a later set or confirm
    on the same path is applied (the reviewer decided again): the conflicts left are flagged."""
    out = Outcome()
    waiting: dict[str, list[dict]] = {}  # path → conflicts not yet superseded
    for d in decisions:
        try:
            done = _dismiss(record, d) if d.action == "dismiss_flag" else _decide(record, d)
        except InvalidDecision as e:
            waiting.setdefault(d.path, []).append(_conflict(record, d, str(e)))
            continue
        if not done:
            out.obsolete += 1
            continue
        out.applied[d.action] += 1
        if d.action != "dismiss_flag":
            out.superseded += len(waiting.pop(d.path, []))
    for conflicts in waiting.values():
        for c in conflicts:
            _flag_conflict(record, c)
            out.conflicts.append(c)
    return out


def _decide(record: dict, d: Decision) -> bool:
    """Apply a set or confirm: the value, its provenance, and an entry in the audit list."""
    slot, now = _current(record, d)
    prov = record.setdefault("provenance", {})
    entry = dict(prov.get(d.path) or {})
    if d.action == "set":
        slot.holder[slot.key] = d.value
        if re.fullmatch(r"indicators\[\d+\]\.target", d.path):
            _derive_target(slot.holder, now)
        entry.pop("confirmed_by", None)
        entry.pop("confirmed_at", None)
        prov[d.path] = {**entry, "method": "manual", "confidence": 1.0, "reviewer": d.reviewer, "at": d.at}
    elif entry:  # a derived value (target_value, …) has no provenance entry to mark
        prov[d.path] = {**entry, "confirmed_by": d.reviewer, "confirmed_at": d.at}
    audit = {"path": d.path, "action": d.action, "original": now, "value": slot.get(), "reviewer": d.reviewer,
             "at": d.at}
    if d.note:
        audit["note"] = d.note
    record.setdefault("corrections", []).append(audit)
    return True


def _derive_target(row: dict, old_target) -> None:
    """An indicator's op, value and unit from its new target, as the extractor derives them; a unit
    the old target did not carry came from a separate 计量单位 column and stays."""
    op, value, unit = parse_target(row.get("target") or "")
    if unit is None and parse_target(old_target or "")[2] is None:
        unit = row.get("target_unit")
    row["target_op"], row["target_value"], row["target_unit"] = op, value, unit


def _dismiss(record: dict, d: Decision) -> bool:
    """Resolve the flags of ``d.flag`` on ``d.path`` (they stay, marked); False when there is none
    (the filing, read again, no longer has it)."""
    flags = _flags_of(record, d)
    if not flags:
        return False
    _current(record, d)
    for fl in flags:
        fl["resolved_by"], fl["resolved_at"] = d.reviewer, d.at
    return True


def _conflict(record: dict, d: Decision, reason: str) -> dict:
    c = {"filing_id": d.filing_id, "path": d.path, "action": d.action, "line": d.line, "reviewer": d.reviewer,
         "at": d.at, "original": d.original}
    if d.action == "set":
        c["value"] = d.value
    if d.action == "dismiss_flag":
        c["flag"] = d.flag
    try:
        c["now"] = locate(record, d.path).get()
    except InvalidDecision:
        pass  # the path names nothing in the record now: the reason says so
    c["reason"] = reason
    return c


def _flag_conflict(record: dict, c: dict) -> None:
    what = {"set": f"set {_shown(c.get('value'))}", "confirm": "confirmed the value",
            "dismiss_flag": f"dismissed {c.get('flag')}"}[c["action"]]
    detail = f"{c['reviewer']} ({c['at']}, {CORRECTIONS} line {c['line']}) {what}; not applied: {c['reason']}"
    page = ((record.get("provenance") or {}).get(c["path"]) or {}).get("page")
    flags = record.setdefault("flags", [])
    flags.append({"code": CONFLICT, "path": c["path"], "page": page, "detail": detail})
    flags.sort(key=lambda fl: (fl["path"], fl["code"]))  # the extractor's order


# ---------------------------------------------------------------- the file


def load(outdir: Path) -> Corrections:
    """OUTDIR's decisions (none when there is no file). A line that is not a decision is skipped
    and named in the notes; a file that cannot be read stops the run (exit 1) rather than have the
    outputs silently drop every correction."""
    path = Path(outdir) / CORRECTIONS
    try:
        data = _read_locked(path)
    except FileNotFoundError:
        return Corrections([], [])
    except OSError as e:
        raise UsageError(f"cannot read {display_path(path)}: {e.strerror or e}") from e
    decisions, notes = [], []
    for n, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            decisions.append(parse_decision(json.loads(raw.decode("utf-8")), n))
        except (ValueError, InvalidDecision) as e:  # bad UTF-8 and bad JSON are ValueErrors too
            notes.append(f"line {n}: {_why(e)}; skipped (the line is kept)")
    return Corrections(decisions, notes)


def _why(e: Exception) -> str:
    if isinstance(e, InvalidDecision):
        return str(e)
    return f"not a JSON line ({e})"


def _read_locked(path: Path) -> bytes:
    """The file's bytes, read under a shared lock: never half of a line being appended."""
    import fcntl

    with open(path, "rb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_SH)
        return f.read()


def append_decision(outdir: str | Path, obj) -> Decision:
    """Append one decision (checked by ``parse_decision``: a line ``load`` would skip is never
    written) as one line: under an exclusive lock, so two writers never interleave, in one
    O_APPEND write, fsynced. A last line cut short by a crash stays a line of its own."""
    import fcntl

    d = parse_decision(obj)
    line = (json.dumps(d.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(Path(outdir) / CORRECTIONS, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line
        while line:
            line = line[os.write(fd, line):]
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the lock
    return d


# ---------------------------------------------------------------- one run's decisions


class Corrections:
    """The decisions of a run, by filing, and what applying them did (``summary``)."""

    def __init__(self, decisions: list[Decision], notes: list[str]):
        self.by_filing: dict[str, list[Decision]] = {}
        for d in decisions:
            self.by_filing.setdefault(d.filing_id, []).append(d)
        self.prefixes = {fid.rsplit("-", 1)[0] for fid in self.by_filing}
        self.count = len(decisions)
        self.notes = notes
        self.outcome = Outcome()
        self.seen: set[str] = set()
        self.reviewed = 0

    def touches(self, digest: str) -> bool:
        """Whether any decision names a filing of the input with this sha256."""
        return digest[:12] in self.prefixes

    def apply(self, res: dict) -> dict:
        """``res`` (one input's result) with its filings' decisions applied, in place."""
        for rec in res.get("records") or []:
            decisions = self.by_filing.get(rec.get("filing_id"))
            if not decisions:
                continue
            self.seen.add(rec["filing_id"])
            one = apply_to_record(rec, decisions)
            self.outcome.applied.update(one.applied)
            self.outcome.conflicts += one.conflicts
            self.outcome.superseded += one.superseded
            self.outcome.obsolete += one.obsolete
            self.reviewed += reviewed(rec)
        return res

    def summary(self) -> dict:
        """run_summary.json's ``corrections``."""
        o = self.outcome
        return {
            "file": CORRECTIONS,
            "decisions": self.count,
            "malformed": len(self.notes),
            "applied": sum(o.applied.values()),
            "applied_by_action": {a: o.applied[a] for a in ACTIONS},
            "conflict_count": len(o.conflicts),
            "conflicts": o.conflicts,
            "superseded": o.superseded,
            "obsolete": o.obsolete,
            "orphaned": sum(len(ds) for fid, ds in self.by_filing.items() if fid not in self.seen),
            "reviewed_filings": self.reviewed,
        }
