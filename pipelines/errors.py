"""Errors that end a whole run, each with its exit status (SPEC: exit statuses).

Problems with one input are not here: they are extract.errors.InputError and become rows of
failures.csv while the batch goes on.
"""

from __future__ import annotations


class JixiaoError(Exception):
    exit_code = 1


class UsageError(JixiaoError):
    """Bad arguments or configuration: exit 1."""

    exit_code = 1


class MissingDependency(JixiaoError):
    """An OCR engine or its language data is missing: exit 3."""

    exit_code = 3


class OutputNotWritable(JixiaoError):
    """OUTDIR cannot be created or written: exit 4."""

    exit_code = 4


EXIT_OK = 0
EXIT_PARTIAL = 2
EXIT_INTERRUPTED = 130
