"""Real published forms (../shared/realdata/forms/) against golden records a person wrote by
reading the pages (tests/golden/README.md), never by running jixiao."""

import json
from functools import cache
from pathlib import Path

import pytest

from jixiao.pipelines.api import extract_records, process_file
from tests.conftest import REALDATA, need
from tests.test_samples import comparable

GOLDEN = Path(__file__).resolve().parent / "golden"
PUTUO = "putuo_wanli_jiedao_2023_dept_budget"


@cache
def putuo() -> tuple[list[dict], list[dict]]:
    pdf = need(REALDATA / "forms" / f"{PUTUO}.pdf")
    want = json.loads((GOLDEN / f"{PUTUO}.json").read_text(encoding="utf-8"))
    return extract_records(pdf), want


def test_the_five_real_forms_are_found():
    got, want = putuo()
    assert [r["source"]["pages"] for r in got] == [r["source"]["pages"] for r in want] == [[31], [32], [33], [34], [35]]


@pytest.mark.parametrize("n", range(5), ids=lambda n: f"page{31 + n}")
def test_real_form_gives_its_golden_record(n):
    got, want = putuo()
    g, w = comparable(got[n]), comparable(want[n])
    for key in ("form", "fields", "funding", "cost_items", "cost_total", "safeguards", "source"):
        assert g[key] == w[key], key
    assert len(g["indicators"]) == len(w["indicators"])
    for i, (gi, wi) in enumerate(zip(g["indicators"], w["indicators"])):
        assert gi == wi, f"indicators[{i}]"
    assert g["flags"] == w["flags"]


def test_no_truncation_flag_on_a_complete_real_value():
    got, _ = putuo()
    cut = [(r["source"]["pages"], f["path"]) for r in got for f in r["flags"]
           if f["code"] in ("truncated_tail", "truncated_head", "clipped_text")]
    assert cut == []


@pytest.mark.parametrize("folder", ["no_forms", "forms/xfund_negatives"])
def test_real_pdfs_without_a_form_give_no_filing(folder):
    pdfs = sorted(need(REALDATA / folder).glob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        res = process_file(str(pdf))
        assert res.status == "success", (pdf.name, res.status)
        assert res.records == [], pdf.name
