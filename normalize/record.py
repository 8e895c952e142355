"""Sheets → filings → canonical records, with value parsing, checks and flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.extract.model import Document
from jixiao.extract.orient import unturn_box

from . import checks, schema
from .assemble import EXTRA, TARGET_COL, Piece, Sheet, sheets_of
from .labels import TABLE
from .schema import Flag, Provenance, Record
from .text import join_lines
from .values import checkbox_options, fmt_amount, lone_tick, parse_amount, parse_date, parse_target, unit_in

# Text values that get the truncation / bracket / repetition checks.
_TEXT_CHECKED_FIELDS = frozenset(schema.FIELD_KEYS) - {
    "start_date",
    "end_date",
    "contact_phone",
    "project_category",
}
_COST_TEXT = ("project", "activity", "detail", "remark")
_SAFEGUARD_TEXT = ("system", "document", "measures")


@dataclass
class Filing:
    sheets: list[Sheet] = field(default_factory=list)

    @property
    def project_name(self) -> str:
        return next((s.project_name for s in self.sheets if s.project_name), "")

    def accepts(self, sheet: Sheet) -> bool:
        if not self.sheets:
            return True
        name = sheet.project_name
        if name and self.project_name and name != self.project_name:
            return False
        seen = {s.sheet_name for s in self.sheets if s.title}
        return not (sheet.title and sheet.sheet_name and sheet.sheet_name in seen)


def group_filings(sheets: list[Sheet]) -> list[Filing]:
    filings: list[Filing] = []
    for sh in sheets:
        if not filings or not filings[-1].accepts(sh):
            filings.append(Filing())
        filings[-1].sheets.append(sh)
    # A filing must hold a form's content, not only a title page with nothing we know.
    return [f for f in filings if any(s.values or s.indicators or s.cost_items or s.safeguards for s in f.sheets)]


def records_from_document(doc: Document, source_file: str) -> list[Record]:
    filings = group_filings(sheets_of(doc))
    return [RecordBuilder(f, doc, source_file, n).build() for n, f in enumerate(filings, 1)]


LONG_TEXT = 60  # characters: a narrative, not a name, a note or a short phrase
# Points: no layout puts text closer to a ruling (Word, WPS and Excel keep 2-5 pt); where a
# table shows no padding of its own, a line this close to both rulings has overflowed them.
MIN_PAD = 2.0


def _geometry(p: Piece) -> checks.Geometry:
    """Where the piece's last line sits in its cell (only for the cell's last value)."""
    c = p.cell
    if c is None or not p.lines or not p.last:
        return checks.Geometry()
    x0, top, x1, bottom = c.bbox
    last = p.lines[-1]
    size = last.size or (last.bbox[3] - last.bbox[1]) or 10.0
    left_pad = max(min(ln.bbox[0] for ln in c.lines) - x0, 0.0)
    # The padding text keeps from the rulings: the table's usual one where known (a centred
    # line's own left gap says nothing about where the right edge's padding starts).
    edge_pad = min(p.pad if p.pad is not None else 2 * MIN_PAD, left_pad)
    near_edge = last.bbox[2] >= x1 - edge_pad - 1.0 * size
    head_at_edge = False
    if len(c.lines) == 1:
        # A single line that starts at the left padding and either runs into the right padding
        # (a layout keeps text out of it; overflowing text does not) or, when long, fills the
        # whole width (a wrapped line of a longer text). Centred or right-aligned text never
        # starts at the left padding. The padding is the table's usual one where known.
        gap = last.bbox[0] - x0
        pad = p.pad if p.pad is not None else gap
        right_gap = x1 - last.bbox[2]
        centred = gap > pad + 1.0 and abs(gap - right_gap) <= 0.25 * size + 1.0
        starts_left = gap <= 0.6 * size + 1.0 and not centred
        # OCR boxes are reported like a text layer's (character advance, not ink), so one margin
        # serves both; it is tight (tuned on the samples, see the OCR notes in the README).
        intrudes = last.bbox[2] > x1 - max(pad, 1.0) + 0.3
        fills = len(last.text) >= 15 and last.bbox[2] >= x1 - pad - 0.6 * size
        # A line deep inside the padding on both sides (within half of it): a centred line wider
        # than its cell, which spills over both rulings (cut on its left and its right). Half:
        # a scan's boxes move by a few tenths of a point, a complete line never comes that close.
        both_pad = p.pad if p.pad is not None else MIN_PAD
        overflows = gap < both_pad / 2 and right_gap < both_pad / 2
        at_edge = starts_left and (intrudes or fills) or overflows
        head_at_edge = p.first and overflows
    else:
        tops = [ln.bbox[1] for ln in c.lines]
        pitch = sorted(b - a for a, b in zip(tops, tops[1:]))[(len(tops) - 1) // 2]
        room_below = bottom - last.bbox[3] >= max(pitch, size) * 0.9
        # A long narrative at the bottom of a full cell is the typical cut.
        long_text = sum(len(ln.text) for ln in p.lines) >= LONG_TEXT
        # A short text whose lines all fill the width (a name wrapped evenly in a narrow column)
        # shows no cut by itself: only a cut word at the edge (near_edge + the text) tells.
        at_edge = not room_below and long_text
    return checks.Geometry(at_edge=at_edge, near_edge=near_edge, head_at_edge=head_at_edge)


class RecordBuilder:
    def __init__(self, filing: Filing, doc: Document, source_file: str, n: int):
        self.f = filing
        self.doc = doc
        self.source_file = source_file
        self.n = n
        self.flags: list[Flag] = []
        self.prov: dict[str, Provenance] = {}
        first = next((s for s in filing.sheets if s.title), filing.sheets[0])
        self.title = first.title
        self.year = next((s.year for s in filing.sheets if s.year), None)
        self.unit_original = next((s.unit for s in filing.sheets if s.unit), None)
        self.unit = self.unit_original or "元"
        # 部门整体支出绩效目标表: a department, not a project (SPEC "What a filing is")
        self.form_type = "department" if "整体" in (self.title or "") else "project"
        # Pages read turned (sideways or upside down as shown): their boxes go back onto the
        # page as a viewer shows it, where an archivist looks for them.
        self.turned = {pg.number: pg for s in filing.sheets for pg in s.pages if pg.turn}

    # -- helpers
    def flag(self, code: str, path: str, page: int | None, detail: str = "") -> None:
        self.flags.append(Flag(code=code, path=path, page=page, detail=detail))

    def provenance(self, path: str, p: Piece) -> None:
        why = _doubt(p)
        if why:
            self.flag("low_confidence", path, p.page, why)
        bbox = p.bbox
        if bbox is not None and (pg := self.turned.get(p.page)) is not None:
            bbox = tuple(round(v, 2) for v in unturn_box(bbox, pg.turn, pg.width, pg.height))
        self.prov[path] = Provenance(
            page=p.page, bbox=bbox, method=p.method, confidence=round(p.confidence, 3), label=p.label or None
        )

    def text_checks(self, path: str, p: Piece, others: list[str], metric: bool = False) -> None:
        """Flags of a text value; ``metric``: an indicator's name, which may also be cut before
        its suffix (…满意 for …满意度)."""
        v = p.text
        c = p.cell
        if c is not None and (p.first and c.hidden_before or p.last and c.hidden_after):
            before = join_lines(p.cell.hidden_before.split("\n")) if p.first else ""
            after = join_lines(p.cell.hidden_after.split("\n")) if p.last else ""
            self.flag("clipped_text", path, p.page, " … ".join(x for x in (before, after) if x))
        if not v:
            return
        head_cut, tail_cut = checks.cut_piece(v, [o for o in others if o != v])
        geom = _geometry(p)
        why = checks.truncated_tail(v, geom, tail_cut)
        if why is None and p.last and p.cell is not None and p.cell.hidden_after:
            why = "the cell hides the rest of the text"
        if why is None and metric and geom.near_edge:
            # A metric name without its suffix (…满意 for …满意度) is cut only where the text
            # reaches the cell's edge: short names such as 群体满意 or 全覆盖 are complete.
            why = checks.metric_cut(v, TABLE.metric_stems)
        if why:
            self.flag("truncated_tail", path, p.page, why)
        why = checks.truncated_head(v, head_cut, geom)
        if why is None and p.first and p.cell is not None and p.cell.hidden_before:
            why = "the cell hides the start of the text"
        if why:
            self.flag("truncated_head", path, p.page, why)
        for code, check in (
            ("unbalanced_brackets", checks.unbalanced_brackets),
            ("duplicated_text", checks.duplicated_text),
        ):
            why = check(v)
            if why:
                self.flag(code, path, p.page, why)

    def amount(self, path: str, p: Piece | None) -> str | None:
        if p is None:
            return None
        self.provenance(path, p)
        if not p.text or p.text.strip("-— ") == "":
            return "" if not p.text else None
        value = parse_amount(p.text, self.unit)
        if value is None:
            self.flag("invalid_value", path, p.page, f"not an amount: {p.text!r}")
        return fmt_amount(value)

    # -- the record
    def build(self) -> Record:
        values: dict[str, Piece] = {}
        for sh in self.f.sheets:
            for k, p in sh.values.items():
                values.setdefault(k, p)
        long_texts = [p.text for p in values.values() if len(p.text) >= 6]
        if self.form_type == "department":
            _name_the_department(values)
        if self.unit_original is None:
            self.unit_original = _unit_of_amounts(values)
            self.unit = self.unit_original or self.unit
        fields = self.build_fields(values, long_texts)
        funding = {}
        for key in schema.FUNDING_KEYS:
            p = values.get(f"funding.{key}")
            if p is not None:
                funding[key] = self.amount(f"funding.{key}", p)
        indicators = self.build_indicators(long_texts)
        cost_items, cost_total = self.build_costs(long_texts, [p.text for p in values.values()])
        safeguards = self.build_safeguards(long_texts)
        self.unmapped()
        self.extra_columns()
        self.sum_checks(funding, cost_items, cost_total)
        self.required(fields, funding, indicators)
        pages = sorted({pg.number for s in self.f.sheets for pg in s.pages})
        kinds = {pg.kind for s in self.f.sheets for pg in s.pages}
        self.flags.sort(key=lambda fl: (fl.path, fl.code))
        return Record(
            filing_id=f"{self.doc.sha256[:12]}-{self.n}",
            source={
                "file": self.source_file,
                "sha256": self.doc.sha256,
                "pages": pages,
                "kind": kinds.pop() if len(kinds) == 1 else "mixed",
            },
            form={
                "type": self.form_type,
                "title": self.title,
                "year": self.year,
                "amount_unit_original": self.unit_original,
            },
            fields=fields,
            funding=funding,
            indicators=indicators,
            cost_items=cost_items,
            cost_total=cost_total,
            safeguards=safeguards,
            flags=self.flags,
            provenance=self.prov,
        )

    def build_fields(self, values: dict[str, Piece], long_texts: list[str]) -> dict[str, str | None]:
        fields: dict[str, str | None] = {}
        for key in schema.FIELD_KEYS:
            p = values.get(f"fields.{key}")
            if p is None:
                continue
            path = f"fields.{key}"
            self.provenance(path, p)
            v = p.text
            opts = checkbox_options(v)
            if opts is not None:
                chosen = [o for o, t in opts if t]
                if len(chosen) == 1:
                    v = chosen[0]
                else:
                    self.flag(
                        "ambiguous_checkbox",
                        path,
                        p.page,
                        f"{len(chosen)} of {len(opts)} options ticked: " + "、".join(o for o, _ in opts),
                    )
                    v = ""
            elif (options := lone_tick(v)) is not None:
                before, after = options
                self.flag("ambiguous_checkbox", path, p.page,
                          f"one tick between {before!r} and {after!r} (a box not read?); taken as ticking {after!r}")
                v = after
            elif key in schema.DATE_FIELDS and v:
                iso = parse_date(v)
                if iso is None:
                    self.flag("invalid_value", path, p.page, f"not a date: {v!r}")
                else:
                    v = iso
            elif key == "contact_phone" and v and sum(ch.isdigit() for ch in v) < 7:
                self.flag("invalid_value", path, p.page, f"not a phone number: {v!r}")
            if key in _TEXT_CHECKED_FIELDS:
                self.text_checks(path, p, long_texts)
            fields[key] = v
        return fields

    def build_indicators(self, long_texts: list[str]) -> list[dict[str, str | None]]:
        out = []
        for i, rec in enumerate(r for s in self.f.sheets for r in s.indicators):
            row: dict[str, str | None] = {}
            for key in ("level1", "level2", "level3"):
                p = rec.get(key)
                row[key] = p.text if p else None
            row["level1_code"] = TABLE.level_code(row["level1"] or "", 1)
            row["level2_code"] = TABLE.level_code(row["level2"] or "", 2) if row["level2"] else None
            targets = {k[len(TARGET_COL) :]: p for k, p in rec.items() if k.startswith(TARGET_COL)}
            tp = rec.get("target") or _annual_target(targets)
            row["target"] = tp.text if tp else None
            row["target_op"], row["target_value"], row["target_unit"] = parse_target(row["target"] or "")
            up = rec.get("unit")
            if up is not None and up.text and not row["target_unit"]:
                row["target_unit"] = up.text  # a separate 计量单位 column
            rp = rec.get("remark")
            row["remark"] = rp.text if rp else None
            if targets:
                row["targets"] = {header: p.text for header, p in targets.items()}
            for key, p in rec.items():
                if key.startswith(EXTRA) or key == "unit":
                    continue
                path = f"indicators[{i}].{key}"
                if key.startswith(TARGET_COL):
                    path = f"indicators[{i}].targets.{key[len(TARGET_COL) :]}"
                self.provenance(path, p)
                if key in ("level3", "remark"):
                    self.text_checks(path, p, long_texts, metric=key == "level3")
            out.append(row)
        return out

    def build_costs(self, long_texts: list[str], all_values: list[str]):
        items = []
        rows = [r for s in self.f.sheets for r in s.cost_items]
        for i, rec in enumerate(rows):
            row: dict[str, str | None] = {}
            for key in schema.COST_ITEM_KEYS:
                p = rec.get(key)
                path = f"cost_items[{i}].{key}"
                if p is None:
                    continue
                if key in schema.COST_AMOUNT_KEYS:
                    row[key] = self.amount(path, p)
                    continue
                self.provenance(path, p)
                row[key] = p.text
                if key in _COST_TEXT:
                    self.text_checks(path, p, long_texts + [v for v in all_values if len(v) >= 4])
            items.append(row)
        total_piece = next((s.cost_total for s in self.f.sheets if s.cost_total), None)
        cost_total = self.amount("cost_total", total_piece) if total_piece else None
        return items, cost_total or None

    def build_safeguards(self, long_texts: list[str]) -> list[dict]:
        out = []
        for i, rec in enumerate(r for s in self.f.sheets for r in s.safeguards):
            row: dict[str, str | bool | None] = {}
            for key in schema.SAFEGUARD_KEYS:
                v = rec.get(key)
                if isinstance(v, Piece):
                    path = f"safeguards[{i}].{key}"
                    self.provenance(path, v)
                    row[key] = v.text
                    self.text_checks(path, v, long_texts)
                elif isinstance(v, bool):
                    row[key] = v
            out.append(row)
        return out

    def extra_columns(self) -> None:
        """One unmapped_label flag per column whose header the label table does not know (of a
        block or a funding grid), as for any label SPEC has no key for (path "fields"); nothing is
        lost: the detail carries the header and the column's values in row order ("分值: 10 | 5")."""
        columns: dict[tuple[str, str], tuple[int, list[str]]] = {}
        for sh in self.f.sheets:  # one column continued on the next sheet's page is one column
            for key, col in sh.extra_columns.items():
                page, values = columns.setdefault(key, (col.page, []))
                values.extend(col.values)
        for (_block, header), (page, values) in columns.items():
            detail = f"{header}: {' | '.join(values)}" if values else header
            self.flag("unmapped_label", "fields", page, detail)

    def required(self, fields: dict, funding: dict, indicators: list) -> None:
        req = TABLE.required
        page = min((pg.number for s in self.f.sheets for pg in s.pages), default=None)
        for key in req.get("fields", {}).get(self.form_type, []):
            if not fields.get(key):
                self.flag("missing_field", f"fields.{key}", page, "absent" if key not in fields else "empty")
        any_of = req.get("funding_any", [])
        if any_of and not any(funding.get(k) for k in any_of):
            self.flag("missing_field", "funding", page, "no " + " or ".join(any_of))
        if req.get("indicators") and not indicators:
            self.flag("missing_field", "indicators", page, "no performance indicators")

    def unmapped(self) -> None:
        for sh in self.f.sheets:
            for label, p in sh.unmapped:
                label = label.rstrip("：: ")
                detail = f"{label}: {p.text}" if label and p.text else label or f"(no label): {p.text}"
                self.flag("unmapped_label", "fields", p.page, detail)

    def sum_checks(self, funding: dict, items: list[dict], cost_total: str | None) -> None:
        def d(v):
            return Decimal(v) if v not in (None, "") else None

        f = {k: d(v) for k, v in funding.items()}
        page = next((p.page for k, p in self.prov.items() if k.startswith("funding.")), None)

        def check(path: str, total, parts) -> None:
            why = checks.sum_check(total, parts)
            if why:
                self.flag("sum_mismatch", path, page, why)

        if "total_fiscal" in f or "total_other" in f:
            check("funding.total", f.get("total"), [f.get("total_fiscal"), f.get("total_other", Decimal(0))])
        if "annual_fiscal" in f and ("annual_other" in f or "annual_carryover" in f):
            parts = [f.get("annual_fiscal")] + [f[k] for k in ("annual_carryover", "annual_other") if k in f]
            check("funding.annual", f.get("annual"), parts)
        subs = [k for k in ("annual_fiscal_superior", "annual_fiscal_local", "annual_fiscal_subordinate") if k in f]
        if subs and "annual_fiscal" in f:
            check("funding.annual_fiscal", f.get("annual_fiscal"), [f[k] for k in subs])
        elif subs:  # no fiscal subtotal: the annual budget is the sum of its sources
            rest = [k for k in ("annual_carryover", "annual_other") if k in f]
            check("funding.annual", f.get("annual"), [f[k] for k in subs + rest])
        amounts = [d(it.get("amount")) for it in items]
        if items and all(a is not None for a in amounts):
            s = sum(amounts, Decimal(0))
            if cost_total not in (None, ""):
                check("cost_total", d(cost_total), amounts)
            ref = f.get("annual") if f.get("annual") is not None else f.get("total")
            if ref is not None and s != ref and (f.get("total") is None or s != f.get("total")):
                self.flag("sum_mismatch", "cost_items", page, f"cost items add up to {s}, the budget is {ref}")
        for i, it in enumerate(items):
            amt, price, qty = d(it.get("amount")), d(it.get("unit_price")), _num(it.get("quantity"))
            if amt is not None and price is not None and qty is not None and (price * qty).quantize(amt) != amt:
                self.flag("sum_mismatch", f"cost_items[{i}].amount", page, f"{amt} ≠ {price} × {qty}")


def _doubt(p: Piece) -> str | None:
    """Why a value's reading is doubtful (a low_confidence flag), or None: an OCR reading with low
    confidence or a likely look-alike mark; a text layer that cannot spell some of its glyphs."""
    if not p.text:
        return None
    if not p.method.startswith("ocr"):
        n = checks.unspellable(p.text)
        return f"the text layer has no Unicode for {n} character(s) of this value; read them on the page" if n else None
    bound = checks.low_confidence_bound(p.text)
    if p.confidence < bound:
        return f"OCR confidence {p.confidence:.2f} is below {bound:.2f}"
    return checks.ocr_lookalike(p.text, TABLE.lookalike)


def _name_the_department(values: dict[str, Piece]) -> None:
    """SPEC: on a department form 单位名称 names the department itself, not who filed."""
    if "fields.department" not in values and "fields.reporting_unit" in values:
        values["fields.department"] = values.pop("fields.reporting_unit")


def _unit_of_amounts(values: dict[str, Piece]) -> str | None:
    """The money unit every printed amount carries ("10000万元"), where no line or label names one."""
    units = {unit_in(p.text) for k, p in values.items() if k.startswith("funding.") and p.text}
    return units.pop() if len(units) == 1 else None


def _annual_target(targets: dict[str, Piece]) -> Piece | None:
    """The annual one of several value columns (SPEC: ``target`` is the annual one, or the first)."""
    if not targets:
        return None
    return next((p for header, p in targets.items() if "年度" in header), next(iter(targets.values())))


def _num(v: str | None) -> Decimal | None:
    try:
        return Decimal(v.replace(",", "")) if v else None
    except Exception:
        return None
