"""Executors: run the per-input function over many inputs, isolated, and yield results.

- ``local``: a supervised pool of worker processes. Each input runs in a worker with a hard
  deadline (the worker is killed when it passes) and a memory cap; a worker that hangs or
  crashes takes only its input with it, and workers are recycled after a number of inputs.
- ``dask-local`` / ``dask://HOST:PORT``: the same function on dask.distributed (a LocalCluster, or
  a running scheduler). Only the driver writes outputs and the ledger.

The per-input function is ``run_task`` (``extract``) unless the caller names another
(``run_tables_task`` for ``jixiao tables``): both take a Task and return (sha256, result as a dict).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from functools import cache
from multiprocessing.connection import wait

from jixiao.extract.errors import OUT_OF_MEMORY as _OUT_OF_MEMORY

from .errors import UsageError

Task = tuple[str, dict, str, str]  # (path, options, display name, sha256)
TaskFn = Callable[[Task], tuple[str, dict]]


def run_task(task: Task) -> tuple[str, dict]:
    """The per-input function: (sha256, FileResult as a dict). Runs in any worker."""
    from .api import Options, process_file

    _path, opts, name, digest = task
    options = Options(**opts)
    return _read_as_hashed(task, options, lambda source: (process_file(source, options, name, sha256=digest), {}))


def run_tables_task(task: Task) -> tuple[str, dict]:
    """The per-input function of ``jixiao tables``: (sha256, FileResult as a dict with the
    TablesDocument's dump under ``document``, or a failure). Options as ``run_task``'s, and
    ``pages``: the page ranges to read (None: every page). The driver writes the files."""
    from .api import Options

    _path, opts, name, digest = task
    opts = dict(opts)
    pages = opts.pop("pages", None)
    options = Options(**opts)

    def read(source: str):
        result, doc = _read_tables(source, options, pages, name, digest)
        return result, {"document": doc.model_dump() if doc is not None else None}

    return _read_as_hashed(task, options, read)


def _read_as_hashed(task: Task, options, read: Callable[[str], tuple]) -> tuple[str, dict]:
    """(sha256, ``read(path)``'s FileResult as a dict with its extra keys): what both per-input
    functions share. The file is hashed again after the parse (``inputs.parsed_as_hashed``): a
    file rewritten since the driver hashed it is ``changed_during_read``, not another file's
    results under this hash. A failure under ``--max-memory`` is said as such."""
    from . import logs
    from .inputs import ChangedDuringRead, parsed_as_hashed

    path, _opts, name, digest = task
    logs.current_input = name
    try:
        with parsed_as_hashed(path, digest, options.max_bytes) as source:
            result, extra = read(source)
    except ChangedDuringRead as e:
        return _failure(task, e.error_class, str(e))
    except OSError as e:  # gone or unreadable since the driver hashed it: a rerun tries again
        return _failure(task, "changed_during_read", f"the file could not be read again: {e.strerror or e}")
    finally:
        logs.current_input = None
    if result.status == "failure":
        _blame_the_memory_cap(result, options.ocr_engine)
    return digest, {**result.model_dump(), **extra}


def _read_tables(path: str, options, pages, name: str, digest: str):
    """(FileResult, TablesDocument or None): every table of ``path`` within the soft deadline.
    Damaged pages are notes (``soft_errors``) and make the input ``partial``."""
    from jixiao.extract.alltables import read_tables

    from .api import FileResult, guarded
    from .tables_out import document_notes

    result, doc = FileResult(source_file=name, source_sha256=digest), None
    with guarded(result, options.timeout):
        doc = read_tables(path, pages, ocr=_ocr_hook(options.ocr, options.ocr_engine),
                          max_bytes=options.max_bytes, sha256=digest)
        result.pages = doc.n_pages
        result.soft_errors = document_notes(doc)
        result.status = "partial" if doc.damaged_pages else "success"
    return result, doc


@cache
def _ocr_hook(mode: str, engine: str):
    """One OCR hook per worker and setting: its engine loads once, not once per input."""
    from jixiao.extract.alltables import ocr_hook

    return ocr_hook(mode, engine)


def memory_cap() -> int | None:
    """This process's address-space cap in bytes (``--max-memory``), or None."""
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def _blame_the_memory_cap(result, engine: str) -> None:
    """Say so when the OCR engine failed to load because of ``--max-memory``: the library reports
    itself as missing (a library that cannot be mapped looks like no library) or fails on a
    allocation. It is then a missing dependency for this run (exit 3, tried again next run)."""
    import importlib.util

    cap = memory_cap()
    if cap is None:
        return
    text = result.message.lower()
    out_of_memory_in_ocr = ("ocr" in text or "onnx" in text) and any(s in text for s in _OUT_OF_MEMORY)
    if not (result.missing_dependency or out_of_memory_in_ocr):
        return
    modules = {"rapidocr": ("rapidocr", "onnxruntime"), "tesseract": ("pytesseract",)}.get(engine, ())
    if not modules or any(importlib.util.find_spec(m) is None for m in modules):
        return  # really missing: the engine's own words say how to install it
    if engine == "tesseract" and shutil.which("tesseract") is None:
        return  # pytesseract is there, the program it runs is not: no cap makes a program vanish
    detail = result.message.split(" [traceback:", 1)[0][:200]
    result.error_class = "ocr_unavailable"
    result.missing_dependency = True
    result.message = (f"the OCR engine {engine} cannot load within the memory cap of {cap / (1 << 30):.2g} GiB"
                      f" per worker (--max-memory); raise it, or 0 for no cap ({detail})")


def _failure(task: Task, error_class: str, message: str) -> tuple[str, dict]:
    from .api import FileResult

    _path, _opts, name, digest = task
    return digest, FileResult(
        source_file=name, source_sha256=digest, status="failure", error_class=error_class, message=message
    ).model_dump()


# ---------------------------------------------------------------- local supervised pool


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(driver: int) -> None:
    """Make this worker end when its driver does, even by kill -9 (a worker busy in a long parse
    never sees its pipe close). Linux: the kernel sends SIGKILL when the parent ends. Elsewhere
    the pipe's EOF ends an idle worker."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != driver:  # the driver ended before the signal was set up
        os._exit(0)


def _worker(conn, mem_bytes: int, max_tasks: int, threads: int = 1, driver: int | None = None,
            fn: TaskFn | None = None) -> None:
    if driver is not None:
        _die_with(driver)
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
    _warm_up()
    for _ in range(max_tasks):
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        task = tuple(task)
        # The hard deadline is the driver's; the soft one inside lets most timeouts end cleanly.
        conn.send((fn or run_task)(task))  # run_task looked up now: tests replace it


def _warm_up() -> None:
    """Import what reading an input takes (0.2 s and more) before the first task comes: a worker
    started early (``LocalPool.prestart``) does it while the driver starts up in parallel.
    The cyclic collector is off meanwhile (imports make objects, not garbage: it would walk them
    again and again, a tenth of the time), and what they made is frozen out of its sight after."""
    gc.disable()
    try:
        import pdfplumber  # noqa: F401
        import pypdfium2  # noqa: F401

        import jixiao.extract.pdf  # noqa: F401
        import jixiao.normalize.labels  # noqa: F401
        import jixiao.normalize.record  # noqa: F401

        from . import api  # noqa: F401
    except Exception:  # the task itself will meet the problem and report it
        pass
    finally:
        gc.freeze()
        gc.enable()


class LocalPool:
    def __init__(self, jobs: int, timeout: float, mem_bytes: int = 0, max_tasks: int = 50, fn: TaskFn | None = None):
        self.jobs = max(1, jobs)
        self.fn = fn  # the per-input function (None: run_task)
        self.timeout = timeout
        self.mem_bytes = mem_bytes
        self.max_tasks = max_tasks
        self.ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        self.ready: list[dict] = []  # workers started before the tasks were known

    def prestart(self, n: int = 1) -> LocalPool:
        """Start ``n`` workers now, before the driver finds, hashes and looks up its inputs: they load
        the parsers meanwhile, so a run of one small input costs little more than its parse.
        Workers not given a task are stopped by ``close``."""
        self.ready += [self._spawn() for _ in range(max(0, min(n, self.jobs) - len(self.ready)))]
        return self

    def close(self) -> None:
        """Stop the prestarted workers that got no task (all inputs unchanged, or a usage error)."""
        for w in self.ready:
            self._retire(w, kill=True)
        self.ready = []

    def _spawn(self):
        parent, child = self.ctx.Pipe()
        threads = max(1, (os.cpu_count() or 1) // self.jobs)
        args = (child, self.mem_bytes, self.max_tasks, threads, os.getpid(), self.fn)
        p = self.ctx.Process(target=_worker, args=args, daemon=True)
        p.start()
        child.close()
        return {"proc": p, "conn": parent, "task": None, "start": 0.0, "done": 0}

    def run(self, tasks: list[Task]) -> Iterator[tuple[str, dict]]:
        queue = list(reversed(tasks))
        n = min(self.jobs, len(tasks))
        workers, self.ready = self.ready[:n], self.ready[n:]
        workers += [self._spawn() for _ in range(n - len(workers))]
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
                        yield _failure(task, "internal", f"the worker processing this input died (exit code {code})"
                                       + self._cap_hint())
                    elif hard and now - w["start"] > hard:
                        task = w["task"]
                        self._retire(w, kill=True)
                        w.update(self._spawn())
                        yield _failure(task, "timeout", f"no result within {self.timeout:g} s; the worker was killed")
        finally:
            for w in workers:
                self._retire(w, kill=bool(w["task"]))

    def _cap_hint(self) -> str:
        if not self.mem_bytes:
            return ""
        return (f"; under the memory cap of {self.mem_bytes / (1 << 30):.2g} GiB per worker this is often a"
                " failed allocation: try a larger --max-memory")

    @staticmethod
    def _retire(w, kill: bool = False) -> None:
        p, conn = w["proc"], w["conn"]
        if kill and p.is_alive():
            p.kill()  # a prestarted worker still loading, or one stuck in a task
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


def run_dask(tasks: list[Task], address: str | None, jobs: int, fn: TaskFn | None = None
             ) -> Iterator[tuple[str, dict]]:
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
            futures = {client.submit(fn or run_task, t, pure=False, key=f"jixiao-{t[3]}-{i}"): t
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


def execute(tasks: list[Task], executor: str, jobs: int, timeout: float, mem_bytes: int = 0,
            pool: LocalPool | None = None, fn: TaskFn | None = None) -> Iterator[tuple[str, dict]]:
    """Results of ``tasks`` as they come. ``pool``: a local pool made (and prestarted) earlier, with
    these settings. ``fn``: the per-input function (None: ``run_task``)."""
    if not tasks:
        return iter(())
    if executor == "local":
        return (pool or LocalPool(jobs, timeout, mem_bytes, fn=fn)).run(tasks)
    if executor == "dask-local":
        return run_dask(tasks, None, jobs, fn)
    if executor.startswith("dask://"):
        return run_dask(tasks, "tcp://" + executor[len("dask://"):], jobs, fn)
    raise UsageError(f"unknown executor {executor!r}: use local, dask-local or dask://HOST:PORT")
