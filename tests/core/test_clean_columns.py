"""Cleaning a parsed list into snapshot_rows columns: the usual one record per row, and the rows that
name several models or that a verified state fix moves."""

from __future__ import annotations

from datetime import date

from flows.ice_lists import RECORD_FIELDS, ParsedList, RawRow, clean_columns

FIELDS = ("state", "agency", "type", "county", "support_type", "signed", "moa")


def _list(rows: list[tuple]) -> ParsedList:
    raw = [RawRow(i + 2, dict(zip(FIELDS, r, strict=True)), {"moa": f"https://www.ice.gov/doclib/287gMOA/{i}.pdf"})
           for i, r in enumerate(rows)]
    return ParsedList.from_rows("Sheet1", "|".join(FIELDS), FIELDS, [], raw)


def _records(parsed: ParsedList, as_of: date) -> list[dict]:
    cols = clean_columns(parsed, as_of)
    assert list(cols) == list(RECORD_FIELDS)
    return [dict(zip(RECORD_FIELDS, values, strict=True)) for values in zip(*cols.values(), strict=True)]


USUAL = [
    ("TEXAS", "Travis County Sheriff’s Office", "County", "Travis", "Jail Enforcement Model", "2025-02-03", "MOA"),
    ("florida", "Apopka Police Department", "Municipality", "#N/A", "Task Force Model", 45700.0, "MOA"),
    ("Florida", "Lake County Sheriff's Office", "County", "Lake", "Warrant Service Officer", "5025-07-07", "MOA"),
]
MOVED = ("FLORIDA", "Burnet County Sheriff's Office", "County", "Burnet", "Warrant Service Officer", "11/5/2019", "MOA")
TWO_MODELS = ("GEORGIA", "Cobb County Sheriff's Office", "County", "Cobb", "Jail Enforcement Model / Task Force Model",
              "2019-05-01", "MOA")


def test_usual_rows_one_record_each():
    recs = _records(_list(USUAL), date(2025, 7, 11))
    assert [(r["row_number"], r["model"], r["state"], r["county"], r["signed"]) for r in recs] == [
        (2, "JEM", "TX", "Travis", date(2025, 2, 3)),
        (3, "TFM", "FL", None, date(2025, 2, 12)),  # Excel serial day 45700
        (4, "WSO", "FL", "Lake", date(2025, 7, 7)),
    ]
    assert recs[0]["agency_name"] == "Travis County Sheriff's Office" and recs[0]["raw_agency"] == USUAL[0][1]
    assert recs[1]["raw_signed"] == "45700" and recs[1]["moa_url"] == "https://www.ice.gov/doclib/287gMOA/1.pdf"
    assert recs[2]["notes"] == "SIGNED year 5025 impossible on 2025-07-11; read as 2025-07-07"
    assert [r["notes"] for r in recs[:2]] == [None, None]  # case is tidied, not noted


def test_a_state_typo_is_read_and_noted():
    typo = ("PENNSLYVANIA", "Lancaster County Prison", "County", "Lancaster", "Warrant Service Officer", "2025-03-01",
            "MOA")
    (rec,) = _records(_list([typo]), date(2025, 7, 11))
    assert (rec["state"], rec["raw_state"], rec["notes"]) == ("PA", "PENNSLYVANIA", "state 'PENNSLYVANIA' read as PA")


def test_several_models_and_a_verified_state_fix():
    recs = _records(_list([USUAL[0], MOVED, TWO_MODELS, USUAL[2]]), date(2025, 7, 11))
    assert [(r["row_number"], r["model"], r["state"]) for r in recs] == [
        (2, "JEM", "TX"), (3, "WSO", "TX"), (4, "JEM", "GA"), (4, "TFM", "GA"), (5, "WSO", "FL")]
    moved = recs[1]
    assert moved["notes"] == "listed under FL; moved to TX (ICE verified fix)"
    assert moved["name_key"].startswith("burnet county") and moved["raw_state"] == "FLORIDA"
    assert recs[2]["moa_url"] == recs[3]["moa_url"] and recs[2]["raw_support_type"] == TWO_MODELS[4]
    # the rows around them clean exactly as in a list without them
    usual = _records(_list(USUAL), date(2025, 7, 11))
    assert recs[0] == usual[0]
    same = [k for k in RECORD_FIELDS if k not in ("row_number", "moa_url")]  # links are by position in the list
    assert [recs[4][k] for k in same] == [usual[2][k] for k in same]


def test_headers_with_asides_are_read_by_name():
    from bench import synth
    from flows.ice_lists import parse_workbook

    header = ("State", "Law Enforcement Agency (LEA)", "Type", "Support Type*", "Date Signed:", "MOA", "Notes")
    body = synth.workbook([("TEXAS", "Travis County Sheriff's Office", "County", "JEM", "2025-02-03", "link", "x")],
                          header=header)
    parsed = parse_workbook(body)
    assert parsed.header == "STATE|LAW ENFORCEMENT AGENCY|TYPE|SUPPORT TYPE|SIGNED|MOA"
    assert parsed.unknown_columns == ["NOTES"]
    (record,) = _records(parsed, date(2025, 3, 1))
    assert (record["state"], record["model"], record["signed"]) == ("TX", "JEM", date(2025, 2, 3))
