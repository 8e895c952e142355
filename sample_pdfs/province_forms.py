"""Sample filings rebuilt from real provincial forms (issue 11, item 7b).

Each template reconstructs one real form whose text is in ``shared/realdata/form_texts/`` (see the
README there): the labels, titles and table layout as the text's reading order implies, the values
from the text.  Where the excerpt ends early (or a value is lost in the web page), the rest is
completed plausibly and the comment says so.  Render them with make_samples.py (not this module).

Label conventions for the expected records (the SPEC decides):

* a label that is a variant of a SPEC label gets that key (预算单位 → reporting_unit, 项目分类 →
  project_category, 建设周期 / 项目起止时间 → period, 业务主管部门 → supervising_dept, 项目单位 →
  implementing_unit, 项目总体概况 → overview, 年度主要目标和成果 → annual_goal, 长期目标 →
  overall_goal, 项目立项的依据 / 项目申报的可行性 / 项目申报的必要性 → basis / feasibility /
  necessity, 指标内容 → level3, 指标解释 → remark, 当年年度预算 → annual);
* a label SPEC has no key for (项目审批, 财政资金预算分类, 财政资金科目代码, 年度预算执行率, 分值,
  主管部门编码, 自有资金, 项目实施进度计划, 填报人, 近两年收支金额, 占比) is declared
  ``Cell(unmapped=True)``: the record carries an ``unmapped_label`` flag (path "fields") for it.
  Group labels over keyed blocks (项目资金, 总体目标, 绩效指标, 收入构成 …) and the known column
  headers (一级指标 …) are not flagged;
* more than one value column per indicator (长期/年度, one per village) → ``targets`` keyed by the
  column header as printed, ``target`` the annual (or first) column.
"""

from __future__ import annotations

from make_samples import Cell, Form, Table, Text, item_height, top
from make_samples import centred as c

PAGE_BOTTOM = 842 - 30  # make_samples: A4 height minus PAGE_MARGIN_BOTTOM


def v(text: str, key: str, **kw) -> Cell:
    """A value cell, left-aligned."""
    return Cell(text, key=key, **kw)


def amt(text: str, key: str | list[str], **kw) -> Cell:
    """An amount cell, right-aligned."""
    return Cell(text, align="right", key=key, **kw)


def unmapped(text: str, **kw) -> Cell:
    """A label SPEC has no key for."""
    return Cell(text, align="center", unmapped=True, **kw)


# ---------------------------------------------------------------------------------------------
# 1. Hubei, 武汉市青山区教育局 (2020): 项目支出绩效目标表 (wuhan_qingshan_edu_2020_jichu_jianshe.txt)
# ---------------------------------------------------------------------------------------------
#
# Complete in the text.  Amounts in 万元 with "万元" printed in every amount cell (no 金额单位 line).
# Base columns 62 | 72 | 72 | 62 | 82 | 110 | 75 (the indicator table's seven columns):
#
#   项目名称             | name (cs 6)
#   主管部门及编码 (wraps)| "[015001]武汉市青山区教育局" (cs 3) | 实施单位     | unit (cs 2)
#   项目属性             | 基础建设、修缮类 (cs 3)             | 项目起止时间 | 202001-202012 (cs 2)
#   项目资金 (rs 3)      | 资金总额       | 10000万元 (cs 2)   | 当年资金总额：     | 10000万元 (cs 2)
#                        | 其中：财政拨款 | 10000万元 (cs 2)   | 其中：当年财政拨款 | 10000万元 (cs 2)
#                        | 其他资金       | (empty) (cs 2)     | 当年其他资金       | (empty) (cs 2)
#   总体目标 (rs 2)      | 中期目标 (cs 3)                     | 年度目标 (cs 3)
#                        | mid-term goal (cs 3)                | annual goal (cs 3)
#   绩效项目指标表 (cs 7)
#   一级指标 | 二级指标（长期） | 三级指标（长期） | 指标值（长期） |
#            二级指标（年度） | 三级指标（年度） | 指标值（年度）
#   one row per indicator, 一级指标 repeated on every row (not merged), the 长期 三级/指标值 cells empty.

WUHAN_INDICATORS = [
    ("产出指标", "数量指标", "重点建设工程安排数量", "2"),
    ("产出指标", "质量指标", "重点建设工程验收合格率", "100%"),
    ("产出指标", "成本指标", "建设项目成本", "参照政府采购成本控制"),
    ("产出指标", "时效指标", "重点建设工程按期完成率", "100%"),
    ("效益指标", "可持续影响指标", "基础教育巩固提高情况", "巩固提高"),
    ("效益指标", "社会效益指标", "基础教育学校办学条件", "持续改善"),
    ("满意度指标", "服务对象满意度指标", "学生、家长、社会满意度", "≥90%"),
]
LONG, ANNUAL = "指标值（长期）", "指标值（年度）"


def wuhan_indicator_row(i: int, level1: str, level2: str, level3: str, target: str) -> list[Cell]:
    ind = f"indicators[{i}]"
    return [
        c(level1, key=f"{ind}.level1"),
        c(level2, key=f"{ind}.level2"),
        Cell(""),  # 三级指标（长期）: empty in the real form
        c("", key=f"{ind}.targets.{LONG}"),
        c(level2, key=f"{ind}.level2"),
        Cell(level3, key=f"{ind}.level3"),
        c(target, key=[f"{ind}.targets.{ANNUAL}", f"{ind}.target"]),
    ]


HUBEI_WUHAN_2020 = Form(
    meta={"title": "项目支出绩效目标表", "year": 2020, "amount_unit_original": "万元"},
    pages=[
        [
            Text("项目支出绩效目标表", size=16, align="center", gap=0),
            Text("（2020年度）", size=11, align="center"),
            Table(
                widths=[62, 72, 72, 62, 82, 110, 75],
                size=9,
                line_width=0.7,
                min_row=22,
                rows=[
                    [c("项目名称"), v("教育系统基础设施建设和设备购置", "fields.project_name", cs=6)],
                    [
                        c("主管部门及编码"),
                        v("[015001]武汉市青山区教育局", "fields.supervising_dept", cs=3),
                        c("实施单位"),
                        v("武汉市青山区教育局", "fields.implementing_unit", cs=2),
                    ],
                    [
                        c("项目属性"),
                        v("基础建设、修缮类", "fields.project_nature", cs=3),
                        c("项目起止时间"),
                        v("202001-202012", "fields.period", cs=2),
                    ],
                    [
                        c("项目资金", rs=3),
                        c("资金总额"),
                        amt("10000万元", "funding.total", cs=2),
                        c("当年资金总额："),
                        amt("10000万元", "funding.annual", cs=2),
                    ],
                    [
                        c("其中：财政拨款"),
                        amt("10000万元", "funding.total_fiscal", cs=2),
                        c("其中：当年财政拨款"),
                        amt("10000万元", "funding.annual_fiscal", cs=2),
                    ],
                    [
                        c("其他资金"),
                        amt("", "funding.total_other", cs=2),
                        c("当年其他资金"),
                        amt("", "funding.annual_other", cs=2),
                    ],
                    [c("总体目标", rs=2), c("中期目标", cs=3), c("年度目标", cs=3)],
                    [
                        top(
                            "优化教育布局，推进教育领域综合改革全面提升育人质量实现基础教育持续发展",
                            cs=3,
                            key="fields.overall_goal",
                        ),
                        top("按工作计划完成教育局重点项目建设经费预算安排", cs=3, key="fields.annual_goal"),
                    ],
                    [c("绩效项目指标表", cs=7)],
                    [
                        c(h)
                        for h in (
                            "一级指标",
                            "二级指标（长期）",
                            "三级指标（长期）",
                            LONG,
                            "二级指标（年度）",
                            "三级指标（年度）",
                            ANNUAL,
                        )
                    ],
                    *(wuhan_indicator_row(i, *ind) for i, ind in enumerate(WUHAN_INDICATORS)),
                ],
            ),
        ]
    ],
)


# ---------------------------------------------------------------------------------------------
# 2. Chongqing, 奉节县云雾土家族乡 (2023): 项目支出绩效目标审批表 (fengjie_yunwu_2023_jiagongyuan.txt)
# ---------------------------------------------------------------------------------------------
#
# The web page heads the form with the project name ("2023年云雾土家族乡加工园配套设施建设项目支出绩效
# 目标审批表"); the form's own title is 项目支出绩效目标审批表 over "（2023年度）".  "预算单位：…" and
# "金额单位：万元" above the table.  Base columns 70 | 70 | 80 | 110 | 70 | 45 | 90:
#
#   项目名称 | name (cs 3)                     | 项目分类     | 资产资源类--房屋类 (cs 2)
#   建设周期 | 2023年4月-2024年2月 (cs 3)      | 业务主管部门 | 县民宗委 (cs 2)
#   实施单位 | unit | 项目负责人 | 徐德迁      | 联系电话     | 13452649655 (cs 2)
#   项目审批 | the approving notice (cs 6)          (unmapped)
#   项目总体概况 | overview (cs 6)
#   年度主要目标和成果 | annual goal (cs 6)
#   项目资金/预算执行/10分 (rs 5) | 项目总预算 (cs 2) | 65 | 财政资金预算分类 (rs 2) | 一般公共预算 (cs 2, rs 2)
#                                 | 当年年度预算 (cs 2) | 65
#                                 | 其中：财政资金 (cs 2) | 65 | 财政资金科目代码 (rs 2) | 21305 (cs 2, rs 2)
#                                 | 其中：其它资金 (cs 2) | 0
#                                 | 年度预算执行率 (cs 2) | 100% | 分值 | 10分 (cs 2)
#   年度绩效目标（90分） (rs n+1) | 一级指标 | 二级指标 | 三级指标 | 指标值 | 分值 | 指标解释
#
# The excerpt ends in the indicator table after "产出指标（40-50）分 / 数量指..."; the rows from there on
# are completed from the project overview (scores adding up to 90).  The 社会成本指标 and 生态环境成本指标
# rows are empty in the real form (no 三级指标, no value): they are drawn but are no indicators.
# 其中：财政资金 / 其中：其它资金 sit under 当年年度预算, so they are the annual amount's parts.

FENGJIE_OVERVIEW = (
    "新建中药材晾晒房一座，占地300平方米，包含场坪整治及硬化，硬化室外晒坝420平方米，室内场坪1800平方米，"
    "C25混凝土，厚15cm；新建厕所1个，长4.5米，宽3米，占地13.5平方米，配套三格式化粪池4.5立方米。"
)
# (一级指标, [(二级指标, [(三级指标, 指标值, 分值, 指标解释)] or None for an empty row)])
FENGJIE_INDICATORS = [
    (
        "成本指标（0-20）分",
        [
            ("经济成本指标", [("项目建设成本", "≤65万元", "10", "反映项目建设成本控制情况")]),
            ("社会成本指标", None),
            ("生态环境成本指标", None),
        ],
    ),
    (
        "产出指标（40-50）分",
        [
            (
                "数量指标",
                [
                    ("新建中药材晾晒房", "1座", "10", "反映晾晒房建设数量"),
                    ("新建厕所", "1个", "5", "反映配套厕所建设数量"),
                ],
            ),
            ("质量指标", [("工程验收合格率", "100%", "10", "反映工程建设质量")]),
            ("时效指标", [("项目建设周期", "≤11个月", "10", "反映项目按期完成情况")]),
            ("成本指标", [("硬化室外晒坝面积", "420平方米", "5", "反映晒坝硬化完成情况")]),
        ],
    ),
    (
        "效益指标（20-30）分",
        [
            ("经济效益指标", [("带动群众务工增收", "≥5000元/年", "10", "反映项目带动当地20名群众务工增收情况")]),
            (
                "社会效益指标",
                [
                    ("带动受益总人口", "200人", "10", "反映项目受益人口数量"),
                    ("其中：脱贫人口和监测对象", "41人", "10", "反映受益脱贫人口和监测对象数量"),
                ],
            ),
        ],
    ),
    ("满意度指标（0-10）分", [("服务对象满意度指标", [("群众满意度", "≥95%", "10", "反映受益群众满意程度")])]),
]


def fengjie_indicator_rows() -> list[list[Cell]]:
    rows: list[list[Cell]] = [
        [
            c(
                "年度绩效目标（90分）",
                rs=1 + sum(len(items or [None]) for _, subs in FENGJIE_INDICATORS for _, items in subs),
            ),
            c("一级指标"),
            c("二级指标"),
            c("三级指标"),
            c("指标值"),
            unmapped("分值"),
            c("指标解释"),
        ]
    ]
    i = 0
    for level1, subs in FENGJIE_INDICATORS:
        n1 = sum(len(items or [None]) for _, items in subs)
        n_keyed = sum(len(items or []) for _, items in subs)
        first = True
        for level2, items in subs:
            row: list[Cell] = []
            if first:
                row.append(c(level1, rs=n1, key=[f"indicators[{i + j}].level1" for j in range(n_keyed)]))
                first = False
            if items is None:  # an empty row of the real form
                rows.append(row + [c(level2), Cell(""), Cell(""), Cell(""), Cell("")])
                continue
            row.append(c(level2, rs=len(items), key=[f"indicators[{i + j}].level2" for j in range(len(items))]))
            for level3, target, score, note in items:
                ind = f"indicators[{i}]"
                row += [
                    Cell(level3, key=f"{ind}.level3"),
                    c(target, key=f"{ind}.target"),
                    c(score),
                    Cell(note, key=f"{ind}.remark"),
                ]
                rows.append(row)
                row, i = [], i + 1
    return rows


CHONGQING_FENGJIE_2023 = Form(
    meta={"title": "项目支出绩效目标审批表", "year": 2023, "amount_unit_original": "万元"},
    pages=[
        [
            Text("项目支出绩效目标审批表", size=16, align="center", gap=0),
            Text("（2023年度）", size=11, align="center"),
            Text("预算单位：奉节县云雾土家族乡人民政府", key="fields.reporting_unit", label="预算单位："),
            Text("金额单位：万元", align="right", gap=4),
            Table(
                widths=[70, 70, 80, 110, 70, 45, 90],
                size=8.5,
                line_width=0.6,
                rows=[
                    [
                        c("项目名称"),
                        v("2023年云雾土家族乡加工园配套设施建设项目", "fields.project_name", cs=3),
                        c("项目分类"),
                        v("资产资源类--房屋类", "fields.project_category", cs=2),
                    ],
                    [
                        c("建设周期"),
                        v("2023年4月-2024年2月", "fields.period", cs=3),
                        c("业务主管部门"),
                        v("县民宗委", "fields.supervising_dept", cs=2),
                    ],
                    [
                        c("实施单位"),
                        v("云雾土家族乡", "fields.implementing_unit"),
                        c("项目负责人"),
                        v("徐德迁", "fields.project_leader"),
                        c("联系电话"),
                        v("13452649655", "fields.contact_phone", cs=2),
                    ],
                    [
                        unmapped("项目审批"),
                        Cell(
                            "奉节县民族宗教事务委员会《关于下达2023年度少数民族发展资金项目计划的通知》"
                            "（奉节民宗委发〔2022〕3号）",
                            cs=6,
                        ),
                    ],
                    [
                        c("项目总体概况"),
                        top(
                            FENGJIE_OVERVIEW + "经济效益：项目建成后能够带动当地20名群众务工增收5000元/年；"
                            "社会效益：促进当地中药材产业发展，带动受益总人口200人，其他脱贫人口和监测对象41人；"
                            "群众满意度：群众满意度达到95%以上。",
                            cs=6,
                            key="fields.overview",
                        ),
                    ],
                    [c("年度主要目标和成果"), top(FENGJIE_OVERVIEW, cs=6, key="fields.annual_goal")],
                    [
                        c("项目资金\n预算执行\n10分", rs=5),
                        c("项目总预算", cs=2),
                        amt("65", "funding.total"),
                        unmapped("财政资金预算分类", rs=2),
                        c("一般公共预算", cs=2, rs=2),
                    ],
                    [c("当年年度预算", cs=2), amt("65", "funding.annual")],
                    [
                        c("其中：财政资金", cs=2),
                        amt("65", "funding.annual_fiscal"),
                        unmapped("财政资金科目代码", rs=2),
                        c("21305", cs=2, rs=2),
                    ],
                    [c("其中：其它资金", cs=2), amt("0", "funding.annual_other")],
                    [unmapped("年度预算执行率", cs=2), c("100%"), unmapped("分值"), c("10分", cs=2)],
                    *fengjie_indicator_rows(),
                ],
            ),
        ]
    ],
)


# ---------------------------------------------------------------------------------------------
# 3. Fujian, 安溪县水利局 (2022): 专项资金绩效目标表 (anxi_water_2022_shengji_di7pi.txt, 附件2)
# ---------------------------------------------------------------------------------------------
#
# "附件2" over the title "2022年省级第七批水利专项资金绩效目标表" (no year line: the year is in the
# title).  One indicator value column per village (7).  Base columns 28 | 34 | 40 | 78 | 95 | 7 x 37.14:
#
#   项目名称 (cs 2) | name (cs 3) | 主管部门（单位）名称 (cs 3) | 安溪县水利局 (cs 4)
#   资金情况（万元） (cs 2) | 资金总额 | 100 | 其中：财政拨款 | 100 (cs 2) | 其他资金 (cs 2) | (empty) (cs 3)
#   总体目标 (cs 2) | 开展7个小型水利工程建设 (cs 10)
#   绩效指标 (rs n+1) | 一级指标 | 二级指标 | 三级指标 | 指标解释 | 西坪镇尧山村 | … | 尚卿乡尤俊村
#
# The excerpt ends at the second indicator ("时效指标 | 截…"); it and the rows after it are completed.

VILLAGES = [
    "西坪镇尧山村",
    "桃舟乡吾培村",
    "芦田镇三洋村",
    "蓬莱镇植洋村",
    "魁斗镇奇观村",
    "龙涓乡长塔村",
    "尚卿乡尤俊村",
]
ANXI_INDICATORS = [
    (
        "产出指标",
        [
            ("数量指标", [("开展小型水利工程建设（个）", "反映小型水利工程建设项目开展情况", ["1"] * 7)]),
            ("时效指标", [("截至2023年底项目完工率", "反映项目按期完工情况", ["100%"] * 7)]),
            ("质量指标", [("工程验收合格率", "反映工程建设质量达标情况", ["100%"] * 7)]),
        ],
    ),
    (
        "效益指标",
        [
            (
                "社会效益指标",
                [("受益人口（人）", "反映项目受益群众人数", ["1200", "800", "1500", "600", "700", "900", "1000"])],
            ),
            ("可持续影响指标", [("工程设计使用年限（年）", "反映工程持续发挥效益情况", ["≥10"] * 7)]),
        ],
    ),
    ("满意度指标", [("服务对象满意度指标", [("受益群众满意度", "反映受益群众对工程建设的满意程度", ["≥90%"] * 7)])]),
]


def anxi_indicator_rows() -> list[list[Cell]]:
    n = sum(len(items) for _, subs in ANXI_INDICATORS for _, items in subs)
    rows: list[list[Cell]] = [
        [c("绩效指标", rs=n + 1), c("一级指标"), c("二级指标"), c("三级指标"), c("指标解释")]
        + [c(name) for name in VILLAGES]
    ]
    i = 0
    for level1, subs in ANXI_INDICATORS:
        n1 = sum(len(items) for _, items in subs)
        row = [c(level1, rs=n1, key=[f"indicators[{i + j}].level1" for j in range(n1)])]
        for level2, items in subs:
            row.append(c(level2, rs=len(items), key=[f"indicators[{i + j}].level2" for j in range(len(items))]))
            for level3, note, targets in items:
                ind = f"indicators[{i}]"
                row += [Cell(level3, key=f"{ind}.level3"), Cell(note, key=f"{ind}.remark")]
                for k, (name, text) in enumerate(zip(VILLAGES, targets)):
                    keys = [f"{ind}.targets.{name}"] + ([f"{ind}.target"] if k == 0 else [])
                    row.append(c(text, key=keys))
                rows.append(row)
                row, i = [], i + 1
    return rows


FUJIAN_ANXI_2022 = Form(
    meta={"title": "2022年省级第七批水利专项资金绩效目标表", "year": 2022, "amount_unit_original": "万元"},
    pages=[
        [
            Text("附件2", size=10.5, gap=0),
            Text("2022年省级第七批水利专项资金绩效目标表", size=15, align="center", gap=8),
            Table(
                widths=[28, 34, 40, 78, 95] + [37.14] * 6 + [37.16],
                size=8,
                line_width=0.6,
                min_row=20,
                rows=[
                    [
                        c("项目名称", cs=2),
                        v("省级第七批水利专项资金", "fields.project_name", cs=3),
                        c("主管部门（单位）名称", cs=3),
                        v("安溪县水利局", "fields.supervising_dept", cs=4),
                    ],
                    [
                        c("资金情况（万元）", cs=2),
                        c("资金总额"),
                        amt("100", "funding.total"),
                        c("其中：财政拨款"),
                        amt("100", "funding.total_fiscal", cs=2),
                        c("其他资金", cs=2),
                        amt("", "funding.total_other", cs=3),
                    ],
                    [c("总 体 目 标", cs=2), v("开展7个小型水利工程建设", "fields.overall_goal", cs=10)],
                    *anxi_indicator_rows(),
                ],
            ),
        ]
    ],
)


# ---------------------------------------------------------------------------------------------
# 4. Hunan, 宁乡市坝塘镇 (2021): 项目绩效目标表 (ningxiang_batang_2021_jichu_sheshi.txt)
# ---------------------------------------------------------------------------------------------
#
# The text is flattened (no cell separators); the layout follows its reading order.  "填报单位（盖章）：…"
# above the table, amounts in 万元 printed in the cells.  Base columns 75 | 75 | 95 | 110 | 90 | 90:
#
#   项目名称 | name (cs 3)        | 项目属性     | 新增项目□延续项目√ (√ after the ticked option)
#   主管部门 | 坝塘镇 (cs 3)      | 主管部门编码 | (empty)                 (主管部门编码: unmapped)
#   项目单位 | 坝塘镇 (cs 3)      | 项目负责人   | 蒋建华
#   联系电话 | (empty) (cs 3)     | 项目起止时间 | 2021年度                ("联系电目起止时间": the phone is lost)
#   资金总额及构成 (rs 5) | 总额 | 10606.7522万元 (cs 4)
#                         | 财政拨款： (rs 2) | 6923.3552万元 (rs 2) | 其中：上级财政资金： | 6923.3552万元 (cs 2)
#                                                                  | 本级财政：           | 0万元 (cs 2)
#                         | 二、自有资金： | 0万元 (cs 4)                       (自有资金: unmapped)
#                         | 三、其他：     | 3683.3970万元 (cs 4)
#   项目概况 | overview (cs 5)
#   项目立项情况 (rs 3) | 项目立项的依据 / 项目申报的可行性 / 项目申报的必要性 | value (cs 4)
#   项目实施进度计划 (rs 3) | 项目实施内容 (cs 3) | 开始时间 | 完成时间; two plan rows (unmapped block)
#   项目绩效目标 (rs 2) | 长期目标 (cs 2) | 年度目标 (cs 3); values
#   长期绩效指标 (rs 10) | 一级指标 | 二级指标 | 指标内容 | 指标值 | 备注
# page 2 (no title): 年度绩效指标 (rs 10), the same columns.
#
# Indicator rows read "数量指标88100": taken literally as 指标内容 "88", 指标值 "100", 备注 empty.  The
# 2015-template tree: 效益指标 holds 社会公众或服务对象满意度指标.  The excerpt ends in the last annual row
# ("社会公众或服务对象满意度指"), completed as in the long-term block.  The funding parts add up
# (6923.3552 + 0 + 3683.3970 = 10606.7522); 上级/本级 are the SPEC's annual_fiscal_superior/_local.

NINGXIANG_INDICATORS = [
    ("产出指标", [("数量指标", "88"), ("质量指标", "88"), ("时效指标", "88"), ("成本指标", "88")]),
    (
        "效益指标",
        [
            ("经济效益指标", "88"),
            ("社会效益指标", "68"),
            ("生态效益指标", "20"),
            ("可持续影响指标", "20"),
            ("社会公众或服务对象满意度指标", "88"),
        ],
    ),
]
NINGXIANG_N = sum(len(subs) for _, subs in NINGXIANG_INDICATORS)


def ningxiang_block(label: str, start: int) -> list[list[Cell]]:
    rows: list[list[Cell]] = [
        [c(label, rs=NINGXIANG_N + 1), c("一级指标"), c("二级指标"), c("指标内容"), c("指标值"), c("备注")]
    ]
    i = start
    for level1, subs in NINGXIANG_INDICATORS:
        row = [c(level1, rs=len(subs), key=[f"indicators[{i + j}].level1" for j in range(len(subs))])]
        for level2, content in subs:
            ind = f"indicators[{i}]"
            row += [
                c(level2, key=f"{ind}.level2"),
                c(content, key=f"{ind}.level3"),
                c("100", key=f"{ind}.target"),
                Cell("", key=f"{ind}.remark"),
            ]
            rows.append(row)
            row, i = [], i + 1
    return rows


HUNAN_NINGXIANG_2021 = Form(
    meta={"title": "项目绩效目标表", "year": 2021, "amount_unit_original": "万元"},
    pages=[
        [
            Text("项目绩效目标表", size=16, align="center", gap=0),
            Text("（2021年度）", size=11, align="center"),
            Text("填报单位（盖章）：宁乡市坝塘镇人民政府", key="fields.reporting_unit", label="填报单位（盖章）："),
            Table(
                widths=[75, 75, 95, 110, 90, 90],
                size=8.5,
                line_width=0.6,
                min_row=17,
                rows=[
                    [
                        c("项目名称"),
                        v("镇域内基础设施建设", "fields.project_name", cs=3),
                        c("项目属性"),
                        Cell("新增项目□延续项目√", key="fields.project_nature", checkbox=True),
                    ],
                    [c("主管部门"), v("坝塘镇", "fields.supervising_dept", cs=3), unmapped("主管部门编码"), Cell("")],
                    [
                        c("项目单位"),
                        v("坝塘镇", "fields.implementing_unit", cs=3),
                        c("项目负责人"),
                        v("蒋建华", "fields.project_leader"),
                    ],
                    [
                        c("联系电话"),
                        v("", "fields.contact_phone", cs=3),
                        c("项目起止时间"),
                        v("2021年度", "fields.period"),
                    ],
                    [c("资金总额及构成", rs=5), c("总额"), amt("10606.7522万元", "funding.total", cs=4)],
                    [
                        c("财政拨款：", rs=2),
                        amt("6923.3552万元", "funding.total_fiscal", rs=2),
                        c("其中：上级财政资金："),
                        amt("6923.3552万元", "funding.annual_fiscal_superior", cs=2),
                    ],
                    [c("本级财政："), amt("0万元", "funding.annual_fiscal_local", cs=2)],
                    [unmapped("二、自有资金："), amt("0万元", None, cs=4)],
                    [c("三、其他："), amt("3683.3970万元", "funding.total_other", cs=4)],
                    [c("项目概况"), v("镇域内水利、道路、机关、学校及乡村振兴等基础设施建设", "fields.overview", cs=5)],
                    [
                        c("项目立项情况", rs=3),
                        c("项目立项的依据"),
                        v("机关、学校、乡村振兴按发改立项", "fields.basis", cs=4),
                    ],
                    [c("项目申报的可行性"), v("已申报项目可行性评估", "fields.feasibility", cs=4)],
                    [c("项目申报的必要性"), v("为改善镇域内基础设施、振兴乡村", "fields.necessity", cs=4)],
                    [unmapped("项目实施进度计划", rs=3), c("项目实施内容", cs=3), c("开始时间"), c("完成时间")],
                    [Cell("1、总体概念规划", cs=3), c("2016"), c("2020")],
                    [Cell("2、核心区规划", cs=3), c("2021"), c("2021")],
                    [c("项目绩效目标", rs=2), c("长期目标", cs=2), c("年度目标", cs=3)],
                    [
                        top("改善镇域内基础设施，振兴乡村经济", cs=2, key="fields.overall_goal"),
                        top(
                            "全面完成集镇立面改造、机关、学校、乡村振兴等项目，搞好提质改造",
                            cs=3,
                            key="fields.annual_goal",
                        ),
                    ],
                    *ningxiang_block("长期绩效指标", 0),
                ],
            ),
        ],
        [
            Table(
                widths=[75, 75, 95, 110, 90, 90],
                size=8.5,
                line_width=0.6,
                min_row=17,
                gap=0,
                rows=ningxiang_block("年度绩效指标", NINGXIANG_N),
            ),
        ],
    ],
)


# ---------------------------------------------------------------------------------------------
# 5. Hubei, 广水市人民政府办公室 (2021): 部门整体支出绩效目标申报表, a DEPARTMENT form
#    (guangshui_2021_zhengfu_bangongshi_zhengti.txt)
# ---------------------------------------------------------------------------------------------
#
# "附件 2：" and the title, "填报日期：2021年1月28日" above the table; no year line (2021 from the date
# and the file).  Base columns 80 | 60 | 70 | 90 | 75 | 75 | 85:
#
#   部门（单位）名称 | name (cs 2) | 填报人 (unmapped) | 南春锋 | 联系电话 | 6296906
#   部门总体资金情况/单位：万元 (rs 8) | (empty, cs 2, rs 2) | 当年金额 (rs 2) | 近两年收支金额 (cs 2) | 占比 (rs 2)
#                                                                              | 年 | 年
#       | 收入构成 (rs 3) | 财政拨款 | 968.1918 | | | (empty)
#       |                 | 其他资金 | (empty)  | | |
#       |                 | 合计     | 968.1918 | | | 100%
#       | 支出构成 (rs 3) | 基本支出 | 724.2318 | | | 74.8%
#       |                 | 项目支出 | 243.96   | | | 25.2%
#       |                 | 合计     | 968.1918 | | | 100%
#   部门职能概述 | (一)…(五) "…及时向市政府领"         ← page 1 ends inside this row ("— 1 —" footer)
# page 2, its own grid 80 | 80 | 100 | 175 | 100:
#   (empty) | "导报告，提出建议。" (六)…(十二) (cs 4)   (the row continued: fields.functions joins both parts)
#   年度主要任务 | tasks;  年度绩效目标 | goal;  绩效指标 (rs n+1) | 一级指标 | 二级指标 | 三级指标 | 指标值
#
# The text reads "968.191 8" and "7242318" (the PDF's character spacing; 724.2318 + 243.96 = 968.1918).
# The excerpt ends inside (十二); its end, 年度主要任务, 年度绩效目标 and the indicators are completed.

GUANGSHUI_WIDTHS = [80, 60, 70, 90, 75, 75, 85]
FUNCTIONS_1 = (
    "（一）负责全市人民防空工作。\n"
    "（二）围绕市政府的重点工作和市政府领导同志的指示，组织专题调查研究，及时反映情况，提出建议。\n"
    "（三）负责起草《政府工作报告》和市政府领导同志的讲话。围绕市政府的中心工作和全市社会发展、经济运行中的"
    "重大问题、热点难点问题，开展调查研究，为市政府决策提供参谋服务。\n"
    "（四）负责全市金融与地方发展的协调工作，指导地方性金融业、保险业、证券业等行业的自律性管理。\n"
    "（五）督促检查市政府各部门和各镇、办事处、工业基地贯彻落实上级政府和市政府文件、市政府会议决定事项及"
    "市政府领导重要批示的执行情况，及时向市政府领"
)
FUNCTIONS_2 = (
    "导报告，提出建议。\n"
    "（六）组织办理涉及市政府工作范围内的人大建议和政协提案工作。\n"
    "（七）负责市国防动员综合协调、督办和指导工作。\n"
    "（八）负责市政府值班工作。\n"
    "（九）协助市政府领导同志组织起草或审核以市政府、市政府办公室名义发布的公文。\n"
    "（十）负责市政府会议的准备和组织协调工作，协助市政府领导同志组织实施会议决定事项。\n"
    "（十一）研究、审核市政府各部门和各镇、办事处、工业基地请示市政府的事项，提出审核处理意见，报市政府领导"
    "同志审批。\n"
    "（十二）统筹安排市政府领导同志的公务活动。负责市政府重大活动的组织协调工作。"
)
GUANGSHUI_INDICATORS = [
    ("产出指标", "数量指标", "起草市政府工作报告", "1份"),
    ("产出指标", "质量指标", "人大建议和政协提案按时办结率", "100%"),
    ("产出指标", "时效指标", "市政府公文审核办理时限", "≤3个工作日"),
    ("效益指标", "社会效益指标", "市政府决策参谋服务水平", "有效提升"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%"),
]


def guangshui_money_row(label: str, amount: str, key: str | list[str] | None, share: str) -> list[Cell]:
    return [c(label), amt(amount, key), Cell(""), Cell(""), c(share)]


GUANGSHUI_PAGE1 = [
    Text("附件 2：", size=10.5, gap=0),
    Text("部门整体支出绩效目标申报表", size=16, align="center", gap=6),
    Text("填报日期：2021年1月28日", gap=6),
    Table(
        widths=GUANGSHUI_WIDTHS,
        size=9,
        line_width=0.6,
        min_row=20,
        rows=[
            [
                c("部门（单位）名称"),
                v("广水市人民政府办公室", "fields.department", cs=2),
                unmapped("填报人"),
                c("南春锋"),
                c("联系电话"),
                c("6296906", key="fields.contact_phone"),
            ],
            [
                c("部门总体资金情况\n单位：万元", rs=8),
                Cell("", cs=2, rs=2),
                c("当年金额", rs=2),
                unmapped("近两年收支金额", cs=2),
                unmapped("占比", rs=2),
            ],
            [c("年"), c("年")],
            [c("收入构成", rs=3), *guangshui_money_row("财政拨款", "968.1918", "funding.annual_fiscal", "")],
            guangshui_money_row("其他资金", "", "funding.annual_other", ""),
            guangshui_money_row("合计", "968.1918", "funding.total", "100%"),
            [c("支出构成", rs=3), *guangshui_money_row("基本支出", "724.2318", "funding.basic_expense", "74.8%")],
            guangshui_money_row("项目支出", "243.96", "funding.project_expense", "25.2%"),
            guangshui_money_row("合计", "968.1918", "funding.total", "100%"),
            [c("部门职能概述"), top(FUNCTIONS_1, cs=6, key="fields.functions")],
        ],
    ),
]


def footer(items: list, text: str) -> Text:
    """The page number line at the foot of a page holding ``items``."""
    y = 40 + sum(item_height(i) for i in items)
    return Text(text, size=9, align="center", gap=PAGE_BOTTOM - 9 - y - 2)


HUBEI_GUANGSHUI_2021_DEPT = Form(
    meta={"type": "department", "title": "部门整体支出绩效目标申报表", "year": 2021, "amount_unit_original": "万元"},
    pages=[
        GUANGSHUI_PAGE1 + [footer(GUANGSHUI_PAGE1, "— 1 —")],
        [
            Table(
                widths=[80, 80, 100, 175, 100],  # its own grid: the 80pt label column as on page 1
                size=9,
                line_width=0.6,
                min_row=20,
                gap=0,
                rows=[
                    [Cell(""), top(FUNCTIONS_2, cs=4, key="fields.functions", continues=True)],
                    [
                        c("年度主要任务"),
                        top(
                            "1.做好市政府文稿起草、公文审核和会议组织工作；2.做好人大建议和政协提案办理工作；"
                            "3.做好市政府值班和督查督办工作；4.做好金融协调和国防动员综合协调工作。",
                            cs=4,
                            key="fields.annual_tasks",
                        ),
                    ],
                    [
                        c("年度绩效目标"),
                        top(
                            "围绕市政府中心工作，提高文稿起草和公文处理质量，确保政令畅通、督办落实有力，"
                            "为市政府决策提供优质参谋服务。",
                            cs=4,
                            key="fields.annual_goal",
                        ),
                    ],
                    [
                        c("绩效指标", rs=len(GUANGSHUI_INDICATORS) + 1),
                        c("一级指标"),
                        c("二级指标"),
                        c("三级指标"),
                        c("指标值"),
                    ],
                    *(
                        [
                            c(l1, key=f"indicators[{i}].level1"),
                            c(l2, key=f"indicators[{i}].level2"),
                            Cell(l3, key=f"indicators[{i}].level3"),
                            c(t, key=f"indicators[{i}].target"),
                        ]
                        for i, (l1, l2, l3, t) in enumerate(GUANGSHUI_INDICATORS)
                    ),
                ],
            ),
            Text("— 2 —", size=9, align="center", gap=20),
        ],
    ],
)


SAMPLES = [
    ("province_hubei_wuhan_2020", HUBEI_WUHAN_2020, "visible"),
    ("province_chongqing_fengjie_2023", CHONGQING_FENGJIE_2023, "visible"),
    ("province_fujian_anxi_2022", FUJIAN_ANXI_2022, "visible"),
    ("province_hunan_ningxiang_2021", HUNAN_NINGXIANG_2021, "visible"),
    ("province_hubei_guangshui_2021_dept", HUBEI_GUANGSHUI_2021_DEPT, "visible"),
]
