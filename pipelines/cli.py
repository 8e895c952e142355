"""The ``jixiao`` command line. One handler maps every typed error to its exit status."""

from __future__ import annotations

import argparse
import errno
import gc
import sys

from .errors import EXIT_INTERRUPTED, JixiaoError, OutputNotWritable, UsageError
from .inputs import display_path

# Disk full, quota exceeded, read-only file system: OUTDIR not writable (exit 4).
_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 by default; SPEC says usage errors exit 1
        raise UsageError(f"{self.prog}: {message}\n(see `{self.prog} --help`)")


# Each subcommand is a module of pipelines.commands with HELP, add_arguments(parser) and run(args).
COMMANDS = ("extract", "apply", "tables", "review", "schema")


def _command_modules() -> dict:
    import importlib

    mods = {}
    for name in COMMANDS:
        try:
            mods[name] = importlib.import_module(f"jixiao.pipelines.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"jixiao.pipelines.commands.{name}":
                raise
    return mods


def build_parser(mods: dict | None = None) -> argparse.ArgumentParser:
    mods = mods if mods is not None else _command_modules()
    p = _Parser(prog="jixiao", description="Chinese budget performance-target forms (绩效目标申报表) from PDF to data.")
    p.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    for name, mod in mods.items():
        mod.add_arguments(sub.add_parser(name, help=mod.HELP, description=mod.HELP))
    return p


class _Version(argparse.Action):
    """--version, with the version looked up only when asked for (see jixiao._version)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from . import __version__

        print(f"jixiao {__version__}")  # on stdout, as argparse's own version action does
        parser.exit()


def _terminate(signum, frame):
    raise KeyboardInterrupt  # SIGTERM (a scheduler stopping the job) ends the run like Ctrl-C


def main(argv: list[str] | None = None) -> int:
    import signal

    try:
        signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread (embedded use): leave signals alone
        pass
    try:
        mods = _command_modules()
        parser = build_parser(mods)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 1
        from . import logs

        logs.setup(quiet=getattr(args, "quiet", False), json_lines=getattr(args, "log_json", False))
        return mods[args.command].run(args)
    except JixiaoError as e:
        print(f"jixiao: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("jixiao: interrupted; rerun the same command to finish (done inputs are kept)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except OSError as e:
        if e.errno not in _DISK_ERRORS:
            raise
        # A write that no part of jixiao expected to fail (outputs and ledger say so themselves).
        where = f" {display_path(e.filename)}" if e.filename else ""
        print(f"jixiao: error: cannot write{where}: {e.strerror}", file=sys.stderr)
        return OutputNotWritable.exit_code


def entry() -> None:
    """The console script: ``main``, then the end of the process."""
    code = main()
    # Tearing down the parsers' heap object by object at exit cost 0.05 s, an eighth of a
    # one-filing run. Frozen, the cyclic collector leaves it to the OS; everything else (atexit
    # handlers, buffered streams, files closed by reference counting) still runs as usual.
    gc.disable()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
