"""A quick look at a scanned page: may it start a form?

An archive of scanned budget books is mostly pages that are no form, and reading one in full
(the probe: full-resolution image, rulings, every line outside the tables, the upside-down test)
costs seconds.  A form starts with its title: the tallest text near the top of the page, or in
the first row of its first table.  The glance reads only those few lines, from a small image,
and says no when none of them is a title; the full probe then decides the pages it lets through.

It must never say no to a form (a lost filing), so it is generous: the title test is the
probe's own, and a page whose upright reading is doubtful is also read turned 180°.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from .. import classify
from . import image as im
from . import layout as lay

if TYPE_CHECKING:
    from .reader import Scan, ScanReader

GLANCE_DPI = 100  # a title (14 pt and up) is 20 px tall or more: enough for the recogniser
CANDIDATES = 3  # the tallest lines of the title band
TITLE_BAND = 0.4  # the share of the page, from the top, where a form's title stands
UPRIGHT_SURE = 0.8  # mean confidence of the upright reading above which the page is upright


def may_start_form(reader: ScanReader, pdfium_page) -> bool:
    """Whether the page may show a form title (False: it surely does not)."""
    scan = reader._layout(0, small_image(pdfium_page))
    upright = title_lines(scan)
    if not upright:
        return False
    read = reader.engine.recognize([reader._crop(scan, b) for b in upright])
    if any(classify.is_title(r.text) for r in read):
        return True
    if read and float(np.mean([r.confidence for r in read])) >= UPRIGHT_SURE:
        return False  # read well upright, and no title: not turned, not a form's first page
    turned = title_lines(scan, from_bottom=True)
    crops = [np.ascontiguousarray(np.rot90(reader._crop(scan, b), 2)) for b in turned]
    return any(classify.is_title(r.text) for r in reader.engine.recognize(crops))


def small_image(pdfium_page) -> im.PageImage:
    """The page at GLANCE_DPI, turned upright when its text runs down the page, and deskewed
    as the full read does (a title tilted by 2° spans several line bands and reads as nothing)."""
    img = im.load_page_image(pdfium_page, GLANCE_DPI)
    if img.dpi > 1.2 * GLANCE_DPI:  # an embedded scan comes at its own resolution
        f = GLANCE_DPI / img.dpi
        gray = cv2.resize(img.gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        img = im.PageImage(gray=gray, pt_per_px=img.pt_per_px / f)
    im.straighten(img)
    return img


def title_lines(scan: Scan, from_bottom: bool = False) -> list[lay.LineBox]:
    """The tallest lines of the title band (outside the tables), and the longest lines of the
    first table's first row; ``from_bottom``: the same for the page turned 180°."""
    height = scan.clean.shape[0]

    def in_band(b: lay.LineBox) -> bool:
        return b.y1 >= (1 - TITLE_BAND) * height if from_bottom else b.y0 <= TITLE_BAND * height

    outside = sorted((b for b in scan.outside if in_band(b)), key=lambda b: -b.height)[:CANDIDATES]
    if not scan.tables:
        return outside
    pick = max if from_bottom else min
    k = pick(range(len(scan.tables)), key=lambda i: scan.tables[i].bbox[1 if not from_bottom else 3])
    table = scan.tables[k]
    edge_row = max(c.row + c.rowspan - 1 for c in table.cells) if from_bottom else 0
    row = [
        b
        for cell, lines in zip(table.cells, scan.cell_lines[k])
        if (cell.row + cell.rowspan - 1 if from_bottom else cell.row) == edge_row
        for b in lines
    ]
    return outside + sorted(row, key=lambda b: -(b.x1 - b.x0))[:2]
