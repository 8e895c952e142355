"""The scan-damage generator (sample_pdfs/scan_damage.py) does what each family says, the same way
for a seed; and a few fixed scans are read as issue 12 asks (field accuracy and indicator F1 ≥ 0.97
at 300 dpi), or are on record as strict xfails where jixiao does not get there yet."""

from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from benchmarks.scans import GOLDEN, PUTUO, score
from jixiao.pipelines.api import extract_records
from sample_pdfs.make_layouts import render, variants
from sample_pdfs.scan_damage import (
    FAMILIES,
    Damage,
    bilevel,
    damage_page,
    expected_records,
    faint,
    jpeg_quality,
    photo,
    scan_pdf,
    seal,
    skew,
    turn,
)
from tests.conftest import REALDATA, SAMPLES, need

JINGAN = SAMPLES / "district_2026_jingan.pdf"


def rng(seed: int = 7) -> np.random.Generator:
    return np.random.default_rng(seed)


def ruled(h: int = 900, w: int = 700) -> np.ndarray:
    """A white page with horizontal rulings and a block of "text" in the values' part."""
    img = np.full((h, w), 255, np.uint8)
    for y in range(100, h - 100, 80):
        cv2.line(img, (60, y), (w - 60, y), 0, 3)
    img[300:330, 350:600] = 30
    return img


def measured_angle(img: np.ndarray) -> float:
    """Degrees the rulings turned counter-clockwise, from OpenCV line fits of the long components."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats((img < 128).astype(np.uint8))
    angles = []
    for k in range(1, n):
        if stats[k, cv2.CC_STAT_WIDTH] > 400:
            ys, xs = np.nonzero(labels == k)
            vx, vy, _, _ = cv2.fitLine(np.column_stack([xs, ys]).astype(np.float32), cv2.DIST_L2, 0, 0.01, 0.01)
            angles.append(-math.degrees(math.atan2(float(vy[0]), float(vx[0]))))
    return float(np.median(angles))


# ---------------------------------------------------------------------------------------------
# Each damage, on synthetic images
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [skew, turn, jpeg_quality, bilevel, faint, seal, photo], ids=lambda f: f.__name__)
def test_each_damage_is_the_same_for_a_seed(fn):
    img = ruled(300, 240)
    assert np.array_equal(fn(img, rng(3)), fn(img, rng(3)))
    assert fn(img, rng(3)).dtype == np.uint8


@pytest.mark.parametrize("angle", [3.0, -4.5, 0.8])
def test_skew_turns_the_page_by_the_angle(angle):
    assert measured_angle(skew(ruled(), rng(), angle=angle)) == pytest.approx(angle, abs=0.3)


def test_a_drawn_skew_stays_within_5_degrees():
    for seed in range(5):
        assert abs(measured_angle(skew(ruled(), rng(seed)))) <= 5.3


def test_turns_are_clockwise_and_sideways_ones_swap_the_shape():
    img = ruled(300, 200)
    img[:20, :20] = 0  # a mark in the top-left corner
    quarter = turn(img, rng(), quarter=1)
    assert quarter.shape == (200, 300) and quarter[:20, -20:].max() == 0  # now top-right
    assert np.array_equal(turn(img, rng(), quarter=2), img[::-1, ::-1])
    assert turn(img, rng(), quarter=3).shape == (200, 300)
    assert {turn(img, rng(s)).shape for s in range(12)} == {(300, 200), (200, 300)}


def test_bilevel_has_two_values():
    out = bilevel(faint(ruled(), rng()), rng())
    assert set(np.unique(out)) == {0, 255}


def test_lower_jpeg_quality_loses_more():
    img = ruled()
    err = [np.abs(jpeg_quality(img, rng(), quality=q).astype(int) - img).mean() for q in (90, 40)]
    assert err[1] > err[0] > 0


def test_faint_ink_is_lighter_and_the_light_uneven():
    img = np.full((400, 400), 255, np.uint8)
    img[190:210, 50:350] = 0
    out = faint(img, rng(), ink=0.4, drop=0.3).astype(float)
    assert out[200, 200] / out[180, 200] == pytest.approx(0.6, abs=0.02)  # black kept 40% of its darkness
    paper = out[np.r_[0:150, 250:400]]
    assert paper.max() - paper.min() > 0.2 * 255


def test_seal_is_red_round_and_over_a_value():
    img = np.full((900, 700), 246, np.uint8)
    img[300:330, 350:600] = 30  # a value's text, right of where labels are
    out = seal(img, rng(), dpi=150)
    assert out.shape == (*img.shape, 3)
    red = (out[:, :, 0] > 150) & (out[:, :, 1] < 110) & (out[:, :, 2] < 120)
    assert red.sum() > 2000
    ys, xs = np.nonzero(red)
    radius = 21 / 25.4 * 150
    assert xs.max() - xs.min() <= 2 * radius + 2 and ys.max() - ys.min() <= 2 * radius + 2
    cx, cy = (xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2
    assert 340 < cx < 610 and abs(cy - 315) < 30  # stamped over the value
    yy, xx = np.mgrid[0:900, 0:700]
    inside = np.hypot(xx - cx, yy - cy) < radius - 3
    assert out[inside & (img == 30)].max() < 90  # black text stays black under red ink
    outside = np.hypot(xx - cx, yy - cy) > radius + 3
    assert (out[outside][:, 0] == out[outside][:, 2]).all()  # grey beyond the seal


def test_photo_puts_the_page_in_perspective_on_a_darker_desk():
    img = np.full((600, 420), 246, np.uint8)
    out = photo(img, rng(), dpi=100)
    assert out.shape == (600, 420, 3)
    gray = out.mean(axis=2)
    assert gray[:3, :3].mean() < gray[280:320, 190:230].mean() - 30  # a corner is desk, the middle page


# ---------------------------------------------------------------------------------------------
# The scanned PDF
# ---------------------------------------------------------------------------------------------


def page_images(pdf) -> list[np.ndarray]:
    doc = pdfium.PdfDocument(str(pdf))
    out = []
    for page in doc:
        (obj,) = [o for o in page.get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
        out.append((page.get_size(), obj.get_filters(), obj.get_bitmap(render=False).to_numpy()))
    return out


def test_scans_are_the_same_bytes_for_a_seed(tmp_path):
    a = scan_pdf(JINGAN, tmp_path / "a.pdf", Damage("seal", dpi=72, seed=5)).read_bytes()
    b = scan_pdf(JINGAN, tmp_path / "b.pdf", Damage("seal", dpi=72, seed=5)).read_bytes()
    c = scan_pdf(JINGAN, tmp_path / "c.pdf", Damage("seal", dpi=72, seed=6)).read_bytes()
    assert a == b != c


def test_scanned_pages_are_one_image_each(tmp_path):
    ((size, filters, img),) = page_images(scan_pdf(JINGAN, tmp_path / "t.pdf", Damage("turn", 72, 1, {"quarter": 1})))
    assert size[0] > size[1] and filters == ["DCTDecode"] and img.shape[1] > img.shape[0]
    ((_, filters, img),) = page_images(scan_pdf(JINGAN, tmp_path / "b.pdf", Damage("bilevel", 72, 1)))
    assert filters == ["CCITTFaxDecode"] and set(np.unique(img)) == {0, 255}
    ((_, filters, img),) = page_images(scan_pdf(JINGAN, tmp_path / "s.pdf", Damage("seal", 72, 1)))
    assert img.ndim == 3 and (img.max(axis=2).astype(int) - img.min(axis=2) > 80).any()  # colour kept


def test_every_family_has_a_scan_and_unknown_ones_are_refused():
    for family in FAMILIES:
        img, quality = damage_page(ruled(300, 240), Damage(family, 72), rng())
        assert img.dtype == np.uint8 and (quality is None) == (family == "bilevel")
    with pytest.raises(ValueError):
        damage_page(ruled(), Damage("coffee"), rng())


# ---------------------------------------------------------------------------------------------
# A few fixed scans read by jixiao (issue 12's 300-dpi goal)
# ---------------------------------------------------------------------------------------------

GOAL_300 = 0.97


def read_back(src, pdf, damage, digital, pages=None):
    scan = scan_pdf(src, pdf, damage, pages)
    return score(expected_records(digital, scan), extract_records(scan))


def jingan() -> list[dict]:
    return json.loads((SAMPLES / "expected" / "district_2026_jingan.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(Damage("skew", 300, 11, {"angle": 3.0}), id="skew3"),
        pytest.param(Damage("turn", 300, 12, {"quarter": 2}), id="upside_down"),
        pytest.param(Damage("seal", 300, 13), id="red_seal"),  # its red ink is lifted out before OCR
        pytest.param(Damage("photo", 300, 2), id="phone_photo"),  # the paper flattened from its corners
    ],
)
def test_damaged_sample_scan_at_300_dpi(tmp_path, damage):
    s = read_back(JINGAN, tmp_path / "scan.pdf", damage, jingan())
    assert s.lost == 0
    assert s.field_acc >= GOAL_300, s.diffs
    assert s.ind_f1 >= GOAL_300, s.diffs


def test_a_skewed_layout_scan_is_not_lost(tmp_path):
    """Skewed 2°: the glance deskews before it looks for the title, and the full read splits
    填报单位（盖章） from its value although the scan's colon reads as a blank."""
    (variant,) = [v for v in variants(1, 12) if v.stem == "layout_1_0010"]  # AR PL UMing, a cost-item table
    pdf, records = render(variant, tmp_path)
    s = read_back(pdf, tmp_path / "scan.pdf", Damage("skew", 300, 21, {"angle": -2.0}), records)
    assert s.lost == 0
    assert s.field_acc >= GOAL_300, s.diffs


# 33: "4,563,800.00" set hard against its cell's border (read "…800.0C" while the border's
# erasing took the last 0's stroke); 34: 43 indicator rows in 7 pt SimSun ("≥8.00(次)"), and a
# justified goal whose "，" and "；" tail were taken for dust.
@pytest.mark.parametrize("page", [31, 33, 34])
def test_real_form_scan_at_300_dpi(tmp_path, page):
    real = need(REALDATA / "forms" / f"{PUTUO}.pdf")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    (want,) = [rec for rec in golden if rec["source"]["pages"] == [page]]
    s = read_back(real, tmp_path / "real.pdf", Damage("resolution", 300, 14), [want], pages=[page])
    assert s.lost == 0
    assert s.ind_f1 >= GOAL_300, s.diffs
    assert s.field_acc == 1.0, s.diffs  # every field as the golden record has it


def test_a_comma_at_a_wrapped_line_end_is_kept(tmp_path):
    """At 200 dpi the engine reads the comma that ends a wrapped line (…2.3万株，| 实行…) with
    low confidence; the image shows a comma-sized blob there, so it is no dust."""
    (variant,) = [v for v in variants(1, 12) if v.stem == "layout_1_0010"]  # AR PL UMing
    pdf, records = render(variant, tmp_path)
    scan = scan_pdf(pdf, tmp_path / "scan.pdf", Damage("resolution", 200, 1))
    (got,) = extract_records(scan)
    assert got["fields"]["overview"] == records[0]["fields"]["overview"]
    assert "养护标准，城市" in got["fields"]["overall_goal"]


def test_specks_outside_the_table_do_not_turn_a_real_form_over(tmp_path):
    """At 150 dpi page 32's title stands in the table's first row and all that is outside the
    table is three specks of dust; read upside down they looked surer, the page was turned over
    and its filing lost (merged into page 31's). Only word-like lines judge orientation."""
    real = need(REALDATA / "forms" / f"{PUTUO}.pdf")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    want = [rec for rec in golden if rec["source"]["pages"] in ([31], [32])]
    s = read_back(real, tmp_path / "real.pdf", Damage("resolution", 150, 1239555416), want, pages=[31, 32])
    assert s.lost == 0 and s.extra == 0, s.diffs


def test_a_photographed_page_at_150_dpi_keeps_its_title(tmp_path):
    """The dark corners left around a flattened phone photo are ink in every row: they merged
    the title with them into one band that read as nothing, and two of three pages were lost."""
    records = json.loads((SAMPLES / "expected" / "budget_disclosure_2026_xuhui.json").read_text(encoding="utf-8"))
    pages = sorted({p for r in records for p in r["source"]["pages"]})
    s = read_back(SAMPLES / "budget_disclosure_2026_xuhui.pdf", tmp_path / "photo.pdf",
                  Damage("photo", 150, 1877004692), records, pages=pages)
    assert s.lost == 0 and s.field_acc >= 0.9, s.diffs


def test_dark_areas_beyond_the_sheet_are_no_ink():
    from jixiao.extract.ocr import image as im

    ink = np.zeros((300, 400), dtype=np.uint8)
    ink[:60, 330:] = 255  # background in a corner of the photo
    cv2.rectangle(ink, (0, 100), (399, 299), 255, 2)  # a table's frame running off the image
    cv2.line(ink, (200, 100), (200, 299), 255, 2)
    cv2.putText(ink, "TITLE", (120, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 255, 3)
    out = im.without_margins(ink, 40)
    assert not out[:60, 330:].any()  # gone
    assert out[100, 50] and out[200, 200] and out[:60, 100:300].any()  # the frame and the text stay
