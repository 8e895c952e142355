"""OCR engines behind one interface: recognise many line images in one call.

The page reader finds the text lines itself (they sit in the cells of a ruled grid), so an
engine never runs a detection pass per cell, nor a process per cell: ``recognize`` gets all the
line crops of a page at once. RapidOCR runs its recognition model on them in batches; Tesseract
gets them stacked into one image (one process per page, ``OMP_THREAD_LIMIT=1``).

Engines load once per process (``get_engine`` caches them) and only when a page needs OCR.
A missing engine raises ``EngineMissing`` with how to install it.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import EngineMissing
from ..textfold import is_cjk

if TYPE_CHECKING:
    import numpy as np

INSTALL_RAPIDOCR = "pip install rapidocr onnxruntime  (the rapidocr wheel ships its models; nothing is downloaded)"
INSTALL_TESSERACT = "Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim; then pip install pytesseract"


@dataclass
class Recognized:
    """What an engine read in one line image."""

    text: str
    confidence: float  # 0..1
    # x (pixels, in the line image) of each character of ``text``; None when the engine cannot tell
    positions: list[float] | None = None
    char_confidences: list[float] | None = field(default=None, repr=False)


@dataclass
class Word:
    """A piece of text found on a whole page (the raw full-page baseline of the benchmark)."""

    bbox: tuple[float, float, float, float]  # pixels
    text: str
    confidence: float


class Engine:
    """One OCR engine. ``recognize`` reads single text lines; ``read_page`` is its own full-page
    detection + recognition, kept for the benchmark's raw baseline."""

    name = "none"
    # Whether ``Recognized.positions`` are character centres to a fraction of a character
    # (RapidOCR's CTC steps) or only roughly so (Tesseract's LSTM character boxes).
    exact_positions = True

    @property
    def method(self) -> str:
        return f"ocr:{self.name}"

    def recognize(self, lines: list[np.ndarray]) -> list[Recognized]:
        raise NotImplementedError

    def read_page(self, gray: np.ndarray) -> list[Word]:
        raise NotImplementedError


class NoOpEngine(Engine):
    """Reads nothing: every line comes back empty with confidence 0 (geometry-only runs, tests)."""

    name = "none"

    def recognize(self, lines: list[np.ndarray]) -> list[Recognized]:
        return [Recognized("", 0.0) for _ in lines]

    def read_page(self, gray: np.ndarray) -> list[Word]:
        return []


# ---------------------------------------------------------------- RapidOCR


def _rapidocr_models_present() -> bool:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.origin:
        return False
    models = Path(spec.origin).parent / "models"
    return any(models.glob("*rec*.onnx")) and any(models.glob("*det*.onnx"))


class RapidOcrEngine(Engine):
    """RapidOCR (PP-OCR models on ONNX Runtime). Lines go straight to the recognition model
    (no detection, no angle classifier): the reader already cut them out of the grid."""

    name = "rapidocr"
    BATCH = 6

    def __init__(self) -> None:
        try:
            import onnxruntime  # noqa: F401
            from rapidocr import RapidOCR
        except ImportError as e:
            raise EngineMissing(
                f"the OCR engine RapidOCR is not installed ({e}); install it: {INSTALL_RAPIDOCR}"
            ) from e
        if not _rapidocr_models_present():
            raise EngineMissing(f"RapidOCR is installed without its models; reinstall it: {INSTALL_RAPIDOCR}")
        params = {"Global.log_level": "critical"}
        threads = os.environ.get("JIXIAO_OCR_THREADS")
        if threads and threads.isdigit():
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = int(threads)
        self._ocr = RapidOCR(params=params)
        self._rec = self._ocr._load_rec_model()
        self._chars = self._rec.postprocess_op.character
        self._lock = threading.Lock()

    def recognize(self, lines: list[np.ndarray]) -> list[Recognized]:
        import cv2
        import numpy as np

        out: list[Recognized | None] = [None] * len(lines)
        order = sorted(range(len(lines)), key=lambda i: lines[i].shape[1] / max(lines[i].shape[0], 1))
        _, img_h, base_w = self._rec.rec_image_shape[:3]
        for idx in self._batches(lines, order):
            ratios = [lines[i].shape[1] / max(lines[i].shape[0], 1) for i in idx]
            max_ratio = max(max(ratios), base_w / img_h)
            width = int(img_h * max_ratio)
            batch = np.zeros((len(idx), 3, img_h, width), dtype=np.float32)
            resized_w = []
            for k, i in enumerate(idx):
                img = lines[i]
                if img.ndim == 2:
                    img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
                rw = min(width, int(np.ceil(img_h * ratios[k])))
                resized = cv2.resize(img, (rw, img_h)).astype(np.float32)
                batch[k, :, :, :rw] = (resized.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
                resized_w.append(rw)
            with self._lock:
                preds = self._rec.session(batch)
            steps = preds.shape[1]
            best = preds.argmax(axis=2)
            prob = preds.max(axis=2)
            for k, i in enumerate(idx):
                scale = (width / steps) * (lines[i].shape[1] / resized_w[k])
                out[i] = self._decode(best[k], prob[k], scale)
        return [r if r is not None else Recognized("", 0.0) for r in out]

    def _batches(self, lines: list[np.ndarray], order: list[int]) -> list[list[int]]:
        """Lines of similar width together (a batch is padded to its widest line)."""
        out: list[list[int]] = []
        for i in order:
            ratio = lines[i].shape[1] / max(lines[i].shape[0], 1)
            if out and len(out[-1]) < self.BATCH and ratio <= 1.15 * out[-1][0][1] + 1:
                out[-1].append((i, ratio))
            else:
                out.append([(i, ratio)])
        return [[i for i, _ in b] for b in out]

    def _decode(self, best, prob, scale: float) -> Recognized:
        text: list[str] = []
        pos: list[float] = []
        confs: list[float] = []
        prev = -1
        start = 0
        for t, c in enumerate(best.tolist()):
            if c != prev:
                if prev > 0:
                    pos[-1] = (start + t - 1) / 2 * scale + scale / 2
                if c > 0:
                    text.append(self._chars[c])
                    pos.append((t + 0.5) * scale)
                    confs.append(float(prob[t]))
                    start = t
                prev = c
        if prev > 0:
            pos[-1] = (start + len(best) - 1) / 2 * scale + scale / 2
        conf = float(sum(confs) / len(confs)) if confs else 0.0
        return Recognized("".join(text), conf, pos, confs)

    def read_page(self, gray: np.ndarray) -> list[Word]:
        res = self._ocr(gray)
        if res is None or getattr(res, "boxes", None) is None or res.txts is None:
            return []
        out = []
        for box, txt, score in zip(res.boxes, res.txts, res.scores):
            xs = [p[0] for p in box]
            ys = [p[1] for p in box]
            out.append(Word((min(xs), min(ys), max(xs), max(ys)), txt, float(score)))
        return out


# ---------------------------------------------------------------- Tesseract


class TesseractEngine(Engine):
    """Tesseract (chi_sim) through pytesseract: all lines of a call stacked into one image, read
    in one process with one uniform block layout (``--psm 6``)."""

    name = "tesseract"
    exact_positions = False
    LINE_PX = 40  # lines are scaled to this height (Tesseract reads best at 30–40 px)
    GAP = 24  # white rows between stacked lines
    STACK_LINES = 115  # lines per stacked image (one call): about 7,400 px of sheet

    def __init__(self, lang: str = "chi_sim") -> None:
        try:
            import pytesseract
        except ImportError as e:
            raise EngineMissing(f"pytesseract is not installed ({e}); install it: {INSTALL_TESSERACT}") from e
        if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
            raise EngineMissing(f"the tesseract program is not installed; install it: {INSTALL_TESSERACT}")
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        try:
            langs = set(pytesseract.get_languages(config=""))
        except Exception as e:
            raise EngineMissing(f"tesseract does not run ({e}); reinstall it: {INSTALL_TESSERACT}") from e
        if lang not in langs:
            raise EngineMissing(
                f"tesseract has no '{lang}' language data (it has: {', '.join(sorted(langs)) or 'none'}); "
                f"install it: {INSTALL_TESSERACT}"
            )
        self._tess = pytesseract
        self.lang = lang

    def recognize(self, lines: list[np.ndarray]) -> list[Recognized]:
        out: list[Recognized] = []
        for start in range(0, len(lines), self.STACK_LINES):
            out += self._recognize_stack(lines[start : start + self.STACK_LINES])
        return out

    def _recognize_stack(self, lines: list[np.ndarray]) -> list[Recognized]:
        import cv2
        import numpy as np

        scaled = []
        for img in lines:
            h, w = img.shape[:2]
            f = self.LINE_PX / max(h, 1)
            scaled.append((cv2.resize(img, (max(1, round(w * f)), self.LINE_PX), interpolation=cv2.INTER_CUBIC), f))
        margin = self.GAP
        width = max(s.shape[1] for s, _ in scaled) + 2 * margin
        height = sum(s.shape[0] + self.GAP for s, _ in scaled) + margin
        sheet = np.full((height, width), 255, dtype=np.uint8)
        bands = []
        y = margin
        for s, _ in scaled:
            sheet[y : y + s.shape[0], margin : margin + s.shape[1]] = s
            bands.append((y, y + s.shape[0]))
            y += s.shape[0] + self.GAP
        hocr = self._tess.image_to_pdf_or_hocr(
            sheet, lang=self.lang, extension="hocr", config="--psm 6 -c hocr_char_boxes=1"
        )
        chars: list[list[tuple[float, str, float]]] = [[] for _ in lines]
        for top, bottom, x0, x1, conf, ch in _hocr_chars(hocr.decode("utf-8", "replace")):
            cy = (top + bottom) / 2
            for k, (b0, b1) in enumerate(bands):
                if b0 - self.GAP / 2 <= cy < b1 + self.GAP / 2:
                    chars[k].append(((x0 + x1) / 2 - margin, ch, conf))
                    break
        out = []
        for k, cs in enumerate(chars):
            f = scaled[k][1]
            # Tesseract's own word breaks are not the text's spaces (it breaks between CJK
            # characters); the reader puts spaces back from the image.
            text = _fullwidth_punct("".join(ch for _, ch, _ in cs))
            pos = [x / f for x, _, _ in cs]
            confs = [c for _, _, c in cs]
            conf = sum(confs) / len(confs) if confs else 0.0
            out.append(Recognized(text, conf, pos, confs))
        return out

    def read_page(self, gray: np.ndarray) -> list[Word]:
        data = self._tess.image_to_data(gray, lang=self.lang, config="--psm 3", output_type=self._tess.Output.DICT)
        out = []
        for i, text in enumerate(data["text"]):
            if (text or "").strip():
                x, y, w, h = data["left"][i], data["top"][i], data["width"][i], data["height"][i]
                out.append(Word((x, y, x + w, y + h), text.strip(), max(float(data["conf"][i]), 0.0) / 100))
        return out


_LINE = re.compile(r"<span class='ocr_line'[^>]*title=\"bbox (\d+) (\d+) (\d+) (\d+)")
_CINFO = re.compile(
    r"<span class='ocrx_cinfo' title='x_bboxes (\d+) (\d+) (\d+) (\d+); x_conf ([\d.]+)'>([^<]*)</span>"
)


def _hocr_chars(hocr: str):
    """(line top, line bottom, x0, x1, confidence 0..1, character) of every character in
    Tesseract's hOCR, in its reading order (the line's box places it; a character box is rough)."""
    lines = [(m.start(), int(m.group(2)), int(m.group(4))) for m in _LINE.finditer(hocr)]
    li = -1
    for m in _CINFO.finditer(hocr):
        while li + 1 < len(lines) and lines[li + 1][0] < m.start():
            li += 1
        ch = html.unescape(m.group(6))
        if ch.strip() and li >= 0:
            _, top, bottom = lines[li]
            yield top, bottom, int(m.group(1)), int(m.group(3)), float(m.group(5)) / 100, ch


_FULLWIDTH = {"(": "（", ")": "）", ":": "：", ";": "；", ",": "，", "〈": "（", "〉": "）", "?": "？", "!": "！"}
_ENUMERATOR = re.compile(r"^\(([一二三四五六七八九十]{1,2})\)")


def _fullwidth_punct(text: str) -> str:
    """Tesseract's chi_sim writes ASCII punctuation where Chinese text has full-width marks:
    next to a CJK character they become full-width again (not the "(一)" enumerator, nor a
    colon between digits)."""
    enum = _ENUMERATOR.match(text)
    keep = set(range(enum.end())) if enum else set()
    out = list(text)
    for k, ch in enumerate(text):
        if ch not in _FULLWIDTH or k in keep:
            continue
        prev = text[k - 1] if k > 0 else ""
        nxt = text[k + 1] if k + 1 < len(text) else ""
        if ch == ":" and prev.isdigit() and nxt.isdigit():
            continue
        if ch in "〈〉" or is_cjk(prev) or is_cjk(nxt):
            out[k] = _FULLWIDTH[ch]
    return "".join(out)


# ---------------------------------------------------------------- registry

_ENGINES: dict[str, type[Engine]] = {"rapidocr": RapidOcrEngine, "tesseract": TesseractEngine, "none": NoOpEngine}
_CACHE: dict[str, Engine] = {}
_CACHE_LOCK = threading.Lock()


def register(name: str, cls: type[Engine]) -> None:
    """Add an engine class (tests use this for a fault-injection engine)."""
    _ENGINES[name] = cls
    _CACHE.pop(name, None)


def get_engine(name: str = "rapidocr") -> Engine:
    """The engine of that name, loaded once per process."""
    if name not in _ENGINES:
        raise ValueError(f"unknown OCR engine {name!r} (known: {', '.join(sorted(_ENGINES))})")
    with _CACHE_LOCK:
        engine = _CACHE.get(name)
        if engine is None:
            engine = _CACHE[name] = _ENGINES[name]()
        return engine
