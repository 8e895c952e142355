"""jixiao tables: every ruled table of every page, as JSON, CSV and HTML (any layout, no schema).

For a layout ``extract`` does not know (a 部门预算公开 budget table, a new form), or to see the
grid ``extract`` reads: cells with their spans, text, box and method, nothing mapped or checked.

Inputs run as ``extract``'s do (``executors``): each in a worker process with a deadline and a
memory cap, so a PDF that hangs, eats memory or crashes a C library fails alone (``timeout``,
``internal``) and the others are written. Only this process writes DIR.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import MissingDependency, OutputNotWritable, UsageError
from .extract import add_execution_arguments, check_execution_arguments, local_pool

HELP = "dump every ruled table of PDFs (any layout) into DIR as JSON, CSV and HTML"


def add_arguments(p) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="PDF files, directories (recursive) or globs")
    p.add_argument("-o", "--outdir", required=True, metavar="DIR")
    p.add_argument("--format", default="json,csv,html", help="comma-separated: json,csv,html (default: all three)")
    p.add_argument("--pages", metavar="RANGE", help="pages to read, e.g. 1-3,5,8- (default: every page)")
    p.add_argument("--csv-bom", choices=("yes", "no"), default="yes", help="UTF-8 BOM in CSV files (default yes)")
    p.add_argument("--ocr", choices=("auto", "always", "never"), default="auto",
                   help="read pages without a usable text layer from their image (default auto)")
    p.add_argument("--ocr-engine", choices=("rapidocr", "tesseract"), default="rapidocr")
    p.add_argument("--wait", action="store_true",
                   help="when another run is writing DIR, wait for it to end (default: exit 1 at once)")
    add_execution_arguments(p)
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")


@dataclass
class _Input:
    """One input: its path, its sha256 (the task's key) and output stem, or why it cannot be read."""

    path: Path
    digest: str | None = None
    stem: str = ""
    failure: tuple[str, str] | None = None  # (error_class, message)


def run(args) -> int:
    from jixiao.extract.alltables import parse_pages

    from .. import api, executors  # noqa: F401  (api: pydantic loaded once, here, inherited by the workers)
    from ..run import parse_formats
    from ..tables_out import FORMATS

    check_execution_arguments(args)
    formats = parse_formats(args.format, FORMATS)
    try:
        if args.pages:  # a usage error here, not a failure of every input in the workers
            parse_pages(args.pages)
    except ValueError as e:
        raise UsageError(f"--pages: {e}") from e
    pool = local_pool(args, executors.run_tables_task)  # looked up now: tests replace it
    try:
        return _tables(args, formats, pool, executors.run_tables_task)
    finally:
        if pool is not None:
            pool.close()


def _tables(args, formats: set[str], pool, fn) -> int:
    from ..api import Options
    from ..inputs import find_inputs
    from ..outdir import hold as hold_outdir
    from ..run import prepare_outdir

    options = Options(ocr=args.ocr, ocr_engine=args.ocr_engine, timeout=args.timeout)
    entries = find_inputs(args.inputs)  # a name that matches nothing: a usage error, before any work
    outdir = Path(args.outdir)
    prepare_outdir(outdir)
    with hold_outdir(outdir, args.wait):  # two runs writing one DIR would mix their files
        return _tables_in(args, formats, pool, fn, options, entries, outdir)


def _tables_in(args, formats: set[str], pool, fn, options, entries: list, outdir: Path) -> int:
    from ..executors import execute

    inputs = _plan(entries, options.max_bytes)
    report = _Report(outdir, formats, args)
    for inp in inputs:
        if inp.failure:
            report.failed(inp, *inp.failure)
    tasks = _tasks(inputs, {**options.model_dump(), "pages": args.pages})
    jobs = args.jobs or os.cpu_count() or 1
    for digest, res in execute(tasks, args.executor, jobs, args.timeout, int(args.max_memory * (1 << 30)),
                               pool, fn=fn):
        if res.get("missing_dependency"):  # the chosen OCR engine cannot load: the whole run stops (3)
            raise MissingDependency(res["message"])
        for inp in inputs:
            if inp.digest == digest:  # the same bytes under two names: read once, written for each
                report.done(inp, res)
    report.say(f"jixiao: {len(inputs)} input(s), {report.n_failed} failed, {report.n_tables} table(s); "
               f"outputs in {outdir}/")
    return 2 if report.n_failed else 0


def _plan(entries: list, max_bytes: int) -> list[_Input]:
    """The inputs in order, each hashed (the size limit first) or failed; stems unique in DIR
    (a second ``x.pdf`` is ``x-<first 8 hex of its sha256>``)."""
    from ..inputs import Refused, display_name

    out: list[_Input] = []
    stems: set[str] = set()
    for entry in entries:
        if isinstance(entry, Refused):  # a FIFO, a dangling link, a directory named *.pdf, …
            out.append(_Input(entry.path, failure=(entry.error_class, entry.message)))
            continue
        inp = _Input(entry)
        inp.digest, inp.failure = _hash(entry, max_bytes)
        if inp.digest:
            stem = display_name(entry.stem)  # a GBK name as Chinese text, like every output's
            inp.stem = stem if stem not in stems else f"{stem}-{inp.digest[:8]}"
            stems.add(inp.stem)
        out.append(inp)
    return out


def _hash(path: Path, max_bytes: int) -> tuple[str | None, tuple[str, str] | None]:
    from ..inputs import checked_digest

    return checked_digest(path, max_bytes)


def _tasks(inputs: list[_Input], opts: dict) -> list:
    from ..inputs import display_name

    tasks, seen = [], set()
    for inp in inputs:
        if inp.digest and inp.digest not in seen:
            seen.add(inp.digest)
            tasks.append((str(inp.path), opts, display_name(inp.path.name), inp.digest))
    return tasks


class _Report:
    """Writes each input's files as its result comes, and says what happened (stdout / stderr)."""

    def __init__(self, outdir: Path, formats: set[str], args):
        self.outdir, self.formats = outdir, formats
        self.bom = args.csv_bom == "yes"
        self.ocr_off = args.ocr == "never"
        self.say = (lambda *a, **k: None) if args.quiet else print
        self.n_failed = self.n_tables = 0

    def failed(self, inp: _Input, error_class: str, message: str) -> None:
        from ..inputs import display_path

        self.n_failed += 1
        print(f"jixiao: {display_path(inp.path)}: {error_class}: {message}", file=sys.stderr)

    def done(self, inp: _Input, res: dict) -> None:
        from jixiao.extract.alltables import TablesDocument

        from ..inputs import display_name, display_path
        from ..tables_out import write_document

        if res["status"] == "failure":
            self.failed(inp, res["error_class"], res["message"])
            return
        doc = TablesDocument.model_validate(res["document"])
        try:
            written = write_document(self.outdir, inp.stem, doc, display_name(inp.path.name), self.formats,
                                     bom=self.bom)
        except OSError as e:
            raise OutputNotWritable(f"cannot write to {self.outdir}: {e.strerror or e}") from e
        where = display_path(inp.path)
        found = sum(len(p.tables) for p in doc.pages)
        self.n_tables += found
        self.say(f"jixiao: {where}: {found} table(s) on {len(doc.pages)} page(s) read, {len(written)} file(s) written")
        for note in res.get("soft_errors", []):  # damaged pages, skipped: the others were read
            print(f"jixiao: {where}: {note}", file=sys.stderr)
        if doc.missing_pages:
            print(f"jixiao: {where}: has {doc.n_pages} page(s); --pages asked for page(s) beyond: "
                  f"{','.join(map(str, doc.missing_pages))}", file=sys.stderr)
        scans = [p.number for p in doc.pages if p.kind == "scanned"]
        if scans and self.ocr_off:
            print(f"jixiao: {where}: page(s) {','.join(map(str, scans))} have no text layer (scans) and "
                  "--ocr never is set, so their tables are not read", file=sys.stderr)
