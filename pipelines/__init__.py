"""Batch runs, executors, the ledger, outputs and the command line (no parsing logic here)."""

from .. import __version__  # noqa: F401  (pyproject.toml's, through importlib.metadata)
