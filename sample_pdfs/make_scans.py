"""Make scanned samples from the digital ones, and their expected records.

Run from the repository root, after ``make_samples.py``:

    python sample_pdfs/make_scans.py

For every digital sample in SOURCES (the ``visible`` variant: the clipped one renders the same
image) this writes, next to it:

* ``<form>_scan300.pdf``: every page scanned at 300 dpi, skewed 0.5–1° (sign alternating),
  light noise, JPEG quality 75;
* ``<form>_scan200.pdf``: 200 dpi, skewed 1–1.5°, slightly blurred, more noise, JPEG quality 50;
* ``<form>_rot90.pdf``: as the 300-dpi scan, with page 2 fed sideways (the page is landscape
  and its image turned 90°);
* ``<form>_mixed.pdf``: page 2 scanned at 300 dpi, the other pages the digital originals.

Each scanned page is one grayscale JPEG filling the page (no text layer), as a scanner writes it.
The expected record of each is the digital sample's expected record, minus what a scan cannot
show (there is no hidden text, so no ``clipped_text`` flag), with the new file's name,
sha256, filing_id and kind. It is derived from the digital expected JSON, never from jixiao.
Everything is seeded: a rerun writes the same bytes.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium

HERE = Path(__file__).resolve().parent
EXPECTED_DIR = HERE / "expected"

# Digital samples to scan (stems of sample_pdfs/*.pdf with expected/<stem>.json), the stem the
# scans of each are named after, and which variants (None: all). A sample missing here is skipped.
SOURCES = [
    ("seed_2020_minhang_visible", "seed_2020_minhang", None),
    ("district_2026_jingan", "district_2026_jingan", ("scan300", "scan200")),
    ("central_2025_wenwu", "central_2025_wenwu", ("scan300", "scan200")),
    ("province_2024_jiangxi", "province_2024_jiangxi", ("scan300", "scan200")),
    ("pagebreak_2025_jiading", "pagebreak_2025_jiading", ("scan300", "scan200")),
]


# (suffix, dpi, skew degrees per page (sign alternates), noise sigma, blur sigma, JPEG quality,
#  pages scanned (None: all), pages turned 90° clockwise, kind)
VARIANTS = [
    ("scan300", 300, (0.6, 0.9, 0.75), 3.0, 0.0, 75, None, (), "scanned"),
    ("scan200", 200, (1.5, 1.2, 1.4), 7.0, 0.6, 50, None, (), "scanned"),
    ("rot90", 300, (0.5, 0.8, 0.7), 3.0, 0.0, 75, None, (2,), "scanned"),
    ("mixed", 300, (0.7, 0.7, 0.7), 3.0, 0.0, 75, (2,), (), "mixed"),
]


def render_gray(page, dpi: int) -> np.ndarray:
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    img = bitmap.to_numpy()
    if img.ndim == 3:
        img = img[:, :, 0]
    return np.ascontiguousarray(img)


def degrade(img: np.ndarray, skew: float, noise: float, blur: float, rng: np.random.Generator) -> np.ndarray:
    """Paper tone, skew, blur and sensor noise, as a flatbed scanner would add them."""
    h, w = img.shape
    paper = 246.0
    out = img.astype(np.float32) * (paper / 255.0)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
    out = cv2.warpAffine(out, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=paper)
    if blur > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    # Uneven lighting: a gentle gradient across the page.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    out -= 6.0 * (xx / w) + 4.0 * (yy / h)
    out += rng.normal(0.0, noise, size=out.shape).astype(np.float32)
    # A few specks of dust.
    n_specks = int(w * h / 250_000)
    for _ in range(n_specks):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.circle(out, (x, y), int(rng.integers(1, 3)), float(rng.uniform(60, 160)), -1)
    return np.clip(out, 0, 255).astype(np.uint8)


def jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    assert ok
    return buf.tobytes()


def add_image_page(pdf: pdfium.PdfDocument, data: bytes, width: float, height: float, index: int) -> None:
    page = pdf.new_page(width, height, index=index)
    image = pdfium.PdfImage.new(pdf)
    image.load_jpeg(io.BytesIO(data), inline=True)
    image.set_matrix(pdfium.PdfMatrix().scale(width, height))
    page.insert_obj(image)
    page.gen_content()
    page.close()


def make_variant(src: Path, out: Path, variant: tuple, seed: int) -> None:
    _suffix, dpi, skews, noise, blur, quality, scanned, turned, _kind = variant
    rng = np.random.default_rng(seed)
    source = pdfium.PdfDocument(str(src))
    pdf = pdfium.PdfDocument.new()
    for i in range(len(source)):
        number = i + 1
        page = source[i]
        width, height = page.get_size()
        if scanned is not None and number not in scanned:
            pdf.import_pages(source, [i], index=i)
            page.close()
            continue
        skew = skews[i % len(skews)] * (1 if i % 2 == 0 else -1)
        img = degrade(render_gray(page, dpi), skew, noise, blur, rng)
        page.close()
        if number in turned:
            img = np.ascontiguousarray(np.rot90(img, k=-1))  # turned 90° clockwise
            width, height = height, width
        add_image_page(pdf, jpeg(img, quality), width, height, i)
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    source.close()
    out.write_bytes(reproducible(buf.getvalue(), seed))


def reproducible(data: bytes, seed: int) -> bytes:
    """The same bytes on every run: pdfium writes the time and a random file ID (same lengths here)."""
    data = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:20200101000000", data, count=1)
    file_id = hashlib.md5(f"jixiao-scan-{seed}".encode()).hexdigest().upper().encode()
    return re.sub(rb"/ID\[<[0-9A-F]{32}><[0-9A-F]{32}>\]", b"/ID[<" + file_id + b"><" + file_id + b">]", data)


def expected_record(digital: list[dict], pdf: Path, kind: str) -> list[dict]:
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    out = []
    for n, rec in enumerate(digital, 1):
        rec = copy.deepcopy(rec)
        rec["filing_id"] = f"{sha[:12]}-{n}"
        rec["source"]["file"] = pdf.name
        rec["source"]["sha256"] = sha
        rec["source"]["kind"] = kind
        rec["flags"] = [f for f in rec.get("flags", []) if f["code"] != "clipped_text"]
        rec.pop("provenance", None)
        out.append(rec)
    return out


def main() -> None:
    for s, (stem, form, wanted) in enumerate(SOURCES):
        src = HERE / f"{stem}.pdf"
        if not src.exists() or not (EXPECTED_DIR / f"{stem}.json").exists():
            print(f"skipped {stem}: no digital sample (run make_samples.py)")
            continue
        digital = json.loads((EXPECTED_DIR / f"{stem}.json").read_text(encoding="utf-8"))
        for v, variant in enumerate(VARIANTS):
            if wanted is not None and variant[0] not in wanted:
                continue
            out = HERE / f"{form}_{variant[0]}.pdf"
            make_variant(src, out, variant, seed=1000 * s + v + 7)
            records = expected_record(digital, out, variant[-1])
            (EXPECTED_DIR / f"{out.stem}.json").write_text(
                json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            print(f"{out.relative_to(HERE.parent)}  {out.stat().st_size // 1024} KiB  "
                  f"sha256 {records[0]['source']['sha256'] if records else '-'}")


if __name__ == "__main__":
    main()
