"""One importable package (issue 15): jixiao, its parts jixiao.extract, jixiao.normalize and
jixiao.pipelines (the folders extract/, normalize/, pipelines/), and the Python API."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import jixiao

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_pdfs"
PUDONG = SAMPLES / "district_2026_pudong.pdf"
OLD_NAMES = ("extract", "normalize", "pipelines")


def test_version_is_the_installed_distributions():
    from importlib.metadata import version

    assert jixiao.__version__ == version("jixiao")
    assert jixiao.pipelines.__version__ == jixiao.__version__


def test_no_top_level_extract_normalize_or_pipelines_is_loaded():
    """A leftover ``import extract.x`` would load a second copy of a module from the checkout
    (the repository root is on sys.path under pytest): two module objects, two sets of classes."""
    from jixiao.pipelines.cli import COMMANDS

    assert jixiao.extract(PUDONG)
    for name in COMMANDS:  # the CLI's modules too
        __import__(f"jixiao.pipelines.commands.{name}")
    leftovers = sorted(m for m in sys.modules if m.split(".")[0] in OLD_NAMES)
    assert leftovers == []


def test_import_from_a_folder_with_its_own_pipelines(tmp_path):
    for name in OLD_NAMES:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f"raise RuntimeError('the wrong {name}')\n")
    code = ("import jixiao, jixiao.pipelines.cli, jixiao.extract.pdf, jixiao.normalize.labels;"
            "print(jixiao.__version__)")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == jixiao.__version__
    run = subprocess.run([sys.executable, "-m", "jixiao", "--version"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"jixiao {jixiao.__version__}"


def test_extract_is_the_subpackage_and_the_function():
    from jixiao.extract.errors import InputError

    assert jixiao.extract.__name__ == "jixiao.extract"
    assert jixiao.extract.errors.InputError is InputError
    assert callable(jixiao.extract)


def test_extract_gives_the_records_of_the_cli(tmp_path):
    from jixiao.pipelines.cli import main

    out = tmp_path / "out"
    assert main(["extract", str(PUDONG), "-o", str(out), "-q", "--jobs", "1"]) == 0
    cli = [json.loads(line) for line in (out / "filings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert jixiao.extract(PUDONG) == cli
    assert jixiao.extract([str(PUDONG)], ocr="never") == cli


def test_extract_a_folder_and_a_failure(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.pdf").write_bytes(PUDONG.read_bytes())
    assert [r["source"]["file"] for r in jixiao.extract(tmp_path)] == ["a.pdf"]
    (tmp_path / "sub" / "b.pdf").write_bytes(b"not a pdf at all")
    from jixiao.extract.errors import InputError

    with pytest.raises(InputError, match="b.pdf"):
        jixiao.extract(tmp_path)
    from jixiao.pipelines.errors import UsageError

    with pytest.raises(UsageError, match="nope.pdf"):
        jixiao.extract(tmp_path / "nope.pdf")


def test_to_frames_are_the_spec_tables():
    from jixiao.normalize.schema import OUTPUT_TABLES

    records = jixiao.extract(PUDONG)
    frames = jixiao.to_frames(records)
    assert set(frames) == {"filings", "indicators", "cost_items", "safeguards", "flags"}
    for name, frame in frames.items():
        assert list(frame.columns) == [c for c, _ in OUTPUT_TABLES[name]]
    assert len(frames["filings"]) == len(records)
    assert len(frames["indicators"]) == sum(len(r["indicators"]) for r in records) > 0
    amounts = [c for c, t in OUTPUT_TABLES["filings"] if t == "decimal"]
    values = [v for c in amounts for v in frames["filings"][c] if v is not None]
    assert values and all(isinstance(v, Decimal) for v in values)
    assert frames["filings"]["filing_id"].tolist() == [r["filing_id"] for r in records]


def test_to_frames_of_no_records_has_the_columns():
    frames = jixiao.to_frames([])
    assert list(frames["indicators"].columns)[0] == "filing_id" and frames["indicators"].empty
