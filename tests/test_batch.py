"""Batch runs: bad input never stops a batch, inputs stay untouched, reruns are incremental."""

import json
import shutil
import sqlite3
from decimal import Decimal

import pytest

from jixiao.pipelines.cli import main
from sample_pdfs.catalog import digital_samples

from .badinputs import make_corpus
from .conftest import REALDATA, SAMPLES, need
from .readers import read_csv


@pytest.fixture(scope="module")
def good_pdfs():
    """The digital sample filings (scans are the OCR tests' business: slow here)."""
    pdfs = digital_samples()
    if not pdfs:
        pytest.skip("no sample PDFs")
    return pdfs


def test_bad_input_corpus(tmp_path, good_pdfs, capsys):
    src = tmp_path / "in"
    src.mkdir()
    want = make_corpus(src, good_pdfs[0])
    for p in good_pdfs:
        shutil.copy(p, src / p.name)
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    out = tmp_path / "out"
    assert main(["extract", str(src), "-o", str(out), "--jobs", "2", "-q"]) == 2
    failures = {r["source_file"]: r["error_class"] for r in read_csv(out / "failures.csv")}
    assert failures == {k: v for k, v in want.items() if v}
    filings = [json.loads(line) for line in (out / "filings.jsonl").read_text().splitlines()]
    assert {f["source"]["file"] for f in filings} == {p.name for p in good_pdfs}
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before  # inputs never written
    summary = json.loads((out / "run_summary.json").read_text())
    assert any("javascript.pdf" == n["file"] and "JavaScript" in n["note"] for n in summary["inputs"]["notes"])
    assert "Traceback" not in capsys.readouterr().err


def test_rerun_is_incremental_and_recognises_renamed_files(tmp_path, good_pdfs):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(good_pdfs[0], src / "a.pdf")
    out = tmp_path / "out"
    assert main(["extract", str(src), "-o", str(out), "-q", "--jobs", "1"]) == 0
    first = (out / "filings.jsonl").read_bytes()
    (src / "a.pdf").rename(src / "renamed.pdf")
    shutil.copy(src / "renamed.pdf", src / "copy.pdf")
    assert main(["extract", str(src), "-o", str(out), "-q", "--jobs", "1"]) == 0
    summary = json.loads((out / "run_summary.json").read_text())
    assert summary["inputs"]["skipped_unchanged"] == 1 and summary["inputs"]["unique"] == 1
    lines = (out / "filings.jsonl").read_text().splitlines()
    assert len(lines) == len(first.decode().splitlines())  # the duplicate is one filing set, not two
    assert main(["extract", str(src), "-o", str(out), "-q", "--force", "--jobs", "1"]) == 0
    assert json.loads((out / "run_summary.json").read_text())["inputs"]["skipped_unchanged"] == 0


def test_parquet_sqlite_and_datapackage(tmp_path, good_pdfs):
    out = tmp_path / "out"
    fmt = "jsonl,csv,parquet,sqlite"
    assert main(["extract", *map(str, good_pdfs), "-o", str(out), "-q", "--format", fmt]) == 0
    import pandas as pd
    import pyarrow.parquet as pq

    records = [json.loads(line) for line in (out / "filings.jsonl").read_text().splitlines()]
    t = pq.read_table(out / "parquet" / "filings.parquet")
    assert str(t.schema.field("total").type) == "decimal128(20, 2)"
    df = pd.read_parquet(out / "parquet" / "filings.parquet")
    assert len(df) == len(records)
    for rec, total in zip(records, df["total"], strict=True):
        assert total == (Decimal(rec["funding"]["total"]) if rec["funding"].get("total") else None)
    db = sqlite3.connect(out / "filings.sqlite")
    assert db.execute("SELECT COUNT(*) FROM filings").fetchone()[0] == len(records)
    # SPEC: a present but empty cell is "", an absent one null, in Parquet and SQLite alike.
    want_cat = [rec["fields"].get("project_category") for rec in records]
    assert "" in want_cat
    assert [None if pd.isna(v) else v for v in df["project_category"]] == want_cat
    sql_cat = dict(db.execute("SELECT filing_id, project_category FROM filings").fetchall())
    assert [sql_cat[rec["filing_id"]] for rec in records] == want_cat
    n_ind = sum(len(r["indicators"]) for r in records)
    assert db.execute("SELECT COUNT(*) FROM indicators").fetchone()[0] == n_ind
    pkg = json.loads((out / "datapackage.json").read_text())
    assert {r["path"] for r in pkg["resources"]} >= {"filings.csv", "indicators.csv", "flags.csv"}
    # DuckDB reads the Parquet amounts as exact decimals.
    import duckdb

    rows = duckdb.sql(f"SELECT filing_id, total FROM '{out / 'parquet' / 'filings.parquet'}'").fetchall()
    want = {r["filing_id"]: r["funding"].get("total") for r in records}
    assert {fid: (None if t is None else f"{t:f}") for fid, t in rows} == want
    assert all(t is None or isinstance(t, Decimal) for _, t in rows)
    # Frictionless validates every CSV against its Table Schema (types, keys, foreign keys).
    import frictionless

    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])


def test_realdata_no_forms_in_parallel(tmp_path):
    files = sorted(need(REALDATA / "no_forms").glob("*.pdf"))
    out = tmp_path / "out"
    assert main(["extract", *map(str, files), "-o", str(out), "-q", "--jobs", "2"]) == 0
    assert json.loads((out / "run_summary.json").read_text())["filings"]["total"] == 0


def test_pipeline_version_covers_subpackages(tmp_path, monkeypatch):
    """A change anywhere in the code that makes results (the OCR subpackage too) is a new version."""
    from jixiao.pipelines import run as run_mod

    root = tmp_path / "root"
    for rel in ("extract/ocr/reader.py", "normalize/labels.toml", "pipelines/run.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x = 1\n")
    fake = root / "pipelines" / "run.py"
    monkeypatch.setattr(run_mod, "__file__", str(fake))
    v1 = run_mod.pipeline_version()
    (root / "extract/ocr/reader.py").write_text("x = 2\n")
    assert run_mod.pipeline_version() != v1


def test_unreadable_input_fails_this_run_only(tmp_path, good_pdfs, monkeypatch):
    """A file that cannot be read now (permissions, a vanished mount) fails this run and is tried
    again by the next one; it is never counted as unchanged."""
    from jixiao.pipelines import run as run_mod

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(good_pdfs[0], src / "a.pdf")
    real = run_mod._hash

    def unreadable(ledger, path, st):
        raise PermissionError(13, "Permission denied")

    out = tmp_path / "out"
    monkeypatch.setattr(run_mod, "_hash", unreadable)
    assert main(["extract", str(src), "-o", str(out), "-q", "--jobs", "1"]) == 2
    summary = json.loads((out / "run_summary.json").read_text())
    assert summary["inputs"]["skipped_unchanged"] == 0 and summary["inputs"]["failures_by_class"] == {"corrupt": 1}
    monkeypatch.setattr(run_mod, "_hash", real)
    assert main(["extract", str(src), "-o", str(out), "-q", "--jobs", "1"]) == 0
    assert json.loads((out / "run_summary.json").read_text())["inputs"]["skipped_unchanged"] == 0


def test_outputs_are_readable_by_others_as_the_umask_says(tmp_path, good_pdfs):
    import os
    import stat

    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        assert main(["extract", str(good_pdfs[0]), "-o", str(out), "-q", "--format", "jsonl,csv,sqlite"]) == 0
    finally:
        os.umask(old)
    for name in ("filings.jsonl", "filings.csv", "flags.csv", "run_summary.json", "filings.sqlite"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644, name


def test_padding_or_junk_after_eof_is_read(tmp_path, good_pdfs):
    """Readers accept bytes after %%EOF (a scanner padding to a block size, an appended banner):
    so does jixiao, with the same record as the clean file."""
    from jixiao.pipelines.api import extract_records

    good = good_pdfs[0].read_bytes()
    for name, tail in (("padded.pdf", b"\0" * 20000), ("banner.pdf", b"\r\n-- scanned by DMS --\n" * 400)):
        p = tmp_path / name
        p.write_bytes(good + tail)
        got = [dict(r, source=None, filing_id=None) for r in extract_records(p)]
        want = [dict(r, source=None, filing_id=None) for r in extract_records(good_pdfs[0])]
        assert got == want and got


def test_several_value_columns_reach_indicators_csv_as_json(tmp_path):
    pdf = SAMPLES / "province_fujian_anxi_2022.pdf"
    assert main(["extract", str(pdf), "-o", str(tmp_path / "out"), "-q", "--format", "jsonl,csv"]) == 0
    (rec,) = [json.loads(line) for line in (tmp_path / "out" / "filings.jsonl").read_text("utf-8").splitlines()]
    rows = read_csv(tmp_path / "out" / "indicators.csv")
    assert [json.loads(r["targets"]) for r in rows] == [i["targets"] for i in rec["indicators"]]
    assert all(len(json.loads(r["targets"])) == 7 for r in rows)  # one column per village
