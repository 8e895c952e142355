"""Further sample filings for make_samples.py: form templates other than the 2020 Minhang seed.

Every form here is plain data for make_samples.py's layout engine (imported from it by name), and
SAMPLES at the bottom lists the PDFs to render.  The contents are invented; the layouts follow the
real templates:

* ``district_2026_*``: the 2026 Shanghai district 财政项目支出绩效目标申报表（2026年度）, one table:
  project rows, a 项目资金（元） block with the total and the annual request side by side as two
  label/value column groups, 项目总目标 | 年度总体目标 side by side, then the indicator table;
* ``central_2025_*``: a central department's 项目支出绩效目标申报表 in 万元 (the 财预〔2015〕88号
  layout: 中期资金总额： / 年度资金总额： label/value pairs, 总体目标 over 中期目标 | 年度目标);
* ``province_2024_*``: a provincial 省级部门预算项目支出绩效目标表 with the annual amount and its
  sources (中央补助安排 / 省级财政安排 / 其他资金) one under the other;
* ``pagebreak_*``: a 财政支出绩效目标申报表 whose indicator table runs onto a second page without a
  title, its 一级/二级 merged cells continued there as empty merged cells;
* ``budget_disclosure_*``: a 部门预算公开 document (narrative, budget tables) with two forms at the end.

Run make_samples.py (not this module) to render them.
"""

from __future__ import annotations

from decimal import Decimal

from make_samples import Cell, Document, Form, Table, Text, flow, funding_row, layout_page, paragraph, top
from make_samples import centred as c

# ---------------------------------------------------------------------------------------------
# Cells and indicator tables
# ---------------------------------------------------------------------------------------------


# An indicator: (三级指标 as text or Cell, target, 备注 as text or Cell, or None without a 备注 column)
Indicator = tuple[str | Cell, str, str | Cell | None]
# The indicator tree: [(一级指标, [(二级指标, [indicator, ...]), ...]), ...]
Groups = list[tuple[str, list[tuple[str, list[Indicator]]]]]


def indicator_rows(
    groups: Groups,
    spans: tuple[int, int, int, int, int] = (1, 1, 1, 1, 1),
    start: int = 0,
    breaks: tuple[int, ...] = (),
    align3: str = "left",
) -> list[list[list[Cell]]]:
    """Table rows of the indicator tree, indicators numbered from ``start``.

    ``spans``: column spans of the 一级, 二级, 三级, value and 备注 cells.  ``breaks``: indicator
    numbers (counted from 0 in this tree) before which a new table (the next page) begins; the
    rows come back as one list per table.  A 一级/二级 merged cell cut by a break is split like a
    real PDF draws it: its first part holds the text (and the record keys of every indicator it
    covers), the continuation on the next page is a merged cell of its own with empty text.
    """
    flat = []  # (level1, level2, indicator, level1 first index, level1 count, level2 first, level2 count)
    i = 0
    for level1, subs in groups:
        n1, first1 = sum(len(items) for _, items in subs), i
        for level2, items in subs:
            first2 = i
            for ind in items:
                flat.append((level1, level2, ind, first1, n1, first2, len(items)))
                i += 1
    bounds = [0, *breaks, len(flat)]
    tables = []
    for a, b in zip(bounds, bounds[1:]):
        rows = []
        for k in range(a, b):
            level1, level2, (level3, target, remark), first1, n1, first2, n2 = flat[k]
            row = []
            for text, first, n, span, name in (
                (level1, first1, n1, spans[0], "level1"),
                (level2, first2, n2, spans[1], "level2"),
            ):
                if k == first or k == a:
                    rs = min(first + n, b) - k
                    keys = [f"indicators[{start + j}].{name}" for j in range(first, first + n)] if k == first else None
                    row.append(c(text if k == first else "", rs=rs, cs=span, key=keys))
            cell = level3 if isinstance(level3, Cell) else Cell(level3, align=align3)
            cell.cs, cell.key = spans[2], f"indicators[{start + k}].level3"
            row.append(cell)
            row.append(c(target, cs=spans[3], key=f"indicators[{start + k}].target"))
            if remark is not None:
                note = remark if isinstance(remark, Cell) else Cell(remark)
                note.cs, note.key = spans[4], f"indicators[{start + k}].remark"
                row.append(note)
            rows.append(row)
        tables.append(rows)
    return tables


def cut(shown: str, after: str, **kw) -> Cell:
    """A single-line indicator name cut at the right edge of its cell (the rest hidden)."""
    return Cell(shown, after=after, nowrap=True, **kw)


# ---------------------------------------------------------------------------------------------
# 1. The 2026 Shanghai district form: 财政项目支出绩效目标申报表（2026年度）
# ---------------------------------------------------------------------------------------------
#
# One table, base columns 75 | 26 | 84 | 115 | 120 | 115 (535pt):
#
#   项目名称      | name (cs 5)
#   项目性质      | nature (the narrow 26pt column: wraps "阶段/性项/目") | 项目类别 | checkbox (cs 3)
#   主管部门      | dept (cs 3)                 | 实施单位       | unit
#   计划开始日期  | start (cs 3)                | 计划完成日期   | end
#   项目资金（元）| 项目资金总额 (cs 2)         | amount | 年度资金申请总额   | amount
#     (rs 4)      | 其中：财政资金              | amount | 其中：当年财政拨款 | amount
#                 | (empty)                     | (empty)| 上年结转资金       | amount
#                 | 其他资金                    | amount | 其他资金           | amount
#   项目总目标 (cs 4)                                   | 年度总体目标 (cs 2)
#   overall goal, numbered lines (cs 4)                 | annual goal (cs 2)
#   一级指标 | 二级指标 (cs 2) | 三级指标 | 年度指标值 | 备注
#   ... indicator rows, 一级/二级 merged down their rows

DISTRICT_WIDTHS = [75, 26, 84, 115, 120, 115]


def district_2026(d: dict) -> Form:
    f = d["funding"]
    total_flags = ("sum_mismatch",) if d.get("total_mismatch") else ()
    rows = [
        [c("项目名称"), Cell(d["name"], cs=5, key="fields.project_name")],
        [
            c("项目性质"),
            Cell(d["nature"], key="fields.project_nature"),
            c("项目类别"),
            Cell(d["category"], cs=3, key="fields.project_category", checkbox=True),
        ],
        [
            c("主管部门"),
            Cell(d["dept"], cs=3, key="fields.supervising_dept"),
            c("实施单位"),
            Cell(d["unit"], key="fields.implementing_unit"),
        ],
        [
            c("计划开始日期"),
            Cell(d["start"], cs=3, key="fields.start_date"),
            c("计划完成日期"),
            Cell(d["end"], key="fields.end_date"),
        ],
        [
            c("项目资金（元）", rs=4),
            c("项目资金总额", cs=2),
            Cell(f["total"], align="right", key="funding.total", flags=total_flags),
            c("年度资金申请总额"),
            Cell(f["annual"], align="right", key="funding.annual"),
        ],
        [
            c("其中：财政资金", cs=2),
            Cell(f["total_fiscal"], align="right", key="funding.total_fiscal"),
            c("其中：当年财政拨款"),
            Cell(f["annual_fiscal"], align="right", key="funding.annual_fiscal"),
        ],
        [
            c("", cs=2),
            Cell(""),
            c("上年结转资金"),
            Cell(f["annual_carryover"], align="right", key="funding.annual_carryover"),
        ],
        [
            c("其他资金", cs=2),
            Cell(f["total_other"], align="right", key="funding.total_other"),
            c("其他资金"),
            Cell(f["annual_other"], align="right", key="funding.annual_other"),
        ],
        [c("项目总目标", cs=4), c("年度总体目标", cs=2)],
        [d["overall_goal"], d["annual_goal"]],
        [c("一级指标"), c("二级指标", cs=2), c("三级指标"), c(d["value_header"]), c("备注")],
        *indicator_rows(d["indicators"], spans=(1, 2, 1, 1, 1))[0],
    ]
    d["overall_goal"].cs, d["overall_goal"].key = 4, "fields.overall_goal"
    d["annual_goal"].cs, d["annual_goal"].key = 2, "fields.annual_goal"
    page = [
        Text("财政项目支出绩效目标申报表（2026年度）", size=16, align="center", gap=0),
        Table(widths=DISTRICT_WIDTHS, rows=rows, size=9, line_width=0.6, gap=14),
    ]
    return Form(meta={"title": "财政项目支出绩效目标申报表", "year": 2026, "amount_unit_original": "元"}, pages=[page])


DISTRICT_2026_PUDONG = district_2026(
    {
        "name": "浦东新区杨高南路（锦绣路—华夏西路）道路改建工程",
        "nature": "阶段性项目",
        "category": "□新增项目 ■延续项目",
        "dept": "上海市浦东新区建设和交通委员会",
        "unit": "上海市浦东新区道路建设管理中心",
        "start": "2026年1月1日",
        "end": "2028年6月30日",
        "funding": {
            "total": "771,325,800.00",
            "total_fiscal": "771,325,800.00",
            "total_other": "0.00",
            "annual": "236,480,000.00",
            "annual_fiscal": "198,000,000.00",
            "annual_carryover": "38,480,000.00",
            "annual_other": "0.00",
        },
        # complete, numbered; lines 3 and 4 fill the cell's width exactly
        "overall_goal": top(
            "1.完成杨高南路锦绣路至华夏西路段道路改建，全长985米，红线宽度拓宽至50米，双向六车道。\n"
            "2.同步实施雨污水管道、综合管线入地及交通设施改造，消除沿线积水点。\n"
            "3.工程质量一次验收合格，形成南北向主干路通道，提升区域路网通行效率和服务水平。"
        ),
        # cut at the bottom of the full cell, mid-word (施工期|间)
        "annual_goal": top(
            "1.完成主线道路路基及结构层施工，完成年度投资计划。\n"
            "2.完成雨水管道1860米、污水管道1240米敷设，同步完成沿线架空线入地。\n"
            "3.完成交通导改及沿线绿化迁移，确保施工期间道路安全通行，全年不发生较大及以上安全生产事故，做好施工期",
            after="间沿线居民和企业的沟通解释工作。",
        ),
        "value_header": "年度指标值",
        "indicators": [
            (
                "成本指标",
                [
                    ("经济成本指标", [("项目年度成本控制", "≤23648万元", "按年度资金计划控制")]),
                    ("生态环境成本指标", [("施工扬尘及噪声影响", "可控", "落实文明施工措施")]),
                ],
            ),
            (
                "产出指标",
                [
                    ("数量指标", [("道路改建长度", "985米", "主线全长"), ("雨污水管道敷设长度", "3100米", "")]),
                    (
                        "质量指标",
                        [
                            ("工程质量验收合格率", "=100.00(%)", "一次验收合格"),
                            (cut("沥青混凝土路面压实度检测合", "格率"), "≥98.00(%)", ""),
                        ],
                    ),
                    ("时效指标", [("施工问题整改响应时间", "≤30天", ""), ("年度投资计划完成", "及时", "")]),
                ],
            ),
            (
                "效益指标",
                [
                    ("社会效益指标", [("区域路网通行能力", "明显提升", "高峰时段平均车速提高10%")]),
                    ("生态效益指标", [("建筑废弃物资源化利用率", "≥90.00(%)", "")]),
                    ("可持续影响指标", [("道路设计使用年限", "15年", "沥青路面结构")]),
                ],
            ),
            ("满意度指标", [("服务对象满意度指标", [("沿线居民及通行群众满意度", "≥90.00(%)", "第三方问卷调查")])]),
        ],
    }
)


# The second district variant: other project, dates printed 2026/1/1, and one deliberate inconsistency:
# 其中：财政资金 40,000,000.00 + 其他资金 6,000,000.00 != 项目资金总额 48,600,000.00 (sum_mismatch on
# funding.total).  Everything else is complete; several values fill their last line exactly.
DISTRICT_2026_JINGAN = district_2026(
    {
        "name": "静安区苏州河沿岸绿地生态修复及养护",
        "nature": "经常性项目",
        "category": "■新增项目 □延续项目",
        "dept": "上海市静安区绿化和市容管理局",
        "unit": "上海市静安区绿化管理所",
        "start": "2026/1/1",
        "end": "2029/12/31",
        "total_mismatch": True,
        "funding": {
            "total": "48,600,000.00",
            "total_fiscal": "40,000,000.00",
            "total_other": "6,000,000.00",
            "annual": "12,350,000.00",
            "annual_fiscal": "10,000,000.00",
            "annual_carryover": "2,350,000.00",
            "annual_other": "0.00",
        },
        "overall_goal": top(
            "1.用四年时间完成苏州河静安段沿岸12.6公顷绿地的生态修复，构建连续贯通的滨水生态廊道。\n"
            "2.建立绿地精细化养护管理体系，养护质量稳定达到一级养护标准。\n"
            "3.提升滨水空间的生态服务功能和市民休憩体验，打造城市生态示范岸线。",
            full_line=True,
        ),
        "annual_goal": top(
            "1.完成3.2公顷绿地土壤改良和植物群落调整，恢复乡土植物群落。\n"
            "2.补植乔灌木4200株，完成36.8万平方米绿地日常养护。\n"
            "3.病虫害发生后48小时内完成处置，全年未发生较大面积病虫害，绿地养护质量全年稳定达到一级养护标准要求。",
            full_line=True,
        ),
        "value_header": "年度(/项目)指标值",
        "indicators": [
            (
                "成本指标",
                [
                    ("经济成本指标", [("绿地养护单位成本", "≤12.5元/平方米", "按养护定额测算")]),
                    ("生态环境成本指标", [("养护作业对周边环境影响", "可控", "")]),
                ],
            ),
            (
                "产出指标",
                [
                    ("数量指标", [("养护绿地面积", "36.8万平方米", ""), ("补植乔灌木数量", "4200株", "")]),
                    (
                        "质量指标",
                        [
                            ("绿地养护质量达标率", "≥95.00(%)", Cell("按绿地一级养护标准考核。", full_line=True)),
                            ("补植苗木成活率", "≥92.00(%)", "养护期满后复核"),
                        ],
                    ),
                    ("时效指标", [("病虫害处置响应时间", "≤48小时", "")]),
                ],
            ),
            (
                "效益指标",
                [
                    ("社会效益指标", [("滨水绿地每日开放时长", "≥16小时", "")]),
                    (
                        "生态效益指标",
                        [("项目区绿化覆盖率", "≥38.50(%)", ""), ("乡土植物应用比例", "≥70.00(%)", "按株数计")],
                    ),
                    ("可持续影响指标", [("养护管理长效机制", "健全", "")]),
                ],
            ),
            ("满意度指标", [("服务对象满意度指标", [("周边居民及游客满意度", "≥90.00(%)", "")])]),
        ],
    }
)


# ---------------------------------------------------------------------------------------------
# 2. A central department's 项目支出绩效目标申报表 (2025), amounts in 万元
# ---------------------------------------------------------------------------------------------
#
# "金额单位：万元" above the table.  Base columns 80 | 70 | 90 | 65 | 115 | 115:
#
#   项目名称        | name (cs 5)
#   主管部门及代码  | dept (cs 3)                     | 实施单位       | unit
#   项目属性        | nature (cs 3)                   | 项目期         | period
#   项目资金（万元）| 中期资金总额： (cs 2)   | amount | 年度资金总额：   | amount
#     (rs 3)        | 其中：财政拨款 (cs 2)   | amount | 其中：财政拨款   | amount
#                   | 其他资金 (cs 2)         | amount | 其他资金         | amount
#   总体目标 (rs 2) | 中期目标（2025年—2027年） (cs 3) | 年度目标 (cs 2)
#                   | mid-term goal (cs 3)             | annual goal (cs 2)
#   绩效指标 (rs n) | 一级指标 | 二级指标 | 三级指标 (cs 2) | 指标值     (no 备注 column)

CENTRAL_INDICATORS: Groups = [
    (
        "产出指标",
        [
            ("数量指标", [("开展文物安全督察省份数量", "31个", None), ("文物安全管理培训人次", "3000人次", None)]),
            ("质量指标", [("督察发现问题整改率", "≥95%", None)]),
            ("时效指标", [("问题整改反馈时限", "≤30天", None)]),
        ],
    ),
    ("成本指标", [("经济成本指标", [("单次督察平均成本", "≤12万元", None)])]),
    (
        "效益指标",
        [
            ("社会效益指标", [("文物火灾及盗掘案件数量", "逐年下降", None)]),
            ("可持续影响指标", [("文物安全长效监管机制", "基本建立", None)]),
        ],
    ),
    ("满意度指标", [("服务对象满意度指标", [("基层文物管理单位满意度", "≥95%", None)])]),
]
CENTRAL_N = sum(len(items) for _, subs in CENTRAL_INDICATORS for _, items in subs)

CENTRAL_2025_WENWU = Form(
    meta={"title": "项目支出绩效目标申报表", "year": 2025, "amount_unit_original": "万元"},
    pages=[
        [
            Text("项目支出绩效目标申报表", size=16, align="center", gap=0),
            Text("（2025年度）", size=11, align="center"),
            Text("金额单位：万元", align="right", gap=6),
            Table(
                widths=[80, 70, 90, 65, 115, 115],
                size=9,
                line_width=0.7,
                rows=[
                    [c("项目名称"), Cell("全国文物安全督察与风险防控能力建设", cs=5, key="fields.project_name")],
                    [
                        c("主管部门及代码"),
                        Cell("[165]国家文物局", cs=3, key="fields.supervising_dept"),
                        c("实施单位"),
                        Cell("国家文物局文物安全监管中心", key="fields.implementing_unit"),
                    ],
                    [
                        c("项目属性"),
                        Cell("延续项目", cs=3, key="fields.project_nature"),
                        c("项目期"),
                        Cell("3年", key="fields.period"),
                    ],
                    [
                        c("项目资金（万元）", rs=3),
                        Cell("中期资金总额：", cs=2),
                        Cell("3,618.50", align="right", key="funding.total"),
                        Cell("年度资金总额："),
                        Cell("1,236.80", align="right", key="funding.annual"),
                    ],
                    [
                        Cell("其中：财政拨款", cs=2),
                        Cell("3,300.00", align="right", key="funding.total_fiscal"),
                        Cell("其中：财政拨款"),
                        Cell("1,150.00", align="right", key="funding.annual_fiscal"),
                    ],
                    [
                        Cell("其他资金", cs=2),
                        Cell("318.50", align="right", key="funding.total_other"),
                        Cell("其他资金"),
                        Cell("86.80", align="right", key="funding.annual_other"),
                    ],
                    [c("总体目标", rs=2), c("中期目标（2025年—2027年）", cs=3), c("年度目标", cs=2)],
                    [
                        # cut at the bottom of the full cell, after 及 (文物火灾及|盗掘案件)
                        top(
                            "目标1：建立覆盖全国31个省份的文物安全督察工作机制，每年对重点地区和重点文物单位开展"
                            "专项督察。\n"
                            "目标2：三年累计培训基层文物安全管理人员9000人次，提升基层文物安全管理能力。\n"
                            "目标3：推动文物安全技术防范设施建设，文物火灾及",
                            after="盗掘案件数量逐年下降，形成文物安全长效监管机制。",
                            cs=3,
                            key="fields.overall_goal",
                        ),
                        top(
                            "目标1：对31个省份开展文物安全督察，督察发现问题整改率不低于95%。\n"
                            "目标2：培训基层文物安全管理人员3000人次。\n"
                            "目标3：问题整改反馈时限不超过30天。",
                            cs=2,
                            key="fields.annual_goal",
                        ),
                    ],
                    [
                        c("绩效指标", rs=CENTRAL_N + 1),
                        c("一级指标"),
                        c("二级指标"),
                        c("三级指标", cs=2),
                        c("指标值"),
                    ],
                    *indicator_rows(CENTRAL_INDICATORS, spans=(1, 1, 2, 1, 0))[0],
                ],
            ),
        ]
    ],
)


# ---------------------------------------------------------------------------------------------
# 3. A provincial 省级部门预算项目支出绩效目标表 (2024)
# ---------------------------------------------------------------------------------------------
#
# "填报单位（盖章）：…" and "单位：元" above the table.  Base columns 85 | 100 | 115 | 85 | 150:
#
#   项目名称   | name (cs 2)                  | 主管部门   | dept
#   实施单位   | unit (cs 2)                  | 项目类别   | checkbox: TWO options ticked (ambiguous)
#   项目负责人 | leader (cs 2)                | 联系电话   | phone
#   实施期限   | period (cs 4)
#   立项依据   | basis (cs 4): one line shown, cut inside 《…》
#   项目资金   | 年度资金总额 (cs 2)          | amount (cs 2)
#     (rs 4)   | 其中：中央补助安排 (cs 2)    | amount (cs 2)
#              | 省级财政安排 (cs 2)          | amount (cs 2)
#              | 其他资金 (cs 2)              | amount (cs 2)
#   年度绩效目标 | goal (cs 4)
#   一级指标 | 二级指标 | 三级指标 | 指标值 | 备注

PROVINCE_INDICATORS: Groups = [
    (
        "产出指标",
        [
            (
                "数量指标",
                [("耕地质量监测点建设数量", "120个", "新建及提升"), ("测土配方施肥技术培训", "2500人次", "")],
            ),
            ("质量指标", [("监测数据有效率", "≥98%", "")]),
            ("时效指标", [("监测报告报送时限", "≤15天", "每季度末起算")]),
        ],
    ),
    ("成本指标", [("经济成本指标", [("单个监测点年运维成本", "≤2.3万元", "")])]),
    (
        "效益指标",
        [
            ("经济效益指标", [("示范区亩均节本增效", "≥80元", "")]),
            ("社会效益指标", [("农户科学施肥技术到位率", "≥90%", "")]),
            ("生态效益指标", [("项目区化肥使用量", "较上年下降", "")]),
        ],
    ),
    ("满意度指标", [("服务对象满意度指标", [("项目区农户满意度", "≥90%", "抽样调查不少于300户")])]),
]

PROVINCE_2024_JIANGXI = Form(
    meta={"title": "江西省省级部门预算项目支出绩效目标表", "year": 2024, "amount_unit_original": "元"},
    pages=[
        [
            Text("江西省省级部门预算项目支出绩效目标表", size=16, align="center", gap=0),
            Text("（2024年度）", size=11, align="center"),
            Text("填报单位（盖章）：江西省农业农村厅", key="fields.reporting_unit", label="填报单位（盖章）："),
            Text("单位：元", align="right", gap=4),
            Table(
                widths=[85, 100, 115, 85, 150],
                size=9,
                line_width=0.5,
                rows=[
                    [
                        c("项目名称"),
                        Cell("耕地质量监测与化肥减量增效示范", cs=2, key="fields.project_name"),
                        c("主管部门"),
                        Cell("江西省农业农村厅", key="fields.supervising_dept"),
                    ],
                    [
                        c("实施单位"),
                        Cell("江西省耕地质量保护与肥料管理站", cs=2, key="fields.implementing_unit"),
                        c("项目类别"),
                        Cell("■新增项目 ■延续项目", key="fields.project_category", checkbox=True),
                    ],
                    [
                        c("项目负责人"),
                        Cell("刘文涛", cs=2, key="fields.project_leader"),
                        c("联系电话"),
                        Cell("0791-86229310", key="fields.contact_phone"),
                    ],
                    [c("实施期限"), Cell("2024年1月1日—2024年12月31日", cs=4, key="fields.period")],
                    [
                        c("立项依据"),
                        top(
                            "根据《中华人民共和国农产品质量安全法》《江西省耕地质量保护条例》"
                            "《农业农村部办公厅关于做好耕地质量",
                            after="监测工作的通知》和《江西省“十四五”推进农业农村现代化规划》等规定，在全省布设"
                            "耕地质量长期定位监测点，持续开展测土配方施肥技术推广，为科学施肥和耕地保护提供数据支撑。",
                            cs=4,
                            key="fields.basis",
                        ),
                    ],
                    [
                        c("项目资金", rs=4),
                        Cell("年度资金总额", cs=2),
                        Cell("2,860,000.00", cs=2, align="right", key="funding.annual"),
                    ],
                    [
                        Cell("其中：中央补助安排", cs=2),
                        Cell("1,200,000.00", cs=2, align="right", key="funding.annual_fiscal_superior"),
                    ],
                    [
                        Cell("省级财政安排", cs=2),
                        Cell("1,500,000.00", cs=2, align="right", key="funding.annual_fiscal_local"),
                    ],
                    [
                        Cell("其他资金", cs=2),
                        Cell("160,000.00", cs=2, align="right", key="funding.annual_other"),
                    ],
                    [
                        c("年度绩效目标"),
                        top(
                            "围绕耕地质量提升和化肥减量增效目标，2024年在全省新建及提升耕地质量长期定位监测点"
                            "120个，开展测土配方施肥技术培训2500人次，按季度报送监测报告，示范区亩均节本增效80元"
                            "以上，项目区化肥使用量较上年下降，农户科学施肥技术到位率达到90%以上。",
                            cs=4,
                            key="fields.annual_goal",
                        ),
                    ],
                    [c("一级指标"), c("二级指标"), c("三级指标"), c("指标值"), c("备注")],
                    *indicator_rows(PROVINCE_INDICATORS, align3="center")[0],
                ],
            ),
        ]
    ],
)


# ---------------------------------------------------------------------------------------------
# 4. A form whose indicator table runs over a page break: 财政支出绩效目标申报表 (2025)
# ---------------------------------------------------------------------------------------------
#
# Page 1: title, 填报单位, 金额单位：元, one table: base columns 70 | 80 | 100 | 95 | 75 | 115
#
#   项目名称   | name (cs 5)
#   主管部门   | dept (cs 2)      | 实施单位 | unit (cs 2)
#   项目负责人 | leader | 联系人 | contact | 联系电话 | phone
#   起始日期   | start  | 结束日期 | end   | (empty, cs 2)
#   项目资金   | 年度资金总额 (cs 2)   | amount (cs 3)
#     (rs 4)   | 其中：财政拨款 (cs 2) | amount (cs 3)
#              | 上年结转资金 (cs 2)   | amount (cs 3)
#              | 其他资金 (cs 2)       | amount (cs 3)
#   项目概况   | overview (cs 5)
#   年度绩效目标 | goal (cs 5)
#   一级指标 | 二级指标 | 三级指标 (cs 2) | 指标值 | 备注
#   ... as many indicator rows as the page holds
#
# Page 2: no title; a table with the same columns goes on with the indicator rows.  The 效益指标 and
# 社会效益指标 merged cells are cut by the page break: page 2 starts with an empty merged cell for
# each of them (the record carries their text down).

PAGEBREAK_WIDTHS = [70, 80, 100, 95, 75, 115]
PAGE2_WIDTHS = [70, 80, 195, 75, 115]
PAGEBREAK_INDICATORS: Groups = [
    (
        "产出指标",
        [
            (
                "数量指标",
                [
                    ("家庭医生签约居民人数", "≥28万人", "常住人口签约"),
                    ("重点人群签约人数", "≥12万人", "含老年人、慢病患者、孕产妇、儿童及残疾人等重点人群"),
                    ("签约居民健康评估人次", "8万人次", ""),
                    ("家庭病床建床数", "1200张", ""),
                    ("家庭医生团队培训人次", "1600人次", "全科医生、护士及公卫人员"),
                    ("智能健康驿站建设数量", "15个", "每个街镇不少于1个"),
                ],
            ),
            (
                "质量指标",
                [
                    ("重点人群签约率", "≥80%", ""),
                    ("签约居民电子健康档案规范建档率", "≥95%", ""),
                    ("家庭病床服务规范率", "=100%", "按市级家庭病床服务规范考核"),
                    ("健康评估报告合格率", "≥98%", ""),
                    ("高血压、糖尿病患者规范管理率", "≥85%", ""),
                ],
            ),
            (
                "时效指标",
                [("签约服务费拨付时限", "≤30天", "季度考核后"), ("居民预约转诊响应时间", "≤7天", "")],
            ),
        ],
    ),
    (
        "成本指标",
        [
            (
                "经济成本指标",
                [("人均签约服务补助标准", "≤18元", "按签约人数核定"), ("家庭病床单床建床补助", "≤800元", "")],
            )
        ],
    ),
    (
        "效益指标",
        [
            (
                "社会效益指标",
                [
                    ("签约居民社区就诊率", "≥60%", "签约居民在社区卫生服务中心就诊人次占比"),
                    ("签约居民续约率", "≥90%", ""),
                    ("双向转诊机制运行情况", "顺畅", "区域医联体内上下转诊"),
                    ("居民健康素养水平", "≥40%", Cell("按市级健康素养监测口径", full_line=True)),
                ],
            ),
            (
                "可持续影响指标",
                [
                    ("家庭医生服务长效机制", "健全", ""),
                    (
                        "信息化服务平台持续运行",
                        "稳定运行",
                        Cell("依托家庭医生签约信息系统实", after="时监测运行状态", nowrap=True),
                    ),
                ],
            ),
        ],
    ),
    (
        "满意度指标",
        [("服务对象满意度指标", [("签约居民满意度", "≥90%", ""), ("家庭病床患者及家属满意度", "≥90%", "")])],
    ),
]
PAGEBREAK_N = sum(len(items) for _, subs in PAGEBREAK_INDICATORS for _, items in subs)


def pagebreak_pages(k: int) -> list[list[Text | Table]]:
    """The two pages with the first ``k`` indicators on page 1."""
    page1_rows, page2_rows = indicator_rows(PAGEBREAK_INDICATORS, spans=(1, 1, 2, 1, 1), breaks=(k,))
    for cell in (cell for row in page2_rows for cell in row if cell.cs == 2):
        cell.cs = 1  # page 2's table has no column line inside 三级指标 (page 1's head rows need it)
    head = [
        [c("项目名称"), Cell("嘉定区家庭医生签约服务能力提升", cs=5, key="fields.project_name")],
        [
            c("主管部门"),
            Cell("上海市嘉定区卫生健康委员会", cs=2, key="fields.supervising_dept"),
            c("实施单位"),
            Cell("上海市嘉定区社区卫生服务管理中心", cs=2, key="fields.implementing_unit"),
        ],
        [
            c("项目负责人"),
            c("沈立群", key="fields.project_leader"),
            c("联系人"),
            c("陆佳", key="fields.contact_person"),
            c("联系电话"),
            c("021-59918826", key="fields.contact_phone"),
        ],
        [
            c("起始日期"),
            c("2025-01-01", key="fields.start_date"),
            c("结束日期"),
            c("2025-12-31", key="fields.end_date"),
            Cell(cs=2),
        ],
        [
            c("项目资金", rs=4),
            Cell("年度资金总额", cs=2),
            Cell("5,480,000.00", cs=3, align="right", key="funding.annual"),
        ],
        [Cell("其中：财政拨款", cs=2), Cell("5,000,000.00", cs=3, align="right", key="funding.annual_fiscal")],
        [Cell("上年结转资金", cs=2), Cell("0.00", cs=3, align="right", key="funding.annual_carryover")],
        [Cell("其他资金", cs=2), Cell("480,000.00", cs=3, align="right", key="funding.annual_other")],
        [
            c("项目概况"),
            top(
                "本项目用于家庭医生签约服务补助、家庭病床建床补助、智能健康驿站建设及家庭医生团队培训。"
                "2024年全区签约居民26.5万人，重点人群签约率78.6%，家庭医生签约服务已成为社区卫生服务的主要方式。",
                cs=5,
                key="fields.overview",
            ),
        ],
        [
            c("立项依据"),
            top(
                "《关于推进家庭医生签约服务高质量发展的指导意见》（国卫基层发〔2022〕10号）、《上海市家庭医生"
                "签约服务管理办法》、《嘉定区深化社区卫生服务综合改革实施方案》及区政府2025年实事项目安排。",
                cs=5,
                key="fields.basis",
            ),
        ],
        [
            c("可行性"),
            top(
                "全区13家社区卫生服务中心均已建立家庭医生工作室，组建家庭医生团队186个，签约服务信息系统运行"
                "稳定，具备扩面提质的人员、场地和信息化条件。",
                cs=5,
                key="fields.feasibility",
            ),
        ],
        [
            c("年度绩效目标"),
            top(
                "在全区推进家庭医生签约服务提质扩面，签约居民人数不少于28万人，重点人群签约率不低于80%，"
                "新建家庭病床1200张，建成智能健康驿站15个，签约居民社区就诊率和续约率稳步提高，"
                "居民对家庭医生签约服务的获得感和满意度持续提升。",
                cs=5,
                key="fields.annual_goal",
            ),
        ],
        [c("一级指标"), c("二级指标"), c("三级指标", cs=2), c("指标值"), c("备注")],
    ]
    return [
        [
            Text("财政支出绩效目标申报表", size=16, align="center", gap=0),
            Text("（2025年度）", size=11, align="center"),
            Text("填报单位：上海市嘉定区卫生健康委员会", key="fields.reporting_unit", label="填报单位："),
            Text("金额单位：元", align="right", gap=4),
            Table(widths=PAGEBREAK_WIDTHS, rows=head + page1_rows, size=10, line_width=0.6, min_row=19),
        ],
        [Table(widths=PAGE2_WIDTHS, rows=page2_rows, size=10, line_width=0.6, min_row=19, gap=0)],
    ]


def fill_first_page() -> int:
    """The most indicators page 1 holds; the break must cut both a 一级 and a 二级 merged cell."""
    for k in range(PAGEBREAK_N - 1, 0, -1):
        try:
            layout_page(pagebreak_pages(k)[0])
        except ValueError:
            continue
        page2 = pagebreak_pages(k)[1][0].rows[0]
        if not (page2[0].text == page2[1].text == "" and page2[0].rs > 1 and page2[1].rs > 1):
            raise AssertionError(f"the page break (after indicator {k}) does not cut a 一级 and a 二级 merged cell")
        return k
    raise AssertionError("no indicator fits on page 1")


PAGEBREAK_2025_JIADING = Form(
    meta={"title": "财政支出绩效目标申报表", "year": 2025, "amount_unit_original": "元"},
    pages=pagebreak_pages(fill_first_page()),
)


# ---------------------------------------------------------------------------------------------
# 5. A 部门预算公开 document with two forms at the end
# ---------------------------------------------------------------------------------------------
#
# Pages 1-15 (not forms): cover, 目录, narrative (一、部门主要职能 … 七、项目经费情况说明, which says
# the targets are "详见单位的项目绩效目标表"), eight ruled budget tables, page numbers "- n -" at the
# foot.  Then filing 1: the district 2026 template (one page); filing 2: a two-sheet form
# (项目总体情况 / 绩效目标), one page each.  The budget tables' amounts add up (computed below).

XUHUI_DEPT = "上海市徐汇区绿化和市容管理局"
YUAN = Decimal("0.01")

# Functional classification: (类, 款, 项, name, basic, project fiscal, project other funds)
FUNCTION_ROWS = [
    ("212", "01", "01", "行政运行", "15862415.36", "0", "0"),
    ("212", "01", "04", "城管执法", "0", "3265000.00", "0"),
    ("212", "01", "99", "其他城乡社区管理事务支出", "0", "2180000.00", "0"),
    ("212", "05", "01", "城乡社区环境卫生", "0", "186012300.00", "440000.00"),
    ("212", "99", "99", "其他城乡社区支出", "0", "35496000.00", "0"),
    ("208", "05", "01", "行政单位离退休", "986420.00", "0", "0"),
    ("208", "05", "05", "机关事业单位基本养老保险缴费支出", "2216580.00", "0", "0"),
    ("208", "05", "06", "机关事业单位职业年金缴费支出", "1108290.00", "0", "0"),
    ("210", "11", "01", "行政单位医疗", "1385240.00", "0", "0"),
    ("221", "02", "01", "住房公积金", "2534800.00", "0", "0"),
    ("221", "02", "03", "购房补贴", "1652400.00", "0", "0"),
]
CLASS_NAMES = {
    "212": "城乡社区支出",
    "21201": "城乡社区管理事务",
    "21205": "城乡社区环境卫生",
    "21299": "其他城乡社区支出",
    "208": "社会保障和就业支出",
    "20805": "行政事业单位养老支出",
    "210": "卫生健康支出",
    "21011": "行政事业单位医疗",
    "221": "住房保障支出",
    "22102": "住房改革支出",
}


def function_lines() -> list[tuple[str, str, str, str, Decimal, Decimal, Decimal]]:
    """类/款 subtotal rows and 项 rows: (类, 款, 项, name, basic, project fiscal, project other)."""
    leaves = [(a, b, c_, n, Decimal(x), Decimal(y), Decimal(z)) for a, b, c_, n, x, y, z in FUNCTION_ROWS]
    out = []
    for code in dict.fromkeys(leaf[0] for leaf in leaves):
        group = [leaf for leaf in leaves if leaf[0] == code]
        out.append((code, "", "", CLASS_NAMES[code], *(sum(leaf[k] for leaf in group) for k in (4, 5, 6))))
        for kuan in dict.fromkeys(leaf[1] for leaf in group):
            sub = [leaf for leaf in group if leaf[1] == kuan]
            out.append((code, kuan, "", CLASS_NAMES[code + kuan], *(sum(leaf[k] for leaf in sub) for k in (4, 5, 6))))
            out += sub
    return out


LEAVES = [row for row in function_lines() if row[2]]
BASIC = sum(row[4] for row in LEAVES)
PROJECT_FISCAL = sum(row[5] for row in LEAVES)
OTHER_INCOME = sum(row[6] for row in LEAVES)
FISCAL = BASIC + PROJECT_FISCAL
TOTAL = FISCAL + OTHER_INCOME

# Economic classification of the basic expenditure: (类, 款, name, amount or None for the remainder)
ECONOMIC_ROWS = [
    ("301", "01", "基本工资", "3245600.00"),
    ("301", "02", "津贴补贴", "7968300.00"),
    ("301", "08", "机关事业单位基本养老保险缴费", "2216580.00"),
    ("301", "09", "职业年金缴费", "1108290.00"),
    ("301", "10", "职工基本医疗保险缴费", "1385240.00"),
    ("301", "13", "住房公积金", "2534800.00"),
    ("301", "99", "其他工资福利支出", None),
    ("302", "01", "办公费", "185000.00"),
    ("302", "07", "邮电费", "96000.00"),
    ("302", "11", "差旅费", "42000.00"),
    ("302", "16", "培训费", "28000.00"),
    ("302", "17", "公务接待费", "6500.00"),
    ("302", "28", "工会经费", "236815.36"),
    ("302", "31", "公务用车运行维护费", "128000.00"),
    ("302", "39", "其他交通费用", "512400.00"),
    ("302", "99", "其他商品和服务支出", "394600.00"),
    ("303", "02", "退休费", "986420.00"),
    ("303", "99", "其他对个人和家庭的补助", "1652400.00"),
]
ECONOMIC_NAMES = {"301": "工资福利支出", "302": "商品和服务支出", "303": "对个人和家庭的补助"}


def economic_lines() -> list[tuple[str, str, str, Decimal, Decimal, Decimal]]:
    """(类, 款, name, total, 人员经费, 公用经费); 其他工资福利支出 takes what the others leave of BASIC."""
    known = sum(Decimal(a) for *_, a in ECONOMIC_ROWS if a)
    rows = [(k, kk, n, Decimal(a) if a else BASIC - known) for k, kk, n, a in ECONOMIC_ROWS]
    if any(a <= 0 for *_, a in rows):
        raise ValueError("the economic classification does not leave a positive remainder")
    out = []
    for code in dict.fromkeys(r[0] for r in rows):
        group = [r for r in rows if r[0] == code]
        total = sum(r[3] for r in group)
        public = code == "302"
        out.append(
            (code, "", ECONOMIC_NAMES[code], total, Decimal(0) if public else total, total if public else Decimal(0))
        )
        out += [(k, kk, n, a, Decimal(0) if public else a, a if public else Decimal(0)) for k, kk, n, a in group]
    return out


def yuan(amount: Decimal, commas: bool = False) -> str:
    return f"{amount.quantize(YUAN):,}" if commas else str(amount.quantize(YUAN))


def wan(amount: Decimal) -> str:
    """元 -> 万元 as running text prints it (two places)."""
    return str((amount / 10000).quantize(YUAN))


def r(text: str, **kw) -> Cell:
    """A right-aligned amount cell."""
    return Cell(text, align="right", **kw)


def table_head(title: str, unit: str = "元") -> list[Text]:
    return [
        Text(title, size=14, align="center", gap=0),
        Text(f"编制部门：{XUHUI_DEPT}", size=9, gap=10),
        Text(f"单位：{unit}", size=9, align="right", gap=-9),
    ]


def function_table(group: str, columns: list[str], values) -> Table:
    """类 | 款 | 项 | 功能分类科目名称 | amount columns under ``group``: a three-row header, a 合计 row."""
    n = len(columns)
    rows = [
        [c("项目", cs=4), c(group, cs=n)],
        [c("功能分类科目编码", cs=3), c("功能分类科目名称", rs=2)] + [c(h, rs=2) for h in columns],
        [c("类"), c("款"), c("项")],
    ]
    totals = [Decimal(0)] * n
    for line in function_lines():
        amounts = values(line)
        rows.append([c(line[0]), c(line[1]), c(line[2]), Cell(line[3])] + [r(yuan(a)) for a in amounts])
        if line[2]:
            totals = [t + a for t, a in zip(totals, amounts)]
    rows.append([c("合计", cs=4)] + [r(yuan(t)) for t in totals])
    amount_w = 70 if n > 3 else 90
    widths = [26, 26, 26, 535 - 78 - amount_w * n] + [amount_w] * n
    return Table(widths=widths, rows=rows, size=8, min_row=16, line_width=0.5, gap=6)


def budget_tables() -> list[list[Text | Table] | None]:
    classes = [line for line in function_lines() if not line[1]]
    summary = [
        [c("本年收入", cs=2), c("本年支出", cs=2)],
        [c("项目"), c("预算数"), c("项目"), c("预算数")],
    ]
    income = [
        ("一、财政拨款收入", FISCAL),
        ("1. 一般公共预算", FISCAL),
        ("2. 政府性基金预算", Decimal(0)),
        ("3. 国有资本经营预算", Decimal(0)),
        ("二、事业收入", Decimal(0)),
        ("三、事业单位经营收入", Decimal(0)),
        ("四、其他收入", OTHER_INCOME),
    ]
    numerals = "一二三四五六"
    for k, (label, amount) in enumerate(income):
        spend = classes[k] if k < len(classes) else None
        summary.append(
            [Cell(label), r(yuan(amount, True))]
            + ([Cell(f"{numerals[k]}、{spend[3]}"), r(yuan(sum(spend[4:]), True))] if spend else [Cell(""), Cell("")])
        )
    summary.append([c("收入总计"), r(yuan(TOTAL, True)), c("支出总计"), r(yuan(TOTAL, True))])

    fiscal = [
        [c("财政拨款收入", cs=2), c("财政拨款支出", cs=5)],
        [c("项目"), c("预算数"), c("项目"), c("合计"), c("一般公共预算"), c("政府性基金预算"), c("国有资本经营预算")],
    ]
    fiscal_income = [
        ("一、一般公共预算", FISCAL),
        ("二、政府性基金预算", Decimal(0)),
        ("三、国有资本经营预算", Decimal(0)),
    ]
    for k in range(max(len(fiscal_income), len(classes))):
        left = (
            [Cell(fiscal_income[k][0]), r(yuan(fiscal_income[k][1], True))]
            if k < len(fiscal_income)
            else [
                Cell(""),
                Cell(""),
            ]
        )
        spend = classes[k]
        amount = spend[4] + spend[5]
        fiscal.append(
            left
            + [Cell(f"{numerals[k]}、{spend[3]}"), r(yuan(amount, True)), r(yuan(amount, True)), Cell(""), Cell("")]
        )
    fiscal.append(
        [c("收入总计"), r(yuan(FISCAL, True)), c("支出总计"), r(yuan(FISCAL, True)), r(yuan(FISCAL, True))]
        + [Cell(""), Cell("")]
    )

    economic = [
        [c("项目", cs=3), c("一般公共预算基本支出", cs=3)],
        [
            c("部门预算经济分类科目编码", cs=2),
            c("经济分类科目名称", rs=2),
            c("合计", rs=2),
            c("人员经费", rs=2),
            c("公用经费", rs=2),
        ],
        [c("类"), c("款")],
    ]
    econ = economic_lines()
    for k, kk, name, total, people, public in econ:
        economic.append([c(k), c(kk), Cell(name), r(yuan(total)), r(yuan(people)), r(yuan(public))])
    leaves = [e for e in econ if e[1]]
    economic.append([c("合计", cs=3)] + [r(yuan(sum(e[i] for e in leaves))) for i in (3, 4, 5)])

    public_total = sum(e[3] for e in leaves if e[0] == "302")
    reception = next(e[3] for e in leaves if e[2] == "公务接待费")
    car = next(e[3] for e in leaves if e[2] == "公务用车运行维护费")
    three = [
        [c("“三公”经费预算数", cs=6), c("机关运行经费预算数", rs=3)],
        [c("合计", rs=2), c("因公出国(境)费", rs=2), c("公务接待费", rs=2), c("公务用车购置及运行费", cs=3)],
        [c("小计"), c("购置费"), c("运行费")],
        [
            r(wan(reception + car)),
            r("0.00"),
            r(wan(reception)),
            r(wan(car)),
            r("0.00"),
            r(wan(car)),
            r(wan(public_total)),
        ],
    ]
    empty_fund = [
        [c("项目", cs=4), c("政府性基金预算支出", cs=3)],
        [
            c("功能分类科目编码", cs=3),
            c("功能分类科目名称", rs=2),
            c("合计", rs=2),
            c("基本支出", rs=2),
            c("项目支出", rs=2),
        ],
        [c("类"), c("款"), c("项")],
        [c("无", cs=4), Cell(""), Cell(""), Cell("")],
        [c("合计", cs=4), Cell(""), Cell(""), Cell("")],
    ]
    note = "注：本部门2026年无政府性基金预算财政拨款安排的预算，故本表为空表。"
    return [
        None,
        table_head("2026年部门财务收支预算总表")
        + [Table(widths=[150, 117.5, 150, 117.5], rows=summary, size=9, min_row=20, line_width=0.5, gap=6)],
        None,
        table_head("2026年部门收入预算总表")
        + [
            function_table(
                "收入预算",
                ["合计", "财政拨款收入", "事业收入", "事业单位经营收入", "其他收入"],
                lambda ln: [sum(ln[4:]), ln[4] + ln[5], Decimal(0), Decimal(0), ln[6]],
            )
        ],
        None,
        table_head("2026年部门支出预算总表")
        + [
            function_table("支出预算", ["合计", "基本支出", "项目支出"], lambda ln: [sum(ln[4:]), ln[4], ln[5] + ln[6]])
        ],
        None,
        table_head("2026年部门财政拨款收支预算总表")
        + [Table(widths=[95, 75, 115, 65, 65, 60, 60], rows=fiscal, size=8, min_row=20, line_width=0.5, gap=6)],
        None,
        table_head("2026年部门一般公共预算支出功能分类预算表")
        + [
            function_table(
                "一般公共预算支出", ["合计", "基本支出", "项目支出"], lambda ln: [ln[4] + ln[5], ln[4], ln[5]]
            )
        ],
        None,
        table_head("2026年部门政府性基金预算支出功能分类预算表")
        + [
            Table(widths=[26, 26, 26, 187, 90, 90, 90], rows=empty_fund, size=8, min_row=16, line_width=0.5, gap=6),
            Text(note, size=9, gap=6),
        ],
        None,
        table_head("2026年部门一般公共预算基本支出部门预算经济分类预算表")
        + [Table(widths=[40, 40, 185, 90, 90, 90], rows=economic, size=8, min_row=16, line_width=0.5, gap=6)],
        None,
        table_head("2026年部门“三公”经费和机关运行经费预算表", unit="万元")
        + [Table(widths=[70, 80, 75, 80, 60, 60, 110], rows=three, size=9, min_row=22, line_width=0.5, gap=6)],
    ]


def heading(text: str, size: float = 16, gap: float = 12) -> Text:
    return Text(text, size=size, align="center", gap=gap)


def section(title: str, paragraphs: list[str], size: float = 10.5) -> list[list[Text | Table] | None]:
    """A centred heading and its paragraphs as flow chunks (the heading kept with two lines)."""
    lines = [paragraph(p, size=size) for p in paragraphs]
    first = [heading(title)] + lines[0][:2]
    chunks: list[list[Text | Table] | None] = [first] + [[ln] for ln in lines[0][2:]]
    for para in lines[1:]:
        chunks += [[ln] for ln in para]
    return chunks


def disclosure_pages() -> list[list[Text | Table]]:
    dept = XUHUI_DEPT
    contents = [
        "一、部门主要职能",
        "二、部门机构设置",
        "三、名词解释",
        "四、部门预算编制说明",
        "五、部门预算表",
        "    1. 2026年部门财务收支预算总表",
        "    2. 2026年部门收入预算总表",
        "    3. 2026年部门支出预算总表",
        "    4. 2026年部门财政拨款收支预算总表",
        "    5. 2026年部门一般公共预算支出功能分类预算表",
        "    6. 2026年部门政府性基金预算支出功能分类预算表",
        "    7. 2026年部门一般公共预算基本支出部门预算经济分类预算表",
        "    8. 2026年部门“三公”经费和机关运行经费预算表",
        "六、其他相关情况说明",
        "七、项目经费情况说明",
    ]
    cover = [
        [heading("上海市徐汇区2026年区级部门预算", size=24, gap=230)],
        [heading(f"预算主管部门：{dept}", size=14, gap=40)],
        None,
        [heading("目  录", size=18, gap=10)] + [Text(line, size=12, gap=12) for line in contents],
    ]
    duties = [
        f"{dept}是主管本区绿化、林业和市容环境卫生工作的区政府工作部门，主要职责是：",
        "（一）贯彻执行国家和本市有关绿化、林业、市容环境卫生管理的法律、法规、规章和政策，拟订本区相关发展规划和"
        "年度计划并组织实施。",
        "（二）负责本区公园绿地、道路绿化、街心花园等公共绿地的建设和养护管理，组织实施立体绿化和林荫道建设。",
        "（三）负责本区行道树和古树名木的保护管理，组织开展绿化养护质量检查和考核评价。",
        "（四）负责本区市容环境卫生的监督管理，组织实施道路和公共场所的清扫保洁、生活垃圾分类收运和处置工作。",
        "（五）负责本区景观照明和户外广告设施设置的监督管理，组织实施重点区域景观照明的建设和运行维护。",
        "（六）负责本区绿化市容行业安全生产和应急管理，组织做好防汛防台期间树木和户外设施的安全处置。",
        "（七）负责本区绿化市容信息化建设和行业统计工作，推进精细化管理和智能化监管。",
        "（八）按规定权限负责本系统国有资产的管理，负责下属单位建设项目的审核、立项和转报工作。",
        "（九）完成区委、区政府交办的其他任务。",
    ]
    structure = [
        f"{dept}部门预算是包括局本部以及下属5家预算单位的综合收支计划。本部门中，行政单位1家，参公单位1家，"
        "事业单位4家，具体包括：局本部、区绿化市容行政执法大队、区绿化建设养护中心、区环境卫生管理所、区景观照明"
        "管理所、区林业站。",
    ]
    terms = [
        "（一）财政拨款收入：是区级预算主管部门及所属预算单位本年度从本级财政部门取得的财政拨款，包括一般公共预算"
        "财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款。",
        "（二）事业收入：指事业单位开展专业业务活动及其辅助活动取得的收入。",
        "（三）其他收入：指除上述财政拨款收入、事业收入、事业单位经营收入等以外的收入。",
        "（四）基本支出预算：是区级预算主管部门及所属预算单位为保障其机构正常运转、完成日常工作任务而编制的年度"
        "基本支出计划，包括人员经费和公用经费两部分。",
        "（五）项目支出预算：是区级预算主管部门及所属预算单位为完成行政工作任务、事业发展目标，在基本支出之外编制"
        "的年度支出计划。",
        "（六）“三公”经费：是与区级财政有经费领拨关系的部门及其下属预算单位使用区级财政拨款安排的因公出国（境）"
        "费、公务用车购置及运行费、公务接待费。",
        "（七）机关运行经费：指行政单位和参照公务员法管理的事业单位使用一般公共预算财政拨款安排的基本支出中的日常"
        "公用经费支出。",
    ]
    explain = [
        f"2026年，{dept}收入预算{wan(TOTAL)}万元，其中：财政拨款收入{wan(FISCAL)}万元，比2025年预算增加1286.40"
        f"万元；事业收入0万元；事业单位经营收入0万元；其他收入{wan(OTHER_INCOME)}万元。",
        f"支出预算{wan(TOTAL)}万元，其中：财政拨款支出预算{wan(FISCAL)}万元。财政拨款支出预算中，一般公共预算拨款"
        f"支出预算{wan(FISCAL)}万元；政府性基金拨款支出预算0万元，与2025年预算持平；国有资本经营预算拨款支出预算0"
        "万元，与2025年预算持平。",
        "财政拨款收入支出增加的主要原因是道路绿化养护面积增加和行道树补植更新。财政拨款支出主要内容如下：",
    ]
    for k, line in enumerate(LEAVES, 1):
        amount = line[4] + line[5]
        parent = CLASS_NAMES[line[0]]
        kuan = CLASS_NAMES[line[0] + line[1]]
        explain.append(
            f"{k}、{parent}（{line[0]}类）{kuan}（{line[1]}款）{line[3]}（{line[2]}项）{wan(amount)}万元。"
            f"主要用于：{'机构正常运转及人员支出' if line[4] else '绿化市容业务项目支出'}。"
        )
    leaves = [e for e in economic_lines() if e[1]]
    public = sum(e[3] for e in leaves if e[0] == "302")
    reception = next(e[3] for e in leaves if e[2] == "公务接待费")
    car = next(e[3] for e in leaves if e[2] == "公务用车运行维护费")
    other = [
        "一、2026年“三公”经费预算情况说明",
        f"2026年“三公”经费预算数为{wan(reception + car)}万元，与2025年预算持平。其中：因公出国（境）费0万元；"
        f"公务用车购置及运行费{wan(car)}万元，其中公务用车购置费0万元、公务用车运行费{wan(car)}万元；公务接待费"
        f"{wan(reception)}万元。",
        "二、机关运行经费预算",
        f"2026年{dept}下属1家机关和1家参公事业单位财政拨款的机关运行经费预算为{wan(public)}万元。",
        "三、政府采购预算情况",
        "2026年本部门政府采购预算21836.50万元，其中：政府采购货物预算126.00万元、政府采购工程预算3580.00万元、"
        "政府采购服务预算18130.50万元。",
        "四、绩效目标设置情况",
        "按照本区预算绩效管理工作的总体要求，本部门6个预算单位开展了2026年项目预算绩效目标编报工作，编报绩效目标"
        f"的项目18个，涉及项目预算资金{wan(PROJECT_FISCAL + OTHER_INCOME)}万元。重点项目绩效目标详见单位的项目绩效"
        "目标表。",
        "五、国有资产占有使用情况",
        f"截至2025年8月31日，{dept}共有车辆6辆，其中：执法执勤用车4辆、特种专业技术用车2辆；单价100万元（含）以上"
        "设备（不含车辆）0台（套）。2026年部门预算安排购置车辆0辆。",
    ]
    projects = [
        "（一）行道树养护及补植更新项目",
        "项目概述：本项目用于全区286条道路、4.3万株行道树的日常养护，以及缺株、病株的补植更新。实施主体：上海市"
        "徐汇区绿化建设养护中心。实施周期：2026年1月1日至2026年12月31日。年度预算安排2685.60万元。",
        "绩效目标：全区行道树完好率不低于98%，补植苗木成活率不低于95%，台风、暴雨期间树木安全隐患24小时内处置完毕，"
        "市民满意度不低于90%。",
        "（二）徐汇滨江公共空间景观照明运行维护项目",
        "项目概述：本项目用于徐汇滨江8.95公里岸线景观照明设施的日常运行、巡查和维修。实施主体：上海市徐汇区景观"
        "照明管理所。实施周期：2026年1月1日至2026年12月31日。年度预算安排864.00万元。",
        "绩效目标：灯具完好率和亮灯率均不低于98%，故障灯具48小时内修复，景观照明单位能耗较上年下降，市民游客满意度"
        "不低于90%。以上项目的绩效目标详见单位的项目绩效目标表。",
    ]
    chunks: list[list[Text | Table] | None] = [None]
    chunks += section("一、部门主要职能", duties)
    chunks += [None] + section("二、部门机构设置", structure)
    chunks += section("三、名词解释", terms)
    chunks += [None] + section("四、部门预算编制说明", explain)
    tables = budget_tables()
    tables[1] = [heading("五、部门预算表", gap=0)] + tables[1]  # above the first table's title
    chunks += tables
    chunks += [None] + section("六、其他相关情况说明", other)
    chunks += [None] + section("七、项目经费情况说明", projects)
    return flow(cover, footer="") + flow(chunks[1:], footer="- {n} -", first_number=3)


# Filing 1 of the disclosure: the district 2026 template, another project.
XUHUI_TREES = district_2026(
    {
        "name": "徐汇区行道树养护及补植更新",
        "nature": "延续性项目",
        "category": "□新增项目 ■延续项目",
        "dept": XUHUI_DEPT,
        "unit": "上海市徐汇区绿化建设养护中心",
        "start": "2026年1月1日",
        "end": "2026年12月31日",
        "funding": {
            "total": "26,856,000.00",
            "total_fiscal": "26,856,000.00",
            "total_other": "0.00",
            "annual": "26,856,000.00",
            "annual_fiscal": "24,300,000.00",
            "annual_carryover": "2,556,000.00",
            "annual_other": "0.00",
        },
        "overall_goal": top(
            "1.全区行道树养护覆盖率保持100%，树木完好率不低于98%。\n"
            "2.完成行道树补植更新1350株，优化道路林荫效果。\n"
            "3.及时处置倒伏、断枝等树木安全隐患，保障道路通行安全。"
        ),
        "annual_goal": top(
            "1.完成全区286条道路、4.3万株行道树的日常养护。\n"
            "2.补植更新行道树1350株，成活率不低于95%。\n"
            "3.台风、暴雨期间树木安全隐患24小时内处置完毕。"
        ),
        "value_header": "年度指标值",
        "indicators": [
            (
                "成本指标",
                [
                    ("经济成本指标", [("单株行道树年养护成本", "≤520元", "")]),
                    ("生态环境成本指标", [("修剪枝叶外运处置", "可控", "资源化处理")]),
                ],
            ),
            (
                "产出指标",
                [
                    ("数量指标", [("行道树养护数量", "4.3万株", ""), ("补植更新行道树数量", "1350株", "")]),
                    ("质量指标", [("行道树完好率", "≥98.00(%)", ""), ("补植苗木成活率", "≥95.00(%)", "")]),
                    ("时效指标", [("树木安全隐患处置时间", "≤24小时", "台风暴雨期间")]),
                ],
            ),
            (
                "效益指标",
                [
                    ("社会效益指标", [("道路林荫效果", "持续改善", "")]),
                    ("生态效益指标", [("行道树固碳释氧能力", "稳步提升", "")]),
                    ("可持续影响指标", [("行道树精细化养护机制", "长效运行", "")]),
                ],
            ),
            ("满意度指标", [("服务对象满意度指标", [("市民对行道树养护满意度", "≥90.00(%)", "")])]),
        ],
    }
)

# Filing 2 of the disclosure: a two-sheet form (项目总体情况 / 绩效目标), one page each.
#
# Sheet 1, base columns 95 | 80 | 100 | 80 | 80 | 100:
#   项目名称 | name (cs 5);  项目类别 | checkbox (cs 5)
#   项目负责人 | leader | 联系人 | contact | 联系电话 | phone
#   起始日期 | start | 结束日期 | end | (empty, cs 2)
#   项目概况 | overview (cs 5)
#   项目立项情况 (rs 2) | "依据：…" (cs 5) / "必要性：…" (cs 5)
#   项目资金 (rs 5) | 项目总预算 / 当年预算 / 其中：财政拨款 / 上年结转资金 / 其他资金 (cs 2) | amount (cs 3)
#   项目总目标 | goal (cs 5);  年度绩效目标 | goal (cs 5)
# Sheet 2: 项目名称：… above the table; 一级指标 | 二级指标 | 三级指标 | 指标值 | 备注, one 三级指标 cut
# on both sides (centred, too long for its cell).

LIGHTING_NAME = "徐汇滨江公共空间景观照明运行维护"
LIGHTING_INDICATORS: Groups = [
    (
        "产出指标",
        [
            (
                "数量指标",
                [("景观照明设施维护数量", "12600套", "含泛光灯、线条灯及投光灯"), ("维护岸线长度", "8.95公里", "")],
            ),
            (
                "质量指标",
                [
                    ("灯具完好率", "≥98%", ""),
                    ("亮灯率", "≥98%", "重大活动期间100%"),
                    (
                        Cell(
                            "观照明设施夜间巡查覆盖率及故障处置",
                            before="滨江景",
                            after="及时率",
                            align="center",
                            nowrap=True,
                        ),
                        "≥95%",
                        "",
                    ),
                ],
            ),
            ("时效指标", [("故障灯具修复时间", "≤48小时", "")]),
        ],
    ),
    ("成本指标", [("经济成本指标", [("单套灯具年维护成本", "≤650元", "")])]),
    (
        "效益指标",
        [
            ("社会效益指标", [("滨江夜间景观品质", "持续提升", "")]),
            ("生态效益指标", [("景观照明单位能耗", "较上年下降", "分时段调光")]),
            ("可持续影响指标", [("照明设施智能化集控覆盖率", "=100%", "")]),
        ],
    ),
    ("满意度指标", [("服务对象满意度指标", [("市民游客满意度", "≥90%", "")])]),
]


def amount_row(label: str, amount: str, key: str) -> list[Cell]:
    return funding_row(label, amount, key, align="right")


XUHUI_LIGHTING = Form(
    meta={"title": "财政项目支出绩效目标申报表", "year": 2026, "amount_unit_original": "元"},
    pages=[
        [
            Text("财政项目支出绩效目标申报表（项目总体情况）", size=16, align="center", gap=0),
            Text("（2026年）", size=11, align="center"),
            Text(f"填报单位（盖章）：{XUHUI_DEPT}", key="fields.reporting_unit", label="填报单位（盖章）："),
            Text("金额单位：元", align="right", gap=4),
            Table(
                widths=[95, 80, 100, 80, 80, 100],
                size=9.5,
                line_width=0.8,
                min_row=20,
                rows=[
                    [c("项目名称"), Cell(LIGHTING_NAME, cs=5, key="fields.project_name")],
                    [
                        c("项目类别"),
                        Cell("■经常性项目 □一次性项目", cs=5, key="fields.project_category", checkbox=True),
                    ],
                    [
                        c("项目负责人"),
                        c("周振宇", key="fields.project_leader"),
                        c("联系人"),
                        c("何静", key="fields.contact_person"),
                        c("联系电话"),
                        c("021-64868512", key="fields.contact_phone"),
                    ],
                    [
                        c("起始日期"),
                        c("2026年1月1日", key="fields.start_date"),
                        c("结束日期"),
                        c("2026年12月31日", key="fields.end_date"),
                        Cell(cs=2),
                    ],
                    [
                        c("项目概况"),
                        top(
                            "徐汇滨江公共开放空间北起日晖港、南至关港，岸线长8.95公里，沿线建有泛光、线条、投光等"
                            "景观照明设施12600套。本项目用于上述设施的日常运行、夜间巡查、故障维修和集控平台运维，"
                            "保障滨江夜景效果和夜间游览安全。",
                            cs=5,
                            key="fields.overview",
                        ),
                    ],
                    [
                        c("项目立项情况", rs=2),
                        top(
                            "依据：《上海市景观照明管理办法》、《上海市景观照明总体规划》、《徐汇滨江公共开放空间"
                            "运行管理办法》。",
                            cs=5,
                            key="fields.basis",
                            label="依据：",
                        ),
                    ],
                    [
                        top(
                            "必要性：滨江景观照明设施处于临水高湿环境，灯具老化和线路故障多发，需要专业队伍持续"
                            "维护，才能保持夜景效果和用电安全。",
                            cs=5,
                            key="fields.necessity",
                            label="必要性：",
                        )
                    ],
                    [c("项目资金", rs=5), *amount_row("项目总预算", "8,640,000.00", "funding.total")],
                    amount_row("当年预算", "8,640,000.00", "funding.annual"),
                    amount_row("其中：财政拨款", "8,200,000.00", "funding.annual_fiscal"),
                    amount_row("上年结转资金", "0.00", "funding.annual_carryover"),
                    amount_row("其他资金", "440,000.00", "funding.annual_other"),
                    [
                        c("项目总目标"),
                        top(
                            "保持徐汇滨江景观照明设施完好、运行稳定、节能高效，形成安全有序、品质优良的滨江夜间"
                            "公共空间。",
                            cs=5,
                            key="fields.overall_goal",
                        ),
                    ],
                    [
                        c("年度绩效目标"),
                        top(
                            "全年灯具完好率和亮灯率均不低于98%，故障灯具48小时内修复，智能集控覆盖全部设施，"
                            "景观照明单位能耗较上年下降，市民游客满意度不低于90%。",
                            cs=5,
                            key="fields.annual_goal",
                        ),
                    ],
                ],
            ),
        ],
        [
            Text("财政项目支出绩效目标申报表（绩效目标）", size=16, align="center", gap=0),
            Text("（2026年）", size=11, align="center"),
            Text(f"项目名称：{LIGHTING_NAME}", gap=8),
            Table(
                widths=[80, 100, 150, 85, 120],
                size=9.5,
                line_width=0.8,
                min_row=22,
                rows=[
                    [c("一级指标"), c("二级指标"), c("三级指标"), c("指标值"), c("备注")],
                    *indicator_rows(LIGHTING_INDICATORS, align3="center")[0],
                ],
            ),
        ],
    ],
)

BUDGET_DISCLOSURE_2026_XUHUI = Document([disclosure_pages(), XUHUI_TREES, XUHUI_LIGHTING])


SAMPLES = [
    ("district_2026_pudong", DISTRICT_2026_PUDONG, "visible"),
    ("district_2026_jingan", DISTRICT_2026_JINGAN, "visible"),
    ("central_2025_wenwu", CENTRAL_2025_WENWU, "visible"),
    ("province_2024_jiangxi", PROVINCE_2024_JIANGXI, "visible"),
    ("pagebreak_2025_jiading", PAGEBREAK_2025_JIADING, "visible"),
    ("budget_disclosure_2026_xuhui", BUDGET_DISCLOSURE_2026_XUHUI, "visible"),
]
