"""Every log record, jixiao's and its libraries' (pdfminer, RapidOCR, ONNX Runtime, jieba …), through
one handler on stderr: ``jixiao: warning: …`` lines, or JSON lines with ``--log-json``.

``-q`` keeps only jixiao's own warnings and errors. Libraries speak at WARNING and above only (their
INFO is for their own developers). Worker processes are forked from the driver and inherit the
handler; a record made while a worker reads an input names that input.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys

# The input a worker process is reading (set around each task): log records name it.
current_input: str | None = None
_handler: logging.Handler | None = None


class _Stderr(logging.StreamHandler):
    """A handler writing to whatever sys.stderr is at the time (tests swap it)."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


class _Policy(logging.Filter):
    def __init__(self, quiet: bool):
        super().__init__()
        self.quiet = quiet

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == "jixiao" or record.name.startswith("jixiao.")
        if self.quiet and not ours:
            return False
        if record.levelno < (logging.WARNING if self.quiet or not ours else logging.INFO):
            return False
        record.input = current_input
        return True


class _Text(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        where = f"{record.input}: " if getattr(record, "input", None) else ""
        source = "" if record.name.startswith("jixiao") else f"[{record.name}] "
        text = f"jixiao: {record.levelname.lower()}: {where}{source}{record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class _Json(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ev = {"event": "log", "level": record.levelname.lower(), "logger": record.name,
              "message": record.getMessage()}
        if getattr(record, "input", None):
            ev["file"] = record.input
        if record.exc_info:
            ev["traceback"] = self.formatException(record.exc_info)
        return json.dumps(ev, ensure_ascii=False)


def setup(quiet: bool = False, json_lines: bool = False) -> None:
    """Route every record through one stderr handler (replacing the one an earlier call set up)."""
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = _Stderr()
    _handler.addFilter(_Policy(quiet))
    _handler.setFormatter(_Json() if json_lines else _Text())
    root.addHandler(_handler)
    root.setLevel(logging.WARNING)  # libraries' INFO records are not even made
    logging.getLogger("jixiao").setLevel(logging.INFO)
    logging.captureWarnings(True)  # warnings.warn() of libraries: records of "py.warnings"
    _adopt("RapidOCR")
    _after_import("onnxruntime", _route_onnxruntime)


class _ToRoot(logging.Handler):
    """Hands a record to the root logger's handlers (for a library logger that does not propagate)."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger().handle(record)


def _adopt(name: str) -> None:
    """RapidOCR sets up its own coloured console handler unless its logger has one already: give it
    ours first."""
    logger = logging.getLogger(name)
    if not any(isinstance(h, _ToRoot) for h in logger.handlers):
        logger.addHandler(_ToRoot())


_ORT_LEVELS = {0: logging.DEBUG, 1: logging.INFO, 2: logging.WARNING, 3: logging.ERROR, 4: logging.CRITICAL}


def _route_onnxruntime(ort) -> None:
    """ONNX Runtime logs from C++ straight to stderr; its Python API can hand the messages over."""
    ort_log = logging.getLogger("onnxruntime")

    def callback(severity, category, logid, code_location, message):
        ort_log.log(_ORT_LEVELS.get(severity, logging.WARNING), "%s", message)

    try:
        ort.set_default_logger_callback(callback, 2)
    except (AttributeError, TypeError):  # an older ONNX Runtime: errors only, on stderr
        ort.set_default_logger_severity(3)


class _AfterImport:
    """Runs ``hook(module)`` once ``name`` is imported, without importing it before it is needed
    (ONNX Runtime takes a third of a second to load and a digital PDF never needs it). A meta path
    finder by its ``find_spec`` alone: importlib.abc would cost 10 ms of every start."""

    def __init__(self, name: str, hook):
        self.name = name
        self.hook = hook

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        load, hook = spec.loader.exec_module, self.hook

        def exec_module(module):
            load(module)
            try:
                hook(module)
            except Exception:  # the library works without its logs routed
                logging.getLogger("jixiao").debug("cannot route %s's log", fullname, exc_info=True)

        spec.loader.exec_module = exec_module
        return spec


def _after_import(name: str, hook) -> None:
    if name in sys.modules:
        hook(sys.modules[name])
    elif not any(isinstance(f, _AfterImport) and f.name == name for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport(name, hook))
