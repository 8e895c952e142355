"""The grid rebuild, on plain data without a PDF."""

from jixiao.extract.grid import Seg, find_tables, normalize_segments, segments_from_rect
from jixiao.extract.pdf import assemble_page


def box(x0, y0, x1, y1):
    return [Seg(x0, y0, x1, y0), Seg(x0, y1, x1, y1), Seg(x0, y0, x0, y1), Seg(x1, y0, x1, y1)]


def spans(t):
    return sorted((c.row, c.col, c.rowspan, c.colspan) for c in t.cells)


def test_plain_grid():
    segs = [Seg(0, y, 300, y) for y in (0, 20, 40)] + [Seg(x, 0, x, 40) for x in (0, 100, 200, 300)]
    (t,) = find_tables(segs)
    assert (t.n_rows, t.n_cols) == (2, 3)
    assert spans(t) == [(r, c, 1, 1) for r in range(2) for c in range(3)]


def test_row_span_like_funding_block():
    # A label cell on the left spanning 3 rows; the right part has its own row rulings.
    segs = [Seg(0, 0, 300, 0), Seg(0, 90, 300, 90), Seg(100, 30, 300, 30), Seg(100, 60, 300, 60)]
    segs += [Seg(0, 0, 0, 90), Seg(100, 0, 100, 90), Seg(200, 0, 200, 90), Seg(300, 0, 300, 90)]
    (t,) = find_tables(segs)
    assert (t.n_rows, t.n_cols) == (3, 3)
    assert (0, 0, 3, 1) in spans(t)
    assert len(t.cells) == 1 + 3 * 2


def test_col_span_and_both():
    # Header spanning two columns over two sub-columns, and a 2x2 merged block.
    segs = [Seg(0, y, 300, y) for y in (0, 60)] + [Seg(100, 20, 300, 20), Seg(0, 40, 300, 40)]
    segs += [Seg(0, 0, 0, 60), Seg(100, 0, 100, 60), Seg(200, 20, 200, 60), Seg(300, 0, 300, 60)]
    (t,) = find_tables(segs)
    got = spans(t)
    assert (0, 0, 2, 1) in got  # left cell spans two rows
    assert (0, 1, 1, 2) in got  # header spans two columns
    assert (1, 1, 1, 1) in got and (1, 2, 1, 1) in got


def test_stacked_tables_stay_apart():
    segs = box(0, 0, 300, 40) + [Seg(150, 0, 150, 40), Seg(0, 20, 300, 20)]
    segs += box(0, 80, 300, 120) + [Seg(100, 80, 100, 120)]
    t1, t2 = find_tables(segs)
    assert t1.bbox[1] == 0 and t2.bbox[1] == 80
    assert (t1.n_rows, t1.n_cols, t2.n_rows, t2.n_cols) == (2, 2, 1, 2)


def test_thin_filled_rects_are_rulings_and_snap():
    # Rulings drawn as 0.6pt filled rectangles, slightly misaligned, with a small gap.
    segs = []
    for y in (0, 30, 60):
        segs += segments_from_rect(-0.3, y - 0.3, 150.3, y + 0.3)
        segs += segments_from_rect(150.0, y - 0.1, 300.3, y + 0.5)
    for x in (0, 150, 300):
        segs += segments_from_rect(x - 0.3, 0, x + 0.3, 29)
        segs += segments_from_rect(x - 0.2, 30.5, x + 0.4, 60)
    assert len(normalize_segments(segs)) == 6
    (t,) = find_tables(segs)
    assert (t.n_rows, t.n_cols) == (2, 2)


def test_open_region_is_not_a_cell():
    # An L-shaped ruling set: the open corner is no cell.
    segs = [Seg(0, 0, 200, 0), Seg(0, 20, 200, 20), Seg(0, 40, 100, 40)]
    segs += [Seg(0, 0, 0, 40), Seg(100, 0, 100, 40), Seg(200, 0, 200, 20)]
    (t,) = find_tables(segs)
    assert len(t.cells) == 3


def _char(text, x, top, size=10):
    return {"text": text, "x0": x, "x1": x + size, "top": top, "bottom": top + size, "size": size}


def test_text_goes_to_its_cell_and_merged_text_appears_once():
    segs = [Seg(0, 0, 300, 0), Seg(0, 60, 300, 60), Seg(100, 30, 300, 30)]
    segs += [Seg(x, 0, x, 60) for x in (0, 100, 300)]
    chars = [_char("资", 10, 25), _char("金", 20, 25)]  # centred in the merged left cell
    chars += [_char("一", 110, 10), _char("二", 110, 40), _char("标", 10, 100)]
    page = assemble_page(1, 600, 800, chars, segs)
    (t,) = page.tables
    left = t.at(0, 0)
    assert left is t.at(1, 0) and left.rowspan == 2 and left.text == "资金"
    assert t.at(0, 1).text == "一" and t.at(1, 1).text == "二"
    assert [ln.text for ln in page.lines] == ["标"]


def test_hidden_characters_belong_to_their_clip_cell():
    segs = box(0, 0, 100, 20) + [Seg(50, 0, 50, 20)]
    chars = [_char("区", 2, 5), _char("长", 14, 5), _char("质", 26, 5)]
    # "量" lies over the right cell, but it was drawn clipped to the left one.
    hidden = [dict(_char("量", 52, 5), clip=(0, 0, 50, 20))]
    page = assemble_page(1, 600, 800, chars, segs, hidden)
    (t,) = page.tables
    assert t.at(0, 0).text == "区长质" and t.at(0, 0).hidden_after == "量"
    assert t.at(0, 1).text == "" and not (t.at(0, 1).hidden_before or t.at(0, 1).hidden_after)


def test_titles():
    from jixiao.extract.classify import is_title, page_class, title_parts

    titles = ("财政项目支出绩效目标申报表（项目总体情况）", "2026年度项目支出绩效目标申报表",
              "附件2 财政支出绩效目标申报表", "附件1-2：项目支出绩效目标表（2026年度）",
              "江西省省级部门预算项目支出绩效目标表", "表3-1 项目支出绩效目标表",
              "财政支出绩效目标申报表·(2024年度)")  # a speck read as "·" (a sealed scan at 150 dpi)
    for t in titles:
        assert is_title(t), t
    mentions = ("详见单位的项目绩效目标表", "七、绩效目标", "四、绩效目标设置情况",
                "本部门编报绩效目标的项目共25个，涉及项目预算资金")
    for t in mentions:
        assert not is_title(t), t
    assert title_parts("附件2 财政项目支出绩效目标申报表（绩效目标）") == ("财政项目支出绩效目标申报表", "绩效目标")
    assert page_class("封面\n财政项目支出绩效目标申报表      填报日期：2026年3月1日\n项目名称") == "form"
    assert page_class("七、绩效目标\n详见单位的项目绩效目标表") is None


def test_title_inside_the_first_row_of_the_table():
    segs = box(0, 0, 300, 60) + [Seg(0, 20, 300, 20), Seg(100, 20, 100, 60), Seg(0, 40, 300, 40)]
    chars = [_char(ch, 20 + 10 * i, 5) for i, ch in enumerate("项目支出绩效目标申报表")]
    page = assemble_page(1, 600, 800, chars, segs)
    assert page.title == "项目支出绩效目标申报表"


def test_turned_text_is_kept_and_read_the_way_it_runs(tmp_path):
    """Labels written up or down a narrow cell (non-upright glyphs) are text too, in order."""
    import pdfplumber
    from reportlab.pdfgen import canvas

    from jixiao.extract.pdf import open_pdfium, read_page

    path = tmp_path / "turned.pdf"
    c = canvas.Canvas(str(path))
    for x in (100, 130, 160, 330):
        c.line(x, 500, x, 700)
    for y in (500, 700):
        c.line(100, y, 330, y)
    for (x, y, angle, text) in ((120, 520, 90, "GOALS"), (142, 690, -90, "OUTPUT")):
        c.saveState()
        c.translate(x, y)
        c.rotate(angle)
        c.drawString(0, 0, text)
        c.restoreState()
    c.drawString(170, 600, "plain")
    c.save()
    pdfium = open_pdfium(path)
    try:
        with pdfplumber.open(path) as pdf:
            (t,) = read_page(pdf.pages[0], pdfium[0], 1).tables
    finally:
        pdfium.close()
    assert [t.at(0, k).text for k in range(3)] == ["GOALS", "OUTPUT", "plain"]


def test_evenly_spread_cjk_reads_without_spaces_but_separate_phrases_keep_theirs():
    from jixiao.extract.pdf import build_lines

    def line(xs_texts):
        return build_lines([_char(t, x, 0) for x, t in xs_texts])[0].text

    # Distributed alignment (分散对齐): every gap 1.5 characters wide.
    assert line([(0, "项"), (25, "目"), (50, "名"), (75, "称")]) == "项目名称"
    assert line([(0, "区"), (22, "长"), (45, "质"), (66, "量"), (88, "奖")]) == "区长质量奖"
    # Two phrases with one wide gap between them, and Latin words, keep the space.
    assert line([(0, "张"), (10, "三"), (40, "李"), (50, "四")]) == "张三 李四"
    assert line([(0, "A"), (6, "B"), (30, "C")]) == "AB C"
    # Text set normally has no gaps at all.
    assert line([(0, "项"), (10, "目")]) == "项目"


def test_table_drawn_without_side_borders():
    # Row rulings run from x=0 to 300, but only the inner column rulings are drawn.
    segs = [Seg(0, y, 300, y) for y in (0, 20, 40, 60)] + [Seg(x, 0, x, 60) for x in (100, 200)]
    (t,) = find_tables(segs)
    assert (t.n_rows, t.n_cols) == (3, 3)
    assert t.bbox == (0, 0, 300, 60)
    # A label | value table with only the middle divider.
    segs = [Seg(0, y, 300, y) for y in (0, 20, 40)] + [Seg(120, 0, 120, 40)]
    (t,) = find_tables(segs)
    assert spans(t) == [(r, c, 1, 1) for r in range(2) for c in range(2)]


def test_table_drawn_without_top_and_bottom_borders():
    segs = [Seg(x, 0, x, 60) for x in (0, 100, 300)] + [Seg(0, y, 300, y) for y in (20, 40)]
    (t,) = find_tables(segs)
    assert (t.n_rows, t.n_cols) == (3, 2)


def test_one_ruling_running_on_is_no_border():
    # A rule under a header that runs past the table on the right: no phantom column.
    segs = box(0, 0, 200, 40) + [Seg(100, 0, 100, 40), Seg(0, 20, 320, 20)]
    (t,) = find_tables(segs)
    assert (t.n_rows, t.n_cols) == (2, 2)
    assert t.bbox == (0, 0, 200, 40)


def test_a_form_without_side_borders_reads_end_to_end(tmp_path):
    """A form drawn with row rulings and one column divider only (no outer verticals)."""
    from jixiao.pipelines.api import extract_records

    from .smallforms import draw_kv_form

    path = tmp_path / "open.pdf"
    rows = [("项目名称", "老旧小区加装电梯补贴"), ("主管部门", "区住房保障和房屋管理局"), ("项目总预算", "560000")]
    draw_kv_form(path, "项目支出绩效目标申报表", rows, columns=(200,))
    (rec,) = extract_records(path)
    assert rec["fields"]["project_name"] == "老旧小区加装电梯补贴"
    assert rec["fields"]["supervising_dept"] == "区住房保障和房屋管理局"
    assert rec["funding"]["total"] == "560000.00"


def test_fake_bold_twins_are_found_across_rounding_edges():
    from jixiao.extract.pdf import has_duplicate_chars

    def c(text, x, top):
        return {"text": text, "x0": x, "top": top}

    assert has_duplicate_chars([c("项", 10.4, 5.0), c("项", 10.7, 5.2)])  # 10 and 11 when rounded
    assert has_duplicate_chars([c("项", 10.0, 5.49), c("项", 10.3, 5.51)])
    assert not has_duplicate_chars([c("项", 10.0, 5.0), c("项", 12.5, 5.0)])  # a real repeat: 项项
    assert not has_duplicate_chars([c("项", 10.0, 5.0), c("目", 10.2, 5.0)])
