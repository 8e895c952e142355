"""`jixiao tables` runs its inputs as `extract` does (issue 13): each in a worker with a deadline and a
memory cap, a damaged page skipped and named, and things named *.pdf that are no files reported.

A hang and a crash are injected by replacing the per-input function (``executors.run_tables_task``)
before the run, as test_resilience.py does for ``extract``: the forked workers inherit it."""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from jixiao.extract.alltables import read_tables
from jixiao.pipelines import executors
from jixiao.pipelines.cli import main

from .conftest import ROOT, SAMPLES, SHARED, need


def written(out) -> list[str]:
    """The files a run wrote into DIR (its lock file aside: `tables` holds DIR as `extract` does)."""
    return sorted(p.name for p in out.iterdir() if p.name != ".jixiao.lock")

PUDONG = SAMPLES / "district_2026_pudong.pdf"  # one page, one table: quick
XUHUI = SAMPLES / "budget_disclosure_2026_xuhui.pdf"  # 18 pages, 11 tables
FUZZ = SHARED / "fuzz" / "inputs"


def _inputs(d: Path, names: list[str]) -> None:
    """Distinct copies of PUDONG (a trailing comment line: the readers ignore it)."""
    d.mkdir()
    for n, name in enumerate(names):
        (d / name).write_bytes(PUDONG.read_bytes() + f"% copy {n}\n".encode())


def _tables(out: Path, name: str) -> list[dict]:
    return json.loads((out / f"{name}.tables.json").read_text("utf-8"))["tables"]


def _cells(tables: list[dict]) -> list[list[tuple]]:
    return [[(c["row"], c["col"], c["rowspan"], c["colspan"], c["text"]) for c in t["cells"]] for t in tables]


def test_a_hanging_input_is_a_timeout_and_the_others_are_written(tmp_path, capsys, monkeypatch):
    real = executors.run_tables_task

    def hang_on_one(task):
        if task[2] == "hang.pdf":
            signal.signal(signal.SIGALRM, signal.SIG_IGN)  # defeat the soft deadline: the worker is killed
            time.sleep(3600)
        return real(task)

    monkeypatch.setattr(executors, "run_tables_task", hang_on_one)
    src = tmp_path / "in"
    _inputs(src, ["a.pdf", "hang.pdf", "b.pdf"])
    out = tmp_path / "out"
    t0 = time.monotonic()
    assert main(["tables", str(src), "-o", str(out), "--format", "json", "--timeout", "1", "--jobs", "2"]) == 2
    assert time.monotonic() - t0 < 1 + 5 + 15  # the hard deadline: timeout + 5 s
    err = capsys.readouterr().err
    assert "hang.pdf: timeout: no result within 1 s" in err and "Traceback" not in err
    assert written(out) == ["a.tables.json", "b.tables.json"]
    assert len(_tables(out, "a")) == 1 and _cells(_tables(out, "a")) == _cells(_tables(out, "b"))


def test_a_slow_input_meets_the_soft_deadline_as_a_timeout(tmp_path, capsys, monkeypatch):
    import jixiao.extract.alltables

    monkeypatch.setattr(jixiao.extract.alltables, "read_tables", lambda *a, **k: time.sleep(60))
    src = tmp_path / "in"
    _inputs(src, ["slow.pdf"])
    t0 = time.monotonic()
    assert main(["tables", str(src), "-o", str(tmp_path / "out"), "--timeout", "1", "--jobs", "1"]) == 2
    assert time.monotonic() - t0 < 15
    assert "slow.pdf: timeout: the input took longer than the --timeout limit" in capsys.readouterr().err


def test_a_worker_that_crashes_fails_its_input_only(tmp_path, capsys, monkeypatch):
    real = executors.run_tables_task

    def crash_on_one(task):
        if task[2] == "crash.pdf":
            faulthandler.disable()  # pytest's: its dump of the stacks is noise here
            os.kill(os.getpid(), signal.SIGSEGV)  # as a C library's bad read would
        return real(task)

    monkeypatch.setattr(executors, "run_tables_task", crash_on_one)
    src = tmp_path / "in"
    _inputs(src, ["crash.pdf", "a.pdf", "b.pdf"])
    out = tmp_path / "out"
    assert main(["tables", str(src), "-o", str(out), "--format", "json", "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "crash.pdf: internal: the worker processing this input died (exit code -11)" in err
    assert written(out) == ["a.tables.json", "b.tables.json"]


def test_a_damaged_page_is_skipped_and_named_and_the_other_pages_tables_are_written(tmp_path, capsys):
    pdf = need(FUZZ / "shortmediabox_p1_xuhui.pdf")  # page 1's MediaBox is [0 0]
    out = tmp_path / "out"
    assert main(["tables", str(pdf), str(XUHUI), "-o", str(out), "--format", "json,html"]) == 0
    err = capsys.readouterr().err
    assert "shortmediabox_p1_xuhui.pdf: page 1 is damaged and was not read: its MediaBox [0 0]" in err
    damaged = json.loads((out / "shortmediabox_p1_xuhui.tables.json").read_text("utf-8"))
    intact = json.loads((out / "budget_disclosure_2026_xuhui.tables.json").read_text("utf-8"))
    assert damaged["damaged_pages"] == [1] and damaged["pages_read"] == list(range(2, 19))
    assert damaged["notes"] == ["page 1 is damaged and was not read: its MediaBox [0 0] is not four numbers"]
    assert intact["notes"] == [] and intact["damaged_pages"] == []
    assert len(damaged["tables"]) == 11 and _cells(damaged["tables"]) == _cells(intact["tables"])
    assert "Page 1 is damaged" in (out / "shortmediabox_p1_xuhui.tables.html").read_text("utf-8")


def test_a_page_one_library_cannot_load_is_named_and_the_pages_are_matched_by_text():
    """PDFium puts the broken page last, pdfminer leaves it out: each page is still read with its
    own text (the tables equal the intact file's), and both facts are named."""
    doc = read_tables(need(FUZZ / "badpage1_xuhui.pdf"))
    intact = read_tables(XUHUI)
    assert list(doc.damaged_pages) == [18] and any("page tree is damaged" in n for n in doc.notes)

    def grids(d):
        return [[(c.row, c.col, c.rowspan, c.colspan, c.text) for c in t.cells] for p in d.pages for t in p.tables]

    assert len(grids(doc)) == 11 and grids(doc) == grids(intact)


def test_a_pdf_whose_every_page_is_damaged_is_corrupt(tmp_path, capsys):
    pdf = need(FUZZ / "m0508_mediabox_province_202.pdf")
    assert main(["tables", str(pdf), "-o", str(tmp_path / "out")]) == 2
    assert "corrupt: no page can be read (page 1: its MediaBox" in capsys.readouterr().err


def test_things_named_pdf_that_are_no_files_and_non_utf8_names_are_reported(tmp_path):
    d = tmp_path / "in"
    _inputs(d, ["good.pdf"])
    os.rename(os.fsencode(d / "good.pdf"), os.fsencode(d) + b"/gbk_\xbc\xa8\xd0\xa7.pdf")  # 绩效 in GBK
    os.mkfifo(d / "fifo.pdf")  # opening it would wait for a writer forever
    (d / "dangling.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (d / "folder.pdf").mkdir()
    out = tmp_path / "out"
    # A separate process, so that a hang fails the test instead of stopping the suite.
    run = subprocess.run([sys.executable, "-m", "jixiao.pipelines.cli", "tables", str(d), "-o", str(out),
                          "--jobs", "1"],
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert "fifo.pdf: not_a_pdf: a FIFO" in run.stderr and "folder.pdf: not_a_pdf: a directory" in run.stderr
    assert "dangling.pdf: not_a_pdf: a symbolic link to nothing" in run.stderr
    assert "gbk_绩效.pdf: 1 table(s)" in run.stdout
    assert json.loads((out / "gbk_绩效.tables.json").read_text("utf-8"))["file"] == "gbk_绩效.pdf"


def test_execution_options_are_extracts(tmp_path, capsys):
    out = str(tmp_path / "o")
    for bad in (["--jobs", "0"], ["--timeout", "0"], ["--max-memory", "-1"]):
        assert main(["tables", str(PUDONG), "-o", out, *bad]) == 1
    err = capsys.readouterr().err
    assert "--jobs must be" in err and "--timeout must be" in err and "--max-memory must be" in err
    assert main(["tables", str(PUDONG), "-o", out, "--format", "json", "--jobs", "1", "--max-memory", "16",
                 "--executor", "local", "-q"]) == 0
    assert main(["tables", str(PUDONG), "-o", out, "--executor", "nowhere"]) == 1


def test_a_missing_ocr_engine_stops_the_run_with_exit_3(tmp_path):
    from .test_tables import _scan_pdf

    pdf = tmp_path / "scan.pdf"
    _scan_pdf(pdf)
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATH=str(Path(sys.executable).parent))  # no tesseract
    run = subprocess.run([sys.executable, "-m", "jixiao.pipelines.cli", "tables", str(pdf), "-o", str(tmp_path / "out"),
                          "--ocr-engine", "tesseract", "--jobs", "1"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 3, run.stderr
    assert "apt-get install tesseract-ocr tesseract-ocr-chi-sim" in run.stderr and "Traceback" not in run.stderr
