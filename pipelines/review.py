"""The review site: a static HTML report of an OUTDIR for a person checking the flags (issue 7).

    OUTDIR/review/index.html                every filing (source, project, year, status, flag counts),
                                            filterable by flag code and status
    OUTDIR/review/filings/<filing_id>.html  the filing's page images with every value's box (from
                                            provenance), flagged boxes marked with their codes, the flag
                                            list (code, path, page, detail — a clipped cell's hidden
                                            text included) and the field table; keys j/k step through flags
    OUTDIR/review/pages/<sha16>-p<N>.<ext>  one image per source page, rendered once and reused
    OUTDIR/review/assets/                   review.css, review.js (plain files, no build step)

Everything is in the HTML files, so the site opens from disk: no server, no network fetch.
A record's decisions (corrections.jsonl, applied by the last rebuild) are shown: a corrected or
confirmed value, a resolved flag. ``jixiao review --serve`` (review_server.py) renders the same
pages with ``serve`` set: edit, confirm and dismiss controls, driven by review_assets/serve.js.
The source PDF of a filing is found through the ledger (table ``seen``: input path → sha256),
or in directories given by the caller; where none is found the boxes are drawn on a blank page.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from jixiao.extract.errors import brief
from jixiao.extract.pdf import sha256_file
from jixiao.normalize import schema

from .commands.review import DEFAULT_SCALE
from .errors import OutputNotWritable, UsageError
from .inputs import display_name
from .ledger import seen_by_hash
from .outputs import atomic_write
from .run import discover

DEFAULT_FORMAT = "auto"  # per page, the smaller of PNG (16 colours) and JPEG
JPEG_QUALITY = 70
PNG_COLOURS = 16
ASSETS = ("review.css", "review.js")
SERVE_JS = "serve.js"  # the decision controls: sent by `jixiao review --serve` only, not in the static site
MANIFEST = "pages.json"
A4 = (595.28, 841.89)
# Pixels of one page image at most. A page's size is the PDF's to choose (a legal MediaBox goes up to
# 14400 pt, 200 inches): at --scale 1.5 that is 21600 x 21600 px, 5.5 GB and 35 s to render. 25 Mpx
# is an A4 page at 500 dpi, more than a reviewer needs; a bigger page is rendered at a smaller scale
# (about 0.3 GB and 3 s at most). Boxes are placed in percentages of the page, so they stay aligned.
MAX_PIXELS = 25_000_000


@dataclass
class PageImage:
    page: int
    file: str | None  # name under review/pages/, None where the source PDF was not found
    w_pt: float
    h_pt: float
    w_px: int = 0
    h_px: int = 0
    scale: float = 0.0  # the scale rendered at: below the asked one for a page over MAX_PIXELS
    error: str = ""  # why a page of a found source has no image (PDFium cannot render it)


@dataclass
class SiteSummary:
    root: Path
    filings: int = 0
    rendered: int = 0
    reused: int = 0
    missing_sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # pages rendered smaller, pages not rendered

    @property
    def index(self) -> Path:
        return self.root / "index.html"


def e(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


# ---------------------------------------------------------------- reading OUTDIR


def check_outdir(outdir: str | Path) -> Path:
    out = Path(outdir)
    if not out.exists():
        raise UsageError(f"OUTDIR not found: {out}")
    if not out.is_dir():
        raise UsageError(f"OUTDIR is not a directory: {out}")
    if not (out / "filings.jsonl").is_file():
        raise UsageError(
            f"{out} has no filings.jsonl: give the OUTDIR of a `jixiao extract INPUT... -o OUTDIR` run "
            "(with the jsonl format, the default)"
        )
    return out


def load_records(out: Path) -> list[dict]:
    records = []
    text = (out / "filings.jsonl").read_text(encoding="utf-8-sig")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as err:
            raise UsageError(f"{out / 'filings.jsonl'} line {n} is not JSON: {err.msg}") from err
        if not isinstance(rec, dict) or "filing_id" not in rec:
            raise UsageError(f"{out / 'filings.jsonl'} line {n} is not a filing record")
        records.append(rec)
    return records


def load_failures(out: Path) -> list[dict]:
    import csv

    path = out / "failures.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


_HASHES: dict[tuple[str, int, int], str] = {}


def _sha256(path: Path) -> str:
    """The file's sha256, computed once per (path, size, mtime) in this process."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        _HASHES[key] = sha256_file(path)
    return _HASHES[key]


def find_source(digest: str, name: str, ledger: dict, pdf_dirs: Iterable[Path],
                listed: dict[Path, list[Path]] | None = None) -> Path | None:
    """The PDF whose bytes are ``digest``: a ledger path (``ledger.seen_by_hash``, checked), else
    one under ``pdf_dirs`` (``listed`` keeps each directory's PDFs between calls)."""
    listed = {} if listed is None else listed
    for path, size, mtime in ledger.get(digest, []):
        try:
            st = path.stat()
        except OSError:
            continue
        try:
            if (st.st_size == size and st.st_mtime_ns == mtime) or _sha256(path) == digest:
                return path
        except OSError:
            continue
    for d in pdf_dirs:
        d = Path(d)
        if d not in listed:
            listed[d] = discover([str(d)])
        cands = [d / name] if (d / name).is_file() else []
        cands += [p for p in listed[d] if p.name != name]
        for p in cands:
            try:
                if _sha256(p) == digest:
                    return p
            except OSError:
                continue
    return None


# ---------------------------------------------------------------- page images


def page_scale(w_pt: float, h_pt: float, scale: float, max_pixels: int = MAX_PIXELS) -> float:
    """``scale``, or less so that the page's image stays within ``max_pixels`` (PDFium rounds each
    side up: a little room is kept for that)."""
    fit = math.sqrt(max_pixels / max(w_pt * h_pt, 1.0)) * 0.999
    return scale if scale <= fit else round(fit, 6)


class PageImages:
    """One image per (source PDF, page), kept in review/pages/ and reused by later runs.

    ``auto`` keeps the smaller of a 16-colour PNG (crisp print, small) and a JPEG (scans).
    """

    def __init__(self, root: Path, scale: float, fmt: str):
        self.dir = root / "pages"
        self.scale = scale
        self.fmt = fmt
        self.rendered = 0
        self.reused = 0
        self.notes: list[str] = []
        try:
            self.manifest: dict = json.loads((self.dir / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.manifest = {}

    @staticmethod
    def key(digest: str, page: int) -> str:
        return f"{digest[:16]}-p{page}"

    def cached(self, digest: str, page: int) -> PageImage | None:
        m = self.manifest.get(self.key(digest, page))
        if (m and m.get("scale") == self.scale and m.get("format") == self.fmt
                and (self.dir / m.get("file", "")).is_file()):
            return PageImage(page, m["file"], m["w_pt"], m["h_pt"], m["w_px"], m["h_px"],
                             m.get("effective_scale", self.scale))
        return None

    def get(self, digest: str, pages: Iterable[int], locate: Callable[[], Path | None]) -> dict[int, PageImage]:
        """The pages' images: kept ones, and the others rendered from the source ``locate``
        finds (asked only when a page is not kept; None: they stay without an image)."""
        out: dict[int, PageImage] = {}
        todo = []
        for p in sorted(set(pages)):
            hit = self.cached(digest, p)
            if hit:
                out[p] = hit
                self.reused += 1
            else:
                todo.append(p)
        source = locate() if todo else None
        if source is not None:
            out.update(self.render(digest, source, todo))
        return out

    def encode(self, img) -> tuple[bytes, str]:
        found = []
        if self.fmt in ("png", "auto"):
            buf = io.BytesIO()
            img.quantize(PNG_COLOURS).save(buf, "PNG", optimize=True)
            found.append((buf.getvalue(), "png"))
        if self.fmt in ("jpeg", "auto"):
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
            found.append((buf.getvalue(), "jpg"))
        return min(found, key=lambda x: len(x[0]))

    def render(self, digest: str, source: Path, pages: list[int]) -> dict[int, PageImage]:
        """Render and store the pages; a source PDFium cannot read gives no image (a blank page),
        a page it cannot render a placeholder (``PageImage.error``)."""
        import pypdfium2 as pdfium

        out = {}
        try:
            pdf = pdfium.PdfDocument(str(source))
        except (pdfium.PdfiumError, OSError):
            return out
        try:
            for p in pages:
                if 1 <= p <= len(pdf):
                    out[p] = self._render_page(pdf, p, digest, display_name(source.name))
        finally:
            pdf.close()
        return out

    def _render_page(self, pdf, p: int, digest: str, name: str) -> PageImage:
        try:
            img, w_pt, h_pt, scale = self._draw(pdf, p)
        except Exception as err:  # a damaged page (PDFium), a failed allocation: the site is built all the same
            why = brief(err)
            self.notes.append(f"page {p} of {name} could not be rendered ({why}): a blank page stands in for it")
            return PageImage(p, None, 0.0, 0.0, error=why)
        if scale < self.scale:
            self.notes.append(f"page {p} of {name} ({w_pt:g} x {h_pt:g} pt) was rendered at scale {scale:.3g}, not"
                              f" {self.scale:g}, to stay within {MAX_PIXELS / 1e6:g} megapixels")
        data, ext = self.encode(img)
        key = self.key(digest, p)
        for old in self.dir.glob(f"{key}.*"):  # an image of another scale or format
            old.unlink()
        file = f"{key}.{ext}"
        atomic_write(self.dir / file, data)
        self.manifest[key] = {"file": file, "scale": self.scale, "effective_scale": scale, "format": self.fmt,
                              "w_pt": w_pt, "h_pt": h_pt, "w_px": img.width, "h_px": img.height}
        self.rendered += 1
        return PageImage(p, file, w_pt, h_pt, img.width, img.height, scale)

    def _draw(self, pdf, p: int):
        """(RGB image, width and height in pt, the scale it was rendered at) of page ``p``."""
        page = pdf[p - 1]
        try:
            w_pt, h_pt = page.get_size()
            scale = page_scale(w_pt, h_pt, self.scale)
            img = page.render(scale=scale).to_pil().convert("RGB")
        finally:
            page.close()
        return img, round(w_pt, 3), round(h_pt, 3), scale

    def save(self) -> None:
        atomic_write(self.dir / MANIFEST, (json.dumps(self.manifest, indent=1, sort_keys=True) + "\n").encode())


# ---------------------------------------------------------------- the field table


@dataclass
class Row:
    path: str
    section: str
    label: str
    value: str
    derived: str = ""
    numeric: bool = False


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "✓ ticked" if v else "✗ not ticked"
    return str(v)


def value_rows(rec: dict) -> list[Row]:
    """Every extracted value of a record, in form order, with the path its provenance is keyed by."""
    from jixiao.normalize.labels import TABLE

    label = TABLE.typical_label
    rows: list[Row] = []
    fields = rec.get("fields") or {}
    for k in [*schema.FIELD_KEYS, *(k for k in fields if k not in schema.FIELD_KEYS)]:
        if k in fields:
            rows.append(Row(f"fields.{k}", "fields", label("fields", k), _fmt(fields[k])))
    funding = rec.get("funding") or {}
    for k in [*schema.FUNDING_KEYS, *(k for k in funding if k not in schema.FUNDING_KEYS)]:
        if k in funding:
            rows.append(Row(f"funding.{k}", "funding", label("funding", k), _fmt(funding[k]), numeric=True))
    for i, ind in enumerate(rec.get("indicators") or []):
        for k in ("level1", "level2", "level3", "target", "remark"):
            if ind.get(k) is None and f"indicators[{i}].{k}" not in rec.get("provenance", {}):
                continue
            derived = ""
            if k in ("level1", "level2") and ind.get(f"{k}_code"):
                derived = ind[f"{k}_code"]
            elif k == "target" and (ind.get("target_op") or ind.get("target_value")):
                derived = " ".join(_fmt(ind.get(x)) for x in ("target_op", "target_value", "target_unit")).strip()
            rows.append(Row(f"indicators[{i}].{k}", "indicators", label("indicator_columns", k), _fmt(ind.get(k)),
                            derived))
    for i, item in enumerate(rec.get("cost_items") or []):
        for k in schema.COST_ITEM_KEYS:
            if k in item:
                rows.append(Row(f"cost_items[{i}].{k}", "cost items", label("cost_columns", k), _fmt(item[k]),
                                numeric=k in schema.COST_AMOUNT_KEYS))
    if rec.get("cost_total") is not None or "cost_total" in rec.get("provenance", {}):
        rows.append(Row("cost_total", "cost items", label("cost_columns", "total_row"), _fmt(rec.get("cost_total")),
                        numeric=True))
    for i, sg in enumerate(rec.get("safeguards") or []):
        for k in schema.SAFEGUARD_KEYS:
            if k in sg:
                rows.append(Row(f"safeguards[{i}].{k}", "safeguards", label("safeguard_columns", k), _fmt(sg[k])))
    seen = {r.path for r in rows}
    for path in rec.get("provenance") or {}:
        if path not in seen:  # a value this version of the site does not know (or a derived one a reviewer set)
            rows.append(Row(path, "other", "", _fmt(_value_at(rec, path))))
    return rows


def _value_at(rec: dict, path: str):
    from .record_paths import InvalidDecision, locate

    try:
        return locate(rec, path).get()
    except InvalidDecision:
        return ""


# ---------------------------------------------------------------- one filing's page


@dataclass
class Box:
    id: str
    path: str
    page: int
    bbox: tuple[float, float, float, float]
    area: bool = False  # the union of a group's boxes (a flag on "cost_items" and the like)
    codes: list[str] = field(default_factory=list)
    open: bool = False  # one of its flags is not resolved (corrections.jsonl: dismiss_flag)


def _children(prov: dict, path: str) -> list[tuple[str, dict]]:
    return [(k, v) for k, v in prov.items() if k.startswith(path + ".") or k.startswith(path + "[")]


def _boxed(prov: dict) -> dict:
    """The provenance entries that point at the page: a value a reviewer set where the form had
    none (corrections.jsonl) has no page and no box."""
    return {k: v for k, v in prov.items() if v.get("page") is not None and v.get("bbox")}


def record_pages(rec: dict) -> set[int]:
    """The source pages a filing's page shows: its own, and any a value's box is on."""
    src = rec.get("source") or {}
    return {*(src.get("pages") or []), *(int(p["page"]) for p in _boxed(rec.get("provenance") or {}).values())}


def _union(bboxes: list) -> tuple[float, float, float, float]:
    return (min(b[0] for b in bboxes), min(b[1] for b in bboxes), max(b[2] for b in bboxes), max(b[3] for b in bboxes))


def _pct(v: float, total: float) -> str:
    return f"{100.0 * v / total:.4f}%" if total else "0%"


def _blank_page(pg: int, on_page: list[Box], error: str) -> PageImage:
    """A page without an image, of a size guessed from its boxes (A4, or A4 across)."""
    right = max((b.bbox[2] for b in on_page), default=0)
    w, h = A4 if right <= A4[0] else (A4[1], A4[0])
    return PageImage(pg, None, w, h, error=error)


def _smaller(img: PageImage, scale: float) -> str:
    """The page label's note for an image rendered below the asked scale (a huge page)."""
    if not img.file or not img.scale or img.scale >= scale:
        return ""
    return f" · a {img.w_pt:g} x {img.h_pt:g} pt page, shown at scale {img.scale:.3g} (pixel budget)"


def _audit(rec: dict) -> dict[str, list[dict]]:
    """The record's audit list (the decisions applied to it) by path."""
    out: dict[str, list[dict]] = {}
    for a in rec.get("corrections") or []:
        out.setdefault(a.get("path"), []).append(a)
    return out


def _decided(entries: list[dict]) -> tuple[str, str]:
    """(the value cell's extra classes, a note under the value) for a value a person set or
    confirmed: who set it and what the machine read, who confirmed it."""
    if not entries:
        return "", ""
    sets = [a for a in entries if a.get("action") == "set"]
    last = entries[-1]
    classes, notes = "", []
    if sets:
        machine = _fmt(sets[0].get("original"))
        classes += " corrected"
        notes.append(f'<span class="decision set" title="{e(sets[-1].get("at"))}">corrected by '
                     f'{e(sets[-1].get("reviewer"))}; the machine read {e(machine) if machine else "nothing"}'
                     f"{_note(sets[-1])}</span>")
    if last.get("action") == "confirm":
        classes += " confirmed"
        notes.append(f'<span class="decision confirm" title="{e(last.get("at"))}">✓ confirmed by '
                     f'{e(last.get("reviewer"))}{_note(last)}</span>')
    return classes, "".join(notes)


def _note(entry: dict) -> str:
    return f" ({e(entry['note'])})" if entry.get("note") else ""


def _resolution(fl: dict) -> str:
    if not fl.get("resolved_at"):
        return ""
    return (f'<span class="resolved-by" title="{e(fl.get("resolved_at"))}">resolved by {e(fl.get("resolved_by"))}'
            "</span>")


def _kind(path: str) -> str | None:
    """The kind of value a path takes (text, amount, date, flag, year, …); None: not one a person
    can set (a path this version does not know)."""
    from .record_paths import InvalidDecision, kind_of

    try:
        return kind_of(path)[0]
    except InvalidDecision:
        return None


def _json(v) -> str:
    return json.dumps(v, ensure_ascii=False)


def _decide_controls() -> str:
    return ('<button type="button" class="act edit" title="set another value">edit</button>'
            '<button type="button" class="act confirm" title="the value is right">confirm</button>')


def _dismiss_control(rec: dict, fl: dict) -> str:
    """A served page's dismiss button for an open flag, with the value the reviewer sees at its path."""
    from .corrections import CONFLICT

    if fl.get("resolved_at"):
        return ""
    if fl.get("code") == CONFLICT:
        return '<span class="hint">confirm or edit the value to settle this</span>'
    original = ""
    if _kind(fl.get("path") or ""):
        from .record_paths import InvalidDecision, locate

        try:
            original = f' data-original="{e(_json(locate(rec, fl["path"]).get()))}"'
        except InvalidDecision:
            pass  # a row the record no longer has: the server says so
    return (f'<button type="button" class="act dismiss" data-code="{e(fl["code"])}" data-path="{e(fl.get("path"))}"'
            f'{original} title="this flag needs no more attention">dismiss</button>')


def filing_page(rec: dict, images: dict[int, PageImage], prev_id: str | None, next_id: str | None,
                scale: float = DEFAULT_SCALE, serve: str | None = None) -> str:
    """One filing's page. ``serve``: the reviewer's name where ``jixiao review --serve`` renders it
    (edit, confirm and dismiss controls, and the values they need); None for the static site."""
    from .outputs import reviewed

    prov: dict = rec.get("provenance") or {}
    flags: list[dict] = rec.get("flags") or []
    rows = value_rows(rec)
    row_id = {r.path: f"r{n}" for n, r in enumerate(rows)}

    boxes: dict[str, Box] = {}
    for n, (path, p) in enumerate(_boxed(prov).items()):
        boxes[path] = Box(f"b{n}", path, int(p["page"]), tuple(p["bbox"]))
    values = {r.path: r.value for r in rows}
    flag_box: list[Box | None] = []
    for fl in flags:
        path = fl.get("path") or ""
        box = boxes.get(path)
        if box is None and path not in ("", "fields", "funding"):
            kids = _children(_boxed(prov), path)
            pg = fl.get("page")
            kids = [(k, v) for k, v in kids if pg is None or v["page"] == pg]
            if kids:
                page = kids[0][1]["page"]
                same = [v["bbox"] for _k, v in kids if v["page"] == page]
                box = boxes[path] = Box(f"a{len(boxes)}", path, int(page), _union(same), area=True)
        if box is not None and fl["code"] not in box.codes:
            box.codes.append(fl["code"])
        if box is not None and not fl.get("resolved_at"):
            box.open = True
        flag_box.append(box)

    # walk the flags down the pages: page, then top of the box, unboxed ones last on their page
    order = sorted(range(len(flags)), key=lambda i: (
        (flag_box[i].page if flag_box[i] else flags[i].get("page")) or 10**6,
        flag_box[i] is None,
        flag_box[i].bbox[1] if flag_box[i] else 0,
        flag_box[i].bbox[0] if flag_box[i] else 0,
        i,
    ))

    src = rec.get("source") or {}
    form = rec.get("form") or {}
    fields = rec.get("fields") or {}
    name = fields.get("project_name") or "(no project name)"
    status = "flagged" if flags else "ok"
    digest = src.get("sha256", "")
    pages = sorted({*(src.get("pages") or []), *(b.page for b in boxes.values())})

    out = [
        "<!doctype html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(name)} · {e(rec['filing_id'])} · jixiao review</title>",
        '<link rel="icon" href="data:,">',  # no favicon request (a served site answers it 403)
        '<link rel="stylesheet" href="../assets/review.css"></head>',
        f'<body class="filing" data-filing-id="{e(rec["filing_id"])}" data-status="{status}"'
        + (f' data-serve="1" data-reviewer="{e(serve)}">' if serve is not None else ">"),
        "<header>",
        f"<h1>{e(name)}</h1>",
        f'<span class="reviewer">reviewing as <b>{e(serve)}</b></span>' if serve is not None else "",
        f'<span class="meta">{e(src.get("file"))} · pages {e(", ".join(str(p) for p in src.get("pages", [])))}'
        f' · {e(src.get("kind"))} · year {e(form.get("year") or "—")} · {e(form.get("title") or "")}'
        f' · <span class="mono">{e(rec["filing_id"])}</span>'
        f' · <span class="status status-{status}">{status}</span>'
        + (' <span class="reviewed">✓ reviewed</span>' if reviewed(rec) else "") + "</span>",
        "<nav>",
        f'<a href="{e(prev_id)}.html" rel="prev">← previous filing</a> · ' if prev_id else "",
        '<a href="../index.html">all filings</a>',
        f' · <a href="{e(next_id)}.html" rel="next">next filing →</a>' if next_id else "",
        "</nav></header>",
        '<div class="flagbar">',
        f'<button type="button" id="prev-flag" title="previous flag (k or p)"{"" if flags else " disabled"}>'
        "◀ <kbd>k</kbd></button>",
        f'<button type="button" id="next-flag" title="next flag (j or n)"{"" if flags else " disabled"}>'
        "<kbd>j</kbd> ▶</button>",
        f'<span class="current-flag" id="current-flag">{len(flags)} flag(s)'
        f'{": press j for the first" if flags else ""}</span>',
        '<label class="toggle" title="show the flag codes above the boxes (t)">'
        '<input type="checkbox" id="show-tags" checked> codes on boxes <kbd>t</kbd></label>',
        "</div>",
        '<div class="workspace">',
        '<section class="pages" aria-label="page images">',
    ]
    for pg in pages:
        img = images.get(pg)
        on_page = [b for b in boxes.values() if b.page == pg]
        if img is None or not img.file:  # no source PDF, or a page it cannot render: a blank page
            img = _blank_page(pg, on_page, img.error if img else "")
        out.append(
            f'<div class="page{"" if img.file else " no-image"}" id="page-{pg}" data-page="{pg}"'
            f' data-width-pt="{img.w_pt}" data-height-pt="{img.h_pt}"'
            f' style="aspect-ratio: {img.w_pt} / {img.h_pt}">'
        )
        if img.file:
            out.append(f'<img src="../pages/{e(img.file)}" width="{img.w_px}" height="{img.h_px}"'
                       f' alt="page {pg} of {e(src.get("file"))}">')
        elif img.error:
            out.append(f"<p>page {pg} of the source PDF cannot be rendered ({e(img.error)}),"
                       " so the boxes are drawn on a blank page</p>")
        else:
            out.append(f"<p>page {pg}: the source PDF ({e(src.get('file'))}, sha256 {e(digest[:12])}…) was not found,"
                       " so the boxes are drawn on a blank page</p>")
        out.append(f'<span class="pageno">p. {pg}{_smaller(img, scale)}</span>')
        for b in sorted(on_page, key=lambda b: (bool(b.codes), b.area)):  # flagged ones on top
            x0, top, x1, bottom = b.bbox
            cls = "box" + (" flagged" if b.open else " resolved" if b.codes else "") + (" area" if b.area else "")
            tip = b.path + (f" = {values[b.path]}" if values.get(b.path) else "")
            if b.codes:
                tip += "\n" + "\n".join(f"{f['code']}: {f.get('detail', '')}" for f in flags if f.get("path") == b.path)
            out.append(
                f'<a class="{cls}" id="{b.id}" data-path="{e(b.path)}" data-page="{pg}"'
                f' data-bbox="{x0},{top},{x1},{bottom}" data-flags="{e(" ".join(b.codes))}"'
                f' href="#{row_id.get(b.path, "")}" title="{e(tip)}"'
                f' style="left:{_pct(x0, img.w_pt)};top:{_pct(top, img.h_pt)};'
                f'width:{_pct(x1 - x0, img.w_pt)};height:{_pct(bottom - top, img.h_pt)}">'
                + (f'<span class="tag">{e(" · ".join(b.codes))}</span>' if b.codes else "")
                + "</a>"
            )
        out.append("</div>")
    out.append("</section>")

    out.append('<aside class="side">')
    out.append(f'<div class="flags-wrap"><h2>Flags ({len(flags)})</h2>')
    if flags:
        out.append('<ol class="flags">')
        for i in order:
            fl, box = flags[i], flag_box[i]
            cls = " ".join(c for c in ("" if box else "unboxed", "resolved" if fl.get("resolved_at") else "") if c)
            cls = f' class="{cls}"' if cls else ""
            where = f"p. {fl.get('page')}" if fl.get("page") is not None else "no page"
            if box is None:
                where += " · no box (the record has no position for this path)"
            elif box.area:
                where += " · box around the group"
            out.append(
                f'<li{cls} data-code="{e(fl["code"])}" data-path="{e(fl.get("path"))}"'
                f' data-page="{e(fl.get("page") or "")}" data-box="{box.id if box else ""}"'
                f' data-row="{row_id.get(fl.get("path"), "")}" data-detail="{e(fl.get("detail"))}">'
                f'<span class="chip">{e(fl["code"])}</span> <code>{e(fl.get("path"))}</code>'
                f' <span class="where">{e(where)}</span>'
                f'<div class="detail">{e(fl.get("detail"))}</div>{_resolution(fl)}'
                + (_dismiss_control(rec, fl) if serve is not None else "") + "</li>"
            )
        out.append("</ol>")
    else:
        out.append('<p class="muted">No flags: nothing for a person to check in this filing.</p>')
    out.append("</div>")

    out.append(f'<div class="values-wrap"><h2>Values ({len(rows)})</h2>')
    out.append(
        '<table class="fields"><thead><tr><th>key</th>'
        '<th title="the label as printed where the record keeps it; else, in grey italics, the usual label'
        ' for the key">label</th><th>value</th><th>method</th><th>conf.</th><th>flags</th>'
        + ('<th title="your decision about the value">decide</th>' if serve is not None else "") + "</tr></thead>"
    )
    ncols = 7 if serve is not None else 6
    audit = _audit(rec)
    section = None
    for r in rows:
        if r.section != section:
            if section is not None:
                out.append("</tbody>")
            section = r.section
            out.append(f'<tbody><tr><th colspan="{ncols}">{e(section)}</th></tr>')
        p = prov.get(r.path)
        printed = (p or {}).get("label")
        fl = [f for f in flags if f.get("path") == r.path]
        box = boxes.get(r.path)
        attrs = f' id="{row_id[r.path]}" data-path="{e(r.path)}"'
        if box is not None and not box.area:
            attrs += f' data-box="{box.id}"'
        if fl:
            attrs += ' class="flagged"' if any(not f.get("resolved_at") for f in fl) else ' class="resolved"'
        kind = _kind(r.path) if serve is not None else None
        if kind:
            attrs += f' data-kind="{kind}" data-original="{e(_json(_value_at(rec, r.path)))}"'
        value = f'<span class="shown">{e(r.value)}</span>' if r.value != "" else '<span class="muted">(empty)</span>'
        if r.derived:
            value += f' <span class="derived">→ {e(r.derived)}</span>'
        decided, value_note = _decided(audit.get(r.path) or [])
        flag_html = "".join(
            f'<span class="chip{" resolved" if f.get("resolved_at") else ""}">{e(f["code"])}</span>'
            f'<span class="flagdetail">{e(f.get("detail"))}</span>{_resolution(f)}'
            + (_dismiss_control(rec, f) if serve is not None else "") for f in fl
        )
        conf = (p or {}).get("confidence")
        out.append(
            f"<tr{attrs}><td class=\"key\">{e(r.path)}</td>"
            f'<td class="label{"" if printed else " typical"}">{e(printed or r.label)}</td>'
            f'<td class="value{" num" if r.numeric else ""}{decided}">{value}{value_note}</td>'
            f'<td class="mono">{e((p or {}).get("method", "—"))}'
            f'{"" if p and p.get("bbox") else " <span class=muted>(no box)</span>"}</td>'
            f'<td class="num">{e(f"{conf:.2f}" if isinstance(conf, int | float) else "—")}</td>'
            f"<td>{flag_html}</td>"
            + (f'<td class="decide">{_decide_controls() if kind else ""}</td>' if serve is not None else "")
            + "</tr>"
        )
    if section is not None:
        out.append("</tbody>")
    out.append("</table></div></aside></div>")
    out.append('<script src="../assets/review.js"></script>')
    if serve is not None:
        out.append(f'<script src="../assets/{SERVE_JS}"></script>')
    out.append("</body></html>")
    return "\n".join(x for x in out if x) + "\n"


# ---------------------------------------------------------------- the index


def page_file(filing_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", filing_id)


def index_page(records: list[dict], failures: list[dict], title: str, missing: list[str],
               serve: str | None = None) -> str:
    """The list of filings. ``serve``: the reviewer's name where the server renders it."""
    from .outputs import reviewed

    done = {r["filing_id"] for r in records if reviewed(r)}
    codes = Counter(f["code"] for r in records for f in r.get("flags") or [])
    with_code = Counter(c for r in records for c in {f["code"] for f in r.get("flags") or []})
    flagged = sum(1 for r in records if r.get("flags"))
    out = [
        "<!doctype html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)} · jixiao review</title>",
        '<link rel="icon" href="data:,">',  # no favicon request (a served site answers it 403)
        '<link rel="stylesheet" href="assets/review.css"></head>',
        '<body class="index"' + (f' data-serve="1" data-reviewer="{e(serve)}">' if serve is not None else ">"),
        f"<header><h1>jixiao review: {e(title)}</h1>",
        f'<p class="muted">{len(records)} filing(s): {flagged} flagged, {len(records) - flagged} ok;'
        f" {sum(codes.values())} flag(s); {len(failures)} failed input(s)."
        " Open a filing to see its pages with every value's box; keys j / k step through its flags.</p>",
        f'<p class="progress" id="progress"><b>{len(done)} of {len(records)}</b> filing(s) fully reviewed'
        " (a person decided something about it and no flag of it is left open)"
        + (f"; reviewing as <b>{e(serve)}</b>." if serve is not None else
           ", as the outputs were last written (<code>jixiao review OUTDIR --serve</code> edits)") + "</p>",
    ]
    if missing:
        out.append(f'<p class="status-flagged">Source PDF not found for: {e(", ".join(missing))}'
                   " (their pages show boxes on a blank page).</p>")
    out.append("</header>")
    out.append('<div class="filters">')
    out.append('<label>flag code <select id="code"><option value="">any</option>')
    for c in [*schema.FLAG_CODES, *sorted(set(codes) - set(schema.FLAG_CODES))]:
        if c in codes:
            out.append(f'<option value="{e(c)}">{e(c)} ({with_code[c]} filing(s), {codes[c]} flag(s))</option>')
    out.append("</select></label>")
    out.append('<label>status <select id="status"><option value="">any</option>'
               f'<option value="flagged">flagged ({flagged})</option>'
               f'<option value="ok">ok ({len(records) - flagged})</option>'
               f'<option value="reviewed">reviewed ({len(done)})</option>'
               f'<option value="unreviewed">not reviewed ({len(records) - len(done)})</option></select></label>')
    out.append('<label>search <input id="q" type="search" placeholder="file, project, id"></label>')
    out.append(f'<span class="muted">showing <span id="shown">{len(records)} of {len(records)}</span></span>')
    out.append("</div><main>")
    out.append('<table class="list" id="filings"><thead><tr><th>source file</th><th>project</th><th>year</th>'
               "<th>status</th><th>flags</th><th>by code</th></tr></thead><tbody>")
    for r in records:
        src, form, fields = r.get("source") or {}, r.get("form") or {}, r.get("fields") or {}
        fl = r.get("flags") or []
        status = "flagged" if fl else "ok"
        by = Counter(f["code"] for f in fl)
        name = fields.get("project_name") or ""
        text = " ".join(str(x) for x in (src.get("file"), name, r["filing_id"], form.get("title")) if x).lower()
        href = f"filings/{page_file(r['filing_id'])}.html"
        out.append(
            f'<tr data-filing-id="{e(r["filing_id"])}" data-status="{status}" data-codes="{e(" ".join(sorted(by)))}"'
            f' data-reviewed="{int(r["filing_id"] in done)}"'
            f' data-text="{e(text)}">'
            f'<td>{e(src.get("file"))}<br><span class="muted mono">{e(r["filing_id"])}'
            f' · p. {e(",".join(str(p) for p in src.get("pages") or []))}</span></td>'
            f'<td><a href="{e(href)}">{e(name) or "<span class=muted>(no project name)</span>"}</a></td>'
            f'<td>{e(form.get("year") or "")}</td>'
            f'<td class="status status-{status}">{status}'
            + ('<br><span class="reviewed">✓ reviewed</span>' if r["filing_id"] in done else "") + "</td>"
            f'<td class="num">{len(fl)}</td>'
            "<td>" + "".join(f'<button type="button" class="chip" data-code="{e(c)}" title="show filings with {e(c)}">'
                             f"{e(c)} {n}</button>" for c, n in sorted(by.items())) + "</td></tr>"
        )
    out.append("</tbody></table>")
    out.append('<p class="empty-note" id="none-shown" hidden>No filing matches the filter.</p>')
    if failures:
        out.append(f"<h2>Failed inputs ({len(failures)})</h2>")
        out.append('<table class="list"><thead><tr><th>source file</th><th>error class</th><th>message</th></tr>'
                   "</thead><tbody>")
        for f in failures:
            out.append(f"<tr><td>{e(f.get('source_file'))}</td><td><code>{e(f.get('error_class'))}</code></td>"
                       f"<td>{e(f.get('message'))}</td></tr>")
        out.append("</tbody></table>")
    out.append("</main>")
    out.append('<script src="assets/review.js"></script>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the site


def build_site(outdir: str | Path, scale: float = DEFAULT_SCALE, fmt: str = DEFAULT_FORMAT,
               pdf_dirs: Iterable[str | Path] = ()) -> SiteSummary:
    """Write OUTDIR/review/ from OUTDIR's filings.jsonl (and failures.csv); returns what was done."""
    if not 0.25 <= scale <= 4:
        raise UsageError("--scale must be between 0.25 and 4")
    if fmt not in ("auto", "jpeg", "png"):
        raise UsageError("the image format must be auto, jpeg or png")
    out = check_outdir(outdir)
    records = load_records(out)
    failures = load_failures(out)
    root = out / "review"
    pdf_dirs = [Path(d) for d in pdf_dirs]
    for d in pdf_dirs:
        if not d.is_dir():
            raise UsageError(f"not a directory: {d}")
    summary = SiteSummary(root=root, filings=len(records))
    try:
        for name in ASSETS:
            data = resources.files("jixiao.pipelines").joinpath("review_assets", name).read_bytes()
            atomic_write(root / "assets" / name, data)
        images = PageImages(root, scale, fmt)
        ledger = seen_by_hash(out / "ledger.sqlite")
        listed: dict[Path, list[Path]] = {}
        by_source: dict[str, dict[int, PageImage]] = {}
        for rec in records:
            src = rec.get("source") or {}
            digest = src.get("sha256") or ""
            pages = record_pages(rec)
            have = by_source.setdefault(digest, {})
            want = pages - set(have)
            if want:
                def locate(digest=digest, src=src) -> Path | None:
                    source = find_source(digest, src.get("file", ""), ledger, pdf_dirs, listed)
                    if source is None and src.get("file") not in summary.missing_sources:
                        summary.missing_sources.append(src.get("file", digest[:12]))
                    return source

                have.update(images.get(digest, want, locate))
        ids = [page_file(r["filing_id"]) for r in records]
        for n, rec in enumerate(records):
            digest = (rec.get("source") or {}).get("sha256") or ""
            page = filing_page(rec, by_source.get(digest, {}), ids[n - 1] if n else None,
                               ids[n + 1] if n + 1 < len(ids) else None, scale)
            atomic_write(root / "filings" / f"{ids[n]}.html", page.encode("utf-8"))
        title = out.resolve().name
        atomic_write(root / "index.html", index_page(records, failures, title, summary.missing_sources).encode("utf-8"))
        # what the records no longer need: pages of filings and images of sources that left OUTDIR
        current = set(ids)
        for f in (root / "filings").glob("*.html"):
            if f.stem not in current:
                f.unlink()
        keep = {d[:16] for d in by_source}
        for key in [k for k in images.manifest if k.split("-p")[0] not in keep]:
            (images.dir / images.manifest.pop(key).get("file", "")).unlink(missing_ok=True)
        images.save()
    except OSError as err:
        raise OutputNotWritable(f"cannot write the review site in {root}: {err.strerror or err}") from err
    summary.rendered, summary.reused, summary.notes = images.rendered, images.reused, images.notes
    return summary


def report(summary: SiteSummary, quiet: bool = False) -> None:
    """Where the site is (stdout, unless quiet) and which source PDFs were not found (stderr)."""
    import sys

    if not quiet:
        print(f"jixiao: review site in {summary.index} ({summary.filings} filing(s); page images: "
              f"{summary.rendered} rendered, {summary.reused} reused)")
    for note in summary.notes:
        print(f"jixiao: review: {note}", file=sys.stderr)
    if summary.missing_sources:
        print(f"jixiao: source PDF not found for {', '.join(summary.missing_sources)}: their boxes are drawn on "
              "blank pages (--pdf-dir DIR tells where to look)", file=sys.stderr)
