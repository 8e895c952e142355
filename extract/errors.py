"""Typed failures of one input. ``error_class`` is the SPEC's failures.csv vocabulary."""

from __future__ import annotations


class InputError(Exception):
    """An input that yields no result. Never stops a batch: it becomes a failures.csv row."""

    error_class = "internal"


class NotAPdf(InputError):
    error_class = "not_a_pdf"


class Encrypted(InputError):
    error_class = "encrypted"


class Corrupt(InputError):
    error_class = "corrupt"


class Empty(InputError):
    error_class = "empty"


class TooLarge(InputError):
    error_class = "too_large"


class Timeout(InputError):
    error_class = "timeout"


class OcrUnavailable(InputError):
    error_class = "ocr_unavailable"


class NeedsOcr(InputError):
    """A page has no usable text layer and OCR is switched off (``--ocr never``)."""

    error_class = "ocr_unavailable"


class EngineMissing(OcrUnavailable):
    """The chosen OCR engine or its language data is not installed: the run exits 3."""
