"""The resolver on real agency names and COUNTY cells from ICE's workbooks, and ICE's verified fixes."""

from __future__ import annotations

import csv

import pytest

from flows.jurisdictions import geography
from flows.jurisdictions.resolve import (
    COUNTY_FIXES_CSV,
    OVERRIDES_CSV,
    Resolver,
    default_resolver,
    load_overrides,
    resolve,
    state_code,
)

# (state, agency as printed, TYPE, COUNTY as printed) → (level, county FIPS or None)
REAL = [
    # sheriffs and parishes
    ("FL", "Collier County Sheriff's Office", None, None, "county", "12021"),
    ("LA", "East Baton Rouge Parish Sheriff\u2019s Office", None, None, "county", "22033"),
    ("LA", "Acadia Parish Sheriff's Office", "County", "Arcadia County", "county", "22001"),
    ("NY", "Cattaraugus Counry Sheriff's Office", "County", "Cattaraugus County", "county", "36009"),
    ("NJ", "Monmouth County Sheriff's Office (Addendum)", None, None, "county", "34025"),
    ("MD", "Hartford County Sheriff's Office", None, None, "county", "24025"),
    ("NC", "Cabarrus Co. Sheriff's Office", None, None, "county", "37025"),
    ("FL", "Jacksonville Sheriff's Office", None, None, "county", "12031"),
    ("FL", "Miami Dade Sheriff's Office", "County", "Miami-Dade County", "county", "12086"),
    ("TN", "Davidson County Sheriff's Office", None, None, "county", "47037"),
    # county bodies
    ("FL", "Escambia County Board of County Commissioners/ Department of Corrections", "County", "Escambia County",
     "county", "12033"),
    ("FL", "Pasco County Jail", "County", None, "county", "12101"),
    ("PA", "County of Franklin / Franklin County Jail", "County", "Franklin County", "county", "42055"),
    ("TX", "Bexar County Constable Precinct 3", "Municipality", "Bexar County", "county", "48029"),
    ("MI", "Metro Police Authority of Genesee County", "County", "Genesee County", "county", "26049"),
    # municipal agencies
    ("FL", "City of Miami Springs Police Department", "Municipality", None, "place", "12086"),
    ("FL", "Apopka Police Department", "Municipality", None, "place", "12095"),
    ("AZ", "City of Mesa Police Department", None, None, "place", "04013"),
    ("NV", "Las Vegas Metropolitan Police Department", None, None, "place", "32003"),
    ("TX", "Saint Hedwig Marshal's Office", "Municipality", "Bexar County", "place", "48029"),
    ("IN", "Waterloo Marshal's Office", "Municipality", "DeKalb County", "place", "18033"),
    ("PA", "Manheim Borough Police Department", "Municipality", None, "place", "42071"),
    ("TX", "Overton Police Department", "Municipality", "Overton County", "place", "48401"),
    ("MO", "North County Police Cooperative", "Municipality", "North County", "other", "29189"),
    ("NH", "Pittsburgh Police Department", "Municipality", None, "place", "33007"),
    # Virginia independent cities
    ("VA", "Manassas Park Police Department", None, None, "place", "51685"),
    ("VA", "Manassas Police Department", None, None, "place", "51683"),
    # Alaska: a city in a borough, the borough as COUNTY
    ("AK", "Kodiak Police Department", "Municipality", None, "place", "02150"),
    ("AK", "Wasilla Police Department", "Municipality", "Matanuska-Susitna Borough", "place", "02170"),
    # state and territory bodies
    ("FL", "Florida Department of Highway Safety and Motor Vehicles, Division of Highway Patrol", "State Agency",
     None, "state", None),
    ("AK", "Department of Corrections", "State Agency", None, "state", None),
    ("AR", "Arkansas Department of Corrections", "State", "Pulaksi County", "state", None),
    ("IA", "Iowa Dept. of Public Safety", "State Agency", "N/A", "state", None),
    ("TX", "Department of Public Safety- Criminal Investigations Division", "State", "#NA", "state", None),
    ("FL", "University of Florida Police Department", "Municipality", None, "state", None),
    ("GU", "Office Of The Attorney General", "State", "Kattan District", "territory", None),
    ("MP", "CNMI Department of Corrections", "State Agency", "#NA", "territory", None),
    ("MP", "CNMI Department of Public Safety", "State", "#N/A", "territory", None),
    # a regional jail named after the counties it serves
    ("VA", "Prince William-Manassas Regional Adult Detention Center", None, None, "other", "51153"),
]


@pytest.mark.parametrize(("state", "name", "agency_type", "county", "level", "fips"), REAL,
                         ids=[r[1][:40] for r in REAL])
def test_real_names(state, name, agency_type, county, level, fips):
    res = resolve(state, name, agency_type, county)
    assert (res.level, res.county_fips) == (level, fips), res
    assert res.resolved and res.method and 0 < res.confidence <= 1
    assert res.state_fips == {s["state"]: s["state_fips"] for s in geography.states()}[state]


def _fixes():
    with COUNTY_FIXES_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_fixes_csv_has_icEs_32_rows():
    assert len(_fixes()) == 32


@pytest.mark.parametrize("fix", _fixes(), ids=lambda f: f"{f['state']}:{f['county']}")
def test_ice_county_fix_is_applied(fix):
    resolver = default_resolver()
    code = state_code(fix["state"])
    assert resolver.fixed_county(code, fix["county"]) == fix["county_fixed"]
    match = resolver.county_of_cell(code, fix["county"])
    assert match is not None and match.name == fix["county_fixed"] and not match.fuzzy
    res = resolve(code, "Example Police Department", "Municipality", fix["county"])
    assert res.county_fips == match.county_fips and res.method == "ice_county"


@pytest.mark.parametrize("printed", ["#N/A", "N/A", "#NA", "", None, "  "])
def test_missing_county_markers(printed):
    assert default_resolver().fixed_county("FL", printed) is None


def test_louisiana_parish_printed_as_county():
    assert default_resolver().county_of_cell("LA", "Richland County").name == "Richland Parish"


def test_county_from_another_snapshot_for_agencies_listed_before_march_2025():
    # Pre-2025 listings carry no COUNTY; the same agency's later listings do.
    res = resolve("AR", "Hampton Police Department", "Municipality", None, county_history=["Calhoun County"] * 3)
    assert (res.county_fips, res.method) == ("05013", "ice_county_history")


def test_ice_county_beats_the_gazetteer():
    # Evidence first: a COUNTY cell decides even where the USPS city table would say otherwise.
    res = resolve("FL", "Springdale Police Department", "Municipality", "Okaloosa County")
    assert (res.county_fips, res.method) == ("12091", "ice_county")


def test_place_hint_from_another_agency_of_the_same_place():
    res = resolve("FL", "Nowhere Springs Police Department", "Municipality", None,
                  place_hints={("FL", "nowheresprings"): "12001"})
    assert (res.county_fips, res.method) == ("12001", "same_place_other_agency")


def test_wrong_state_is_reported_not_guessed():
    res = resolve("MA", "Crow Wing County Sheriff's Office", "County", "Crow Wing County")
    assert not res.resolved and "MN" in res.reason


def test_unresolved_carries_a_reason():
    res = resolve("PA", "Derry Township Constable's Office", "Municipality", None)
    assert not res.resolved and res.county_fips is None and "Derry" in res.reason


def test_no_state():
    res = resolve(None, "Some Police Department")
    assert not res.resolved and res.reason


@pytest.mark.parametrize("name", ["mississippi bureau of narcotics", "dept of safety", "texas a&m university",
                                  "ſtate police", "ohio state highway patrol", "county sheriffs office"])
def test_the_fast_state_body_match_agrees_with_the_case_blind_one(name):
    """`_names_state_body` skips IGNORECASE on ASCII names, which is only right while the pattern is
    written in lower case."""
    from flows.jurisdictions.resolve import _STATE_BODY, _names_state_body

    assert _STATE_BODY.pattern == _STATE_BODY.pattern.lower()
    assert _names_state_body(name) == (_STATE_BODY.search(name) is not None)


def test_overrides_csv_is_valid():
    counties = {c["county_fips"]: c["state"] for c in geography.counties()}
    overrides = load_overrides(OVERRIDES_CSV)
    assert overrides
    for (state, _), ov in overrides.items():
        assert ov.evidence and len(ov.evidence) > 30
        if ov.county_fips:
            assert counties[ov.county_fips] == state, ov


def test_override_wins_and_keeps_its_evidence():
    res = resolve("NC", "Albemarle District Jail", "County", "Albemarle County")
    assert (res.method, res.county_fips) == ("override", "37139") and "Elizabeth City" in res.notes[0]


def test_resolver_accepts_custom_reference_data():
    resolver = Resolver(overrides={}, county_fixes={})
    res = resolver.resolve("NC", "Albermarle District Jail", "County", "Albermarle County")
    assert not res.resolved  # without the reviewed override, a region is not a county


def test_every_workbook_agency_resolves_almost_always(workbook_agencies):
    # its speed is reported by `make bench`, not asserted here (shared, noisy machines)
    resolver = default_resolver()
    results = {
        key: resolver.resolve(a["state"], a["agency"], a.get("type"), a.get("county"), county_history=a["counties"])
        for key, a in workbook_agencies.items()
    }
    rows = sum(a["rows"] for a in workbook_agencies.values())
    bad = sum(workbook_agencies[k]["rows"] for k, r in results.items() if not r.resolved)
    assert 1 - bad / rows >= 0.995
    for key, res in results.items():
        assert res.level in ("state", "territory", "county", "place", "tribal", "other")
        assert res.resolved or res.reason, key
        if res.county_fips:
            assert res.county_fips[:2] == res.state_fips


def test_territories_in_the_workbooks(workbook_agencies):
    island = [a for a in workbook_agencies.values() if state_code(a["state"]) in ("GU", "MP")]
    assert len(island) >= 3
    for a in island:
        assert resolve(a["state"], a["agency"], a.get("type"), a.get("county")).level == "territory"
