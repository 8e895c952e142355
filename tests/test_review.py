"""The review site (issue 7), checked in a real headless Chromium.

The site is made the way a user makes it: `jixiao extract SAMPLES -o OUTDIR --review`. The checks
read the records from OUTDIR/filings.jsonl, whatever the extractor gives today, and the page sizes
from the source PDFs, so a box is checked against its provenance, not against the site's own numbers.

Debian's chromium and chromium-driver are installed by scripts/setup.sh (as root); the browser
tests skip only where they are absent. Set JIXIAO_REVIEW_SCREENSHOT=docs/review.png to write the
README's screenshot from the screenshot test.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from jixiao.pipelines.cli import main

from .chromium import chromium

SAMPLES = Path(__file__).resolve().parent.parent / "sample_pdfs"
INPUTS = [SAMPLES / "seed_2020_minhang_visible.pdf", SAMPLES / "seed_2020_minhang_clipped.pdf"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    missing = [p.name for p in INPUTS if not p.exists()]
    if missing:
        pytest.skip(f"sample PDFs missing: {missing} (python sample_pdfs/make_samples.py makes them)")
    out = tmp_path_factory.mktemp("review") / "out"
    assert main(["extract", *map(str, INPUTS), "-o", str(out), "--jobs", "1", "-q", "--review"]) == 0
    records = [json.loads(line) for line in (out / "filings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records, "the samples gave no filing"
    return out, records


def page_size(rec: dict, page: int) -> tuple[float, float]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(SAMPLES / rec["source"]["file"]))
    try:
        return pdf[page - 1].get_size()
    finally:
        pdf.close()


def filing_url(out: Path, rec: dict) -> str:
    return (out / "review" / "filings" / f"{rec['filing_id']}.html").resolve().as_uri()


# ---------------------------------------------------------------- without a browser


def test_site_is_complete_and_static(site):
    out, records = site
    root = out / "review"
    assert (root / "index.html").is_file()
    assert {p.stem for p in (root / "filings").glob("*.html")} == {r["filing_id"] for r in records}
    wanted = {(r["source"]["sha256"][:16], p) for r in records
              for p in {*r["source"]["pages"], *(v["page"] for v in r["provenance"].values())}}
    images = [p for p in (root / "pages").iterdir() if p.suffix in (".png", ".jpg")]
    assert {(p.stem.split("-p")[0], int(p.stem.split("-p")[1])) for p in images} == wanted  # one per page
    assert all(p.stat().st_size < 400_000 for p in images), [(p.name, p.stat().st_size) for p in images]
    for f in root.rglob("*"):
        if f.suffix in (".html", ".css", ".js"):
            text = f.read_text(encoding="utf-8")
            assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//""", text), f
            assert "fetch(" not in text and "XMLHttpRequest" not in text, f


def test_page_images_are_rendered_once(site, capsys):
    out, _records = site
    images = {p: p.stat().st_mtime_ns for p in (out / "review" / "pages").iterdir()
              if p.suffix in (".png", ".jpg")}
    capsys.readouterr()
    assert main(["review", str(out)]) == 0
    assert "0 rendered" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in images} == images
    assert {p for p in (out / "review" / "pages").iterdir() if p.suffix in (".png", ".jpg")} == set(images)


def test_bad_outdir_is_a_usage_error(tmp_path, capsys):
    assert main(["review", str(tmp_path / "nowhere")]) == 1
    assert main(["review", str(tmp_path)]) == 1  # no filings.jsonl
    (tmp_path / "filings.jsonl").write_text("{not json\n", encoding="utf-8")
    assert main(["review", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "OUTDIR not found" in err and "no filings.jsonl" in err and "line 1 is not JSON" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def browser():
    with chromium() as driver:
        yield driver


def open_page(driver, url: str) -> None:
    driver.get(url)
    assert driver.execute_script(
        "return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"), "an image did not load"


BOXES_JS = """
return Array.from(document.querySelectorAll('.box')).map(b => {
  const img = b.parentElement.querySelector('img'), r = b.getBoundingClientRect();
  const i = img ? img.getBoundingClientRect() : null, tag = b.querySelector('.tag');
  return {path: b.dataset.path, page: +b.parentElement.dataset.page, area: b.classList.contains('area'),
          flagged: b.classList.contains('flagged'), codes: b.dataset.flags.split(' ').filter(Boolean),
          tag: tag ? tag.textContent : '', shown: getComputedStyle(b).display !== 'none' && r.width > 0,
          x: r.left - (i ? i.left : 0), y: r.top - (i ? i.top : 0), w: r.width, h: r.height,
          img_w: i ? i.width : 0, img_h: i ? i.height : 0};
});
"""


def test_every_box_is_drawn_at_its_provenance_and_every_flag_is_shown(site, browser):
    out, records = site
    for rec in records:
        open_page(browser, filing_url(out, rec))
        boxes = browser.execute_script(BOXES_JS)
        drawn = {b["path"]: b for b in boxes if not b["area"]}
        assert set(drawn) == set(rec["provenance"]), rec["filing_id"]
        sizes = {}
        for path, prov in rec["provenance"].items():
            b = drawn[path]
            assert b["page"] == prov["page"] and b["shown"], path
            if prov["page"] not in sizes:
                sizes[prov["page"]] = page_size(rec, prov["page"])
            w_pt, h_pt = sizes[prov["page"]]
            k = b["img_w"] / w_pt
            assert b["img_h"] == pytest.approx(h_pt * k, abs=1.0)
            x0, top, x1, bottom = prov["bbox"]
            got = (b["x"], b["y"], b["w"], b["h"])
            want = (x0 * k, top * k, (x1 - x0) * k, (bottom - top) * k)
            assert got == pytest.approx(want, abs=1.0), (path, got, want)
        # every flag: on its box (with its code) where the record knows the path's position, and in the list
        for fl in rec["flags"]:
            if fl["path"] in rec["provenance"]:
                b = drawn[fl["path"]]
                assert b["flagged"] and fl["code"] in b["codes"] and fl["code"] in b["tag"], fl
        unflagged = {b["path"] for b in boxes if b["flagged"]} - {fl["path"] for fl in rec["flags"]}
        assert not unflagged, unflagged
        items = browser.execute_script(
            "return Array.from(document.querySelectorAll('ol.flags > li')).map(li => "
            "({code: li.dataset.code, path: li.dataset.path, box: li.dataset.box, text: li.innerText}))")
        assert Counter((i["code"], i["path"]) for i in items) == Counter((f["code"], f["path"]) for f in rec["flags"])
        for fl in rec["flags"]:  # the detail is there to read, a clipped cell's hidden text included
            hit = [i for i in items if (i["code"], i["path"]) == (fl["code"], fl["path"])]
            assert any(" ".join(fl["detail"].split()) in " ".join(i["text"].split()) for i in hit), fl
            if fl["path"] in rec["provenance"]:
                assert all(i["box"] for i in hit), fl


def test_keys_step_through_the_flags(site, browser):
    out, records = site
    rec = max(records, key=lambda r: len(r["flags"]))
    if len(rec["flags"]) < 2:
        pytest.skip("no sample filing has two flags today")
    from selenium.webdriver.common.by import By

    open_page(browser, filing_url(out, rec))
    body = browser.find_element(By.TAG_NAME, "body")
    state_js = """
      const li = document.querySelector('ol.flags > li.current'), box = document.querySelector('.box.current');
      const items = Array.from(document.querySelectorAll('ol.flags > li'));
      let inView = null;
      if (box) { const r = box.getBoundingClientRect(), v = document.querySelector('.pages').getBoundingClientRect();
                 inView = r.bottom > v.top && r.top < v.bottom; }
      return {index: items.indexOf(li), box: box ? box.id : '', want_box: li ? li.dataset.box : '',
              bar: document.getElementById('current-flag').textContent, in_view: inView};
    """
    n = len(rec["flags"])
    seen = []
    for key, index in (("j", 0), ("j", 1), ("n", 2 % n), ("k", 1), ("p", 0), ("k", n - 1)):
        body.send_keys(key)
        st = browser.execute_script(state_js)
        assert st["index"] == index, (key, st)
        assert st["bar"].startswith(f"{index + 1} / {n} ·"), st
        assert st["box"] == st["want_box"]
        if st["box"]:
            assert st["in_view"], st
        seen.append(st["bar"])
    assert seen[0] != seen[1]


def test_index_filters_by_flag_code_and_status(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    out, records = site
    open_page(browser, (out / "review" / "index.html").resolve().as_uri())

    def shown() -> set[str]:
        return {tr.get_attribute("data-filing-id")
                for tr in browser.find_elements(By.CSS_SELECTOR, "#filings tbody tr") if tr.is_displayed()}

    every = {r["filing_id"] for r in records}
    assert shown() == every
    code, status = Select(browser.find_element(By.ID, "code")), Select(browser.find_element(By.ID, "status"))
    codes = {fl["code"] for r in records for fl in r["flags"]}
    assert {o.get_attribute("value") for o in code.options} - {""} == codes
    for c in sorted(codes):
        code.select_by_value(c)
        assert shown() == {r["filing_id"] for r in records if any(fl["code"] == c for fl in r["flags"])}, c
    code.select_by_value("")
    status.select_by_value("ok")
    assert shown() == {r["filing_id"] for r in records if not r["flags"]}
    status.select_by_value("flagged")
    assert shown() == {r["filing_id"] for r in records if r["flags"]}
    status.select_by_value("")
    assert shown() == every
    if codes:  # a filter that matches nothing says so
        code.select_by_value(sorted(codes)[0])
        status.select_by_value("ok")
        assert not shown() and browser.find_element(By.ID, "none-shown").is_displayed()


def test_screenshot_of_a_filing_page_is_not_blank(site, browser):
    from PIL import Image, ImageChops, ImageStat
    from selenium.webdriver.common.by import By

    out, records = site
    rec = max(records, key=lambda r: len(r["flags"]))
    open_page(browser, filing_url(out, rec))
    browser.find_element(By.TAG_NAME, "body").send_keys("j")
    clipped = browser.find_elements(By.CSS_SELECTOR, 'ol.flags > li[data-code="clipped_text"]')
    if clipped:  # a clipped cell: its hidden text is what the picture should show
        clipped[0].click()
        assert "clipped_text" in browser.find_element(By.ID, "current-flag").text
    png = browser.get_screenshot_as_png()
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.width >= 1000 and img.height >= 600
    assert max(ImageStat.Stat(img.convert("L")).stddev) > 20  # not one flat colour
    assert len(img.getcolors(1 << 24)) > 50
    if rec["flags"]:  # the flag colour is on screen
        r, g, b = img.split()
        mask = ImageChops.multiply(ImageChops.multiply(r.point(lambda v: 255 if v > 190 else 0),
                                                       g.point(lambda v: 255 if v < 90 else 0)),
                                   b.point(lambda v: 255 if v < 80 else 0))
        red = mask.histogram()[255]
        assert red > 200, red
    target = os.environ.get("JIXIAO_REVIEW_SCREENSHOT")
    if target:
        img.quantize(64).save(target, optimize=True)


def test_moved_sources_are_found_with_pdf_dir(tmp_path, capsys):
    """Sources moved after the run: reported missing, then found by their bytes under --pdf-dir
    (renamed, in a subdirectory)."""
    src = tmp_path / "in"
    src.mkdir()
    pdf = INPUTS[0]
    shutil.copy(pdf, src / pdf.name)
    out = tmp_path / "out"
    assert main(["extract", str(src), "-o", str(out), "--jobs", "1", "-q"]) == 0
    moved = tmp_path / "archive" / "2026"
    moved.mkdir(parents=True)
    (src / pdf.name).rename(moved / "renamed.pdf")
    (tmp_path / "archive" / "other.pdf").write_bytes(INPUTS[-1].read_bytes())  # not the source
    capsys.readouterr()
    assert main(["review", str(out)]) == 0
    assert f"not found for {pdf.name}" in capsys.readouterr().err  # named as missing
    assert not list((out / "review" / "pages").glob("*.*g"))
    assert main(["review", str(out), "--pdf-dir", str(tmp_path / "archive")]) == 0
    assert "not found" not in capsys.readouterr().err
    assert list((out / "review" / "pages").glob("*.*g"))
