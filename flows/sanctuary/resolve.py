"""Match a sanctuary-list entry (state, level, name as printed) to FIPS jurisdictions.

The geography is the jurisdictions area's: `flows.jurisdictions.resolve.resolve_named` finds states by
code, counties with the one county-name matcher, and cities as county-equivalent (independent) cities
or through the USPS city gazetteer (`places.CityIndex`), with reviewed rows of
`flows/reference/named_jurisdiction_overrides.csv` where the tables cannot decide. This module only
knows how the lists print their entries: `place_core` strips `City of`, `Town of`, `… Village` and the
like, and the District of Columbia's nameless local entry is the District itself. An entry printed with
no state the parser could read (state '') is unresolved, with that as its reason.
Every answer says how it was found (`method`) and how sure it is (`confidence`); an entry that cannot
be matched carries a one-line `reason` instead of a guess.
"""

from __future__ import annotations

import re

from flows.jurisdictions.resolve import Resolution, resolve_named
from flows.sanctuary.html_lines import clean_space

# list level → jurisdictions level; a `local` entry names its panel's place (DC)
LEVELS = {"state": "state", "county": "county", "city": "place", "local": "place"}


def resolve_entry(state: str, level: str, name: str) -> Resolution:
    """Resolve one entry through the jurisdictions area's reference data."""
    if not state:
        return Resolution(LEVELS.get(level, level), None, None,
                          reason=f"printed as {name!r}, with no state the parser could read")
    if state == "DC" and level in ("local", "city", "county"):
        return Resolution("county", "DC", "11", "11001", county_name="District of Columbia",
                          place_name="Washington", method="district_of_columbia", confidence=1.0)
    if level in ("city", "local"):
        name = place_core(name)
    return resolve_named(state, LEVELS.get(level, level), name)


def place_core(name: str) -> str:
    """The bare place name of a printed city entry: `City of Anchorage` → `Anchorage`.

    Drops the prefixes and suffixes the lists print (`City of`, `Town of`, `Village of`, `… Village`,
    `… Township`, `… Town`), and keeps the first half of a `New Orleans/Orleans (Parish)` pair. A
    trailing `City` stays (`Kansas City`); the gazetteer tries the name without it.
    """
    name = clean_space(name)
    name = name.split("/")[0].strip()
    name = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    name = re.sub(r"^(city|town|village|township|borough|municipality) of\s+", "", name, flags=re.I)
    name = re.sub(r"\s+(village|township|town)$", "", name, flags=re.I)
    return clean_space(name)
