"""The command line: exit statuses, bad input, the no-form disclosures, reruns."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.pipelines.cli import main

from .badinputs import basic_bad_inputs
from .conftest import REALDATA, need, unwritable_dir
from .readers import read_csv


def test_usage_errors_exit_1(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "nope.pdf"), "-o", str(tmp_path / "o")]) == 1
    assert "input not found" in capsys.readouterr().err
    assert main(["extract"]) == 1
    assert main(["extract", str(tmp_path), "-o", str(tmp_path / "o"), "--format", "xlsx"]) == 1
    assert main(["extract", str(tmp_path), "-o", str(tmp_path / "o"), "--jobs", "0"]) == 1


def test_the_console_script_exits_with_the_commands_status(tmp_path):
    """`jixiao` ends through ``entry`` (which freezes the heap before exit): the status and the
    outputs are those of ``main``."""
    script = Path(sys.executable).parent / "jixiao"
    if not script.exists():
        pytest.skip("jixiao is not installed as a console script in this environment")
    out = tmp_path / "o"
    bad = subprocess.run([script, "extract", str(tmp_path / "nope.pdf"), "-o", str(out)],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "input not found" in bad.stderr
    sample = Path(__file__).parent.parent / "sample_pdfs" / "central_2025_wenwu.pdf"
    ok = subprocess.run([script, "extract", str(sample), "-o", str(out), "-q"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert len((out / "filings.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    assert json.loads((out / "run_summary.json").read_text())["inputs"]["by_status"] == {"success": 1}


def test_output_not_writable_exits_4(tmp_path):
    assert main(["extract", str(tmp_path), "-o", str(unwritable_dir(tmp_path))]) == 4


def test_bad_inputs_fail_alone_and_are_left_untouched(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    want = basic_bad_inputs(src)
    for f in need(REALDATA / "no_forms").glob("*sifaju*.pdf"):
        shutil.copy(f, src / f.name)
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    out = tmp_path / "out"
    assert main(["extract", str(src), "-o", str(out), "--jobs", "1"]) == 2
    rows = read_csv(out / "failures.csv")
    assert {r["source_file"]: r["error_class"] for r in rows} == want
    assert all(r["message"] for r in rows)
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before
    summary = json.loads((out / "run_summary.json").read_text())
    assert summary["inputs"]["by_status"] == {"failure": 4, "success": 1}
    assert "Traceback" not in capsys.readouterr().err


def test_no_form_disclosures_give_zero_filings(tmp_path):
    files = sorted(need(REALDATA / "no_forms").glob("*.pdf"))
    assert len(files) == 3
    out = tmp_path / "out"
    assert main(["extract", *map(str, files), "-o", str(out)]) == 0
    assert (out / "filings.jsonl").read_bytes() == b""
    assert read_csv(out / "filings.csv") == []
    summary = json.loads((out / "run_summary.json").read_text())
    assert summary["filings"]["total"] == 0 and summary["pages"]["total"] == 82
    assert summary["inputs"]["by_status"] == {"success": 3}


def test_failure_class_does_not_depend_on_the_file_read_before(tmp_path):
    """PDFium keeps its last error process-wide: a zero-page PDF read right after an encrypted one
    must still be "empty", and a broken one "corrupt", not "encrypted"."""
    from jixiao.extract.errors import InputError
    from jixiao.extract.pdf import open_pdfium

    from .badinputs import make_corpus

    want = make_corpus(tmp_path, need(REALDATA / "no_forms" / "putuo_sifaju_2026_dept_budget.pdf"))
    for name in ("encrypted.pdf", "zero_pages.pdf", "encrypted.pdf", "garbage.pdf"):
        try:
            open_pdfium(tmp_path / name).close()
            got = None
        except InputError as e:
            got = e.error_class
        assert got == want[name], name


def test_the_command_line_forks_its_worker_before_loading_package_metadata():
    """importlib.metadata (the version's source) costs 25 ms; the command line and its parser
    start without it, so the first worker is forked that much sooner. --version still says it."""
    code = ("import sys, jixiao.pipelines.cli as c; c.build_parser();"
            "print('importlib.metadata' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "False", run.stderr
    import jixiao

    version = subprocess.run([sys.executable, "-m", "jixiao.pipelines.cli", "--version"], capture_output=True,
                             text=True, timeout=120)
    assert version.returncode == 0 and version.stdout.strip() == f"jixiao {jixiao.__version__}"
