"""--searchable-pdf DIR: copies of the scanned inputs with jixiao's OCR as an invisible text layer.

The scanned samples run once (real OCR, the default engine, about 1.5 minutes on 2 cores); the
placement of text on turned and cropped pages is checked on small PDFs made here, without OCR.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest

from jixiao.pipelines.api import Options
from jixiao.pipelines.cli import main
from sample_pdfs import catalog

SAMPLES = Path(catalog.HERE)
SCANNED = [catalog.pdf_of(e) for e in catalog.expected_files()
           if any(r["source"]["kind"] in ("scanned", "mixed") for r in catalog.expected_records(e))]
SIDEWAYS = {("seed_2020_minhang_rot90.pdf", 2)}  # a landscape form scanned sideways: its text runs down
AS_NORMALISED = {"start_date", "end_date"}  # values the record gives in another form than printed (ISO dates)
PAD = 3.0  # points around a value's box


def squeezed(text: str) -> str:
    """Text as compared: NFKC (the record's fullwidth digits and ％ are ASCII), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def text_in_box(pdfium_page, bbox) -> str:
    """PDFium's text of the page within ``bbox`` (x0, top, x1, bottom on the page as shown),
    padded; the samples' pages are unrotated with their MediaBox at the origin."""
    assert pdfium_page.get_rotation() == 0
    height = pdfium_page.get_size()[1]
    x0, top, x1, bottom = bbox
    return pdfium_page.get_textpage().get_text_bounded(x0 - PAD, height - bottom - PAD, x1 + PAD, height - top + PAD)


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """One extract run over every scanned sample with --searchable-pdf."""
    if not SCANNED:
        pytest.skip("no scanned samples (python sample_pdfs/make_scans.py)")
    base = tmp_path_factory.mktemp("searchable")
    out, copies = base / "out", base / "copies"
    args = ["extract", *map(str, SCANNED), "-o", str(out), "--searchable-pdf", str(copies), "--jobs", "2", "-q"]
    assert main(args) == 0
    records = [json.loads(line) for line in (out / "filings.jsonl").read_text("utf-8").splitlines()]
    return SimpleNamespace(args=args, out=out, copies=copies, records=records)


# ---------------------------------------------------------------- the scanned samples (slow)


@pytest.mark.slow
@pytest.mark.parametrize("pdf", SCANNED, ids=lambda p: p.stem)
def test_each_ocr_field_value_is_in_the_copys_text_within_its_box(searched, pdf):
    import pypdfium2 as pdfium

    records = [r for r in searched.records if r["source"]["file"] == pdf.name]
    assert records
    copy = pdfium.PdfDocument(searched.copies / pdf.name)
    checked = 0
    for rec in records:
        for key, value in rec["fields"].items():
            prov = rec["provenance"].get(f"fields.{key}")
            if not value or key in AS_NORMALISED or prov is None or not prov["method"].startswith("ocr:"):
                continue
            got = text_in_box(copy[prov["page"] - 1], prov["bbox"])
            if (pdf.name, prov["page"]) in SIDEWAYS:
                # PDFium joins two sideways lines that stand side by side in its own order
                found = any(squeezed(value) in squeezed("".join(order)) for order in (got.splitlines(),
                            reversed(got.splitlines())))
            else:
                found = squeezed(value) in squeezed(got)
            assert found, f"fields.{key} = {value!r} is not in the copy's text in its box: {got!r}"
            checked += 1
    assert checked  # the mixed sample's one scanned page holds one field (项目构成); the others many


def _images(path: Path) -> list[dict]:
    """Per page, every image XObject (its name → raw bytes and dictionary)."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        pages = []
        for page in pdf.pages:
            xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
            pages.append({name: (x.read_raw_bytes(), {k: str(v) for k, v in x.items() if k != "/Length"})
                          for name, x in xobjects.items() if x.get("/Subtype") == "/Image"})
        return pages


@pytest.mark.slow
def test_the_copys_image_streams_are_the_inputs_byte_for_byte(searched):
    for pdf in SCANNED:
        want = _images(pdf)
        assert any(want), pdf.name
        assert _images(searched.copies / pdf.name) == want, pdf.name


@pytest.mark.slow
def test_digital_pages_are_untouched(searched):
    """The mixed sample: pages 1 and 3 are digital, page 2 a scan."""
    import pikepdf

    name = "seed_2020_minhang_mixed.pdf"
    with pikepdf.open(SAMPLES / name) as before, pikepdf.open(searched.copies / name) as after:
        for i in (0, 2):
            a, b = before.pages[i].obj, after.pages[i].obj
            assert sorted(a.keys()) == sorted(b.keys())
            streams = [[s.read_raw_bytes() for s in (p.Contents if isinstance(p.Contents, pikepdf.Array)
                                                     else [p.Contents])] for p in (a, b)]
            assert streams[0] == streams[1]
            assert sorted(a.Resources.Font.keys()) == sorted(b.Resources.Font.keys())
        scanned = after.pages[1].obj
        assert len(scanned.Contents) == 4  # q, the page's own stream, Q, the text layer


@pytest.mark.slow
def test_a_rerun_from_the_ledger_writes_the_copies_again(searched):
    first = {p.name: p.read_bytes() for p in searched.copies.iterdir()}
    assert set(first) == {p.name for p in SCANNED}
    shutil.rmtree(searched.copies)
    assert main(searched.args) == 0
    summary = json.loads((searched.out / "run_summary.json").read_text())
    assert summary["inputs"]["skipped_unchanged"] == len(SCANNED)
    assert summary["searchable_pdf"]["written"] == len(SCANNED) and not summary["searchable_pdf"]["not_written"]
    assert {p.name: p.read_bytes() for p in searched.copies.iterdir()} == first  # the same bytes again


# ---------------------------------------------------------------- pages that are no form (slow)


def _narrative_then_form(tmp_path: Path) -> Path:
    """A scanned PDF: page 1 a narrative page (no form), page 2 a small form."""
    import pikepdf

    from .smallforms import FONT_FILE, draw_kv_form, scan_of

    form, narrative, both, scanned = (tmp_path / n for n in ("form.pdf", "narrative.pdf", "both.pdf", "scan.pdf"))
    draw_kv_form(form, "项目支出绩效目标申报表", [("项目名称", "老旧小区加装电梯补贴"), ("项目总预算", "560000")])
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("WQY", str(FONT_FILE), subfontIndex=0))
    c = canvas.Canvas(str(narrative))
    c.setFont("WQY", 16)
    c.drawString(150, 760, "二〇二六年部门预算编制说明")
    c.setFont("WQY", 12)
    for k, text in enumerate(["一、部门主要职能", "负责全区市场监督管理工作，拟订并组织实施有关规划。",
                              "二、部门预算单位构成", "本部门预算由局本级和所属事业单位组成。"]):
        c.drawString(72, 700 - 28 * k, text)
    c.save()
    with pikepdf.open(narrative) as pdf, pikepdf.open(form) as second:
        pdf.pages.extend(second.pages)
        pdf.save(both)
    scan_of(both, scanned)
    return scanned


@pytest.mark.slow
def test_scanned_pages_that_are_no_form_are_read_for_the_copy(tmp_path):
    import pypdfium2 as pdfium

    pdf = _narrative_then_form(tmp_path)
    out, copies = tmp_path / "out", tmp_path / "copies"
    assert main(["extract", str(pdf), "-o", str(out), "--searchable-pdf", str(copies), "--jobs", "1", "-q"]) == 0
    (rec,) = [json.loads(line) for line in (out / "filings.jsonl").read_text("utf-8").splitlines()]
    assert rec["source"]["pages"] == [2] and rec["fields"]["project_name"] == "老旧小区加装电梯补贴"
    copy = pdfium.PdfDocument(copies / pdf.name)
    assert "本部门预算由局本级和所属事业单位组成" in squeezed(copy[0].get_textpage().get_text_range())
    assert "老旧小区加装电梯补贴" in squeezed(copy[1].get_textpage().get_text_range())


@pytest.mark.slow
def test_pages_that_are_no_form_wait_for_time_left_and_the_forms_do_not(tmp_path):
    """With too short a time limit to spare any (30 s: its reserve is all of it), the form is read
    and its page gets its text; the page that is no form is named in a note."""
    from jixiao.pipelines.api import process_file

    res = process_file(str(_narrative_then_form(tmp_path)), Options(timeout=30, searchable_pdf=str(tmp_path / "c")))
    assert res.status == "success" and len(res.records) == 1
    assert [p["page"] for p in res.text_layer] == [2]
    assert any("page(s) 1 were not read for a text layer" in n for n in res.soft_errors), res.soft_errors


# ---------------------------------------------------------------- usage, no copy, the ledger key


def test_a_dir_where_a_copy_would_replace_an_input_is_refused(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    pdf = src / "scan.pdf"
    shutil.copy(SAMPLES / "seed_2020_minhang_scan200.pdf", pdf)
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    (tmp_path / "link").symlink_to(src, target_is_directory=True)
    for target, inputs, said in [(src, [pdf], "is the folder of the input"),
                                 (tmp_path / "link", [pdf], "is the folder of the input"),
                                 (src / "copies", [src], "is inside the input folder")]:
        code = main(["extract", *map(str, inputs), "-o", str(tmp_path / "out"), "--searchable-pdf", str(target)])
        assert code == 1
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err
    assert sorted(p.name for p in src.iterdir()) == ["scan.pdf"]
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == digest


def test_ocr_never_with_searchable_pdf_is_a_usage_error(tmp_path, capsys):
    args = ["extract", str(SAMPLES / "seed_2020_minhang_scan200.pdf"), "-o", str(tmp_path / "o"),
            "--searchable-pdf", str(tmp_path / "c"), "--ocr", "never"]
    assert main(args) == 1
    assert "--searchable-pdf needs OCR" in capsys.readouterr().err


def test_a_digital_input_gets_no_copy(tmp_path):
    out, copies = tmp_path / "out", tmp_path / "copies"
    args = ["extract", str(SAMPLES / "central_2025_wenwu.pdf"), "-o", str(out), "--searchable-pdf", str(copies), "-q"]
    assert main(args) == 0
    assert copies.is_dir() and not list(copies.iterdir())
    summary = json.loads((out / "run_summary.json").read_text())
    assert summary["searchable_pdf"]["written"] == 0


def test_an_unwritable_dir_exits_4(tmp_path):
    from .conftest import unwritable_dir

    args = ["extract", str(SAMPLES / "central_2025_wenwu.pdf"), "-o", str(tmp_path / "out"),
            "--searchable-pdf", str(unwritable_dir(tmp_path))]
    assert main(args) == 4


def test_the_option_enters_the_ledger_key_and_leaves_other_keys_as_they_were():
    assert Options().key() == '{"ocr":"auto","ocr_engine":"rapidocr","max_bytes":536870912}'
    with_layer = Options(searchable_pdf="a").key()
    assert with_layer != Options().key() and with_layer == Options(searchable_pdf="b").key()


# ---------------------------------------------------------------- placement (no OCR)


def _blank_pdf(path: Path, mediabox, cropbox=None, rotate: int = 0) -> str:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(mediabox[2], mediabox[3]))
    page = pdf.pages[0]
    page.obj.MediaBox = mediabox
    if cropbox:
        page.obj.CropBox = cropbox
    if rotate:
        page.obj.Rotate = rotate
    pdf.save(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _char_box(page, text: str):
    """(left, bottom, right, top) around the page's characters (PDFium's, page space), and the text."""
    tp = page.get_textpage()
    boxes = [tp.get_charbox(i) for i in range(tp.count_chars())]
    got = tp.get_text_range()
    assert squeezed(got) == squeezed(text)
    return tuple(round(f(b[k] for b in boxes)) for k, f in ((0, min), (1, min), (2, max), (3, max)))


def test_a_line_fills_its_box_on_a_cropped_page_turned_by_rotate(tmp_path):
    """MediaBox 600 x 800, CropBox [50 100 550 700], /Rotate 90: shown 600 wide, 500 tall. A line
    at (10, 20)-(110, 40) as shown is at x 70..90, y 110..210 in the page's own space."""
    import pypdfium2 as pdfium

    from jixiao.pipelines.searchable import searchable_copy

    path = tmp_path / "turned.pdf"
    digest = _blank_pdf(path, [0, 0, 600, 800], [50, 100, 550, 700], rotate=90)
    layer = [{"page": 1, "turn": 0, "lines": [{"text": "区长质量奖工作经费", "bbox": [10, 20, 110, 40]}]}]
    copy = pdfium.PdfDocument(searchable_copy(str(path), digest, layer, 1 << 20))
    assert copy[0].get_size() == pytest.approx((600, 500))
    assert _char_box(copy[0], "区长质量奖工作经费") == (70, 110, 90, 210)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_a_line_runs_the_way_its_page_was_turned_and_fills_its_box(tmp_path, turn):
    import pypdfium2 as pdfium

    from jixiao.pipelines.searchable import searchable_copy

    path = tmp_path / "page.pdf"
    digest = _blank_pdf(path, [0, 0, 600, 800])
    bbox = [100, 200, 400, 220] if turn in (0, 180) else [100, 200, 120, 500]
    layer = [{"page": 1, "turn": turn, "lines": [{"text": "项目名称 ABC 2020年", "bbox": bbox}]}]
    copy = pdfium.PdfDocument(searchable_copy(str(path), digest, layer, 1 << 20))
    x0, top, x1, bottom = bbox
    assert _char_box(copy[0], "项目名称ABC2020年") == (x0, 800 - bottom, x1, 800 - top)


def test_a_changed_input_gets_no_copy(tmp_path):
    from jixiao.pipelines.searchable import CopyProblem, searchable_copy

    path = tmp_path / "page.pdf"
    _blank_pdf(path, [0, 0, 600, 800])
    layer = [{"page": 1, "turn": 0, "lines": [{"text": "项目", "bbox": [10, 10, 30, 20]}]}]
    with pytest.raises(CopyProblem, match="changed"):
        searchable_copy(str(path), "0" * 64, layer, 1 << 20)
