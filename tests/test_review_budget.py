"""The review site renders within a pixel budget (issue 13): a page with a huge MediaBox is rendered
smaller, quickly and in little memory, its boxes still in place; a page PDFium cannot render gets a
placeholder and the site is built all the same. No browser needed: the records are written here."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from jixiao.pipelines.commands.review import DEFAULT_SCALE
from jixiao.pipelines.review import A4, MAX_PIXELS, page_scale

from .badinputs import _pdf
from .conftest import ROOT

HUGE = 14400.0  # pt: 200 inches, the largest page the PDF spec allows


def _huge_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(HUGE, HUGE))
    c.rect(7200, HUGE - 7250, 100, 50)
    c.setFont("Helvetica", 24)
    c.drawString(7210, HUGE - 7235, "a value")
    c.save()


def _damaged_pdf(path: Path) -> None:
    """Page 1 draws a square; page 2 is a /Pages node that names itself as its kid (PDFium cannot load it)."""
    square = b"0 0 1 rg 100 100 200 200 re f"
    path.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(square) + square + b"\nendstream",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 /Parent 2 0 R >>",
    ]))


def _outdir(tmp_path: Path, pdf: Path, boxes: dict[str, tuple[int, list[float]]]) -> Path:
    """An OUTDIR with one filing of ``pdf`` whose values are at ``boxes`` (path -> (page, bbox))."""
    out = tmp_path / "out"
    out.mkdir()
    rec = {
        "filing_id": "f1",
        "source": {"file": pdf.name, "sha256": hashlib.sha256(pdf.read_bytes()).hexdigest(),
                   "pages": sorted({page for page, _ in boxes.values()})},
        "fields": {path.split(".", 1)[1]: "x" for path in boxes},
        "provenance": {path: {"page": page, "bbox": bbox, "method": "text", "confidence": 1.0}
                       for path, (page, bbox) in boxes.items()},
        "flags": [],
    }
    (out / "filings.jsonl").write_text(json.dumps(rec) + "\n", encoding="utf-8")
    return out


def _review(out: Path, pdf_dir: Path) -> tuple[subprocess.CompletedProcess, float, int]:
    """`jixiao review` in a process of its own: (the run, its seconds, its peak RSS in MB)."""
    code = ("import resource, sys, time; from jixiao.pipelines.cli import main; t0 = time.monotonic();"
            f" rc = main(['review', {str(out)!r}, '--pdf-dir', {str(pdf_dir)!r}]);"
            " print(rc, time.monotonic() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")
    run = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                         capture_output=True, text=True, timeout=300)
    rc, seconds, mb = run.stdout.split()[-3:]
    assert rc == "0", run.stderr
    return run, float(seconds), int(mb)


def test_page_scale_keeps_the_asked_scale_within_the_budget():
    assert page_scale(*A4, DEFAULT_SCALE) == DEFAULT_SCALE
    assert page_scale(*A4, 4.0) == 4.0  # the largest --scale on A4: 8 Mpx
    s = page_scale(HUGE, HUGE, DEFAULT_SCALE)
    assert s < DEFAULT_SCALE and (HUGE * s + 1) ** 2 <= MAX_PIXELS  # PDFium rounds each side up


def test_a_huge_page_is_rendered_within_the_pixel_budget_and_its_boxes_stay_aligned(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    pdf = src / "huge.pdf"
    _huge_pdf(pdf)
    out = _outdir(tmp_path, pdf, {"fields.project_name": (1, [7200.0, 7250.0, 7300.0, 7300.0])})
    run, seconds, mb = _review(out, src)
    assert seconds < 30 and mb < 2000, (seconds, mb)  # unbounded: 5.5 GB, 35 s; bounded: 0.3–1.1 GB
    assert "page 1 of huge.pdf (14400 x 14400 pt) was rendered at scale 0.347, not 1.5" in run.stderr
    (m,) = json.loads((out / "review" / "pages" / "pages.json").read_text("utf-8")).values()
    assert m["w_px"] * m["h_px"] <= MAX_PIXELS and m["scale"] == DEFAULT_SCALE
    assert abs(m["w_px"] - HUGE * m["effective_scale"]) <= 1 and abs(m["h_px"] - HUGE * m["effective_scale"]) <= 1
    assert Image.open(out / "review" / "pages" / m["file"]).size == (m["w_px"], m["h_px"])
    # The box is placed in percentages of the page in pt: the same place on any image of its shape.
    html = (out / "review" / "filings" / "f1.html").read_text("utf-8")
    assert 'style="left:50.0000%;top:50.3472%;width:0.6944%;height:0.3472%"' in html
    assert f'width="{m["w_px"]}" height="{m["h_px"]}"' in html and "shown at scale 0.347 (pixel budget)" in html


def test_a_page_that_cannot_be_rendered_gets_a_placeholder_and_the_site_is_built(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    pdf = src / "damaged.pdf"
    _damaged_pdf(pdf)
    out = _outdir(tmp_path, pdf, {"fields.project_name": (1, [100.0, 600.0, 300.0, 700.0]),
                                  "fields.department": (2, [100.0, 100.0, 300.0, 150.0])})
    run, _seconds, _mb = _review(out, src)
    assert "page 2 of damaged.pdf could not be rendered (PdfiumError: Failed to load page.)" in run.stderr
    assert "Traceback" not in run.stderr
    html = (out / "review" / "filings" / "f1.html").read_text("utf-8")
    assert html.count("<img ") == 1 and "page 2 of the source PDF cannot be rendered" in html
    assert "not found" not in html
    manifest = json.loads((out / "review" / "pages" / "pages.json").read_text("utf-8"))
    assert [k.rsplit("-", 1)[1] for k in manifest] == ["p1"]  # the failed page is tried again next time
