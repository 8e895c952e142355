"""Scanned pages: from a page image to the same ``extract.model.Page`` the text layer gives.

page image (the embedded scan, or pypdfium2's rendering, within a pixel budget) → upright
(90/180/270) and deskewed → ruled grid with OpenCV (image lines become ``extract.grid.Seg``s in
points, so ``extract.grid.find_tables`` rebuilds cells with their spans exactly as for a digital
page) → text lines found inside each cell and outside the tables → one batched recognition call
per page (``engines``) → ``Page(kind="scanned")`` with ``Cell``s and ``Line``s carrying the
engine's method and confidence. Ticks and boxes are found in the image, not only in the text.

Importing this package is cheap: numpy, OpenCV and the engines load only when a page needs OCR.
"""

from __future__ import annotations

from .route import needs_ocr, text_layer_usable

__all__ = ["needs_ocr", "text_layer_usable"]
