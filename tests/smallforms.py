"""Small label | value forms drawn with reportlab, for end-to-end tests of one layout or text-layer
trait at a time (the full samples are in sample_pdfs/)."""

from __future__ import annotations

from pathlib import Path

import pytest

FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def draw_kv_form(path: Path, title: str, rows: list[tuple[str, str]], columns: tuple[float, ...] = (72, 200, 520),
                 subtitle: str | None = None, compress: bool = True) -> None:
    """A title and a two-column ruled table; ``columns``: the x of each vertical ruling drawn
    (row rulings always run from x=72 to 520)."""
    pytest.importorskip("reportlab")
    if not FONT_FILE.exists():
        pytest.skip("fonts-wqy-microhei is not installed")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("WQY", str(FONT_FILE), subfontIndex=0))
    c = canvas.Canvas(str(path), pageCompression=1 if compress else 0)
    c.setFont("WQY", 14)
    c.drawString(150, 760, title)
    c.setFont("WQY", 10)
    if subtitle:
        c.drawString(72, 735, subtitle)
    top, h = 720, 30
    for x in columns:
        c.line(x, top, x, top - h * len(rows))
    for k in range(len(rows) + 1):
        c.line(72, top - h * k, 520, top - h * k)
    for k, (label, value) in enumerate(rows):
        c.drawString(78, top - h * k - 19, label)
        c.drawString(206, top - h * k - 19, value)
    c.save()
