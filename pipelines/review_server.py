"""``jixiao review OUTDIR --serve``: the review site served to this computer only, where a person's
decisions (set a value, confirm it, dismiss a flag) go to OUTDIR/corrections.jsonl (issue 14).

Who may ask. The server listens on 127.0.0.1 only. Every request, pages and API alike, must
  - come from a loopback address,
  - name ``127.0.0.1:PORT`` or ``localhost:PORT`` as its Host (a web page whose site name is made to
    point at 127.0.0.1, DNS rebinding, sends its own name),
  - carry ``?token=TOKEN``, the random token printed at the start (compared in constant time),
and a POST whose Origin is another site is refused: 403 otherwise. Links in the served pages
carry the token; the page's script sends it with every decision.

What is shown. A filing with decisions is shown as the next rebuild of the outputs will write it:
its machine record (the ledger's result for the last run, ``ledger.last_result``) with every
decision of corrections.jsonl applied in file order (``apply_to_record``); a filing without any
as filings.jsonl has it. filings.jsonl after a rebuild already carries the decisions of that time,
so it is never the base decisions are applied to. A new decision is checked (``check_decision``)
against that same record, the one the reviewer saw, and appended (``append_decision``: one
flock'ed line) under one lock, so two tabs deciding at once are checked and written in turn.

What is not done. The outputs are not rewritten: ``jixiao apply OUTDIR`` or the next ``extract``
writes the decisions into them. OUTDIR's lock is not held: an extract may run meanwhile (the
server sees its new filings.jsonl; page images of new sources are rendered when first shown).
"""

from __future__ import annotations

import copy
import errno
import hmac
import ipaddress
import json
import re
import secrets
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .corrections import CORRECTIONS, Corrections, append_decision, apply_to_record, check_decision
from .corrections import load as load_corrections
from .errors import UsageError
from .inputs import display_path
from .ledger import last_result, seen_by_hash
from .outputs import reviewed
from .record_paths import InvalidDecision
from .review import (
    ASSETS,
    SERVE_JS,
    PageImages,
    check_outdir,
    filing_page,
    find_source,
    index_page,
    load_failures,
    load_records,
    page_file,
    record_pages,
)

HOST = "127.0.0.1"
LEDGER = "ledger.sqlite"
MAX_BODY = 64 * 1024  # a decision is a few hundred bytes; a long text value a few thousand
CLIENT_KEYS = ("filing_id", "path", "action", "value", "flag", "original", "note")
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg"}
PAGE_IMAGE = re.compile(r"^[0-9a-f]{16}-p\d+\.(png|jpg)$")
CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


class Refused(Exception):
    """A request answered with ``status`` and a message (``str``)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------- who may ask


def is_loopback(address: str) -> bool:
    """Whether a client address is this computer (127.0.0.0/8, ::1, an IPv4-mapped 127.x)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


class Gate:
    """The checks every request passes before anything else (see the module's docstring)."""

    def __init__(self, token: str, port: int):
        self.token = token.encode()
        self.hosts = {f"{HOST}:{port}", f"localhost:{port}"}
        self.origins = {f"http://{h}" for h in self.hosts}

    def check(self, client: str, host: str | None, origin: str | None, query: str, post: bool) -> None:
        if not is_loopback(client):
            raise Refused(403, "only this computer may use the review server")
        if (host or "").lower() not in self.hosts:
            raise Refused(403, f"the Host of the request must be one of {', '.join(sorted(self.hosts))}")
        tokens = parse_qs(query, keep_blank_values=True).get("token") or []
        if len(tokens) != 1 or not hmac.compare_digest(tokens[0].encode(), self.token):
            raise Refused(403, "a valid token is needed: open the address `jixiao review --serve` printed")
        if post and origin is not None and origin.lower() not in self.origins:
            raise Refused(403, "a page of another site may not write decisions")


def with_token(page: str, token: str) -> str:
    """``page`` with the token added to every relative link and source (its own pages, images,
    style and script); links within the page (``#r3``) and to other sites are left alone."""
    return re.sub(r'(\s(?:href|src)=")([^"#?:]+)((?:#[^"]*)?)"', lambda m: f'{m[1]}{m[2]}?token={token}{m[3]}"', page)


# ---------------------------------------------------------------- what is shown


class ReviewState:
    """OUTDIR's filings as the served pages show them, read again when filings.jsonl or
    corrections.jsonl changes; one lock for everything (requests are few: one person or two)."""

    def __init__(self, out: Path, reviewer: str, scale: float, fmt: str, pdf_dirs: list[Path]):
        self.out = out
        self.root = out / "review"
        self.reviewer = reviewer
        self.scale, self.fmt, self.pdf_dirs = scale, fmt, pdf_dirs
        self.lock = threading.RLock()
        self._records_key = self._corrections_key = None
        self.records: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.by_page: dict[str, str] = {}  # page file name → filing_id
        self.failures: list[dict] = []
        self.machine: dict[str, dict | None] = {}
        self.applied: dict[str, tuple[list, dict]] = {}  # filing_id → (its decisions, the record with them)
        self.corrections = Corrections([], [])
        self.images = PageImages(self.root, scale, fmt)
        self.refresh()

    @staticmethod
    def _key(path: Path):
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def refresh(self) -> None:
        """Read filings.jsonl again after a rebuild (rewritten by a rename) and corrections.jsonl after
        an append; a filings.jsonl that cannot be read now keeps the last one read."""
        key = self._key(self.out / "filings.jsonl")
        if key != self._records_key:
            try:
                records = load_records(self.out)
            except (UsageError, OSError) as e:
                if not self.records:
                    raise UsageError(str(e)) from e
                print(f"jixiao: review: {e}; the filings read before are shown", file=sys.stderr)
            else:
                self._records_key, self.records = key, records
                self.by_id = {r["filing_id"]: r for r in records}
                self.by_page = {page_file(r["filing_id"]): r["filing_id"] for r in records}
                self.failures = load_failures(self.out)
                self.machine, self.applied = {}, {}
                self.images = PageImages(self.root, self.scale, self.fmt)
        key = self._key(self.out / CORRECTIONS)
        if key != self._corrections_key:
            self.corrections = load_corrections(self.out)
            self._corrections_key = key

    def _machine(self, filing_id: str) -> dict | None:
        """The filing's record as the machine made it (the ledger's result of the last run)."""
        if filing_id not in self.machine:
            digest = (self.by_id[filing_id].get("source") or {}).get("sha256") or ""
            res = last_result(self.out / LEDGER, digest) or {}
            self.machine[filing_id] = next((r for r in res.get("records") or [] if r.get("filing_id") == filing_id),
                                           None)
        return self.machine[filing_id]

    def record(self, filing_id: str) -> dict:
        """The filing as the next rebuild will write it (see the module's docstring)."""
        decisions = self.corrections.by_filing.get(filing_id)
        machine = self._machine(filing_id) if decisions else None
        if machine is None:
            return self.by_id[filing_id]
        kept = self.applied.get(filing_id)
        if kept is not None and kept[0] == decisions:  # the file only grows: a filing's own lines unchanged
            return kept[1]
        rec = copy.deepcopy(machine)
        apply_to_record(rec, decisions)
        self.applied[filing_id] = (list(decisions), rec)
        return rec

    def shown(self) -> list[dict]:
        return [self.record(r["filing_id"]) for r in self.records]

    def progress(self) -> dict:
        shown = self.shown()
        return {"reviewed": sum(1 for r in shown if reviewed(r)), "filings": len(shown)}

    # -- pages
    def index_html(self) -> str:
        with self.lock:
            self.refresh()
            return index_page(self.shown(), self.failures, self.out.resolve().name, [], serve=self.reviewer)

    def filing_html(self, name: str) -> str | None:
        with self.lock:
            self.refresh()
            filing_id = self.by_page.get(name)
            if filing_id is None:
                return None
            rec = self.record(filing_id)
            ids = [page_file(r["filing_id"]) for r in self.records]
            n = ids.index(name)
            return filing_page(rec, self._images(rec), ids[n - 1] if n else None,
                               ids[n + 1] if n + 1 < len(ids) else None, self.scale, serve=self.reviewer)

    def _images(self, rec: dict) -> dict:
        """The filing's page images: those the site has, and any missing (a source an extract added
        while the server ran) rendered now."""
        src = rec.get("source") or {}
        digest = src.get("sha256") or ""

        def locate() -> Path | None:
            return find_source(digest, src.get("file", ""), seen_by_hash(self.out / LEDGER), self.pdf_dirs)

        before = self.images.rendered
        found = self.images.get(digest, record_pages(rec), locate)
        if self.images.rendered != before:
            self.images.save()
        return found

    # -- decisions
    def decide(self, body: dict) -> dict:
        """Check a reviewer's decision against the filing as shown and append it; the answer says
        what it is and how far the review is. InvalidDecision (400) when it cannot stand."""
        unknown = sorted(set(body) - set(CLIENT_KEYS))
        if unknown:
            raise InvalidDecision(f"unknown key(s) {', '.join(unknown)}: a decision has {', '.join(CLIENT_KEYS)} "
                                  "(the server adds the reviewer and the time)")
        filing_id = body.get("filing_id")
        decision = {k: body[k] for k in ("filing_id", "path", "action", "original", "note") if k in body}
        if body.get("action") == "set" and "value" in body:
            decision["value"] = body["value"]
        if body.get("action") == "dismiss_flag" and "flag" in body:
            decision["flag"] = body["flag"]
        decision["reviewer"] = self.reviewer
        decision["at"] = datetime.now(UTC).isoformat(timespec="seconds")
        with self.lock:
            self.refresh()
            if not isinstance(filing_id, str) or filing_id not in self.by_id:
                raise InvalidDecision(f"filing_id {filing_id!r} is not a filing of {display_path(self.out)}")
            if self._machine(filing_id) is None:
                raise InvalidDecision(f"the ledger has no machine result for filing {filing_id} (the outputs and the "
                                      "ledger disagree): run `jixiao extract` on OUTDIR again")
            checked = check_decision(self.record(filing_id), decision)
            append_decision(self.out, decision)
            self.refresh()
            return {"decision": checked.to_json(), "reviewed": reviewed(self.record(filing_id)),
                    "progress": self.progress()}


# ---------------------------------------------------------------- HTTP


class Handler(BaseHTTPRequestHandler):
    server_version = "jixiao-review"
    server: ReviewServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self._answer(post=False)

    def do_POST(self) -> None:  # noqa: N802
        self._answer(post=True)

    def _answer(self, post: bool) -> None:
        url = urlsplit(self.path)
        try:
            self.server.gate.check(self.client_address[0], self.headers.get("Host"), self.headers.get("Origin"),
                                   url.query, post)
            if post:
                self._decide(unquote(url.path))
            else:
                self._get(unquote(url.path))
        except Refused as e:
            self._send(e.status, {"error": str(e)})
        except InvalidDecision as e:
            self._send(400, {"error": str(e)})
        except OSError as e:  # corrections.jsonl cannot be written (a full disk, permissions)
            self._send(500, {"error": f"cannot write {CORRECTIONS}: {e.strerror or e}"})
        except Exception as e:  # a bug of ours: said, and the server goes on
            self.server.handle_error(self.request, self.client_address)
            self._send(500, {"error": f"the server failed: {type(e).__name__}: {e}"})

    def _get(self, path: str) -> None:
        state = self.server.state
        if path in ("/", "/index.html"):
            return self._send(200, with_token(state.index_html(), self.server.token), ".html")
        m = re.fullmatch(r"/filings/([A-Za-z0-9._-]+)\.html", path)
        if m:
            page = state.filing_html(m[1])
            if page is None:
                raise Refused(404, f"no filing page {m[1]}.html")
            return self._send(200, with_token(page, self.server.token), ".html")
        m = re.fullmatch(r"/assets/([a-z.]+)", path)
        if m and m[1] in (*ASSETS, SERVE_JS):
            data = resources.files("jixiao.pipelines").joinpath("review_assets", m[1]).read_bytes()
            return self._send(200, data, Path(m[1]).suffix)
        m = re.fullmatch(r"/pages/([^/]+)", path)
        if m and PAGE_IMAGE.match(m[1]) and (state.root / "pages" / m[1]).is_file():
            return self._send(200, (state.root / "pages" / m[1]).read_bytes(), Path(m[1]).suffix)
        raise Refused(404, f"nothing at {path}")

    def _decide(self, path: str) -> None:
        if path != "/api/corrections":
            raise Refused(404, f"nothing to post to at {path}: decisions go to /api/corrections")
        length = self.headers.get("Content-Length") or ""
        if not length.isdigit():
            raise Refused(411, "a decision needs a Content-Length")
        if int(length) > MAX_BODY:
            raise Refused(413, f"a decision is at most {MAX_BODY // 1024} KB")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise Refused(415, "a decision is sent as application/json")
        raw = self.rfile.read(int(length))
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError as e:
            raise Refused(400, f"the body is not JSON ({e})") from e
        if not isinstance(body, dict):
            raise Refused(400, "a decision is a JSON object")
        answer = self.server.state.decide(body)
        self._send(201, answer)
        if not self.server.quiet:
            d = answer["decision"]
            what = {"set": "set", "confirm": "confirmed", "dismiss_flag": f"dismissed {d.get('flag')} on"}[d["action"]]
            print(f"jixiao: review: {d['reviewer']} {what} {d['path']} of {d['filing_id']}", file=sys.stderr)

    def _send(self, status: int, body, suffix: str = ".json") -> None:
        if isinstance(body, dict):
            body = json.dumps(body, ensure_ascii=False)
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", TYPES.get(suffix, "application/json; charset=utf-8"))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args) -> None:  # noqa: A002 (http.server's name)
        pass  # the request line carries the token: not written anywhere


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, state: ReviewState, quiet: bool = False):
        super().__init__((HOST, port), Handler)
        self.state = state
        self.quiet = quiet
        self.token = secrets.token_urlsafe(24)
        self.gate = Gate(self.token, self.port)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/?token={self.token}"

    def handle_error(self, request, client_address) -> None:
        import traceback

        print("jixiao: review: a request failed:", file=sys.stderr)
        traceback.print_exc()


def default_reviewer() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        raise UsageError("who is reviewing? this system names no user: give --reviewer NAME") from None


def serve(outdir: str, port: int, reviewer: str | None, scale: float, fmt: str, pdf_dirs: list[str],
          quiet: bool = False) -> int:
    """Build the site (page images once), then serve it until Ctrl-C or SIGTERM (exit 0)."""
    from .review import build_site, report

    out = check_outdir(outdir)
    if not (out / LEDGER).is_file():
        raise UsageError(f"{display_path(out)} has no ledger ({LEDGER}): the server checks decisions against the "
                         "machine's values kept there; run `jixiao extract` on OUTDIR first")
    if not 0 <= port <= 65535:
        raise UsageError("--port must be between 0 and 65535 (0: any free port)")
    reviewer = (reviewer if reviewer is not None else default_reviewer()).strip()
    if not reviewer or len(reviewer) > 100 or not reviewer.isprintable():
        raise UsageError("--reviewer must be a name of 1 to 100 printable characters")
    report(build_site(out, scale=scale, fmt=fmt, pdf_dirs=pdf_dirs), quiet=True)  # notes only, on stderr
    state = ReviewState(out, reviewer, scale, fmt, [Path(d) for d in pdf_dirs])
    try:
        server = ReviewServer(port, state, quiet)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {HOST} is in use: give another --port, or --port 0 for any free one"
                             ) from None
        raise UsageError(f"cannot listen on {HOST}:{port}: {e.strerror or e}") from None
    print(f"serving {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    if not quiet:
        print("jixiao: review server stopped", file=sys.stderr)
    return 0
