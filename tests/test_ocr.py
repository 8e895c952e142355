"""Scanned pages: routing, the image steps on synthetic images, engines, and the scanned samples.

The OCR runs on real pages are marked slow (they run in CI too); engines load once per session
(``get_engine`` caches them per process).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.extract.errors import EngineMissing
from jixiao.extract.ocr.route import text_layer_usable
from sample_pdfs import catalog

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_pdfs"
EXPECTED = SAMPLES / "expected"


def scan(suffix: str) -> Path:
    path = SAMPLES / f"seed_2020_minhang_{suffix}.pdf"
    if not path.exists():
        pytest.skip(f"no {path.name} in sample_pdfs/ (python sample_pdfs/make_scans.py)")
    return path


def field_accuracy(got: list[dict], want: list[dict]) -> float:
    ok, total, _diffs = catalog.field_accuracy(got, want)
    return ok / max(total, 1)


# ---------------------------------------------------------------- routing (no OpenCV)


def test_text_layer_usable():
    assert text_layer_usable("财政项目支出绩效目标申报表（项目总体情况）\n项目名称 区长质量奖工作经费")
    assert not text_layer_usable("")
    assert not text_layer_usable("  \n ")
    assert not text_layer_usable("\ufffd" * 40 + "项目")  # unmapped glyphs
    assert not text_layer_usable("\ue001\ue002\ue003\ue004\ue005\ue006\ue007\ue008\ue009项目")  # private use
    assert not text_layer_usable("\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10")  # CID codes as controls
    assert not text_layer_usable("(cid:12)(cid:13)(cid:14)(cid:15)")


def test_digital_run_imports_no_ocr_engine():
    code = (
        "import sys\n"
        "from jixiao.pipelines.api import process_file\n"
        f"r = process_file({str(SAMPLES / 'seed_2020_minhang_visible.pdf')!r})\n"
        "assert r.status == 'success', r\n"
        "heavy = ('rapidocr', 'onnxruntime', 'cv2', 'pytesseract', 'jixiao.extract.ocr.reader')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    if not (SAMPLES / "seed_2020_minhang_visible.pdf").exists():
        pytest.skip("no digital sample")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# ---------------------------------------------------------------- image steps on synthetic images


def _page(w=1200, h=900):
    import numpy as np

    return np.full((h, w), 245, dtype=np.uint8)


def test_grid_from_image_with_spans_and_skew():
    import cv2

    from jixiao.extract.grid import find_tables
    from jixiao.extract.ocr import image as im
    from jixiao.extract.ocr import layout as lay

    img = _page()
    # 3 columns × 3 rows; the top row is one merged cell; the left column merges rows 1-2.
    xs, ys = [100, 400, 700, 1100], [100, 250, 400, 550]
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[-1], y), 20, 3)
    for x in (xs[0], xs[-1]):
        cv2.line(img, (x, ys[0]), (x, ys[-1]), 20, 3)
    for x in xs[1:-1]:
        cv2.line(img, (x, ys[1]), (x, ys[-1]), 20, 3)
    cv2.line(img, (xs[0], ys[2]), (xs[1], ys[2]), 245, 5)  # remove: left column rows 1-2 merged
    cv2.line(img, (xs[0], ys[2]), (xs[0], ys[2]), 20, 3)
    m = cv2.getRotationMatrix2D((600, 450), 1.2, 1.0)
    skewed = cv2.warpAffine(img, m, (1200, 900), borderValue=245)
    dpi = 150.0
    ink = im.binarize(skewed, dpi)
    angle = im.estimate_skew(ink, dpi)
    assert abs(angle + 1.2) < 0.15
    straight = im.deskew(skewed, angle)
    rulings = lay.find_rulings(im.binarize(straight, dpi), 72 / dpi)
    tables = find_tables(rulings.segs)
    assert len(tables) == 1
    t = tables[0]
    spans = sorted((c.row, c.col, c.rowspan, c.colspan) for c in t.cells)
    assert spans == [(0, 0, 1, 3), (1, 0, 2, 1), (1, 1, 1, 1), (1, 2, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1)]


def test_vertical_text_is_detected():
    import cv2
    import numpy as np

    from jixiao.extract.ocr import image as im

    img = _page(1000, 1000)
    for row in range(8):  # lines of "characters": small blobs close together, lines apart
        for k in range(25):
            x, y = 100 + k * 30, 100 + row * 90
            cv2.rectangle(img, (x, y), (x + 22, y + 24), 30, 2)
            cv2.line(img, (x + 4, y + 12), (x + 18, y + 12), 30, 2)
    ink = im.binarize(img, 150.0)
    assert not im.text_is_vertical(ink, 150.0)
    turned = np.ascontiguousarray(np.rot90(img))
    assert im.text_is_vertical(im.binarize(turned, 150.0), 150.0)


def _line_image(draw, w=700, h=60):
    import numpy as np

    img = np.zeros((h, w), dtype=np.uint8)
    draw(img)
    return img


def test_marks_empty_ticked_filled_and_tick():
    import cv2

    from jixiao.extract.ocr import layout as lay

    def draw(img):
        cv2.rectangle(img, (20, 15), (50, 45), 255, 2)  # empty box
        cv2.rectangle(img, (120, 15), (150, 45), 255, 2)  # ticked box
        cv2.line(img, (125, 30), (133, 40), 255, 3)
        cv2.line(img, (133, 40), (146, 18), 255, 3)
        cv2.rectangle(img, (220, 15), (250, 45), 255, -1)  # filled box
        cv2.circle(img, (340, 30), 14, 255, 2)  # a ring is not a box

    ink = _line_image(draw)
    line = lay.LineBox(0, 10, 700, 50)
    kinds = [m.kind for m in lay.find_marks(ink, line, em=40)]
    assert kinds == ["empty", "ticked", "filled"]

    def strokes(*pts):
        return _line_image(lambda img: [cv2.line(img, a, b, 255, 3) for a, b in zip(pts, pts[1:])])

    tick = strokes((10, 30), (20, 45), (40, 8))
    assert lay.is_tick((tick[5:50, 5:45] > 0).astype("uint8"))
    vee = strokes((10, 8), (25, 45), (40, 8))
    assert not lay.is_tick((vee[5:50, 5:45] > 0).astype("uint8"))


def test_dashes_and_blank_lines():
    import cv2
    import numpy as np

    from jixiao.extract.ocr import layout as lay

    ink = np.zeros((60, 400), dtype=np.uint8)
    for k in range(5):
        cv2.line(ink, (20 + 14 * k, 30), (30 + 14 * k, 30), 255, 3)
    lines = lay.find_lines(ink, 0, 0)
    assert len(lines) == 1
    assert lay.dash_run(ink, lines[0], em=40) == "-----"
    assert lay.find_lines(np.zeros((60, 400), dtype=np.uint8), 0, 0) == []


def _boxes_line(ink, top: int, size: int, n: int = 12, left: int = 10) -> None:
    """A line of ``n`` hollow squares (口) ``size`` px tall from row ``top``."""
    import cv2

    for k in range(n):
        x = left + k * (size + 4)
        cv2.rectangle(ink, (x, top), (x + size - 1, top + size - 1), 255, 2)


def test_close_lines_stay_apart():
    """Two lines a hair apart, or joined by a speck, are two lines; one tall line stays one
    (issue 12: a dense cell's lines 2 px apart, with dust above the second, were read as one
    garbled line)."""
    import numpy as np

    from jixiao.extract.ocr import layout as lay

    def tops(ink):
        return [b.y0 for b in lay.find_lines(ink, 0, 0)]

    # (cv2 draws a 2 px outline 1 px outside the square: a line spans rows top-1 .. top+size.)
    ink = np.zeros((200, 400), dtype=np.uint8)
    for top in (10, 37, 64, 91):  # 2 blank rows between lines
        _boxes_line(ink, top, 23)
    ink[118:123, 50] = 255  # dust in the blank rows above the last line
    _boxes_line(ink, 124, 23)
    assert tops(ink) == [9, 36, 63, 90, 118]

    ink = np.zeros((200, 400), dtype=np.uint8)
    for top in (10, 40, 70, 100):
        _boxes_line(ink, top, 23)
    ink[30:43, 200] = 255  # a speck bridging the first two lines: ink in every row
    lines = lay.find_lines(ink, 0, 0)
    assert len(lines) == 4 and all(b.height <= 30 for b in lines)  # (the speck's ends may stay)

    ink = np.zeros((200, 400), dtype=np.uint8)
    for top in (10, 45):
        _boxes_line(ink, top, 23)
    _boxes_line(ink, 80, 40, n=6)  # a line in bigger print is one line, not two
    assert tops(ink) == [9, 44, 79]

    ink = np.zeros((80, 400), dtype=np.uint8)
    for top in (10, 38):  # a cell of two lines joined by a speck: one band, nothing to compare with
        _boxes_line(ink, top, 23)
    ink[30:40, 100] = 255
    assert len(lay.find_lines(ink, 0, 0)) == 1
    assert len(lay.find_lines(ink, 0, 0, line_height=25)) == 2


def test_specks_go_decimal_points_stay():
    import cv2
    import numpy as np

    from jixiao.extract.ocr import image as im

    ink = np.zeros((200, 400), dtype=np.uint8)
    cv2.rectangle(ink, (50, 50), (70, 90), 255, 3)  # a digit
    cv2.rectangle(ink, (76, 86), (78, 88), 255, -1)  # its decimal point
    cv2.circle(ink, (300, 150), 1, 255, -1)  # dust, far from anything
    out = im.remove_specks(ink, 200.0)
    assert out[87, 77] and not out[150, 300]

    # At 150 dpi a decimal point may be two pixels; one pixel is still dust, beside a digit or not.
    ink = np.zeros((200, 400), dtype=np.uint8)
    cv2.rectangle(ink, (50, 50), (60, 70), 255, 2)
    ink[71, 63:65] = 255  # a two-pixel point beside the digit
    ink[47, 55] = 255  # a single pixel beside it
    ink[150, 300:302] = 255  # two pixels far from anything
    out = im.remove_specks(ink, 150.0)
    assert out[71, 63] and not out[47, 55] and not out[150, 300]


# ---------------------------------------------------------------- engines


class FaultEngine:
    """Fault injection: fails, or reads everything with low confidence."""

    mode = "fail"
    name = "fault"
    method = "ocr:fault"
    exact_positions = True

    def recognize(self, lines):
        from jixiao.extract.ocr.engines import Recognized

        if FaultEngine.mode == "fail":
            raise RuntimeError("injected engine fault")
        return [Recognized("财政项目支出绩效目标申报表", 0.2) for _ in lines]

    def read_page(self, gray):
        return []


@pytest.fixture
def fault_engine():
    from jixiao.extract.ocr import engines

    engines.register("fault", FaultEngine)
    yield FaultEngine
    engines._ENGINES.pop("fault", None)
    engines._CACHE.pop("fault", None)


def test_engine_fault_is_a_failure_row(fault_engine, monkeypatch):
    from jixiao.extract.ocr import engines
    from jixiao.extract.pdf import read_document
    from jixiao.pipelines.api import Options, process_file

    path = scan("scan200")
    fault_engine.mode = "fail"
    with pytest.raises(RuntimeError):
        read_document(path, engine="fault")
    # The same fault in the configured engine: one failure row, no crash.
    monkeypatch.setitem(engines._ENGINES, "tesseract", FaultEngine)
    monkeypatch.setitem(engines._CACHE, "tesseract", FaultEngine())
    res = process_file(str(path), Options(ocr_engine="tesseract"))
    assert res.status == "failure" and res.error_class == "internal"
    assert "injected engine fault" in res.message


def test_low_confidence_reaches_the_page(fault_engine):
    import pypdfium2 as pdfium

    from jixiao.extract.ocr.engines import get_engine
    from jixiao.extract.ocr.reader import ScanReader

    fault_engine.mode = "low"
    pdf = pdfium.PdfDocument(str(scan("scan200")))
    page = ScanReader(get_engine("fault")).read(pdf[2], 3)
    assert page.kind == "scanned"
    cells = [c for t in page.tables for c in t.cells if c.lines]
    assert cells and all(c.method == "ocr:fault" and c.confidence <= 0.2 for c in cells)
    assert all(ln.confidence <= 0.2 for c in cells for ln in c.lines)


def test_noop_engine_reads_geometry_only():
    import pypdfium2 as pdfium

    from jixiao.extract.ocr.engines import get_engine
    from jixiao.extract.ocr.reader import ScanReader

    path = scan("scan200")
    cells = json.loads((EXPECTED.parent / "expected" / "seed_2020_minhang_visible.cells.json").read_text("utf-8"))
    pdf = pdfium.PdfDocument(str(path))
    reader = ScanReader(get_engine("none"))
    for i, want in enumerate(cells["pages"]):
        page = reader.read(pdf[i], i + 1)
        assert page.title is None  # nothing read
        got = [(t.n_rows, t.n_cols, len(t.cells)) for t in page.tables]
        exp = [(len(t["rows"]) - 1, len(t["cols"]) - 1, len(t["cells"])) for t in want["tables"]]
        assert got == exp
        spans = {(c.row, c.col, c.rowspan, c.colspan) for c in page.tables[0].cells}
        assert spans == {(c["row"], c["col"], c["rowspan"], c["colspan"]) for c in want["tables"][0]["cells"]}


def test_missing_tesseract_says_how_to_install(monkeypatch):
    import pytesseract

    from jixiao.extract.ocr import engines

    monkeypatch.setattr(engines.shutil, "which", lambda cmd: None)
    with pytest.raises(EngineMissing) as e:
        engines.TesseractEngine()
    assert "apt-get install tesseract-ocr tesseract-ocr-chi-sim" in str(e.value)

    monkeypatch.setattr(engines.shutil, "which", lambda cmd: "/usr/bin/tesseract")
    monkeypatch.setattr(pytesseract, "get_languages", lambda config="": ["eng", "osd"])
    with pytest.raises(EngineMissing) as e:
        engines.TesseractEngine()
    assert "chi_sim" in str(e.value) and "tesseract-ocr-chi-sim" in str(e.value)


def test_cli_exits_3_without_the_engine(tmp_path):
    path = scan("mixed")
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))  # no /usr/bin: no tesseract
    jixiao = Path(sys.executable).parent / "jixiao"
    cmd = [str(jixiao)] if jixiao.exists() else [sys.executable, "-m", "jixiao.pipelines.cli"]
    res = subprocess.run(cmd + ["extract", str(path), "-o", str(tmp_path / "out"), "--ocr-engine", "tesseract"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 3, res.stdout + res.stderr
    assert "apt-get install tesseract-ocr tesseract-ocr-chi-sim" in res.stdout + res.stderr
    assert "memory cap" not in res.stdout + res.stderr  # a missing program is not the cap's doing


def test_ocr_never_on_a_scan_is_a_failure_row():
    from jixiao.pipelines.api import Options, process_file

    res = process_file(str(scan("scan200")), Options(ocr="never"))
    assert res.status == "failure"
    assert res.error_class == "ocr_unavailable"
    assert "--ocr never" in res.message


# ---------------------------------------------------------------- the scanned samples (slow)


@pytest.mark.slow
def test_rapidocr_scan200_accuracy_and_provenance():
    from jixiao.pipelines.api import Options, process_file

    path = scan("scan200")
    res = process_file(str(path), Options(ocr_engine="rapidocr"))
    assert res.status == "success", res.message
    want = json.loads((EXPECTED / f"{path.stem}.json").read_text("utf-8"))
    assert len(res.records) == len(want)
    assert field_accuracy(res.records, want) >= 0.93
    rec = res.records[0]
    assert rec["source"]["kind"] == "scanned"
    prov = rec["provenance"]["fields.project_name"]
    assert prov["method"] == "ocr:rapidocr" and 0.5 < prov["confidence"] <= 1.0
    assert rec["fields"]["project_category"] == ""  # three empty boxes: nothing ticked
    assert all(s["stage_planning"] and s["stage_closing"] for s in rec["safeguards"])  # the √ ticks


@pytest.mark.slow
def test_rapidocr_mixed_pdf_page_by_page():
    from jixiao.pipelines.api import Options, process_file

    path = scan("mixed")
    res = process_file(str(path), Options())
    assert res.status == "success", res.message
    want = json.loads((EXPECTED / f"{path.stem}.json").read_text("utf-8"))
    rec = res.records[0]
    assert rec["source"]["kind"] == "mixed" and rec["source"]["pages"] == [1, 2, 3]
    assert field_accuracy(res.records, want) >= 0.93
    methods = {p["method"] for p in rec["provenance"].values()}
    assert methods == {"text", "ocr:rapidocr"}


@pytest.mark.slow
def test_rapidocr_turned_page_is_made_upright():
    import pypdfium2 as pdfium

    from jixiao.extract.ocr.engines import get_engine
    from jixiao.extract.ocr.reader import ScanReader

    pdf = pdfium.PdfDocument(str(scan("rot90")))
    probe = ScanReader(get_engine("rapidocr")).probe(pdf[1], 2)
    assert probe.img.rotation in (90, 270)
    assert probe.page.title and "绩效目标" in probe.page.title
    assert probe.page.width < probe.page.height  # portrait again


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("tesseract"), reason="tesseract is not installed")
def test_tesseract_reads_the_form_page():
    import pypdfium2 as pdfium

    from jixiao.extract.ocr.engines import get_engine
    from jixiao.extract.ocr.reader import ScanReader

    pdf = pdfium.PdfDocument(str(scan("scan300")))
    page = ScanReader(get_engine("tesseract")).read(pdf[2], 3)
    assert page.title and "制度保障" in page.title
    texts = [ln.text for t in page.tables for c in t.cells for ln in c.lines]
    assert any("预算管理制度" in t for t in texts)
    assert all(c.method == "ocr:tesseract" for t in page.tables for c in t.cells)


def test_non_form_run_loads_neither_jieba_nor_ocr_nor_pdfplumber_pages():
    """Start-up is paid only when needed: 82 real pages of budget tables and no form load no
    word segmenter, no OCR engine, and parse no page with pdfplumber."""
    from .conftest import REALDATA

    nf = sorted((REALDATA / "no_forms").glob("*.pdf"))
    if not nf:
        pytest.skip("../shared/realdata/no_forms is not here")
    code = (
        "import sys\n"
        "import pdfplumber.page\n"
        "built = []\n"
        "init = pdfplumber.page.Page.__init__\n"
        "pdfplumber.page.Page.__init__ = lambda self, *a, **k: (built.append(1), init(self, *a, **k))[1]\n"
        "from jixiao.pipelines.api import process_file\n"
        f"for p in {[str(p) for p in nf]!r}:\n"
        "    r = process_file(p)\n"
        "    assert r.status == 'success' and not r.records and r.form_pages == 0, r\n"
        "assert not built, f'{len(built)} pdfplumber pages built'\n"
        "heavy = ('jieba', 'rapidocr', 'onnxruntime', 'cv2', 'pytesseract')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_ocr_never_on_a_mixed_pdf_is_partial_and_says_which_pages():
    from jixiao.pipelines.api import Options, process_file

    res = process_file(str(scan("mixed")), Options(ocr="never"))
    assert res.status == "partial" and res.records
    assert any("page(s) 2" in note and "--ocr never" in note for note in res.soft_errors), res.soft_errors


def test_rerun_after_installing_the_engine_does_the_work(tmp_path):
    """A failure for a missing engine is not cached: once it is there, the rerun reads the scan."""
    pdf = scan("scan300")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "jixiao.pipelines.cli", "extract", str(pdf), "-o", str(out), "-q",
           "--ocr-engine", "tesseract"]
    no_tesseract = dict(os.environ, PATH=str(tmp_path / "empty"))
    assert subprocess.run(cmd, cwd=ROOT, env=no_tesseract, capture_output=True).returncode == 3
    if not shutil.which("tesseract"):
        pytest.skip("tesseract is not installed here")
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert len((out / "filings.jsonl").read_text().splitlines()) == 1


@pytest.mark.slow
def test_scanned_form_titled_inside_its_table_is_found(tmp_path):
    """The title printed in the table's first row (no title line above it) starts a form on a
    scan as it does on a digital page."""
    from jixiao.pipelines.api import extract_records

    from .smallforms import draw_kv_form, scan_of

    digital, scanned = tmp_path / "inrow.pdf", tmp_path / "inrow_scan.pdf"
    rows = [("项目名称", "老旧小区加装电梯补贴"), ("主管部门", "区住房保障和房屋管理局"), ("项目总预算", "560000")]
    draw_kv_form(digital, "项目支出绩效目标申报表", rows, title_in_table=True)
    scan_of(digital, scanned)
    for path in (digital, scanned):
        (rec,) = extract_records(path)
        assert rec["form"]["title"] == "项目支出绩效目标申报表"
        assert rec["fields"]["project_name"] == "老旧小区加装电梯补贴"
        assert rec["funding"]["total"] == "560000.00"


@pytest.mark.slow
def test_scan_fed_upside_down_is_turned_and_read(tmp_path):
    from jixiao.pipelines.api import extract_records

    from .smallforms import draw_kv_form, scan_of

    digital, scanned = tmp_path / "form.pdf", tmp_path / "upside_down.pdf"
    rows = [("项目名称", "老旧小区加装电梯补贴"), ("主管部门", "区住房保障和房屋管理局"), ("项目总预算", "560000")]
    draw_kv_form(digital, "项目支出绩效目标申报表", rows)
    scan_of(digital, scanned, upside_down=True)
    (rec,) = extract_records(scanned)
    assert rec["fields"]["project_name"] == "老旧小区加装电梯补贴"
    assert rec["funding"]["total"] == "560000.00"


def test_a_lines_certainty_is_its_least_sure_character_that_carries_meaning():
    """A misread character is one unsure step in a line of sure ones (普→晋 at 0.59 among 0.99s);
    an unsure comma or digit, which the engine often is when right, does not make a line doubtful."""
    from jixiao.extract.ocr.engines import Recognized
    from jixiao.extract.ocr.reader import _certainty

    def line(text: str, unsure: dict[int, float]) -> Recognized:
        confs = [unsure.get(k, 0.99) for k in range(len(text))]
        return Recognized(text, sum(confs) / len(confs), None, confs)

    assert _certainty(line("上海市晋陀区教育局", {3: 0.59})) == 0.59
    assert _certainty(line(">92%", {0: 0.55})) == 0.55  # "≥92%": the comparison is the target
    assert _certainty(line("完成，1200", {2: 0.5, 4: 0.4})) == 0.99
    assert _certainty(Recognized("——", 1.0)) is None  # no per-character confidences


def test_a_full_stop_in_a_characters_room_is_no_dust():
    from jixiao.extract.ocr.reader import _holds_a_character

    h = 10.0
    assert _holds_a_character("场所。更有", [5, 16, 27, 38, 49], 2, h)  # a blank of a whole character
    assert not _holds_a_character("场所。更有", [5, 16, 22, 27, 38], 2, h)  # squeezed: a speck
    assert not _holds_a_character("场所。", [5, 16, 27], 2, h)  # at the end: decided by its size


def test_a_space_the_image_leaves_in_doubt_makes_the_line_unsure():
    """Two ideographs set solid stand 0.14 pitch short of the space bound; a printed space puts
    them 0.11 pitch or more past it. Just past the bound, or a whole character's room of paper
    (where a small "；" may have been lost), the space is doubtful; elsewhere sure."""
    from jixiao.extract.ocr.reader import LOST_MARK_SURENESS, PITCH_SPACE, _space_sureness

    pitch = 20.0
    bound = PITCH_SPACE * pitch
    assert _space_sureness(1.0 * pitch, bound, True, pitch) == 1.0  # set solid
    assert _space_sureness(1.5 * pitch, bound, True, pitch) == 1.0  # a printed half-width space
    assert _space_sureness(1.17 * pitch, bound, True, pitch) < 0.8  # just past the bound
    assert _space_sureness(1.26 * pitch, bound, True, pitch) > 0.9  # a narrow printed space
    assert _space_sureness(2.0 * pitch, bound, True, pitch) == LOST_MARK_SURENESS < 0.8
    assert _space_sureness(bound + 2.0, bound, False, pitch) == 1.0  # side bearings: no more to say
    assert _space_sureness(bound + pitch, bound, False, pitch) == LOST_MARK_SURENESS


def test_a_mark_between_ideographs_is_as_wide_as_their_distance_says():
    """"整合,优势" in a real form: the engine reads "，", but 合 and 优 stand 1.5 pitches apart
    (an ASCII comma's half box), not 2 (a full-width one's whole box). Near the middle: doubt."""
    from jixiao.extract.ocr.reader import MARK_SURENESS, _mark_widths

    pitch, h = 24.0, 23.0

    def widths(text: str, span: float) -> tuple[str, float]:
        centre = [0.0, pitch, pitch + span * pitch / 2, pitch + span * pitch, 2 * pitch + span * pitch]
        gaps = [(int(c + 10), int(c + 12)) for c in centre[:-1]]
        chars = list(text)
        sure = _mark_widths(chars, gaps, h, centre, pitch)
        return "".join(chars), sure

    assert widths("整合，优势", 1.5) == ("整合,优势", 1.0)
    assert widths("整合,优势", 2.0) == ("整合，优势", 1.0)
    assert widths("整合，优势", 2.0) == ("整合，优势", 1.0)
    assert widths("两新”组织", 1.5) == ('两新"组织', 1.0)
    assert widths("整合，优势", 1.78)[1] == MARK_SURENESS < 0.8
    assert widths("1,200", 1.5) == ("1,200", 1.0)  # not between ideographs: the engine's stands


@pytest.mark.slow
def test_a_blank_where_a_mark_may_be_lost_is_flagged_and_a_plain_space_is_not(tmp_path):
    from jixiao.pipelines.api import extract_records

    from .smallforms import draw_kv_form, scan_of

    digital, scanned = tmp_path / "form.pdf", tmp_path / "scan.pdf"
    rows = [
        ("项目名称", "老旧小区加装电梯补贴"),
        ("主管部门", [("区住房保障", 5.0), ("和房屋管理局", 0.0)]),  # half a character: a space
        ("立项依据", [("《上海市绿化条例》", 10.0), ("《普陀区绿化养护管理办法》", 0.0)]),  # a whole one
        ("项目总预算", "560000"),
    ]
    draw_kv_form(digital, "项目支出绩效目标申报表", rows)
    scan_of(digital, scanned)
    (rec,) = extract_records(scanned)
    flagged = {f["path"] for f in rec["flags"] if f["code"] == "low_confidence"}
    assert rec["fields"]["supervising_dept"] == "区住房保障 和房屋管理局"
    assert rec["fields"]["basis"] == "《上海市绿化条例》 《普陀区绿化养护管理办法》"
    assert "fields.basis" in flagged
    assert not flagged & {"fields.project_name", "fields.supervising_dept"}, rec["flags"]


def test_a_big_characters_stroke_is_no_ruling_but_a_short_ruling_is():
    """At 150 dpi a 15 pt title's vertical stroke is as long as a ruling and ends near the row's
    bottom ruling: it split the title cell of a real form (and was erased from its text)."""
    import numpy as np

    from jixiao.extract.ocr.layout import find_rulings

    pt = 72 / 150
    ink = np.zeros((300, 700), np.uint8)
    for y in (100, 140, 180):
        ink[y : y + 2, 10:610] = 255
    for x in (10, 608):
        ink[100:182, x : x + 2] = 255
    ink[140:182, 200:202] = 255  # a ruling dividing the second row (20 pt): meets both
    ink[108:138, 300:303] = 255  # a stroke in the first row: 14 pt, stops 4 pt under the top
    xs = sorted(round(s.x0 / pt) for s in find_rulings(ink, pt).segs if not s.horizontal)
    assert xs == [11, 201, 609]


def test_a_character_against_a_crossing_keeps_its_stroke():
    """A real form at 300 dpi: "800.00" set hard against a cell's right border, beside the end of
    a row's ruling on the far side. Bridged onto that ruling, the last 0's right stroke was erased
    with it and the value read "800.0C". A stub past a crossing ruling is no ruling; a ruling
    that goes on past a crossing still is."""
    import numpy as np

    from jixiao.extract.grid import GridTable
    from jixiao.extract.ocr.layout import find_rulings, table_rulings_mask

    pt = 72 / 300
    ink = np.zeros((400, 900), np.uint8)
    ink[100:104, 100:800] = 255  # top and bottom of the table
    ink[300:304, 100:800] = 255
    for x in (100, 400, 796):
        ink[100:304, x : x + 4] = 255
    ink[200:204, 404:796] = 255  # a row ruling that starts at the middle ruling, on its right
    ink[190:215, 393:397] = 255  # a glyph's stroke 3 px left of the middle ruling
    ink[150:154, 300:500] = 0
    ink[150:154, 100:800] = 255  # a ruling that crosses the middle one and goes on
    r = find_rulings(ink, pt)
    ys = (100 * pt, 150 * pt, 200 * pt, 300 * pt)
    table = GridTable(bbox=(100 * pt, 100 * pt, 800 * pt, 304 * pt), xs=(100 * pt, 400 * pt, 796 * pt), ys=ys,
                      cells=[])
    erase = table_rulings_mask(r, [table], pt)
    assert not erase[200:204, 393:397].any()  # the stroke stays ink
    assert erase[200:204, 410:790].all()  # the row ruling goes
    assert erase[150:154, 380:420].all()  # the crossing one goes on both sides of the middle


def test_a_mark_in_a_justified_line_is_no_dust():
    """In a justified line a full-width "，" stands in a slot wider than its character, farther
    than 4 points from either neighbour ("精神，广泛" read "精神 广泛"); the tail of a "；" is
    tiny, but it hangs under its dot. A small blob with no line around it is still dust."""
    import cv2
    import numpy as np

    from jixiao.extract.ocr import image as im

    ink = np.zeros((200, 600), dtype=np.uint8)
    cv2.rectangle(ink, (100, 100), (130, 131), 255, 3)  # a character
    cv2.rectangle(ink, (170, 100), (201, 131), 255, 3)  # the next, 40 px on
    ink[127:132, 149:153] = 255  # a comma, 19 px from either (4 pt at 300 dpi is 17)
    ink[105:109, 300:304] = 255  # a "；" between two more characters: its dot ...
    ink[112:117, 301:303] = 255  # ... and its tail, under it
    cv2.rectangle(ink, (260, 100), (285, 131), 255, 3)
    cv2.rectangle(ink, (325, 100), (350, 131), 255, 3)
    ink[170:175, 500:504] = 255  # the comma's size, in the margin below: dust
    cv2.rectangle(ink, (370, 100), (390, 120), 255, 3)  # 》 and 《, short of the baseline ...
    cv2.rectangle(ink, (450, 100), (470, 120), 255, 3)
    ink[116:120, 418:422] = 255  # ... and a "；" between them: its dot in their rows,
    ink[124:130, 419:422] = 255  # its tail below them (kept alone, the dot read "·")
    out = im.remove_specks(ink, 300.0)
    assert out[129, 150] and out[107, 301] and out[114, 301]
    assert out[117, 419] and out[126, 420]
    assert not out[172, 501]


def test_a_space_beside_a_full_width_bracket_needs_more_room():
    """A full-width bracket's slot varies between fonts and in justified lines: a real form's
    肇事（案） stands 2.2 pitches from 事 to 案, no space. A printed space stands farther."""
    from jixiao.extract.ocr.reader import _bracket_room, _space_test

    pitch = 24.0
    text = "肇事（案）件"

    def spaced(span: float) -> bool:
        centre = [0.0, pitch, pitch + 0.5 * span * pitch, pitch + span * pitch, 0, 0]
        measured, bound, by_pitch = _space_test(text, 1, 10, 23, centre, pitch)
        return measured > bound + _bracket_room(text[1], text[2], by_pitch, pitch)

    assert not spaced(2.0) and not spaced(2.21)
    assert spaced(2.5)


def test_one_misplaced_centre_makes_no_space():
    """滨江 in WQY: 滨's centre taken from the blank inside 江's 氵 widens 的→滨 and narrows
    滨→江 by as much; a printed space widens every span across it."""
    from jixiao.extract.ocr.reader import _ideograph_step

    pitch = 39.0
    misplaced = [0.0, 39.0, 88.0, 117.0, 156.0]  # 良 的 滨 江 夜: 滨 10 px right of its place
    assert _ideograph_step("良的滨江夜", 1, misplaced, pitch) < 40.0
    spaced = [0.0, 39.0, 88.0, 127.0, 166.0]  # a real 10 px space after 的
    assert _ideograph_step("良的滨江夜", 1, spaced, pitch) >= 49.0
