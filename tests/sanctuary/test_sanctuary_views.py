"""Sanctuary views and macros: on the fixture lists, and end to end with the bundled ICE lists."""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sanctuary_paths import DHS_HTML, DOJ_HTML, REPO
from typer.testing import CliRunner

from flows.sanctuary.queries import FALLBACK_GEO, agency_geo, run_macro
from warehouse.db import reader


def test_macros_exist_with_comments(loaded):
    db, _, _ = loaded
    with reader(db) as con:
        names = {r[0] for r in con.execute("SELECT function_name FROM duckdb_functions() WHERE comment IS NOT NULL "
                                           "AND function_type = 'table_macro'").fetchall()}
        assert {"jurisdiction_status", "sanctuary_conflicts", "mandate_compliance", "banned_agreements",
                "state_laws_in_force", "sanctuary_listed_on", "sanctuary_active_agreements"} <= names
        assert con.execute("SELECT comment FROM duckdb_views() WHERE view_name = 'monthly_sanctuary'").fetchone()[0]


def test_status_without_agreements_shows_lists_and_laws(loaded):
    db, _, _ = loaded
    with reader(db) as con:
        cols, rows = run_macro(con, "jurisdiction_status", date(2025, 5, 30))
    status = [dict(zip(cols, r, strict=True)) for r in rows]
    ca = next(r for r in status if r["level"] == "state" and r["state"] == "CA")
    assert ca["lists_naming_it"] == ["DHS"] and ca["law_bans_287g"] and ca["local_listings"] == 111
    alameda = next(r for r in status if r["county_fips"] == "06001")
    assert alameda["lists_naming_it"] == ["DHS"] and "DHS: Berkeley" in alameda["listed_places"]
    tx = next(r for r in status if r["level"] == "state" and r["state"] == "TX")
    assert tx["lists_naming_it"] == [] and not tx["law_mandates_287g"]
    # DOJ's list comes later
    with reader(db) as con:
        cols, rows = run_macro(con, "jurisdiction_status", date(2025, 8, 5), "state = 'CO' AND level = 'state'")
    assert dict(zip(cols, rows[0], strict=True))["lists_naming_it"] == ["DHS", "DOJ"]


def test_monthly_sanctuary(loaded):
    db, _, _ = loaded
    with reader(db) as con:
        rows = con.execute("SELECT month, listings, withdrawals, laws_in_force FROM monthly_sanctuary "
                           "WHERE state = 'CA' AND month IN ('2025-04-01', '2025-05-01', '2025-08-01') "
                           "ORDER BY month").fetchall()
        total = con.execute("SELECT sum(new_listings) FROM monthly_sanctuary").fetchone()[0]
    assert [(str(m), n, w, laws) for m, n, w, laws in rows] == [
        ("2025-04-01", 0, 0, 2), ("2025-05-01", 112, 0, 2), ("2025-08-01", 118, 0, 2)]  # + DOJ: CA, 2 counties, 3 cities
    assert total == 605 + 35


def test_cli_status_and_unresolved(loaded):
    from flows.cli import app

    db, _, _ = loaded
    runner = CliRunner()
    res = runner.invoke(app, ["sanctuary", "status", "--date", "2025-05-30", "--state", "RI", "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "Rhode Island" in res.stdout and "Providence County" in res.stdout
    res = runner.invoke(app, ["sanctuary", "unresolved", "--db", str(db)])
    assert res.exit_code == 0 and res.stdout.splitlines()[0].startswith("list_id")


@pytest.mark.parametrize(("args", "message"), [
    (["--state", "ZZ"], "--state must be a USPS code (AK, AL, "),
    (["--state", "Florida"], "not 'Florida'"),
    (["--level", "County"], "--level must be state or county, not 'County'"),
    (["--level", "city"], "--level must be state or county, not 'city'"),
])
def test_cli_status_refuses_a_filter_it_does_not_know(loaded, args, message):
    from flows.cli import app

    db, _, _ = loaded
    res = CliRunner().invoke(app, ["sanctuary", "status", "--date", "2025-05-30", *args, "--db", str(db)])
    assert res.exit_code == 2 and res.stdout == ""
    (line,) = res.stderr.splitlines()
    assert line.startswith("error ") and message in line and ("FL" in line or "--level" in line)

def test_cli_compliance_refuses_a_state_name_and_takes_a_lower_case_code(loaded):
    from flows.cli import app

    db, _, _ = loaded
    res = CliRunner().invoke(app, ["sanctuary", "compliance", "--date", "2025-12-01", "--state", "Texas", "--db", str(db)])
    assert res.exit_code == 2 and "--state must be a USPS code" in res.stderr and "not 'Texas'" in res.stderr
    res = CliRunner().invoke(app, ["sanctuary", "compliance", "--date", "2025-12-01", "--state", "tx", "--db", str(db)])
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 1 + 254


def test_cli_status_rows_come_in_a_stable_order(loaded):
    from flows.cli import app

    db, _, _ = loaded
    res = CliRunner().invoke(app, ["sanctuary", "status", "--date", "2025-08-05", "--state", "ca", "--db", str(db),
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows[0]["level"] == "state" and rows[0]["state"] == "CA" and len(rows) == 1 + 58
    names = [r["name"] for r in rows[1:]]
    assert names == sorted(names)
    places = next(r for r in rows if r["county_fips"] == "06075")["listed_places"]  # San Francisco: DHS and DOJ
    assert len(places) > 1 and places == sorted(places)
    again = CliRunner().invoke(app, ["sanctuary", "status", "--date", "2025-08-05", "--state", "CA", "--db", str(db),
                                     "--format", "json"])
    assert again.stdout == res.stdout


needs_loader = pytest.mark.skipif(
    importlib.util.find_spec("warehouse.load") is None,
    reason="needs the ICE loader warehouse/load.py (load_paths) from the ICE-lists work",
)


@pytest.fixture(scope="module")
def with_ice(tmp_path_factory):
    """Bundled ICE lists and 2007-2017 rosters (lead's loader) plus the fixture sanctuary lists, in one warehouse."""
    from flows.sanctuary.load import ingest
    from warehouse.load import load_paths

    root = tmp_path_factory.mktemp("with_ice")
    ice = REPO / "sample" / "ice_287g"
    manifest = ice / "manifest.csv"
    load_paths(root / "w.duckdb", [REPO / "sample" / "ice_287g_archive", ice],
               manifest=manifest if manifest.exists() else None, raw_root=root / "raw")
    sample = root / "sample"
    sample.mkdir()
    shutil.copy(DHS_HTML, sample)
    shutil.copy(DOJ_HTML, sample)
    ingest(root / "w.duckdb", root / "raw", sample_dir=sample)
    return root / "w.duckdb"


def _rows(db: Path, macro: str, on: date, where: str = "") -> list[dict]:
    with reader(db) as con:
        cols, rows = run_macro(con, macro, on, where)
    return [dict(zip(cols, r, strict=True)) for r in rows]


@needs_loader
def test_status_2025_05_30_florida_all_california_none(with_ice):
    rows = _rows(with_ice, "jurisdiction_status", date(2025, 5, 30), "level = 'county' AND state IN ('FL', 'CA')")
    counts = Counter((r["state"], r["has_agreement"]) for r in rows)
    assert counts[("FL", True)] == 67 and counts[("FL", False)] == 0
    assert counts[("CA", True)] == 0 and counts[("CA", False)] == 58


@needs_loader
def test_status_counts_the_agreements_of_the_lists_without_a_model(with_ice):
    # 2008-03-10 printed 41 agencies and no model: 41 agreements of unstated model, not none
    rows = _rows(with_ice, "jurisdiction_status", date(2008, 3, 31), "level = 'state'")
    assert sum(r["agreements_unknown"] for r in rows) == sum(r["agreements_total"] for r in rows) == 41
    assert all(r["agreements_jem"] + r["agreements_tfm"] + r["agreements_wso"] + r["agreements_unknown"]
               == r["agreements_total"] for r in rows)


@needs_loader
def test_status_says_which_list_it_counts_and_when_that_is_across_a_gap(with_ice):
    # no capture between 2017-08-01 and 2021-01-13: on 2020-09-30 the counts are 2017-08-01's, flagged
    for on, list_date, in_gap in ((date(2020, 9, 30), date(2017, 8, 1), True),
                                  (date(2017, 8, 15), date(2017, 8, 1), False),
                                  (date(2025, 5, 30), date(2025, 5, 29), False)):
        rows = _rows(with_ice, "jurisdiction_status", on)
        assert {(r["agreements_list_date"], r["in_gap"]) for r in rows} == {(list_date, in_gap)}, on


@needs_loader
def test_status_works_with_the_fallback_geography(with_ice):
    with reader(with_ice) as con:
        row = con.execute(
            "SELECT count(*) FILTER (WHERE has_agreement) FROM jurisdiction_status('2025-05-30', "
            f"agency_geo := '{FALLBACK_GEO}') WHERE level = 'county' AND state = 'FL'").fetchone()
        assert row[0] == 67
        assert agency_geo(con) in ("agency_jurisdictions", FALLBACK_GEO)


@needs_loader
def test_texas_sb8_compliance_lists_counties_with_and_without(with_ice):
    assert _rows(with_ice, "mandate_compliance", date(2025, 5, 30), "state = 'TX'") == []  # SB 8 signed 2025-06-20
    rows = _rows(with_ice, "mandate_compliance", date(2025, 12, 1), "state = 'TX'")
    assert len(rows) == 254
    kinds = Counter(r["compliance"] for r in rows)
    assert kinds["compliant"] > 0 and kinds["before deadline"] > 0 and set(kinds) <= {"compliant", "before deadline"}
    assert all(r["jail_basis"].startswith("assumed") and r["days_to_deadline"] == 365 for r in rows)
    fl = _rows(with_ice, "mandate_compliance", date(2025, 5, 30), "state = 'FL'")
    assert len(fl) == 67 and all(r["compliance"] == "compliant" for r in fl)


@needs_loader
def test_conflicts_and_banned_agreements_carry_evidence(with_ice):
    conflicts = _rows(with_ice, "sanctuary_conflicts", date(2025, 5, 30))
    assert conflicts and all(r["first_raw_sha256"] and r["agreement_raw_sha256"] for r in conflicts)
    assert _rows(with_ice, "banned_agreements", date(2025, 5, 30)) == []


def _load_lists(tmp_path: Path, lists: list[tuple[date, list[tuple], str]]) -> Path:
    """A warehouse holding synthetic ICE participating lists (as_of, rows, am|pm) and the sanctuary lists."""
    from flows.sanctuary.load import ingest
    from tests.ops.conftest import write_list
    from warehouse.load import load_paths

    db = tmp_path / "w.duckdb"
    paths = [write_list(tmp_path / f"in-{i}", as_of, rows, suffix=suffix)
             for i, (as_of, rows, suffix) in enumerate(lists)]
    load_paths(db, paths, raw_root=tmp_path / "raw")
    ingest(db, tmp_path / "raw", sample_dir=DHS_HTML.parent)
    return db


def test_two_lists_of_one_day_count_once_the_list_the_core_picks(tmp_path):
    from tests.ops.conftest import rows_for

    day = date(2025, 3, 3)
    db = _load_lists(tmp_path, [(day, rows_for(10), "am"), (day, rows_for(12), "pm")])
    with reader(db) as con:
        core = con.execute("SELECT DISTINCT snapshot_id FROM agreements_as_of(?)", [day]).fetchall()
        core_rows = con.execute("SELECT count(*) FROM agreements_as_of(?)", [day]).fetchone()[0]
        ours = con.execute("SELECT DISTINCT snapshot_id FROM sanctuary_active_agreements(?, agency_geo := ?)",
                           [day, agency_geo(con)]).fetchall()
    assert core_rows == 12 and ours == core
    states = _rows(db, "jurisdiction_status", day, "level = 'state'")
    assert sum(r["agreements_total"] for r in states) == 12


def test_a_date_inside_a_capture_gap_says_which_list_the_agreements_come_from(tmp_path):
    from flows.cli import app
    from tests.ops.conftest import rows_for

    signed = date(2016, 5, 2)  # before both lists (a later SIGNED would re-date a list)
    db = _load_lists(tmp_path, [(date(2017, 8, 1), rows_for(3, signed), "am"),
                                (date(2021, 1, 13), rows_for(8, signed), "am")])
    in_gap = date(2019, 10, 31)
    for macro in ("jurisdiction_status", "mandate_compliance", "sanctuary_conflicts", "banned_agreements"):
        with reader(db) as con:
            cols, _ = run_macro(con, macro, in_gap)
        assert "agreements_list_date" in cols, macro
    status = _rows(db, "jurisdiction_status", in_gap)
    assert {r["agreements_list_date"] for r in status} == {date(2017, 8, 1)}
    assert sum(r["agreements_total"] for r in status if r["level"] == "state") == 3
    assert {r["agreements_list_date"] for r in _rows(db, "jurisdiction_status", date(2021, 1, 13))} == {
        date(2021, 1, 13)}
    assert {r["agreements_list_date"] for r in _rows(db, "jurisdiction_status", date(2017, 7, 1))} == {None}
    res = CliRunner().invoke(app, ["sanctuary", "status", "--date", "2019-10-31", "--state", "FL", "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "agreements_list_date" in res.stdout.splitlines()[0]
    assert ("agreements are those of ICE's participating list of 2017-08-01, the last on or before 2019-10-31 "
            "(821 days earlier; see agreements_list_date)") in res.stderr
    res = CliRunner().invoke(app, ["sanctuary", "status", "--date", "2021-01-13", "--state", "FL", "--db", str(db)])
    assert "participating list of" not in res.stderr


def test_a_mandate_is_met_only_by_an_agency_the_law_binds(tmp_path):
    signed = "2025-03-03"
    rows = [("TEXAS", "Freestone County Constable Precinct 3", "County", "Freestone", "Task Force Model", signed, "x"),
            ("TEXAS", "Fannin County Criminal District Attorney's Office", "County", "Fannin", "Task Force Model",
             signed, "x"),
            ("TEXAS", "Anderson County Sheriff's Office", "County", "Anderson", "Jail Enforcement Model", signed, "x"),
            ("FLORIDA", "Orange County Corrections Department", "County", "Orange", "Warrant Service Officer",
             signed, "x"),
            ("FLORIDA", "Lee County Port Authority Police", "County", "Lee", "Task Force Model", signed, "x")]
    db = _load_lists(tmp_path, [(date(2026, 1, 30), rows, "am")])
    rows = _rows(db, "mandate_compliance", date(2026, 1, 31),
                 "(state, county) IN (('TX', 'Freestone County'), ('TX', 'Fannin County'), ('TX', 'Anderson County'), "
                 "('FL', 'Orange County'), ('FL', 'Lee County'))")
    assert {(r["state"], r["county"]): (r["compliance"], r["agencies"], r["agencies_not_bound"]) for r in rows} == {
        ("TX", "Freestone County"): ("before deadline", None, ["Freestone County Constable Precinct 3"]),
        ("TX", "Fannin County"): ("before deadline", None, ["Fannin County Criminal District Attorney's Office"]),
        ("TX", "Anderson County"): ("compliant", ["Anderson County Sheriff's Office"], None),
        ("FL", "Orange County"): ("compliant", ["Orange County Corrections Department"], None),
        ("FL", "Lee County"): ("non-compliant", None, ["Lee County Port Authority Police"]),
    }


def test_the_deadline_day_is_still_before_the_deadline(tmp_path):
    rows = [("TEXAS", "Anderson County Sheriff's Office", "County", "Anderson", "Jail Enforcement Model",
             "2025-03-03", "x")]
    db = _load_lists(tmp_path, [(date(2026, 1, 30), rows, "am")])
    where = "state = 'TX' AND county = 'Freestone County'"  # no agreement
    (on_the_day,) = _rows(db, "mandate_compliance", date(2026, 12, 1), where)
    (day_after,) = _rows(db, "mandate_compliance", date(2026, 12, 2), where)
    assert str(on_the_day["compliance_deadline"]) == "2026-12-01"
    assert (on_the_day["compliance"], on_the_day["days_to_deadline"]) == ("before deadline", 0)
    assert (day_after["compliance"], day_after["days_to_deadline"]) == ("non-compliant", -1)


def test_a_law_without_a_verified_effective_date_is_never_in_force(loaded):
    db, _, _ = loaded
    (ga,) = _rows(db, "jurisdiction_status", date(2024, 6, 1), "state = 'GA' AND level = 'state'")
    assert ga["laws_in_force"] == []  # HB 1105: signed 2024-05-01, effective date not verified
    with reader(db) as con:
        signed_only = con.execute("SELECT name FROM state_laws WHERE signed IS NOT NULL AND effective IS NULL").fetchall()
        in_force = con.execute("SELECT count(*) FROM state_laws_in_force('2030-01-01') WHERE effective IS NULL").fetchone()
        monthly = con.execute("SELECT laws_in_force FROM monthly_sanctuary WHERE state = 'GA' "
                              "AND month = '2024-06-01'").fetchone()
    assert signed_only == [("HB 1105 Georgia Criminal Alien Track and Report Act of 2024",)]
    assert in_force == (0,) and monthly == (0,)


def test_a_repealed_law_is_in_force_until_its_repeal(tmp_path, sample_dir):
    from flows.sanctuary.load import ingest
    from flows.sanctuary.state_laws import LAWS_CSV

    laws = tmp_path / "state_laws.csv"
    sb54 = "CA,SB 54 California Values Act (2017),Cal. Gov. Code §§ 7284-7284.12,2017-10-05,2018-01-01,,"
    text = LAWS_CSV.read_text(encoding="utf-8")
    assert sb54 in text
    laws.write_text(text.replace(sb54, sb54[:-1] + "2026-03-01,"), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    ingest(db, tmp_path / "raw", sample_dir=sample_dir, laws_csv=laws)

    def california(on: date) -> dict:
        return _rows(db, "jurisdiction_status", on, "state = 'CA' AND level = 'state'")[0]

    assert california(date(2026, 2, 28))["law_bans_287g"] is True
    assert california(date(2026, 3, 1))["law_bans_287g"] is False
    assert california(date(2026, 3, 1))["laws_in_force"] == ["AB 4 TRUST Act (2013) [limits_cooperation]"]
    with reader(db) as con:
        months = con.execute("SELECT month, laws_in_force FROM monthly_sanctuary WHERE state = 'CA' "
                             "AND month IN ('2026-02-01', '2026-03-01') ORDER BY month").fetchall()
    assert [n for _, n in months] == [2, 1]
