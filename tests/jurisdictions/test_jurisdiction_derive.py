"""The derive step on an in-memory warehouse built from the real workbooks (no loader needed)."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from flows.jurisdictions import derive, report
from flows.jurisdictions.resolve import state_code
from warehouse.db import MIGRATIONS_DIR

_MINIMAL_CORE = """
CREATE TABLE snapshots (snapshot_id VARCHAR, as_of DATE, list_kind VARCHAR, status VARCHAR, file_name VARCHAR);
CREATE TABLE snapshot_rows (snapshot_id VARCHAR, row_number INTEGER, model VARCHAR, state VARCHAR,
                            agency_name VARCHAR, agency_id VARCHAR, agency_type VARCHAR, county VARCHAR,
                            raw_county VARCHAR);
CREATE TABLE agencies (agency_id VARCHAR, state VARCHAR, agency_name VARCHAR, agency_type VARCHAR, county VARCHAR);
"""


@pytest.fixture(scope="module")
def fixture_con(workbook_rows, make_agency_key):
    con = duckdb.connect()
    con.execute(_MINIMAL_CORE)
    con.execute((MIGRATIONS_DIR / "010_jurisdictions.sql").read_text())
    files = sorted({(r["list_kind"], r["file"]) for r in workbook_rows})
    con.executemany("INSERT INTO snapshots VALUES (?, DATE '2025-01-01', ?, 'published', ?)",
                    [(f, kind, f) for kind, f in files])
    cols = ("snapshot_id", "row_number", "model", "state", "agency_name", "agency_id", "agency_type", "county",
            "raw_county")
    rows = [(r["file"], r["row_number"], "UNKNOWN", state_code(r["state"]), r["agency"],
             make_agency_key(r["state"], r["agency"]), r.get("type"), r.get("county"), r.get("county"))
            for r in workbook_rows]
    table = pa.table({c: [row[i] for row in rows] for i, c in enumerate(cols)})
    con.register("_rows", table)
    con.execute("INSERT INTO snapshot_rows BY NAME SELECT * FROM _rows")
    con.execute("""
        INSERT INTO agencies
        SELECT agency_id, any_value(state), arg_max(agency_name, snapshot_id), arg_max(agency_type, snapshot_id),
               arg_max(county, snapshot_id) FILTER (WHERE county IS NOT NULL)
        FROM snapshot_rows GROUP BY agency_id
    """)
    derive.derive(con)
    yield con
    con.close()


def test_one_row_per_agency(fixture_con):
    agencies, facts, distinct = fixture_con.execute(
        "SELECT (SELECT count(*) FROM agencies), count(*), count(DISTINCT agency_id) FROM agency_jurisdiction_facts"
    ).fetchone()
    assert agencies == facts == distinct


def test_resolution_rate_over_rows(fixture_con):
    summary = report.resolution_summary(fixture_con)
    assert summary["row_rate"] >= 0.995
    assert summary["levels"]["county"] > 800 and summary["levels"]["territory"] >= 3
    for row in report.unresolved(fixture_con):
        assert row["reason"]


def test_places_added_to_jurisdictions(fixture_con):
    n, bad = fixture_con.execute(
        "SELECT count(*), count(*) FILTER (WHERE county_fips IS NOT NULL AND county_fips NOT IN "
        "(SELECT county_fips FROM jurisdictions WHERE level = 'county')) FROM jurisdictions WHERE level = 'place'"
    ).fetchone()
    assert n > 100 and bad == 0


def test_rerun_changes_nothing(fixture_con):
    before = fixture_con.execute("SELECT * FROM agency_jurisdiction_facts ORDER BY agency_id").fetchall()
    derive.derive(fixture_con)
    assert fixture_con.execute("SELECT * FROM agency_jurisdiction_facts ORDER BY agency_id").fetchall() == before


def test_derive_is_fast(fixture_con):
    derive.derive(fixture_con)
    assert derive.LAST_RUN["seconds"] < 3.0
