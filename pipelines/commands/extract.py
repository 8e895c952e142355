"""jixiao extract: filings from PDFs into OUTDIR (SPEC: the command line)."""

from __future__ import annotations

import json
import os
import sys
import time

from ..errors import UsageError

HELP = "extract filings from PDFs into OUTDIR"


def add_arguments(e) -> None:
    e.add_argument("inputs", nargs="+", metavar="INPUT", help="PDF files, directories (recursive) or globs")
    e.add_argument("-o", "--outdir", required=True, metavar="OUTDIR")
    e.add_argument("--format", default="jsonl,csv", help="any of jsonl,csv,parquet,sqlite (default: jsonl,csv)")
    e.add_argument("--ocr", choices=("auto", "always", "never"), default="auto")
    e.add_argument("--ocr-engine", choices=("rapidocr", "tesseract"), default="rapidocr")
    add_execution_arguments(e)
    e.add_argument("--force", action="store_true", help="reprocess inputs the ledger already has")
    e.add_argument("--csv-bom", choices=("yes", "no"), default="yes", help="UTF-8 BOM in CSV files (default yes)")
    e.add_argument("--wait", action="store_true",
                   help="when another run is writing OUTDIR, wait for it to end (default: exit 1 at once)")
    e.add_argument("--log-json", action="store_true", help="one JSON line per event on stderr")
    e.add_argument("-q", "--quiet", action="store_true")
    e.add_argument("--review", action="store_true",
                   help="also write the review site into OUTDIR/review/ (as `jixiao review OUTDIR` does)")
    e.add_argument("--searchable-pdf", metavar="DIR", default=None,
                   help="also write into DIR, for each input with scanned pages, a copy whose scanned pages carry"
                        " jixiao's OCR as invisible text (searchable in a PDF viewer); every scanned page is then"
                        " read, not only the forms")


def add_execution_arguments(p) -> None:
    """How inputs are run (workers, executor, memory cap, timeout): shared by extract and tables."""
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: the number of cores)")
    p.add_argument("--executor", default="local", help="local (default), dask-local, or dask://HOST:PORT")
    p.add_argument("--max-memory", type=float, default=4.0, metavar="GIB",
                   help="memory cap per local worker process in GiB (default 4; 0: none)")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS", help="per input (default 600)")


def check_execution_arguments(args) -> None:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    if args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.max_memory < 0:
        raise UsageError("--max-memory must be 0 (no cap) or a number of GiB")


def local_pool(args, fn=None):
    """With the local executor, a pool whose first worker loads the parsers while this process
    goes on (finding and hashing the inputs); None with dask. ``fn``: the per-input function."""
    if args.executor != "local":
        return None
    from ..executors import LocalPool

    jobs = args.jobs or os.cpu_count() or 1
    return LocalPool(jobs, args.timeout, int(args.max_memory * (1 << 30)), fn=fn).prestart()


def run(args) -> int:
    check_execution_arguments(args)
    # The first worker starts before this process imports anything more: it loads the parsers
    # (the longest part of a small run) while this process loads its own modules and reads the
    # inputs. Workers started later inherit what this process has loaded by then.
    pool = local_pool(args)
    try:
        return _extract(args, pool)
    finally:
        if pool is not None:
            pool.close()


def _extract(args, pool) -> int:
    from ..api import Options
    from ..run import parse_formats
    from ..run import run as run_batch
    if args.review and "jsonl" not in parse_formats(args.format):
        raise UsageError("--review needs the jsonl format (filings.jsonl)")
    if args.searchable_pdf is not None and args.ocr == "never":
        raise UsageError("--searchable-pdf needs OCR: use --ocr auto or --ocr always")
    tty = sys.stderr.isatty() and not args.log_json
    bar = Progress()

    def progress(ev: dict) -> None:
        if args.quiet and not args.log_json:
            return
        if tty:
            bar.show(ev)
        else:
            print(json.dumps(ev, ensure_ascii=False), file=sys.stderr, flush=True)

    options = Options(ocr=args.ocr, ocr_engine=args.ocr_engine, timeout=args.timeout,
                      searchable_pdf=args.searchable_pdf)
    code, summary = run_batch(
        args.inputs,
        args.outdir,
        formats=args.format,
        jobs=args.jobs,
        options=options,
        executor=args.executor,
        force=args.force,
        csv_bom=args.csv_bom == "yes",
        progress=progress,
        max_memory=int(args.max_memory * (1 << 30)),
        wait=args.wait,
        pool=pool,
    )
    if not args.quiet:
        if tty and bar.shown:
            print(file=sys.stderr)
        print(closing_line(summary))
        if summary["corrections"]["decisions"] or summary["corrections"]["malformed"]:
            from .apply import corrections_line

            print(corrections_line(summary))
        print(f"jixiao: outputs in {summary['outdir']}/ ({', '.join(summary['outputs'])})")
        if "searchable_pdf" in summary:
            copies = summary["searchable_pdf"]
            print(f"jixiao: {copies['written']} searchable copy(ies) of scanned inputs in {copies['dir']}/")
        if summary["inputs"]["failures_by_class"]:
            print(f"jixiao: failed inputs are listed in {summary['outdir']}/failures.csv", file=sys.stderr)
    if args.review:
        from ..review import build_site, report

        report(build_site(args.outdir), args.quiet)
    return code


class Progress:
    """A one-line progress bar on a terminal: files and pages done, ETA."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.pages = 0
        self.shown = False

    def show(self, ev: dict) -> None:
        if ev.get("event") != "input_done":
            return
        self.pages += ev.get("pages", 0)
        done, total = ev["done"], ev["total"]
        elapsed = time.monotonic() - self.t0
        eta = elapsed / done * (total - done) if done else 0
        width = 24
        fill = int(width * done / max(total, 1))
        line = (f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} files, {self.pages} pages, "
                f"ETA {eta:4.0f} s  {ev['file'][:40]:<40}")
        print(line, end="", file=sys.stderr, flush=True)
        self.shown = True


def closing_line(summary: dict) -> str:
    ins, fil = summary["inputs"], summary["filings"]
    status = ", ".join(f"{k} {v}" for k, v in sorted(ins["by_status"].items())) or "none"
    flags = ", ".join(f"{k} {v}" for k, v in summary["flags"]["by_code"].items()) or "none"
    return (
        f"jixiao: {ins['found']} input(s) ({status}; {ins['skipped_unchanged']} unchanged, skipped), "
        f"{fil['total']} filing(s), flags: {flags}"
    )
