"""Cell roles and association on hand-built grids: layouts real forms use that our templates did
not (funding as a cross table, goals under column headers, section labels spanning rows, blank
level headers, several value columns), and forms found by their labels when the title is new."""

from jixiao.extract.model import Cell, Document, Line, Page, Table
from jixiao.normalize.record import records_from_document
from jixiao.pipelines.api import process_file
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
    return Table(
        page=1, bbox=(xs[0], 100, xs[-1], 100 + row_h * n_rows), n_rows=n_rows, n_cols=len(xs) - 1, cells=cells
    )


def record(*rows: list[tuple[int, int, int, int, str]], xs: list[float]):
    spec = [(0, 0, 1, 1, "项目名称"), (0, 1, 1, len(xs) - 2, "测试项目")]
    spec += [(r + 1, c, rs, cs, t) for r, c, rs, cs, t in (x for rows_ in rows for x in rows_)]
    title = Line(text="财政项目支出绩效目标申报表", bbox=(100, 50, 300, 62), size=12)
    page = Page(number=1, width=842, height=1190, lines=[title], tables=[grid(spec, xs)], title=title.text)
    (rec,) = records_from_document(Document(path="x.pdf", sha256="0" * 64, n_pages=1, pages=[page]), "x.pdf")
    return rec


def test_funding_as_a_cross_table():
    rec = record(
        [
            (0, 0, 4, 1, "项目资金\n（万元）"),
            (0, 1, 1, 1, ""),
            (0, 2, 1, 1, "中期资金总额"),
            (0, 3, 1, 1, "年度资金总额"),
            (1, 1, 1, 1, "资金总额"),
            (1, 2, 1, 1, "300"),
            (1, 3, 1, 1, "100"),
            (2, 1, 1, 1, "其中：财政拨款"),
            (2, 2, 1, 1, "280"),
            (2, 3, 1, 1, "90"),
            (3, 1, 1, 1, "其他资金"),
            (3, 2, 1, 1, "20"),
            (3, 3, 1, 1, "10"),
        ],
        xs=[50, 150, 300, 450, 600],
    )
    assert rec.funding == {
        "total": "3000000.00",
        "total_fiscal": "2800000.00",
        "total_other": "200000.00",
        "annual": "1000000.00",
        "annual_fiscal": "900000.00",
        "annual_other": "100000.00",
    }
    assert rec.form.amount_unit_original == "万元"
    assert not [f for f in rec.flags if f.code in ("unmapped_label", "sum_mismatch")]


def test_goals_under_column_headers_with_a_second_line_beside_a_section_label():
    rec = record(
        [
            (0, 0, 2, 1, "项目绩效\n目标"),
            (0, 1, 1, 1, "中期目标\n（2024年—2026年）"),
            (0, 2, 1, 1, "年度目标\n（2024年）"),
            (1, 1, 1, 1, "三年建成示范区。"),
            (1, 2, 1, 1, "完成一期工程。"),
        ],
        xs=[50, 150, 375, 600],
    )
    assert rec.fields["overall_goal"] == "三年建成示范区。"
    assert rec.fields["annual_goal"] == "完成一期工程。"
    assert not [f for f in rec.flags if f.code == "unmapped_label"]


def test_a_section_column_is_no_level_and_a_blank_level_header_is_named_by_its_content():
    rec = record(
        [
            (0, 0, 1, 1, "绩效指标"),
            (0, 1, 1, 1, ""),
            (0, 2, 1, 1, "二级指标"),
            (0, 3, 1, 1, "三级指标"),
            (0, 4, 1, 1, "指标值"),
            (1, 0, 3, 1, ""),
            (1, 1, 2, 1, "产出指标"),
            (1, 2, 1, 1, "数量指标"),
            (1, 3, 1, 1, "培训人数"),
            (1, 4, 1, 1, "≥100人"),
            (2, 2, 1, 1, "时效指标"),
            (2, 3, 1, 1, "完成时间"),
            (2, 4, 1, 1, "年底前"),
            (3, 1, 1, 1, "满意度指标"),
            (3, 2, 1, 1, "服务对象满意度指标"),
            (3, 3, 1, 1, "学员满意度"),
            (3, 4, 1, 1, "≥90%"),
        ],
        xs=[50, 100, 200, 300, 450, 600],
    )
    got = [(i["level1"], i["level2"], i["level3"], i["level1_code"], i["level2_code"]) for i in rec.indicators]
    assert got == [
        ("产出指标", "数量指标", "培训人数", "output", "quantity"),
        ("产出指标", "时效指标", "完成时间", "output", "timeliness"),
        ("满意度指标", "服务对象满意度指标", "学员满意度", "satisfaction", "satisfaction"),
    ]
    assert not [f for f in rec.flags if f.code == "unmapped_label"]


def test_several_value_columns_keep_each_as_a_target():
    rec = record(
        [
            (0, 0, 1, 1, "一级指标"),
            (0, 1, 1, 1, "二级指标"),
            (0, 2, 1, 1, "三级指标"),
            (0, 3, 1, 1, "长期指标值"),
            (0, 4, 1, 1, "年度指标值"),
            (1, 0, 1, 1, "产出指标"),
            (1, 1, 1, 1, "数量指标"),
            (1, 2, 1, 1, "改造校舍"),
            (1, 3, 1, 1, "12所"),
            (1, 4, 1, 1, "4所"),
        ],
        xs=[50, 150, 250, 400, 500, 600],
    )
    (ind,) = rec.indicators
    assert ind["targets"] == {"长期指标值": "12所", "年度指标值": "4所"}
    assert (ind["target"], ind["target_value"], ind["target_unit"]) == ("4所", "4", "所")


def test_a_form_with_a_new_title_is_found_by_its_labels(tmp_path):
    pdf = tmp_path / "new_title.pdf"
    rows = [
        ("项目名称", "社区微更新"),
        ("主管部门", "某区建设局"),
        ("实施单位", "某街道"),
        ("项目负责人", "王五"),
        ("项目类别", "延续项目"),
        ("项目资金总额", "100000"),
        ("年度目标", "完成三处微更新。"),
    ]
    draw_kv_form(pdf, "二〇二四年项目申报信息一览", rows)
    res = process_file(str(pdf))
    assert res.status == "success"
    (rec,) = res.records
    assert rec["fields"]["project_name"] == "社区微更新"
    assert rec["fields"]["annual_goal"] == "完成三处微更新。"
    assert rec["form"]["title"] is None


def test_a_self_evaluation_form_is_no_filing_and_is_noted(tmp_path):
    pdf = tmp_path / "self_eval.pdf"
    rows = [
        ("项目名称", "社区微更新"),
        ("主管部门", "某区建设局"),
        ("年度目标", "完成三处微更新。"),
        ("全年执行数", "98000"),
        ("得分", "95"),
        ("偏差原因", "无"),
    ]
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
    rec = record(
        [
            (0, 0, 1, 1, "一级指标"),
            (0, 1, 1, 1, "二级指标"),
            (0, 2, 1, 1, "三级指标"),
            (0, 3, 1, 1, "长期指标值"),
            (0, 4, 1, 1, "中期指标值"),
            (1, 0, 1, 1, "产出指标"),
            (1, 1, 1, 1, "数量指标"),
            (1, 2, 1, 1, "改造校舍"),
            (1, 3, 1, 1, "12所"),
            (1, 4, 1, 1, "6所"),
        ],
        xs=[50, 150, 250, 400, 500, 600],
    )
    (ind,) = rec.indicators
    assert ind["target"] == "12所"
    assert list(ind["targets"]) == ["长期指标值", "中期指标值"]  # in the form's order


def unmapped(rec) -> list[tuple[str, int | None, str]]:
    return [(f.path, f.page, f.detail) for f in rec.flags if f.code == "unmapped_label"]


def records_of_pages(*tables: Table, title: str = "财政项目支出绩效目标申报表"):
    """One page per table, the first titled: a form continued over pages."""
    line = Line(text=title, bbox=(100, 50, 300, 62), size=12)
    pages = []
    for n, table in enumerate(tables, 1):
        table.page = n
        pages.append(
            Page(
                number=n,
                width=842,
                height=1190,
                lines=[line] if n == 1 else [],
                tables=[table],
                title=title if n == 1 else None,
            )
        )
    return records_from_document(Document(path="x.pdf", sha256="0" * 64, n_pages=len(pages), pages=pages), "x.pdf")


def test_a_heading_across_the_table_is_neither_a_value_nor_a_label():
    rec = record(
        [
            (0, 0, 1, 4, "详见附表"),  # across the table too, but a sentence: still reported
            (1, 0, 1, 4, "绩效项目指标表"),
            (2, 0, 1, 1, "一级指标"),
            (2, 1, 1, 1, "二级指标"),
            (2, 2, 1, 1, "三级指标"),
            (2, 3, 1, 1, "指标值"),
            (3, 0, 1, 1, "产出指标"),
            (3, 1, 1, 1, "数量指标"),
            (3, 2, 1, 1, "培训人数"),
            (3, 3, 1, 1, "≥100人"),
        ],
        xs=[50, 150, 250, 450, 600],
    )
    assert [i["level3"] for i in rec.indicators] == ["培训人数"]
    assert unmapped(rec) == [("fields", 1, "(no label): 详见附表")]


def test_a_block_column_the_table_does_not_know_is_one_flag_that_keeps_its_values():
    rec = record(
        [
            (0, 0, 1, 1, "一级指标"),
            (0, 1, 1, 1, "二级指标"),
            (0, 2, 1, 1, "三级指标"),
            (0, 3, 1, 1, "指标值"),
            (0, 4, 1, 1, "分值"),
            (1, 0, 2, 1, "产出指标"),
            (1, 1, 1, 1, "数量指标"),
            (1, 2, 1, 1, "培训人数"),
            (1, 3, 1, 1, "≥100人"),
            (1, 4, 2, 1, "10分"),  # one score for two rows: one value
            (2, 1, 1, 1, "质量指标"),
            (2, 2, 1, 1, "合格率"),
            (2, 3, 1, 1, "100%"),
            (3, 0, 1, 1, "满意度指标"),
            (3, 1, 1, 1, "服务对象满意度指标"),
            (3, 2, 1, 1, "学员满意度"),
            (3, 3, 1, 1, "≥90%"),
            (3, 4, 1, 1, "5分"),
        ],
        xs=[50, 150, 250, 400, 500, 600],
    )
    assert len(rec.indicators) == 3
    assert unmapped(rec) == [("fields", 1, "分值: 10分 | 5分")]


def test_a_funding_grid_reads_each_row_under_its_amount_header_and_keeps_unknown_columns():
    rec = record(
        [
            (0, 0, 6, 1, "部门资金情况\n单位：万元"),
            (0, 1, 2, 1, ""),
            (0, 2, 2, 1, "当年金额"),
            (0, 3, 1, 2, "近两年收支金额"),
            (0, 5, 2, 1, "占比"),
            (1, 3, 1, 1, "2019年"),
            (1, 4, 1, 1, "2020年"),
            *(
                (r, c, 1, 1, t)
                for r, row in enumerate(
                    [
                        ("财政拨款", "80", "", "", "80%"),
                        ("其他资金", "20", "", "", "20%"),
                        ("合计", "100", "", "", "100%"),
                        ("基本支出", "60", "", "", "60%"),
                    ],
                    2,
                )
                for c, t in enumerate(row, 1)
            ),
        ],
        xs=[50, 150, 230, 330, 420, 510, 600],
    )
    assert rec.funding == {
        "total": "1000000.00",
        "annual_fiscal": "800000.00",
        "annual_other": "200000.00",
        "basic_expense": "600000.00",
    }
    assert rec.form.amount_unit_original == "万元"
    assert sorted(d for _, _, d in unmapped(rec)) == ["占比: 80% | 20% | 100% | 60%", "近两年收支金额: 2019年 | 2020年"]


def test_a_group_label_opening_with_a_section_name_may_carry_a_note():
    rec = record(
        [
            (0, 0, 2, 1, "项目资金\n预算执行\n10分"),
            (0, 1, 1, 1, "项目总预算"),
            (0, 2, 1, 1, "65"),
            (1, 1, 1, 1, "当年预算"),
            (1, 2, 1, 1, "65"),
        ],
        xs=[50, 150, 300, 600],
    )
    assert rec.funding == {"total": "65.00", "annual": "65.00"}
    assert unmapped(rec) == []


def test_a_label_the_table_does_not_know_ends_the_value_before_it():
    rec = record(
        [(0, 0, 1, 1, "部门名称"), (0, 1, 1, 1, "某局"), (0, 2, 1, 1, "填报人"), (0, 3, 1, 1, "张三")],
        xs=[50, 150, 300, 400, 600],
    )
    assert rec.fields["department"] == "某局"
    assert unmapped(rec) == [("fields", 1, "填报人: 张三")]


def test_a_value_cut_by_a_page_break_goes_on_at_the_top_of_the_next_page():
    (rec,) = records_of_pages(
        grid(
            [
                (0, 0, 1, 1, "项目名称"),
                (0, 1, 1, 1, "测试项目"),
                (1, 0, 1, 1, "项目概况"),
                (1, 1, 1, 1, "一期建成，二期"),
            ],
            xs=[50, 150, 600],
        ),
        grid(
            [(0, 0, 1, 1, ""), (0, 1, 1, 1, "开工。"), (1, 0, 1, 1, "年度目标"), (1, 1, 1, 1, "完成二期。")],
            xs=[50, 150, 600],
        ),
    )
    assert rec.fields["overview"] == "一期建成，二期开工。"
    assert rec.fields["annual_goal"] == "完成二期。"
    assert rec.provenance["fields.overview"].page == 1
    assert unmapped(rec) == []


def test_a_department_form_requires_its_department_not_a_project_name():
    (rec,) = records_of_pages(
        grid(
            [
                (0, 0, 1, 1, "部门职能概述"),
                (0, 1, 1, 1, "负责全区教育工作。"),
                (1, 0, 1, 1, "资金总额"),
                (1, 1, 1, 1, "100"),
            ],
            xs=[50, 150, 600],
        ),
        title="部门整体支出绩效目标申报表",
    )
    assert rec.form.type == "department"
    assert [f.path for f in rec.flags if f.code == "missing_field"] == ["fields.department", "indicators"]


def test_an_unknown_label_over_rows_of_its_own_is_one_flag_and_a_group_cell_is_no_block_column():
    rec = record(
        [
            (0, 0, 3, 1, "项目实施进度计划"),
            (0, 1, 1, 2, "项目实施内容"),
            (0, 3, 1, 1, "开始时间"),
            (0, 4, 1, 1, "完成时间"),
            (1, 1, 1, 2, "总体规划"),
            (1, 3, 1, 1, "2016"),
            (1, 4, 1, 1, "2020"),
            (2, 1, 1, 2, "核心区规划"),
            (2, 3, 1, 1, "2021"),
            (2, 4, 1, 1, "2021"),
            (3, 0, 2, 1, "长期绩效指标"),
            (3, 1, 1, 1, "一级指标"),
            (3, 2, 1, 1, "二级指标"),
            (3, 3, 1, 1, "指标内容"),
            (3, 4, 1, 1, "指标值"),
            (4, 1, 1, 1, "产出指标"),
            (4, 2, 1, 1, "数量指标"),
            (4, 3, 1, 1, "88"),
            (4, 4, 1, 1, "100"),
        ],
        xs=[50, 150, 250, 350, 450, 600],
    )
    assert [(i["level1"], i["level3"], i["target"]) for i in rec.indicators] == [("产出指标", "88", "100")]
    assert unmapped(rec) == [
        ("fields", 1, "项目实施进度计划: 项目实施内容 开始时间 完成时间 | 总体规划 2016 2020 | 核心区规划 2021 2021")
    ]


def test_funding_parts_named_by_enumerated_short_labels():
    rec = record(
        [
            (0, 0, 4, 1, "资金总额及构成"),
            (0, 1, 1, 1, "总额"),
            (0, 2, 1, 3, "100"),
            (1, 1, 2, 1, "财政拨款："),
            (1, 2, 2, 1, "70"),
            (1, 3, 1, 1, "其中：上级财政资金："),
            (1, 4, 1, 1, "70"),
            (2, 3, 1, 1, "本级财政："),
            (2, 4, 1, 1, "0"),
            (3, 1, 1, 1, "三、其他："),
            (3, 2, 1, 3, "30"),
            (4, 0, 1, 1, "项目类别"),
            (4, 1, 1, 4, "其他"),  # a bare 其他 is a value
        ],
        xs=[50, 150, 250, 350, 450, 600],
    )
    assert rec.funding == {
        "total": "100.00",
        "total_fiscal": "70.00",
        "total_other": "30.00",
        "annual_fiscal_superior": "70.00",
        "annual_fiscal_local": "0.00",
    }
    assert rec.fields["project_category"] == "其他"
    assert not [f for f in rec.flags if f.code in ("unmapped_label", "sum_mismatch")]


def test_a_line_above_the_table_whose_colon_is_lost_still_splits_at_its_label():
    """A scan's "：" read as a blank (填报单位（盖章） 上海市…), or a form printing none: the words
    before the blank are a known label. Words that are no label stay a line of text."""
    table = grid([(0, 0, 1, 1, "项目名称"), (0, 1, 1, 1, "普陀区公共绿地养护管理")], xs=[50, 150, 450])
    (rec,) = records_of_pages(table)
    assert rec.fields.get("reporting_unit") is None
    page_lines = [
        Line(text="财政项目支出绩效目标申报表", bbox=(100, 50, 300, 62), size=12),
        Line(text="填报单位（盖章） 上海市普陀区绿化和市容管理局", bbox=(30, 64, 260, 74), size=9),
        Line(text="说明 本表由项目单位填写", bbox=(30, 900, 260, 910), size=9),
    ]
    page = Page(number=1, width=595, height=842, lines=page_lines, tables=[table], title=page_lines[0].text)
    (rec,) = records_from_document(Document(path="x.pdf", sha256="0" * 64, n_pages=1, pages=[page]), "x.pdf")
    assert rec.fields["reporting_unit"] == "上海市普陀区绿化和市容管理局"
    assert not any("本表由项目单位填写" in str(v) for v in rec.fields.values())
