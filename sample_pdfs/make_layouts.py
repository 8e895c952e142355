"""Layout-variation generator: one filing's data drawn in the layouts real forms use.

    from sample_pdfs.make_layouts import variants, render
    for spec in variants(seed=1, n=100):
        pdf, records = render(spec, outdir)

``variants(seed, n)`` draws ``n`` variant specs (which layout families are switched on, and a seed
for every other choice); ``render(spec, outdir)`` lays the filing out with make_samples.py's engine,
writes ``<outdir>/<stem>.pdf`` and returns it with the expected records.  The records come from this
generator's own data and the engine's geometry (``make_samples.build_record``), never from jixiao.
Everything is deterministic for a seed.  ``python sample_pdfs/make_layouts.py OUTDIR [N] [SEED]``
renders N variants and writes ``<stem>.json`` beside each PDF (to look at them).

The baseline layout (no family on) is one table like the 2026 district form: label | value pairs,
a vertical funding block under a 项目资金（元） section cell, label | value goal rows, and the
indicator table 一级指标 | 二级指标 | 三级指标 | 指标值 | 备注 on an A4 portrait page in WenQuanYi
Micro Hei.  FAMILIES below lists the switches; several may combine in one variant.  Values are kept
complete except where ``cut_cell`` cuts one on purpose (flags then come from the engine's cut rule),
and amounts add up except where ``sum_mismatch`` breaks one sum (flag sum_mismatch on it).
"""

from __future__ import annotations

import hashlib
import random
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_samples as ms  # noqa: E402  (the engine; sample_forms.py imports it by this name too)
from make_samples import Cell, Form, Table, Text  # noqa: E402

# The families, in one place: name -> what switching it on changes.
FAMILIES = {
    "aliases": "every label drawn from its aliases in normalize/labels.toml (项目属性, 年度资金总额, 一级目标 …)",
    "wan_yuan": "amounts in 万元: in the block label 项目资金（万元） or a line 金额单位：万元 above the table",
    "font_uming": "AR PL UMing (SimSun-like serif) instead of WenQuanYi Micro Hei",
    "font_ukai": "AR PL UKai (KaiTi-like) instead of WenQuanYi Micro Hei",
    "font_zenhei": "WenQuanYi Zen Hei instead of WenQuanYi Micro Hei",
    "wrap_center": "narrow label column (labels wrap), every value centred, indicator names wrapping",
    "funding_pairs": "funding as two label/value column groups side by side (项目资金总额 | 年度资金申请总额 …)",
    "funding_cross": "funding as a cross table: 资金总额 / 其中：财政拨款 / 其他资金 × 中期资金总额 / 年度资金总额",
    "goals_columns": "项目总目标 | 年度总体目标 as column headers, the goal texts in the row below",
    "goals_header_2lines": "goal column headers on two lines: 中期目标 / （2024年—2026年）, 年度目标 / （2024年）",
    "ind_order": "indicator columns in another order (备注 before 指标值, or 年度指标值 before 长期指标值)",
    "ind_blank_header": "the 一级指标 header cell left blank",
    "ind_section_column": "a left section column (绩效指标 / 绩效目标 / 年度绩效指标) spanning the indicator rows",
    "ind_no_remark": "no 备注 column: every remark is null",
    "ind_two_values": "two value columns 长期指标值 | 年度指标值: target is the annual one, targets maps both",
    "page_break": "the indicator table breaks onto a second page (no title; 一级/二级 merged cells continue empty)",
    "landscape": "A4 landscape page, tables 782pt wide",
    "cost_items": "a 项目构成分解 table: 项目名称 | 项目内容 | 项目明细 | 明细金额 | 单价 | 依据 | 数量 | 依据 | 备注",
    "sum_mismatch": "one funding sum deliberately does not add up (sum_mismatch expected on it)",
    "cut_cell": "one indicator name cut at its cell's edge: the right one, both when centred (truncated_tail/_head)",
}
INDEPENDENT = [
    "aliases", "wan_yuan", "wrap_center", "ind_order", "ind_blank_header", "ind_section_column", "ind_no_remark",
    "ind_two_values", "page_break", "landscape", "cost_items", "sum_mismatch", "cut_cell",
]  # fmt: skip
FONTS = {  # family -> (reportlab name, file); the baseline is make_samples' own font
    None: (ms.FONT, ms.FONT_FILE),
    "font_uming": ("ARPLUMing", Path("/usr/share/fonts/truetype/arphic/uming.ttc")),
    "font_ukai": ("ARPLUKai", Path("/usr/share/fonts/truetype/arphic/ukai.ttc")),
    "font_zenhei": ("WenQuanYiZenHei", Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")),
}
PORTRAIT_W, LANDSCAPE_W = 535.0, 782.0
BASELINE_SHARE = 0.1  # this share of the variants has no family on: the reference row
FAMILY_P = 0.3  # chance of each independent family

# Labels per key: the first is the baseline's, the rest are aliases from normalize/labels.toml (copied
# here on purpose, so a seed keeps drawing the same PDFs while the label table grows).
LABELS = {
    "reporting_unit": ["填报单位（盖章）", "填报单位", "申报单位", "单位名称", "申报单位（盖章）"],
    "project_name": ["项目名称", "二级项目名称"],
    "project_nature": ["项目性质", "项目属性"],
    "project_category": ["项目类别"],
    "supervising_dept": ["主管部门", "主管部门及代码"],
    "implementing_unit": ["实施单位", "项目实施单位"],
    "project_leader": ["项目负责人"],
    "contact_phone": ["联系电话", "电话"],
    "start_date": ["计划开始日期", "起始日期", "项目开始时间"],
    "end_date": ["计划完成日期", "结束日期", "项目结束时间"],
    "overview": ["项目概况", "项目基本情况", "项目简介"],
    "basis": ["立项依据", "依据"],
    "overall_goal": ["项目总目标", "项目总体目标", "总体目标", "中期目标"],
    "annual_goal": ["年度绩效目标", "年度总体目标", "年度目标"],
    "total": ["项目总预算", "项目资金总额", "中期资金总额", "资金总额"],
    "annual": ["当年预算", "年度资金申请总额", "年度资金总额"],
    "total_fiscal": ["其中：财政资金", "其中：财政拨款", "财政拨款"],
    "annual_fiscal": ["其中：财政拨款", "其中：当年财政拨款", "财政拨款"],
    "annual_carryover": ["上年结转资金"],
    "other": ["其他资金"],
    "cross_total_col": ["中期资金总额", "项目资金总额", "项目总预算"],
    "cross_annual_col": ["年度资金总额", "年度资金申请总额", "当年预算"],
    "cross_total_row": ["资金总额"],
    "level1": ["一级指标", "一级目标"],
    "level2": ["二级指标", "二级目标"],
    "level3": ["三级指标", "三级目标"],
    "target": ["指标值", "目标值", "年度指标值", "指标值（年度）", "年度目标值"],
    "target_long": ["长期指标值", "中期指标值"],
    "target_annual": ["年度指标值", "年度目标值"],
    "remark": ["备注", "指标值说明", "说明"],
    "cost_section": ["项目构成分解", "项目支出明细"],
}
IND_SECTIONS = ["绩效指标", "绩效目标", "年度绩效指标"]
TITLES = ["财政项目支出绩效目标申报表", "项目支出绩效目标申报表", "项目支出绩效目标表", "财政支出绩效目标申报表"]


# ---------------------------------------------------------------------------------------------
# Data pools: realistic projects (invented), one per theme; {d} is a district
# ---------------------------------------------------------------------------------------------

DISTRICTS = ["浦东新区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区"]
LEADERS = ["王建国", "李文华", "张晓敏", "陈志强", "刘海燕", "周立群", "吴晓东", "赵丽萍"]
NATURES = ["经常性项目", "阶段性项目", "延续性项目", "一次性项目"]
CATEGORIES = ["延续项目", "新增项目", "经常性项目", "一次性项目"]

# An indicator: (一级 kind, 二级 kind, 三级指标, 指标值, 备注)
THEMES = [
    {
        "name": "{d}城市道路大中修工程",
        "dept": "上海市{d}建设和管理委员会",
        "unit": "上海市{d}道路管理所",
        "overview": "本项目对辖区内路面破损严重、通行条件较差的城市道路实施大中修，"
        "内容包括路面铣刨加罩、人行道翻建、侧平石更换及交通标志标线恢复，涉及道路12条，总面积约18.6万平方米。",
        "basis": "《城市道路管理条例》；《上海市城市道路管理条例》；《{d}城市道路养护管理办法》。",
        "overall_goal": "通过三年实施，完成辖区内主要破损道路的大中修，道路完好率稳定在95%以上，"
        "道路通行条件和市容环境明显改善，群众出行满意度持续提升。",
        "annual_goal": "完成12条道路大中修，修复路面18.6万平方米，工程质量一次验收合格，施工期间不发生较大安全事故。",
        "indicators": [
            ("output", "quantity", "道路大中修条数", "12条", "按年度计划"),
            ("output", "quantity", "路面修复面积", "18.6万平方米", ""),
            ("output", "quality", "工程质量验收合格率", "100%", "一次验收合格"),
            ("output", "quality", "路面平整度达标率", "≥95%", ""),
            ("output", "timeliness", "工程完工时间", "2025年11月底前", ""),
            ("outcome", "social", "道路通行条件", "明显改善", "群众反映问题减少"),
            ("outcome", "sustainability", "道路设计使用年限", "≥10年", ""),
            ("satisfaction", "satisfaction", "沿线居民满意度", "≥90%", "第三方问卷调查"),
            ("cost", "cost", "单位面积修复成本", "≤320元/平方米", "按定额测算"),
        ],
        "costs": [
            ("路面铣刨加罩", "沥青面层", "市场询价", "设计图纸"),
            ("人行道翻建", "人行道铺装", "定额测算", "现场踏勘"),
            ("交通设施恢复", "标志标线", "合同价", "设计图纸"),
        ],
    },
    {
        "name": "{d}公共绿地养护管理",
        "dept": "上海市{d}绿化和市容管理局",
        "unit": "上海市{d}绿化管理所",
        "overview": "本项目用于辖区内公共绿地、街头绿地和行道树的日常养护管理，养护总面积约126万平方米，"
        "行道树2.3万株，实行精细化养护和网格化巡查。",
        "basis": "《上海市绿化条例》；《上海市公共绿地养护技术规程》；《{d}绿化养护管理考核办法》。",
        "overall_goal": "建立绿地精细化养护管理体系，养护质量稳定达到一级养护标准，"
        "城市生态环境和市民休憩体验持续改善。",
        "annual_goal": "完成126万平方米公共绿地日常养护，补植乔灌木4200株，病虫害发生后48小时内完成处置。",
        "indicators": [
            ("output", "quantity", "养护绿地面积", "126万平方米", ""),
            ("output", "quantity", "补植乔灌木数量", "4200株", "按实际补植统计"),
            ("output", "quality", "绿地养护质量达标率", "≥95%", "按一级养护标准考核"),
            ("output", "quality", "补植苗木成活率", "≥92%", ""),
            ("output", "timeliness", "病虫害处置响应时间", "≤48小时", ""),
            ("outcome", "ecological", "绿化覆盖率", "≥38.5%", ""),
            ("outcome", "social", "绿地开放时长", "≥16小时", "每日"),
            ("satisfaction", "satisfaction", "周边居民及游客满意度", "≥90%", ""),
            ("cost", "cost", "绿地养护单位成本", "≤12.5元/平方米", "按养护定额测算"),
        ],
        "costs": [
            ("绿地日常养护", "养护作业", "养护定额", "养护面积"),
            ("苗木补植", "乔灌木补植", "市场询价", "补植计划"),
            ("病虫害防治", "药剂及作业", "合同价", "防治计划"),
        ],
    },
    {
        "name": "{d}社区养老服务补贴",
        "dept": "上海市{d}民政局",
        "unit": "上海市{d}养老服务指导中心",
        "overview": "本项目为辖区内经评估符合条件的老年人提供居家养老服务补贴，并支持社区长者食堂和日间照料中心运营，"
        "惠及老年人约1.2万人。",
        "basis": "《上海市养老服务条例》；《关于进一步完善本市养老服务补贴制度的通知》（沪民规〔2023〕5号）。",
        "overall_goal": "健全覆盖城乡的社区养老服务网络，困难老年人居家养老服务应保尽保，"
        "社区养老服务可及性和质量稳步提升。",
        "annual_goal": "为1.2万名符合条件的老年人发放养老服务补贴，新建长者食堂6家，补贴资金按月足额发放到位。",
        "indicators": [
            ("output", "quantity", "享受补贴老年人数", "1.2万人", ""),
            ("output", "quantity", "新建长者食堂数量", "6家", ""),
            ("output", "quality", "补贴对象认定准确率", "100%", "按评估结果认定"),
            ("output", "timeliness", "补贴资金发放及时率", "100%", "按月发放"),
            ("outcome", "social", "困难老年人服务覆盖率", "≥98%", ""),
            ("outcome", "sustainability", "社区养老服务网络", "持续完善", ""),
            ("satisfaction", "satisfaction", "服务对象满意度", "≥90%", "抽样回访"),
            ("cost", "cost", "人均月补贴标准", "≤500元", ""),
        ],
        "costs": [
            ("居家养老服务补贴", "服务补贴", "补贴标准", "评估人数"),
            ("长者食堂建设", "场地改造", "市场询价", "建设计划"),
            ("日间照料运营补助", "运营补助", "补助标准", "机构数量"),
        ],
    },
    {
        "name": "{d}中小学校舍维修改造",
        "dept": "上海市{d}教育局",
        "unit": "上海市{d}教育基建管理中心",
        "overview": "本项目对辖区内建成时间较长、存在安全隐患的中小学校舍实施维修改造，"
        "内容包括屋面防水、外墙修缮、给排水改造和消防设施更新，涉及学校9所。",
        "basis": "《中华人民共和国教育法》；《中小学校舍安全管理办法》；《{d}教育设施维修管理办法》。",
        "overall_goal": "消除校舍安全隐患，改善学校办学条件，校舍安全达标率保持100%，为师生提供安全舒适的教学环境。",
        "annual_goal": "完成9所学校校舍维修改造，工程在暑期内完工，竣工验收合格率100%，不影响正常教学秩序。",
        "indicators": [
            ("output", "quantity", "维修改造学校数量", "9所", ""),
            ("output", "quantity", "屋面防水修缮面积", "2.4万平方米", ""),
            ("output", "quality", "竣工验收合格率", "100%", ""),
            ("output", "timeliness", "暑期工程完工率", "100%", "开学前完工"),
            ("outcome", "social", "校舍安全隐患消除率", "100%", ""),
            ("outcome", "sustainability", "维修后校舍使用年限", "≥15年", ""),
            ("satisfaction", "satisfaction", "师生及家长满意度", "≥92%", "问卷调查"),
            ("cost", "cost", "项目预算控制率", "≤100%", ""),
        ],
        "costs": [
            ("屋面防水", "防水卷材施工", "定额测算", "设计图纸"),
            ("外墙修缮", "外墙涂料", "市场询价", "现场踏勘"),
            ("消防设施更新", "消防设备", "合同价", "设备清单"),
        ],
    },
    {
        "name": "{d}公共文化服务配送",
        "dept": "上海市{d}文化和旅游局",
        "unit": "上海市{d}文化馆",
        "overview": "本项目向辖区内街镇文化活动中心和居村综合文化活动室配送演出、讲座、展览和培训等公共文化服务，"
        "全年配送不少于1500场次。",
        "basis": "《中华人民共和国公共文化服务保障法》；《上海市公共文化服务保障与促进条例》。",
        "overall_goal": "构建覆盖全区的公共文化服务配送体系，基层文化服务供给更加丰富，市民文化获得感明显增强。",
        "annual_goal": "全年配送公共文化服务1500场次，覆盖全部街镇和居村，群众参与人次达到30万人次。",
        "indicators": [
            ("output", "quantity", "文化服务配送场次", "≥1500场次", ""),
            ("output", "quantity", "覆盖居村数量", "286个", "全覆盖"),
            ("output", "quality", "配送节目审核通过率", "100%", ""),
            ("output", "timeliness", "配送计划按时完成率", "≥95%", ""),
            ("outcome", "social", "群众参与人次", "≥30万人次", ""),
            ("outcome", "economic", "带动社会资金投入", "≥200万元", ""),
            ("satisfaction", "satisfaction", "群众满意度", "≥90%", "现场测评"),
        ],
        "costs": [
            ("演出配送", "文艺演出", "合同价", "配送计划"),
            ("讲座展览", "讲座及展览", "市场询价", "配送计划"),
            ("艺术培训", "培训课程", "课时标准", "课程安排"),
        ],
    },
    {
        "name": "{d}食品安全监督抽检",
        "dept": "上海市{d}市场监督管理局",
        "unit": "上海市{d}市场监督管理局",
        "overview": "本项目委托具备资质的检验机构对辖区内生产、流通和餐饮环节的食品开展监督抽检和风险监测，"
        "全年抽检食品样品不少于4800批次。",
        "basis": "《中华人民共和国食品安全法》；《食品安全抽样检验管理办法》（国家市场监督管理总局令第15号）。",
        "overall_goal": "完善食品安全抽检监测体系，及时发现和处置食品安全风险隐患，辖区食品安全形势保持总体稳定。",
        "annual_goal": "完成4800批次食品监督抽检，不合格食品核查处置率100%，抽检信息按规定及时向社会公布。",
        "indicators": [
            ("output", "quantity", "食品抽检批次", "≥4800批次", ""),
            ("output", "quantity", "抽检覆盖食品类别", "34类", "全覆盖"),
            ("output", "quality", "不合格食品核查处置率", "100%", ""),
            ("output", "timeliness", "抽检结果公布时限", "≤20个工作日", ""),
            ("outcome", "social", "重大食品安全事故", "0起", ""),
            ("outcome", "sustainability", "抽检监测长效机制", "健全", ""),
            ("satisfaction", "satisfaction", "公众食品安全满意度", "≥85%", "第三方测评"),
            ("cost", "cost", "单批次抽检费用", "≤1500元", ""),
        ],
        "costs": [
            ("监督抽检", "样品检验", "合同价", "抽检计划"),
            ("风险监测", "监测检验", "市场询价", "监测计划"),
            ("信息公布", "数据汇总分析", "合同价", "工作量"),
        ],
    },
]
# Long indicator names for cut_cell: longer than any 三级指标 column can show on one line
LONG_NAMES = [
    "全区范围内城市道路沥青混凝土路面结构层压实度及平整度抽样检测合格率",
    "辖区内老旧住宅小区二次供水设施改造后末梢水水质抽样检测合格率达标情况",
    "困难老年人居家养老服务补贴对象评估认定及补贴资金按月足额发放情况",
]
LEVEL1 = {
    "指标": {"output": "产出指标", "outcome": "效益指标", "satisfaction": "满意度指标", "cost": "成本指标"},
    "目标": {"output": "产出目标", "outcome": "效果目标", "satisfaction": "满意度指标", "cost": "成本指标"},
}
LEVEL2 = {
    "指标": {"quantity": "数量指标", "quality": "质量指标", "timeliness": "时效指标", "social": "社会效益指标",
             "economic": "经济效益指标", "ecological": "生态效益指标", "sustainability": "可持续影响指标",
             "satisfaction": "服务对象满意度指标", "cost": "经济成本指标"},
    "目标": {"quantity": "数量", "quality": "质量", "timeliness": "时效", "social": "社会效益", "economic": "经济效益",
             "ecological": "生态效益", "sustainability": "可持续影响", "satisfaction": "满意度", "cost": "成本"},
}  # fmt: skip
COST_REMARKS = ["", "", "年度项目", "按进度拨付"]
TWO_PLACES = Decimal("0.01")


# ---------------------------------------------------------------------------------------------
# Variant specs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    stem: str  # file stem of the PDF
    families: tuple[str, ...]  # the families switched on
    seed: str  # seeds every other choice render() makes

    def has(self, family: str) -> bool:
        return family in self.families


def draw_families(rng: random.Random) -> tuple[str, ...]:
    if rng.random() < BASELINE_SHARE:
        return ()
    on = [name for name in INDEPENDENT if rng.random() < FAMILY_P]
    on.append(rng.choice([None, None, "font_uming", "font_ukai", "font_zenhei"]))
    on.append(rng.choice([None, "funding_pairs", "funding_cross"]))
    goals = rng.choice([None, "goals_columns", "goals_header_2lines"])
    on += ["goals_columns", goals] if goals == "goals_header_2lines" else [goals]  # 2 lines: a header form
    return tuple(name for name in FAMILIES if name in on)


def variants(seed: int, n: int) -> list[Variant]:
    """``n`` variant specs drawn from ``seed`` (the same seed always draws the same specs)."""
    rng = random.Random(f"layouts:{seed}")
    return [Variant(f"layout_{seed}_{i:04d}", draw_families(rng), f"{seed}:{i}") for i in range(n)]


# ---------------------------------------------------------------------------------------------
# The filing's data (amounts in 元, as integers; text as printed)
# ---------------------------------------------------------------------------------------------


@dataclass
class Indicator:
    level1: str
    level2: str
    level3: str
    target: str
    remark: str
    long_target: str = ""
    cut: bool = False  # level3 is cut at its cell's edges (only part of it visible)
    shown: tuple[int, int] = (0, 0)  # the visible part level3[start:end], found once the column is known


@dataclass
class Data:
    year: int
    title: str
    fields: dict[str, str]
    funding: dict[str, int]  # 元
    indicators: list[Indicator]
    costs: list[dict]  # per item: activity, detail, price (元), quantity, price_basis, quantity_basis, remark
    mismatch: str | None = None  # "total" or "annual": the sum broken on purpose


def long_target(target: str, rng: random.Random) -> str:
    """A plausible multi-year value for an annual one: counts grow, rates and words stay."""
    head = target.lstrip("≥≤")
    digits = "".join(ch for ch in head if ch.isdigit())
    if head.isdigit() or not digits or "%" in head or "." in head or not head[: len(digits)].isdigit():
        return target
    return target[: len(target) - len(head)] + str(int(digits) * rng.choice([2, 3])) + head[len(digits) :]


def pick_indicators(theme: dict, rng: random.Random, style: str) -> list[Indicator]:
    pool = theme["indicators"]
    keep = sorted(rng.sample(range(len(pool)), rng.randint(min(5, len(pool)), len(pool))))
    out = []
    for i in keep:
        kind1, kind2, name, target, remark = pool[i]
        ind = Indicator(LEVEL1[style][kind1], LEVEL2[style][kind2], name, target, remark)
        ind.long_target = long_target(target, rng)
        out.append(ind)
    return out


def amounts(rng: random.Random, mismatch: bool) -> tuple[dict[str, int], str | None]:
    """Funding in 元 (multiples of 1000, so a 万元 print has two exact places); parts add up."""
    total = rng.randint(500, 50000) * 1000
    annual = min(total, round(total * rng.choice([1, 1, 0.5, 0.4, 0.35]) / 1000) * 1000)
    total_other = rng.choice([0, 0, round(total * 0.1 / 1000) * 1000])
    carry = rng.choice([0, round(annual * 0.15 / 1000) * 1000])
    other = rng.choice([0, 0, round(annual * 0.05 / 1000) * 1000])
    f = {
        "total": total,
        "total_fiscal": total - total_other,
        "total_other": total_other,
        "annual": annual,
        "annual_fiscal": annual - carry - other,
        "annual_carryover": carry,
        "annual_other": other,
    }
    broken = None
    if mismatch:
        broken = rng.choice(["total", "annual"])
        f["total_other" if broken == "total" else "annual_other"] += rng.randint(1, 90) * 1000
    return f, broken


def cost_items(annual: int, theme: dict, rng: random.Random) -> list[dict]:
    """Items that add up to the annual budget; each amount is exactly unit price × quantity."""
    items, left = [], annual
    specs = theme["costs"]
    for activity, detail, price_basis, quantity_basis in specs[:-1]:
        quantity = rng.choice([1, 2, 4, 5, 10, 12])
        price = max(1, int(annual * rng.uniform(0.1, 0.3) / quantity / 100)) * 100
        items.append(
            dict(
                activity=activity,
                detail=detail,
                price=price,
                quantity=quantity,
                price_basis=price_basis,
                quantity_basis=quantity_basis,
                remark=rng.choice(COST_REMARKS),
            )
        )
        left -= price * quantity
    activity, detail, price_basis, quantity_basis = specs[-1]
    items.append(
        dict(
            activity=activity,
            detail=detail,
            price=left,
            quantity=1,
            price_basis=price_basis,
            quantity_basis=quantity_basis,
            remark=rng.choice(COST_REMARKS),
        )
    )
    return items


def print_date(year: int, month: int, day: int, style: int) -> str:
    return [f"{year}年{month}月{day}日", f"{year}-{month:02d}-{day:02d}", f"{year}/{month}/{day}"][style]


def make_data(v: Variant, rng: random.Random) -> Data:
    theme = rng.choice(THEMES)
    d = rng.choice(DISTRICTS)
    year = rng.choice([2024, 2025, 2026])
    style = rng.choice(list(LEVEL1))
    date_style = rng.randrange(3)
    years = rng.choice([0, 0, 2])  # a one-year or a three-year project
    fields = {
        "reporting_unit": theme["dept"].format(d=d),
        "project_name": theme["name"].format(d=d),
        "supervising_dept": theme["dept"].format(d=d),
        "implementing_unit": theme["unit"].format(d=d),
        "project_nature": rng.choice(NATURES),
        "project_category": rng.choice(CATEGORIES),
        "project_leader": rng.choice(LEADERS),
        "contact_phone": f"021-{rng.randint(50000000, 69999999)}",
        "start_date": print_date(year, 1, 1, date_style),
        "end_date": print_date(year + years, 12, 31, date_style),
        "overview": theme["overview"].format(d=d),
        "basis": theme["basis"].format(d=d),
        "overall_goal": theme["overall_goal"],
        "annual_goal": theme["annual_goal"],
    }
    funding, broken = amounts(rng, v.has("sum_mismatch"))
    indicators = pick_indicators(theme, rng, style)
    if v.has("cut_cell"):
        victim = rng.choice([i for i in indicators if i.level1 == LEVEL1[style]["output"]] or indicators)
        victim.level3 = rng.choice(LONG_NAMES)
        victim.cut = True
    costs = cost_items(funding["annual"], theme, rng) if v.has("cost_items") else []
    return Data(year, rng.choice(TITLES), fields, funding, indicators, costs, broken)


# ---------------------------------------------------------------------------------------------
# Table building on x positions: cells give their left and right edges, the grid follows
# ---------------------------------------------------------------------------------------------


@dataclass
class Slot:
    cell: Cell
    x0: float
    x1: float


def grid_table(rows: list[list[Slot]], width: float, **kw) -> Table:
    """A Table whose base columns are every distinct cell edge (so each cell spans whole columns)."""
    edges = sorted({round(x) for row in rows for s in row for x in (s.x0, s.x1)} - {round(width)})
    edges.append(width)
    col = {round(x): i for i, x in enumerate(edges)}
    for row in rows:
        for s in row:
            s.cell.cs = col[round(s.x1)] - col[round(s.x0)]
    widths = [b - a for a, b in zip(edges, edges[1:])]
    table = Table(widths=widths, rows=[[s.cell for s in row] for row in rows], **kw)
    for pc, slot in zip(ms.place_grid(table), (s for row in rows for s in row)):
        if pc.col != col[round(slot.x0)]:  # rows list cells left to right after the spans above them
            raise AssertionError(f"cell {pc.cell.text!r} lands in column {pc.col}, not at x={slot.x0}")
    return table


def spread(x0: float, x1: float, ratios: list[float]) -> list[float]:
    """Edges splitting [x0, x1] in the given ratios, on whole points."""
    edges, acc, total = [x0], 0.0, sum(ratios)
    for r in ratios[:-1]:
        acc += r
        edges.append(round(x0 + (x1 - x0) * acc / total))
    return edges + [x1]


# ---------------------------------------------------------------------------------------------
# Building the form
# ---------------------------------------------------------------------------------------------


@dataclass
class Builder:
    v: Variant
    rng: random.Random
    data: Data
    width: float
    unit: str  # 元 | 万元
    label_w: float = 0.0
    sep: bool = False  # thousands separators in amounts, one choice per filing
    unit_line: bool = False  # 万元 said in a 金额单位 line above the table instead of the block label
    headers: dict[str, str] = field(default_factory=dict)  # indicator column headers as printed

    def __post_init__(self) -> None:
        self.label_w = round(self.width * (0.085 if self.v.has("wrap_center") else 0.16))
        self.sep = self.rng.random() < 0.6
        self.unit_line = self.v.has("wan_yuan") and self.rng.random() < 0.5

    # -- cells ---------------------------------------------------------------------------------

    def label(self, key: str) -> str:
        options = LABELS[key]
        return self.rng.choice(options) if self.v.has("aliases") else options[0]

    def label_cell(self, text: str, **kw) -> Cell:
        return Cell(text, align="center", **kw)

    def value_cell(self, text: str, key: str, **kw) -> Cell:
        align = "center" if self.v.has("wrap_center") else kw.pop("align", "left")
        kw.pop("align", None)
        return Cell(text, align=align, key=key, **kw)

    def narrative(self, text: str, key: str) -> Cell:
        return self.value_cell(text, key, valign="top")

    def money(self, yuan: int, key: str, flags: tuple[str, ...] = ()) -> Cell:
        return self.value_cell(self.amount_text(yuan), key, align="right", flags=flags)

    def amount_text(self, yuan: int) -> str:
        value = Decimal(yuan) / (10000 if self.unit == "万元" else 1)
        text = str(value.quantize(TWO_PLACES))
        if self.sep:
            whole, frac = text.split(".")
            text = f"{int(whole):,}.{frac}"
        return text

    # -- blocks --------------------------------------------------------------------------------

    def full_row(self, key: str, narrative: bool = False) -> list[Slot]:
        text = self.data.fields[key]
        value = self.narrative(text, f"fields.{key}") if narrative else self.value_cell(text, f"fields.{key}")
        return [Slot(self.label_cell(self.label(key)), 0, self.label_w), Slot(value, self.label_w, self.width)]

    def pair_row(self, left: str, right: str) -> list[Slot]:
        half, lw = round(self.width / 2), self.label_w
        f = self.data.fields
        return [
            Slot(self.label_cell(self.label(left)), 0, lw),
            Slot(self.value_cell(f[left], f"fields.{left}"), lw, half),
            Slot(self.label_cell(self.label(right)), half, half + lw),
            Slot(self.value_cell(f[right], f"fields.{right}"), half + lw, self.width),
        ]

    def field_rows(self) -> list[list[Slot]]:
        return [
            self.full_row("project_name"),
            self.pair_row("supervising_dept", "implementing_unit"),
            self.pair_row("project_nature", "project_category"),
            self.pair_row("project_leader", "contact_phone"),
            self.pair_row("start_date", "end_date"),
            self.full_row("overview", narrative=True),
            self.full_row("basis", narrative=True),
        ]

    def funding_section(self, nrows: int) -> Slot:
        text = "项目资金" if self.unit_line else f"项目资金（{self.unit}）"
        return Slot(self.label_cell(text, rs=nrows), 0, self.label_w)

    def mismatch_flags(self, whole: str) -> tuple[str, ...]:
        return ("sum_mismatch",) if self.data.mismatch == whole else ()

    def funding_vertical(self) -> list[list[Slot]]:
        """项目总预算 / 当年预算 / 其中：财政拨款 / 上年结转资金 / 其他资金, one under the other."""
        f, lw, mid = self.data.funding, self.label_w, round(self.width / 2)
        if self.data.mismatch == "total":
            self.data.mismatch = "annual"  # this layout has no total parts: break the annual sum
            f["annual_other"] += 1000
        keys = [
            ("total", "total"),
            ("annual", "annual"),
            ("annual_fiscal", "annual_fiscal"),
            ("annual_carryover", "annual_carryover"),
            ("annual_other", "other"),
        ]
        rows = []
        for n, (key, label_key) in enumerate(keys):
            row = [self.funding_section(len(keys))] if n == 0 else []
            row += [
                Slot(self.label_cell(self.label(label_key)), lw, mid),
                Slot(self.money(f[key], f"funding.{key}", self.mismatch_flags(key)), mid, self.width),
            ]
            rows.append(row)
        return rows

    def funding_pairs(self) -> list[list[Slot]]:
        """Two label/value column groups: the total and its parts | the annual and its parts."""
        f, lw, w = self.data.funding, self.label_w, self.width
        x = spread(lw, w, [1, 1, 1.3, 1.1])
        colon = "：" if self.v.has("aliases") and self.rng.random() < 0.5 else ""
        left = [("total", "total"), ("total_fiscal", "total_fiscal"), None, ("total_other", "other")]
        right = [
            ("annual", "annual"),
            ("annual_fiscal", "annual_fiscal"),
            ("annual_carryover", "annual_carryover"),
            ("annual_other", "other"),
        ]
        rows = []
        for n, (lk, rk) in enumerate(zip(left, right)):
            row = [self.funding_section(len(left))] if n == 0 else []
            for g, item in ((0, lk), (2, rk)):
                if item is None:
                    row += [Slot(self.label_cell(""), x[g], x[g + 1]), Slot(Cell(""), x[g + 1], x[g + 2])]
                    continue
                key, label_key = item
                row += [
                    Slot(self.label_cell(self.label(label_key) + colon), x[g], x[g + 1]),
                    Slot(self.money(f[key], f"funding.{key}", self.mismatch_flags(key)), x[g + 1], x[g + 2]),
                ]
            rows.append(row)
        return rows

    def funding_cross(self) -> list[list[Slot]]:
        """Row labels 资金总额 / 其中：财政拨款 / 其他资金 × column headers 中期资金总额 / 年度资金总额."""
        f, x = self.data.funding, spread(self.label_w, self.width, [1, 1, 1])
        f["annual_fiscal"] += f.pop("annual_carryover")  # no carry-over row here: the parts must still add up
        head = [
            self.funding_section(4),
            Slot(self.label_cell(""), x[0], x[1]),
            Slot(self.label_cell(self.label("cross_total_col")), x[1], x[2]),
            Slot(self.label_cell(self.label("cross_annual_col")), x[2], x[3]),
        ]
        rows = [head]
        for label_key, (tk, ak) in (
            ("cross_total_row", ("total", "annual")),
            ("annual_fiscal", ("total_fiscal", "annual_fiscal")),
            ("other", ("total_other", "annual_other")),
        ):
            rows.append(
                [
                    Slot(self.label_cell(self.label(label_key)), x[0], x[1]),
                    Slot(self.money(f[tk], f"funding.{tk}", self.mismatch_flags(tk)), x[1], x[2]),
                    Slot(self.money(f[ak], f"funding.{ak}", self.mismatch_flags(ak)), x[2], x[3]),
                ]
            )
        return rows

    def funding_rows(self) -> list[list[Slot]]:
        if self.v.has("funding_cross"):
            return self.funding_cross()
        if self.v.has("funding_pairs"):
            return self.funding_pairs()
        return self.funding_vertical()

    def goal_rows(self) -> list[list[Slot]]:
        f = self.data.fields
        if not self.v.has("goals_columns"):
            return [self.full_row("overall_goal", narrative=True), self.full_row("annual_goal", narrative=True)]
        half = round(self.width / 2)
        overall, annual = self.label("overall_goal"), self.label("annual_goal")
        if self.v.has("goals_header_2lines"):
            y = self.data.year
            overall = f"中期目标\n（{y}年—{max(int(f['end_date'][:4]), y + 2)}年）"
            annual = f"年度目标\n（{y}年）"
        return [
            [Slot(self.label_cell(overall), 0, half), Slot(self.label_cell(annual), half, self.width)],
            [
                Slot(self.narrative(f["overall_goal"], "fields.overall_goal"), 0, half),
                Slot(self.narrative(f["annual_goal"], "fields.annual_goal"), half, self.width),
            ],
        ]

    # -- indicator table -------------------------------------------------------------------------

    def indicator_columns(self) -> list[str]:
        values = ["target_long", "target"] if self.v.has("ind_two_values") else ["target"]
        remark = [] if self.v.has("ind_no_remark") else ["remark"]
        tail = values + remark
        if self.v.has("ind_order"):
            if len(values) == 2 and (not remark or self.rng.random() < 0.5):
                tail = values[::-1] + remark
            elif remark:
                tail = remark + values
        return ["level1", "level2", "level3"] + tail

    def indicator_edges(self, cols: list[str]) -> tuple[float, list[float]]:
        ratios = {
            "level1": 1.0,
            "level2": 1.3,
            "level3": 1.6 if self.v.has("wrap_center") else 2.4,
            "target_long": 1.2,
            "target": 1.2,
            "remark": 1.8,
        }
        left = self.label_w if self.v.has("ind_section_column") else 0
        return left, spread(left, self.width, [ratios[c] for c in cols])

    def header_text(self, col: str) -> str:
        if col == "level1" and self.v.has("ind_blank_header"):
            return ""
        if col == "target" and self.v.has("ind_two_values"):
            return self.headers.setdefault("target_annual", self.label("target_annual"))
        return self.headers.setdefault(col, self.label(col))

    def indicator_rows(self, cols: list[str], a: int, b: int, header: bool, section: str) -> list[list[Slot]]:
        """Rows of indicators a..b-1 (one page's part), with the column header row if ``header``."""
        left, x = self.indicator_edges(cols)
        rows: list[list[Slot]] = []
        if header:
            rows.append([Slot(self.label_cell(self.header_text(c)), x[i], x[i + 1]) for i, c in enumerate(cols)])
        for k in range(a, b):
            rows.append(self.indicator_row(cols, x, k, a, b))
        if left:  # the section cell spans this part's rows; on a continuation page it is empty, as drawn
            rows[0].insert(0, Slot(self.label_cell(section if header else "", rs=len(rows)), 0, left))
        return rows

    def indicator_row(self, cols: list[str], x: list[float], k: int, a: int, b: int) -> list[Slot]:
        inds, row = self.data.indicators, []
        for i, col in enumerate(cols):
            ind = inds[k]
            if col in ("level1", "level2"):
                first, last = merged_span(inds, k, col)
                if k not in (first, a):
                    continue  # inside a merged cell begun above
                keys = [f"indicators[{j}].{col}" for j in range(first, last + 1)] if k == first else None
                text = getattr(ind, col) if k == first else ""
                row.append(Slot(Cell(text, align="center", rs=min(last + 1, b) - k, key=keys), x[i], x[i + 1]))
            elif col == "level3":
                row.append(Slot(self.level3_cell(ind, k, x[i + 1] - x[i]), x[i], x[i + 1]))
            elif col == "target_long":
                row.append(Slot(Cell(ind.long_target, align="center"), x[i], x[i + 1]))
            elif col == "target":
                row.append(Slot(Cell(ind.target, align="center", key=f"indicators[{k}].target"), x[i], x[i + 1]))
            else:
                row.append(Slot(self.value_cell(ind.remark, f"indicators[{k}].remark"), x[i], x[i + 1]))
        return row

    def level3_cell(self, ind: Indicator, k: int, width: float) -> Cell:
        key = f"indicators[{k}].level3"
        if not ind.cut:
            return self.value_cell(ind.level3, key)
        # a centred column cuts an overflowing line on both sides, a left-aligned one on the right
        align = "center" if self.v.has("wrap_center") else "left"
        if ind.shown == (0, 0):
            ind.shown = visible_part(ind.level3, width, align) or (0, len(ind.level3))
        a, z = ind.shown  # the whole name where the column is too wide to cut it: then no cut
        text = ind.level3
        return Cell(text[a:z], before=text[:a], after=text[z:], nowrap=True, align=align, key=key)

    def cost_rows(self) -> list[list[Slot]]:
        cols = ms.COST_ORDER  # the record's cost-item keys, in the order the columns are drawn
        heads = ["项目名称", "项目内容", "项目明细", "明细金额", "单价", "依据", "数量", "依据", "备注"]
        x = spread(self.label_w, self.width, [1.5, 1.5, 1.5, 1.7, 1.5, 1.3, 0.8, 1.3, 0.9])
        items = self.data.costs
        section = Slot(self.label_cell(self.label("cost_section"), rs=len(items) + 2), 0, self.label_w)
        rows = [[section] + [Slot(self.label_cell(h), x[i], x[i + 1]) for i, h in enumerate(heads)]]
        for n, item in enumerate(items):
            values = {
                **item,
                "project": self.data.fields["project_name"],
                "quantity": str(item["quantity"]),
                "amount": self.plain(item["price"] * item["quantity"]),
                "unit_price": self.plain(item["price"]),
            }
            rows.append(
                [Slot(self.value_cell(values[c], f"cost_items[{n}].{c}"), x[i], x[i + 1]) for i, c in enumerate(cols)]
            )
        total = sum(it["price"] * it["quantity"] for it in items)
        rows.append(
            [
                Slot(self.label_cell("金额合计"), x[0], x[3]),
                Slot(self.value_cell(self.plain(total), "cost_total"), x[3], x[4]),
            ]
            + [Slot(Cell(""), x[i], x[i + 1]) for i in range(4, len(cols))]
        )
        return rows

    def plain(self, yuan: int) -> str:
        """A cost-table amount: no thousands separators (the columns are narrow)."""
        return str((Decimal(yuan) / (10000 if self.unit == "万元" else 1)).quantize(TWO_PLACES))


def merged_span(inds: list[Indicator], k: int, col: str) -> tuple[int, int]:
    """First and last indicator of the merged 一级 or 二级 cell holding indicator k (二级 stays in its 一级)."""

    def joins(j: int) -> bool:  # indicator j continues the merged cell of indicator j - 1
        same = getattr(inds[j], col) == getattr(inds[j - 1], col)
        return same and (col == "level1" or inds[j].level1 == inds[j - 1].level1)

    first, last = k, k
    while first > 0 and joins(first):
        first -= 1
    while last + 1 < len(inds) and joins(last + 1):
        last += 1
    return first, last


def visible_part(text: str, width: float, align: str) -> tuple[int, int] | None:
    """(start, end) of the part of a one-line cut cell the engine can show exactly, searched near
    what the column holds at the base size (the engine's own size search then makes it exact)."""
    inner = width - 0.6
    guess = int((inner - 2 * ms.PAD) / ms.advance("国", 9.0))
    for n in sorted(range(max(3, guess - 4), min(len(text) - 2, guess + 4)), key=lambda n: abs(n - guess)):
        middle = (len(text) - n) // 2
        for a in [0] if align == "left" else [middle, middle + 1, middle - 1]:
            cell = Cell(text[a : a + n], before=text[:a], after=text[a + n :], nowrap=True, align=align)
            try:
                ms.fit_cell(ms.PlacedCell(cell, 0, 0, inner=(0.0, 0.0, inner, 0.0)), 9.0)
                return a, a + n
            except ValueError:
                continue
    return None  # no part can be shown exactly (a wide landscape column shows the whole name)


# ---------------------------------------------------------------------------------------------
# Pages: page 1 holds the head and as many indicators as fit; page_break continues the table
# ---------------------------------------------------------------------------------------------


def head_items(b: Builder) -> list[Text]:
    items = [Text(f"{b.data.title}（{b.data.year}年度）", size=16, align="center", gap=0)]
    label = b.label("reporting_unit") + "："
    items.append(Text(label + b.data.fields["reporting_unit"], key="fields.reporting_unit", label=label, gap=8))
    if b.unit_line:
        items.append(Text(f"金额单位：{b.unit}", align="right", gap=4))
    return items


def table_top(items: list[Text]) -> float:
    return ms.PAGE_MARGIN_TOP + sum(ms.item_height(i) for i in items)


def page_bottom() -> float:
    return ms.PAGE_H - ms.PAGE_MARGIN_BOTTOM - 2.0  # 2pt slack: a split redistributes merged cells


def fitting_indicators(b: Builder, items: list[Text], head: list[list[Slot]], cols: list[str], section: str) -> int:
    """How many indicators fit on page 1 below the head rows."""
    n = len(b.data.indicators)
    table = grid_table(head + b.indicator_rows(cols, 0, n, True, section), b.width)
    ys = ms.layout_table(table, ms.PAGE_MARGIN_X, table_top(items) + table.gap).ys
    first = len(head) + 1  # the row index of indicator 0
    return sum(1 for k in range(n) if ys[first + k + 1] <= page_bottom())


def choose_split(b: Builder, fit: int) -> int:
    n = len(b.data.indicators)
    if not b.v.has("page_break"):
        return n
    top = min(fit, n - 1)
    inds = b.data.indicators
    inside = [k for k in range(max(1, top - 3), top + 1) if inds[k].level1 == inds[k - 1].level1]
    return b.rng.choice(inside or [top])  # prefer a break inside a merged 一级 cell


def build_pages(b: Builder) -> list[list[Text | Table]]:
    items = head_items(b)
    head = b.field_rows() + b.funding_rows() + b.goal_rows()
    cols = b.indicator_columns()
    section = b.rng.choice(IND_SECTIONS)
    fit = fitting_indicators(b, items, head, cols, section)
    if fit < len(b.data.indicators) and not b.v.has("page_break"):
        del b.data.indicators[max(fit, 3) :]  # no break wanted: keep what fits on page 1
    split = choose_split(b, fit)
    n = len(b.data.indicators)
    pages = [items + [grid_table(head + b.indicator_rows(cols, 0, split, True, section), b.width, gap=10)]]
    if split < n:
        pages.append([grid_table(b.indicator_rows(cols, split, n, False, section), b.width, gap=0)])
    if b.data.costs:
        cost = grid_table(b.cost_rows(), b.width, size=8.0, gap=14)
        room = page_bottom() - ms.PAGE_MARGIN_TOP - sum(ms.item_height(i) for i in pages[-1])
        if ms.item_height(cost) <= room:
            pages[-1].append(cost)
        else:
            cost.gap = 0
            pages.append([cost])
    return pages


# ---------------------------------------------------------------------------------------------
# Rendering and the expected record
# ---------------------------------------------------------------------------------------------


def setup_engine(v: Variant) -> None:
    """Point make_samples' engine at this variant's font and page (module state, set per render)."""
    font = next((f for f in FONTS if f and v.has(f)), None)
    ms.use_font(*FONTS[font])
    if v.has("landscape"):
        ms.use_page(landscape(A4), LANDSCAPE_W)
    else:
        ms.use_page(A4, PORTRAIT_W)


def add_targets(record: dict, b: Builder) -> None:
    """Two value columns: ``targets`` maps each header as printed to its text (SPEC indicators)."""
    if not b.v.has("ind_two_values"):
        return
    long_head, annual_head = b.headers["target_long"], b.headers["target_annual"]
    for ind, rec in zip(b.data.indicators, record["indicators"]):
        rec["targets"] = {long_head: ind.long_target, annual_head: rec["target"]}


def render(spec: Variant, outdir: str | Path) -> tuple[Path, list[dict]]:
    """Render ``spec`` to ``outdir/<stem>.pdf``; return the path and the expected records."""
    setup_engine(spec)
    rng = random.Random(f"variant:{spec.seed}")
    data = make_data(spec, rng)
    unit = "万元" if spec.has("wan_yuan") else "元"
    b = Builder(spec, rng, data, LANDSCAPE_W if spec.has("landscape") else PORTRAIT_W, unit)
    pages = build_pages(b)
    form = Form(meta={"title": data.title, "year": data.year, "amount_unit_original": unit}, pages=pages)
    placed = [ms.layout_page(items) for items in pages]
    pdf = Path(outdir) / f"{spec.stem}.pdf"
    sha = hashlib.sha256(ms.render(placed, "visible", pdf)).hexdigest()
    record = ms.build_record(form, placed, "visible", pdf, sha)
    add_targets(record, b)
    return pdf, [record]


def main(argv: list[str]) -> None:
    outdir = Path(argv[0])
    n, seed = (int(argv[1]) if len(argv) > 1 else 20), (int(argv[2]) if len(argv) > 2 else 1)
    outdir.mkdir(parents=True, exist_ok=True)
    for spec in variants(seed, n):
        pdf, records = render(spec, outdir)
        ms.write_json(pdf.with_suffix(".json"), records)
        print(pdf.name, " ".join(spec.families) or "(baseline)")


if __name__ == "__main__":
    main(sys.argv[1:])
