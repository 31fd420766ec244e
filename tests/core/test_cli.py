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


def test_sql_on_a_missing_warehouse_is_a_clear_error(tmp_path):
    res = runner.invoke(app, ["sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 1
    assert "no warehouse here yet" in res.output


def test_sql_shell_reads_statements_from_stdin(bundled_warehouse):
    res = runner.invoke(app, ["sql", "--db", str(bundled_warehouse), "--format", "csv"],
                        input="SELECT count(*) AS n\nFROM snapshots WHERE list_kind = 'pending';\n.quit\n")
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
