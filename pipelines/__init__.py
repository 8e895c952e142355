"""Batch runs, executors, the ledger, outputs and the command line (no parsing logic here)."""

__version__ = "0.1.0"
