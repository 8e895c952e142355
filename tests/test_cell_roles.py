"""Cell roles and association on hand-built grids: layouts real forms use that our templates did
not (funding as a cross table, goals under column headers, section labels spanning rows, blank
level headers, several value columns), and forms found by their labels when the title is new."""

from extract.model import Cell, Document, Line, Page, Table
from normalize.record import records_from_document
from pipelines.api import process_file
from tests.smallforms import draw_kv_form


def grid(spec: list[tuple[int, int, int, int, str]], xs: list[float], row_h: float = 20.0) -> Table:
    """A table from (row, col, rowspan, colspan, text); ``xs``: the column rulings' x."""
    cells = []
    for row, col, rs, cs, text in spec:
        x0, x1 = xs[col], xs[col + cs]
        top, bottom = 100 + row_h * row, 100 + row_h * (row + rs)
        lines = []
        for k, part in enumerate(text.split("\n") if text else []):
            width = 9 * len(part)
            left = (x0 + x1 - width) / 2  # centred, as most real forms print
            lines.append(Line(text=part, bbox=(left, top + 5 + 10 * k, left + width, top + 14 + 10 * k), size=9))
        cells.append(Cell(row=row, col=col, rowspan=rs, colspan=cs, bbox=(x0, top, x1, bottom), lines=lines))
    n_rows = max(r + rs for r, _, rs, _, _ in spec)
    return Table(page=1, bbox=(xs[0], 100, xs[-1], 100 + row_h * n_rows), n_rows=n_rows, n_cols=len(xs) - 1,
                 cells=cells)


def record(*rows: list[tuple[int, int, int, int, str]], xs: list[float]):
    spec = [(0, 0, 1, 1, "项目名称"), (0, 1, 1, len(xs) - 2, "测试项目")]
    spec += [(r + 1, c, rs, cs, t) for r, c, rs, cs, t in (x for rows_ in rows for x in rows_)]
    title = Line(text="财政项目支出绩效目标申报表", bbox=(100, 50, 300, 62), size=12)
    page = Page(number=1, width=842, height=1190, lines=[title], tables=[grid(spec, xs)], title=title.text)
    (rec,) = records_from_document(Document(path="x.pdf", sha256="0" * 64, n_pages=1, pages=[page]), "x.pdf")
    return rec


def test_funding_as_a_cross_table():
    rec = record([
        (0, 0, 4, 1, "项目资金\n（万元）"), (0, 1, 1, 1, ""),
        (0, 2, 1, 1, "中期资金总额"), (0, 3, 1, 1, "年度资金总额"),
        (1, 1, 1, 1, "资金总额"), (1, 2, 1, 1, "300"), (1, 3, 1, 1, "100"),
        (2, 1, 1, 1, "其中：财政拨款"), (2, 2, 1, 1, "280"), (2, 3, 1, 1, "90"),
        (3, 1, 1, 1, "其他资金"), (3, 2, 1, 1, "20"), (3, 3, 1, 1, "10"),
    ], xs=[50, 150, 300, 450, 600])
    assert rec.funding == {"total": "3000000.00", "total_fiscal": "2800000.00", "total_other": "200000.00",
                           "annual": "1000000.00", "annual_fiscal": "900000.00", "annual_other": "100000.00"}
    assert rec.form.amount_unit_original == "万元"
    assert not [f for f in rec.flags if f.code in ("unmapped_label", "sum_mismatch")]


def test_goals_under_column_headers_with_a_second_line_beside_a_section_label():
    rec = record([
        (0, 0, 2, 1, "项目绩效\n目标"),
        (0, 1, 1, 1, "中期目标\n（2024年—2026年）"), (0, 2, 1, 1, "年度目标\n（2024年）"),
        (1, 1, 1, 1, "三年建成示范区。"), (1, 2, 1, 1, "完成一期工程。"),
    ], xs=[50, 150, 375, 600])
    assert rec.fields["overall_goal"] == "三年建成示范区。"
    assert rec.fields["annual_goal"] == "完成一期工程。"
    assert not [f for f in rec.flags if f.code == "unmapped_label"]


def test_a_section_column_is_no_level_and_a_blank_level_header_is_named_by_its_content():
    rec = record([
        (0, 0, 1, 1, "绩效指标"), (0, 1, 1, 1, ""), (0, 2, 1, 1, "二级指标"), (0, 3, 1, 1, "三级指标"),
        (0, 4, 1, 1, "指标值"),
        (1, 0, 3, 1, ""), (1, 1, 2, 1, "产出指标"), (1, 2, 1, 1, "数量指标"), (1, 3, 1, 1, "培训人数"),
        (1, 4, 1, 1, "≥100人"),
        (2, 2, 1, 1, "时效指标"), (2, 3, 1, 1, "完成时间"), (2, 4, 1, 1, "年底前"),
        (3, 1, 1, 1, "满意度指标"), (3, 2, 1, 1, "服务对象满意度指标"), (3, 3, 1, 1, "学员满意度"),
        (3, 4, 1, 1, "≥90%"),
    ], xs=[50, 100, 200, 300, 450, 600])
    got = [(i["level1"], i["level2"], i["level3"], i["level1_code"], i["level2_code"]) for i in rec.indicators]
    assert got == [("产出指标", "数量指标", "培训人数", "output", "quantity"),
                   ("产出指标", "时效指标", "完成时间", "output", "timeliness"),
                   ("满意度指标", "服务对象满意度指标", "学员满意度", "satisfaction", "satisfaction")]
    assert not [f for f in rec.flags if f.code == "unmapped_label"]


def test_several_value_columns_keep_each_as_a_target():
    rec = record([
        (0, 0, 1, 1, "一级指标"), (0, 1, 1, 1, "二级指标"), (0, 2, 1, 1, "三级指标"), (0, 3, 1, 1, "长期指标值"),
        (0, 4, 1, 1, "年度指标值"),
        (1, 0, 1, 1, "产出指标"), (1, 1, 1, 1, "数量指标"), (1, 2, 1, 1, "改造校舍"), (1, 3, 1, 1, "12所"),
        (1, 4, 1, 1, "4所"),
    ], xs=[50, 150, 250, 400, 500, 600])
    (ind,) = rec.indicators
    assert ind["targets"] == {"长期指标值": "12所", "年度指标值": "4所"}
    assert (ind["target"], ind["target_value"], ind["target_unit"]) == ("4所", "4", "所")


def test_a_form_with_a_new_title_is_found_by_its_labels(tmp_path):
    pdf = tmp_path / "new_title.pdf"
    rows = [("项目名称", "社区微更新"), ("主管部门", "某区建设局"), ("实施单位", "某街道"), ("项目负责人", "王五"),
            ("项目类别", "延续项目"), ("项目资金总额", "100000"), ("年度目标", "完成三处微更新。")]
    draw_kv_form(pdf, "二〇二四年项目申报信息一览", rows)
    res = process_file(str(pdf))
    assert res.status == "success"
    (rec,) = res.records
    assert rec["fields"]["project_name"] == "社区微更新"
    assert rec["fields"]["annual_goal"] == "完成三处微更新。"
    assert rec["form"]["title"] is None


def test_a_self_evaluation_form_is_no_filing_and_is_noted(tmp_path):
    pdf = tmp_path / "self_eval.pdf"
    rows = [("项目名称", "社区微更新"), ("主管部门", "某区建设局"), ("年度目标", "完成三处微更新。"),
            ("全年执行数", "98000"), ("得分", "95"), ("偏差原因", "无")]
    draw_kv_form(pdf, "项目支出绩效目标自评表（2022年度）", rows)
    res = process_file(str(pdf))
    assert res.status == "success" and res.records == []
    assert any("绩效自评表" in note for note in res.soft_errors)


def test_a_budget_table_that_names_projects_is_no_form(tmp_path):
    pdf = tmp_path / "budget.pdf"
    rows = [("项目名称", "合计"), ("主管部门", "某区建设局"), ("项目支出", "100000"), ("基本支出", "20000")]
    draw_kv_form(pdf, "2024年部门项目支出预算表", rows)
    assert process_file(str(pdf)).records == []


def test_without_an_annual_column_the_target_is_the_leftmost_value_column():
    rec = record([
        (0, 0, 1, 1, "一级指标"), (0, 1, 1, 1, "二级指标"), (0, 2, 1, 1, "三级指标"), (0, 3, 1, 1, "长期指标值"),
        (0, 4, 1, 1, "中期指标值"),
        (1, 0, 1, 1, "产出指标"), (1, 1, 1, 1, "数量指标"), (1, 2, 1, 1, "改造校舍"), (1, 3, 1, 1, "12所"),
        (1, 4, 1, 1, "6所"),
    ], xs=[50, 150, 250, 400, 500, 600])
    (ind,) = rec.indicators
    assert ind["target"] == "12所"
    assert list(ind["targets"]) == ["长期指标值", "中期指标值"]  # in the form's order
