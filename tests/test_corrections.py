"""Corrections as data (issue 14): decisions in OUTDIR/corrections.jsonl reach every output of a
rebuild (an extract rerun or `jixiao apply`), never change a value behind anyone's back, and the
file survives bad lines and two writers. Real runs on sample PDFs, no mocks."""

import json
import multiprocessing
import os
import shutil
import sqlite3

import pytest

from jixiao.normalize.schema import Record
from jixiao.pipelines.cli import main
from jixiao.pipelines.corrections import CORRECTIONS, append_decision, check_decision
from jixiao.pipelines.outdir import hold
from jixiao.pipelines.record_paths import InvalidDecision

from .conftest import SAMPLES
from .readers import read_csv

WENWU = SAMPLES / "central_2025_wenwu.pdf"  # one filing, one flag: truncated_tail on fields.overall_goal
PUDONG = SAMPLES / "district_2026_pudong.pdf"
AT = "2025-03-01T10:00:00+08:00"
ALL_FORMATS = "jsonl,csv,parquet,sqlite"


def _records(out) -> list[dict]:
    return [json.loads(line) for line in (out / "filings.jsonl").read_text("utf-8").splitlines()]


def _summary(out) -> dict:
    return json.loads((out / "run_summary.json").read_text("utf-8"))


def _extract(out, *pdfs, fmt: str = "jsonl,csv") -> int:
    return main(["extract", *map(str, pdfs), "-o", str(out), "--jobs", "1", "-q", "--format", fmt])


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """An OUTDIR of wenwu and pudong in every format, without decisions (copied by each test)."""
    if not WENWU.exists() or not PUDONG.exists():
        pytest.skip("sample PDFs are not here")
    out = tmp_path_factory.mktemp("base") / "out"
    assert _extract(out, WENWU, PUDONG, fmt=ALL_FORMATS) == 0
    return out


@pytest.fixture
def out(extracted, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(extracted, copy)
    return copy


def _wenwu(out) -> dict:
    return next(r for r in _records(out) if r["source"]["file"] == WENWU.name)


def _decide(out, rec: dict, path: str, action: str, original, **more) -> None:
    append_decision(out, {"filing_id": rec["filing_id"], "path": path, "action": action, "original": original,
                          "reviewer": more.pop("reviewer", "wang"), "at": AT, **more})


def _review_wenwu(out) -> dict:
    """Four decisions on the wenwu filing; returns the machine record they were made on."""
    rec = _wenwu(out)
    goal = rec["fields"]["overall_goal"]
    assert [(f["code"], f["path"]) for f in rec["flags"]] == [("truncated_tail", "fields.overall_goal")]
    assert rec["indicators"][2]["target"] == "≥95%"
    _decide(out, rec, "fields.overall_goal", "set", goal, value=goal + "盗掘案件数量逐年下降。", note="paper copy")
    _decide(out, rec, "indicators[2].target", "set", "≥95%", value="≥98%")
    _decide(out, rec, "funding.total", "confirm", rec["funding"]["total"], reviewer="li")
    _decide(out, rec, "fields.overall_goal", "dismiss_flag", goal + "盗掘案件数量逐年下降。", flag="truncated_tail",
            reviewer="li")
    return rec


def _check_reviewed_wenwu(out, machine: dict) -> None:
    rec = _wenwu(out)
    goal = machine["fields"]["overall_goal"]
    assert rec["fields"]["overall_goal"] == goal + "盗掘案件数量逐年下降。"
    ind = rec["indicators"][2]
    assert (ind["target"], ind["target_op"], ind["target_value"], ind["target_unit"]) == ("≥98%", "≥", "98", "%")
    prov = rec["provenance"]
    assert prov["fields.overall_goal"]["method"] == "manual"
    assert (prov["fields.overall_goal"]["reviewer"], prov["fields.overall_goal"]["at"]) == ("wang", AT)
    assert prov["fields.overall_goal"]["bbox"] == machine["provenance"]["fields.overall_goal"]["bbox"]
    assert prov["funding.total"]["method"] == "text"  # confirmed, still the machine's value
    assert (prov["funding.total"]["confirmed_by"], prov["funding.total"]["confirmed_at"]) == ("li", AT)
    assert [(c["path"], c["action"], c["original"], c["reviewer"]) for c in rec["corrections"]] == [
        ("fields.overall_goal", "set", goal, "wang"),
        ("indicators[2].target", "set", "≥95%", "wang"),
        ("funding.total", "confirm", machine["funding"]["total"], "li"),
    ]
    assert rec["corrections"][0]["note"] == "paper copy"
    assert rec["flags"] == [{**machine["flags"][0], "resolved_by": "li", "resolved_at": AT}]
    Record.model_validate(rec)  # the JSON Schema (`jixiao schema`) describes the new keys
    flags = read_csv(out / "flags.csv")
    mine = [f for f in flags if f["filing_id"] == rec["filing_id"]]
    assert [(f["code"], f["resolved_by"], f["resolved_at"]) for f in mine] == [("truncated_tail", "li", AT)]
    assert all(f["resolved_by"] == "" for f in flags if f["filing_id"] != rec["filing_id"])
    filings = {r["filing_id"]: r for r in read_csv(out / "filings.csv")}
    assert (filings[rec["filing_id"]]["reviewed"], filings[rec["filing_id"]]["corrections"]) == ("true", "2")
    assert filings[rec["filing_id"]]["flag_count"] == "1"


def test_decisions_reach_every_output_on_an_extract_rerun(out):
    machine = _review_wenwu(out)
    assert _extract(out, WENWU, PUDONG, fmt=ALL_FORMATS) == 0  # no --force: nothing is parsed again
    summary = _summary(out)
    assert summary["inputs"]["skipped_unchanged"] == 2
    c = summary["corrections"]
    assert (c["decisions"], c["applied"], c["conflict_count"], c["orphaned"], c["reviewed_filings"]) == (4, 4, 0, 0, 1)
    assert c["applied_by_action"] == {"set": 2, "confirm": 1, "dismiss_flag": 1}
    _check_reviewed_wenwu(out, machine)
    other = next(r for r in _records(out) if r["source"]["file"] == PUDONG.name)
    assert "corrections" not in other and all("resolved_by" not in f for f in other["flags"])
    pudong_row = next(r for r in read_csv(out / "filings.csv") if r["filing_id"] == other["filing_id"])
    assert (pudong_row["reviewed"], pudong_row["corrections"]) == ("false", "0")  # nobody looked at it
    _check_typed_formats(out, machine["filing_id"])


def _check_typed_formats(out, filing_id: str) -> None:
    import pyarrow.parquet as pq

    filings = pq.read_table(out / "parquet" / "filings.parquet").to_pylist()
    row = next(r for r in filings if r["filing_id"] == filing_id)
    assert (row["reviewed"], row["corrections"]) == (True, 2)
    assert str(pq.read_schema(out / "parquet" / "filings.parquet").field("reviewed").type) == "bool"
    flags = pq.read_table(out / "parquet" / "flags.parquet").to_pylist()
    assert [(f["resolved_by"], f["resolved_at"]) for f in flags if f["filing_id"] == filing_id] == [("li", AT)]
    db = sqlite3.connect(out / "filings.sqlite")
    try:
        assert db.execute("SELECT reviewed, corrections FROM filings WHERE filing_id = ?",
                          (filing_id,)).fetchone() == (1, 2)
        assert db.execute("SELECT resolved_by, resolved_at FROM flags WHERE filing_id = ?",
                          (filing_id,)).fetchall() == [("li", AT)]
    finally:
        db.close()
    package = json.loads((out / "datapackage.json").read_text("utf-8"))
    fields = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in package["resources"]}
    assert fields["filings"][-2:] == ["reviewed", "corrections"]
    assert fields["flags"][-2:] == ["resolved_by", "resolved_at"]


def test_apply_rebuilds_the_last_run_without_reading_a_pdf(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for pdf in (WENWU, PUDONG):
        shutil.copy(pdf, src / pdf.name)
    os.mkfifo(src / "fifo.pdf")  # refused (not_a_pdf): no ledger entry, yet a row of the outputs
    out = tmp_path / "out"
    assert main(["extract", str(src / PUDONG.name), str(src / "fifo.pdf"), str(src / WENWU.name), "-o", str(out),
                 "--jobs", "1", "-q"]) == 2
    machine_files = {n: (out / n).read_bytes() for n in ("filings.jsonl", "filings.csv", "failures.csv")}
    machine = _review_wenwu(out)
    shutil.rmtree(src)  # apply reads no PDF
    assert main(["apply", str(out)]) == 0
    assert "1 filing(s) reviewed" in capsys.readouterr().out
    _check_reviewed_wenwu(out, machine)
    assert [r["source"]["file"] for r in _records(out)] == [PUDONG.name, WENWU.name]  # the last run's order
    assert [(r["source_file"], r["error_class"]) for r in read_csv(out / "failures.csv")] == [("fifo.pdf", "not_a_pdf")]
    summary = _summary(out)
    assert summary["inputs"]["found"] == 3 and summary["corrections"]["applied"] == 4
    assert summary["outputs"] == sorted(["filings.jsonl", *[f"{t}.csv" for t in (
        "filings", "indicators", "cost_items", "safeguards", "flags", "failures")], "datapackage.json",
        "run_summary.json"])
    (out / CORRECTIONS).unlink()  # without decisions: the machine's outputs again, byte for byte
    assert main(["apply", str(out), "-q"]) == 0
    assert {n: (out / n).read_bytes() for n in machine_files} == machine_files
    with hold(out):  # one run per OUTDIR: apply holds its lock as extract does
        assert main(["apply", str(out), "-q"]) == 1
    assert "is in use by" in capsys.readouterr().err


def test_apply_needs_a_previous_run(tmp_path, capsys):
    assert main(["apply", str(tmp_path / "nothing")]) == 1
    assert "has no ledger" in capsys.readouterr().err
    assert not (tmp_path / "nothing").exists()  # nothing made
    (tmp_path / "empty").mkdir()
    sqlite3.connect(tmp_path / "empty" / "ledger.sqlite").close()  # a ledger, but no run recorded
    assert main(["apply", str(tmp_path / "empty")]) == 1
    err = capsys.readouterr().err
    assert "records no `jixiao extract` run" in err and "Traceback" not in err


def test_a_stale_decision_is_a_conflict_and_the_machine_value_stays(out):
    rec = _wenwu(out)
    annual = rec["funding"]["annual"]
    # Decisions made on values that are no longer there (the input was read again since):
    _decide(out, rec, "funding.annual", "set", "999.00", value="1000")  # line 1: stale original
    _decide(out, rec, "indicators[40].target", "set", "≥95%", value="≥98%")  # line 2: the row is gone
    _decide(out, rec, "fields.annual_goal", "set", "旧的目标", value="新的目标")  # line 3: stale…
    _decide(out, rec, "fields.annual_goal", "confirm", rec["fields"]["annual_goal"])  # line 4: …decided again
    _decide(out, rec, "fields.project_name", "dismiss_flag", rec["fields"]["project_name"], flag="clipped_text")
    append_decision(out, {"filing_id": "0123456789ab-1", "path": "funding.total", "action": "confirm",
                          "original": "1.00", "reviewer": "wang", "at": AT})
    assert _extract(out, WENWU, PUDONG) == 0
    now = _wenwu(out)
    assert now["funding"]["annual"] == annual and now["fields"]["annual_goal"] == rec["fields"]["annual_goal"]
    assert now["provenance"]["funding.annual"]["method"] == "text"
    conflicts = [f for f in now["flags"] if f["code"] == "correction_conflict"]
    assert [f["path"] for f in conflicts] == ["funding.annual", "indicators[40].target"]
    assert '"999.00"' in conflicts[0]["detail"] and f'"{annual}"' in conflicts[0]["detail"]
    assert '"1000.00"' in conflicts[0]["detail"] and "line 1" in conflicts[0]["detail"]
    assert "out of range" in conflicts[1]["detail"]
    c = _summary(out)["corrections"]
    assert c["conflict_count"] == 2 and (c["superseded"], c["obsolete"], c["orphaned"]) == (1, 1, 1)
    assert c["conflicts"][0] | {"reason": ""} == {
        "filing_id": rec["filing_id"], "path": "funding.annual", "action": "set", "line": 1, "reviewer": "wang",
        "at": AT, "original": "999.00", "value": "1000.00", "now": annual, "reason": ""}
    assert c["applied"] == 1 and _summary(out)["flags"]["by_code"]["correction_conflict"] == 2
    row = next(r for r in read_csv(out / "filings.csv") if r["filing_id"] == rec["filing_id"])
    assert (row["reviewed"], row["corrections"], row["status"]) == ("false", "0", "flagged")


def test_bad_lines_are_skipped_with_a_note_and_kept(out):
    rec = _wenwu(out)
    good = {"filing_id": rec["filing_id"], "path": "funding.total", "action": "confirm",
            "original": rec["funding"]["total"], "reviewer": "wang", "at": AT}
    lines = [
        "not json at all",
        json.dumps({**good, "action": "approve"}),
        json.dumps({k: v for k, v in good.items() if k != "reviewer"}),
        json.dumps({**good, "action": "set", "value": "三百万"}),  # an amount that does not parse
        json.dumps({**good, "path": "fields.no_such_key"}),
        json.dumps({**good, "at": "yesterday"}),
        json.dumps(good),
        json.dumps(good)[:40],  # cut short by a crash: no newline
    ]
    (out / CORRECTIONS).write_text("\n".join(lines), "utf-8")
    append_decision(out, {**good, "reviewer": "li"})  # starts a line of its own after the cut one
    kept = (out / CORRECTIONS).read_text("utf-8")
    assert _extract(out, WENWU, PUDONG) == 0
    assert (out / CORRECTIONS).read_text("utf-8") == kept  # never rewritten
    notes = [n["note"] for n in _summary(out)["inputs"]["notes"] if n["file"] == CORRECTIONS]
    assert [n.split(":")[0] for n in notes] == ["line 1", "line 2", "line 3", "line 4", "line 5", "line 6", "line 8"]
    assert "approve" in notes[1] and "reviewer" in notes[2] and "not an amount" in notes[3]
    c = _summary(out)["corrections"]
    assert (c["decisions"], c["malformed"], c["applied"]) == (2, 7, 2)
    assert _wenwu(out)["provenance"]["funding.total"]["confirmed_by"] == "li"  # the last confirm wins


def _append_many(outdir: str, who: str) -> None:
    for n in range(200):
        append_decision(outdir, {"filing_id": "0123456789ab-1", "path": f"indicators[{n}].target", "action": "set",
                                 "value": f"≥{n}%", "original": None, "reviewer": who, "at": AT,
                                 "note": "长" * 3000})  # lines of ~9 KB: more than one pipe or page buffer


def test_two_writers_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(str(tmp_path), who)) for who in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = (tmp_path / CORRECTIONS).read_text("utf-8").splitlines()
    assert len(lines) == 400
    decided = [json.loads(line) for line in lines]
    for who in ("a", "b"):
        mine = [d["path"] for d in decided if d["reviewer"] == who]
        assert mine == [f"indicators[{n}].target" for n in range(200)]  # each writer's in its order


def test_check_decision_answers_a_server(extracted):
    rec = _wenwu(extracted)
    fid = rec["filing_id"]

    def decision(path, action="set", **more):
        return {"filing_id": fid, "path": path, "action": action, "reviewer": "wang", "at": AT, **more}

    ok = check_decision(rec, decision("funding.total", value="3618.5万元", original="36185000"))
    assert ok.value == "36185000.00"  # stored as the extractor writes amounts
    assert check_decision(rec, decision("indicators[0].target", value="32个", original="31个")).value == "32个"
    assert check_decision(rec, decision("fields.overall_goal", "dismiss_flag", flag="truncated_tail",
                                        original=rec["fields"]["overall_goal"])).flag == "truncated_tail"
    bad = {
        "is not the path of a value": decision("fields.colour", value="x", original=None),
        "out of range": decision(f"indicators[{len(rec['indicators'])}].target", value="x", original=None),
        "the value is now": decision("indicators[0].target", value="32个", original="30个"),
        "not an amount": decision("funding.total", value="三千万", original=rec["funding"]["total"]),
        "names filing": {**decision("funding.total", "confirm", original=rec["funding"]["total"]),
                         "filing_id": "0123456789ab-1"},
        "has no clipped_text flag": decision("fields.overall_goal", "dismiss_flag", flag="clipped_text",
                                             original=rec["fields"]["overall_goal"]),
        "is not dismissed": decision("funding.total", "dismiss_flag", flag="correction_conflict",
                                     original=rec["funding"]["total"]),
        "needs 'original'": decision("funding.total", "confirm"),
        "not a date": decision("fields.start_date", value="明年", original=None),
        "true or false": decision("safeguards[0].stage_planning", value="yes", original=None),
    }
    for message, obj in bad.items():
        with pytest.raises(InvalidDecision, match=message):
            check_decision(rec, obj)


def test_a_scanned_filing_keeps_its_reading_method_when_confirmed(tmp_path):
    scan = SAMPLES / "central_2025_wenwu_scan200.pdf"
    if not scan.exists():
        pytest.skip("no scanned sample (python sample_pdfs/make_scans.py)")
    out = tmp_path / "out"
    assert _extract(out, scan) == 0
    rec = _records(out)[0]
    assert rec["provenance"]["funding.total"]["method"] == "ocr:rapidocr"
    _decide(out, rec, "funding.total", "confirm", rec["funding"]["total"])
    _decide(out, rec, "fields.period", "set", rec["fields"]["period"], value="2025-2027年")
    assert main(["apply", str(out), "-q"]) == 0
    now = _records(out)[0]
    assert now["provenance"]["funding.total"]["method"] == "ocr:rapidocr"
    assert now["provenance"]["funding.total"]["confirmed_by"] == "wang"
    assert (now["fields"]["period"], now["provenance"]["fields.period"]["method"]) == ("2025-2027年", "manual")
    row = read_csv(out / "filings.csv")[0]
    assert (row["reviewed"], row["corrections"]) == ("false", "1")  # its truncated_tail flag is not resolved


def test_the_review_site_reads_corrected_records(out):
    machine = _review_wenwu(out)
    # A derived key set by hand: a manual value with no page and no box.
    _decide(out, machine, "indicators[0].level2_code", "set", "quantity", value="quality")
    assert main(["apply", str(out), "-q"]) == 0
    assert _wenwu(out)["provenance"]["indicators[0].level2_code"] == {
        "method": "manual", "confidence": 1.0, "reviewer": "wang", "at": AT}
    assert main(["review", str(out), "-q"]) == 0
    page = (out / "review" / "filings" / f"{machine['filing_id']}.html").read_text("utf-8")
    assert "manual <span class=muted>(no box)</span>" in page and '<span class="shown">quality</span>' in page
    assert "corrected by wang; the machine read quantity" in page
