"""jixiao review: a static HTML report of an OUTDIR (OUTDIR/review/index.html; no server needed),
or with --serve the same site served to this computer, where decisions go to corrections.jsonl."""

from __future__ import annotations

DEFAULT_SCALE = 1.5  # 108 dpi: an A4 page is 893 x 1263 px, small CJK print stays legible
DEFAULT_PORT = 8714

HELP = ("write a static HTML review site of OUTDIR's filings into OUTDIR/review/ (open index.html from disk); "
        "with --serve, serve it on 127.0.0.1 to write corrections")


def add_arguments(parser) -> None:
    parser.add_argument("outdir", metavar="OUTDIR", help="the OUTDIR of a `jixiao extract` run")
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                        help=f"page image scale, 1 = 72 dpi (default {DEFAULT_SCALE}); images are rendered once")
    parser.add_argument("--image-format", choices=("auto", "jpeg", "png"), default="auto",
                        help="page images: auto (default: the smaller of a 16-colour PNG and a JPEG), jpeg, png")
    parser.add_argument("--pdf-dir", action="append", default=[], metavar="DIR",
                        help="where to look for source PDFs that are no longer where the ledger saw them (repeatable)")
    parser.add_argument("--serve", action="store_true",
                        help="serve the site on 127.0.0.1 (prints its address with a token) to edit values, confirm "
                             "them and dismiss flags: decisions go to OUTDIR/corrections.jsonl; Ctrl-C stops it")
    parser.add_argument("--port", type=int, default=None, metavar="N",
                        help=f"with --serve: the port (default {DEFAULT_PORT}; 0: any free port)")
    parser.add_argument("--reviewer", default=None, metavar="NAME",
                        help="with --serve: the name decisions are written with (default: your user name)")
    parser.add_argument("-q", "--quiet", action="store_true")


def run(args) -> int:
    from ..errors import UsageError

    if args.serve:
        from ..review_server import serve

        return serve(args.outdir, DEFAULT_PORT if args.port is None else args.port, args.reviewer, args.scale,
                     args.image_format, args.pdf_dir, args.quiet)
    if args.port is not None or args.reviewer is not None:
        raise UsageError("--port and --reviewer go with --serve")
    from ..review import build_site, report

    report(build_site(args.outdir, scale=args.scale, fmt=args.image_format, pdf_dirs=args.pdf_dir), args.quiet)
    return 0
