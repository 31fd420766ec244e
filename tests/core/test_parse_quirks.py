"""Rows that are no agreement, and lists told apart by their SIGNED dates rather than their header."""

from datetime import date

from bench.synth import HEADER, workbook
from flows.ice_lists import parse_workbook
from flows.snapshot_identity import decide

ROWS = [("FLORIDA", "Alachua County Sheriff's Office", "County", "Alachua County", "Jail Enforcement Model", 45800, "link"),
        ("TEXAS", "Harris County Sheriff's Office", "County", "Harris County", "Warrant Service Officer", 45801, "link")]


def test_a_repeated_header_and_lines_under_the_table_are_not_agreements():
    rows = [ROWS[0], HEADER, ROWS[1],  # two pages pasted together
            (None, "Total agreements: 2"), (None, "TOTAL", None, None, 2), ("TOTAL", None, None, None, 2),
            (None, "Source: ICE, updated 2026-06-01")]
    parsed = parse_workbook(workbook(rows))
    assert parsed.row_count == 2 and parsed.row_numbers == [2, 4]
    assert parsed.columns["agency"] == [ROWS[0][1], ROWS[1][1]]
    assert parsed.notes == ["5 row(s) set aside as no agreement (a repeated header, or no state and no model): "
                            "row(s) 3, 5, 6, 7, 8"]


def test_a_row_without_a_state_but_with_a_model_is_kept():
    parsed = parse_workbook(workbook([ROWS[0], (None, "Somewhere Police Department", None, None, "Task Force Model"),
                                      ("FLORDIA", "Typo County Sheriff's Office", None, None, None)]))
    assert parsed.row_count == 3 and parsed.notes == []  # a misspelt state is still a state


def test_an_empty_signed_column_does_not_make_a_pending_list_participating():
    pending = [(state, agency, kind, county, model, None, None) for state, agency, kind, county, model, _, _ in ROWS]
    for filler in (None, "pending"):
        parsed = parse_workbook(workbook([row[:5] + (filler,) for row in pending]))
        assert "signed" in parsed.fields and not parsed.has_signed
        assert decide(parsed, "pendingAgencies06012026am.xlsx", today=date(2026, 11, 29)).list_kind == "pending"
    assert parse_workbook(workbook(ROWS)).has_signed


def test_a_list_saved_as_csv_loads_like_the_workbook(tmp_path):
    import csv
    from datetime import datetime

    import duckdb
    import python_calamine

    from tests.conftest import SAMPLE
    from warehouse.load import load_paths

    real = SAMPLE / "ice_287g" / "participating" / "participatingAgencies05292025am.xlsx"
    rows = python_calamine.CalamineWorkbook.from_path(str(real)).get_sheet_by_index(0).to_python()
    folder = tmp_path / "in"
    folder.mkdir()
    with (folder / "participatingAgencies05292025am.csv").open("w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows([[f"{v:%m/%d/%Y}" if isinstance(v, date | datetime) else v for v in row]
                                  for row in rows])
    report = load_paths(tmp_path / "w.duckdb", [folder], raw_root=tmp_path / "raw")  # found in a folder too
    assert report.ok and [r.rows for r in report.loaded] == [635]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    got = con.execute("SELECT source, list_kind, as_of, agreements, jem, tfm, wso, status FROM snapshot_summary").fetchone()
    states = con.execute("SELECT count(DISTINCT state), min(signed), max(signed) FROM snapshot_rows").fetchone()
    con.close()
    assert got == ("ice_list_csv", "participating", date(2025, 5, 29), 635, 100, 307, 228, "published")
    assert states[0] == 40 and states[2] <= date(2025, 5, 29)


def test_odd_csv_files_in_a_folder_neither_stop_the_batch_nor_load_as_lists(tmp_path):
    import shutil

    from tests.conftest import SAMPLE
    from warehouse.load import find_files, load_paths

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "ice_287g" / "pending" / "pendingAgencies05292025am.xlsx", folder / "pendingAgencies05292025am.csv")
    (folder / "binary.csv").write_bytes(b"\x00\x01\r\x02" * 1000)  # no CSV at all
    (folder / "notes.csv").write_text("path,list_kind,as_of\n")  # neither a list nor a roster
    files, errors = find_files([folder])
    assert [f.name for f in files] == ["pendingAgencies05292025am.csv"] and errors == []
    report = load_paths(tmp_path / "w.duckdb", [folder], raw_root=tmp_path / "raw")
    assert report.ok and [r.rows for r in report.loaded] == [68]  # a workbook under a .csv name still loads
    # the files not loaded are told, one line each (not failures: they are no list)
    assert report.skipped == [
        (str(folder / "binary.csv"), "not a list or roster file (no CSV header)"),
        (str(folder / "notes.csv"), "a manifest (path, list_kind, as_of), not a list or roster: pass it with --manifest "
                                    "to use it")]
    bad = load_paths(tmp_path / "w.duckdb", [folder / "binary.csv"], raw_root=tmp_path / "raw")
    assert [r.error.split(": ", 1)[1][:26] for r in bad.failed] == ["not a readable CSV file (n"]
