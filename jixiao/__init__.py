"""jixiao: Chinese budget performance-target forms (绩效目标申报表) from PDF to data.

The command line is ``jixiao`` (or ``python -m jixiao``). In Python, in a notebook::

    import jixiao
    records = jixiao.extract("sample_pdfs")     # the canonical records (SPEC), as dicts
    frames = jixiao.to_frames(records)          # the SPEC tables as pandas DataFrames
    frames["indicators"]

The parts are the subpackages ``jixiao.extract`` (PDF → pages and tables), ``jixiao.normalize``
(labels → the schema, values, checks) and ``jixiao.pipelines`` (batch runs, outputs, the CLI).
``jixiao.extract`` is the subpackage, and calling it runs ``extract_paths`` (see ``_Extract``).
Importing ``jixiao`` loads none of them: they are imported when first used.
"""

from __future__ import annotations

import os
import types
from functools import cache
from importlib import import_module


@cache
def _version() -> str:
    """pyproject.toml's [project] version, the one place it is written. Looked up when asked
    for: importlib.metadata costs 25 ms, and the command line forks its first worker before."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jixiao")
    except PackageNotFoundError:  # the source folders on sys.path without an install
        return "0+unknown"

__all__ = ["__version__", "extract", "to_frames"]


class _Extract(types.ModuleType):
    """The class of the module ``jixiao.extract`` (extract/__init__.py sets it): the subpackage
    that reads PDFs is also the API's function, ``jixiao.extract(paths, **config)``."""

    def __call__(self, paths: str | os.PathLike | list[str | os.PathLike], **config) -> list[dict]:
        """The canonical records (SPEC) of the filings in ``paths``, as dicts: one per filing,
        exactly as the lines of filings.jsonl (amounts as decimal strings such as "12.50").

        ``paths``: a PDF file, a folder (every *.pdf in it, recursively), a glob, or a list of
        these. ``config``: the run's options as the CLI has them (``ocr="auto"|"always"|"never"``,
        ``ocr_engine="rapidocr"|"tesseract"``, ``timeout`` in seconds per input, ``max_bytes``).

        The inputs are read in this process, one after the other: no ledger, no output folder,
        no worker processes (``jixiao extract`` on the command line has those). An input that
        cannot be read (not a PDF, damaged, too large, a timeout) raises its error (a subclass of
        ``jixiao.extract.errors.InputError``, naming the file); one with no form gives no records.
        A path that does not exist raises ``jixiao.pipelines.errors.UsageError``.
        """
        from .pipelines.api import extract_paths

        return extract_paths(paths, **config)


def to_frames(records) -> dict:
    """The SPEC tables of ``records`` (as ``jixiao.extract`` returns them, or the lines of a
    filings.jsonl) as pandas DataFrames: ``filings``, ``indicators``, ``cost_items``,
    ``safeguards`` and ``flags``, with the columns and rows of the CSV files. Amounts are
    ``decimal.Decimal`` (object dtype), counts ``int``, yes/no ``bool``, absent values ``None``.
    """
    from .pipelines.outputs import frames_of

    return frames_of(records)


def __getattr__(name: str):
    if name == "__version__":
        return _version()
    if name in ("extract", "normalize", "pipelines"):  # jixiao.extract(...) with no import before
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
