"""jixiao tables: every ruled table of every page, as JSON, CSV and HTML (any layout, no schema).

For a layout ``extract`` does not know (a 部门预算公开 budget table, a new form), or to see the
grid ``extract`` reads: cells with their spans, text, box and method, nothing mapped or checked.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import OutputNotWritable, UsageError

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
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")


def _read(path: Path, ranges, hook):
    """(document, None) or (None, (error_class, message)): a bad input never raises."""
    from extract.alltables import read_tables
    from extract.errors import EngineMissing

    from ..api import failure_of
    from ..errors import MissingDependency

    try:
        return read_tables(path, ranges, ocr=hook), None
    except EngineMissing as e:  # the chosen OCR engine is not installed: the whole run stops (3)
        raise MissingDependency(str(e)) from e
    except Exception as e:  # MemoryError too; a bug of ours must not stop the other inputs either
        return None, failure_of(e)


def run(args) -> int:
    from extract.alltables import ocr_hook, parse_pages

    from ..run import discover, parse_formats, prepare_outdir
    from ..tables_out import FORMATS, write_document

    formats = parse_formats(args.format, FORMATS)
    try:
        ranges = parse_pages(args.pages) if args.pages else None
    except ValueError as e:
        raise UsageError(f"--pages: {e}") from e
    files = discover(args.inputs)
    outdir = Path(args.outdir)
    prepare_outdir(outdir)
    hook = ocr_hook(args.ocr, args.ocr_engine)  # None with --ocr never
    say = (lambda *a, **k: None) if args.quiet else print
    failed = n_tables = 0
    stems: set[str] = set()
    for path in files:
        doc, error = _read(path, ranges, hook)
        if error:
            failed += 1
            print(f"jixiao: {path}: {error[0]}: {error[1]}", file=sys.stderr)
            continue
        stem = path.stem if path.stem not in stems else f"{path.stem}-{doc.sha256[:8]}"
        stems.add(stem)
        try:
            written = write_document(outdir, stem, doc, path.name, formats, bom=args.csv_bom == "yes")
        except OSError as e:
            raise OutputNotWritable(f"cannot write to {outdir}: {e.strerror or e}") from e
        found = sum(len(p.tables) for p in doc.pages)
        n_tables += found
        say(f"jixiao: {path}: {found} table(s) on {len(doc.pages)} page(s) read, {len(written)} file(s) written")
        if doc.missing_pages:
            print(f"jixiao: {path}: has {doc.n_pages} page(s); --pages asked for page(s) beyond: "
                  f"{','.join(map(str, doc.missing_pages))}", file=sys.stderr)
        scans = [p.number for p in doc.pages if p.kind == "scanned"]
        if scans and hook is None:
            print(f"jixiao: {path}: page(s) {','.join(map(str, scans))} have no text layer (scans) and "
                  "--ocr never is set, so their tables are not read", file=sys.stderr)
    say(f"jixiao: {len(files)} input(s), {failed} failed, {n_tables} table(s); outputs in {outdir}/")
    return 2 if failed else 0
