"""Pages that show their form sideways or upside down read like upright ones (issue 11, item 5).

Three ways a real PDF gets there, each built here from a sample whose record is known:
- a page given a /Rotate its drawing does not expect (turned in a viewer and saved): the text
  layer runs sideways as shown;
- a landscape form stored as a portrait page, drawn turned, with a /Rotate that shows it upright;
- a landscape form scanned sideways (content turned 90°, no /Rotate).
Values, flags and clipped (hidden) text must equal the upright original's; boxes point at the
page as a viewer shows it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from jixiao.extract.orient import char_turn, text_turn, turn_box, unturn_box
from jixiao.pipelines.api import extract_records
from sample_pdfs import make_scans
from sample_pdfs.make_layouts import render, variants

SAMPLES = Path(__file__).resolve().parent.parent / "sample_pdfs"
PARTS = ("form", "fields", "funding", "indicators", "cost_items", "cost_total", "safeguards")


def flag_set(rec: dict) -> list[tuple]:
    return sorted((f["code"], f["path"], f["page"], f.get("detail", "")) for f in rec["flags"])


def assert_same_reading(got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        for part in PARTS:
            assert g.get(part) == w.get(part), part
        assert flag_set(g) == flag_set(w)


# ---------------------------------------------------------------- pure geometry


def test_char_turn_reads_the_text_direction():
    assert char_turn((9, 0, 0, 9, 0, 0)) == 0
    assert char_turn((0, 9, -9, 0, 0, 0)) == 90  # runs up the page: turn the page clockwise
    assert char_turn((0, -9, 9, 0, 0, 0)) == 270
    assert char_turn((-9, 0, 0, -9, 0, 0)) == 180
    assert char_turn((6, 6, -6, 6, 0, 0)) is None  # skewed: no quarter turn


def test_a_few_vertical_labels_do_not_turn_a_page():
    upright = [{"text": "字", "matrix": (9, 0, 0, 9, 0, 0)}] * 60
    vertical = [{"text": "项", "matrix": (0, 9, -9, 0, 0, 0)}] * 12  # 项目资金 down a narrow cell
    assert text_turn(upright + vertical) == 0
    assert text_turn(vertical * 3) == 90
    assert text_turn(vertical) == 0  # too few characters to judge


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_unturn_box_undoes_turn_box(turn):
    width, height = 595.0, 842.0
    box = (100.0, 200.0, 180.5, 214.0)
    turned = turn_box(box, turn, width, height)
    w2, h2 = (height, width) if turn in (90, 270) else (width, height)
    assert 0 <= turned[0] < turned[2] <= w2 and 0 <= turned[1] < turned[3] <= h2
    assert unturn_box(turned, turn, w2, h2) == pytest.approx(box)


# ---------------------------------------------------------------- PDFs


def with_rotate(src: Path, out: Path, rotate: int) -> Path:
    """``src`` with /Rotate set on every page, the drawing unchanged (shows turned)."""
    pdf = pdfium.PdfDocument(str(src))
    for i in range(len(pdf)):
        pdf[i].set_rotation(rotate)
    pdf.save(str(out))
    return out


def stored_turned(src: Path, out: Path, rotate: int) -> Path:
    """Each page drawn turned on a page of swapped size, with the /Rotate that shows it upright."""
    source, pdf = pdfium.PdfDocument(str(src)), pdfium.PdfDocument.new()
    for i in range(len(source)):
        width, height = source[i].get_size()
        obj = source.page_as_xobject(i, pdf).as_pageobject()
        # Turned counter-clockwise for /Rotate 90, clockwise for 270 (PDF space, y up).
        turned = (0, 1, -1, 0, height, 0) if rotate == 90 else (0, -1, 1, 0, 0, width)
        obj.set_matrix(pdfium.PdfMatrix(*turned))
        page = pdf.new_page(height, width)
        page.insert_obj(obj)
        page.gen_content()
        page.set_rotation(rotate)
    pdf.save(str(out))
    return out


@pytest.fixture(scope="module")
def landscape_form(tmp_path_factory) -> tuple[Path, list[dict]]:
    spec = next(v for v in variants(7, 200) if "landscape" in v.families and "cut_cell" not in v.families)
    return render(spec, tmp_path_factory.mktemp("landscape"))


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_a_page_shown_turned_reads_like_the_upright_one(tmp_path, rotate):
    src = SAMPLES / "seed_2020_minhang_clipped.pdf"  # hidden text too: clipped_text must survive
    want = extract_records(src)
    got = extract_records(with_rotate(src, tmp_path / f"rot{rotate}.pdf", rotate))
    assert_same_reading(got, want)
    # The boxes sit on the page as a viewer shows it: the upright boxes, turned by /Rotate.
    width, height = pdfium.PdfDocument(str(src))[0].get_size()
    for path, p in want[0]["provenance"].items():
        q = got[0]["provenance"][path]
        if p["page"] == 1 and p["bbox"]:
            assert q["bbox"] == pytest.approx(turn_box(p["bbox"], rotate, width, height), abs=0.05), path


@pytest.mark.parametrize("rotate", [90, 270])
def test_a_landscape_form_stored_turned_with_rotate_reads_as_drawn(tmp_path, landscape_form, rotate):
    pdf, expected = landscape_form
    want = extract_records(pdf)
    assert want[0]["fields"] == expected[0]["fields"] and want[0]["indicators"] == expected[0]["indicators"]
    got = extract_records(stored_turned(pdf, tmp_path / f"stored{rotate}.pdf", rotate))
    assert_same_reading(got, want)
    for path, p in want[0]["provenance"].items():
        assert got[0]["provenance"][path]["bbox"] == pytest.approx(p["bbox"], abs=0.05), path


def test_a_landscape_form_scanned_sideways_is_read(tmp_path, landscape_form):
    pdf, expected = landscape_form
    source, scan = pdfium.PdfDocument(str(pdf)), pdfium.PdfDocument.new()
    for i in range(len(source)):
        width, height = source[i].get_size()
        img = make_scans.degrade(make_scans.render_gray(source[i], 200), 0.6, 4, 0.4, np.random.default_rng(i))
        img = np.ascontiguousarray(np.rot90(img, k=1))  # fed sideways: turned counter-clockwise
        make_scans.add_image_page(scan, make_scans.jpeg(img, 75), height, width, i)
    scan.save(str(tmp_path / "sideways.pdf"))
    (got,) = extract_records(tmp_path / "sideways.pdf")
    assert got["source"]["kind"] == "scanned"
    assert got["fields"] == expected[0]["fields"]
    assert got["funding"] == expected[0]["funding"]
    assert [i["level3"] for i in got["indicators"]] == [i["level3"] for i in expected[0]["indicators"]]
    # Its boxes are on the portrait page as shown, not on the page turned upright.
    width, height = pdfium.PdfDocument(str(tmp_path / "sideways.pdf"))[0].get_size()
    for p in got["provenance"].values():
        x0, top, x1, bottom = p["bbox"]
        assert 0 <= x0 < x1 <= width + 1 and 0 <= top < bottom <= height + 1
