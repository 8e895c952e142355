"""Executors: run the per-input function over many inputs, isolated, and yield results.

- ``local``: a supervised pool of worker processes. Each input runs in a worker with a hard
  deadline (the worker is killed when it passes) and a memory cap; a worker that hangs or
  crashes takes only its input with it, and workers are recycled after a number of inputs.
- ``dask-local`` / ``dask://HOST:PORT``: the same function on dask.distributed (a LocalCluster, or
  a running scheduler). Only the driver writes outputs and the ledger.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections.abc import Iterator
from multiprocessing.connection import wait

from .errors import UsageError

Task = tuple[str, dict, str, str]  # (path, options, display name, sha256)


def run_task(task: Task) -> tuple[str, dict]:
    """The per-input function: (sha256, FileResult as a dict). Runs in any worker."""
    from .api import Options, process_file

    path, opts, name, digest = task
    return digest, process_file(path, Options(**opts), name, sha256=digest).model_dump()


def _failure(task: Task, error_class: str, message: str) -> tuple[str, dict]:
    from .api import FileResult

    _path, _opts, name, digest = task
    return digest, FileResult(
        source_file=name, source_sha256=digest, status="failure", error_class=error_class, message=message
    ).model_dump()


# ---------------------------------------------------------------- local supervised pool


def _worker(conn, mem_bytes: int, max_tasks: int, threads: int = 1) -> None:
    # Ctrl-C reaches the whole process group: the driver handles it (and stops its workers), so a
    # worker ignores SIGINT; SIGTERM ends a worker at once, without the driver's handler (inherited
    # through fork) or a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract: one thread per worker
    os.environ.setdefault("JIXIAO_OCR_THREADS", str(threads))  # ONNX (RapidOCR): the worker's share
    if mem_bytes:
        import resource

        try:
            resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
        except (ValueError, OSError):
            pass
    for _ in range(max_tasks):
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        task = tuple(task)
        # The hard deadline is the driver's; the soft one inside lets most timeouts end cleanly.
        conn.send(run_task(task))


class LocalPool:
    def __init__(self, jobs: int, timeout: float, mem_bytes: int = 0, max_tasks: int = 50):
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.mem_bytes = mem_bytes
        self.max_tasks = max_tasks
        self.ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()

    def _spawn(self):
        parent, child = self.ctx.Pipe()
        threads = max(1, (os.cpu_count() or 1) // self.jobs)
        p = self.ctx.Process(target=_worker, args=(child, self.mem_bytes, self.max_tasks, threads), daemon=True)
        p.start()
        child.close()
        return {"proc": p, "conn": parent, "task": None, "start": 0.0, "done": 0}

    def run(self, tasks: list[Task]) -> Iterator[tuple[str, dict]]:
        queue = list(reversed(tasks))
        workers = [self._spawn() for _ in range(min(self.jobs, len(tasks)))]
        # The hard deadline: a little after the soft one inside the worker.
        hard = self.timeout + max(5.0, 0.1 * self.timeout) if self.timeout else None
        try:
            while queue or any(w["task"] for w in workers):
                for w in workers:
                    if w["task"] is None and queue:
                        if not w["proc"].is_alive() or w["done"] >= self.max_tasks:
                            self._retire(w)
                            w.update(self._spawn())
                        w["task"] = queue.pop()
                        w["start"] = time.monotonic()
                        w["conn"].send(w["task"])
                busy = [w for w in workers if w["task"]]
                if not busy:
                    continue
                ready = wait([w["conn"] for w in busy] + [w["proc"].sentinel for w in busy], timeout=0.5)
                now = time.monotonic()
                for w in busy:
                    if w["conn"] in ready:
                        try:
                            result = w["conn"].recv()
                        except (EOFError, OSError):
                            result = None
                        if result is not None:
                            w["task"] = None
                            w["done"] += 1
                            yield result
                            continue
                    if w["proc"].sentinel in ready or not w["proc"].is_alive():
                        task = w["task"]
                        w["proc"].join(1)
                        code = w["proc"].exitcode
                        self._retire(w)
                        w.update(self._spawn())
                        yield _failure(task, "internal", f"the worker processing this input died (exit code {code})")
                    elif hard and now - w["start"] > hard:
                        task = w["task"]
                        self._retire(w, kill=True)
                        w.update(self._spawn())
                        yield _failure(task, "timeout", f"no result within {self.timeout:g} s; the worker was killed")
        finally:
            for w in workers:
                self._retire(w, kill=bool(w["task"]))

    @staticmethod
    def _retire(w, kill: bool = False) -> None:
        p, conn = w["proc"], w["conn"]
        if kill and p.is_alive():
            p.kill()
        else:
            try:
                conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        p.join(2)
        if p.is_alive():
            p.kill()
            p.join(1)
        conn.close()
        w["task"] = None


# ---------------------------------------------------------------- dask


def run_dask(tasks: list[Task], address: str | None, jobs: int) -> Iterator[tuple[str, dict]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as e:
        raise UsageError("the dask executor needs dask.distributed: pip install 'dask[distributed]'") from e
    cluster = None
    try:
        if address is None:
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
        else:
            _reachable(address)
            try:
                client = Client(address, timeout=30)
            except OSError as e:
                raise UsageError(f"cannot reach the dask scheduler at {address}: {e}") from e
        with client:
            futures = {client.submit(run_task, t, pure=False, key=f"jixiao-{t[3]}-{i}"): t
                       for i, t in enumerate(tasks)}
            for fut in as_completed(futures):
                task = futures[fut]
                try:
                    yield fut.result()
                except Exception as e:  # a worker lost, or the task raised
                    yield _failure(task, "internal", f"the dask worker failed on this input: {e}")
    finally:
        if cluster is not None:
            cluster.close()


def _reachable(address: str) -> None:
    """Fail fast (a usage error) when nothing listens at the scheduler's address."""
    import socket

    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=10):
            pass
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot reach the dask scheduler at {address}: {e}") from e


def execute(tasks: list[Task], executor: str, jobs: int, timeout: float, mem_bytes: int = 0
            ) -> Iterator[tuple[str, dict]]:
    if not tasks:
        return iter(())
    if executor == "local":
        return LocalPool(jobs, timeout, mem_bytes).run(tasks)
    if executor == "dask-local":
        return run_dask(tasks, None, jobs)
    if executor.startswith("dask://"):
        return run_dask(tasks, "tcp://" + executor[len("dask://"):], jobs)
    raise UsageError(f"unknown executor {executor!r}: use local, dask-local or dask://HOST:PORT")
