"""Which pages go the OCR way: cheap tests on the first pass's text and the page's objects.

Pure Python on pypdfium2 objects (no numpy, no OpenCV), so a digital run pays nothing for it.
"""

from __future__ import annotations

import unicodedata

from ..textfold import unmapped

MIN_CHARS = 8  # fewer printable characters than this is no text layer
MAX_BAD_SHARE = 0.10  # replacement, private-use and control characters: unmapped CID fonts
MIN_GOOD_SHARE = 0.70  # CJK, Latin, digits and common punctuation
IMAGE_COVER = 0.60  # an image over this share of the page makes it a scan (with or without text)
MAX_PATHS_ON_SCAN = 40  # a scan carries no ruled table of its own
MAX_OBJECTS_SCANNED = 4000  # stop looking at a page's objects after this many

_GOOD_CATEGORIES = {
    "Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc",
}


def _bad(ch: str) -> bool:
    return unmapped(ch) or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Cn")


def text_layer_usable(text: str) -> bool:
    """Whether a page's text layer (as ``extract.pdf.page_text`` gives it) is real text: enough
    characters, few unmapped or garbage ones."""
    chars = [ch for ch in text if not ch.isspace()]
    if len(chars) < MIN_CHARS:
        return False
    bad = sum(_bad(ch) for ch in chars)
    if bad > MAX_BAD_SHARE * len(chars):
        return False
    good = sum(unicodedata.category(ch) in _GOOD_CATEGORIES or ch in "□☑■√" for ch in chars)
    if good < MIN_GOOD_SHARE * len(chars):
        return False
    return "(cid:" not in text


_MORE = object()  # more objects than MAX_OBJECTS_SCANNED


def _images_and_paths(pdfium_page):
    """The page's images, as their boxes (left, bottom, right, top), and paths, as None, up to
    MAX_OBJECTS_SCANNED objects; then ``_MORE`` if there were more."""
    import pypdfium2.raw as raw

    for n, obj in enumerate(pdfium_page.get_objects(max_depth=2)):
        if n >= MAX_OBJECTS_SCANNED:
            yield _MORE
            return
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            try:
                yield obj.get_bounds()
            except Exception:
                continue
        elif obj.type == raw.FPDF_PAGEOBJ_PATH:
            yield None


def image_dominated(pdfium_page) -> bool:
    """A page that is one large image and (almost) no drawn lines: a scan, maybe with an OCR layer."""
    width, height = pdfium_page.get_size()
    area = max(width * height, 1.0)
    covered = 0.0
    paths = 0
    for box in _images_and_paths(pdfium_page):
        if box is _MORE:
            break
        if box is None:
            paths += 1
            if paths > MAX_PATHS_ON_SCAN:
                return False
            continue
        left, bottom, right, top = box
        w = max(0.0, min(right, width) - max(left, 0.0))
        h = max(0.0, min(top, height) - max(bottom, 0.0))
        covered = max(covered, w * h / area)
    return covered >= IMAGE_COVER


def has_content(pdfium_page) -> bool:
    """Whether a page without text shows anything to read: an image of some size, or enough
    drawn paths to be text turned into outlines (a border or a logo alone is not)."""
    width, height = pdfium_page.get_size()
    area = max(width * height, 1.0)
    paths = 0
    for box in _images_and_paths(pdfium_page):
        if box is _MORE:
            return True
        if box is None:
            paths += 1
            if paths >= 50:
                return True
            continue
        left, bottom, right, top = box
        if (right - left) * (top - bottom) >= 0.10 * area:
            return True
    return False


def page_decides(usable: bool, mode: str, may_be_form: bool) -> bool:
    """Whether ``needs_ocr`` has to look at the page's objects (else its answer is False)."""
    return mode == "always" or not usable or (mode == "auto" and may_be_form)


def needs_ocr(pdfium_page, text: str, mode: str = "auto", may_be_form: bool = False,
              usable: bool | None = None) -> bool:
    """Whether this page is read from its image.

    ``always``: every page that shows something. ``auto`` and ``never``: a page whose text layer
    is unusable (none, unmapped CID codes, garbage) but that shows something; with ``auto`` also a
    form-titled page that is one big image (a scan with an OCR layer: its text has no rulings).
    With ``never`` the caller does not OCR such pages: it reports them. ``usable``: the
    caller's ``text_layer_usable(text)``, when it has it.
    """
    if usable is None:
        usable = text_layer_usable(text)
    if not page_decides(usable, mode, may_be_form):
        return False
    if mode == "always":
        return usable or has_content(pdfium_page)
    if not usable:
        return has_content(pdfium_page)
    return image_dominated(pdfium_page)
