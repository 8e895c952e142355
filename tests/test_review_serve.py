"""`jixiao review OUTDIR --serve` (issue 14): the review site served to this computer only, where a
reviewer sets values, confirms them and dismisses flags, each decision a line of corrections.jsonl
that the next `extract` writes into the outputs.

The server runs as a user runs it, in its own process (`jixiao review OUT --serve --port 0`); its
address is read from the one line it prints. Real sample PDFs, a real headless Chromium (Debian's
chromium and chromium-driver, installed by scripts/setup.sh; those tests skip where they are absent).
Set JIXIAO_SERVE_SCREENSHOT=docs/review-serve.png to write the README's screenshot.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from jixiao.pipelines.cli import main
from jixiao.pipelines.corrections import CORRECTIONS
from jixiao.pipelines.corrections import load as load_corrections
from jixiao.pipelines.review_server import Gate, Refused, is_loopback, with_token

from .chromium import chromium
from .conftest import ROOT, SAMPLES
from .readers import read_csv

WENWU = SAMPLES / "central_2025_wenwu.pdf"  # one filing, one flag: truncated_tail on fields.overall_goal
PUDONG = SAMPLES / "district_2026_pudong.pdf"  # one filing, two truncated_tail flags
WENWU_ID = "a54e3d5a83a8-1"


def _records(out: Path) -> dict[str, dict]:
    return {r["filing_id"]: r for r in map(json.loads, (out / "filings.jsonl").read_text("utf-8").splitlines())}


def _extract(out: Path, *pdfs: Path, more: tuple = ()) -> int:
    return main(["extract", *map(str, pdfs), "-o", str(out), "--jobs", "1", "-q", *more])


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """wenwu and pudong extracted, with the static review site (each test works on a copy)."""
    if not WENWU.exists() or not PUDONG.exists():
        pytest.skip("sample PDFs are not here (python sample_pdfs/make_samples.py makes them)")
    out = tmp_path_factory.mktemp("serve") / "out"
    assert _extract(out, WENWU, PUDONG, more=("--review",)) == 0
    assert WENWU_ID in _records(out)
    return out


@pytest.fixture
def out(base, tmp_path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(base, copy)
    return copy


class Served:
    def __init__(self, url: str, proc: subprocess.Popen, err: Path):
        self.url, self.proc, self.err = url, proc, err
        parts = urlsplit(url)
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.port = parts.port
        self.token = parts.query.removeprefix("token=")

    def at(self, path: str, token: str | None = None) -> str:
        return f"{self.base}{path}?token={self.token if token is None else token}"


@contextmanager
def serving(out: Path, *more: str):
    """`jixiao review OUT --serve --port 0 --reviewer tester` in its own process; stopped by SIGINT
    (Ctrl-C) at the end, which must end it cleanly with exit 0."""
    err = out.parent / "serve.err"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    with open(err, "wb") as ferr:
        proc = subprocess.Popen([sys.executable, "-m", "jixiao.pipelines.cli", "review", str(out), "--serve",
                                 "--port", "0", "--reviewer", "tester", *more],
                                stdout=subprocess.PIPE, stderr=ferr, env=env)
    try:
        line = b""
        deadline = time.monotonic() + 60
        while not line.endswith(b"\n") and time.monotonic() < deadline and proc.poll() is None:
            if select.select([proc.stdout], [], [], 0.5)[0]:
                line += proc.stdout.read1(4096)
        text = line.decode()
        assert text.startswith("serving http://127.0.0.1:") and "/?token=" in text, (text, err.read_text())
        assert text.count("\n") == 1  # one line
        yield Served(text.split()[1], proc, err)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
        proc.stdout.close()
    assert code == 0, err.read_text()
    assert "review server stopped" in err.read_text()
    assert "Traceback" not in err.read_text()


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _post(s: Served, body, token: str | None = None, headers: dict | None = None) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(s.at("/api/corrections", token), data=data, method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def _lines(out: Path) -> list[dict]:
    path = out / CORRECTIONS
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()] if path.exists() else []


# ---------------------------------------------------------------- who may ask


def test_only_loopback_addresses_pass_the_gate():
    for addr in ("127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"):
        assert is_loopback(addr), addr
    for addr in ("10.0.0.5", "192.168.1.20", "172.17.0.2", "0.0.0.0", "::ffff:10.0.0.1", "fe80::1", "", "localhost"):
        assert not is_loopback(addr), addr
    gate = Gate("t0k", 8714)
    gate.check("127.0.0.1", "127.0.0.1:8714", None, "token=t0k", post=True)
    gate.check("::1", "localhost:8714", "http://localhost:8714", "token=t0k", post=True)
    refused = [("10.0.0.5", "127.0.0.1:8714", None, "token=t0k"),  # another computer, the right token
               ("127.0.0.1", "evil.example:8714", None, "token=t0k"),  # DNS rebinding
               ("127.0.0.1", "127.0.0.1:8715", None, "token=t0k"),
               ("127.0.0.1", None, None, "token=t0k"),
               ("127.0.0.1", "127.0.0.1:8714", None, ""),
               ("127.0.0.1", "127.0.0.1:8714", None, "token=t0"),
               ("127.0.0.1", "127.0.0.1:8714", None, "token=t0k&token=t0k"),
               ("127.0.0.1", "127.0.0.1:8714", "http://evil.example", "token=t0k")]
    for client, host, origin, query in refused:
        with pytest.raises(Refused) as e:
            gate.check(client, host, origin, query, post=True)
        assert e.value.status == 403, (client, host, origin, query)
    page = '<a href="filings/x.html#r2">x</a><a href="#r3">r</a><img src="../pages/a-p1.png"><a href="https://e.org/">'
    assert with_token(page, "T") == ('<a href="filings/x.html?token=T#r2">x</a><a href="#r3">r</a>'
                                     '<img src="../pages/a-p1.png?token=T"><a href="https://e.org/">')


def _listening(port: int) -> list[str]:
    """The local addresses of the sockets listening on ``port`` (Linux /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            addr, hexport = local.rsplit(":", 1)
            if state == "0A" and int(hexport, 16) == port:
                found.append(addr)
    return found


def _outward_address() -> str | None:
    """This computer's address on its default route, if it has one (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            addr = s.getsockname()[0]
    except OSError:
        return None
    return None if is_loopback(addr) else addr


def test_the_gate_and_the_api_over_http(out):
    wenwu = _records(out)[WENWU_ID]
    with serving(out) as s:
        if Path("/proc/net/tcp").exists():
            assert _listening(s.port) == ["0100007F"]  # 127.0.0.1 and nothing else
        other = _outward_address()
        if other:  # the machine's own address on its network: nobody listens there
            with pytest.raises(OSError):
                socket.create_connection((other, s.port), timeout=3).close()
        # every request needs the token; the Host must be this server's own name
        assert _get(s.at("/"))[0] == 200
        assert _get(f"{s.base}/")[0] == 403
        assert _get(s.at("/", "wrong"))[0] == 403
        assert _get(s.at(f"/filings/{WENWU_ID}.html", "wrong"))[0] == 403
        assert _get(f"{s.base}/assets/review.css")[0] == 403
        assert _get(s.at("/"), {"Host": f"evil.example:{s.port}"})[0] == 403
        assert _get(s.at("/"), {"Host": f"localhost:{s.port}"})[0] == 200
        status, page = _get(s.at(f"/filings/{WENWU_ID}.html"))
        assert status == 200 and f"?token={s.token}" in page.decode() and "serve.js" in page.decode()
        assert _get(s.at("/assets/serve.js"))[0] == 200 and _get(s.at("/filings/nope.html"))[0] == 404
        assert _get(s.at("/../ledger.sqlite"))[0] == 404

        goal = wenwu["fields"]["overall_goal"]
        decide = {"filing_id": WENWU_ID, "path": "indicators[2].target", "action": "set", "value": "≥98%",
                  "original": "≥95%", "note": "paper copy"}
        assert _post(s, decide, token="wrong")[0] == 403
        assert _post(s, decide, headers={"Origin": "http://evil.example"})[0] == 403
        assert not _lines(out)
        # set, confirm, dismiss: 201 and one line each, with the server's reviewer and time
        for n, body in enumerate([
                decide,
                {"filing_id": WENWU_ID, "path": "funding.total", "action": "confirm",
                 "original": wenwu["funding"]["total"]},
                {"filing_id": WENWU_ID, "path": "fields.overall_goal", "action": "dismiss_flag",
                 "flag": "truncated_tail", "original": goal, "note": "ends so on paper"}], 1):
            status, answer = _post(s, body)
            assert status == 201, answer
            lines = _lines(out)
            assert len(lines) == n and lines[-1]["reviewer"] == "tester" and lines[-1]["action"] == body["action"]
            assert answer["decision"] == lines[-1]
        assert answer["reviewed"] is True and answer["progress"] == {"reviewed": 1, "filings": 2}
        assert len(load_corrections(out).by_filing[WENWU_ID]) == 3 and not load_corrections(out).notes
        # refused with a message, nothing written
        bad = [({**decide, "path": "indicators[9].target"}, 400, "out of range"),
               ({**decide, "path": "fields.no_such_key"}, 400, "is not the path of a value"),
               ({**decide, "value": "≥99%"}, 400, 'the reviewer saw "≥95%", the value is now "≥98%"'),  # stale
               ({**decide, "filing_id": "000000000000-1"}, 400, "is not a filing"),
               ({**decide, "reviewer": "mallory"}, 400, "unknown key"),
               ({"filing_id": WENWU_ID, "path": "funding.total", "action": "set", "value": "lots",
                 "original": wenwu["funding"]["total"]}, 400, "is not an amount"),
               ({**decide, "action": "delete"}, 400, "is not one of"),
               (b"{not json", 400, "not JSON"),
               (b"[]", 400, "a JSON object"),
               (json.dumps({**decide, "note": "x" * 70_000}).encode(), 413, "at most")]
        for body, want, words in bad:
            status, answer = _post(s, body)
            assert (status, words in answer.get("error", "")) == (want, True), (body[:80], status, answer)
        status, answer = _post(s, decide, headers={"Content-Type": "text/plain"})
        assert status == 415
        assert len(_lines(out)) == 3


# ---------------------------------------------------------------- decisions reach the outputs


@pytest.fixture(scope="module")
def reviewed_out(base, tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    """Decisions posted through the server (set, confirm, dismiss on wenwu; pudong's two flags
    dismissed), then `jixiao extract` again without --force while the server still runs."""
    out = tmp_path_factory.mktemp("reviewed") / "out"
    shutil.copytree(base, out)
    machine = _records(out)
    wenwu, pudong = machine[WENWU_ID], next(r for r in machine.values() if r["filing_id"] != WENWU_ID)
    goal = wenwu["fields"]["overall_goal"]
    full = goal + "盗掘案件数量逐年下降。"
    decisions = [
        {"filing_id": WENWU_ID, "path": "fields.overall_goal", "action": "set", "value": full, "original": goal,
         "note": "from the paper copy"},
        {"filing_id": WENWU_ID, "path": "indicators[2].target", "action": "set", "value": "≥98%", "original": "≥95%"},
        {"filing_id": WENWU_ID, "path": "funding.total", "action": "confirm", "original": wenwu["funding"]["total"]},
        {"filing_id": WENWU_ID, "path": "fields.overall_goal", "action": "dismiss_flag", "flag": "truncated_tail",
         "original": full},  # the value as the reviewer sees it now: corrected
        *({"filing_id": pudong["filing_id"], "path": fl["path"], "action": "dismiss_flag", "flag": fl["code"],
           "original": _value(pudong, fl["path"])} for fl in pudong["flags"]),
    ]
    with serving(out) as s:
        for d in decisions:
            status, answer = _post(s, d)
            assert status == 201, (d, answer)
        assert answer["progress"] == {"reviewed": 2, "filings": 2}
        assert _extract(out, WENWU, PUDONG) == 0  # the server holds no lock on OUTDIR
        status, page = _get(s.at(f"/filings/{WENWU_ID}.html"))  # the server reads the new filings.jsonl
        assert status == 200 and "≥98%" in page.decode()
    return out, machine


def _value(rec: dict, path: str):
    from jixiao.pipelines.record_paths import locate

    return locate(rec, path).get()


def test_posted_decisions_reach_the_outputs_of_an_extract_rerun(reviewed_out):
    out, machine = reviewed_out
    summary = json.loads((out / "run_summary.json").read_text("utf-8"))
    assert summary["inputs"]["skipped_unchanged"] == 2  # not read again: the ledger's results, corrected
    c = summary["corrections"]
    assert (c["decisions"], c["applied"], c["conflict_count"], c["reviewed_filings"]) == (6, 6, 0, 2)
    recs = _records(out)
    wenwu, before = recs[WENWU_ID], machine[WENWU_ID]
    assert wenwu["fields"]["overall_goal"] == before["fields"]["overall_goal"] + "盗掘案件数量逐年下降。"
    ind = wenwu["indicators"][2]
    assert (ind["target"], ind["target_op"], ind["target_value"], ind["target_unit"]) == ("≥98%", "≥", "98", "%")
    prov = wenwu["provenance"]["indicators[2].target"]
    assert (prov["method"], prov["reviewer"], prov["page"]) == ("manual", "tester", 1)
    assert wenwu["provenance"]["funding.total"]["confirmed_by"] == "tester"
    assert [(a["path"], a["action"], a["reviewer"]) for a in wenwu["corrections"]] == [
        ("fields.overall_goal", "set", "tester"), ("indicators[2].target", "set", "tester"),
        ("funding.total", "confirm", "tester")]
    assert wenwu["corrections"][1]["original"] == "≥95%" and wenwu["corrections"][0]["note"] == "from the paper copy"
    assert all(fl["resolved_by"] == "tester" and fl["resolved_at"] for r in recs.values() for fl in r["flags"])
    flags = read_csv(out / "flags.csv")
    assert flags and all(row["resolved_by"] == "tester" and row["resolved_at"] for row in flags)
    filings = {row["filing_id"]: row for row in read_csv(out / "filings.csv")}
    assert (filings[WENWU_ID]["reviewed"], filings[WENWU_ID]["corrections"]) == ("true", "2")
    other = next(fid for fid in filings if fid != WENWU_ID)
    assert (filings[other]["reviewed"], filings[other]["corrections"]) == ("true", "0")


def test_a_rerun_that_reads_the_values_otherwise_conflicts_and_keeps_the_machine_value(reviewed_out, tmp_path):
    """The same bytes read again another way (OCR with Tesseract instead of the text layer: a
    changed config, so `extract` reads the input again) give other values under the same filing_id:
    a decision whose original no longer matches is a conflict, and the value stays the machine's;
    the served page shows it, and a confirm of the value there now settles it."""
    if not shutil.which("tesseract"):
        pytest.skip("tesseract is not installed (scripts/setup.sh installs it)")
    src, _machine = reviewed_out
    out = tmp_path / "out"
    shutil.copytree(src, out)
    assert _extract(out, WENWU, more=("--ocr", "always", "--ocr-engine", "tesseract")) == 0
    wenwu = _records(out)[WENWU_ID]
    assert wenwu["source"]["kind"] == "scanned"
    c = json.loads((out / "run_summary.json").read_text("utf-8"))["corrections"]
    assert c["conflict_count"] >= 1, c  # Tesseract reads "≥95%" as ">95%" and the goal otherwise
    open_flags = {fl["path"] for fl in wenwu["flags"] if fl["code"] == "correction_conflict"}
    for conflict in c["conflicts"]:
        assert conflict["path"] in open_flags
        now = _value(wenwu, conflict["path"])
        assert now == conflict["now"] != conflict["original"]  # the machine's value, kept
        if conflict["action"] == "set":
            assert now != conflict["value"]
    target = wenwu["indicators"][2]["target"]
    assert target != "≥98%"
    if target != "≥95%":
        assert "indicators[2].target" in open_flags
    settle = "indicators[2].target" if "indicators[2].target" in open_flags else sorted(open_flags)[0]
    with serving(out) as s:
        page = _get(s.at(f"/filings/{WENWU_ID}.html"))[1].decode()
        assert "correction_conflict" in page and "confirm or edit the value to settle this" in page
        status, answer = _post(s, {"filing_id": WENWU_ID, "path": settle, "action": "confirm",
                                   "original": _value(wenwu, settle)})
        assert status == 201, answer
    assert main(["apply", str(out), "-q"]) == 0
    after = _records(out)[WENWU_ID]
    assert settle not in {fl["path"] for fl in after["flags"] if fl["code"] == "correction_conflict"}
    assert _value(after, settle) == _value(wenwu, settle)


# ---------------------------------------------------------------- command line


def test_serve_refuses_what_it_cannot_serve(tmp_path, base, capsys):
    assert main(["review", str(tmp_path), "--serve"]) == 1  # no filings.jsonl
    assert main(["review", str(base), "--port", "0"]) == 1  # --port without --serve
    copy = tmp_path / "noledger"
    shutil.copytree(base, copy)
    (copy / "ledger.sqlite").unlink()
    assert main(["review", str(copy), "--serve"]) == 1
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["review", str(base), "--serve", "--port", str(busy.getsockname()[1]), "-q"]) == 1
    err = capsys.readouterr().err
    assert "no filings.jsonl" in err and "go with --serve" in err and "no ledger" in err and "is in use" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def browser():
    # Two tabs post at once: neither may be throttled as a background tab.
    awake = ("--disable-background-timer-throttling", "--disable-renderer-backgrounding")
    with chromium(awake, browser_log=True) as driver:
        yield driver


def _errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _row(driver, path: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'tr[data-path="{path}"]')


def _click(driver, el) -> None:
    """Click ``el`` as a person would, after scrolling it into the middle of its pane."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    el.click()


def _loaded(driver, kind: str) -> None:
    """Wait for a page of ``kind`` (index, filing) to have loaded after a click on a link."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && document.body.classList.contains(arguments[0])", kind))


def _reloaded(driver, old_body) -> None:
    """Wait for the page to load again after a decision (the server answered 201)."""
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(ec.staleness_of(old_body))
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")


def test_a_reviewer_edits_confirms_and_dismisses_in_chromium(out, browser):
    from selenium.webdriver.common.by import By

    wenwu = _records(out)[WENWU_ID]
    browser.get_log("browser")
    with serving(out) as s:
        for refused in (f"{s.base}/", s.at(f"/filings/{WENWU_ID}.html", "not-the-token")):
            browser.get(refused)  # the browser too: no token, no page
            assert "a valid token is needed" in browser.find_element(By.TAG_NAME, "body").text
        browser.get_log("browser")  # those two 403s
        browser.get(s.url)
        assert "0 of 2" in browser.find_element(By.ID, "progress").text
        browser.find_element(By.CSS_SELECTOR, f'tr[data-filing-id="{WENWU_ID}"] a').click()  # the link keeps the token
        _loaded(browser, "filing")
        assert browser.execute_script("return document.body.dataset.serve") == "1"

        # edit: a bad value is refused with the server's message, next to the row
        body = browser.find_element(By.TAG_NAME, "body")
        _click(browser, _row(browser, "funding.annual").find_element(By.CSS_SELECTOR, "button.edit"))
        box = _row(browser, "funding.annual").find_element(By.CSS_SELECTOR, ".value-input")
        box.clear()
        box.send_keys("lots")
        _click(browser, _row(browser, "funding.annual").find_element(By.CSS_SELECTOR, "button.save"))
        err = _wait_text(browser, 'tr[data-path="funding.annual"] .error')
        assert "is not an amount" in err
        assert not _lines(out)

        # edit a value, with a note
        _click(browser, _row(browser, "indicators[2].target").find_element(By.CSS_SELECTOR, "button.edit"))
        row = _row(browser, "indicators[2].target")
        box = row.find_element(By.CSS_SELECTOR, ".value-input")
        assert box.get_attribute("value") == "≥95%"
        box.clear()
        box.send_keys("≥98%")
        row.find_element(By.CSS_SELECTOR, "input.note").send_keys("paper copy")
        _click(browser, row.find_element(By.CSS_SELECTOR, "button.save"))
        _reloaded(browser, body)

        # confirm another
        body = browser.find_element(By.TAG_NAME, "body")
        _click(browser, _row(browser, "funding.total").find_element(By.CSS_SELECTOR, "button.confirm"))
        _reloaded(browser, body)

        # dismiss the flag, with a note (from the flag list)
        body = browser.find_element(By.TAG_NAME, "body")
        item = browser.find_element(By.CSS_SELECTOR, 'ol.flags > li[data-code="truncated_tail"]')
        _click(browser, item.find_element(By.CSS_SELECTOR, "button.dismiss"))
        item.find_element(By.CSS_SELECTOR, "input.note").send_keys("the form ends there")
        _click(browser, item.find_element(By.CSS_SELECTOR, "button.save"))
        _reloaded(browser, body)

        lines = _lines(out)
        assert [(x["path"], x["action"], x["reviewer"], x.get("note")) for x in lines] == [
            ("indicators[2].target", "set", "tester", "paper copy"), ("funding.total", "confirm", "tester", None),
            ("fields.overall_goal", "dismiss_flag", "tester", "the form ends there")]
        assert lines[2]["original"] == wenwu["fields"]["overall_goal"]

        browser.refresh()  # what the page shows comes from the server, not from the page that made it
        target = _row(browser, "indicators[2].target").find_element(By.CSS_SELECTOR, "td.value")
        assert "corrected" in target.get_attribute("class").split()
        assert target.find_element(By.CSS_SELECTOR, ".shown").text.startswith("≥98%")
        assert "corrected by tester" in target.text and "≥95%" in target.text  # and what the machine read
        total = _row(browser, "funding.total").find_element(By.CSS_SELECTOR, "td.value")
        assert "confirmed" in total.get_attribute("class").split() and "confirmed by tester" in total.text
        item = browser.find_element(By.CSS_SELECTOR, 'ol.flags > li[data-code="truncated_tail"]')
        assert "resolved" in item.get_attribute("class").split() and "resolved by tester" in item.text
        chip = item.find_element(By.CSS_SELECTOR, ".chip")
        assert "line-through" in chip.value_of_css_property("text-decoration")
        assert not item.find_elements(By.CSS_SELECTOR, "button.dismiss")
        assert "resolved" in _row(browser, "fields.overall_goal").get_attribute("class").split()
        assert not browser.find_elements(By.CSS_SELECTOR, ".box.flagged")  # its one flag is resolved
        shot = os.environ.get("JIXIAO_SERVE_SCREENSHOT")
        if shot:
            _screenshot(browser, shot)

        browser.find_element(By.CSS_SELECTOR, 'nav a[href^="../index.html"]').click()
        _loaded(browser, "index")
        assert "1 of 2" in browser.find_element(By.ID, "progress").text
        assert "reviewed" in browser.find_element(By.CSS_SELECTOR, f'tr[data-filing-id="{WENWU_ID}"]').text
    errors = _errors(browser)  # the one refused decision, and nothing else
    assert [(e["source"], "/api/corrections" in e["message"] and "400" in e["message"]) for e in errors] == [
        ("network", True)], errors


def _wait_text(driver, css: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20).until(
        lambda d: (d.find_elements(By.CSS_SELECTOR, css) or [None])[0] and d.find_element(By.CSS_SELECTOR, css).text)


def _screenshot(driver, target: str) -> None:
    """The README's picture: the row just edited in view."""
    import io

    from PIL import Image

    driver.execute_script("document.querySelector('tr[data-path=\"indicators[2].target\"]')"
                          ".scrollIntoView({block: 'center'})")
    Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB").quantize(64).save(target, optimize=True)


LOOP_JS = """
const [path, first, n, token, fid, start] = arguments;
window.__statuses = [];
(async () => {
  await new Promise(go => setTimeout(go, Math.max(0, start - Date.now())));  // both tabs start together
  let original = first;
  for (let i = 0; i < n; i++) {
    const value = path.endsWith('.target') ? `≥${50 + i}%` : `tab ${i}`;
    const r = await fetch('/api/corrections?token=' + token, {method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({filing_id: fid, path, action: 'set', value, original})});
    window.__statuses.push(r.status);
    if (r.status === 201) original = value;
  }
})();
"""


def test_two_tabs_writing_at_once_lose_nothing(out, browser):
    from selenium.webdriver.common.by import By

    wenwu = _records(out)[WENWU_ID]
    with serving(out) as s:
        page = s.at(f"/filings/{WENWU_ID}.html")
        browser.get(page)
        first = browser.current_window_handle
        browser.switch_to.new_window("tab")
        browser.get(page)
        second = browser.current_window_handle
        jobs = {first: ("indicators[2].target", "≥95%"), second: ("fields.implementing_unit",
                                                                  wenwu["fields"]["implementing_unit"])}
        start = browser.execute_script("return Date.now()") + 1000
        for handle, (path, original) in jobs.items():  # both loops run at once: 20 decisions each
            browser.switch_to.window(handle)
            browser.execute_script(LOOP_JS, path, original, 20, s.token, WENWU_ID, start)
        deadline, statuses = time.monotonic() + 60, {}
        while time.monotonic() < deadline:
            for handle in jobs:
                browser.switch_to.window(handle)
                statuses[handle] = browser.execute_script("return window.__statuses")
            if all(len(v) == 20 for v in statuses.values()):
                break
            time.sleep(0.2)
        assert all(v == [201] * 20 for v in statuses.values()), statuses
        lines = _lines(out)  # every line whole, none lost
        assert len(lines) == 40 and not load_corrections(out).notes
        order = [x["path"] for x in lines]  # written at once: each tab's first line before the other's last
        for a, b in (jobs.values(), reversed(jobs.values())):
            assert order.index(a[0]) < len(order) - 1 - order[::-1].index(b[0]), order
        by_path = {p: [x["value"] for x in lines if x["path"] == p] for p, _ in jobs.values()}
        assert by_path["indicators[2].target"] == [f"≥{50 + i}%" for i in range(20)]
        assert by_path["fields.implementing_unit"] == [f"tab {i}" for i in range(20)]
        browser.refresh()
        assert _row(browser, "fields.implementing_unit").find_element(By.CSS_SELECTOR, ".shown").text == "tab 19"
        browser.close()
        browser.switch_to.window(first)
    assert main(["apply", str(out), "-q"]) == 0
    after = _records(out)[WENWU_ID]
    assert (after["indicators"][2]["target"], after["fields"]["implementing_unit"]) == ("≥69%", "tab 19")
    assert json.loads((out / "run_summary.json").read_text("utf-8"))["corrections"]["conflict_count"] == 0


def test_the_static_site_from_disk_has_no_controls_and_no_errors(out, browser):
    from selenium.webdriver.common.by import By

    browser.get_log("browser")
    for page in (out / "review" / "index.html", out / "review" / "filings" / f"{WENWU_ID}.html"):
        browser.get(page.resolve().as_uri())
        assert browser.execute_script("return document.body.dataset.serve") is None
        assert not browser.find_elements(By.CSS_SELECTOR, "button.act, form.decision-form, td.decide")
        assert not browser.find_elements(By.CSS_SELECTOR, 'script[src*="serve"]')
    assert "j" in browser.find_element(By.ID, "current-flag").text  # review.js ran: flag navigation is there
    assert not _errors(browser), _errors(browser)
    assert not (out / "review" / "assets" / "serve.js").exists()
