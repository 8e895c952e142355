"""jixiao apply: OUTDIR's outputs written again from its ledger with corrections.jsonl applied."""

from __future__ import annotations

HELP = "rewrite OUTDIR's outputs from its ledger with OUTDIR/corrections.jsonl applied (no PDF is read)"


def add_arguments(parser) -> None:
    parser.add_argument("outdir", metavar="OUTDIR", help="the OUTDIR of a `jixiao extract` run")
    parser.add_argument("--wait", action="store_true",
                        help="when another run is writing OUTDIR, wait for it to end (default: exit 1 at once)")
    parser.add_argument("-q", "--quiet", action="store_true")


def run(args) -> int:
    from ..run import apply_corrections

    summary = apply_corrections(args.outdir, wait=args.wait)
    if not args.quiet:
        print(f"jixiao: {summary['filings']['total']} filing(s) written again from the ledger")
        print(corrections_line(summary))
        print(f"jixiao: outputs in {summary['outdir']}/ ({', '.join(summary['outputs'])})")
    return 0


def corrections_line(summary: dict) -> str:
    """What the decisions of corrections.jsonl did, in a line (``apply``, and ``extract`` where any)."""
    c = summary["corrections"]
    return (f"jixiao: corrections: {c['decisions']} decision(s), {c['applied']} applied, "
            f"{c['conflict_count']} conflict(s), {c['orphaned']} orphaned, {c['malformed']} malformed line(s); "
            f"{c['reviewed_filings']} filing(s) reviewed")
