"""The page image: taken from the PDF, made upright and straight, binarised.

Everything here works in pixels of one grayscale image; ``pt_per_px`` converts to PDF points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

DPI = 300  # rendering resolution when the page is not one embedded image
MAX_PIXELS = 10_000_000  # pixel budget of one page image (A4 at 300 dpi is 8.7 Mpx)
MIN_DPI = 150  # an embedded image below this is upscaled to it (recognition needs the pixels)
MAX_DPI = 320  # an embedded image above this is downscaled to DPI (no gain, only time)
MAX_SKEW = 5.0  # degrees


@dataclass
class PageImage:
    gray: np.ndarray  # uint8, upright and deskewed
    pt_per_px: float
    rotation: int = 0  # degrees clockwise the image was turned to make it upright
    skew: float = 0.0  # degrees the image was rotated to straighten it

    @property
    def dpi(self) -> float:
        return 72.0 / self.pt_per_px

    def px(self, points: float) -> int:
        return max(1, int(round(points / self.pt_per_px)))


MARGIN_FILL = 0.3  # share of its bounding box a dark area beyond the sheet fills (a ruled grid: a few %)
# Grey added per unit of redness (red over the larger of green and blue): a seal's stroke, red
# by 80-150, turns paper white; its pink, JPEG-blurred edges (red by 20-40) fade out too.
SEAL_LIFT = 2.0
SEAL_MIN = 12  # redness below this is colour noise of a grey scan, left alone


def _to_gray(arr: np.ndarray, channels_bgr: bool = True) -> np.ndarray:
    if arr.ndim == 2:
        return np.ascontiguousarray(arr)
    if arr.shape[2] == 1:
        return np.ascontiguousarray(arr[:, :, 0])
    code = cv2.COLOR_BGRA2GRAY if arr.shape[2] == 4 else cv2.COLOR_BGR2GRAY
    if not channels_bgr:
        code = cv2.COLOR_RGBA2GRAY if arr.shape[2] == 4 else cv2.COLOR_RGB2GRAY
    return without_red_ink(cv2.cvtColor(arr, code), arr, channels_bgr)


def without_red_ink(gray: np.ndarray, arr: np.ndarray, channels_bgr: bool = True) -> np.ndarray:
    """A red seal (公章) stamped over the form is taken out of what OCR sees: each pixel is
    lightened by how much red dominates it, so red ink becomes paper. Black text printed under
    the seal stays dark (dark in every channel); the review page shows the original image."""
    b, g, r = (arr[:, :, 0], arr[:, :, 1], arr[:, :, 2]) if channels_bgr else (arr[:, :, 2], arr[:, :, 1], arr[:, :, 0])
    redness = r.astype(np.int16) - np.maximum(g, b).astype(np.int16)
    if not (redness > 3 * SEAL_MIN).any():
        return gray
    lift = np.where(redness > SEAL_MIN, SEAL_LIFT * redness, 0)
    return np.clip(gray.astype(np.int16) + lift, 0, 255).astype(np.uint8)


def _fit(gray: np.ndarray, pt_per_px: float, max_pixels: int) -> tuple[np.ndarray, float]:
    """Resample into [MIN_DPI, MAX_DPI] and within the pixel budget."""
    h, w = gray.shape
    dpi = 72.0 / pt_per_px
    factor = 1.0
    if dpi > MAX_DPI:
        factor = DPI / dpi
    elif dpi < MIN_DPI:
        factor = MIN_DPI / dpi
    if w * h * factor * factor > max_pixels:
        factor = math.sqrt(max_pixels / (w * h))
    if abs(factor - 1.0) < 0.02:
        return gray, pt_per_px
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    out = cv2.resize(gray, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=interp)
    return out, pt_per_px * w / out.shape[1]


def embedded_scan(pdfium_page):
    """The page's one image object when it fills the page upright (a scanner's page), else None."""
    import pypdfium2.raw as raw

    if pdfium_page.get_rotation() % 360:
        return None
    width, height = pdfium_page.get_size()
    images = []
    for n, obj in enumerate(pdfium_page.get_objects(max_depth=2)):
        if n > 200:
            return None
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            images.append(obj)
    if len(images) != 1:
        return None
    obj = images[0]
    m = obj.get_matrix()
    if abs(m.b) > 1e-6 or abs(m.c) > 1e-6 or m.a <= 0 or m.d <= 0:
        return None
    if m.a < 0.97 * width or m.d < 0.97 * height or abs(m.e) > 0.02 * width or abs(m.f) > 0.02 * height:
        return None
    return obj


def load_page_image(pdfium_page, dpi: int = DPI, max_pixels: int = MAX_PIXELS) -> PageImage:
    """The page as a grayscale image: the embedded scan at its own resolution when the page is
    one image, otherwise rendered at ``dpi``; either way within ``max_pixels``. A photo of the
    page on a desk comes back as its paper only, flattened (its points then span the paper)."""
    img = _page_image(pdfium_page, dpi, max_pixels)
    flat = flatten_photo(img.gray)
    if flat is None:
        return img
    return PageImage(gray=flat, pt_per_px=pdfium_page.get_size()[0] / flat.shape[1])


def _page_image(pdfium_page, dpi: int, max_pixels: int) -> PageImage:
    width, height = pdfium_page.get_size()
    obj = embedded_scan(pdfium_page)
    if obj is not None:
        try:
            bitmap = obj.get_bitmap(render=False)
            arr = bitmap.to_numpy()
            gray = _to_gray(arr, channels_bgr=not getattr(bitmap, "rev_byteorder", False))
            h, w = gray.shape
            if w > 0 and h > 0:
                sx, sy = width / w, height / h
                if abs(sx - sy) > 0.02 * sx:  # non-square pixels: make them square
                    gray = cv2.resize(gray, (w, max(1, round(height / sx))), interpolation=cv2.INTER_AREA)
                gray, pt = _fit(gray, sx, max_pixels)
                return PageImage(gray=gray, pt_per_px=pt)
        except Exception:
            pass  # an image pdfium cannot hand over raw: render the page instead
    scale = min(dpi / 72.0, math.sqrt(max_pixels / max(width * height, 1.0)))
    bitmap = pdfium_page.render(scale=scale, grayscale=True)
    gray = _to_gray(bitmap.to_numpy())
    return PageImage(gray=gray, pt_per_px=width / gray.shape[1])


# ---------------------------------------------------------------- photos of a page

DESK_MARGIN = 0.02  # share of the frame, on each side, that is desk in a photo of a page
DESK_CONTRAST = 40  # grey levels the desk is darker than the paper, at least
MIN_PAPER = 0.5  # share of the frame the paper covers, at least


def flatten_photo(gray: np.ndarray) -> np.ndarray | None:
    """A phone photo of a page lying on a darker desk, its paper warped back to a rectangle
    from the paper's four corners; None when the image is no such photo (a scan's paper runs
    to the frame's edges)."""
    h, w = gray.shape
    m = max(2, int(DESK_MARGIN * min(h, w)))
    border = np.concatenate([gray[:m].ravel(), gray[-m:].ravel(), gray[:, :m].ravel(), gray[:, -m:].ravel()])
    paper = float(np.percentile(gray[::4, ::4], 90))  # a sample is enough for the paper's grey
    if paper - float(np.median(border)) < DESK_CONTRAST:
        return None
    corners = _paper_corners(gray, paper)
    if corners is None:
        return None
    tl, tr, br, bl = corners
    width = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    target = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    warp = cv2.getPerspectiveTransform(np.float32(corners), target)
    return cv2.warpPerspective(gray, warp, (width, height), flags=cv2.INTER_LINEAR, borderValue=int(paper))


def _paper_corners(gray: np.ndarray, paper: float) -> np.ndarray | None:
    """The paper's corners (top-left, top-right, bottom-right, bottom-left), from the largest
    light region's outline reduced to four points; None unless it is a large quadrilateral."""
    small = cv2.GaussianBlur(gray, (0, 0), 3)
    _, light = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    light = cv2.morphologyEx(light, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 25)))
    contours, _ = cv2.findContours(light, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    if cv2.contourArea(outline) < MIN_PAPER * gray.size:
        return None
    quad = cv2.approxPolyDP(cv2.convexHull(outline), 0.02 * cv2.arcLength(outline, True), True)
    if len(quad) != 4:
        return None
    pts = quad.reshape(4, 2).astype(np.float32)
    total, diff = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(total)], pts[np.argmin(diff)], pts[np.argmax(total)], pts[np.argmax(diff)]])


# ---------------------------------------------------------------- binarising


def paper_level(gray: np.ndarray) -> float:
    """The grey of the paper: the 90th percentile of the page (text and rulings are darker)."""
    return float(np.percentile(gray, 90))


def binarize(gray: np.ndarray, dpi: float, paper: float | None = None) -> np.ndarray:
    """Ink = 255. Adaptive (uneven lighting), and never lighter than the paper's own noise.
    ``paper``: ``paper_level(gray)`` when the caller has it."""
    block = int(dpi / 6) | 1
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 18)
    # Flat paper areas: adaptive thresholding turns noise into specks; a global bound removes them.
    paper = paper_level(gray) if paper is None else paper
    ink[gray > paper - 40] = 0
    return ink


def without_margins(ink: np.ndarray, min_side: int) -> np.ndarray:
    """Ink minus what lies beyond the sheet: solid dark areas touching the image's edge (the
    table or background around a photographed page, left in its corners when the page is
    flattened). They are no text, and as ink in every row they merged a photo's title with them
    into one band that read as nothing, and lost the form. Rulings touching the edge stay:
    they are thin, their blob hollow."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    h, w = ink.shape
    x, y, bw, bh, area = (stats[:, k] for k in range(5))
    edge = (x == 0) | (y == 0) | (x + bw >= w) | (y + bh >= h)
    solid = area >= MARGIN_FILL * bw * bh
    drop = edge & solid & (np.maximum(bw, bh) >= min_side)
    drop[0] = False
    if not drop.any():
        return ink
    out = ink.copy()
    out[drop[labels]] = 0
    return out


def remove_specks(ink: np.ndarray, dpi: float) -> np.ndarray:
    """Drop dust: blobs too small to be a stroke, and small blobs far from any other ink (a
    decimal point or a dot of 、 sits next to its characters; a speck of dust stands alone)."""
    unit = dpi / 150.0
    tiny = max(3, int(unit * unit * 3))
    small = max(tiny + 1, int(unit * unit * 6))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    side = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    is_tiny = (area < tiny) & (side < 2 * math.sqrt(tiny) + 2)
    is_small = (area < small) & (side < 3 * math.sqrt(small))
    is_tiny[0] = is_small[0] = False
    if not is_small.any():
        return ink
    big = (~is_small[labels]) & (labels > 0)
    # Small blobs with no sizeable ink within about 4 points, and not between two characters of
    # a line, are dust.
    r = max(2, int(round(4 / 72 * dpi)))
    near = cv2.dilate(big.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    placed = np.zeros(n, dtype=bool)
    placed[np.unique(labels[((near > 0) | _in_a_line(big, dpi)) & is_small[labels]])] = True
    kept_small = is_small & ~is_tiny & placed
    # A tiny blob is dust unless it sits right beside a character, as a small-print decimal
    # point does ("8.00" at 7 pt: a dot of 3 px at 300 dpi, of 2 px at 150 dpi, where a real
    # form's "=12.00(次)" became "=1200(次)"); a small one beside a small mark kept above is part
    # of it (the tail of a "；" under its dot: kept alone, the dot read "·"). Single pixels go.
    anchor = big | kept_small[labels]
    close = max(1, int(round(1.5 / 72 * dpi)))
    beside = cv2.dilate(anchor.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * close + 1,) * 2))
    kept_beside = np.zeros(n, dtype=bool)
    kept_beside[np.unique(labels[(beside > 0) & is_small[labels] & ~kept_small[labels]])] = True
    kept_beside &= area >= min(4, tiny - 1)
    out = ink.copy()
    out[(is_small & ~kept_small & ~kept_beside)[labels]] = 0
    return out


def _in_a_line(big: np.ndarray, dpi: float) -> np.ndarray:
    """Where a small mark sits between two characters of one line: ink within 12 points on its
    left and on its right, in the same rows. In a justified line a full-width "，" stands in a
    slot wider than its character, farther than 4 points from either neighbour, and was taken
    for dust ("精神，广泛" read "精神 广泛")."""
    reach = max(3, int(round(12 / 72 * dpi)))
    ink = big.astype(np.uint8)
    row = np.ones((1, reach + 1), np.uint8)
    ink_right = cv2.dilate(ink, row, anchor=(0, 0))  # ink within reach to the right
    ink_left = cv2.dilate(ink, row, anchor=(reach, 0))  # and to the left
    return (ink_left > 0) & (ink_right > 0)


# ---------------------------------------------------------------- orientation and skew


def text_is_vertical(ink: np.ndarray, dpi: float) -> bool:
    """Whether the text runs top to bottom (the page lies on its side: turned 90° or 270°).

    Closing with a short horizontal bar joins the characters of a horizontal line; a vertical bar
    does the same for a page on its side. Whichever leaves fewer blobs follows the text.
    """
    small = ink
    factor = 1.0
    if dpi > 110:
        factor = 100.0 / dpi
        small = cv2.resize(ink, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        small = (small > 60).astype(np.uint8) * 255
    k = max(3, int(round(6 / 72 * dpi * factor)))  # about 6 points
    # Long rulings say nothing about the text: take them out first.
    long_h = cv2.morphologyEx(small, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (6 * k, 1)))
    long_v = cv2.morphologyEx(small, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 6 * k)))
    text = cv2.subtract(small, cv2.bitwise_or(long_h, long_v))
    horiz = cv2.morphologyEx(text, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    vert = cv2.morphologyEx(text, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))

    def spread(img: np.ndarray) -> tuple[float, float]:
        n, _, stats, _ = cv2.connectedComponentsWithStats(img, connectivity=8)
        w = stats[1:, cv2.CC_STAT_WIDTH].astype(float)
        h = stats[1:, cv2.CC_STAT_HEIGHT].astype(float)
        keep = (w * h) >= 4
        return float(np.sum(w[keep])), float(np.sum(h[keep]))

    w_h, h_h = spread(horiz)
    w_v, h_v = spread(vert)
    along_rows = w_h / max(h_h, 1.0)  # wide blobs: horizontal text lines
    along_cols = h_v / max(w_v, 1.0)  # tall blobs: vertical text lines
    return along_cols > 1.25 * along_rows


def straighten(img: PageImage) -> None:
    """Turn the page a quarter when its text runs down it, then deskew it (in place; the image
    records both). An upside-down page is told later, by reading it (see the reader)."""
    paper = paper_level(img.gray)  # the same after a quarter turn
    ink = binarize(img.gray, img.dpi, paper)
    if text_is_vertical(ink, img.dpi):
        img.gray = rotate_quarter(img.gray, 90)
        img.rotation = 90
        ink = rotate_quarter(ink, 90)  # the same as binarising the turned page, for less
    img.skew = estimate_skew(ink, img.dpi)
    img.gray = deskew(img.gray, img.skew, paper)


def rotate_quarter(gray: np.ndarray, degrees_clockwise: int) -> np.ndarray:
    k = (degrees_clockwise // 90) % 4
    if k == 0:
        return gray
    return np.ascontiguousarray(np.rot90(gray, k=-k))


def estimate_skew(ink: np.ndarray, dpi: float) -> float:
    """Degrees the content is rotated counter-clockwise (image coordinates), from long rulings;
    from the text lines' projection when the page has no rulings."""
    k = max(9, int(dpi / 14))
    hmask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(hmask, connectivity=8)
    w_img = ink.shape[1]
    angles: list[tuple[float, float]] = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if w < w_img / 8 or h > w * 0.12:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        if len(xs) < 20:
            continue
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append((math.degrees(math.atan(slope)), float(w)))
    if len(angles) >= 2:
        angles.sort()
        total = sum(w for _, w in angles)
        acc = 0.0
        for a, w in angles:  # weighted median
            acc += w
            if acc >= total / 2:
                return float(np.clip(a, -MAX_SKEW, MAX_SKEW))
    return _skew_by_projection(ink, dpi)


def _skew_by_projection(ink: np.ndarray, dpi: float) -> float:
    factor = min(1.0, 100.0 / dpi)
    small = cv2.resize(ink, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    best, best_score = 0.0, -1.0
    for a in np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), a, 1.0)
        rot = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        prof = rot.sum(axis=1).astype(float)
        score = float(np.sum(np.diff(prof) ** 2))
        if score > best_score:
            best, best_score = float(a), score
    return best


def deskew(gray: np.ndarray, angle: float, paper: float | None = None) -> np.ndarray:
    """Rotate the image so that content tilted by ``angle`` degrees (slope sign as in image
    coordinates, y down) becomes level; the corners are filled with ``paper`` (``paper_level``)."""
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    paper = int(paper_level(gray) if paper is None else paper)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=paper)
