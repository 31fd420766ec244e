"""End to end: backfill every bundled ICE list with the core loader, then check the issue's figures."""

from __future__ import annotations

from pathlib import Path

import pytest

load = pytest.importorskip("warehouse.load")

SAMPLE = Path(__file__).resolve().parents[2] / "sample" / "ice_287g"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("jur-e2e")
    db = root / "warehouse.duckdb"
    manifest = SAMPLE / "manifest.csv"
    report = load.load_paths(db, [SAMPLE], manifest=manifest if manifest.exists() else None, raw_root=root / "raw")
    assert report.ok
    return db


@pytest.fixture
def con(warehouse):
    from warehouse.db import reader

    with reader(warehouse) as c:
        yield c


def test_agreement_rows_resolve(con):
    from flows.jurisdictions.report import resolution_summary

    summary = resolution_summary(con)
    assert summary["row_rate"] >= 0.995, summary
    assert summary["unresolved"] == len(con.execute("SELECT * FROM agency_jurisdictions WHERE NOT resolved").fetchall())


def test_state_agencies_resolve_to_state_and_islands_to_territory(con):
    rows = con.execute(
        "SELECT state, level, resolved FROM agency_jurisdictions WHERE state IN ('GU', 'MP')").fetchall()
    assert rows and all(level == "territory" and ok for _, level, ok in rows)
    typed_state = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE j.level = 'state') FROM agencies a JOIN agency_jurisdictions j "
        "USING (agency_id) WHERE a.agency_type = 'State Agency' AND a.state NOT IN ('GU', 'MP')").fetchone()
    assert typed_state[1] >= 0.9 * typed_state[0]


def test_one_agency_one_county(con):
    n, distinct = con.execute("SELECT count(*), count(DISTINCT agency_id) FROM agency_jurisdictions").fetchone()
    assert n == distinct == con.execute("SELECT count(*) FROM agencies").fetchone()[0]
    # Every row of every snapshot sees the same county for the same agency.
    assert con.execute(
        "SELECT count(*) FROM (SELECT r.agency_id FROM snapshot_rows r JOIN agency_jurisdictions j USING (agency_id) "
        "GROUP BY 1 HAVING count(DISTINCT j.county_fips) > 1)").fetchone()[0] == 0


def test_florida_all_67_sheriffs_on_2025_05_29(con):
    n = con.execute(
        """
        SELECT count(DISTINCT j.county_fips)
        FROM agreements_as_of('2025-05-29') a JOIN agency_jurisdictions j USING (agency_id)
        WHERE a.state = 'FL' AND j.level = 'county' AND a.agency_name ILIKE '%sheriff%'
        """
    ).fetchone()[0]
    assert n == 67
    row = con.execute(
        "SELECT counties, counties_with_agreement, counties_with_county_agency_agreement, share FROM coverage_month "
        "WHERE state = 'FL' AND month = DATE '2025-05-01'").fetchone()
    assert row == (67, 67, 67, 1.0)


def test_county_month_status_covers_every_county_and_month(con):
    counties = con.execute("SELECT count(*) FROM jurisdictions WHERE level = 'county'").fetchone()[0]
    months = con.execute(
        "SELECT count(*) FROM monthly_snapshot WHERE list_kind = 'participating'").fetchone()[0]
    n, zeros = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE NOT any_active) FROM county_month_status").fetchone()
    assert n == counties * months and zeros > 0
    states = con.execute("SELECT count(DISTINCT state) FROM state_month_status").fetchone()[0]
    assert states == 56


def test_cli(warehouse):
    from typer.testing import CliRunner

    from flows.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["jurisdictions", "--db", str(warehouse)])
    assert result.exit_code == 0 and "resolved" in result.output
    result = runner.invoke(app, ["jurisdictions", "--unresolved", "--db", str(warehouse), "--format", "csv"])
    assert result.exit_code == 0 and result.output.startswith("state,agency_name,level")
    result = runner.invoke(app, ["jurisdictions", "--unresolved", "--db", str(warehouse), "--format", "json"])
    assert result.exit_code == 0
