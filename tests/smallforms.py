"""Small label | value forms drawn with reportlab, for end-to-end tests of one layout or text-layer
trait at a time (the full samples are in sample_pdfs/)."""

from __future__ import annotations

from pathlib import Path

import pytest

FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


Value = str | list[tuple[str, float]]  # text, or pieces of text each followed by a blank (points)


def draw_kv_form(path: Path, title: str, rows: list[tuple[str, Value]], columns: tuple[float, ...] = (72, 200, 520),
                 subtitle: str | None = None, compress: bool = True, title_in_table: bool = False) -> None:
    """A title and a two-column ruled table; ``columns``: the x of each vertical ruling drawn
    (row rulings always run from x=72 to 520). A value given as pieces, [(text, blank), …], is
    printed piece by piece, each followed by ``blank`` points of paper. ``title_in_table``: the title is printed in a
    first row of the table spanning both columns (outer rulings only there)."""
    pytest.importorskip("reportlab")
    if not FONT_FILE.exists():
        pytest.skip("fonts-wqy-microhei is not installed")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("WQY", str(FONT_FILE), subfontIndex=0))
    c = canvas.Canvas(str(path), pageCompression=1 if compress else 0)
    top, h = 720, 30
    c.setFont("WQY", 14)
    if title_in_table:
        c.drawString(150, top + h - 21, title)
        c.line(72, top + h, 520, top + h)
        for x in (72, 520):
            c.line(x, top + h, x, top)
    else:
        c.drawString(150, 760, title)
    c.setFont("WQY", 10)
    if subtitle:
        c.drawString(72, 735, subtitle)
    for x in columns:
        c.line(x, top, x, top - h * len(rows))
    for k in range(len(rows) + 1):
        c.line(72, top - h * k, 520, top - h * k)
    for k, (label, value) in enumerate(rows):
        c.drawString(78, top - h * k - 19, label)
        x = 206
        for text, blank in [(value, 0.0)] if isinstance(value, str) else value:
            c.drawString(x, top - h * k - 19, text)
            x += c.stringWidth(text, "WQY", 10) + blank
    c.save()


def scan_of(pdf: Path, out: Path, dpi: int = 300, skew: float = 0.6, upside_down: bool = False) -> None:
    """``pdf`` as a scanner would give it (one degraded JPEG per page, no text layer), made with
    the same steps as the scanned samples; ``upside_down``: every page fed the wrong way round."""
    import numpy as np
    import pypdfium2 as pdfium

    from sample_pdfs.make_scans import add_image_page, degrade, jpeg, render_gray

    src, dst = pdfium.PdfDocument(str(pdf)), pdfium.PdfDocument.new()
    try:
        for i in range(len(src)):
            page = src[i]
            width, height = page.get_size()
            img = degrade(render_gray(page, dpi), skew, 3.0, 0.0, np.random.default_rng(i))
            if upside_down:
                img = np.ascontiguousarray(np.rot90(img, 2))
            add_image_page(dst, jpeg(img, 75), width, height, i)
        dst.save(str(out))
    finally:
        dst.close()
        src.close()
