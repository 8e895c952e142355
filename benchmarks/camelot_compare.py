"""jixiao's table finder against camelot's lattice parser, on the same files in the same run.

    .venv/bin/pip install 'camelot-py==2.0.*'      # not a jixiao dependency: this script only
    .venv/bin/python benchmarks/camelot_compare.py [--repeat 3] [--engines combined,vector] [--disclosures]

Files: the peer test PDFs in ../shared/realdata/peer_tables/ (pdfplumber's and camelot's own
test files, with what their tests expect) and the sample filings in sample_pdfs/ (expected cells
in sample_pdfs/expected/<stem>.cells.json, written by the generator, never by jixiao).

For each file and tool it prints: tables found (expected), how many expected tables have a found
table of the same shape (rows x columns), cell-text agreement (the share of the expected tables'
grid positions whose text matches, whitespace ignored; a table not found scores 0) and the
time per page (best of --repeat runs, after a warm-up run).

camelot runs as lattice with the pdfium backend (its poppler backend is broken in 2.0.0) and its
default line engine ("combined": the rendered page's lines with OpenCV plus the PDF's vector
lines); ``--engines`` adds its vector-only engine. On camelot's own files it gets the keyword
arguments of the camelot test that wrote the expectation (line_scale, copy_text).

``--disclosures`` adds the real 部门预算公开 PDFs of ../shared/realdata/no_forms/ (no expectations):
tables found by each tool, pages where the shapes differ, and the cells whose text differs
between the two (each printed, to be judged by eye).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PEER = ROOT.parent / "shared" / "realdata" / "peer_tables"
DISCLOSURES = ROOT.parent / "shared" / "realdata" / "no_forms"
SAMPLES = ROOT / "sample_pdfs"

Grid = list[list[str]]


@dataclass
class Case:
    name: str
    pdf: Path
    expected: list[tuple[int, tuple[int, int], Grid | None]]  # (page, shape, texts or None)
    note: str = ""
    camelot_kwargs: dict = field(default_factory=dict)
    copy_down: bool = False  # the expectation copies a row-spanning cell's text into every row


def _grid_from_cells(cells: list[dict], n_rows: int, n_cols: int) -> Grid:
    g = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    for c in cells:
        g[c["row"]][c["col"]] = c["text"]
    return g


def cases() -> list[Case]:
    out: list[Case] = []
    data = json.loads((PEER / "camelot" / "expected_from_tests_data_py.json").read_text(encoding="utf-8"))

    def grid_case(name, key_list, kwargs, copy_down=False):
        exp = [(1, (len(data[k]), len(data[k][0])), data[k]) for k in key_list]
        out.append(Case(name, PEER / "camelot" / name, exp, camelot_kwargs=kwargs, copy_down=copy_down))

    grid_case("row_span_1.pdf", ["data_lattice_copy_text"], {"line_scale": 60, "copy_text": ["v"]}, copy_down=True)
    grid_case("column_span_2.pdf", ["data_lattice_shift_text_left_top"], {"line_scale": 40})
    grid_case("twotables_2.pdf", ["data_lattice_two_tables_1", "data_lattice_two_tables_2"], {})
    out.append(Case("issue-336-example.pdf", PEER / "pdfplumber" / "issue-336-example.pdf",
                    [(1, (8, 5), None), (1, (11, 8), None), (1, (2, 3), None)],
                    note="rows from pdfplumber's test_order, columns from pdfplumber's output; no texts"))
    out.append(Case("issue-71-duplicate-chars.pdf", PEER / "pdfplumber" / "issue-71-duplicate-chars.pdf", [],
                    note="no ruled table: pdfplumber's 3x2 'table' is made of the page's panel fills"))
    for exp_path in sorted((SAMPLES / "expected").glob("*.cells.json")):
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        tables = [
            (p["page"], (len(t["rows"]) - 1, len(t["cols"]) - 1),
             _grid_from_cells(t["cells"], len(t["rows"]) - 1, len(t["cols"]) - 1))
            for p in exp["pages"] for t in p["tables"]
        ]
        pdf = SAMPLES / (exp_path.name.removesuffix(".cells.json") + ".pdf")
        if pdf.exists():
            out.append(Case(pdf.name, pdf, tables))
    return [c for c in out if c.pdf.exists()]


# ---------------------------------------------------------------- the tools


def run_jixiao(case: Case) -> tuple[int, list[tuple[int, Grid]]]:
    from jixiao.extract.alltables import read_tables
    from jixiao.pipelines.tables_out import table_grid

    doc = read_tables(case.pdf)
    found = []
    for p in doc.pages:
        for t in p.tables:
            g = table_grid(t)
            if case.copy_down:  # camelot's copy_text=["v"]: a merged cell's text in every row it spans
                for c in t.cells:
                    for r in range(c.row + 1, c.row + c.rowspan):
                        g[r][c.col] = c.text
            found.append((p.number, g))
    return len(doc.pages), found


def run_camelot(case: Case, engine: str) -> tuple[int, list[tuple[int, Grid]]]:
    import camelot
    import pypdfium2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = camelot.read_pdf(str(case.pdf), pages="all", flavor="lattice", backend="pdfium",
                                  engine=engine, suppress_stdout=True, **case.camelot_kwargs)
    pdf = pypdfium2.PdfDocument(str(case.pdf))
    n_pages = len(pdf)
    pdf.close()
    found = []
    for t in sorted(tables, key=lambda t: (int(t.page), -(t._bbox[3] if t._bbox else 0))):
        found.append((int(t.page), [[str(v) for v in row] for row in t.df.values.tolist()]))
    return n_pages, found


# ---------------------------------------------------------------- scoring


def _same(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def score(case: Case, found: list[tuple[int, Grid]]) -> tuple[int, float | None]:
    """(expected tables with a same-shape found table, cell-text agreement or None if no texts)."""
    used: set[int] = set()
    shape_ok = 0
    agree = total = 0
    for page, shape, grid in case.expected:
        pick = None
        for i, (fp, fg) in enumerate(found):
            if i not in used and fp == page and (len(fg), len(fg[0]) if fg else 0) == shape:
                pick = i
                break
        if pick is not None:
            used.add(pick)
            shape_ok += 1
        if grid is None:
            continue
        total += shape[0] * shape[1]
        if pick is not None:
            fg = found[pick][1]
            agree += sum(_same(fg[r][c], grid[r][c]) for r in range(shape[0]) for c in range(shape[1]))
    return shape_ok, (agree / total if total else None)


def timed(fn, case: Case, repeat: int):
    fn(case)  # warm-up: imports, caches
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(case)
        best = min(best, time.perf_counter() - t0)
    return best, result


def compare_disclosures(engine: str) -> None:
    """Ours against camelot on PDFs without expectations: where they differ, print both."""
    files = sorted(DISCLOSURES.glob("*.pdf"))
    print(f"\nReal disclosures (no expectations), jixiao vs camelot-{engine}:\n")
    for pdf in files:
        case = Case(pdf.name, pdf, [])
        t_ours, (n_pages, ours) = timed(run_jixiao, case, 1)
        t_cam, (_, cam) = timed(lambda c: run_camelot(c, engine), case, 1)
        same = [(p1 == p2 and len(g1) == len(g2) and len(g1[0]) == len(g2[0])) for (p1, g1), (p2, g2) in
                zip(ours, cam)]
        cells = differ = 0
        for ok, (page, g1), (_, g2) in zip(same, ours, cam):
            if not ok:
                continue
            for r, row in enumerate(g1):
                for k, text in enumerate(row):
                    cells += 1
                    if not _same(text, g2[r][k]):
                        differ += 1
                        print(f"    {pdf.name} p{page} ({r},{k}): jixiao {text!r} | camelot {g2[r][k]!r}")
        print(f"{pdf.name}: {n_pages} pages; tables jixiao {len(ours)}, camelot {len(cam)}; same shape "
              f"{sum(same)}; cells differing {differ}/{cells}; ms/page jixiao {1000 * t_ours / n_pages:.0f}, "
              f"camelot {1000 * t_cam / n_pages:.0f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--engines", default="combined", help="camelot lattice engines: combined,vector,raster")
    ap.add_argument("--disclosures", action="store_true", help="also compare on ../shared/realdata/no_forms/")
    args = ap.parse_args(argv)
    try:
        import camelot
    except ImportError:
        print("camelot is not installed: .venv/bin/pip install 'camelot-py==2.0.*'", file=sys.stderr)
        return 3
    tools = [("jixiao", run_jixiao)] + [
        (f"camelot-{e}", lambda c, e=e: run_camelot(c, e)) for e in args.engines.split(",") if e
    ]
    print(f"camelot {camelot.__version__}, lattice, backend pdfium; best of {args.repeat} run(s)\n")
    print("| file | tool | tables found (expected) | same shape | cell text | ms/page |")
    print("| --- | --- | --- | --- | --- | --- |")
    totals: dict[str, list[float]] = {}
    for case in cases():
        for name, fn in tools:
            seconds, (n_pages, found) = timed(fn, case, args.repeat)
            shape_ok, text = score(case, found)
            t = totals.setdefault(name, [0, 0, 0, 0.0])
            t[0] += shape_ok
            t[1] += len(case.expected)
            t[2] += n_pages
            t[3] += seconds
            text_s = "n/a" if text is None else f"{100 * text:.1f}%"
            print(f"| {case.name} | {name} | {len(found)} ({len(case.expected)}) | "
                  f"{shape_ok}/{len(case.expected)} | {text_s} | {1000 * seconds / n_pages:.0f} |")
        if case.note:
            print(f"| {case.name} | note | {case.note} | | | |")
    print()
    for name, (ok, n, pages, seconds) in totals.items():
        print(f"{name}: {ok}/{n} expected tables with the right shape, "
              f"{1000 * seconds / pages:.0f} ms/page over {pages} page(s)")
    if args.disclosures:
        compare_disclosures(args.engines.split(",")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
