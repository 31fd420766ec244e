"""Resolver: an agency as ICE prints it → the jurisdiction it serves (state, county, place).

Input: the state (USPS code or name), the agency name, ICE's TYPE and COUNTY as printed (any may be
None), plus what other snapshots printed as COUNTY for the same agency and the spellings it was
listed under. Output: a `Resolution` with the level (`state`, `territory`, `county`, `place`,
`tribal`, `other`), state FIPS, county FIPS (for a municipal agency, the county it lies in), place
name, the method and a confidence in [0, 1], or the reason it could not be resolved.

Evidence, strongest first:
1. a reviewed override (flows/reference/jurisdiction_overrides.csv; each row carries its evidence);
2. ICE's COUNTY column after ICE's verified fixes (flows/reference/ice_county_fixes.csv), first as
   printed with this listing, then as printed for the same agency in other snapshots (agencies
   listed before March 2025 had no COUNTY column);
3. the agency's name: "X County Sheriff's Office", "X Parish …", "Sheriff of X County", "County of
   X", "X County Jail / Board of Commissioners / Constable …"; state bodies ("Florida Highway
   Patrol", "Department of Corrections"); consolidated sheriffs ("Jacksonville Sheriff's Office",
   "Miami Dade Sheriff's Office"); municipal forms ("City of X Police Department", "X Police
   Department", "X Marshal's Office", "X Borough …", "X Township Constable");
4. for a municipal agency without any COUNTY: the COUNTY ICE printed for another agency of the same
   place (`place_hints`), Virginia-style independent cities (the place is the county equivalent),
   then the USPS city gazetteer (`places.CityIndex`: the county most of the city's ZIPs lie in).

`resolve_named(state, level, name)` answers for a jurisdiction named on its own (a state, a county or
a city as a list of jurisdictions prints it, e.g. the federal sanctuary lists) with the same county
matcher and city gazetteer, plus reviewed rows of flows/reference/named_jurisdiction_overrides.csv.

The name decides the level; a county named in the name of a county-government agency (a sheriff,
a county jail) wins over a contradicting COUNTY cell and the conflict is noted. Nothing here reads
the warehouse or the network: the function is pure given its reference data, and fast (a few
microseconds per agency once the indexes are loaded). Being pure, the string helpers and the county
and city matchers remember their answers: names and COUNTY cells repeat across agencies and lists.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from flows.jurisdictions.geography import TERRITORIES
from flows.jurisdictions.places import (
    CityIndex,
    CountyIndex,
    CountyMatch,
    city_index,
    clean,
    county_index,
    is_county_word,
    name_key,
)
from flows.normalize import state_code

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"
OVERRIDES_CSV = REFERENCE_DIR / "jurisdiction_overrides.csv"
# Jurisdictions named on their own (lists of places, not agencies) that the tables cannot match.
NAMED_OVERRIDES_CSV = REFERENCE_DIR / "named_jurisdiction_overrides.csv"
COUNTY_FIXES_CSV = REFERENCE_DIR / "ice_county_fixes.csv"

LEVELS = ("state", "territory", "county", "place", "tribal", "other")
ISLAND_TERRITORIES = frozenset({"GU", "MP", "VI", "AS"})

# Confidence by method; combined evidence takes the stronger value.
CONFIDENCE = {
    "override": 1.0,
    "name_pattern+ice_county": 0.99,
    "territory": 0.99,
    "state_agency": 0.95,
    "name_pattern": 0.95,
    "ice_county": 0.95,
    "independent_city": 0.95,
    "ice_county_history": 0.9,
    "state_agency_type": 0.85,
    "same_place_other_agency": 0.85,
    "zip_city": 0.8,
    "state_code": 1.0,
    "county_name": 1.0,
}
FUZZY_PENALTY = 0.1

_MISSING = {"", "#N/A", "N/A", "NA", "#NA", "NONE", "NULL", "-", "--", "#VALUE!", "#REF!", "0"}


@dataclass(frozen=True)
class Resolution:
    """Where an agency sits: level, FIPS codes, place, and how we know (or why we don't)."""

    level: str
    state: str | None
    state_fips: str | None
    county_fips: str | None = None
    county_name: str | None = None
    place_name: str | None = None
    method: str | None = None
    confidence: float = 0.0
    reason: str | None = None  # why it is unresolved; None when resolved
    notes: tuple[str, ...] = field(default=())

    @property
    def resolved(self) -> bool:
        """State and territory bodies resolve to their state; everything else needs a county."""
        if self.reason:
            return False
        return self.level in ("state", "territory") or self.county_fips is not None


@dataclass(frozen=True)
class Override:
    """One reviewed row of the overrides CSV."""

    state: str
    agency_name: str
    level: str
    county_fips: str | None
    place_name: str | None
    evidence: str
    confidence: float = 1.0


# --- reference data ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _state_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(USPS → FIPS), (USPS → Census name). Names and spellings → USPS: `flows.normalize.state_code`."""
    from flows.jurisdictions import geography

    fips: dict[str, str] = {}
    full: dict[str, str] = {}
    for s in geography.states():
        fips[s["state"]] = s["state_fips"]
        full[s["state"]] = s["name"]
    return fips, full


def state_fips(code: str) -> str | None:
    """2-digit FIPS of a USPS code (states, DC, territories)."""
    return _state_tables()[0].get(code)


def state_name(code: str) -> str | None:
    """Census name of a USPS code ('District of Columbia')."""
    return _state_tables()[1].get(code)


def load_county_fixes(path: Path = COUNTY_FIXES_CSV) -> dict[tuple[str, str], str]:
    """ICE's verified county corrections: (USPS, printed lower case) → corrected county."""
    fixes: dict[tuple[str, str], str] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = state_code(row["state"])
            if code:
                fixes[(code, clean(row["county"]).lower())] = clean(row["county_fixed"])
    return fixes


def load_overrides(path: Path = OVERRIDES_CSV, *, name_column: str = "agency_name") -> dict[tuple[str, str], Override]:
    """Reviewed overrides keyed by (USPS, name key of the agency, or of `name_column`, as printed)."""
    out: dict[tuple[str, str], Override] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            level = (row.get("level") or "").strip()
            evidence = (row.get("evidence") or "").strip()
            if level not in LEVELS or not evidence:
                raise ValueError(f"{path.name}:{line}: level must be one of {LEVELS} and evidence is required")
            ov = Override(
                state=row["state"].strip().upper(),
                agency_name=clean(row[name_column]),
                level=level,
                county_fips=(row.get("county_fips") or "").strip().zfill(5) if (row.get("county_fips") or "").strip()
                else None,
                place_name=clean(row.get("place_name")) or None,
                evidence=evidence,
                confidence=float(row.get("confidence") or CONFIDENCE["override"]),
            )
            out[(ov.state, name_key(ov.agency_name))] = ov
    return out


# --- reading agency names ------------------------------------------------------------------------

_ADDENDUM = re.compile(r"\s*\((?:addendum|amendment)\)|\s+addendum$", re.I)
_TRIBAL = re.compile(r"\b(tribe|tribal|nation|pueblo|band of|indian community|rancheria|reservation)\b", re.I)
_STATE_BODY = re.compile(
    r"department of corrections?\b|department of correctional services|division of corrections"
    r"|highway patrol|state police|state patrol|bureau of investigation|national guard|state guard"
    r"|attorney general|state attorney|state auditor|fire marshal|marine resources|university of"
    r"|\b[\w&]+ university\b|state college|college of|board of trustees|military department"
    r"|alcohol(?:ic)? (?:beverage|and tobacco)|lottery|gaming control|department of agriculture"
    r"|agricultural law enforcement|fish (?:and|&) wildlife|wildlife (?:&|and) fisheries|wildlife resources"
    r"|homeland security|financial services|environmental protection|law enforcement division"
    r"|law enforcement standards|crime information center|division of criminal investigation"
    r"|bureau of narcotics|department of safety|dept\.? of safety|judicial dist",
    re.I,
)
# The same pattern without IGNORECASE, several times faster. On ASCII text already in lower case the
# two find the same matches: the pattern is all lower case (a test keeps it so), and only non-ASCII
# letters ('ſ', 'K') fold onto ASCII ones.
_STATE_BODY_LOWER = re.compile(_STATE_BODY.pattern)


def _names_state_body(low: str) -> bool:
    """`_STATE_BODY.search(low) is not None` for a lower-case name."""
    return (_STATE_BODY_LOWER if low.isascii() else _STATE_BODY).search(low) is not None


# Bodies that are state-level only when the name starts with them or with the state's name.
_STATE_LEADING = re.compile(
    r"^(?:the )?(?:department|dept\.?|office|division|bureau) of (?:the )?"
    r"(?:public safety|justice|law enforcement|corrections?|attorney general|state)",
    re.I,
)
_STATE_NEXT_WORDS = {
    "department", "dept", "dept.", "office", "bureau", "division", "state", "highway", "national", "attorney",
    "alcohol", "alcoholic", "fish", "military", "gaming", "lottery", "board", "commission", "marine", "wildlife",
    "law", "homeland", "air", "army", "game", "parks", "capitol", "criminal", "corrections", "correctional",
    "public", "secretary", "motor", "emergency", "dps", "doc", "investigation", "department's",
}
_MUNICIPAL_AGENCY = re.compile(
    r"\b(?:police|polce|pd|marshal'?s?|marshall'?s?|constables?'?s?|department of public safety"
    r"|division of public safety|public safety|dps|sheriff'?s?)\b",
    re.I,
)
_PLACE_PREFIX = re.compile(
    r"^(?:the\s+)?(?:city|town|village|borough|township|twp\.?|municipality|office)\s+of\s+(?:the\s+)?", re.I
)
_PLACE_KIND = re.compile(r"\s+(township|twp\.?|borough|village|town|ward|precinct|pct\.?)\b.*$", re.I)
_SPECIAL_DISTRICT = re.compile(
    r"\s+(?:international\s+)?(?:airport|port authority|school district|isd|housing authority|transit|"
    r"university|college|hospital)\b.*$",
    re.I,
)
_OTHER_BODY = re.compile(
    r"\b(regional|district jail|judicial|task force|authority|cooperative|multi[- ]?county|consolidated"
    r"|district attorney|detention center|airport|port of|school district)\b",
    re.I,
)
# Bodies that serve several jurisdictions whatever else their name says ("… Police Cooperative").
_MULTI_BODY = re.compile(r"\b(regional|district jail|judicial|task force|cooperative|multi[- ]?county)\b", re.I)
_COUNTY_OF = re.compile(r"^(?:the\s+)?county of\s+([a-z .'\-]+?)(?:\s*[/,(]|\s+county\b|$)")
_SHERIFF_OF = re.compile(r"^sheriff(?:'s office)? of (?:the )?([a-z .'\-]+?)(?: county| parish)?$")
_LEADING_OFFICE_OF = re.compile(r"^(?:office of|the)\s+", re.I)
_LEADING_OFFICE = re.compile(r"^(?:'?s?\s*office|office)\s*,?\s*", re.I)
_TRAILING_DEPARTMENT = re.compile(r"\s+(?:metropolitan|metro|city police|department|dept\.?)$", re.I)
_LEADING_SOUTH = re.compile(r"^(?:so|s\.)\s+", re.I)
_COUNTY_SHERIFF = re.compile(r"\b(county|parish) sheriff")
_COUNTY_OR_PARISH = re.compile(r"\s+(?:county|parish)\b", re.I)
_SHERIFF_OF_PLACE = re.compile(r"^(?:city of\s+)?(.+?)\s+sheriff'?s?'?\b", re.I)
_WORD_BREAKS = re.compile(r"[\s,/\-]+")
_PLACE_SUFFIXES = (re.compile(r"\s+city$", re.I), re.compile(r"\s+(?:borough|village|town)$", re.I))


@lru_cache(maxsize=128)
def _state_state_prefix(state_name: str) -> re.Pattern:
    """'Texas State …' at the start of a name (the state's own body, not a place)."""
    return re.compile(rf"^{re.escape(state_name)}\s+state\b", re.I)


def clean_agency_name(name: object) -> str:
    """Agency name with '(Addendum)' and stray punctuation removed."""
    return _clean_agency_name(clean(name))


@lru_cache(maxsize=65536)
def _clean_agency_name(cleaned: str) -> str:
    return _ADDENDUM.sub("", cleaned).strip(" ,;/-")


def _county_in_name(name: str, state: str, counties: CountyIndex) -> tuple[str, str, bool] | None:
    """A county of `state` named in the agency name: (fips, county name, fuzzy)."""
    tokens = name.replace("/", " / ").replace(",", " , ").split()
    low_name = name.lower()
    m = _COUNTY_OF.match(low_name)
    if m:
        hit = counties.match(state, m.group(1))
        if hit:
            return hit.county_fips, hit.name, hit.fuzzy
    for i, tok in enumerate(tokens):
        low = tok.lower().strip(".,")
        is_marker = is_county_word(tok) or low == "parish" or (low == "borough" and state == "AK")
        if not is_marker or i == 0:
            continue
        # Try the longest run of words before the marker that names a county ("Cape May", "Prince William").
        for width in range(min(4, i), 0, -1):
            words = tokens[i - width:i]
            if any(w in {"/", ","} for w in words):
                continue
            candidate = " ".join(words)
            hit = counties.match(state, f"{candidate} {'Parish' if low == 'parish' else 'County'}", fuzzy=False)
            if hit:
                return hit.county_fips, hit.name, False
        words = [w for w in tokens[max(0, i - 3):i] if w not in {"/", ","}]
        hit = counties.match(state, " ".join(words[-2:]) + " County", fuzzy=True) if words else None
        if hit is None and words:
            hit = counties.match(state, words[-1] + " County", fuzzy=True)
        if hit:
            return hit.county_fips, hit.name, hit.fuzzy
    m = _SHERIFF_OF.match(low_name)
    if m:
        hit = counties.match(state, m.group(1))
        if hit:
            return hit.county_fips, hit.name, hit.fuzzy
    return None


def _starts_with_state(low: str, state_name: str, state: str) -> bool:
    prefixes = [state_name.lower(), f"state of {state_name.lower()}", state.lower()]
    if state == "MP":
        prefixes += ["cnmi", "commonwealth of the northern mariana islands"]
    for prefix in prefixes:
        if low.startswith(prefix + " ") or low.startswith(prefix + "-"):
            rest = low[len(prefix):].strip(" -")
            first = rest.split()[0] if rest else ""
            if first in _STATE_NEXT_WORDS or _names_state_body(rest):
                return True
    return False


def _place_from_name(name: str, state_name: str) -> tuple[str | None, str]:
    """(place as printed, kind) from a municipal agency name; kind in city|township|ward|district."""
    text = _PLACE_PREFIX.sub("", name.strip())
    m = _MUNICIPAL_AGENCY.search(text)
    before = text[: m.start()].strip(" ,-") if m else text
    after = text[m.end():].strip(" ,-") if m else ""
    before = _state_state_prefix(state_name).sub("", before).strip(" ,-")
    before = _LEADING_OFFICE_OF.sub("", before)
    if not before and after:
        # "Constable Unity Township", "Office of Constable Monroeville 6th Ward"
        before = _LEADING_OFFICE.sub("", after)
    before = _PLACE_PREFIX.sub("", before)
    before = _TRAILING_DEPARTMENT.sub("", before)
    if not before:
        return None, "city"
    kind = "city"
    km = _PLACE_KIND.search(before)
    if km and km.group(1).lower() in ("village", "town", "borough"):
        # "North Bay Village", "Indian Creek Village": the word is often part of the city's name.
        return before, "city"
    if km:
        word = km.group(1).lower().rstrip(".")
        kind = {"twp": "township", "pct": "precinct"}.get(word, word)
        if kind in ("borough", "village", "town"):
            kind = "city"
        before = before[: km.start()].strip()
    special = _SPECIAL_DISTRICT.search(before)
    if special:
        before = before[: special.start()].strip()
        kind = "district"
    before = _LEADING_SOUTH.sub("South ", before)
    return (before or None), kind


# --- the resolver --------------------------------------------------------------------------------


class Resolver:
    """Resolves agencies against fixed reference data (counties, city gazetteer, fixes, overrides)."""

    def __init__(
        self,
        counties: CountyIndex | None = None,
        cities: CityIndex | None = None,
        county_fixes: Mapping[tuple[str, str], str] | None = None,
        overrides: Mapping[tuple[str, str], Override] | None = None,
    ):
        self.counties = counties or county_index()
        self.cities = cities or city_index()
        self.fixes = load_county_fixes() if county_fixes is None else county_fixes
        self.overrides = load_overrides() if overrides is None else overrides

    # COUNTY cells ---------------------------------------------------------------------------------

    def fixed_county(self, state: str | None, printed: object) -> str | None:
        """COUNTY as printed, with ICE's verified fix applied; None for blanks and `#N/A`."""
        text = clean(printed)
        if not text or text.upper() in _MISSING:
            return None
        return self.fixes.get((state or "", text.lower()), text)

    def county_of_cell(self, state: str | None, printed: object):
        """The county a COUNTY cell names (after fixes), or None."""
        fixed = self.fixed_county(state, printed)
        return self.counties.match(state, fixed) if fixed else None

    # the main entry -------------------------------------------------------------------------------

    def resolve(
        self,
        state: object,
        name: object,
        agency_type: object = None,
        county: object = None,
        *,
        county_history: Iterable[str] | Mapping[str, int] = (),
        aliases: Sequence[str] = (),
        place_hints: Mapping[tuple[str, str], str] | None = None,
    ) -> Resolution:
        """Resolve one agency. `county_history`: COUNTY cells printed for it in other snapshots, one
        per row, or as a mapping cell → number of rows that printed it."""
        code = state_code(state)
        tables = _state_tables()
        if code is None:
            return Resolution("other", None, None, method=None, reason=f"state {state!r} is not a US state or territory")
        fips = tables[0][code]
        state_name = tables[1][code]
        agency = clean_agency_name(name)
        low = agency.lower()
        base = {"state": code, "state_fips": fips}

        # 1. reviewed overrides, on the name or any spelling it was listed under
        for spelled in (agency, *aliases):
            ov = self.overrides.get((code, name_key(clean_agency_name(spelled))))
            if ov:
                cname = self.counties.names.get(ov.county_fips) if ov.county_fips else None
                return Resolution(ov.level, county_fips=ov.county_fips, county_name=cname, place_name=ov.place_name,
                                  method="override", confidence=ov.confidence,
                                  notes=(ov.evidence,), **base)

        if not agency:
            return Resolution("other", method=None, reason="no agency name", **base)

        # 2. the COUNTY column: this listing first, then the same agency in other snapshots
        notes: list[str] = []
        wrong_state: str | None = None
        cell = self.county_of_cell(code, county)
        cell_method = "ice_county"
        if cell is None:
            printed = self.fixed_county(code, county)
            if printed:
                elsewhere = self.counties.states_with(printed)
                if elsewhere:
                    wrong_state = (f"COUNTY '{clean(county)}' is a county of {'/'.join(elsewhere[:3])}, not of {code}:"
                                   " listed under the wrong state?")
                notes.append(f"COUNTY '{clean(county)}' is not a county of {code}")
            tally = Counter()
            for value, times in Counter(county_history).items():  # each distinct cell is read once
                hit = self.county_of_cell(code, value)
                if hit:
                    tally[(hit.county_fips, hit.name, hit.fuzzy)] += times
            if tally:
                (cfips, cname, cfuzzy), _ = max(sorted(tally.items()), key=lambda kv: kv[1])
                cell = CountyMatch(cfips, cname, cfuzzy)
                cell_method = "ice_county_history"
                if len(tally) > 1:
                    notes.append("other snapshots printed several counties: " + ", ".join(sorted(k[1] for k in tally)))

        def with_cell(level: str, place: str | None = None) -> Resolution | None:
            if cell is None:
                if wrong_state:
                    return Resolution(level, place_name=place, method=None, reason=wrong_state,
                                      notes=tuple(notes), **base)
                return None
            conf = CONFIDENCE[cell_method] - (FUZZY_PENALTY if cell.fuzzy else 0.0)
            return Resolution(level, county_fips=cell.county_fips, county_name=cell.name, place_name=place,
                              method=cell_method, confidence=round(conf, 3), notes=tuple(notes), **base)

        kind = (clean(agency_type) or "").lower()
        typed_state = kind.startswith("state")

        # 3. territories: every agency of an island area serves the territory
        if code in ISLAND_TERRITORIES:
            return Resolution("territory", method="territory", confidence=CONFIDENCE["territory"],
                              notes=tuple(notes), **base)

        # 4. tribal police
        if _TRIBAL.search(agency) or kind.startswith("trib"):
            return with_cell("tribal") or Resolution(
                "tribal", method=None, reason="tribal agency and no COUNTY printed in any snapshot", **base)

        # 5. a county named in the name: sheriffs, parishes, county jails, boards, county constables
        named = _county_in_name(agency, code, self.counties)
        if named is None and cell is None and _COUNTY_SHERIFF.search(low):
            wrong = self.counties.states_with(_COUNTY_OR_PARISH.split(agency)[0])
            if wrong and code not in wrong:
                return Resolution("county", method=None, notes=tuple(notes), **base,
                                  reason=f"the name names a county of {'/'.join(wrong[:3])}, not of {code}:"
                                         " listed under the wrong state?")
        if named and named[2] and cell is not None and cell.county_fips != named[0]:
            named = None  # a near-spelling in the name ("North" ~ "Worth") loses to what ICE printed
        if named:
            nfips, nname, nfuzzy = named
            level = "county"  # a county-run body (jail, board, port authority, DA's task force) is the county's
            if cell is not None and cell.county_fips != nfips:
                notes.append(f"COUNTY says {cell.name}, the name says {nname}: the name wins")
            method = "name_pattern+ice_county" if cell is not None and cell.county_fips == nfips else "name_pattern"
            conf = CONFIDENCE[method] - (FUZZY_PENALTY if nfuzzy else 0.0)
            if notes and method == "name_pattern" and cell is not None:
                conf -= 0.05
            return Resolution(level, county_fips=nfips, county_name=nname, method=method,
                              confidence=round(conf, 3), notes=tuple(notes), **base)

        # 6. state bodies (a state's HQ county in the COUNTY column is not its jurisdiction)
        is_constable = "constable" in low
        state_like = not is_constable and (
            _starts_with_state(low, state_name, code) or _STATE_LEADING.match(low) is not None
            or (_names_state_body(low) and not _MUNICIPAL_PLACE_FIRST.match(agency))
        )
        level_state = "territory" if code == "PR" else "state"
        if state_like:
            return Resolution(level_state, method="state_agency", confidence=CONFIDENCE["state_agency"],
                              notes=tuple(notes), **base)

        # 7. consolidated sheriffs: "Jacksonville Sheriff's Office", "Miami Dade Sheriff's Office"
        sheriff = _SHERIFF_OF_PLACE.match(agency)
        if sheriff:
            where = sheriff.group(1)
            hit = self.counties.match(code, where)
            if hit and not hit.fuzzy:
                method = "name_pattern+ice_county" if cell is not None and cell.county_fips == hit.county_fips \
                    else "name_pattern"
                return Resolution("county", county_fips=hit.county_fips, county_name=hit.name, method=method,
                                  confidence=CONFIDENCE[method], notes=tuple(notes), **base)
            return with_cell("county", place=where) or self._by_place(
                "county", where, "city", code, agency, notes, place_hints, base)

        # 8. regional and special bodies (jail authorities, judicial districts, task forces)
        if _MULTI_BODY.search(low) or (_OTHER_BODY.search(low)
                                       and not _MUNICIPAL_AGENCY.search(low.split(" - ")[0][-25:])):
            found = with_cell("other")
            if found:
                return found
            embedded = self._counties_named_within(agency, code)
            if embedded:
                fips0, name0 = embedded[0]
                extra = [] if len(embedded) == 1 else ["names several counties: " + ", ".join(n for _, n in embedded)
                                                       + "; counted in the first"]
                return Resolution("other", county_fips=fips0, county_name=name0, method="name_pattern",
                                  confidence=0.8 if len(embedded) == 1 else 0.7, notes=tuple(notes + extra), **base)
            return Resolution(
                "other", method=None, notes=tuple(notes),
                reason="regional or multi-county body and no COUNTY printed in any snapshot", **base)

        # 9. municipal agencies: the county the place lies in
        municipal = _MUNICIPAL_AGENCY.search(agency) or kind.startswith(("munic", "munci", "city", "town"))
        if municipal:
            place, place_kind = _place_from_name(agency, state_name)
            level = "other" if place_kind == "district" else "place"
            found = with_cell(level, place=place)
            if found:
                return found
            if place is None:
                return Resolution(level, method=None, notes=tuple(notes),
                                  reason="municipal agency whose name names no place, and no COUNTY printed", **base)
            return self._by_place(level, place, place_kind, code, agency, notes, place_hints, base)

        # 10. what TYPE says, with whatever COUNTY says
        if typed_state:
            return Resolution(level_state, method="state_agency_type", confidence=CONFIDENCE["state_agency_type"],
                              notes=tuple(notes), **base)
        if kind.startswith("count"):
            return with_cell("county") or Resolution(
                "county", method=None, notes=tuple(notes),
                reason=f"TYPE County but the name names no county of {code}, and no COUNTY printed", **base)
        return with_cell("other") or Resolution(
            "other", method=None, notes=tuple(notes),
            reason="name matches no known pattern, no TYPE and no COUNTY printed in any snapshot", **base)

    def _counties_named_within(self, agency: str, code: str) -> list[tuple[str, str]]:
        """Counties named (exactly, without the word County) inside a regional body's name."""
        words = _WORD_BREAKS.split(agency)
        found: list[tuple[str, str]] = []
        i = 0
        while i < len(words):
            for width in (3, 2, 1):
                chunk = " ".join(words[i:i + width])
                if len(chunk) < 4 or not chunk[:1].isupper():
                    continue
                hit = self.counties.match(code, chunk, fuzzy=False)
                if hit and hit.county_fips not in {f for f, _ in found}:
                    found.append((hit.county_fips, hit.name))
                    i += width - 1
                    break
            i += 1
        return found

    def _by_place(self, level, place, place_kind, code, agency, notes, place_hints, base) -> Resolution:
        """County of a place with no COUNTY printed: other agencies of the place, independent city, ZIPs.

        The only step that reads `place_hints`, and every result names `place`: the derive step relies
        on this to re-resolve, once hints are known, only the agencies whose place has one.
        """
        key = name_key(place)
        if place_hints and (code, key) in place_hints:
            cfips = place_hints[(code, key)]
            return Resolution(level, county_fips=cfips, county_name=self.counties.names.get(cfips), place_name=place,
                              method="same_place_other_agency", confidence=CONFIDENCE["same_place_other_agency"],
                              notes=tuple(notes), **base)
        if place_kind in ("city", "district"):
            city = self.counties.independent_city(code, place)
            if city:
                return Resolution(level, county_fips=city.county_fips, county_name=city.name, place_name=place,
                                  method="independent_city", confidence=CONFIDENCE["independent_city"],
                                  notes=tuple(notes), **base)
            for candidate in _place_variants(place):
                hit = self.cities.county(code, candidate)
                if hit:
                    conf = CONFIDENCE["zip_city"] * (1.0 if hit.share >= 0.999 else max(0.5, hit.share))
                    extra = [] if hit.share >= 0.999 else [f"{hit.share:.0%} of the city's ZIPs lie in this county"]
                    return Resolution(level, county_fips=hit.county_fips, county_name=self.counties.names.get(hit.county_fips),
                                      place_name=place, method="zip_city", confidence=round(conf, 3),
                                      notes=tuple(notes + extra), **base)
            near = self.cities.closest(code, place)
            hit = self.cities.county_by_key(code, near) if near else None
            if hit:
                conf = CONFIDENCE["zip_city"] * max(0.5, hit.share) - FUZZY_PENALTY
                return Resolution(level, county_fips=hit.county_fips, county_name=self.counties.names.get(hit.county_fips),
                                  place_name=place, method="zip_city", confidence=round(conf, 3),
                                  notes=tuple(notes + [f"'{place}' read as the USPS city '{near}'"]), **base)
            reason = f"no COUNTY printed in any snapshot and '{place}' is not a USPS city of {code}"
        else:
            reason = f"{place_kind} '{place}': no COUNTY printed in any snapshot (townships and wards are not in the city gazetteer)"
        return Resolution(level, place_name=place, method=None, reason=reason, notes=tuple(notes), **base)

    # jurisdictions named on their own ------------------------------------------------------------

    def resolve_named(self, state: object, level: str, name: object) -> Resolution:
        """A state, county or place named on its own (as lists of jurisdictions print them), not an agency.

        Evidence: a reviewed row of `named_jurisdiction_overrides.csv` for that level; a state by its
        code; a county by the county matcher; a place as an independent city, then through the USPS
        city gazetteer (the same steps as a municipal agency without COUNTY).
        """
        code = state_code(state, fuzzy=False)
        if code is None:
            return Resolution("other", None, None, method=None, reason=f"unknown state code {state!r}")
        base = {"state": code, "state_fips": state_fips(code)}
        text = clean(name)
        ov = named_overrides().get((code, name_key(text)))
        if ov and ov.level == level:
            return Resolution(ov.level, county_fips=ov.county_fips, county_name=self.counties.names.get(ov.county_fips or ""),
                              place_name=ov.place_name, method="override", confidence=ov.confidence,
                              notes=(ov.evidence,), **base)
        if level == "state":
            kind = "territory" if code in TERRITORIES else "state"
            return Resolution(kind, method="state_code", confidence=CONFIDENCE["state_code"], **base)
        if level == "county":
            hit = self.counties.match(code, text)
            if hit is None:
                return Resolution("county", method=None, reason=f"no county named {text!r} in {code}", **base)
            conf = CONFIDENCE["county_name"] - (FUZZY_PENALTY if hit.fuzzy else 0.0)
            return Resolution("county", county_fips=hit.county_fips, county_name=hit.name, method="county_name",
                              confidence=round(conf, 3),
                              notes=(f"'{text}' read as {hit.name}",) if hit.fuzzy else (), **base)
        if level == "place":
            # the name the place goes by: 'Las Vegas City' is the USPS city 'Las Vegas'
            place = next((v for v in _place_variants(text) if self.cities.county(code, v)), text)
            res = self._by_place("place", place, "city", code, place, [], None, base)
            if res.resolved:
                return res
            return replace(res, reason=f"'{text}' is neither a county-equivalent city nor a USPS city of {code}"
                                       " (and has no reviewed override)")
        return Resolution("other", method=None, reason=f"unknown level {level!r}", **base)


# A name that starts with a place and then a municipal agency word: "College Park Police Department".
_MUNICIPAL_PLACE_FIRST = re.compile(r"^(?!.*\b(?:university|college)\b).+?\s+(?:police|marshal|constable)\b", re.I)


def _place_variants(place: str) -> list[str]:
    """The place as printed, then without a trailing 'City' ('Smiley City'), 'Ft.' spelled out, etc."""
    out = [place]
    for pattern in _PLACE_SUFFIXES:
        stripped = pattern.sub("", place)
        if stripped != place:
            out.append(stripped)
    return list(dict.fromkeys(out))


@lru_cache(maxsize=1)
def named_overrides() -> dict[tuple[str, str], Override]:
    """Reviewed rows for jurisdictions named on their own, keyed by (USPS, name key)."""
    return load_overrides(NAMED_OVERRIDES_CSV, name_column="name")


@lru_cache(maxsize=1)
def default_resolver() -> Resolver:
    """The resolver over the installed reference data and the repository's CSVs."""
    return Resolver()


def county_spelled(state: str, name: str) -> str | None:
    """The FIPS code of a county of `state` that an agency name spells exactly (no fuzzy reading):
    `harris county sheriffs office` → 48201; `berrian county sheriffs office` → None (a typo)."""
    hit = _county_in_name(name, state, default_resolver().counties)
    return hit[0] if hit and not hit[2] else None


def resolve(
    state: object,
    name: object,
    agency_type: object = None,
    county: object = None,
    *,
    county_history: Iterable[str] | Mapping[str, int] = (),
    aliases: Sequence[str] = (),
    place_hints: Mapping[tuple[str, str], str] | None = None,
) -> Resolution:
    """Resolve one agency with the default reference data (see `Resolver.resolve`)."""
    return default_resolver().resolve(state, name, agency_type, county, county_history=county_history,
                                      aliases=aliases, place_hints=place_hints)


def resolve_named(state: object, level: str, name: object) -> Resolution:
    """Resolve a state, county or place named on its own with the default reference data."""
    return default_resolver().resolve_named(state, level, name)
