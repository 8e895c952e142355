"""jixiao review: a static HTML report of an OUTDIR (OUTDIR/review/index.html; no server needed)."""

from __future__ import annotations

DEFAULT_SCALE = 1.5  # 108 dpi: an A4 page is 893 x 1263 px, small CJK print stays legible

HELP = "write a static HTML review site of OUTDIR's filings into OUTDIR/review/ (open index.html from disk)"


def add_arguments(parser) -> None:
    parser.add_argument("outdir", metavar="OUTDIR", help="the OUTDIR of a `jixiao extract` run")
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                        help=f"page image scale, 1 = 72 dpi (default {DEFAULT_SCALE}); images are rendered once")
    parser.add_argument("--image-format", choices=("auto", "jpeg", "png"), default="auto",
                        help="page images: auto (default: the smaller of a 16-colour PNG and a JPEG), jpeg, png")
    parser.add_argument("--pdf-dir", action="append", default=[], metavar="DIR",
                        help="where to look for source PDFs that are no longer where the ledger saw them (repeatable)")
    parser.add_argument("-q", "--quiet", action="store_true")


def run(args) -> int:
    from ..review import build_site, report

    report(build_site(args.outdir, scale=args.scale, fmt=args.image_format, pdf_dirs=args.pdf_dir), args.quiet)
    return 0
