"""Scan damage, family by family: what a scanner, a fax or a phone does to a form page.

    from sample_pdfs.scan_damage import Damage, scan_pdf
    scan_pdf("sample_pdfs/district_2026_jingan.pdf", "/tmp/jingan_seal.pdf", Damage("seal", dpi=200, seed=3))

Every damage is a pure function ``f(img, rng, ...) -> img`` of a page image (uint8, grayscale
H×W; RGB H×W×3 where colour matters) and a seeded ``numpy.random.Generator``: the same seed gives
the same pixels.  A parameter left ``None`` is drawn from ``rng``; tests pass it to know the truth.
``scan_pdf`` renders a PDF's pages at ``Damage.dpi`` (make_scans.render_gray), applies one family
and writes each page as one image filling the page, with no text layer, as a scanner writes it:
a JPEG (grayscale or colour), or for ``bilevel`` a 1-bit CCITT G4 image, as fax software writes it.
The expected record of a scan is the digital one with kind "scanned" (``expected_records``).
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_scans import add_image_page, degrade, expected_record, jpeg, render_gray, reproducible  # noqa: E402

# family -> what it does (every family also gets the flatbed's paper tone and light noise, except
# bilevel, which thresholds it away, and photo, which has its own light and noise)
FAMILIES = {
    "resolution": "the plain scan at the run's dpi (150/200/300): paper tone, light noise, JPEG 75",
    "skew": "the page rotated by any angle up to ±5° before scanning",
    "turn": "the page fed turned 90°, 180° or 270° (sideways turns swap the page's shape)",
    "jpeg": "JPEG quality 40–60 instead of 75",
    "bilevel": "fax/bilevel: thresholded to black and white, written as 1-bit CCITT G4",
    "faint": "faint ink (25–55% of its darkness) and light falling off across the page",
    "seal": "a red 公章 (ring, text around it, star) stamped partly over values; the page is RGB",
    "photo": "a phone photo: the page in perspective on a darker desk, shading, slight blur; RGB",
}
QUALITY = 75  # JPEG quality of a flatbed scan (make_scans' 300-dpi scans use it too)
PHOTO_QUALITY = 85  # phones keep more than scanners
SEAL_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")  # bold strokes, like a seal's
SEAL_UNITS = ["上海市静安区绿化和市容管理局", "上海市浦东新区建设和交通委员会", "上海市徐汇区教育局",
              "上海市普陀区万里街道办事处", "上海市闵行区市场监督管理局"]  # fmt: skip


@dataclass(frozen=True)
class Damage:
    """One scan: the family, the resolution, the seed, and parameters fixed instead of drawn
    (``options``: keyword arguments of the family's function, e.g. ``{"angle": 3.0}``)."""

    family: str = "resolution"
    dpi: int = 300
    seed: int = 0
    options: Mapping = field(default_factory=dict, hash=False)


def mm(dpi: float, millimetres: float) -> float:
    return millimetres / 25.4 * dpi


def paper_of(img: np.ndarray) -> float:
    return float(np.percentile(img, 90))  # text and rulings are darker than most of the page


def to_rgb(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 3 else np.repeat(img[:, :, None], 3, axis=2)


def to_gray(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


# ---------------------------------------------------------------------------------------------
# The damages (pure: image and generator in, new image out)
# ---------------------------------------------------------------------------------------------


def flatbed(img: np.ndarray, rng: np.random.Generator, noise: float = 3.0) -> np.ndarray:
    """A flatbed's paper tone, faint gradient, sensor noise and dust (make_scans.degrade, no skew)."""
    return degrade(img, 0.0, noise, 0.0, rng)


def skew(img: np.ndarray, rng: np.random.Generator, angle: float | None = None, max_angle: float = 5.0) -> np.ndarray:
    """Rotate by ``angle`` degrees (counter-clockwise as seen; drawn in ±max_angle when None)."""
    angle = float(rng.uniform(-max_angle, max_angle)) if angle is None else angle
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = (paper_of(img),) * (3 if img.ndim == 3 else 1)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)


def turn(img: np.ndarray, rng: np.random.Generator, quarter: int | None = None) -> np.ndarray:
    """The page fed turned ``quarter`` × 90° clockwise (1, 2 or 3; drawn when None)."""
    quarter = int(rng.integers(1, 4)) if quarter is None else quarter
    return np.ascontiguousarray(np.rot90(img, k=-quarter))


def jpeg_quality(img: np.ndarray, rng: np.random.Generator, quality: int | None = None, low: int = 40) -> np.ndarray:
    """JPEG round trip at ``quality`` (drawn in low–60 when None): blocks and ringing around strokes."""
    quality = int(rng.integers(low, 61)) if quality is None else quality
    flag = cv2.IMREAD_GRAYSCALE if img.ndim == 2 else cv2.IMREAD_COLOR
    data = jpeg(img if img.ndim == 2 else img[:, :, ::-1], quality)
    out = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    return out if img.ndim == 2 else np.ascontiguousarray(out[:, :, ::-1])


def bilevel(img: np.ndarray, rng: np.random.Generator, threshold: float | None = None) -> np.ndarray:
    """Black and white only, as a fax or a 1-bit scanner thresholds (level drawn in 110–170)."""
    threshold = float(rng.uniform(110, 170)) if threshold is None else threshold
    return np.where(to_gray(img) > threshold, 255, 0).astype(np.uint8)


def faint(img: np.ndarray, rng: np.random.Generator, ink: float | None = None, drop: float | None = None) -> np.ndarray:
    """Faint toner (ink keeps ``ink`` of its darkness, 0.25–0.55) and light falling off by ``drop``
    (0.15–0.35) towards one side of the page, in a random direction."""
    ink = float(rng.uniform(0.25, 0.55)) if ink is None else ink
    drop = float(rng.uniform(0.15, 0.35)) if drop is None else drop
    h, w = img.shape[:2]
    out = 255.0 - (255.0 - img.astype(np.float32)) * ink
    phi = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (xx / w - 0.5) * math.cos(phi) + (yy / h - 0.5) * math.sin(phi)  # -0.7..0.7 along phi
    light = 1.0 - drop * (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    out *= light if img.ndim == 2 else light[:, :, None]
    return np.clip(out, 0, 255).astype(np.uint8)


def seal(img: np.ndarray, rng: np.random.Generator, dpi: float = 300, center: tuple[int, int] | None = None,
         text: str | None = None, radius_mm: float = 21.0) -> np.ndarray:  # fmt: skip
    """A red 公章 (42 mm: ring, the unit's name around it, a star in the middle) stamped over a
    value: its centre is on ink in the values' part of the page unless ``center`` (x, y) is given.
    Seal ink multiplies with the page (black text stays black under it).  Returns RGB."""
    text = SEAL_UNITS[int(rng.integers(len(SEAL_UNITS)))] if text is None else text
    r = int(round(mm(dpi, radius_mm)))
    cx, cy = seal_center(img, rng, r) if center is None else center
    alpha = seal_mask(r, text, float(rng.uniform(-20, 20)), dpi) * seal_texture(2 * r + 1, rng, dpi)
    colour = np.array([rng.uniform(200, 235), rng.uniform(25, 60), rng.uniform(35, 70)], np.float32) / 255.0
    out = to_rgb(img).astype(np.float32)
    h, w = out.shape[:2]
    x0, y0, x1, y1 = max(cx - r, 0), max(cy - r, 0), min(cx + r + 1, w), min(cy + r + 1, h)
    a = alpha[y0 - (cy - r) : y1 - (cy - r), x0 - (cx - r) : x1 - (cx - r), None]
    out[y0:y1, x0:x1] *= 1.0 - a * (1.0 - colour)
    return np.clip(out, 0, 255).astype(np.uint8)


def seal_center(img: np.ndarray, rng: np.random.Generator, r: int) -> tuple[int, int]:
    """A point on ink right of the labels (x 35–85%, y 8–92% of the page): a value's text."""
    h, w = img.shape[:2]
    small = cv2.resize(to_gray(img), (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(small < paper_of(small) - 60)
    keep = (xs > 0.35 * small.shape[1]) & (xs < 0.85 * small.shape[1])
    keep &= (ys > 0.08 * small.shape[0]) & (ys < 0.92 * small.shape[0])
    if not keep.any():
        return w // 2, h // 2
    k = int(rng.integers(int(keep.sum())))
    x, y = int(xs[keep][k]) * 8, int(ys[keep][k]) * 8
    return min(max(x, r), max(w - r - 1, r)), min(max(y, r), max(h - r - 1, r))


def seal_mask(r: int, text: str, rotation: float, dpi: float) -> np.ndarray:
    """The seal's ink (0..1) in a (2r+1)² square: ring, characters along the top arc, star."""
    size = 2 * r + 1
    mask = np.zeros((size, size), np.uint8)
    cv2.circle(mask, (r, r), r - int(mm(dpi, 0.7)), 255, max(2, int(mm(dpi, 1.2))), cv2.LINE_AA)
    cv2.fillPoly(mask, [star(r, r, 0.3 * r, rotation)], 255, cv2.LINE_AA)
    pil = Image.fromarray(mask)
    span = min(250.0, 22.0 * len(text))  # degrees of the arc the text covers
    # Characters 6.5 mm high, smaller where the name is long (a seal's text never overlaps).
    char = int(min(mm(dpi, 6.5), 0.85 * (r - mm(dpi, 5.5)) * math.radians(span) / len(text)))
    font = ImageFont.truetype(str(SEAL_FONT), char)
    for i, ch in enumerate(text):
        theta = rotation - span / 2 + span * (i + 0.5) / len(text)  # clockwise from the top
        glyph = Image.new("L", (2 * char, 2 * char), 0)
        ImageDraw.Draw(glyph).text((char, char), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-theta, resample=Image.BILINEAR)
        rad, t = r - mm(dpi, 2.2) - char * 0.55, math.radians(theta)
        x, y = int(r + rad * math.sin(t)) - char, int(r - rad * math.cos(t)) - char
        pil.paste(255, (x, y), glyph)
    return np.asarray(pil, np.float32) / 255.0


def star(cx: float, cy: float, radius: float, rotation: float) -> np.ndarray:
    """A five-pointed star's ten corners, first point up (turned by ``rotation`` degrees clockwise)."""
    pts = []
    for k in range(10):
        a = math.radians(rotation + 36 * k)
        rad = radius if k % 2 == 0 else radius * 0.382
        pts.append((cx + rad * math.sin(a), cy - rad * math.cos(a)))
    return np.array(pts, np.int32)


def seal_texture(size: int, rng: np.random.Generator, dpi: float) -> np.ndarray:
    """Uneven ink of a rubber stamp: blotchy density, 0.35–1."""
    noise = cv2.GaussianBlur(rng.normal(0, 1, (size, size)).astype(np.float32), (0, 0), mm(dpi, 1.5))
    noise /= max(float(noise.std()), 1e-6)
    return np.clip(0.8 + 0.25 * noise, 0.35, 1.0) * float(rng.uniform(0.8, 1.0))


def photo(img: np.ndarray, rng: np.random.Generator, dpi: float = 300, tilt: float | None = None,
          shade: float | None = None, blur: float | None = None) -> np.ndarray:  # fmt: skip
    """A phone photo of the page lying on a darker desk: the page in perspective (corners moved
    by up to ``tilt`` of the frame, 0.02–0.05), light falling off by ``shade`` (0.15–0.35), a warm
    cast, ``blur`` px at 300 dpi (0.6–1.3) and sensor noise.  Returns RGB of the input's size."""
    tilt = float(rng.uniform(0.02, 0.05)) if tilt is None else tilt
    shade = float(rng.uniform(0.15, 0.35)) if shade is None else shade
    blur = float(rng.uniform(0.6, 1.3)) if blur is None else blur
    gray = to_gray(img).astype(np.float32)
    h, w = gray.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    # Each corner moves inwards by margin ± tilt: a perspective, with the whole page in the frame.
    inward = np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    margin = float(rng.uniform(tilt + 0.01, tilt + 0.04))
    dst = src + inward * (margin + rng.uniform(-tilt, tilt, (4, 2))).astype(np.float32) * [w, h]
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    page = cv2.warpPerspective(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    on_page = cv2.warpPerspective(np.ones_like(gray), m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    desk = float(rng.uniform(50, 110)) + 8 * cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 9)
    out = page * on_page + desk * (1 - on_page)
    out *= light_falloff(h, w, shade, rng)
    rgb = np.stack([out, out * 0.95, out * 0.86], axis=2)  # warm indoor light (RGB)
    rgb = cv2.GaussianBlur(rgb, (0, 0), blur * dpi / 300)
    rgb += rng.normal(0.0, 3.0, rgb.shape).astype(np.float32)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def light_falloff(h: int, w: int, shade: float, rng: np.random.Generator) -> np.ndarray:
    """1 at a random bright spot, down to 1 - shade at the farthest corner (a lamp beside the page)."""
    lx, ly = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d = np.hypot(xx - lx, yy - ly)
    return 1.0 - shade * d / float(d.max())


# ---------------------------------------------------------------------------------------------
# A family applied to a page, and the scanned PDF
# ---------------------------------------------------------------------------------------------


def damage_page(gray: np.ndarray, d: Damage, rng: np.random.Generator) -> tuple[np.ndarray, int | None]:
    """The damaged page image and its JPEG quality (None: write it as a 1-bit image)."""
    if d.family not in FAMILIES:
        raise ValueError(f"unknown damage family {d.family!r} (known: {', '.join(FAMILIES)})")
    o = dict(d.options)
    if d.family == "photo":
        return photo(gray, rng, d.dpi, **o), PHOTO_QUALITY
    # Skew and faint ink happen to the paper, before the scanner's noise.
    if d.family == "skew":
        gray = skew(gray, rng, **o)
    elif d.family == "faint":
        gray = faint(gray, rng, **o)
    img = flatbed(gray, rng)
    if d.family == "turn":
        return turn(img, rng, **o), QUALITY
    if d.family == "jpeg":
        return img, int(o.get("quality") or rng.integers(40, 61))  # written once, at that quality
    if d.family == "bilevel":
        return bilevel(img, rng, **o), None
    if d.family == "seal":
        return seal(img, rng, d.dpi, **o), QUALITY
    return img, QUALITY


def add_bilevel_page(pdf: pdfium.PdfDocument, img: np.ndarray, dpi: int, index: int) -> None:
    """A 1-bit CCITT G4 page (Pillow writes it; pdfium cannot), page size = pixels at ``dpi``."""
    buf = io.BytesIO()
    Image.fromarray(img).convert("1").save(buf, "PDF", resolution=dpi)
    fax = pdfium.PdfDocument(buf.getvalue())
    pdf.import_pages(fax, [0], index=index)
    fax.close()


def scan_pdf(src: str | Path, out: str | Path, damage: Damage, pages: list[int] | None = None) -> Path:
    """Scan ``pages`` (1-based; None: all) of ``src`` into ``out`` with ``damage``: one image per
    page, no text layer.  The same arguments always write the same bytes."""
    rng = np.random.default_rng(damage.seed)
    source = pdfium.PdfDocument(str(src))
    pdf = pdfium.PdfDocument.new()
    for i, number in enumerate(pages or range(1, len(source) + 1)):
        page = source[number - 1]
        width, height = page.get_size()
        img, quality = damage_page(render_gray(page, damage.dpi), damage, rng)
        page.close()
        if (img.shape[1] > img.shape[0]) != (width > height):  # turned sideways: so is the sheet
            width, height = height, width
        if quality is None:
            add_bilevel_page(pdf, img, damage.dpi, i)
        else:
            add_image_page(pdf, jpeg(img if img.ndim == 2 else img[:, :, ::-1], quality), width, height, i)
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    source.close()
    out = Path(out)
    out.write_bytes(reproducible(buf.getvalue(), damage.seed))
    return out


def expected_records(digital: list[dict], scan: Path) -> list[dict]:
    """The scan's expected records: the digital ones with kind "scanned" and no ``clipped_text``
    flag (a scan holds no hidden text); page numbers are the source's (compare values, not pages)."""
    return expected_record(digital, scan, "scanned")
