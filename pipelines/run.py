"""A batch run: find the inputs, skip what the ledger has, process the rest, write OUTDIR."""

from __future__ import annotations

import glob
import hashlib
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from . import __version__
from .api import FileResult, Options
from .errors import MissingDependency, OutputNotWritable, UsageError
from .executors import Task, execute
from .ledger import Ledger
from .outputs import write_outputs, write_summary

FORMATS = {"jsonl", "csv", "parquet", "sqlite"}
# Failures that say nothing about the input's bytes: a rerun tries those inputs again.
TRANSIENT = frozenset({"timeout", "internal"})


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
    """PDF files named, in directories (recursive, *.pdf any case) or matched by globs."""
    found: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() == ".pdf")
        elif p.is_file():
            found.append(p)
        elif any(ch in item for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True))
            if not matches:
                raise UsageError(f"no file matches {item!r}")
            for m in matches:
                found += discover([str(m)]) if m.is_dir() else [m]
        else:
            raise UsageError(f"input not found: {item}")
    seen: set[Path] = set()
    out = []
    for p in found:
        rp = p.resolve()
        if rp not in seen:
            seen.add(rp)
            out.append(p)
    return out


def prepare_outdir(outdir: Path) -> None:
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        probe = outdir / ".jixiao-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise OutputNotWritable(f"cannot write to {outdir}: {e.strerror or e}") from e


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
    from extract.pdf import sha256_file

    st = path.stat()
    key = str(path.resolve())
    known = ledger.known_hash(key, st.st_size, st.st_mtime_ns)
    if known:
        return known
    digest = sha256_file(path)
    ledger.remember_hash(key, digest, st.st_size, st.st_mtime_ns)
    return digest


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
) -> tuple[int, dict]:
    """Run a batch; returns (exit status, summary)."""
    t0 = time.perf_counter()
    fmt = parse_formats(formats)
    options = options or Options()
    files = discover(inputs)
    out = Path(outdir)
    prepare_outdir(out)
    ledger = Ledger(out / "ledger.sqlite")
    version = pipeline_version()
    config = options.key()
    jobs = jobs or os.cpu_count() or 1
    try:
        plan: list[tuple[Path, str]] = []  # (path, sha256) in input order
        results: dict[str, dict] = {}
        with ledger.transaction():
            for p in files:
                try:
                    plan.append((p, _hash(ledger, p)))
                except OSError as e:  # this run's failure; not in the ledger, so a rerun tries again
                    plan.append((p, f"unreadable:{p}"))
                    results[f"unreadable:{p}"] = FileResult(
                        source_file=p.name, status="failure", error_class="corrupt",
                        message=f"cannot read the file: {e.strerror or e}").model_dump()
        todo: list[Task] = []
        todo_hashes: set[str] = set()
        skipped = 0
        for p, digest in plan:
            if digest in results or digest in todo_hashes:
                continue  # the same bytes under another name: done once
            prev = None if force else ledger.get(digest, version, config)
            if reusable(prev):
                results[digest] = prev[1]
                skipped += 1
                continue
            todo.append((str(p), options.model_dump(), p.name, digest))
            todo_hashes.add(digest)
        ledger.mark_many([(d, version, config, "running", name, None) for _p, _o, name, d in todo])
        done_count = 0
        if executor.startswith("dask") and todo:
            _event(progress, {"event": "executor", "executor": executor, "inputs": len(todo)})
        for digest, res in execute(todo, executor, jobs, options.timeout, max_memory):
            status = "failed" if res["status"] == "failure" else "done"
            ledger.mark(digest, version, config, status, res["source_file"], res)
            results[digest] = res
            done_count += 1
            _event(progress, {"event": "input_done", "file": res["source_file"], "status": res["status"],
                              "filings": len(res["records"]), "pages": res.get("pages", 0),
                              "done": done_count, "total": len(todo)})
        ordered = []
        emitted: set[str] = set()
        for _p, digest in plan:
            if digest in emitted or digest not in results:
                continue
            emitted.add(digest)
            ordered.append(results[digest])
        written = write_outputs(out, ordered, fmt, bom=csv_bom)
        summary = summarise(ordered, skipped, len(files), time.perf_counter() - t0, version, written, out)
        write_summary(out, summary)
    finally:
        ledger.close()
    missing = [r for r in ordered if r.get("missing_dependency")]
    if missing:
        raise MissingDependency(missing[0]["message"])
    failed = summary["inputs"]["by_status"].get("failure", 0)
    return (2 if failed else 0), summary


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
        "outdir": str(out),
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
