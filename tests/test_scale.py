"""Archive scale: the outputs are written by streaming from the ledger, so the driver's peak memory
does not grow with the number of filings (benchmarks/scale.py measures the real figures)."""

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.pipelines.api import Options, process_file
from jixiao.pipelines.ledger import Ledger
from jixiao.pipelines.run import LEDGER, pipeline_version

from .conftest import ROOT, SAMPLES

FORMATS = "jsonl,csv,parquet,sqlite"
# A fresh process runs the batch over an archive whose results are all in the ledger (nothing is
# parsed: every output is written from the ledger) and prints its own peak RSS in KiB: VmHWM, as
# ru_maxrss would start from the RSS of the (large) test process it was spawned from.
RUN = """
import json, sys
from jixiao.pipelines import run as batch
batch.pipeline_version = lambda: sys.argv[4]  # the ledger's, though the tree changes meanwhile
code, summary = batch.run([sys.argv[1]], sys.argv[2], formats=sys.argv[3], jobs=1)
with open("/proc/self/status") as f:
    hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
print(json.dumps({"code": code, "filings": summary["filings"]["total"],
                  "skipped": summary["inputs"]["skipped_unchanged"], "hwm_kib": hwm}))
"""


@pytest.fixture(scope="module")
def one_result() -> dict:
    """A real one-filing result (indicators, flags, provenance) to copy into the ledger."""
    res = process_file(str(SAMPLES / "district_2026_pudong.pdf")).model_dump()
    assert res["status"] == "success" and len(res["records"]) == 1
    return res


def _copy_of(res: dict, name: str, digest: str) -> dict:
    """``res`` as the result of the file ``name`` with the bytes ``digest``."""
    out = copy.deepcopy(res)
    out["source_file"], out["source_sha256"] = name, digest
    for n, rec in enumerate(out["records"], 1):
        rec["filing_id"] = f"{digest[:12]}-{n}"
        rec["source"]["file"], rec["source"]["sha256"] = name, digest
    return out


VERSION = pipeline_version()


def _archive(root: Path, n: int, res: dict) -> tuple[Path, Path]:
    """(n distinct input files, an OUTDIR whose ledger holds a finished result for each)."""
    inputs, out = root / "in", root / "out"
    inputs.mkdir(parents=True)
    out.mkdir()
    ledger = Ledger(out / LEDGER)
    version, config = VERSION, Options().key()
    rows = []
    for i in range(n):
        name = f"f{i:05d}.pdf"
        data = b"%%PDF-1.4 stand-in %d\n" % i  # never parsed: its result is in the ledger
        (inputs / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        rows.append((digest, version, config, "done", name, _copy_of(res, name, digest)))
        if len(rows) == 500:
            ledger.mark_many(rows)
            rows = []
    ledger.mark_many(rows)
    ledger.close()
    return inputs, out


def _peak_kib(inputs: Path, out: Path, n: int) -> int:
    done = subprocess.run([sys.executable, "-c", RUN, str(inputs), str(out), FORMATS, VERSION], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert (got["code"], got["filings"], got["skipped"]) == (0, n, n)
    return got["hwm_kib"]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_peak_memory_of_writing_the_outputs_does_not_grow_with_the_archive(tmp_path, one_result):
    small, large = 200, 2000
    peaks = {}
    for n in (small, large):
        inputs, out = _archive(tmp_path / str(n), n, one_result)
        peaks[n] = [_peak_kib(inputs, out, n), _peak_kib(inputs, out, n)]  # renderings made, then kept
    # Holding every result (as the driver did before) took 180 MB more at 2,000 filings than at
    # 200. Streamed, the larger archive costs its list of input paths and keys, and the Parquet
    # row groups and SQLite chunks fill up to their bounds (about 25 MB in all).
    for first in (0, 1):
        grown = (peaks[large][first] - peaks[small][first]) / 1024
        assert grown < 60, f"peak RSS grew by {grown:.0f} MB from {small} to {large} filings: {peaks}"


def test_parquet_row_groups_and_sqlite_chunks_give_the_same_tables(tmp_path, one_result, monkeypatch):
    import sqlite3

    import pyarrow.parquet as pq

    from jixiao.pipelines import outputs

    results = [_copy_of(one_result, f"f{i}.pdf", hashlib.sha256(b"%d" % i).hexdigest()) for i in range(5)]
    outputs.write_outputs(tmp_path / "one", results, set(FORMATS.split(",")))
    monkeypatch.setattr(outputs, "BATCH_CELLS", 50)
    monkeypatch.setattr(outputs, "ROW_GROUP_BYTES", 3000)
    monkeypatch.setattr(outputs, "SQL_CHUNK_CELLS", 30)
    outputs.write_outputs(tmp_path / "many", results, set(FORMATS.split(",")))
    for name in outputs.TABLES:
        one, many = (pq.ParquetFile(tmp_path / d / "parquet" / f"{name}.parquet") for d in ("one", "many"))
        assert one.read().to_pylist() == many.read().to_pylist(), name
        assert one.metadata.num_row_groups == 1
    assert pq.ParquetFile(tmp_path / "many" / "parquet" / "indicators.parquet").metadata.num_row_groups > 1
    dbs = [sqlite3.connect(tmp_path / d / "filings.sqlite") for d in ("one", "many")]
    for name in outputs.TABLES:
        a, b = (db.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall() for db in dbs)
        assert a == b, name
    for db in dbs:
        db.close()
    for f in ("filings.jsonl", "filings.csv", "indicators.csv", "flags.csv", "failures.csv"):
        assert (tmp_path / "one" / f).read_bytes() == (tmp_path / "many" / f).read_bytes()


def test_a_rendering_is_dropped_when_its_result_is_written_again(tmp_path):
    ledger = Ledger(tmp_path / LEDGER)
    ledger.mark("a" * 64, "v", "c", "done", "x.pdf", {"status": "success"})
    ledger.keep_rendered("a" * 64, "v", "c", "r", {"status": "success"}, b"0\n")
    assert ledger.rendered("a" * 64, "v", "c", "r") == ({"status": "success"}, b"0\n")
    ledger.mark("a" * 64, "v", "c", "done", "x.pdf", {"status": "partial"})
    assert ledger.rendered("a" * 64, "v", "c", "r") is None
    ledger.close()
