"""Reference geography: states, counties, land areas and map files built offline from packages."""

from __future__ import annotations

import duckdb
import pytest

from flows.jurisdictions import geography
from warehouse.db import MIGRATIONS_DIR


@pytest.fixture(scope="module")
def ref_con():
    con = duckdb.connect()
    con.execute((MIGRATIONS_DIR / "010_jurisdictions.sql").read_text())
    geography.load_reference(con)
    yield con
    con.close()


def test_states_and_territories():
    states = {s["state"]: s for s in geography.states()}
    assert len([s for s in states.values() if s["level"] == "state"]) == 51  # 50 + DC
    assert {s for s, v in states.items() if v["level"] == "territory"} == {"PR", "GU", "MP", "VI", "AS"}
    assert states["FL"]["state_fips"] == "12" and states["FL"]["aland"] > 1.3e11


def test_counties_have_fips_names_and_land_area():
    counties = geography.counties()
    fips = [c["county_fips"] for c in counties]
    assert len(fips) == len(set(fips)) == 3233
    assert all(len(f) == 5 and f.isdigit() for f in fips)
    by = {c["county_fips"]: c for c in counties}
    assert by["22001"]["name"] == "Acadia Parish"
    assert by["51810"]["name"] == "Virginia Beach city" and by["51810"]["lsad"] == "city"
    assert by["02150"]["name"] == "Kodiak Island Borough"
    assert by["12086"]["name"] == "Miami-Dade County"
    assert len([c for c in counties if c["state"] == "FL"]) == 67
    assert all(c["aland"] >= 0 for c in counties)


def test_county_geojson_is_small_and_complete(ref_con):
    path = geography.county_geojson_path()
    assert path.stat().st_size < 2_000_000
    features = {f["id"] for f in geography.county_geojson()["features"]}
    in_table = {r[0] for r in ref_con.execute("SELECT county_fips FROM jurisdictions WHERE level = 'county'").fetchall()}
    assert in_table and in_table <= features


def test_state_geojson_covers_every_state(ref_con):
    features = {f["id"] for f in geography.state_geojson()["features"]}
    in_table = {r[0] for r in ref_con.execute(
        "SELECT state_fips FROM jurisdictions WHERE level IN ('state', 'territory')").fetchall()}
    assert len(in_table) == 56 and in_table == features


def test_load_reference_is_idempotent(ref_con):
    before = ref_con.execute("SELECT count(*) FROM jurisdictions").fetchone()[0]
    assert geography.load_reference(ref_con) is False
    assert ref_con.execute("SELECT count(*) FROM jurisdictions").fetchone()[0] == before == 56 + 3233


def test_cache_is_keyed_by_package_versions():
    key = geography.reference_key()
    assert "addfips" in key and "plotly-geo" in key and geography.cache_dir().name.endswith(key)
