"""A batch run: find the inputs, skip what the ledger has, process the rest, write OUTDIR."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .api import FileResult, Options
from .corrections import CORRECTIONS, Corrections
from .corrections import load as load_corrections
from .errors import MissingDependency, OutputNotWritable, UsageError
from .executors import LocalPool, Task, execute
from .inputs import Refused, checked_digest, display_name, display_path, find_inputs, hash_file
from .ledger import Ledger, LedgerDamaged, set_aside
from .outdir import hold as hold_outdir
from .outdir import prepare
from .outputs import RENDER_KEY, Part, pack, unpack, write_parts, write_summary

FORMATS = {"jsonl", "csv", "parquet", "sqlite"}
LEDGER = "ledger.sqlite"
# Failures that say nothing about the input's bytes: a rerun tries those inputs again.
TRANSIENT = frozenset({"timeout", "internal", "changed_during_read"})
MARK_CHUNK = 1000  # inputs marked "running" per ledger transaction
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


def _hash(ledger: Ledger, path: str, st: os.stat_result) -> str:
    """The file's sha256, from the ledger's cache while its size and mtime (``st``) are unchanged."""
    key = os.path.realpath(path)
    known = ledger.known_hash(key, st.st_size, st.st_mtime_ns)
    if known:
        return known
    digest, st = hash_file(path)
    ledger.remember_hash(key, digest, st.st_size, st.st_mtime_ns)
    return digest


def _failure(name: str, error_class: str, message: str) -> dict:
    return FileResult(source_file=name, status="failure", error_class=error_class, message=message).model_dump()


def _key(ledger: Ledger, entry: str | Refused, max_bytes: int) -> tuple[str | None, dict | None]:
    """(the ledger key of an input, or None with the failure of an input that cannot be read).
    The size limit comes before hashing: a huge file is refused without reading it."""
    if isinstance(entry, Refused):
        return None, _failure(display_name(entry.path.name), entry.error_class, entry.message)
    digest, refused = checked_digest(entry, max_bytes, lambda path, st: _hash(ledger, path, st))
    if refused:  # this run's failure; not in the ledger, so a rerun tries again
        return None, _failure(display_name(os.path.basename(entry)), *refused)
    return digest, None


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
    # Each file as its path's text: a Path object weighs four times as much, and an archive holds
    # hundreds of thousands of them.
    entries = [e if isinstance(e, Refused) else os.fspath(e) for e in find_inputs(inputs)]
    if batch.options.searchable_pdf is not None:
        _prepare_copies_dir(batch.options.searchable_pdf, inputs, entries)
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
    if batch.missing:
        raise MissingDependency(batch.missing)
    failed = summary["inputs"]["by_status"].get("failure", 0)
    return (2 if failed else 0), summary


def apply_corrections(outdir: str, wait: bool = False) -> dict:
    """``jixiao apply``: the outputs of the last ``extract`` on OUTDIR written again from its ledger,
    the same inputs in the same order and formats, with OUTDIR's corrections applied; no PDF is
    read. Returns the new run summary. UsageError (exit 1) when OUTDIR has no ledger or no run."""
    t0 = time.perf_counter()
    out = Path(outdir)
    if not (out / LEDGER).is_file():
        raise UsageError(f"{display_path(out)} has no ledger ({LEDGER}): nothing to apply corrections to; "
                         f"run `jixiao extract INPUT... -o {display_path(out)}` first")
    with hold_outdir(out, wait):
        corrections = load_corrections(out)
        try:
            return _apply_from(Ledger(out / LEDGER), out, corrections, t0)
        except LedgerDamaged as e:  # extract sets a damaged ledger aside; apply has nothing to rebuild from
            raise UsageError(f"the ledger {display_path(out / LEDGER)} cannot be used ({e}); "
                             "run `jixiao extract` again to rebuild it") from e


def _apply_from(ledger: Ledger, out: Path, corrections: Corrections, t0: float) -> dict:
    try:
        settings = _last_run_settings(ledger, out)
        tally, written = write_from_ledger(ledger, out, settings, ledger.last_run, corrections, remember=False)
        summary = summarise(tally, tally.unique - tally.refused, settings.found, time.perf_counter() - t0,
                            settings.version, written, out, corrections)
        write_summary(out, summary)
        return summary
    finally:
        ledger.close()


def _last_run_settings(ledger: Ledger, out: Path) -> RunSettings:
    try:
        return RunSettings(**ledger.last_run_settings())
    except TypeError:  # no run recorded (a ledger of an older version), or another version's settings
        raise UsageError(f"the ledger of {display_path(out)} records no `jixiao extract` run that this version "
                         "can rebuild; run `jixiao extract` on it again first") from None


def _prepare_copies_dir(target: str, inputs: list[str], entries: list[str | Refused]) -> None:
    """--searchable-pdf DIR: refused where a copy would replace an input (exit 1), created and
    proved writable before any input is read (exit 4)."""
    from .searchable import check_dir

    check_dir(target, inputs, (e for e in entries if not isinstance(e, Refused)))
    prepare(Path(target))


@dataclass
class _Batch:
    """One run's settings, and (after ``run``) the first missing dependency its results name."""

    formats: set[str]
    options: Options
    jobs: int
    executor: str
    force: bool
    csv_bom: bool
    progress: Callable[[dict], None] | None
    max_memory: int
    pool: LocalPool | None = None
    missing: str | None = None

    def run(self, entries: list[str | Refused], out: Path, t0: float) -> dict:
        """Results go to the ledger as they come; the outputs are then written from it one input at
        a time, in input order, with the summary counted on the way: no list of all results is
        ever held, so the driver's memory stays flat however large the archive is."""
        version = pipeline_version()
        config = self.options.key()
        corrections = load_corrections(out)  # first: a file that cannot be read stops the run before any work
        ledger = Ledger(out / LEDGER)
        try:
            plan, refused = self._plan(ledger, entries)
            todo, skipped = self._todo(ledger, plan, refused, version, config)
            self._execute(ledger, todo, plan, version, config)
            settings = RunSettings(version, config, sorted(self.formats), self.csv_bom, len(entries))

            def order() -> Iterator[tuple[str, dict | None]]:
                return ((digest, refused.get(digest)) for digest in _in_input_order(plan))

            tally, written = write_from_ledger(ledger, out, settings, order, corrections, remember=True)
            self.missing = tally.missing
            copies = self._searchable_copies(ledger, plan, refused, version, config)
            summary = summarise(tally, skipped, len(entries), time.perf_counter() - t0, version, written, out,
                                corrections)
            if copies is not None:
                summary["searchable_pdf"] = copies
            write_summary(out, summary)
        finally:
            ledger.close()
        return summary

    def _searchable_copies(self, ledger: Ledger, plan, refused: dict[str, dict], version: str, config: str
                           ) -> dict | None:
        """With --searchable-pdf: a copy of each input whose result (in the ledger, this run's or
        an earlier one's) has a text layer; what was written, for run_summary.json."""
        if self.options.searchable_pdf is None:
            return None
        from .searchable import write_copies

        def layers() -> Iterator[tuple[str, str, list[dict]]]:
            for path, digest in plan:
                res = None if digest in refused else ledger.result(digest, version, config)
                if res and res.get("text_layer"):
                    yield path, digest, res["text_layer"]

        return write_copies(Path(self.options.searchable_pdf), layers(), self.options.max_bytes)

    def _plan(self, ledger: Ledger, entries: list[str | Refused]) -> tuple[list[tuple[str, str]], dict[str, dict]]:
        """(input path, ledger key) in input order, and the failures of inputs that cannot be read."""
        plan: list[tuple[str, str]] = []
        refused: dict[str, dict] = {}
        with ledger.transaction():
            for n, entry in enumerate(entries):
                digest, failure = _key(ledger, entry, self.options.max_bytes)
                if failure is not None:
                    digest = f"refused:{n}"  # this run only: never a ledger key
                    refused[digest] = failure
                plan.append((os.fspath(entry.path) if isinstance(entry, Refused) else entry, digest))
        return plan, refused

    def _todo(self, ledger: Ledger, plan, refused: dict[str, dict], version: str, config: str
              ) -> tuple[list[Task], int]:
        todo: list[Task] = []
        skipped = 0
        options = self.options.model_dump()  # one dict shared by every task
        seen: set[str] = set()
        for p, digest in plan:
            if digest in refused or digest in seen:
                continue  # the same bytes under another name: done once
            seen.add(digest)
            if not self.force and reusable(ledger.state(digest, version, config)):
                skipped += 1
                continue
            todo.append((p, options, display_name(os.path.basename(p)), digest))
        return todo, skipped

    def _execute(self, ledger: Ledger, todo: list[Task], plan, version: str, config: str) -> None:
        """Run ``todo``; each result goes to the ledger as it comes, and is not kept."""
        for at in range(0, len(todo), MARK_CHUNK):  # a large first run's rows are not all built at once
            chunk = todo[at:at + MARK_CHUNK]
            ledger.mark_many([(d, version, config, "running", name, None) for _p, _o, name, d in chunk])
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
            done_count += 1
            _event(self.progress, {"event": "input_done", "file": res["source_file"], "status": res["status"],
                                   "filings": len(res["records"]), "pages": res.get("pages", 0),
                                   "done": done_count, "total": len(todo)})


@dataclass
class RunSettings:
    """What a run's outputs were made with (kept in the ledger: ``jixiao apply`` writes them again)."""

    version: str
    config: str
    formats: list[str]
    csv_bom: bool
    found: int  # inputs found (run_summary.json)


def write_from_ledger(ledger: Ledger, out: Path, settings: RunSettings,
                      order: Callable[[], Iterable[tuple[str, dict | None]]], corrections: Corrections,
                      remember: bool) -> tuple[Tally, dict]:
    """Write every output of OUTDIR from the ledger, for the inputs ``order()`` gives (ledger key,
    or a refused input's key with its failure), with ``corrections`` applied; ``remember``: keep
    that order and ``settings`` as the last run's (in the same transaction as the renderings, so the
    ledger names the inputs of the outputs last written). Returns the tally and the files written."""
    tally = Tally()
    tally.notes += ({"file": CORRECTIONS, "note": note} for note in corrections.notes)
    with ledger.transaction():  # the renderings made on the way: one commit, not one per input
        ledger.drop_renderings_except(RENDER_KEY)
        if remember:
            ledger.remember_run(order(), vars(settings))
        parts = _parts(ledger, order(), settings.version, settings.config, tally, corrections)
        written = write_parts(out, parts, set(settings.formats), bom=settings.csv_bom)
    for note in corrections.notes:
        log.warning("%s: %s", display_path(out / CORRECTIONS), note)
    conflicts = corrections.summary()["conflict_count"]
    if conflicts:
        log.warning("%s: %d decision(s) no longer fit the values extracted now and were not applied "
                    "(correction_conflict flags; run_summary.json lists them)", display_path(out / CORRECTIONS),
                    conflicts)
    return tally, written


def _in_input_order(plan: list[tuple[str, str]]) -> Iterator[str]:
    """The ledger keys of the plan, each once (the same bytes under two names give one result)."""
    emitted: set[str] = set()
    for _p, digest in plan:
        if digest not in emitted:
            emitted.add(digest)
            yield digest


def _parts(ledger: Ledger, entries: Iterable[tuple[str, dict | None]], version: str, config: str,
           tally: Tally, corrections: Corrections) -> Iterator[Part]:
    """Each input's share of the outputs, one at a time, counted into ``tally``: an unreadable
    input's failure, or the rendering of its result (``_machine_part``, ``_corrected_part``)."""
    for digest, failure in entries:
        if failure is not None:
            tally.refused += 1
            made = brief_of(failure), Part.of(failure)
        elif corrections.touches(digest):
            made = _corrected_part(ledger, digest, version, config, corrections)
        else:
            made = _machine_part(ledger, digest, version, config)
        if made is None:
            continue  # no result for these bytes (its run was cut short)
        tally.add(made[0])
        yield made[1]


def _machine_part(ledger: Ledger, digest: str, version: str, config: str) -> tuple[dict, Part] | None:
    """(brief, Part) of a result as extracted: the ledger's rendering, made and kept the first time."""
    kept = ledger.rendered(digest, version, config, RENDER_KEY)
    if kept is not None:
        return kept[0], _kept_part(kept[1])
    res = ledger.result(digest, version, config)
    if res is None:
        return None
    brief, part = brief_of(res), Part.of(res)
    ledger.keep_rendered(digest, version, config, RENDER_KEY, brief, pack(part.text))
    return brief, part


def _corrected_part(ledger: Ledger, digest: str, version: str, config: str,
                    corrections: Corrections) -> tuple[dict, Part] | None:
    """(brief, Part) of a result with the decisions on its filings applied, rendered afresh at every
    rebuild and never kept. So the kept rendering stays the machine's, true whatever the decisions
    become, and one with decisions applied can never be served after they change. Inputs with
    decisions are few (a person makes each one), so this costs little; keying the cache by a hash
    of the decisions instead would keep a stale rendering per edit, and would have to keep the
    conflicts found on the way too."""
    res = ledger.result(digest, version, config)
    if res is None:
        return None
    res = corrections.apply(res)
    return brief_of(res), Part.of(res)


def _kept_part(blob: bytes) -> Part:
    try:
        return Part(unpack(blob))
    except ValueError as e:
        raise LedgerDamaged(f"a rendering that is not ours ({e})") from e


def _event(progress: Callable[[dict], None] | None, ev: dict) -> None:
    if progress:
        progress(ev)


def brief_of(res: dict) -> dict:
    """What run_summary.json counts of one input's result (kept beside its rendering)."""
    keys = ("source_file", "status", "error_class", "message", "soft_errors", "pages", "form_pages", "seconds",
            "missing_dependency")
    brief = {k: res[k] for k in keys if k in res}
    brief["flags"] = [[fl["code"] for fl in rec.get("flags", [])] for rec in res.get("records", [])]
    return brief


@dataclass
class Tally:
    """What run_summary.json counts, gathered from each input's ``brief_of`` as the outputs are
    written (the same sums, in the same order, as over a list of the results)."""

    unique: int = 0
    by_status: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    notes: list[dict] = field(default_factory=list)  # one per soft error: a few per odd input
    filings: int = 0
    filing_status: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)
    pages: int = 0
    form_pages: int = 0
    seconds: float = 0
    missing: str | None = None  # the first missing dependency's message
    refused: int = 0  # inputs that could not be read (no ledger entry)

    def add(self, b: dict) -> None:
        self.unique += 1
        self.by_status[b["status"]] += 1
        if b["status"] == "failure":
            self.failures[b["error_class"]] += 1
        self.notes += ({"file": b["source_file"], "note": n} for n in b.get("soft_errors", []))
        for codes in b["flags"]:
            self.filings += 1
            self.filing_status["flagged" if codes else "ok"] += 1
            self.flags.update(codes)
        self.pages += b.get("pages", 0)
        self.form_pages += b.get("form_pages", 0)
        self.seconds += b.get("seconds", 0)
        if b.get("missing_dependency") and self.missing is None:
            self.missing = b["message"]


def summarise(tally: Tally, skipped: int, n_inputs: int, seconds: float, version: str,
              written: dict, out: Path, corrections: Corrections) -> dict:
    return {
        "jixiao_version": __version__,
        "pipeline_version": version,
        "python": sys.version.split()[0],
        "outdir": display_path(out),
        "inputs": {
            "found": n_inputs,
            "unique": tally.unique,
            "skipped_unchanged": skipped,
            "by_status": dict(tally.by_status),
            "failures_by_class": dict(tally.failures),
            "notes": tally.notes,
        },
        "filings": {
            "total": tally.filings,
            "by_status": dict(tally.filing_status),
        },
        "flags": {"total": sum(tally.flags.values()), "by_code": dict(sorted(tally.flags.items()))},
        "corrections": corrections.summary(),
        "pages": {"total": tally.pages, "form_pages": tally.form_pages},
        "timings": {"seconds": round(seconds, 3), "processing_seconds": round(tally.seconds, 3)},
        "outputs": sorted([*written, "run_summary.json"]),
    }
