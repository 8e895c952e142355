"""Flag rules on plain text (no PDF)."""

from decimal import Decimal

from jixiao.normalize.checks import (
    Geometry,
    cut_piece,
    duplicated_text,
    ocr_lookalike,
    sum_check,
    truncated_head,
    truncated_tail,
    unbalanced_brackets,
)

FULL = Geometry(at_edge=True)
FREE = Geometry(at_edge=False)


def test_tail_cues():
    assert truncated_tail("因此项目实施目标较", FREE)  # function word
    assert truncated_tail("力争孵化10家企业，为", FREE)
    assert truncated_tail("增强我区", FULL)  # runs to the edge of a full cell
    assert truncated_tail("区长质量奖成", Geometry(near_edge=True))  # a word cut at the edge
    assert truncated_tail("区长质量奖成", FREE) is None  # far from the edge: no evidence of a cut


def test_complete_values_are_not_tail_cut():
    for v in ("无", "100%", "及时", "顾爱民", "成功举办", "孵化培育落实", "年度项目", "区长质量奖工作经费"):
        assert truncated_tail(v, FREE) is None, v
    assert truncated_tail("《关于完善闵行区区长质量奖管理办法的补充通知》（闵市监〔2018〕109号）", FULL) is None
    assert truncated_tail("严格遵守财务管理制度。", FULL) is None


def test_head_cues():
    assert truncated_head("中，针对各街镇和成员单位推荐的企业")
    assert truncated_head("）分别为：①区长质量奖专家评审")
    assert truncated_head("针对各街镇和成员单位推荐的企业") is None


def test_cut_piece():
    assert cut_piece("长质量奖工作经", ["区长质量奖工作经费"]) == (True, True)
    assert cut_piece("区长质量奖工作", ["区长质量奖工作经费"]) == (False, True)
    assert cut_piece("区长质量奖", ["关于区长质量奖工作经费的说明，共三项"]) == (False, False)
    assert cut_piece("无", ["无"]) == (False, False)


def test_brackets():
    assert unbalanced_brackets("《上海市闵行区")
    assert unbalanced_brackets("分别为：①区长）")
    assert unbalanced_brackets("《纲要（2011-2020年）》〔2015〕") is None


def test_duplicated_clauses():
    once = "2015年12月，区政府发布《办法》（闵府发〔2015〕32号），"
    s = "根据文件规定，" + once + once + "设立制度。"
    assert duplicated_text(s)
    assert duplicated_text("完成评审工作，做好表彰工作，完成宣传工作。") is None


def test_sums():
    assert sum_check(Decimal(390000), [Decimal(390000), Decimal(0)]) is None
    assert sum_check(Decimal(390000), [Decimal(300000), Decimal(0)])
    assert sum_check(Decimal(390000), [None, Decimal(0)]) is None


def test_a_dot_between_two_characters_is_a_likely_misread():
    assert ocr_lookalike("肇事（案）件·确保社会环境和谐稳定") is not None
    assert ocr_lookalike("≥95.00(%)") is None  # a decimal point
    assert ocr_lookalike("完成率·") is None  # not between two characters
    assert ocr_lookalike("第1·2项") is None
    assert ocr_lookalike("《绿化条例》·《养护技术规程》") is not None  # a "；" between two titles
    assert ocr_lookalike("《教育法》：《校舍安全管理办法》") is not None  # a "；" with a faint tail
    assert ocr_lookalike("依据：《教育法》") is None


def test_a_space_between_two_digits_is_a_likely_lost_mark():
    assert "'6 0'" in ocr_lookalike(">6 00(次)")  # "6.00": a decimal point too faint to read
    assert ocr_lookalike("021 68676645") is not None  # "021-68676645"
    assert ocr_lookalike("≥100.00(人数)") is None
    assert ocr_lookalike("不少于 100人") is None  # a space beside a digit, not between two


def test_a_character_that_makes_no_word_where_its_look_alike_would_is_named():
    """Misreads the engine is sure of (a real form's scans: 人士→人土 at 0.92, 法治→法冶 at
    0.85, 住宅→住宇 at 0.81) go unflagged by confidence; the dictionary sees them."""
    from jixiao.normalize import checks
    from jixiao.normalize.labels import TABLE

    look = TABLE.lookalike
    for misread in ("凝聚统战各界人土力量", "社区法冶氛围增强", "提升住宇小区业委会规范化", "整洽辖区内乱设摊",
                    "书记论坛、描台等"):
        assert checks.ocr_lookalike(misread, look), misread
    for right in ("凝聚统战各界人士力量", "社区法治氛围增强", "提升住宅小区业委会规范化", "整治辖区内乱设摊",
                  "书记论坛、擂台等", "全年未发生", "慰问人数不少于100人，宣传用品不少于20000份", "=5.00(万人次)"):
        assert checks.ocr_lookalike(right, look) is None, right
    assert checks.ocr_lookalike("凝聚统战各界人土力量") is None  # without the table: marks only


def test_a_mark_no_value_starts_with_and_a_symbol_beside_chinese_are_named():
    from jixiao.normalize import checks

    assert checks.ocr_lookalike(".≤100%")  # a speck before the sign (a turned scan at 300 dpi)
    assert checks.ocr_lookalike("消除校舍安全隐患*，改善学校办学条件")  # a seal's speck
    assert checks.ocr_lookalike('"提升居民、驻区单位质量 优化营商环境”')  # a real form at 300 dpi: '"…"'
    assert checks.ocr_lookalike("“两新”组织") is None
    for right in ("≤100%", "0.5", "3#楼维修", "1~3月", "《教育法》；《管理办法》"):
        assert checks.ocr_lookalike(right) is None, right


def test_an_amount_is_doubtful_sooner_than_text():
    """A misread digit makes no odd word: an amount read below 0.90 is flagged, text below 0.80."""
    from jixiao.normalize.checks import LOW_CONFIDENCE, LOW_CONFIDENCE_AMOUNT, low_confidence_bound

    assert low_confidence_bound("1,595,500.00") == low_confidence_bound("1595500.00") == LOW_CONFIDENCE_AMOUNT
    assert low_confidence_bound("完成处置") == low_confidence_bound("≥95.00(%)") == LOW_CONFIDENCE
    assert LOW_CONFIDENCE < LOW_CONFIDENCE_AMOUNT
