"""The normaliser on hand-built pages (no PDF): what an OCR'd page looks like to it."""

from jixiao.extract.model import Cell, Document, Line, Page, Table
from jixiao.normalize.record import records_from_document


def _cell(row, col, text, x0, x1, conf=1.0, method="text"):
    top = 100 + 20 * row
    lines = [Line(text=text, bbox=(x0 + 2, top + 5, x0 + 2 + 9 * len(text), top + 14), size=9, confidence=conf)]
    return Cell(
        row=row, col=col, bbox=(x0, top, x1, top + 20), lines=lines if text else [], method=method, confidence=conf
    )


def _page(method: str, name_conf: float) -> Page:
    cells = [
        _cell(0, 0, "项目名称", 50, 150, method=method),
        _cell(0, 1, "区长质量奖工作经费", 150, 400, conf=name_conf, method=method),
        _cell(1, 0, "项目总预算", 50, 150, method=method),
        _cell(1, 1, "390000", 150, 400, method=method),
    ]
    table = Table(page=1, bbox=(50, 100, 400, 140), n_rows=2, n_cols=2, cells=cells)
    title = Line(text="财政项目支出绩效目标申报表", bbox=(100, 50, 300, 62), size=12)
    return Page(number=1, width=595, height=842, kind="scanned", lines=[title], tables=[table], title=title.text)


def _records(page: Page):
    doc = Document(path="x.pdf", sha256="0" * 64, n_pages=1, pages=[page])
    return records_from_document(doc, "x.pdf")


def test_low_confidence_ocr_value_is_flagged_not_changed():
    (rec,) = _records(_page("ocr:rapidocr", name_conf=0.41))
    assert rec.fields["project_name"] == "区长质量奖工作经费"
    flags = [(f.code, f.path) for f in rec.flags]
    assert ("low_confidence", "fields.project_name") in flags
    assert rec.provenance["fields.project_name"].confidence == 0.41
    assert rec.provenance["fields.project_name"].method == "ocr:rapidocr"
    assert rec.source.kind == "scanned"


def test_confident_ocr_and_text_values_are_not_flagged():
    for method, conf in (("ocr:rapidocr", 0.97), ("text", 0.41)):
        (rec,) = _records(_page(method, name_conf=conf))
        assert "low_confidence" not in {f.code for f in rec.flags}


def test_title_year_and_unit_inside_the_table_are_read_not_flagged():
    page = _page("text", 1.0)
    t = page.tables[0]
    top = [
        _cell(0, 0, "项目支出绩效目标申报表", 50, 250),
        _cell(0, 1, "（2024年）", 250, 320),
        _cell(0, 2, "金额单位：万元", 320, 400),
    ]
    rows = [c.model_copy(update={"row": c.row + 1}) for c in t.cells]
    page = page.model_copy(
        update={
            "title": None,
            "lines": [],
            "tables": [t.model_copy(update={"cells": top + rows, "n_rows": 3, "n_cols": 3})],
        }
    )
    page.title = "项目支出绩效目标申报表"
    (rec,) = _records(page)
    assert rec.form.year == 2024 and rec.form.amount_unit_original == "万元"
    assert rec.funding["total"] == "3900000000.00"  # 390000 万元
    assert not [f for f in rec.flags if f.code == "unmapped_label"]


def test_unknown_block_column_is_kept_in_flags_and_unit_column_is_used():
    cols = [(50, 120), (120, 190), (190, 300), (300, 350), (350, 400), (400, 460)]
    header = ["一级指标", "二级指标", "三级指标", "指标值", "计量单位", "指标方向"]
    row = ["产出指标", "数量指标", "培训人次", "3000", "人次", "正向"]
    cells = [_cell(0, k, t, *cols[k]) for k, t in enumerate(["项目名称", "某项目"] + [""] * 4)]
    cells += [_cell(1, k, t, *cols[k]) for k, t in enumerate(header)]
    cells += [_cell(2, k, t, *cols[k]) for k, t in enumerate(row)]
    table = Table(page=1, bbox=(50, 100, 460, 160), n_rows=3, n_cols=6, cells=cells)
    title = Line(text="项目支出绩效目标表", bbox=(100, 50, 300, 62), size=12)
    page = Page(number=1, width=595, height=842, lines=[title], tables=[table], title=title.text)
    (rec,) = _records(page)
    (ind,) = rec.indicators
    got = (ind["level3"], ind["target_op"], ind["target_value"], ind["target_unit"])
    assert got == ("培训人次", "=", "3000", "人次")
    extra = [f for f in rec.flags if f.code == "unmapped_label"]
    # one flag for the column, like any label SPEC has no key for; its detail keeps the values
    assert [(f.path, f.detail) for f in extra] == [("fields", "指标方向: 正向")]


def test_text_layer_glyphs_without_unicode_are_flagged_not_changed():
    page = _page("text", 1.0)
    cells = list(page.tables[0].cells)
    cells[1] = _cell(0, 1, "区长(cid:1234)量奖工作经费", 150, 400)
    page.tables[0].cells = cells
    (rec,) = _records(page)
    assert rec.fields["project_name"] == "区长(cid:1234)量奖工作经费"
    (flag,) = [f for f in rec.flags if f.code == "low_confidence"]
    assert flag.path == "fields.project_name" and "1 character" in flag.detail
    for garbage in ("区长\ufffd量奖", "区长\x00量奖", "区长\ue001量奖"):
        cells[1] = _cell(0, 1, garbage, 150, 400)
        (rec,) = _records(page)
        assert [f.path for f in rec.flags if f.code == "low_confidence"] == ["fields.project_name"]
