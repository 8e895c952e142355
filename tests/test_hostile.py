"""Hostile situations around the inputs and OUTDIR (issue 13): names that are no UTF-8, things named
*.pdf that are no files, a file rewritten while it is read, two runs on one OUTDIR, a killed
driver, a damaged ledger, a full disk, spreadsheet formulas in values, library log lines."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jixiao.pipelines.cli import main

from .conftest import ROOT, SAMPLES, SHARED, need
from .readers import read_csv

PUDONG = SAMPLES / "district_2026_pudong.pdf"  # one digital filing, quick to read
ENV = dict(os.environ, PYTHONPATH=str(ROOT))
CLI = [sys.executable, "-m", "jixiao.pipelines.cli", "extract"]


def _jsonl(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "filings.jsonl").read_text("utf-8").splitlines()]


def _summary(out: Path) -> dict:
    return json.loads((out / "run_summary.json").read_text("utf-8"))


def _distinct_copy(src: Path, dst: Path | bytes, n: int) -> bytes:
    """``src``'s bytes made distinct by a trailing comment (readers ignore it)."""
    data = src.read_bytes() + f"% copy {n}\n".encode()
    with open(dst, "wb") as f:
        f.write(data)
    return data


# ---------------------------------------------------------------- names and files as they are


def test_non_utf8_file_names_work_in_the_ledger_and_every_output(tmp_path, capsys):
    src = os.path.join(os.fsencode(tmp_path), b"in")
    os.mkdir(src)
    gbk = os.path.join(src, b"gbk_\xbc\xa8\xd0\xa7.pdf")  # 绩效 in GBK, as unzip leaves it on Linux
    junk = os.path.join(src, b"latin_\xff\xfe.pdf")  # no codec makes Chinese of these bytes
    _distinct_copy(PUDONG, gbk, 1)
    _distinct_copy(PUDONG, junk, 2)
    out = tmp_path / "out"
    args = ["extract", os.fsdecode(src), "-o", str(out), "-q", "--jobs", "1",
            "--format", "jsonl,csv,parquet,sqlite"]
    assert main(args) == 0
    assert "Traceback" not in capsys.readouterr().err
    want = {"gbk_绩效.pdf", "latin_\\xff\\xfe.pdf"}
    assert {r["source"]["file"] for r in _jsonl(out)} == want
    assert {r["source_file"] for r in read_csv(out / "filings.csv")} == want
    import pyarrow.parquet as pq

    assert set(pq.read_table(out / "parquet" / "filings.parquet").column("source_file").to_pylist()) == want
    db = sqlite3.connect(out / "filings.sqlite")
    assert {row[0] for row in db.execute("SELECT source_file FROM filings")} == want
    db.close()
    assert {n["file"] for n in _summary(out)["inputs"]["notes"]} <= want
    # The ledger keeps the exact bytes of each path: the rerun finds both files unchanged.
    assert main(args) == 0
    assert _summary(out)["inputs"]["skipped_unchanged"] == 2
    ledger = sqlite3.connect(out / "ledger.sqlite")
    assert {os.path.basename(p) for (p,) in ledger.execute("SELECT path FROM seen")} == {
        b"gbk_\xbc\xa8\xd0\xa7.pdf", b"latin_\xff\xfe.pdf"}
    ledger.close()
    # The review site lists the file under the same name.
    assert main(["review", str(out), "-q"]) == 0
    assert "gbk_绩效.pdf" in (out / "review" / "index.html").read_text("utf-8")


def test_things_named_pdf_that_are_no_files_are_failures_not_skips(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(PUDONG, src / "good.pdf")
    os.mkfifo(src / "fifo.pdf")  # opening it would wait for a writer forever
    (src / "dangling.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (src / "folder.pdf").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(src / "socket.pdf"))
    out = tmp_path / "out"
    try:
        # A separate process, so that a hang fails the test instead of stopping the suite.
        run = subprocess.run([*CLI, str(src), "-o", str(out), "-q", "--jobs", "1"], env=ENV,
                             capture_output=True, text=True, timeout=120)
        named = subprocess.run([*CLI, str(src / "fifo.pdf"), str(src / "dangling.pdf"), str(PUDONG), "-o",
                                str(tmp_path / "out2"), "-q", "--jobs", "1"],
                               env=ENV, capture_output=True, text=True, timeout=120)
    finally:
        sock.close()
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    rows = {r["source_file"]: r for r in read_csv(out / "failures.csv")}
    assert {k: r["error_class"] for k, r in rows.items()} == {
        "fifo.pdf": "not_a_pdf", "dangling.pdf": "not_a_pdf", "folder.pdf": "not_a_pdf", "socket.pdf": "not_a_pdf"}
    assert "FIFO" in rows["fifo.pdf"]["message"] and "directory" in rows["folder.pdf"]["message"]
    assert [r["source"]["file"] for r in _jsonl(out)] == ["good.pdf"]
    # Named on the command line, they are failures too, and the run goes on.
    assert named.returncode == 2, named.stderr
    assert {r["source_file"] for r in read_csv(tmp_path / "out2" / "failures.csv")} == {"fifo.pdf", "dangling.pdf"}
    assert len(_jsonl(tmp_path / "out2")) == 1


def test_the_size_limit_comes_before_hashing(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    huge = src / "huge.pdf"
    with open(huge, "wb") as f:  # sparse: 600 MiB over the 512 MiB limit, costs no disk
        f.truncate(600 << 20)
    out = tmp_path / "out"
    t0 = time.monotonic()
    assert main(["extract", str(src), "-o", str(out), "-q", "--jobs", "1"]) == 2
    assert time.monotonic() - t0 < 30
    (row,) = read_csv(out / "failures.csv")
    assert (row["source_file"], row["error_class"], row["source_sha256"]) == ("huge.pdf", "too_large", "")
    ledger = sqlite3.connect(out / "ledger.sqlite")
    assert ledger.execute("SELECT COUNT(*) FROM seen").fetchone()[0] == 0  # never hashed
    ledger.close()


# ---------------------------------------------------------------- hash what was read


def test_a_file_rewritten_while_it_is_read_is_not_kept_and_is_read_again(tmp_path, monkeypatch, capsys):
    """The file is rewritten (really, on disk) after the driver hashed it and before the worker
    parses it; the rewrite keeps its size and mtime, so only its bytes tell."""
    from jixiao.pipelines import api

    src = tmp_path / "in"
    src.mkdir()
    target = src / "a.pdf"
    first = _distinct_copy(PUDONG, target, 1)
    second = PUDONG.read_bytes() + b"% copy 2\n"
    assert len(first) == len(second)
    stamp = target.stat().st_mtime_ns
    real = api.process_file

    def rewritten_first(path, *args, **kwargs):
        target.write_bytes(second)
        os.utime(target, ns=(stamp, stamp))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(api, "process_file", rewritten_first)
    out = tmp_path / "out"
    assert main(["extract", str(src), "-o", str(out), "-q", "--jobs", "1"]) == 2
    (row,) = read_csv(out / "failures.csv")
    assert row["error_class"] == "changed_during_read"
    assert row["source_sha256"] == hashlib.sha256(first).hexdigest()
    assert _jsonl(out) == []  # the second file's filings were not stored under the first's hash
    monkeypatch.setattr(api, "process_file", real)
    assert main(["extract", str(src), "-o", str(out), "-q", "--jobs", "1"]) == 0
    (rec,) = _jsonl(out)
    assert rec["source"]["sha256"] == hashlib.sha256(second).hexdigest()
    assert read_csv(out / "failures.csv") == []
    assert "Traceback" not in capsys.readouterr().err


# ---------------------------------------------------------------- one run per OUTDIR; workers die with it


@pytest.fixture(scope="module")
def slow_pdf(tmp_path_factory) -> Path:
    """A digital PDF that takes pdfplumber many seconds: 400 copies of a form page."""
    import pypdfium2 as pdfium

    path = tmp_path_factory.mktemp("slow") / "slow.pdf"
    src, dst = pdfium.PdfDocument(str(PUDONG)), pdfium.PdfDocument.new()
    try:
        dst.import_pages(src, [0] * 400)
        dst.save(str(path))
    finally:
        dst.close()
        src.close()
    return path


def _wait_for(pred, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        got = pred()
        if got:
            return got
        time.sleep(0.1)
    pytest.fail(f"no {what} within {seconds} s")


def _holder_pid(out: Path) -> int | None:
    try:
        return json.loads((out / ".jixiao.lock").read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


def _line_within(stream, seconds: float) -> str:
    import select

    ready, _, _ = select.select([stream], [], [], seconds)
    return stream.readline() if ready else ""


def test_a_second_run_on_the_same_outdir_stops_at_once_or_waits(tmp_path, slow_pdf):
    out = tmp_path / "out"
    first = subprocess.Popen([*CLI, str(slow_pdf), "-o", str(out), "-q", "--jobs", "1"], env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    waiting = None
    try:
        _wait_for(lambda: _holder_pid(out) == first.pid, 30, "lock held by the first run")
        second = subprocess.run([*CLI, str(PUDONG), "-o", str(out), "-q"], env=ENV, capture_output=True,
                                text=True, timeout=60)
        assert first.poll() is None, "the second run must not have waited for the first"
        assert second.returncode == 1
        assert f"pid {first.pid}" in second.stderr and "--wait" in second.stderr
        assert "Traceback" not in second.stderr
        waiting = subprocess.Popen([*CLI, str(PUDONG), "-o", str(out), "-q", "--wait"], env=ENV,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert "waiting" in _line_within(waiting.stderr, 60)
        time.sleep(1.0)
        assert waiting.poll() is None and first.poll() is None
        first.terminate()  # the first run stops (exit 130) and lets go of OUTDIR
        assert first.wait(30) == 130
        assert waiting.wait(60) == 0
    finally:
        for proc in (first, waiting):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    assert [r["source"]["file"] for r in _jsonl(out)] == ["district_2026_pudong.pdf"]


def _children(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (zombies are dead)."""
    kids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.append(int(d.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc (Linux)")
def test_workers_die_with_a_killed_driver(tmp_path, slow_pdf):
    src = tmp_path / "in"
    src.mkdir()
    for n in range(2):
        _distinct_copy(slow_pdf, src / f"slow{n}.pdf", n)
    driver = subprocess.Popen([*CLI, str(src), "-o", str(tmp_path / "out"), "-q", "--jobs", "2"], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: list[int] = []
    try:
        workers += _wait_for(lambda: len(_children(driver.pid)) >= 2 and _children(driver.pid), 30, "two workers")
        time.sleep(1.0)  # both busy parsing, far from their next read of the pipe
        os.kill(driver.pid, signal.SIGKILL)  # the driver alone, not its process group
        driver.wait()
        _wait_for(lambda: not any(map(_alive, workers)), 5, "end of the orphaned workers")
    finally:
        driver.kill()
        driver.wait()
        for pid in filter(_alive, workers):  # this test's own workers, should they have lived on
            os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------- a damaged ledger


@pytest.fixture(scope="module")
def done_outdir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("done") / "out"
    assert main(["extract", str(PUDONG), "-o", str(out), "-q", "--jobs", "1"]) == 0
    return out


def _truncated(db: Path) -> None:
    size = db.stat().st_size
    assert size > 3 * 4096, "the ledger must span several pages for this damage"
    with open(db, "r+b") as f:
        f.truncate(size // 2)


def _zeroed_header(db: Path) -> None:
    with open(db, "r+b") as f:
        f.write(b"\0" * 100)


def _random_bytes(db: Path) -> None:
    db.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(db.stat().st_size)))


def _a_directory(db: Path) -> None:
    db.unlink()
    db.mkdir()
    (db / "x").write_text("x")


def _wrong_schema(db: Path) -> None:
    db.unlink()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE results (id INTEGER PRIMARY KEY, blob BLOB)")
    con.commit()
    con.close()


DAMAGE = {"truncated": _truncated, "zeroed_header": _zeroed_header, "random_bytes": _random_bytes,
          "directory": _a_directory, "wrong_schema": _wrong_schema, "locked": None}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_ledger_is_set_aside_and_rebuilt(tmp_path, done_outdir, damage, capsys):
    out = tmp_path / "out"
    shutil.copytree(done_outdir, out)
    want = (out / "filings.jsonl").read_bytes()
    db = out / "ledger.sqlite"
    holder = None
    if damage == "locked":  # another program holds the ledger's write lock and keeps it
        holder = subprocess.Popen(
            [sys.executable, "-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None);"
             " c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(120)", str(db)],
            stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "locked"
    else:
        DAMAGE[damage](db)
    try:
        capsys.readouterr()
        assert main(["extract", str(PUDONG), "-o", str(out), "-q", "--jobs", "1"]) == 0
    finally:
        if holder:
            holder.kill()
            holder.wait()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "jixiao: warning:" in err and "ledger.sqlite.corrupt-" in err
    assert list(out.glob("ledger.sqlite.corrupt-*")), "the damaged file is kept aside"
    assert (out / "filings.jsonl").read_bytes() == want
    assert _summary(out)["inputs"]["skipped_unchanged"] == 0  # a fresh run made it again
    assert main(["extract", str(PUDONG), "-o", str(out), "-q", "--jobs", "1"]) == 0
    assert _summary(out)["inputs"]["skipped_unchanged"] == 1  # and the new ledger holds it


def test_a_memory_cap_too_small_for_the_ocr_engine_says_so(tmp_path):
    """A fresh process (workers forked from this test process start larger than the CLI's)."""
    scan = SAMPLES / "seed_2020_minhang_scan200.pdf"
    out = tmp_path / "out"
    run = subprocess.run([*CLI, str(scan), "-o", str(out), "-q", "--jobs", "1", "--max-memory", "0.3"], env=ENV,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 3, run.stderr
    assert "memory cap of 0.3 GiB" in run.stderr and "--max-memory" in run.stderr
    assert "not installed" not in run.stderr and "Traceback" not in run.stderr
    (row,) = read_csv(out / "failures.csv")
    assert row["error_class"] == "ocr_unavailable"


# ---------------------------------------------------------------- a full disk


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs (root only)."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a small tmpfs, which only root can mount")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(disk: Path) -> None:
    with open(disk / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_full_disk_exits_4_and_leaves_the_last_outputs_whole(small_disk, capsys):
    out = small_disk / "out"
    fmt = "jsonl,csv,parquet,sqlite"
    assert main(["extract", str(PUDONG), "-o", str(out), "-q", "--jobs", "1", "--format", fmt]) == 0
    before = _files(out)
    _fill(small_disk)
    capsys.readouterr()
    assert main(["extract", str(PUDONG), "-o", str(out), "-q", "--jobs", "1", "--format", fmt, "--force"]) == 4
    err = capsys.readouterr().err
    assert "Traceback" not in err and "jixiao: error:" in err and "disk is full" in err
    after = _files(out)
    assert {k: v for k, v in after.items() if not k.startswith((".jixiao.lock", "ledger"))} == {
        k: v for k, v in before.items() if not k.startswith((".jixiao.lock", "ledger"))}
    # The outputs themselves, written onto the full disk: none replaced, no temporary file left.
    from jixiao.pipelines.errors import OutputNotWritable
    from jixiao.pipelines.outputs import write_outputs

    results = [{"status": "success", "records": _jsonl(out)}]
    with pytest.raises(OutputNotWritable, match="disk is full"):
        write_outputs(out, results, set(fmt.split(",")))
    assert _files(out) == after
    assert not [p for p in out.rglob("*.tmp")]


# ---------------------------------------------------------------- spreadsheet formulas in values


def test_csv_cells_that_start_a_formula_are_neutralised_other_formats_keep_them(tmp_path):
    pdf = need(SHARED / "fuzz" / "inputs" / "injection_form.pdf")
    out = tmp_path / "out"
    assert main(["extract", str(pdf), "-o", str(out), "-q", "--format", "jsonl,csv,parquet,sqlite"]) == 0
    (rec,) = _jsonl(out)
    raw = rec["fields"]
    assert raw["project_name"].startswith('=HYPERLINK("http://evil.example/')
    (row,) = read_csv(out / "filings.csv")
    for key in ("project_name", "supervising_dept", "implementing_unit", "project_leader", "contact_phone"):
        assert raw[key][0] in "=+-@" and row[key] == "'" + raw[key], key
    assert row["contact_person"] == raw["contact_person"]  # HTML is no formula
    assert row["total"] == "100000.00"
    import pyarrow.parquet as pq

    table = pq.read_table(out / "parquet" / "filings.parquet")
    assert table.column("project_name").to_pylist() == [raw["project_name"]]
    db = sqlite3.connect(out / "filings.sqlite")
    assert db.execute("SELECT project_name, implementing_unit FROM filings").fetchone() == (
        raw["project_name"], raw["implementing_unit"])
    db.close()


def test_numbers_are_no_formulas():
    from jixiao.pipelines.outputs import csv_bytes

    rows = [{"amount": "-12.50", "text": "-12.50", "formula": "-2+3", "tab": "\tx", "plain": "12-3", "op": "=",
             "cell": "=A1"}]
    types = {"amount": "decimal", "text": "string", "formula": "string", "tab": "string", "plain": "string",
             "op": "string", "cell": "string"}
    got = list(csv.reader(io.StringIO(csv_bytes(list(types), rows, bom=False, types=types).decode())))[1]
    assert got == ["-12.50", "-12.50", "'-2+3", "'\tx", "12-3", "=", "'=A1"]


# ---------------------------------------------------------------- library log lines


def _bad_matrix_form(path: Path) -> None:
    """A form page whose content stream ends with a matrix pdfminer cannot read: it logs a warning."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from .smallforms import FONT_FILE

    if not FONT_FILE.exists():
        pytest.skip("fonts-wqy-microhei is not installed")
    pdfmetrics.registerFont(TTFont("WQY", str(FONT_FILE), subfontIndex=0))
    c = canvas.Canvas(str(path))
    rows = [("项目名称", "区长质量奖工作经费"), ("主管部门", "区市场监督管理局"), ("实施单位", "区质量发展中心")]
    c.setFont("WQY", 14)
    c.drawString(150, 760, "财政项目支出绩效目标申报表")
    c.setFont("WQY", 10)
    for x in (72, 200, 520):
        c.line(x, 720, x, 720 - 30 * len(rows))
    for k in range(len(rows) + 1):
        c.line(72, 720 - 30 * k, 520, 720 - 30 * k)
    for k, (label, value) in enumerate(rows):
        c.drawString(78, 720 - 30 * k - 19, label)
        c.drawString(206, 720 - 30 * k - 19, value)
    c._code.append("/NotANumber 0 0 1 0 0 cm")
    c.save()


def test_library_log_lines_go_through_jixiao_and_quiet_hides_them(tmp_path, capfd):
    pdf = tmp_path / "badmatrix.pdf"
    _bad_matrix_form(pdf)
    base = ["extract", str(pdf), "--jobs", "1"]
    assert main([*base, "-o", str(tmp_path / "a")]) == 0
    err = capfd.readouterr().err
    assert "jixiao: warning: badmatrix.pdf: [pdfminer.pdfinterp] Cannot concatenate matrix" in err
    assert main([*base, "-o", str(tmp_path / "b"), "-q"]) == 0
    assert capfd.readouterr().err == ""
    assert main([*base, "-o", str(tmp_path / "c"), "--log-json"]) == 0
    events = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert {"event": "log", "level": "warning", "logger": "pdfminer.pdfinterp", "file": "badmatrix.pdf"}.items() <= [
        e for e in events if e["event"] == "log"][0].items()


# ---------------------------------------------------------------- small jobs start fast


def test_the_indexed_jieba_dictionary_segments_as_jieba_does():
    import jieba as jieba_module

    from jixiao.extract.words import jieba

    whole = jieba_module.Tokenizer()
    whole.initialize()
    texts = []
    for exp in sorted((SAMPLES / "expected").glob("*.json"))[:12]:
        for rec in json.loads(exp.read_text("utf-8")) if exp.name.count(".") == 1 else []:
            texts += [v for v in (rec.get("fields") or {}).values() if isinstance(v, str)]
    assert len(texts) > 50
    for t in texts:
        assert jieba().lcut(t) == whole.lcut(t), t
        assert jieba().lcut(t[-12:]) == whole.lcut(t[-12:]), t


def test_tables_holds_its_dir_as_extract_holds_outdir(tmp_path):
    """Two runs writing one DIR mix their files (issue 13): `tables` takes the same lock."""
    from jixiao.pipelines.outdir import hold

    out = tmp_path / "tables"
    with hold(out):
        busy = subprocess.run([*CLI[:-1], "tables", str(PUDONG), "-o", str(out), "-q"], env=ENV,
                              capture_output=True, text=True, timeout=120)
        assert busy.returncode == 1, busy.stderr
        assert "in use by" in busy.stderr and "--wait" in busy.stderr and "Traceback" not in busy.stderr
        assert not list(out.glob("*.json"))
        waiting = subprocess.Popen([*CLI[:-1], "tables", str(PUDONG), "-o", str(out), "-q", "--wait"], env=ENV,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert "waiting" in _line_within(waiting.stderr, 60)
        except BaseException:
            waiting.kill()
            raise
    assert waiting.wait(120) == 0
    assert list(out.glob("*.json"))
