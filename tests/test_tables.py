"""`jixiao tables`: every ruled table of every page, checked against other projects' test files.

The peer PDFs (../shared/realdata/peer_tables/, README there) come with what pdfplumber's and
camelot's own tests expect. Where our output differs from a peer's, the test below says why ours
is right; where it differed because ours was wrong (rulings drawn as general paths), it was fixed.
"""

from __future__ import annotations

import json
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest

from jixiao.extract.alltables import (
    TablesDocument,
    ocr_hook,
    parse_pages,
    read_tables,
    select_pages,
)
from jixiao.extract.grid import Seg
from jixiao.extract.model import Page, Table
from jixiao.extract.pdf import _path_pieces, _segments
from jixiao.pipelines.cli import main
from jixiao.pipelines.tables_out import table_grid

from .badinputs import basic_bad_inputs
from .conftest import REALDATA, SAMPLES, need, unwritable_dir
from .readers import read_csv


def written(out) -> list[str]:
    """The files a run wrote into DIR (its lock file aside: `tables` holds DIR as `extract` does)."""
    return sorted(p.name for p in out.iterdir() if p.name != ".jixiao.lock")

PEER = REALDATA / "peer_tables"


@cache
def _read(path: str) -> TablesDocument:
    return read_tables(path)


def peer(rel: str) -> TablesDocument:
    return _read(str(need(PEER / rel)))


@cache
def camelot_expected() -> dict:
    return json.loads(need(PEER / "camelot" / "expected_from_tests_data_py.json").read_text(encoding="utf-8"))


def lines(text: str) -> list[str]:
    """A cell's printed lines with runs of spaces made one: pdfminer (camelot's text) keeps the
    PDF's space glyphs and adds its own at gaps ("Physiological  Group", "Read & \\nWrite")."""
    return [" ".join(ln.split()) for ln in text.splitlines() if ln.strip()]


def covered(t: Table) -> set[tuple[int, int]]:
    """Grid positions a merged cell covers but does not start in."""
    return {
        (r, k)
        for c in t.cells
        for r in range(c.row, c.row + c.rowspan)
        for k in range(c.col, c.col + c.colspan)
        if (r, k) != (c.row, c.col)
    }


def assert_grid_matches(t: Table, expected: list[list[str]], skip: set[tuple[int, int]] = frozenset()) -> None:
    assert (t.n_rows, t.n_cols) == (len(expected), len(expected[0]))
    got = table_grid(t)
    for r, row in enumerate(expected):
        for k, want in enumerate(row):
            if (r, k) not in skip:
                assert lines(got[r][k]) == lines(want), (r, k)


# ---------------------------------------------------------------- peer files: pdfplumber


def test_issue_336_three_tables_in_reading_order_as_pdfplumber_finds_them():
    """pdfplumber test_order: 3 tables with 8, 11 and 2 rows, in reading order (5, 8, 3 columns)."""
    doc = peer("pdfplumber/issue-336-example.pdf")
    (page,) = doc.pages
    assert [(t.n_rows, t.n_cols) for t in page.tables] == [(8, 5), (11, 8), (2, 3)]
    tops = [t.bbox[1] for t in page.tables]
    assert tops == sorted(tops)
    # Cross-check every cell with pdfplumber's own table finder on the same page: it gives the
    # top-left text of a merged cell and None where the merged cell covers, like our spans.
    with pdfplumber.open(PEER / "pdfplumber" / "issue-336-example.pdf") as pdf:
        theirs = [t.extract() for t in pdf.pages[0].find_tables()]
    assert len(theirs) == 3
    spans = 0
    for ours, their in zip(page.tables, theirs):
        cov = covered(ours)
        spans += len(cov)
        grid = table_grid(ours)
        for r, row in enumerate(their):
            for k, text in enumerate(row):
                if text is None:
                    assert (r, k) in cov, (r, k)
                else:
                    assert (r, k) not in cov and grid[r][k] == text, (r, k)
    assert spans > 20  # the Chinese headers really span rows and columns (e.g. 高速公路 over 6 rows)


def test_issue_71_has_no_ruled_table_and_its_text_is_deduplicated():
    """pdfplumber test_dedupe_chars expects, after de-duplication, the last line of "cell [1][1]" to
    read "微软 培训课程： 名模意义一些有意义一些".

    That "table" is pdfplumber's lines strategy at work on the edges of filled panels: a grey page
    background that runs off the page (top < 0), a grey sidebar and a white panel. There is no
    ruling between cells: a résumé laid out in two panels, not a table. We find no table on either
    page (camelot's lattice finds none either: benchmarks/camelot_compare.py), so the expectation
    is checked on the page's text, which is where the characters are: not a character doubled.
    """
    doc = peer("pdfplumber/issue-71-duplicate-chars.pdf")
    assert [len(p.tables) for p in doc.pages] == [0, 0]
    with pdfplumber.open(PEER / "pdfplumber" / "issue-71-duplicate-chars.pdf") as pdf:
        (theirs,) = pdf.pages[0].find_tables()
        assert theirs.bbox[1] < 0  # built on the off-page background fill
        assert "微微软软" in theirs.extract()[1][1]  # the raw text layer prints every glyph twice
    page = doc.pages[0]
    last = max(ln.bbox[1] for ln in page.lines)
    row = sorted((ln for ln in page.lines if abs(ln.bbox[1] - last) < 2), key=lambda ln: ln.bbox[0])
    # Text outside tables keeps pieces far apart on one line as separate lines (here two columns).
    assert " ".join(ln.text for ln in row) == "微软 培训课程： 名模意义一些有意义一些"


# ---------------------------------------------------------------- peer files: camelot


def test_row_span_1_matches_camelot_copy_text():
    """camelot test_lattice_copy_text (copy_text="v"): 40 x 4, a row-spanning cell's text copied
    into every row it spans. Ours keeps the span; copied down, it is camelot's expectation."""
    (page,) = peer("camelot/row_span_1.pdf").pages
    (t,) = page.tables
    expected = camelot_expected()["data_lattice_copy_text"]
    assert any(c.rowspan > 1 for c in t.cells)
    copied = [["" for _ in range(t.n_cols)] for _ in range(t.n_rows)]
    for c in t.cells:
        for r in range(c.row, c.row + c.rowspan):
            copied[r][c.col] = c.text
    assert (t.n_rows, t.n_cols) == (len(expected), len(expected[0])) == (40, 4)
    for r, row in enumerate(expected):
        for k, want in enumerate(row):
            if (r, k) == (39, 0):
                continue
            assert lines(copied[r][k]) == lines(want), (r, k)
    # The footer cell prints "Source:   Data Warehouse" on the left and "12/14/15" at the right
    # end of the same baseline. pdfminer (camelot) makes the far-apart pieces two text boxes and
    # joins them with a line break; it is one printed line, and ours keeps it as one.
    footer = t.at(39, 0)
    assert footer.colspan == 4 and len(footer.lines) == 1
    assert footer.text.split() == expected[39][0].split()


def test_column_span_2_matches_camelot_shift_text_left_top():
    """camelot test_lattice_shift_text (default shift l,t): 11 x 7, a merged cell's text in its
    top-left position; every position our merged cells cover is empty in camelot's grid too."""
    (page,) = peer("camelot/column_span_2.pdf").pages
    (t,) = page.tables
    expected = camelot_expected()["data_lattice_shift_text_left_top"]
    assert_grid_matches(t, expected)
    cov = covered(t)
    assert len(cov) > 10
    assert all(expected[r][k] == "" for r, k in cov)


def test_column_span_2_needs_the_frame_drawn_as_a_path():
    """The table's outer frame is one closed path (m l l l h), which pdfminer calls a curve. Without
    it the first and last columns and the header row have no outer ruling and are dropped: 7 x 5
    instead of 11 x 7 (our bug, found here; camelot sees the frame because it renders the page)."""
    from jixiao.extract.pdf import open_pdfium, read_page

    path = need(PEER / "camelot" / "column_span_2.pdf")
    pdfium = open_pdfium(path)
    try:
        with pdfplumber.open(path) as pdf:
            frame = [s for cv in pdf.pages[0].curves for s in _segments(FakePage([cv]))]
            (t,) = read_page(pdf.pages[0], pdfium[0], 1).tables
    finally:
        pdfium.close()
    xs = sorted(s.x0 for s in frame if not s.horizontal)
    ys = sorted(s.y0 for s in frame if s.horizontal)
    assert len(frame) == 4 and xs[0] < 80 and xs[1] > 532 and ys[0] < 92 and ys[1] > 337
    assert (t.n_rows, t.n_cols) == (11, 7)


def test_twotables_2_two_tables_where_pdfplumber_sees_five():
    """camelot test_lattice_two_tables: two 13 x 8 tables. pdfplumber's default settings give five
    (two 16 x 8 and three fragments) because they take the edges of white filled rectangles too:
    the PDF puts an invisible white box behind every cell's text and every title line. Ours skips
    invisible fills, and so does pdfplumber once they are filtered out: two 13 x 8 tables."""
    (page,) = peer("camelot/twotables_2.pdf").pages
    exp = camelot_expected()
    assert len(page.tables) == 2
    assert_grid_matches(page.tables[0], exp["data_lattice_two_tables_1"])
    assert_grid_matches(page.tables[1], exp["data_lattice_two_tables_2"])
    with pdfplumber.open(PEER / "camelot" / "twotables_2.pdf") as pdf:
        p = pdf.pages[0]
        shapes = sorted((len(t.rows), len(t.rows[0].cells)) for t in p.find_tables())
        assert len(shapes) == 5 and shapes.count((16, 8)) == 2

        def not_white(obj):
            return not (obj["object_type"] == "rect" and obj.get("non_stroking_color") in (1, (1,), (1, 1, 1)))

        visible = p.filter(not_white)
        assert [(len(t.rows), len(t.rows[0].cells)) for t in visible.find_tables()] == [(13, 8), (13, 8)]


# ---------------------------------------------------------------- the samples (generator's truth)


def generator_join(lines_: list[str]) -> str:
    """sample_pdfs/make_samples.py's join: no space between CJK, one between two Latin characters."""
    out = ""
    for ln in lines_:
        if out and ln and out[-1].isascii() and out[-1].isalnum() and ln[0].isascii() and ln[0].isalnum():
            out += " "
        out += ln
    return out


SAMPLE_CELLS = sorted((SAMPLES / "expected").glob("*.cells.json"))


@pytest.mark.parametrize("cells_path", SAMPLE_CELLS, ids=lambda p: p.name.removesuffix(".cells.json"))
def test_samples_every_table_cell_as_generated(cells_path):
    truth = json.loads(cells_path.read_text(encoding="utf-8"))
    doc = _read(str(SAMPLES / truth["file"]))
    assert [p.number for p in doc.pages] == [p["page"] for p in truth["pages"]]
    for page, want in zip(doc.pages, truth["pages"]):
        assert len(page.tables) == len(want["tables"]), page.number
        for t, wt in zip(page.tables, want["tables"]):
            assert (t.n_rows, t.n_cols) == (len(wt["rows"]) - 1, len(wt["cols"]) - 1)
            got = {(c.row, c.col, c.rowspan, c.colspan): generator_join([ln.text for ln in c.lines]) for c in t.cells}
            exp = {(c["row"], c["col"], c["rowspan"], c["colspan"]): c["text"] for c in wt["cells"]}
            assert got == exp


# ---------------------------------------------------------------- page ranges, paths (pure)


def test_parse_and_select_pages():
    assert parse_pages("1-3, 5,8-") == [(1, 3), (5, 5), (8, None)]
    assert select_pages(parse_pages("1-3,5,8-"), 9) == ([1, 2, 3, 5, 8, 9], [])
    assert select_pages(parse_pages("2,4-6"), 4) == ([2, 4], [5, 6])
    assert select_pages(parse_pages("7-"), 3) == ([], [7])
    assert select_pages(None, 2) == ([1, 2], [])
    for bad in ("", "0", "3-1", "a", "1,,2", "-3"):
        with pytest.raises(ValueError):
            parse_pages(bad)


class FakePage:
    width, height = 600.0, 800.0
    lines: list = []
    rects: list = []

    def __init__(self, curves):
        self.curves = curves


def test_path_rulings_take_straight_pieces_only():
    closed = {"stroke": True, "fill": False,
              "path": [("m", (10, 50)), ("l", (110, 50)), ("l", (110, 10)), ("l", (10, 10)), ("h",)]}
    rounded = {"stroke": True, "fill": False,
               "path": [("m", (10, 100)), ("c", (10, 90), (12, 88), (20, 88)), ("l", (120, 88)),
                        ("l", (130, 140))]}
    segs = _segments(FakePage([closed, rounded]))
    assert sorted(segs, key=lambda s: (s.x0, s.y0, s.x1, s.y1)) == [
        Seg(10, 10, 10, 50), Seg(10, 10, 110, 10), Seg(10, 50, 110, 50), Seg(20, 88, 120, 88), Seg(110, 10, 110, 50),
    ]
    assert _path_pieces({"pts": [(0, 0), (5, 0), (5, 5)]}) == [((0, 0), (5, 0)), ((5, 0), (5, 5))]


def test_path_rulings_filled_rectangular_paths_are_filled_rects():
    def filled(x0, top, x1, bottom, color):
        pts = [(x0, top), (x1, top), (x1, bottom), (x0, bottom)]
        return {"stroke": False, "fill": True, "non_stroking_color": color, "x0": x0, "top": top, "x1": x1,
                "bottom": bottom, "path": [("m", pts[0]), *(("l", p) for p in pts[1:]), ("h",)]}

    thin = filled(10, 100, 300, 101, (0,))  # a ruling drawn as a thin filled shape
    white = filled(10, 300, 300, 360, (1, 1, 1))  # an invisible white fill is no ruling
    slanted = dict(filled(10, 400, 300, 460, (0,)), path=[("m", (10, 400)), ("l", (300, 460)), ("l", (10, 460)),
                                                          ("h",)])
    assert _segments(FakePage([thin, white, slanted])) == [Seg(10, 100.5, 300, 100.5)]


# ---------------------------------------------------------------- the command line


class _Html(HTMLParser):
    """Rebuilds each <table> as {(row, col): (rowspan, colspan, text)} the way a browser lays it out."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._row = -1
        self._taken: set[tuple[int, int]] = set()
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({})
            self._row, self._taken = -1, set()
        elif tag == "tr":
            self._row += 1
            self._col = 0
        elif tag == "td":
            while (self._row, self._col) in self._taken:
                self._col += 1
            rs, cs = int(a.get("rowspan", 1)), int(a.get("colspan", 1))
            self._cell = [self._row, self._col, rs, cs, [], a.get("class")]
            self._taken |= {(self._row + i, self._col + j) for i in range(rs) for j in range(cs)}
            self._col += cs
        elif tag == "br" and self._cell is not None:
            self._cell[4].append("\n")

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[4].append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            r, c, rs, cs, text, cls = self._cell
            if cls != "hole":
                self.tables[-1][(r, c)] = (rs, cs, "".join(text))
            self._cell = None


def test_cli_writes_json_csv_html_that_agree(tmp_path, capsys):
    pdf = need(PEER / "pdfplumber" / "issue-336-example.pdf")
    out = tmp_path / "out"
    assert main(["tables", str(pdf), "-o", str(out)]) == 0
    stem = "issue-336-example"
    assert written(out) == sorted(
        [f"{stem}.tables.json", f"{stem}.tables.html"] + [f"{stem}.p1.t{i}.csv" for i in (1, 2, 3)]
    )
    data = json.loads((out / f"{stem}.tables.json").read_text(encoding="utf-8"))
    assert data["file"] == pdf.name and data["n_pages"] == 1 and data["pages_read"] == [1]
    assert [t["id"] for t in data["tables"]] == ["p1.t1", "p1.t2", "p1.t3"]
    html = _Html()
    html.feed((out / f"{stem}.tables.html").read_text(encoding="utf-8"))
    assert len(html.tables) == 3
    for t, h in zip(data["tables"], html.tables):
        seen = set()
        for c in t["cells"]:
            assert set(c) == {"row", "col", "rowspan", "colspan", "text", "bbox", "page", "method", "confidence"}
            assert c["page"] == 1 and c["method"] == "text" and c["confidence"] == 1.0
            x0, top, x1, bottom = c["bbox"]
            assert t["bbox"][0] <= x0 < x1 <= t["bbox"][2] and t["bbox"][1] <= top < bottom <= t["bbox"][3]
            block = {(c["row"] + i, c["col"] + j) for i in range(c["rowspan"]) for j in range(c["colspan"])}
            assert not block & seen
            seen |= block
            assert h[(c["row"], c["col"])] == (c["rowspan"], c["colspan"], c["text"])
        assert seen == {(r, k) for r in range(t["n_rows"]) for k in range(t["n_cols"])}  # no holes here
        assert len(h) == len(t["cells"])
        rows = read_csv(out / f"{stem}.{t['id']}.csv", header=False)
        assert len(rows) == t["n_rows"] and all(len(r) == t["n_cols"] for r in rows)
        for c in t["cells"]:
            for i in range(c["rowspan"]):
                for j in range(c["colspan"]):
                    want = c["text"] if (i, j) == (0, 0) else ""
                    assert rows[c["row"] + i][c["col"] + j] == want
    spanning = [c for t in data["tables"] for c in t["cells"] if c["rowspan"] > 1 and c["colspan"] == 1]
    assert spanning and any(c["colspan"] > 1 for t in data["tables"] for c in t["cells"])
    assert "Traceback" not in capsys.readouterr().err


def test_cli_format_choice_pages_and_stale_csvs(tmp_path, capsys):
    pdf = need(PEER / "camelot" / "twotables_2.pdf")
    out = tmp_path / "out"
    assert main(["tables", str(pdf), "-o", str(out), "--format", "csv", "--csv-bom", "no"]) == 0
    assert written(out) == ["twotables_2.p1.t1.csv", "twotables_2.p1.t2.csv"]
    assert not (out / "twotables_2.p1.t1.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    # A page range past the end reads nothing: said on stderr, not a failure; the old CSVs go.
    assert main(["tables", str(pdf), "-o", str(out), "--pages", "2-", "--format", "json,csv"]) == 0
    assert "has 1 page(s)" in capsys.readouterr().err
    assert written(out) == ["twotables_2.tables.json"]
    data = json.loads((out / "twotables_2.tables.json").read_text(encoding="utf-8"))
    assert data["pages_read"] == [] and data["missing_pages"] == [2] and data["tables"] == []


def test_cli_usage_errors_exit_1(tmp_path, capsys):
    pdf = need(PEER / "camelot" / "row_span_1.pdf")
    out = str(tmp_path / "o")
    assert main(["tables", str(tmp_path / "nope.pdf"), "-o", out]) == 1
    assert main(["tables", str(pdf), "-o", out, "--format", "xlsx"]) == 1
    assert main(["tables", str(pdf), "-o", out, "--pages", "3-1"]) == 1
    assert main(["tables", str(pdf)]) == 1
    err = capsys.readouterr().err
    assert "input not found" in err and "unknown format" in err and "--pages" in err
    assert "Traceback" not in err


def test_cli_bad_inputs_fail_alone_exit_2(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    want = basic_bad_inputs(src)
    good = need(PEER / "camelot" / "row_span_1.pdf")
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    out = tmp_path / "out"
    assert main(["tables", str(src), str(good), "-o", str(out), "--format", "json"]) == 2
    err = capsys.readouterr().err
    for name, cls in want.items():
        assert f"{name}: {cls}: " in err
    assert "Traceback" not in err
    assert written(out) == ["row_span_1.tables.json"]
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before


def test_cli_output_not_writable_exits_4(tmp_path):
    pdf = need(PEER / "camelot" / "row_span_1.pdf")
    assert main(["tables", str(pdf), "-o", str(unwritable_dir(tmp_path))]) == 4


def test_cli_same_file_name_in_two_folders_keeps_both(tmp_path):
    pdf = need(PEER / "camelot" / "row_span_1.pdf")
    other = need(PEER / "camelot" / "column_span_2.pdf")
    for d, src in (("a", pdf), ("b", other)):
        (tmp_path / d).mkdir()
        (tmp_path / d / "x.pdf").write_bytes(src.read_bytes())
    out = tmp_path / "out"
    assert main(["tables", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(out), "--format", "json"]) == 0
    names = written(out)
    assert len(names) == 2 and "x.tables.json" in names
    shapes = sorted(
        (t["n_rows"], t["n_cols"]) for n in names for t in json.loads((out / n).read_text("utf-8"))["tables"]
    )
    assert shapes == [(11, 7), (40, 4)]


def _scan_pdf(path: Path) -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (200, 100), 255)
    for x in range(20, 180):
        img.putpixel((x, 50), 0)
    c = canvas.Canvas(str(path), pagesize=(300, 200))
    c.drawImage(ImageReader(img), 50, 50, 200, 100)
    c.save()


def test_scanned_page_is_marked_and_every_page_goes_through_the_ocr_hook(tmp_path, capsys):
    pdf = tmp_path / "scan.pdf"
    _scan_pdf(pdf)
    doc = read_tables(pdf)
    assert [p.kind for p in doc.pages] == ["scanned"] and doc.pages[0].tables == []
    assert [p.kind for p in peer("camelot/row_span_1.pdf").pages] == ["digital"]
    calls = []

    def hook(page: Page, pdfium_page) -> Page:
        calls.append((page.number, page.kind, round(pdfium_page.get_width())))
        if page.kind == "digital":
            return page
        return page.model_copy(update={"tables": [Table(page=1, bbox=(0, 0, 1, 1), n_rows=1, n_cols=1, cells=[])]})

    doc = read_tables(pdf, ocr=hook)
    assert calls == [(1, "scanned", 300)] and len(doc.pages[0].tables) == 1
    twice = read_tables(need(PEER / "camelot" / "row_span_1.pdf"), ocr=hook)
    assert calls[1:] == [(1, "digital", 792)] and twice.pages == peer("camelot/row_span_1.pdf").pages
    assert main(["tables", str(pdf), "-o", str(tmp_path / "out"), "--format", "json", "--ocr", "never"]) == 0
    assert "no text layer" in capsys.readouterr().err


def _grids(doc: TablesDocument) -> list[list[tuple]]:
    return [[(t.n_rows, t.n_cols, sorted((c.row, c.col, c.rowspan, c.colspan) for c in t.cells)) for t in p.tables]
            for p in doc.pages]


@pytest.mark.slow
@pytest.mark.parametrize("scan", ["seed_2020_minhang_scan300", "seed_2020_minhang_scan200",
                                  "seed_2020_minhang_rot90", "district_2026_jingan_scan200"])
def test_tables_on_a_scan_give_the_grid_of_its_digital_twin(tmp_path, scan):
    """OCR goes through the same table finder: rows, columns and spans equal the digital page's."""
    twin = SAMPLES / (scan.rsplit("_", 1)[0] + ("_visible" if scan.startswith("seed") else "") + ".pdf")
    scanned = read_tables(need(SAMPLES / f"{scan}.pdf"), ocr=ocr_hook("auto"))
    assert {p.kind for p in scanned.pages} == {"scanned"}
    assert all(c.method == "ocr:rapidocr" for p in scanned.pages for t in p.tables for c in t.cells)
    assert _grids(scanned) == _grids(read_tables(need(twin)))
