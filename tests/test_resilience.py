"""Crash-proof batches: SIGKILL at any moment, then a rerun gives the uninterrupted outputs;
the same run on a Dask LocalCluster gives the same outputs as --jobs 1."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jixiao.pipelines.cli import main

from .test_batch import good_pdfs  # noqa: F401  (fixture)

OUTPUT_FILES = ("filings.jsonl", "filings.csv", "indicators.csv", "cost_items.csv", "safeguards.csv",
                "flags.csv", "failures.csv")


def _corpus(d: Path, pdfs: list[Path], n: int) -> None:
    """n distinct inputs: the samples, and copies made distinct by a trailing comment line."""
    d.mkdir()
    for i in range(n):
        src = pdfs[i % len(pdfs)]
        (d / f"{i:02d}_{src.name}").write_bytes(src.read_bytes() + f"% copy {i}\n".encode())


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES}


def _cmd(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "jixiao.pipelines.cli", "extract", str(src), "-o", str(out), "-q", *extra]


@pytest.mark.slow
def test_sigkill_then_rerun_equals_uninterrupted(tmp_path, good_pdfs):  # noqa: F811
    src = tmp_path / "in"
    _corpus(src, good_pdfs, 20)
    ref = tmp_path / "ref"
    assert main(["extract", str(src), "-o", str(ref), "-q", "--jobs", "2"]) == 0
    want = _outputs(ref)
    n_filings = len(want["filings.jsonl"].splitlines())
    assert n_filings >= 20
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    out = tmp_path / "out"
    for delay in (0.3, 1.0, 2.0, 3.5):
        proc = subprocess.Popen(_cmd(src, out, "--jobs", "2"), env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        # Whatever was left must be whole: any output file present parses completely.
        if (out / "filings.jsonl").exists():
            for line in (out / "filings.jsonl").read_text().splitlines():
                json.loads(line)
    assert subprocess.run(_cmd(src, out, "--jobs", "2"), env=env).returncode == 0
    assert _outputs(out) == want
    ids = [json.loads(x)["filing_id"] for x in (out / "filings.jsonl").read_text().splitlines()]
    assert len(ids) == len(set(ids)) == n_filings


@pytest.mark.slow
def test_dask_local_cluster_equals_one_job(tmp_path, good_pdfs):  # noqa: F811
    pytest.importorskip("distributed")
    src = tmp_path / "in"
    src.mkdir()
    for p in good_pdfs:
        shutil.copy(p, src / p.name)
    one, dask = tmp_path / "one", tmp_path / "dask"
    assert main(["extract", str(src), "-o", str(one), "-q", "--jobs", "1"]) == 0
    assert main(["extract", str(src), "-o", str(dask), "-q", "--jobs", "2", "--executor", "dask-local"]) == 0
    assert _outputs(dask) == _outputs(one)


def test_hung_input_is_killed_and_the_batch_goes_on(tmp_path, good_pdfs, monkeypatch):  # noqa: F811
    """A parser that never returns (fault injection) costs only its own input."""
    from jixiao.pipelines import executors

    real = executors.run_task

    def hang_on_first(task):
        if task[2].startswith("00_"):
            signal.signal(signal.SIGALRM, signal.SIG_IGN)  # also defeat the soft deadline
            time.sleep(3600)
        return real(task)

    monkeypatch.setattr(executors, "run_task", hang_on_first)
    src = tmp_path / "in"
    _corpus(src, good_pdfs, 3)
    pool = executors.LocalPool(jobs=2, timeout=2.0)
    pool_hard = 7.0  # timeout + max(5, 10%)
    t0 = time.monotonic()
    # A task carries the file's sha256: the worker checks the bytes it parsed against it.
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(src.iterdir())]
    tasks = [(str(p), {"timeout": 2.0}, p.name, d) for p, d in zip(sorted(src.iterdir()), digests)]
    results = dict(pool.run(tasks))
    assert time.monotonic() - t0 < pool_hard + 10
    assert results[digests[0]]["error_class"] == "timeout"
    assert all(results[digests[i]]["status"] == "success" for i in (1, 2))


@pytest.mark.slow
def test_dask_scheduler_address(tmp_path, good_pdfs):  # noqa: F811
    """--executor dask://HOST:PORT sends the work to a running scheduler (here a local one)."""
    distributed = pytest.importorskip("distributed")
    one, remote = tmp_path / "one", tmp_path / "remote"
    pdfs = [str(p) for p in good_pdfs[:3]]
    assert main(["extract", *pdfs, "-o", str(one), "-q", "--jobs", "1"]) == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                  silence_logs=40) as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        assert main(["extract", *pdfs, "-o", str(remote), "-q", "--executor", f"dask://{address}"]) == 0
    assert _outputs(remote) == _outputs(one)
    assert main(["extract", *pdfs, "-o", str(tmp_path / "x"), "-q", "--executor", "dask://127.0.0.1:1"]) == 1


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_exits_130_without_traceback_and_a_rerun_finishes(tmp_path, good_pdfs, sig):  # noqa: F811
    src = tmp_path / "in"
    _corpus(src, good_pdfs, 40)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    cmd = [a for a in _cmd(src, out, "--jobs", "1", "--log-json") if a != "-q"]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()  # the first input is done: the batch is under way
    assert '"input_done"' in first, first
    os.killpg(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert subprocess.run(_cmd(src, out, "--jobs", "2"), env=env).returncode == 0
    assert len((out / "filings.jsonl").read_text().splitlines()) >= 16


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_pool_worker_takes_a_group_signal_quietly(capfd, sig):
    """Ctrl-C / kill reach every process in the group: a worker prints nothing and leaves the driver
    to decide (SIGINT: it carries on until told to stop; SIGTERM: it ends at once)."""
    from jixiao.pipelines.cli import _terminate  # the driver's SIGTERM handler, inherited by fork
    from jixiao.pipelines.executors import LocalPool

    old = signal.signal(signal.SIGTERM, _terminate)
    try:
        pool = LocalPool(jobs=1, timeout=0)
        w = pool._spawn()
    finally:
        signal.signal(signal.SIGTERM, old)
    time.sleep(1.0)  # the worker has set its handlers and waits for a task
    os.kill(w["proc"].pid, sig)
    w["proc"].join(2 if sig == signal.SIGTERM else 0.5)
    if sig == signal.SIGINT:
        assert w["proc"].is_alive()
        pool._retire(w)
        assert w["proc"].exitcode == 0
    else:
        assert w["proc"].exitcode == -signal.SIGTERM
        w["conn"].close()
    assert "Traceback" not in capfd.readouterr().err


def test_a_failed_allocation_is_no_damaged_file():
    """Under --max-memory a PDF library that cannot allocate raises its own error; it was reported
    as `corrupt` (issue 13). A failed allocation is `too_large`, and damages no page."""
    import errno

    import pypdfium2 as pdfium
    import pytest

    from jixiao.extract.errors import from_pdf_library, out_of_memory
    from jixiao.extract.pdf import read_or_note
    from jixiao.pipelines.api import failure_of

    def library_enomem():
        try:
            raise OSError(errno.ENOMEM, "Cannot allocate memory")
        except OSError as e:
            raise pdfium.PdfiumError("Failed to load page.") from e

    try:
        library_enomem()
    except Exception as e:
        assert from_pdf_library(e) and out_of_memory(e)
        assert failure_of(e)[0] == "too_large"
    damaged: dict[int, str] = {}
    with pytest.raises(pdfium.PdfiumError):
        read_or_note(library_enomem, damaged, 0)
    assert damaged == {}

    def library_damage():
        raise pdfium.PdfiumError("Failed to load page.")

    assert read_or_note(library_damage, damaged, 3) is None and 3 in damaged
    try:
        library_damage()
    except Exception as e:
        assert failure_of(e)[0] == "corrupt"
