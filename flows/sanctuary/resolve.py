"""Match a sanctuary-list entry (state, level, name as printed) to FIPS jurisdictions.

One small adapter, `resolve_entry`, so the source of truth can change without touching the loader:
1. the jurisdictions area's resolver (`flows.jurisdictions.resolve.resolve(state, name, type,
   county)`), when that module exists and answers with a county (or the state, for a state);
2. otherwise our own offline matching: states and counties against the Census tables shipped with
   `addfips` (with a few reviewed aliases), cities through `place_counties.csv` (the county each
   listed city lies in, built by `build_place_counties.py` and reviewed).
Every answer says how it was found (`method`) and how sure it is (`confidence`); an entry that
cannot be matched carries a one-line `reason` instead of a guess.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flows.sanctuary.geo import counties, county_key, county_names, fold, place_core, states

PLACE_COUNTIES = Path(__file__).resolve().parent / "place_counties.csv"

# Reviewed spellings the Census tables do not carry (evidence: Census county names).
COUNTY_ALIASES = {
    ("GA", "athens clarke"): ("13059", "Athens-Clarke County is the consolidated government of Clarke County"),
    ("NM", "debaca"): ("35011", "DeBaca is De Baca County"),
}
DC = ("11", "11001", "Washington")


@dataclass(frozen=True)
class Resolution:
    """Where an entry sits: state and county FIPS, place, and how that was decided."""

    state_fips: str | None
    county_fips: str | None
    place_name: str | None
    method: str
    confidence: float
    reason: str = ""

    @property
    def resolved(self) -> bool:
        return self.state_fips is not None and not self.reason


def resolve_entry(state: str, level: str, name: str) -> Resolution:
    """Resolve one entry; the jurisdictions resolver first when present, then our own matching."""
    external = _external(state, level, name)
    if external is not None:
        return external
    return resolve_offline(state, level, name)


def resolve_offline(state: str, level: str, name: str) -> Resolution:
    """Our own offline matching (see the module docstring)."""
    if state not in states():
        return Resolution(None, None, None, "none", 0.0, f"unknown state code {state!r}")
    sfips = states()[state][0]
    if state == "DC" and level in ("state", "local", "city", "county"):
        return Resolution(DC[0], DC[1], DC[2], "district_of_columbia", 1.0)
    if level == "state":
        return Resolution(sfips, None, None, "state_code", 1.0)
    if level == "county":
        return _county(state, sfips, name)
    if level in ("city", "local"):
        return _city(state, sfips, name)
    return Resolution(sfips, None, None, "none", 0.0, f"unknown level {level!r}")


def _county(state: str, sfips: str, name: str) -> Resolution:
    key = county_key(name)
    if (state, key) in COUNTY_ALIASES:
        fips, _why = COUNTY_ALIASES[(state, key)]
        return Resolution(sfips, fips, None, "reviewed_alias", 0.95)
    cands = _county_index().get((sfips, key), [])
    printed_city = fold(name).endswith(" city")
    if len(cands) > 1:
        # Virginia prints both Richmond County and the independent city of Richmond.
        want = " city" if printed_city else " county"
        cands = [c for c in cands if c[1].lower().endswith(want)] or cands
    if len(cands) == 1:
        return Resolution(sfips, cands[0][0], None, "census_county_name", 1.0)
    if cands:
        return Resolution(sfips, None, None, "none", 0.0, f"ambiguous county name {name!r}")
    return Resolution(sfips, None, None, "none", 0.0, f"no county named {name!r} in {state}")


def _city(state: str, sfips: str, name: str) -> Resolution:
    core = place_core(name)
    row = _places().get((state, fold(core)))
    if row and row["county_fips"]:
        method = "reviewed_place" if row["method"] == "reviewed" else "place_crosswalk"
        if county_names().get(row["county_fips"], "").endswith(" city"):
            method += "_independent_city"
        return Resolution(sfips, row["county_fips"], row["place_name"], method, 0.9 if not row["note"] else 0.8)
    # a county-equivalent city printed as a city (`Baltimore City`) resolves by the Census table
    county = _county(state, sfips, core if fold(core).endswith(" city") else core + " city")
    if county.county_fips:
        return Resolution(sfips, county.county_fips, core, "census_independent_city", 0.9)
    return Resolution(sfips, None, core or None, "none", 0.0, f"city {core!r} not in place_counties.csv")


@cache
def _county_index() -> dict[tuple[str, str], list[tuple[str, str]]]:
    index: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for sfips, fips, name in counties():
        index.setdefault((sfips, county_key(name)), []).append((fips, name))
    return index


@cache
def _places() -> dict[tuple[str, str], dict[str, str]]:
    with PLACE_COUNTIES.open(encoding="utf-8") as fh:
        return {(r["state"], r["place_key"]): r for r in csv.DictReader(fh)}


def _external(state: str, level: str, name: str) -> Resolution | None:
    """The jurisdictions area's answer, when its resolver exists and is sure of a county/state."""
    fn = _external_resolver()
    if fn is None or level not in ("state", "county"):
        # its resolver reads agency names; cities stay on our place crosswalk
        return None
    try:
        ans = fn(state, name, "County" if level == "county" else "State Agency", None)
    except Exception:  # noqa: BLE001 - another area's resolver must never break our load
        return None
    get = ans.get if isinstance(ans, dict) else (lambda k, _a=ans: getattr(_a, k, None))
    sfips, cfips = get("state_fips"), get("county_fips")
    if get("reason") or not sfips or (level == "county" and not cfips):
        return None
    return Resolution(sfips, cfips, get("place_name"), f"jurisdictions:{get('method') or 'resolve'}",
                      float(get("confidence") or 0.9))


@cache
def _external_resolver():
    try:
        from flows.jurisdictions.resolve import resolve  # type: ignore[import-not-found]
    except Exception:  # noqa: BLE001 - absent until the jurisdictions area lands
        return None
    return resolve
