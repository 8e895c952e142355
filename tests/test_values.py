from decimal import Decimal

import pytest

from jixiao.normalize.text import join_lines, split_label
from jixiao.normalize.values import checkbox_options, parse_amount, parse_date, parse_target


def test_join_lines_spec_rule():
    assert join_lines(["根据国务院", "《质量发展纲要》"]) == "根据国务院《质量发展纲要》"
    assert join_lines(["Quality", "Award"]) == "Quality Award"
    assert join_lines(["孵化１０", "家企业，完成９０％"]) == "孵化10家企业，完成90%"
    assert join_lines(["A\u3000B"]) == "A B"


def test_split_label():
    assert split_label("依据：《上海市质量发展规划》") == ("依据", "《上海市质量发展规划》")
    assert split_label("一、项目总预算：390000") == ("一、项目总预算", "390000")
    assert split_label("没有标签的文字") is None


@pytest.mark.parametrize(
    "text, unit, want",
    [
        ("390000", "元", "390000.00"),
        ("771,325,800.00", "元", "771325800.00"),
        ("39", "万元", "390000.00"),
        ("12.5万元", "元", "125000.00"),
        ("", "元", None),
        ("三十万", "元", None),
    ],
)
def test_amounts(text, unit, want):
    got = parse_amount(text, unit)
    assert (None if got is None else f"{got:f}") == want
    if got is not None:
        assert isinstance(got, Decimal)


@pytest.mark.parametrize(
    "text, want",
    [
        ("2020-01-01", "2020-01-01"),
        ("2020/1/1", "2020-01-01"),
        ("2020年1月1日", "2020-01-01"),
        ("2020.12.31", "2020-12-31"),
        ("2020-13-01", None),
        ("明年", None),
    ],
)
def test_dates(text, want):
    assert parse_date(text) == want


@pytest.mark.parametrize(
    "text, want",
    [
        ("100%", ("=", "100", "%")),
        ("≥90.00(%)", ("≥", "90.00", "%")),
        ("=100.00(%)", ("=", "100.00", "%")),
        ("不低于95%", ("≥", "95", "%")),
        ("≤30天", ("≤", "30", "天")),
        ("＞5", (">", "5", None)),
        ("3000人次", ("=", "3000", "人次")),
        ("985米", ("=", "985", "米")),
        ("及时", (None, None, None)),
        ("可控", (None, None, None)),
    ],
)
def test_targets(text, want):
    assert parse_target(text) == want


def test_checkboxes():
    assert checkbox_options("□一次性项目 ☑经常性项目 □中期预算试点项目") == [
        ("一次性项目", False),
        ("经常性项目", True),
        ("中期预算试点项目", False),
    ]
    assert checkbox_options("经常性项目") is None


def test_a_tick_after_its_option_ticks_the_option_before_it():
    assert checkbox_options("新增项目□延续项目√") == [("新增项目", False), ("延续项目", True)]
    # a text that starts with words but ends on an option keeps its marks in front
    assert checkbox_options("是否 □是 ■否") == [("是", False), ("否", True)]


def test_a_lone_tick_between_two_options_is_told_apart():
    """A photographed scan at 150 dpi lost one option's empty box: "新增项目 ☑延续项目". The tick is
    taken as ticking the option after it (as marks stand before their options), and flagged."""
    from jixiao.normalize.values import lone_tick

    assert checkbox_options("新增项目 ☑延续项目") is None  # one mark: no cell of boxes by itself
    assert lone_tick("新增项目 ☑延续项目") == lone_tick("新增项目☑延续项目") == ("新增项目", "延续项目")
    assert lone_tick("☑延续项目") is None  # one option, ticked: nothing to tell apart
    assert lone_tick("完成率√") is None
    assert lone_tick("新增项目 延续项目") is None
    assert lone_tick("新增项目 □延续项目") is None  # an empty box ticks nothing
