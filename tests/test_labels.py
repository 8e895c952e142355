"""The label table is data: loaded, validated, and matched."""

import tomllib

import pytest

from jixiao.normalize import schema
from jixiao.normalize.labels import TABLE, TABLE_PATH, LabelTableError, build_table, normalise


def test_every_alias_maps_to_one_key_and_every_key_is_in_the_schema():
    with open(TABLE_PATH, "rb") as f:
        data = tomllib.load(f)
    seen = {}
    for kind in ("fields", "funding", "funding_contextual", "sections"):
        for key, aliases in data[kind].items():
            for a in aliases:
                n = normalise(a)
                assert seen.setdefault(n, (kind, key)) == (kind, key), f"{a} maps to two keys"
    assert set(data["fields"]) <= set(schema.FIELD_KEYS)
    assert set(data["funding"]) <= set(schema.FUNDING_KEYS)
    # Every canonical field has at least one label.
    assert all(data["fields"].get(k) for k in schema.FIELD_KEYS)


def test_validation_rejects_a_duplicate_alias_and_an_unknown_key():
    with open(TABLE_PATH, "rb") as f:
        data = tomllib.load(f)
    bad = {k: dict(v) for k, v in data.items()}
    bad["fields"]["overview"] = [*bad["fields"]["overview"], "项目名称"]
    bad["fields"]["not_a_field"] = ["某某"]
    with pytest.raises(LabelTableError) as e:
        build_table(bad)
    assert "项目名称" in str(e.value) and "not_a_field" in str(e.value)


def test_validation_rejects_a_broken_signature_and_label_shape():
    with open(TABLE_PATH, "rb") as f:
        data = tomllib.load(f)
    bad = {k: dict(v) for k, v in data.items()}
    bad["signature"]["min_words"] = 0
    bad["signature"]["required"] = [[]]
    bad["label_shape"]["endings"] = ["名称", ""]
    with pytest.raises(LabelTableError) as e:
        build_table(bad)
    assert "min_words" in str(e.value) and "required" in str(e.value) and "[label_shape]" in str(e.value)


def test_validation_rejects_a_broken_heading_shape_required_fields_and_form_only_alias():
    with open(TABLE_PATH, "rb") as f:
        data = tomllib.load(f)
    bad = {k: dict(v) for k, v in data.items()}
    bad["heading_shape"]["max_chars"] = 1
    bad["required"]["fields"] = {"project": ["not_a_field"], "evaluation": ["project_name"]}
    bad["label_form_only"]["aliases"] = ["不是标签"]
    with pytest.raises(LabelTableError) as e:
        build_table(bad)
    assert "[heading_shape]" in str(e.value) and "form types" in str(e.value) and "不是标签" in str(e.value)


def test_a_heading_is_a_short_title_ending_like_one_not_a_reference_to_it():
    assert TABLE.heading_shaped("绩效项目指标表") and TABLE.heading_shaped("项目支出明细表")
    assert not TABLE.heading_shaped("详见附表") and not TABLE.heading_shaped("资金使用情况，见下表")
    assert not TABLE.heading_shaped("绩效指标")


def test_a_common_word_is_a_label_only_where_printed_as_one():
    assert TABLE.match("其他") is None and TABLE.match("其它", fuzzy=True) is None
    for printed in ("三、其他：", "其他：", "其中：其它"):
        m = TABLE.match(printed)
        assert m is not None and (m.kind, m.key) == ("funding_contextual", "other")


def test_the_signature_and_label_shape_are_read_once_at_load():
    assert "项目名称" in TABLE.signature.words and TABLE.signature.min_words >= 2
    assert TABLE.label_shaped("预算执行率") and not TABLE.label_shaped("武汉市青山区教育局")


@pytest.mark.parametrize(
    "printed, kind, key",
    [
        ("项目名称", "fields", "project_name"),
        ("项目负责人：", "fields", "project_leader"),
        ("项 目 名 称", "fields", "project_name"),
        ("一、项目总预算", "funding", "total"),
        ("(一) 财政拨款：", "funding_contextual", "fiscal"),
        ("1. 上级财政拨款：", "funding", "annual_fiscal_superior"),
        ("填报单位（盖章）", "fields", "reporting_unit"),
        ("项目资金（元）", "sections", "funding"),
        ("项目槪况", "fields", "overview"),  # OCR look-alike character
    ],
)
def test_match(printed, kind, key):
    m = TABLE.match(printed)
    assert m is not None and (m.kind, m.key) == (kind, key)


@pytest.mark.parametrize("value", ["顾爱民", "及时", "390000", "100%", "年度项目", "区长质量奖工作经费"])
def test_values_are_not_labels(value):
    assert TABLE.match(value) is None


def test_level_codes():
    assert TABLE.level_code("产出目标", 1) == "output"
    assert TABLE.level_code("效益指标", 1) == "outcome"
    assert TABLE.level_code("满意度指标", 1) == "satisfaction"
    assert TABLE.level_code("社会效益影响", 2) == "social"
    assert TABLE.level_code("服务对象满意度指标", 2) == "satisfaction"
    assert TABLE.level_code("时效", 2) == "timeliness"


def _damaged(alias: str) -> list[str]:
    """One OCR-style damage at a time: a look-alike character, an inserted space, ：→ ;."""
    out = []
    for i, ch in enumerate(alias):
        alike = sorted(TABLE.lookalike.get(ch, ()))
        if alike:
            out.append(alias[:i] + alike[0] + alias[i + 1 :])
            break
    if len(alias) >= 2:
        mid = len(alias) // 2
        out.append(alias[:mid] + " " + alias[mid:])
    out.append(alias + ";")  # the printed "：" read as ";"
    return out


def test_ocr_damaged_aliases_still_map_to_their_key():
    cases = right = wrong = 0
    misses = []
    for kind in ("fields", "funding", "funding_contextual", "sections"):
        for key, aliases in TABLE.aliases(kind).items():
            for alias in aliases:
                for damaged in _damaged(alias):
                    cases += 1
                    m = TABLE.match(damaged)
                    if m is None:
                        misses.append(damaged)
                    elif (m.kind, m.key) == (kind, key):
                        right += 1
                    else:
                        wrong += 1
                        misses.append(f"{damaged} → {m.kind}.{m.key}")
    assert cases > 200
    assert wrong == 0, misses
    assert right / cases >= 0.95, (right / cases, misses)
