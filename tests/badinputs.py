"""A corpus of bad inputs, each kind of SPEC failure (made here, never committed)."""

from __future__ import annotations

import zlib
from pathlib import Path


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return out


def _page_pdf(content: bytes, mediabox: bytes = b"[0 0 595 842]", extra_catalog: bytes = b"",
              filter_: bytes = b"") -> bytes:
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + mediabox + b" /Contents 4 0 R >>",
        b"<< /Length %d " % len(content) + filter_ + b">>\nstream\n" + content + b"\nendstream",
    ])


def basic_bad_inputs(d: Path) -> dict[str, str]:
    """The everyday bad inputs (HTML named .pdf, empty, broken, encrypted) in ``d``;
    returns file name → expected error_class."""
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    (d / "webpage.pdf").write_bytes(b"<!DOCTYPE html><html><body>404 Not Found</body></html>")
    (d / "empty.pdf").write_bytes(b"")
    (d / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage\n")
    c = canvas.Canvas(str(d / "encrypted.pdf"), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "locked")
    c.save()
    return {"webpage.pdf": "not_a_pdf", "empty.pdf": "empty", "broken.pdf": "corrupt", "encrypted.pdf": "encrypted"}


def make_corpus(d: Path, good_pdf: Path) -> dict[str, str | None]:
    """Write the corpus into ``d``; returns file name → expected error_class (None: not a failure)."""
    want: dict[str, str | None] = dict(basic_bad_inputs(d))

    def put(name: str, data: bytes, cls: str | None) -> None:
        (d / name).write_bytes(data)
        want[name] = cls

    put("garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", "corrupt")
    good = good_pdf.read_bytes()
    put("truncated.pdf", good[: len(good) // 2], "corrupt")
    # Cut after an earlier revision's %%EOF: objects follow it, so it is truncated all the same.
    revised = good + good[good.index(b"1 0 obj"):]
    put("truncated_after_eof.pdf", revised[: len(good) + len(revised[len(good):]) // 2], "corrupt")
    put("zero_pages.pdf", _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]),
        "empty")
    bomb = zlib.compress(b"0" * (300 * 1024 * 1024), 9)
    put("bomb.pdf", _page_pdf(bomb, filter_=b"/Filter /FlateDecode "), "too_large")
    # Not failures: a huge page, and a PDF with JavaScript and a Launch action (noted, never run).
    put("huge_page.pdf", _page_pdf(b"BT /F1 12 Tf 100 100 Td (x) Tj ET", mediabox=b"[0 0 14400 14400]"), None)
    js = b"/OpenAction << /S /JavaScript /JS (app.alert('x');) >> /AA << /O << /S /Launch /F (calc.exe) >> >> "
    put("javascript.pdf", _page_pdf(b"BT ET", extra_catalog=js), None)
    return want
