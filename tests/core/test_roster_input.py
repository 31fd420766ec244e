"""Damaged roster files (2007-2017): a missing column is refused with a one-line error, a row whose state
or SIGNED cannot be read is kept as printed and reported in the load's summary, as for ICE's lists."""

from __future__ import annotations

import csv
import io

import duckdb
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import SAMPLE
from warehouse.load import load_paths

ROSTER = SAMPLE / "ice_287g_archive" / "pre2018-roster-long.csv"
AGENCY_LISTS = SAMPLE / "ice_287g_archive" / "historical-ice-lists.csv"


def _rewrite(src, dst, *, drop: str | None = None, edit=None) -> None:
    """A copy of a roster CSV without column `drop`, and with `edit(line, row)` applied to each row."""
    with src.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = [f for f in reader.fieldnames if f != drop]
        out = io.StringIO()
        writer = csv.DictWriter(out, fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for line, row in enumerate(reader, start=2):
            writer.writerow(edit(line, row) if edit else row)
    dst.write_text(out.getvalue(), encoding="utf-8")


def test_a_roster_without_a_column_it_is_read_from_fails_alone(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _rewrite(ROSTER, folder / "roster_nosigned.csv", drop="date_signed")
    _rewrite(ROSTER, folder / "roster_nosupport.csv", drop="support_type")
    _rewrite(AGENCY_LISTS, folder / "lists_noagency.csv", drop="agency")
    (folder / "historical-ice-lists.csv").write_bytes(AGENCY_LISTS.read_bytes())
    report = load_paths(tmp_path / "w.duckdb", [folder], raw_root=tmp_path / "raw")
    assert not report.ok
    errors = {r.file_name: r.error for r in report.failed}
    assert set(errors) == {"roster_nosigned.csv", "roster_nosupport.csv", "lists_noagency.csv"}
    assert errors["roster_nosigned.csv"].endswith("roster_nosigned.csv: long roster (snapshot_ts, capture_date) "
                                                  "without the column(s) it is read from: date_signed")
    assert errors["roster_nosupport.csv"].endswith("without the column(s) it is read from: support_type")
    assert errors["lists_noagency.csv"].endswith("agency list (capture, as_of) without the column(s) it is read from: agency")
    assert all("\n" not in e for e in errors.values())
    assert [r.file_name for r in report.loaded] == ["historical-ice-lists.csv"]  # the rest of the batch goes on
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM snapshot_rows WHERE model <> 'UNKNOWN'").fetchone()[0] == 0
    con.close()


def test_unreadable_state_and_signed_are_kept_as_printed_and_reported(tmp_path):
    def damage(line, row):
        if line == 3:
            return {**row, "state": "ATLANTIS"}
        if line == 5:
            return {**row, "date_signed": "2008-02-30"}
        return row

    roster = tmp_path / "roster.csv"
    _rewrite(ROSTER, roster, edit=damage)
    report = load_paths(tmp_path / "w.duckdb", [roster], raw_root=tmp_path / "raw")
    assert report.ok
    notes = report.loaded[0].notes
    assert "1 row(s) with a state not recognised, kept without a state: row(s) 3" in notes
    assert "1 row(s) with a SIGNED date that could not be read (or is impossible), kept without SIGNED: row(s) 5" in notes
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    kept = con.execute("SELECT row_number, state, raw_state, signed, raw_signed FROM snapshot_rows "
                       "WHERE row_number IN (3, 5) ORDER BY 1").fetchall()
    snapshot_notes = con.execute("SELECT string_agg(quality_notes, '; ') FROM snapshots").fetchone()[0]
    con.close()
    assert kept[0][1:3] == (None, "ATLANTIS") and kept[1][3:] == (None, "2008-02-30")
    assert "state not recognised" in snapshot_notes and "kept without SIGNED" in snapshot_notes
    # the backfill's summary prints them, and a load with notes only is a success
    res = CliRunner().invoke(app, ["backfill", str(roster), "--db", str(tmp_path / "cli.duckdb")], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "note roster.csv: 1 row(s) with a state not recognised, kept without a state: row(s) 3" in res.output


def test_a_list_csv_reports_the_same_findings(tmp_path):
    # ICE's lists keep such rows too; the summary says so in the same words
    lst = tmp_path / "participatingAgencies05292025am.csv"
    lst.write_text("STATE,LAW ENFORCEMENT AGENCY,SUPPORT TYPE,SIGNED\n"
                   "TEXAS,Harris County Sheriff's Office,Jail Enforcement Model,2025-02-01\n"
                   "ATLANTIS,Poseidon Police Department,Task Force Model,2025-03-01\n"
                   "FLORIDA,Bay County Sheriff's Office,Task Force Model,2025-02-30\n"
                   "FLORIDA,Collier County Sheriff's Office,Lunar Model,2025-02-20\n")
    report = load_paths(tmp_path / "w.duckdb", [lst], raw_root=tmp_path / "raw")
    assert report.ok
    assert [n for n in report.loaded[0].notes if "row(s) with" in n] == [
        "1 row(s) with a state not recognised, kept without a state: row(s) 3",
        "1 row(s) with a SIGNED date that could not be read (or is impossible), kept without SIGNED: row(s) 4",
        "1 row(s) with a support type not recognised, kept with model UNKNOWN: row(s) 5",
    ]


def test_the_backfill_exit_code_says_a_roster_failed(tmp_path):
    bad = tmp_path / "roster_nosigned.csv"
    _rewrite(ROSTER, bad, drop="date_signed")
    res = CliRunner().invoke(app, ["backfill", str(bad), str(AGENCY_LISTS), "--db", str(tmp_path / "w.duckdb")],
                             env={"COLUMNS": "300"})
    assert res.exit_code == 1
    assert "without the column(s) it is read from: date_signed" in res.output


def test_a_folder_s_files_that_are_not_loaded_are_told(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "historical-ice-lists.csv").write_bytes(AGENCY_LISTS.read_bytes())
    (folder / "counties.csv").write_text("fips,name\n01001,Autauga\n")  # neither a list nor a roster
    (folder / "manifest.csv").write_text("path,list_kind,as_of\n")
    (folder / "notes.txt").write_text("not a CSV: not a candidate, not told")
    report = load_paths(tmp_path / "w.duckdb", [folder], raw_root=tmp_path / "raw")
    assert report.ok and [r.file_name for r in report.loaded] == ["historical-ice-lists.csv"]
    assert report.skipped == [
        (str(folder / "counties.csv"), "not a list or roster file (columns: fips, name)"),
        (str(folder / "manifest.csv"), "a manifest (path, list_kind, as_of), not a list or roster: pass it with "
                                       "--manifest to use it")]
    # the manifest given is no noise
    given = load_paths(tmp_path / "w.duckdb", [folder], manifest=folder / "manifest.csv", raw_root=tmp_path / "raw")
    assert [p for p, _ in given.skipped] == [str(folder / "counties.csv")]
    res = CliRunner().invoke(app, ["backfill", str(folder), "--db", str(tmp_path / "cli.duckdb")], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert f"skipped {folder / 'counties.csv'}: not a list or roster file (columns: fips, name)" in res.output
