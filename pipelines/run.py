"""A batch run: find the inputs, skip what the ledger has, process the rest, write OUTDIR."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .api import FileResult, Options
from .errors import MissingDependency, OutputNotWritable, UsageError
from .executors import LocalPool, Task, execute
from .inputs import Refused, display_name, display_path, find_inputs, hash_file
from .ledger import Ledger, LedgerDamaged, set_aside
from .outdir import hold as hold_outdir
from .outdir import prepare
from .outputs import write_outputs, write_summary

FORMATS = {"jsonl", "csv", "parquet", "sqlite"}
LEDGER = "ledger.sqlite"
# Failures that say nothing about the input's bytes: a rerun tries those inputs again.
TRANSIENT = frozenset({"timeout", "internal", "changed_during_read"})
log = logging.getLogger("jixiao")


def reusable(prev: tuple[str, dict | None] | None) -> bool:
    """Whether a ledger entry can stand for this run: done, or failed for a reason in the file."""
    if not prev or prev[1] is None or prev[0] not in ("done", "failed"):
        return False
    res = prev[1]
    return prev[0] == "done" or not (res.get("missing_dependency") or res.get("error_class") in TRANSIENT)


def pipeline_version() -> str:
    """The code that makes results: a change to it invalidates the ledger's entries."""
    h = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parent.parent
    for pkg in ("extract", "normalize"):
        for f in sorted((root / pkg).rglob("*")):  # subpackages too (extract/ocr/)
            if f.suffix in (".py", ".toml"):
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return f"{__version__}+{h.hexdigest()[:10]}"


def discover(inputs: list[str]) -> list[Path]:
    """The regular PDF files named, in directories (recursive, *.pdf any case) or matched by globs
    (what is not a regular file is left out here; ``run`` reports it, see ``find_inputs``)."""
    return [p for p in find_inputs(inputs) if isinstance(p, Path)]


def prepare_outdir(outdir: Path) -> None:
    prepare(outdir)


def parse_formats(text: str, allowed: Iterable[str] = FORMATS) -> set[str]:
    """The formats named in "jsonl,csv,…"; a name not in ``allowed`` is a usage error."""
    formats = {f.strip().lower() for f in text.split(",") if f.strip()}
    unknown = formats - set(allowed)
    if unknown or not formats:
        names = ", ".join(sorted(unknown)) or "(none)"
        choices = ", ".join(allowed if isinstance(allowed, (list, tuple)) else sorted(allowed))
        raise UsageError(f"unknown format(s): {names}; choose from {choices}")
    return formats


def _hash(ledger: Ledger, path: Path) -> str:
    """The file's sha256, from the ledger's cache while its size and mtime are unchanged."""
    st = os.stat(path)
    key = os.path.realpath(path)
    known = ledger.known_hash(key, st.st_size, st.st_mtime_ns)
    if known:
        return known
    digest, st = hash_file(path)
    ledger.remember_hash(key, digest, st.st_size, st.st_mtime_ns)
    return digest


def _failure(name: str, error_class: str, message: str) -> dict:
    return FileResult(source_file=name, status="failure", error_class=error_class, message=message).model_dump()


def _key(ledger: Ledger, entry: Path | Refused, max_bytes: int) -> tuple[str | None, dict | None]:
    """(the ledger key of an input, or None with the failure of an input that cannot be read).
    The size limit comes before hashing: a huge file is refused without reading it."""
    if isinstance(entry, Refused):
        return None, _failure(display_name(entry.path.name), entry.error_class, entry.message)
    name = display_name(entry.name)
    try:
        size = os.stat(entry).st_size
        if size > max_bytes:
            return None, _failure(name, "too_large", f"{size} bytes is over the limit of {max_bytes}")
        return _hash(ledger, entry), None
    except OSError as e:  # this run's failure; not in the ledger, so a rerun tries again
        return None, _failure(name, "corrupt", f"cannot read the file: {e.strerror or e}")


def run(
    inputs: list[str],
    outdir: str,
    formats: str = "jsonl,csv",
    jobs: int | None = None,
    options: Options | None = None,
    executor: str = "local",
    force: bool = False,
    csv_bom: bool = True,
    progress: Callable[[dict], None] | None = None,
    max_memory: int = 0,
    wait: bool = False,
    pool: LocalPool | None = None,
) -> tuple[int, dict]:
    """Run a batch; returns (exit status, summary). ``wait``: when another run holds OUTDIR, wait
    for it instead of stopping (exit 1). ``pool``: local workers started earlier with the same
    jobs, timeout and memory cap (``LocalPool.prestart``); closed here."""
    t0 = time.perf_counter()
    try:
        return _run(inputs, outdir, wait, t0, _Batch(
            formats=parse_formats(formats), options=options or Options(), jobs=jobs or os.cpu_count() or 1,
            executor=executor, force=force, csv_bom=csv_bom, progress=progress, max_memory=max_memory, pool=pool))
    finally:
        if pool is not None:
            pool.close()


def _run(inputs: list[str], outdir: str, wait: bool, t0: float, batch: _Batch) -> tuple[int, dict]:
    entries = find_inputs(inputs)
    out = Path(outdir)
    with hold_outdir(out, wait):
        try:
            summary = batch.run(entries, out, t0)
        except LedgerDamaged as e:
            moved = set_aside(out / LEDGER)
            log.warning("the ledger %s cannot be used (%s); it was moved to %s and a fresh run rebuilds it",
                        display_path(out / LEDGER), e, moved.name)
            try:
                summary = batch.run(entries, out, t0)
            except LedgerDamaged as again:
                raise OutputNotWritable(
                    f"a new ledger in {display_path(out)} cannot be used either: {again}") from again
    missing = [r for r in batch.ordered if r.get("missing_dependency")]
    if missing:
        raise MissingDependency(missing[0]["message"])
    failed = summary["inputs"]["by_status"].get("failure", 0)
    return (2 if failed else 0), summary


@dataclass
class _Batch:
    """One run's settings, and (after ``run``) its results in input order."""

    formats: set[str]
    options: Options
    jobs: int
    executor: str
    force: bool
    csv_bom: bool
    progress: Callable[[dict], None] | None
    max_memory: int
    pool: LocalPool | None = None
    ordered: list[dict] = field(default_factory=list)

    def run(self, entries: list[Path | Refused], out: Path, t0: float) -> dict:
        version = pipeline_version()
        config = self.options.key()
        ledger = Ledger(out / LEDGER)
        try:
            plan, results = self._plan(ledger, entries)
            todo, skipped = self._todo(ledger, plan, results, version, config)
            self._execute(ledger, todo, plan, results, version, config)
            self.ordered = _in_input_order(plan, results)
            written = write_outputs(out, self.ordered, self.formats, bom=self.csv_bom)
            summary = summarise(self.ordered, skipped, len(entries), time.perf_counter() - t0, version, written, out)
            write_summary(out, summary)
        finally:
            ledger.close()
        return summary

    def _plan(self, ledger: Ledger, entries: list[Path | Refused]) -> tuple[list[tuple[Path, str]], dict[str, dict]]:
        """(input path, ledger key) in input order, and the failures of inputs that cannot be read."""
        plan: list[tuple[Path, str]] = []
        results: dict[str, dict] = {}
        with ledger.transaction():
            for n, entry in enumerate(entries):
                digest, failure = _key(ledger, entry, self.options.max_bytes)
                if failure is not None:
                    digest = f"refused:{n}"  # this run only: never a ledger key
                    results[digest] = failure
                plan.append((entry.path if isinstance(entry, Refused) else entry, digest))
        return plan, results

    def _todo(self, ledger: Ledger, plan, results: dict[str, dict], version: str, config: str
              ) -> tuple[list[Task], int]:
        todo: list[Task] = []
        todo_hashes: set[str] = set()
        skipped = 0
        for p, digest in plan:
            if digest in results or digest in todo_hashes:
                continue  # the same bytes under another name: done once
            prev = None if self.force else ledger.get(digest, version, config)
            if reusable(prev):
                results[digest] = prev[1]
                skipped += 1
                continue
            todo.append((str(p), self.options.model_dump(), display_name(p.name), digest))
            todo_hashes.add(digest)
        return todo, skipped

    def _execute(self, ledger: Ledger, todo: list[Task], plan, results: dict[str, dict], version: str,
                 config: str) -> None:
        ledger.mark_many([(d, version, config, "running", name, None) for _p, _o, name, d in todo])
        if self.executor.startswith("dask") and todo:
            _event(self.progress, {"event": "executor", "executor": self.executor, "inputs": len(todo)})
        done_count = 0
        results_now = execute(todo, self.executor, self.jobs, self.options.timeout, self.max_memory, self.pool)
        for digest, res in results_now:
            status = "failed" if res["status"] == "failure" else "done"
            if res.get("error_class") == "changed_during_read":
                # The cached hash of its path is stale (a change that kept size and mtime): the
                # next run must hash the file again rather than ask for these bytes once more.
                for p, d in plan:
                    if d == digest:
                        ledger.forget_hash(os.path.realpath(p))
            ledger.mark(digest, version, config, status, res["source_file"], res)
            results[digest] = res
            done_count += 1
            _event(self.progress, {"event": "input_done", "file": res["source_file"], "status": res["status"],
                                   "filings": len(res["records"]), "pages": res.get("pages", 0),
                                   "done": done_count, "total": len(todo)})


def _in_input_order(plan: list[tuple[Path, str]], results: dict[str, dict]) -> list[dict]:
    ordered = []
    emitted: set[str] = set()
    for _p, digest in plan:
        if digest in emitted or digest not in results:
            continue
        emitted.add(digest)
        ordered.append(results[digest])
    return ordered


def _event(progress: Callable[[dict], None] | None, ev: dict) -> None:
    if progress:
        progress(ev)


def summarise(results: list[dict], skipped: int, n_inputs: int, seconds: float, version: str,
              written: dict, out: Path) -> dict:
    by_status = Counter(r["status"] for r in results)
    records = [rec for r in results for rec in r.get("records", [])]
    flags = Counter(fl["code"] for rec in records for fl in rec.get("flags", []))
    failures = Counter(r["error_class"] for r in results if r["status"] == "failure")
    return {
        "jixiao_version": __version__,
        "pipeline_version": version,
        "python": sys.version.split()[0],
        "outdir": display_path(out),
        "inputs": {
            "found": n_inputs,
            "unique": len(results),
            "skipped_unchanged": skipped,
            "by_status": dict(by_status),
            "failures_by_class": dict(failures),
            "notes": [{"file": r["source_file"], "note": n} for r in results for n in r.get("soft_errors", [])],
        },
        "filings": {
            "total": len(records),
            "by_status": dict(Counter("flagged" if rec.get("flags") else "ok" for rec in records)),
        },
        "flags": {"total": sum(flags.values()), "by_code": dict(sorted(flags.items()))},
        "pages": {
            "total": sum(r.get("pages", 0) for r in results),
            "form_pages": sum(r.get("form_pages", 0) for r in results),
        },
        "timings": {"seconds": round(seconds, 3),
                    "processing_seconds": round(sum(r.get("seconds", 0) for r in results), 3)},
        "outputs": sorted([*written, "run_summary.json"]),
    }
