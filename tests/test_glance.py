"""The glance at a scanned page (issue 12, item 5): it stops pages that are no form before the
full read, and never a form's first page, upright, sideways or upside down.

Speed is measured by benchmarks/nonform_scans.py (glance against the full probe, same run).
"""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest

from jixiao.extract.ocr.engines import get_engine
from jixiao.extract.ocr.reader import ScanReader
from sample_pdfs import make_scans

from .conftest import REALDATA, SAMPLES, need


@pytest.fixture(scope="module")
def reader() -> ScanReader:
    return ScanReader(get_engine("rapidocr"))


@pytest.mark.parametrize("name", ["xfund_zh_val_0", "xfund_zh_val_21", "xfund_zh_val_40"])
def test_real_scans_that_are_no_form_are_stopped(reader, name):
    pdf = pdfium.PdfDocument(str(need(REALDATA / "forms" / "xfund_negatives" / f"{name}.pdf")))
    assert reader.glance(pdf[0]) is False


FIRST_PAGES = [
    ("seed_2020_minhang_scan300", 1),
    ("seed_2020_minhang_scan200", 2),  # a sheet of the form with its own title
    ("seed_2020_minhang_rot90", 2),  # fed sideways
    ("central_2025_wenwu_scan200", 1),
    ("district_2026_jingan_scan300", 1),
    ("province_2024_jiangxi_scan200", 1),
    ("pagebreak_2025_jiading_scan300", 1),
]


@pytest.mark.parametrize("stem,page", FIRST_PAGES)
def test_a_form_title_page_passes(reader, stem, page):
    pdf = pdfium.PdfDocument(str(SAMPLES / f"{stem}.pdf"))
    assert reader.glance(pdf[page - 1]) is True


def test_an_upside_down_form_page_passes(reader):
    src = pdfium.PdfDocument(str(SAMPLES / "district_2026_jingan.pdf"))
    width, height = src[0].get_size()
    img = np.ascontiguousarray(np.rot90(make_scans.render_gray(src[0], 200), 2))
    pdf = pdfium.PdfDocument.new()
    make_scans.add_image_page(pdf, make_scans.jpeg(img, 80), width, height, 0)
    buf = io.BytesIO()
    pdf.save(buf)
    assert reader.glance(pdfium.PdfDocument(buf.getvalue())[0]) is True


def test_a_continuation_page_is_stopped_by_the_glance_but_read_after_its_form(reader):
    """Page 2 of the page-break sample has no title: the glance stops it on its own, and the
    filing still takes it (continuations are decided after a form's first page, by the probe)."""
    from jixiao.pipelines.api import extract_records

    pdf = pdfium.PdfDocument(str(SAMPLES / "pagebreak_2025_jiading_scan300.pdf"))
    assert reader.glance(pdf[1]) is False
    (rec,) = extract_records(SAMPLES / "pagebreak_2025_jiading_scan300.pdf")
    assert rec["source"]["pages"] == [1, 2]
