"""Text layers as real producers write them: radical and compatibility code points for ideographs."""

from pathlib import Path

from jixiao.extract.textfold import fold
from jixiao.normalize.text import clean

from .smallforms import draw_kv_form


def test_fold_maps_radicals_and_compatibility_ideographs_only():
    assert fold("项\u2f6c\u2f40出绩效\u2f6c标") == "项目支出绩效目标"  # Kangxi ⽬ ⽀
    assert fold("\u2ed3期\u2ec5效") == "长期见效"  # Radicals Supplement, simplified forms
    assert fold("\uf9b1") == "\u9234"  # a CJK compatibility ideograph (NFC)
    plain = "项目总预算：1,000.00 元（万元）Ⅰ ① ％"
    assert fold(plain) is plain  # nothing else is touched: no NFKC of full-width forms or digits
    assert clean("⼈员") == "人员"


def _kangxi_form(path: Path) -> None:
    rows = [("项目名称", "城市一网统一管理项目"), ("项目总预算", "120000"), ("项目类别", "■经常性项目 □一次性项目")]
    # Uncompressed, so that the ToUnicode map can be edited below.
    draw_kv_form(path, "财政项目支出绩效目标申报表", rows, subtitle="（2024年度）", compress=False)
    # The page shows the same glyphs; the text layer says ⽬ (U+2F6C) for 目, ⽀ (U+2F40) for 支 and
    # ⼀ (U+2F00) for 一, the way some exporters write it. Same-length edits keep the xref valid.
    data = path.read_bytes()
    for unified, radical in ((b"<76EE>", b"<2F6C>"), (b"<652F>", b"<2F40>"), (b"<4E00>", b"<2F00>")):
        assert unified in data
        data = data.replace(unified, radical)
    path.write_bytes(data)


def test_a_form_written_with_kangxi_radicals_reads_as_plain_text(tmp_path):
    from jixiao.pipelines.api import extract_records

    path = tmp_path / "kangxi.pdf"
    _kangxi_form(path)
    (rec,) = extract_records(path)
    assert rec["form"]["title"] == "财政项目支出绩效目标申报表"
    assert rec["fields"]["project_name"] == "城市一网统一管理项目"
    assert rec["funding"]["total"] == "120000.00"
    assert rec["fields"]["project_category"] == "经常性项目"
    assert not [f for f in rec["flags"] if f["code"] == "unmapped_label"]
    import pypdfium2

    doc = pypdfium2.PdfDocument(path)  # the test's premise: the raw text layer has the radicals
    try:
        assert "项\u2f6c" in doc[0].get_textpage().get_text_range()
    finally:
        doc.close()


def test_symbol_font_check_boxes_read_as_boxes():
    from jixiao.extract.textfold import fold_chars, symbol_box
    from jixiao.normalize.values import checkbox_options

    def ch(text, font):
        return {"text": text, "fontname": font, "x0": 0, "x1": 1, "top": 0, "bottom": 1}

    # Word's 插入符号: Wingdings 2 "R" / "£", or Wingdings 254 / 168, with or without the U+F000 offset.
    assert symbol_box("R", "ABCDEF+Wingdings2") == "☑"
    assert symbol_box("\uf052", "Wingdings 2") == "☑"
    assert symbol_box("\u00fe", "Wingdings-Regular") == "☑"
    assert symbol_box("\uf0a8", "GHIJKL+Wingdings-Regular") == "□"
    assert symbol_box("R", "SimSun") == "R"  # letters of text fonts stay letters
    assert symbol_box("R", "Wingdings3") == "R"  # arrows, not boxes
    chars = [ch("R", "Wingdings2"), *(ch(t, "SimSun") for t in "经常性项目"), ch("£", "Wingdings2"),
             *(ch(t, "SimSun") for t in "一次性项目R")]
    text = "".join(c["text"] for c in fold_chars(chars))
    assert text == "☑经常性项目□一次性项目R"
    assert checkbox_options(text) == [("经常性项目", True), ("一次性项目R", False)]
