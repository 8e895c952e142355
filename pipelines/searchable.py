"""Searchable copies of scanned inputs (``jixiao extract … --searchable-pdf DIR``).

For each input whose result carries a text layer (``FileResult.text_layer``: what OCR read on
each page without a text layer of its own), ``DIR/<the input's file name>`` is a copy of the input
whose such pages carry those lines as invisible text (rendering mode 3), each line at its box and
scaled to its width, the way OCRmyPDF's hOCR renderer and Tesseract lay theirs: a viewer's search
and text selection find the words where the scan shows them, and no page looks any different.

The copy is the input with objects added and nothing else changed. pikepdf (qpdf) opens it; each
such page gets one content stream appended (its own streams are wrapped in q/Q first, so that a
graphics state they leave behind cannot move the text) and a font in its own resources; the file
is saved without decoding or recompressing any stream, so every image stream, and every page
without a layer, stays byte for byte as it was. The content streams are built with pikepdf's
``ContentStreamBuilder`` (operators as objects, not hand-formatted text).

The font is Tesseract's and OCRmyPDF's "glyphless font" approach: a Type0 font with Identity-H
encoding whose character codes are UTF-16 code units, a ToUnicode map that says so (so any
Chinese text works), and an embedded TrueType program, built here with fontTools, whose one
glyph is blank (a viewer draws nothing, and needs no font of its own).
"""

from __future__ import annotations

import io
import logging
import os
import zlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from .errors import UsageError
from .inputs import display_name, display_path

log = logging.getLogger("jixiao")

# The glyphless font's metrics (per 1000 units of font size): the em box runs from DESCENT below
# the baseline to ASCENT above it, so a line's em box fills its box from bottom to top.
ASCENT, DESCENT = 880, -120
WIDE, NARROW = 1000, 500  # advance of a CJK (and any other) character, and of printable ASCII
FONT_NAME = "JixiaoGlyphless"
FONT_RESOURCE = "JixiaoOCR"
INVISIBLE = 3  # text rendering mode: neither fill nor stroke


class CopyProblem(Exception):
    """One input's copy cannot be made (its file, not DIR, is the problem): the others go on."""


# ---------------------------------------------------------------- DIR


def check_dir(target: str | os.PathLike, inputs: Iterable[str], files: Iterable[str]) -> None:
    """Refuse (a usage error) a DIR where a copy would replace an input (DIR is an input file's
    folder, however reached) or become one (DIR is inside a folder given as INPUT: the next run
    would read the copies as inputs)."""
    where = os.path.realpath(target)
    for item in inputs:
        top = os.path.realpath(item)
        if os.path.isdir(item) and (where == top or where.startswith(top.rstrip(os.sep) + os.sep)):
            raise UsageError(f"--searchable-pdf {display_path(target)} is inside the input folder"
                             f" {display_path(item)}: the next run would read the copies as inputs;"
                             " choose a folder outside it")
    for path in files:
        if where in (os.path.realpath(os.path.dirname(path) or "."), os.path.dirname(os.path.realpath(path))):
            raise UsageError(f"--searchable-pdf {display_path(target)} is the folder of the input {display_path(path)}:"
                             " its copy would replace it; choose another folder")


# ---------------------------------------------------------------- writing the copies


def write_copies(target: Path, layers: Iterable[tuple[str, str, list[dict]]], max_bytes: int) -> dict:
    """Write ``target/<name>`` for each (input path, its sha256, its text layer), atomically. An
    input whose copy cannot be made is named in the answer's ``not_written`` with why (and in the
    log), and the others go on; a copy that cannot be written is OutputNotWritable (exit 4)."""
    from .outputs import atomic_write

    written: dict[str, str] = {}  # file name in DIR → the input path copied there
    problems: list[dict] = []
    for path, digest, layer in layers:
        name = os.path.basename(path)
        try:
            if name in written and written[name] != path:
                raise CopyProblem(f"another input of this name ({display_path(written[name])}) was copied first")
            atomic_write(target / name, searchable_copy(path, digest, layer, max_bytes))
            written[name] = path
        except CopyProblem as e:
            log.warning("no searchable copy of %s: %s", display_path(path), e)
            problems.append({"file": display_name(name), "why": str(e)})
    return {"dir": display_path(target), "written": len(written), "not_written": problems}


def searchable_copy(path: str, digest: str, layer: list[dict], max_bytes: int) -> bytes:
    """The bytes of the searchable copy of the input at ``path``, which must still be the file
    of sha256 ``digest`` that was read (else CopyProblem)."""
    import pikepdf
    import pypdfium2 as pdfium

    from jixiao.extract.errors import InputError

    from .inputs import parsed_as_hashed

    out = io.BytesIO()
    try:
        with parsed_as_hashed(path, digest, max_bytes) as source:
            with pikepdf.open(source, inherit_page_attributes=False) as pdf:
                shown = pdfium.PdfDocument(source)
                try:
                    lay_text(pdf, shown, layer)
                finally:
                    shown.close()
                # Nothing decoded, nothing (re)compressed: every stream of the input is written as it was.
                pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, compress_streams=False,
                         recompress_flate=False, encryption=pdf.is_encrypted, deterministic_id=True)
    except InputError as e:  # the file changed since it was read (ChangedDuringRead)
        raise CopyProblem(str(e)) from e
    except OSError as e:
        raise CopyProblem(f"the input cannot be read: {e.strerror or e}") from e
    except (pikepdf.PdfError, pdfium.PdfiumError) as e:
        raise CopyProblem(f"the PDF library cannot rewrite this file: {str(e)[:200]}") from e
    return out.getvalue()


def lay_text(pdf, shown, layer: list[dict]) -> None:
    """Lay each page's lines of ``layer`` over that page of ``pdf`` (pikepdf), as invisible text;
    ``shown``: the same file in PDFium, which knows where the page as shown (the frame of the
    lines' boxes: CropBox, /Rotate) sits in the page's own coordinates."""
    if len(pdf.pages) != len(shown):
        raise CopyProblem(f"the page tree is damaged: qpdf finds {len(pdf.pages)} pages, PDFium {len(shown)}")
    font = None
    for entry in layer:
        lines = [ln for ln in entry["lines"] if ln["text"].strip()]
        if not lines:
            continue
        font = font or glyphless_font(pdf)
        page = pdf.pages[entry["page"] - 1]
        name = _add_font(pdf, page, font)
        pdfium_page = shown[entry["page"] - 1]
        try:
            to_pdf, height = shown_to_pdf(pdfium_page)
        finally:
            pdfium_page.close()
        _wrap_contents(pdf, page)
        page.contents_add(_flate_stream(pdf, text_stream(lines, entry.get("turn", 0), to_pdf, height, name)))


# ---------------------------------------------------------------- one page's text


def text_stream(lines: list[dict], turn: int, to_pdf, height: float, font) -> bytes:
    """A content stream that shows each line (text, bbox on the page as shown) invisibly, filling
    its box: the font as large as the box is thick, scaled along the text to the box's length.
    ``turn``: the page's, so the text runs the way the scan's does. ``to_pdf``: the page as
    shown (points, y up) to the page's own coordinates; ``height``: the page's height as shown."""
    from pikepdf.canvas import ContentStreamBuilder

    cs = ContentStreamBuilder().push().cm(to_pdf).begin_text().set_text_rendering(INVISIBLE)
    for line in lines:
        codes = line["text"].encode("utf-16-be")
        matrix, length, thickness = line_placement(line["bbox"], turn, height)
        natural = sum(_advance(codes[k : k + 2]) for k in range(0, len(codes), 2)) / 1000 * thickness
        if length <= 0 or thickness <= 0 or natural <= 0:
            continue
        cs.set_text_font(font, round(thickness, 3))
        cs.set_text_horizontal_scaling(round(100 * length / natural, 3))
        cs.set_text_matrix(matrix)
        cs.show_text(codes)
    return cs.end_text().pop().build()


def line_placement(bbox, turn: int, height: float):
    """(text matrix, length, thickness) of a line whose box on the page as shown is ``bbox``
    (x0, top, x1, bottom; y down), in the page as shown with y up (``height`` tall). Upright
    text runs left to right; on a page turned ``turn`` degrees clockwise to be read, it runs up
    (90), right to left (180) or down (270), its baseline DESCENT of its thickness from the side
    its glyphs' feet are on."""
    from pikepdf import Matrix

    x0, top, x1, bottom = bbox
    y0, y1 = height - bottom, height - top
    across, along = (x1 - x0, y1 - y0) if turn in (90, 270) else (y1 - y0, x1 - x0)
    feet = -DESCENT / 1000 * across
    origin, (cos, sin) = {
        0: ((x0, y0 + feet), (1, 0)),
        90: ((x1 - feet, y0), (0, 1)),
        180: ((x1, y1 - feet), (-1, 0)),
        270: ((x0 + feet, y1), (0, -1)),
    }[turn % 360]
    return Matrix(cos, sin, -sin, cos, round(origin[0], 3), round(origin[1], 3)), along, across


def _advance(code: bytes) -> int:
    """A character code's advance (per 1000): as the font's /W array says."""
    return NARROW if 0x20 <= int.from_bytes(code, "big") <= 0x7E else WIDE


def shown_to_pdf(pdfium_page):
    """(matrix, height): the matrix from the page as shown (points, origin bottom left, y up) to
    the page's own coordinates, as PDFium shows the page (CropBox within MediaBox, /Rotate), and
    the page's height as shown."""
    import ctypes

    import pypdfium2.raw as raw
    from pikepdf import Matrix

    width, height = pdfium_page.get_size()
    scale = 100  # device units per point: FPDF_DeviceToPage takes whole device units
    size_x, size_y = round(width * scale), round(height * scale)

    def to_page(x: float, y: float) -> tuple[float, float]:
        px, py = ctypes.c_double(), ctypes.c_double()
        raw.FPDF_DeviceToPage(pdfium_page.raw, 0, 0, size_x, size_y, 0, round(x * scale),
                              round((height - y) * scale), ctypes.byref(px), ctypes.byref(py))
        return px.value, py.value

    (ox, oy), (rx, ry), (ux, uy) = to_page(0, 0), to_page(width, 0), to_page(0, height)
    m = ((rx - ox) / width, (ry - oy) / width, (ux - ox) / height, (uy - oy) / height, ox, oy)
    return Matrix(*(round(v, 6) for v in m)), height


# ---------------------------------------------------------------- the page's resources and contents


def _flate_stream(pdf, data: bytes):
    import pikepdf

    stream = pdf.make_stream(b"")
    stream.write(zlib.compress(data), filter=pikepdf.Name.FlateDecode)
    return stream


def _wrap_contents(pdf, page) -> None:
    """Wrap the page's own content streams in q … Q (two small streams before and after them;
    theirs stay as they are), so the text laid after them starts from the default state."""
    from pikepdf.canvas import ContentStreamBuilder

    page.contents_add(pdf.make_stream(ContentStreamBuilder().push().build()), prepend=True)
    page.contents_add(pdf.make_stream(ContentStreamBuilder().pop().build()))


def _add_font(pdf, page, font):
    """Put ``font`` in the page's resources under a name it does not use yet, and return the
    name. The page gets its own /Resources and /Font dictionaries first (shallow copies of what
    it had, inherited or shared with other pages), so that no other page changes."""
    import pikepdf
    from pikepdf import Name

    resources = _inherited(page.obj, Name.Resources)
    resources = pikepdf.Dictionary(dict(resources.items())) if isinstance(resources, pikepdf.Dictionary) \
        else pikepdf.Dictionary()
    fonts = resources.get(Name.Font)
    fonts = pikepdf.Dictionary(dict(fonts.items())) if isinstance(fonts, pikepdf.Dictionary) else pikepdf.Dictionary()
    name, n = Name("/" + FONT_RESOURCE), 1
    while name in fonts:
        name, n = Name(f"/{FONT_RESOURCE}{n}"), n + 1
    fonts[name] = font
    resources[Name.Font] = fonts
    page.obj[Name.Resources] = resources
    return name


def _inherited(node, key, depth: int = 64):
    """A page attribute, from the page or the nearest /Pages node above it that has it."""
    for _ in range(depth):
        if node is None:
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


# ---------------------------------------------------------------- the glyphless font

_CMAP_HEAD = """/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
"""
_CMAP_TAIL = """endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


def identity_ucs_cmap() -> bytes:
    """The glyphless font's ToUnicode map: every 2-byte code is the UTF-16 code unit it stands
    for. In 256 ranges, as a range may only step its last byte, and 100 to a block at most."""
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256)]
    blocks = [ranges[k : k + 100] for k in range(0, len(ranges), 100)]
    body = "".join(f"{len(b)} beginbfrange\n" + "\n".join(b) + "\nendbfrange\n" for b in blocks)
    return (_CMAP_HEAD + body + _CMAP_TAIL).encode("ascii")


def glyphless_font(pdf):
    """The text layer's font, added to ``pdf``: Type0, Identity-H, every code drawn with the
    embedded program's one blank glyph, NARROW wide for printable ASCII and WIDE otherwise."""
    from pikepdf import Dictionary, Name

    descriptor = pdf.make_indirect(Dictionary(
        Type=Name.FontDescriptor, FontName=Name("/" + FONT_NAME), Flags=4, ItalicAngle=0, StemV=80,
        FontBBox=[0, DESCENT, WIDE, ASCENT], Ascent=ASCENT, Descent=DESCENT, CapHeight=ASCENT,
        FontFile2=_flate_stream(pdf, font_program())))
    # Every CID (a UTF-16 code unit) to glyph 1, the blank one.
    cid_to_gid = _flate_stream(pdf, b"\x00\x01" * 65536)
    cid_font = pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/" + FONT_NAME), FontDescriptor=descriptor,
        CIDSystemInfo=Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        CIDToGIDMap=cid_to_gid, DW=WIDE, W=[0x20, 0x7E, NARROW]))
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/" + FONT_NAME), Encoding=Name("/Identity-H"),
        DescendantFonts=[cid_font], ToUnicode=_flate_stream(pdf, identity_ucs_cmap())))


@cache
def font_program() -> bytes:
    """A TrueType font of two blank glyphs: .notdef, and the one every code is drawn with."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    glyphs = [".notdef", "blank"]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(glyphs)
    fb.setupCharacterMap({})
    # The blank glyph is a contour of no area across its em box: nothing is drawn, even where a
    # viewer ignored the invisible rendering mode, yet each character has a box. Without one,
    # PDFium drops a one-character line and any line that does not run left to right.
    pen = TTGlyphPen(None)
    pen.moveTo((0, DESCENT))
    pen.lineTo((WIDE, ASCENT))
    pen.closePath()
    fb.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "blank": pen.glyph()})
    fb.setupHorizontalMetrics({g: (WIDE, 0) for g in glyphs})
    fb.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    fb.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, usWinAscent=ASCENT, usWinDescent=-DESCENT)
    fb.setupPost()
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()
