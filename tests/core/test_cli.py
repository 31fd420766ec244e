"""The `tracker` command: backfill with a summary and a truthful exit code; read-only SQL in three formats."""

import json
import shutil

from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import SAMPLE

runner = CliRunner()


def test_sql_formats_and_read_only(bundled_warehouse):
    db = str(bundled_warehouse)
    q = "SELECT as_of, agreements FROM snapshot_summary WHERE file_name = 'participatingAgencies05292025am.xlsx'"
    res = runner.invoke(app, ["sql", q, "--format", "csv", "--db", db])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["as_of,agreements", "2025-05-29,635"]
    res = runner.invoke(app, ["sql", q, "--format", "json", "--db", db])
    assert json.loads(res.stdout.splitlines()[0]) == {"as_of": "2025-05-29", "agreements": 635}
    res = runner.invoke(app, ["sql", q, "--db", db])
    assert "635" in res.stdout
    res = runner.invoke(app, ["sql", "DELETE FROM snapshots", "--db", db])
    assert res.exit_code == 1
    assert "read-only" in res.output.lower()


def test_sql_cannot_write_files_or_undo_that(bundled_warehouse, tmp_path):
    db = str(bundled_warehouse)
    before = bundled_warehouse.stat().st_size
    for statement in (f"COPY (SELECT 'x') TO '{bundled_warehouse}' (FORMAT csv)",  # the warehouse itself
                      f"COPY (SELECT 1) TO '{tmp_path / 'out.csv'}'", f"EXPORT DATABASE '{tmp_path / 'dump'}'",
                      "SET enable_external_access = true"):
        res = runner.invoke(app, ["sql", statement, "--db", db])
        assert res.exit_code == 1 and res.output.startswith("error "), (statement, res.output)
    assert bundled_warehouse.stat().st_size == before and list(tmp_path.iterdir()) == []
    for empty in ("", " ;; "):
        res = runner.invoke(app, ["sql", empty, "--db", db])
        assert res.exit_code == 2 and "the query is empty" in res.output


def test_sql_runs_every_statement_in_order(bundled_warehouse):
    db = str(bundled_warehouse)
    two = "SELECT count(*) AS pending FROM snapshots WHERE list_kind = 'pending'; SELECT 'x' AS second"
    res = runner.invoke(app, ["sql", two, "--db", db])
    assert res.exit_code == 0, res.output
    assert res.stdout.index("pending") < res.stdout.index("15") < res.stdout.index("second")
    res = runner.invoke(app, ["sql", two, "--db", db, "-f", "csv"])  # two CSVs in one stream would mislead
    assert res.exit_code == 2 and "2 statements returned rows" in res.output and res.stdout == ""
    res = runner.invoke(app, ["sql", "SELECT 1 AS a; SELEC 2", "--db", db])  # a broken statement: nothing runs
    assert res.exit_code == 1 and "syntax error" in res.output and res.stdout == ""


def test_sql_on_a_missing_warehouse_is_a_clear_error(tmp_path):
    res = runner.invoke(app, ["sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 1
    assert "no warehouse here yet" in res.output


def test_sql_shell_reads_statements_from_stdin(bundled_warehouse):
    res = runner.invoke(app, ["sql", "--db", str(bundled_warehouse), "--format", "csv"],
                        input=";\nSELECT count(*) AS n\nFROM snapshots WHERE list_kind = 'pending';\n.quit\n")
    assert res.exit_code == 0
    assert "n\n15" in res.stdout


def test_backfill_reports_and_exits_non_zero_on_bad_files(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_RAW_DIR", str(tmp_path / "raw"))
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "ice_287g" / "pending" / "pendingAgencies05292025am.xlsx", folder)
    (folder / "pendingAgencies06012025am.xlsx").write_bytes(b"not a workbook")
    db = tmp_path / "w.duckdb"
    res = runner.invoke(app, ["backfill", str(folder), "--db", str(db)])
    assert res.exit_code == 1
    assert "pendingAgencies06012025am.xlsx: not an xlsx workbook (no zip signature)" in res.output
    res = runner.invoke(app, ["sql", "SELECT count(*) FROM snapshots", "--db", str(db), "-f", "csv"])
    assert res.stdout.splitlines()[1] == "1"
    (folder / "pendingAgencies06012025am.xlsx").unlink()
    res = runner.invoke(app, ["backfill", str(folder), "--db", str(db)])
    assert res.exit_code == 0


def test_bad_arguments_are_one_line_errors_not_tracebacks(bundled_warehouse, tmp_path):
    db = str(bundled_warehouse)
    labelled = tmp_path / "labels.csv"
    labelled.write_text("foo,bar\n1,2\n")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,list_kind,as_of\nx.xlsx,participating,2021-13-45\n")
    cases = [
        (["serve", "--cron", "not a cron"], 2, "is not a cron expression"),
        (["sanctuary", "status", "--date", "2025-13-01", "--db", db], 2, "is not a date (YYYY-MM-DD)"),
        (["sanctuary", "conflicts", "--date", "2025-05-29", "-f", "xml", "--db", db], 2, "--format must be"),
        (["news-bench", str(labelled)], 2, "needs the column(s) event_kind, sentence"),
        (["news-bench", str(tmp_path / "none.csv")], 1, "none.csv: No such file or directory"),
        (["backfill", str(tmp_path), "--manifest", str(manifest), "--db", str(tmp_path / "w.duckdb")], 2,
         "manifest.csv:2: as_of '2021-13-45' is not YYYY-MM-DD"),
        (["jurisdictions", "--db", str(tmp_path)], 1, "warehouse I/O error"),
        (["sanctuary", "status", "--date", "2025-05-29", "--db", str(tmp_path / "none.duckdb")], 1, "no warehouse here yet"),
        (["dashboards", "--serve", "--db", str(tmp_path / "none.duckdb")], 1, "no warehouse here yet"),
        (["reprocess", "--all", "--db", str(tmp_path / "typo" / "w.duckdb")], 1, "no warehouse here yet"),
        (["alerts", "--db", str(tmp_path / "none.duckdb"), "--site", str(tmp_path / "site")], 1, "no warehouse here yet"),
    ]
    for args, code, message in cases:
        res = runner.invoke(app, args)
        assert res.exit_code == code and message in res.output, (args, res.exit_code, res.output)
        assert res.exception is None or isinstance(res.exception, SystemExit), (args, res.exception)
        assert "Traceback" not in res.output, args
    assert not (tmp_path / "typo").exists() and not (tmp_path / "w.duckdb").exists()


def test_agency_shows_agreements_and_applications(bundled_warehouse):
    db = str(bundled_warehouse)
    res = runner.invoke(app, ["agency", "beggs", "--db", db, "-f", "csv"])
    assert res.exit_code == 0, res.output
    rows = [line.split(",") for line in res.stdout.splitlines()]
    assert rows[0] == ["state", "agency_name", "agency_id", "record", "model", "since", "until", "status", "signed",
                       "detail"]
    got = [(r[3], r[4], r[5], r[6], r[7]) for r in rows[1:]]
    assert got == [("application", "JEM", "2025-09-30", "2025-09-30", "dropped"),
                   ("application", "TFM", "2025-09-30", "2025-10-31", "approved"),
                   ("application", "WSO", "2025-09-30", "2025-09-30", "dropped"),
                   ("agreement", "TFM", "2025-10-31", "", "in force")]
    assert rows[1][9] == "the agency was listed under TFM"
    harris = runner.invoke(app, ["agency", "Harris County Sheriff", "--state", "tx", "--db", db, "-f", "json"])
    assert harris.exit_code == 0
    assert [(r["state"], r["model"], r["since"], r["until"]) for r in map(json.loads, harris.stdout.splitlines())] == [
        ("TX", "JEM", "2011-02-20", "2017-03-05")]  # not Harris County, Georgia
    table = runner.invoke(app, ["agency", "beggs", "--db", db])
    assert table.exit_code == 0 and "Beggs" in table.stdout and "agency_id" not in table.stdout
    res = runner.invoke(app, ["agency", "no such agency", "--db", db])
    assert res.exit_code == 1 and "no agency named like 'no such agency'" in res.output
    # a listing of the 2007-2008 lists (no model) that went on with one is not an ending; the table says so
    maricopa = runner.invoke(app, ["agency", "Maricopa County Sheriff", "--db", db, "-f", "csv"])
    assert maricopa.stdout.splitlines()[1].endswith(",UNKNOWN,2007-09-19,2011-02-20,model stated,,then listed as JEM")
    table = runner.invoke(app, ["agency", "Maricopa County Sheriff", "--db", db], env={"COLUMNS": "200"})
    assert "model stated" in table.stdout and "then listed as JEM" in table.stdout
