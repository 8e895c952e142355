"""The canonical record of SPEC.md, declared once; outputs and checks read it from here."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

FIELD_KEYS: tuple[str, ...] = (
    "reporting_unit",
    "project_name",
    "parent_project",
    "project_category",
    "project_nature",
    "supervising_dept",
    "implementing_unit",
    "project_leader",
    "contact_person",
    "contact_phone",
    "start_date",
    "end_date",
    "period",
    "overview",
    "basis",
    "necessity",
    "feasibility",
    "resources",
    "overall_goal",
    "annual_goal",
    "composition",
    "other_notes",
    # department forms (部门整体支出绩效目标表)
    "department",
    "functions",
    "annual_tasks",
)
DATE_FIELDS = frozenset({"start_date", "end_date"})

FUNDING_KEYS: tuple[str, ...] = (
    "total",
    "total_fiscal",
    "total_other",
    "annual",
    "annual_fiscal",
    "annual_fiscal_superior",
    "annual_fiscal_local",
    "annual_fiscal_subordinate",
    "annual_carryover",
    "annual_other",
    # department forms
    "basic_expense",
    "project_expense",
)

INDICATOR_KEYS: tuple[str, ...] = (
    "level1",
    "level2",
    "level3",
    "level1_code",
    "level2_code",
    "target",
    "target_op",
    "target_value",
    "target_unit",
    "remark",
    "targets",  # every value column's header → its text, where a form has more than one
)
LEVEL1_CODES = ("output", "outcome", "satisfaction", "cost")
LEVEL2_CODES = (
    "quantity",
    "quality",
    "timeliness",
    "cost",
    "economic",
    "social",
    "ecological",
    "sustainability",
    "satisfaction",
    "other",
)
COST_ITEM_KEYS: tuple[str, ...] = (
    "project",
    "activity",
    "detail",
    "amount",
    "unit_price",
    "price_basis",
    "quantity",
    "quantity_basis",
    "remark",
)
COST_AMOUNT_KEYS = frozenset({"amount", "unit_price"})
SAFEGUARD_KEYS: tuple[str, ...] = (
    "system",
    "document",
    "measures",
    "stage_planning",
    "stage_implementation",
    "stage_closing",
)
FLAG_CODES: tuple[str, ...] = (
    "truncated_tail",
    "truncated_head",
    "unbalanced_brackets",
    "clipped_text",
    "duplicated_text",
    "sum_mismatch",
    "missing_field",
    "unmapped_label",
    "low_confidence",
    "ambiguous_checkbox",
    "invalid_value",
    # a person's correction that no longer fits the extracted value (pipelines/corrections.py)
    "correction_conflict",
)
FLAG_KEYS = ("code", "path", "page", "detail")
ERROR_CLASSES = ("not_a_pdf", "encrypted", "corrupt", "empty", "too_large", "timeout", "ocr_unavailable", "internal")


class Flag(BaseModel):
    code: Literal[FLAG_CODES]  # type: ignore[valid-type]
    path: str
    page: int | None = None
    detail: str = ""
    # Set by a reviewer's dismiss_flag decision (corrections.jsonl); absent on a machine record.
    resolved_by: str | None = None
    resolved_at: str | None = None


class Source(BaseModel):
    file: str
    sha256: str
    pages: list[int]
    kind: Literal["digital", "scanned", "mixed"]


FORM_TYPES = ("project", "department")


class Form(BaseModel):
    type: Literal[FORM_TYPES] = "project"  # type: ignore[valid-type]
    title: str | None = None
    year: int | None = None
    amount_unit_original: str | None = None


class Provenance(BaseModel):
    # The machine's values always have a page and a box; a value a reviewer set where the form had
    # none (a derived key, a cell absent from the form) has neither.
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    method: str = "text"  # text | ocr:<engine> | manual (a reviewer's set decision)
    confidence: float = 1.0
    label: str | None = None  # the label as printed on the form, where the value had one
    # Beside a manual value: who set it and when; beside a checked one: who confirmed it and when.
    reviewer: str | None = None
    at: str | None = None
    confirmed_by: str | None = None
    confirmed_at: str | None = None


class Correction(BaseModel):
    """One applied decision of corrections.jsonl, kept in the record's audit list: ``original`` is
    the value before it (the machine's, for the first decision on a path)."""

    path: str
    action: Literal["set", "confirm"]
    original: str | bool | int | None = None
    value: str | bool | int | None = None
    reviewer: str
    at: str
    note: str | None = None


class Record(BaseModel):
    """One filing (one line of filings.jsonl)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    filing_id: str
    source: Source
    form: Form
    fields: dict[str, str | None] = Field(default_factory=dict)
    funding: dict[str, str | None] = Field(default_factory=dict)
    indicators: list[dict[str, str | dict[str, str] | None]] = Field(default_factory=list)
    cost_items: list[dict[str, str | None]] = Field(default_factory=list)
    cost_total: str | None = None
    safeguards: list[dict[str, str | bool | None]] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    provenance: dict[str, Provenance] = Field(default_factory=dict)
    # The audit list of a reviewed record (only there: a machine record has no such key).
    corrections: list[Correction] | None = None

    def model_post_init(self, __context) -> None:
        for name, allowed, rows in (
            ("fields", FIELD_KEYS, [self.fields]),
            ("funding", FUNDING_KEYS, [self.funding]),
            ("indicators", INDICATOR_KEYS, self.indicators),
            ("cost_items", COST_ITEM_KEYS, self.cost_items),
            ("safeguards", SAFEGUARD_KEYS, self.safeguards),
        ):
            for row in rows:
                unknown = set(row) - set(allowed)
                if unknown:
                    raise ValueError(f"{name} has keys outside the schema: {sorted(unknown)}")

    @property
    def status(self) -> str:
        return "flagged" if self.flags else "ok"

    def to_json(self) -> dict:
        """The record as filings.jsonl holds it: the keys of a reviewer's work (and a value's
        missing label) are left out where they are empty, so a machine record has none of them."""
        out = self.model_dump(mode="json")
        _drop_nones(out, ("corrections",))
        for fl in out["flags"]:
            _drop_nones(fl, ("resolved_by", "resolved_at"))
        for entry in out["provenance"].values():
            _drop_nones(entry, ("label", "reviewer", "at", "confirmed_by", "confirmed_at"))
        return out


def _drop_nones(d: dict, keys: tuple[str, ...]) -> None:
    for k in keys:
        if d.get(k) is None:
            d.pop(k, None)


# ---------------------------------------------------------------- the output tables, declared once
# Every tabular output (CSV, Parquet, SQLite, datapackage.json) is generated from this.
# Types: string | decimal (元, two places) | integer | boolean.
Column = tuple[str, str]

OUTPUT_TABLES: dict[str, tuple[Column, ...]] = {
    "filings": (
        ("filing_id", "string"),
        ("source_file", "string"),
        ("source_sha256", "string"),
        ("pages", "string"),
        *((k, "string") for k in FIELD_KEYS),
        *((k, "decimal") for k in FUNDING_KEYS),
        ("amount_unit_original", "string"),
        ("flag_count", "integer"),
        ("status", "string"),
        # beyond SPEC (issue 14): a person's review, from corrections.jsonl
        ("reviewed", "boolean"),
        ("corrections", "integer"),
    ),
    "indicators": (("filing_id", "string"), *((k, "string") for k in INDICATOR_KEYS)),
    "cost_items": (
        ("filing_id", "string"),
        *((k, "decimal" if k in COST_AMOUNT_KEYS else "string") for k in COST_ITEM_KEYS),
    ),
    "safeguards": (
        ("filing_id", "string"),
        *((k, "boolean" if k.startswith("stage_") else "string") for k in SAFEGUARD_KEYS),
    ),
    "flags": (("filing_id", "string"), ("code", "string"), ("path", "string"), ("page", "integer"),
              ("detail", "string"), ("resolved_by", "string"), ("resolved_at", "string")),
    "failures": (("source_file", "string"), ("source_sha256", "string"), ("error_class", "string"),
                 ("message", "string")),
}
PRIMARY_KEYS = {"filings": ("filing_id",)}
FOREIGN_KEYS = {t: "filing_id" for t in ("indicators", "cost_items", "safeguards", "flags")}
