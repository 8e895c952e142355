"""Damaged and hostile PDFs (../shared/fuzz/): each reproduction of the README's table does what its
"what should happen" column says, and a CI-sized run of the mutant generator ends with every
input accounted for, no traceback and no `internal` failure."""

import re
import time
import zlib
from pathlib import Path

import pytest

from jixiao.pipelines.api import Options, process_file

from .badinputs import _pdf
from .conftest import REALDATA, SAMPLES, SHARED, need

FUZZ = SHARED / "fuzz"
INPUTS = FUZZ / "inputs"
ACTION_NOTE = re.compile(r"carries .* actions")


def run(path: Path, **options):
    return process_file(str(path), Options(**options))


def reproduction(name: str) -> Path:
    return need(INPUTS / name)


def contents(records: list[dict]) -> list[tuple]:
    """What a filing says (its fields, funding, indicators), without where it came from."""
    return [(r["fields"], r["funding"], r["indicators"]) for r in records]


def damage_notes(res) -> list[str]:
    return [n for n in res.soft_errors if re.match(r"page \d+ is damaged and was not read: \S", n)]


# ---------------------------------------------------------------- one damaged page, the rest read


def test_a_page_that_cannot_be_loaded_is_named_and_both_filings_come_out():
    res = run(reproduction("badpage1_xuhui.pdf"))
    intact = run(SAMPLES / "budget_disclosure_2026_xuhui.pdf")
    assert res.status == "partial", res.message
    assert len(res.records) == 2
    assert contents(res.records) == contents(intact.records)
    assert damage_notes(res), res.soft_errors


@pytest.mark.parametrize("name", ["shortmediabox_p1_xuhui.pdf", "nanmediabox_p1_xuhui.pdf"])
def test_a_page_with_a_broken_mediabox_is_named_and_the_filings_come_out(name):
    res = run(reproduction(name))
    intact = run(SAMPLES / "budget_disclosure_2026_xuhui.pdf")
    assert res.status == "partial", res.message
    assert contents(res.records) == contents(intact.records)
    (note,) = damage_notes(res)
    assert note.startswith("page 1 ") and "MediaBox" in note


def test_a_page_pdfium_cannot_parse_is_named():
    """A 10,000-deep dictionary in the page: PDFium reads the page as empty; pdfminer reads it."""
    res = run(reproduction("m0522_deepnest_district_202.pdf"))
    assert res.status in ("success", "partial")
    assert any(re.match(r"page 1\b", n) for n in res.soft_errors), res.soft_errors
    assert contents(res.records) == contents(run(SAMPLES / "district_2026_jingan.pdf").records)


# The README's examples of the 61 `internal` failures: NaN / short / string MediaBox, Ascii85
# overflow, a None, an invalid dictionary, an unsupported filter.
@pytest.mark.parametrize("name", [
    "m0505_mediabox_province_202.pdf", "m0508_mediabox_province_202.pdf", "m0501_mediabox_district_202.pdf",
    "m0172_delrange_province_202.pdf", "m0315_byteflip_seed_2020_mi.pdf", "m0148_byteflip_province_202.pdf",
    "m0354_delrange_seed_2020_mi.pdf",
])
def test_a_damaged_pdf_is_corrupt_or_its_undamaged_pages_are_read(name):
    res = run(reproduction(name))
    assert res.error_class != "internal", res.message
    if res.status == "failure":
        assert res.error_class == "corrupt", res.message
        assert "Traceback" not in res.message and "traceback" not in res.message
    else:
        assert res.records, res.soft_errors


def test_a_pdf_whose_every_page_is_damaged_is_corrupt_and_says_which_page():
    res = run(reproduction("m0508_mediabox_province_202.pdf"))
    assert (res.status, res.error_class) == ("failure", "corrupt")
    assert "page 1" in res.message and "MediaBox" in res.message


def test_an_xref_claiming_a_billion_objects_is_corrupt_at_once():
    t0 = time.monotonic()
    res = run(reproduction("xref_stream_huge_W.pdf"), timeout=60)
    assert res.error_class == "corrupt", res.message
    assert time.monotonic() - t0 < 10


# ---------------------------------------------------------------- unusable text layer → OCR


@pytest.mark.slow
@pytest.mark.parametrize("name,ocr", [("no_tounicode_minhang.pdf", "auto"),
                                      ("m0574_tounicode_seed_2020_mi.pdf", "always")])
def test_a_form_without_a_usable_tounicode_map_is_read_by_ocr(name, ocr):
    res = run(reproduction(name), ocr=ocr)
    (rec,) = res.records
    assert rec["source"]["kind"] == "scanned"
    assert rec["fields"]["project_name"] == "区长质量奖工作经费"
    assert rec["funding"]["total"] == "390000.00"


def test_a_form_without_a_usable_tounicode_map_with_ocr_off_says_so():
    res = run(reproduction("no_tounicode_minhang.pdf"), ocr="never")
    assert (res.status, res.error_class) == ("failure", "ocr_unavailable")


# ---------------------------------------------------------------- timeouts are `timeout`

SEED = SAMPLES / "seed_2020_minhang_visible.pdf"


def test_thousands_of_form_pages_end_as_timeout():
    res = run(reproduction("m0616_tinypages_district_202.pdf"), timeout=3)
    assert (res.status, res.error_class) == ("failure", "timeout"), res.message


def test_a_timeout_a_pdf_library_turns_into_its_own_error_is_still_a_timeout(monkeypatch):
    from pdfplumber.utils.exceptions import PdfminerException

    import jixiao.extract.pdf

    def read_page(*args):
        try:
            time.sleep(30)
        except Exception as e:  # as pdfplumber does around pdfminer: wrap whatever comes
            raise PdfminerException(e) from None

    monkeypatch.setattr(jixiao.extract.pdf, "read_page", read_page)
    res = run(SEED, timeout=1)
    assert res.error_class == "timeout", res.message


def test_a_timeout_a_pdf_library_swallows_comes_again(monkeypatch):
    import jixiao.extract.pdf

    def read_page(*args):
        try:
            time.sleep(30)
        except Exception:
            pass  # a library that logs and carries on
        time.sleep(30)

    monkeypatch.setattr(jixiao.extract.pdf, "read_page", read_page)
    t0 = time.monotonic()
    res = run(SEED, timeout=1)
    assert res.error_class == "timeout", res.message
    assert time.monotonic() - t0 < 10


# ---------------------------------------------------------------- jixiao's own bugs stay `internal`


def test_a_bug_of_jixiao_is_internal_and_says_where(monkeypatch):
    import jixiao.normalize.record

    def records_from_document(doc, name):
        raise KeyError("a bug")

    monkeypatch.setattr(jixiao.normalize.record, "records_from_document", records_from_document)
    res = run(SEED)
    assert res.error_class == "internal"
    assert "KeyError" in res.message and "test_fuzz_inputs.py:" in res.message
    assert "\n" not in res.message  # one failures.csv cell


# ---------------------------------------------------------------- form pages that give no filing


def test_a_form_page_that_gives_no_filing_says_why_reproduction():
    res = run(reproduction("m0630_content_district_202.pdf"))
    assert res.records or any("gave no filing" in n for n in res.soft_errors), res.soft_errors


@pytest.mark.parametrize("rows,why", [([], "no ruled table"),
                                      ([("甲乙", "丙丁"), ("戊己", "庚辛")], "none of the form's fields")])
def test_a_form_page_that_gives_no_filing_says_why(tmp_path, rows, why):
    from .smallforms import draw_kv_form

    path = tmp_path / "titled.pdf"
    draw_kv_form(path, "财政项目支出绩效目标申报表", rows)
    res = run(path)
    assert res.records == []
    (note,) = res.soft_errors
    assert note.startswith("page 1 looks like a form") and why in note


# ---------------------------------------------------------------- actions, from the object structure


def test_the_actions_of_launch_js_are_noted():
    res = run(reproduction("launch_js.pdf"))
    (note,) = [n for n in res.soft_errors if ACTION_NOTE.search(n)]
    for kind in ("JavaScript", "Launch", "SubmitForm", "ImportData", "URI"):
        assert kind in note


def test_the_scanned_samples_carry_no_action():
    from jixiao.extract.pdf import pdf_actions

    scans = sorted(SAMPLES.glob("*scan*.pdf"))
    assert scans
    assert {p.name: pdf_actions(p) for p in scans} == {p.name: [] for p in scans}


def test_a_real_budget_book_whose_bytes_hold_js_by_chance_carries_no_action():
    from jixiao.extract.pdf import pdf_actions

    path = need(REALDATA / "forms" / "putuo_wanli_jiedao_2023_dept_budget.pdf")
    assert b"/JS" in path.read_bytes()  # the premise: a byte search finds "/JS"
    assert pdf_actions(path) == []


def test_image_data_that_holds_action_names_gives_no_action_note(tmp_path):
    # An image whose (compressed-looking) data happens to hold the names of actions.
    data = zlib.compress(b"\x00" * 2000) + b"/JS /JavaScript /Launch /SubmitForm /ImportData" * 3
    image = b"<< /Type /XObject /Subtype /Image /Width 20 /Height 20 /ColorSpace /DeviceGray" \
            b" /BitsPerComponent 8 /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    content = b"q 100 0 0 100 50 50 cm /Im1 Do Q"
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /XObject << /Im1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        image,
    ]))
    assert b"/JS" in path.read_bytes()  # the premise: a byte search finds "/JS"
    res = run(path)
    assert res.status == "success", res.message
    assert not [n for n in res.soft_errors if ACTION_NOTE.search(n)], res.soft_errors


def test_actions_in_pages_annotations_and_fields_are_found(tmp_path):
    from jixiao.extract.pdf import pdf_actions

    path = tmp_path / "actions.pdf"
    path.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [5 0 R]"
        b" /AA << /O << /S /Launch /F (calc.exe) >> >> >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (http://x)"
        b" /Next << /S /SubmitForm /F (http://y) >> >> >>",
        b"<< /FT /Tx /T (f) /AA << /K << /S /JavaScript /JS (1) >> >> >>",
    ]))
    assert pdf_actions(path) == ["JavaScript", "Launch", "SubmitForm", "URI"]


# ---------------------------------------------------------------- the mutant generator, CI-sized

MUTANT_SEED = 20260101
MUTANTS = 150


@pytest.mark.slow
def test_generated_mutants_are_all_accounted_for_without_internal_failures(tmp_path):
    """A fixed draw of 150 of the generator's mutants through `jixiao extract --jobs 2`."""
    from benchmarks import fuzz

    for f in (FUZZ / "gen.py", *fuzz.SEED_FILES):
        need(f)

    mutants, category = fuzz.make_mutants(tmp_path, MUTANT_SEED, MUTANTS)
    assert len(category) == MUTANTS
    out = tmp_path / "out"
    code, stderr, _seconds = fuzz.run_extract(mutants, out, jobs=2, timeout=5)
    assert code in (0, 2), stderr[-2000:]
    assert "Traceback" not in stderr
    ended = fuzz.outcomes(out, stderr, mutants)
    assert sorted(ended) == sorted(category)  # every input accounted for (byte-identical twins: once)
    assert fuzz.failure_messages(out, "internal") == []
