"""Names → places and counties, offline: one matcher for county names, one gazetteer for cities.

- `name_key` is the one normalisation used for every comparison of place and county names
  (case, punctuation, `St.`/`Saint`, `Ft.`/`Fort`, `Mt.`/`Mount`, curly quotes, hyphens).
- `CountyIndex` matches a county as people print it ("Acadia County" for a Louisiana parish,
  "Miami Dade", "Lake Conty", "City of Virginia Beach", "Municipality of Anchorage") to its 5-digit
  FIPS within one state; a fuzzy match is allowed only when it is unambiguous and reported as such.
- `CityIndex` is the place gazetteer: the `zipcodes` package ships the USPS ZIP table with each
  ZIP's city, acceptable city names and county. A city's county is the county of most of its ZIPs;
  the share is returned so callers can lower their confidence when a city straddles counties.
  Built once per package version and cached as JSON beside the geography, by state, each city's
  ZIP counts as one string decoded when the city is looked up (so that loading it stays cheap).

Every function here is pure given the reference data, and the derive step calls them thousands of
times with names that repeat (the same COUNTY cell in every snapshot, the same county key from many
agency names): the string helpers are cached, and each index remembers the answers it computed.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata

from rapidfuzz import fuzz, process

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u00b4": "'", "`": "'", "\u2013": "-", "\u2014": "-"})
# (pattern, replacement, a substring the pattern needs: most names skip most patterns without running them)
_ABBREV = (
    (re.compile(r"\bst\b\.?|\bste\b\.?"), "saint", "st"),
    (re.compile(r"\bft\b\.?"), "fort", "ft"),
    (re.compile(r"\bmt\b\.?"), "mount", "mt"),
)
_COUNTY_WORDS = re.compile(
    r"\b(city and borough|census area|county|parish|borough|municipality|municipio|island|islands|district)\b"
)
_COUNTY_PREFIX = re.compile(r"^(city and borough of|municipality of|borough of|county of|parish of|city of|town of)\s+")
_COUNTY_TYPOS = {"counry", "couny", "conty", "couty", "countey", "cnty", "countyy", "coutny", "co"}
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\ufeff]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_CITY_WORD = re.compile(r"\bcity\b")
_COUNTY_WORD = re.compile(r"\bcounty\b")
_TRAILING_CITY = re.compile(r"\bcity\s*$")


def clean(text: object) -> str:
    """Spaces, curly quotes and dashes normalised; '' for None."""
    if text is None:
        return ""
    return _clean(text if type(text) is str else str(text))


@lru_cache(maxsize=65536)
def _clean(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_QUOTES)).strip()


def name_key(text: object) -> str:
    """Comparison key for a place or county name: lower case, abbreviations expanded, letters only."""
    return _name_key(clean(text))


@lru_cache(maxsize=65536)
def _name_key(cleaned: str) -> str:
    low = cleaned.lower()
    for pattern, repl, needs in _ABBREV:
        if needs in low:
            low = pattern.sub(repl, low)
    return _NOT_ALNUM.sub("", low)


def _close_matches(word: str, possibilities: Sequence[str], n: int, cutoff: float) -> list[str]:
    """`difflib.get_close_matches(word, possibilities, n, cutoff)`, with the possibilities narrowed first.

    rapidfuzz's ratio (twice the longest common subsequence over the total length) is never below
    difflib's (twice the matching blocks, which form a common subsequence, over the same total), so
    what rapidfuzz drops difflib would drop too (the margin of 1 absorbs rounding), and difflib's
    answer does not depend on the order of the possibilities: the same answer, without running
    difflib over every city of a state.
    """
    near = [p for p, _, _ in process.extract(word, possibilities, scorer=fuzz.ratio, limit=None,
                                             score_cutoff=cutoff * 100 - 1)]
    return difflib.get_close_matches(word, near, n=n, cutoff=cutoff) if near else []


def is_county_word(token: str) -> bool:
    """True for 'County' and its typos as printed by ICE ('Conty', 'Couny', 'Counry')."""
    low = token.lower().strip(".,")
    return low == "county" or low in _COUNTY_TYPOS


@dataclass(frozen=True)
class CountyMatch:
    """A county found for a printed name: FIPS, its name, and whether the match was fuzzy."""

    county_fips: str
    name: str
    fuzzy: bool = False


class CountyIndex:
    """County names of every state, matched as printed."""

    def __init__(self, counties: list[dict]):
        self._by_state: dict[str, dict[str, list[tuple[str, str, bool]]]] = defaultdict(lambda: defaultdict(list))
        self.names: dict[str, str] = {}
        self.state_of: dict[str, str] = {}
        # The index never changes after construction, so answers are remembered.
        self._matches: dict[tuple, CountyMatch | None] = {}
        self._states_with: dict[str, list[str]] = {}
        self._keys: dict[str, list[str]] = {}  # state → its name keys, for fuzzy matching
        for c in counties:
            is_city = c["lsad"] == "city"
            entry = (c["county_fips"], c["name"], is_city)
            keys = {name_key(c["short_name"]), name_key(_strip_county_words(c["name"]))}
            for key in keys:
                if key and entry not in self._by_state[c["state"]][key]:
                    self._by_state[c["state"]][key].append(entry)
            self.names[c["county_fips"]] = c["name"]
            self.state_of[c["county_fips"]] = c["state"]

    def keys(self, state: str) -> list[str]:
        """Every name key of the state's counties."""
        return list(self._by_state.get(state, {}))

    def match(self, state: str | None, printed: object, *, fuzzy: bool = True, cutoff: float = 0.8) -> CountyMatch | None:
        """The county of `state` that `printed` names, or None."""
        if not state or state not in self._by_state:
            return None
        text = clean(printed)
        if not text:
            return None
        memo = (state, text, fuzzy, cutoff)
        if memo not in self._matches:
            self._matches[memo] = self._match(state, text, fuzzy, cutoff)
        return self._matches[memo]

    def _match(self, state: str, text: str, fuzzy: bool, cutoff: float) -> CountyMatch | None:
        low = text.lower()
        wants_city = bool(_CITY_WORD.search(low)) and not _COUNTY_WORD.search(low)
        key = name_key(_strip_county_words(text))
        if not key:
            return None
        table = self._by_state[state]
        candidates = table.get(key)
        if not candidates and wants_city:
            # "Carson City", "James City County" keep "city" in their short names.
            candidates = table.get(name_key(_strip_county_words(text, keep_city=True)))
        if not candidates and key.endswith("city"):
            candidates = table.get(key[: -len("city")])
        was_fuzzy = False
        if not candidates and fuzzy and len(key) >= 5:
            if state not in self._keys:
                self._keys[state] = list(table)
            close = _close_matches(key, self._keys[state], n=2, cutoff=cutoff)
            if len(close) == 1 or (len(close) == 2 and difflib.SequenceMatcher(None, key, close[0]).ratio()
                                   > difflib.SequenceMatcher(None, key, close[1]).ratio()):
                candidates = table[close[0]]
                was_fuzzy = True
        if not candidates:
            return None
        if len(candidates) > 1:
            # Virginia's "Fairfax County" and "Fairfax city", "Baltimore County" and "Baltimore city".
            preferred = [c for c in candidates if c[2] == wants_city]
            candidates = preferred or candidates
        fips, name, _ = candidates[0]
        return CountyMatch(fips, name, was_fuzzy)

    def states_with(self, printed: object) -> list[str]:
        """States that have a county of this name (exact key): to spot agencies listed under the wrong state."""
        key = name_key(_strip_county_words(clean(printed)))
        if key not in self._states_with:
            self._states_with[key] = sorted(st for st, table in self._by_state.items() if key and key in table)
        return list(self._states_with[key])

    def independent_city(self, state: str | None, place: object) -> CountyMatch | None:
        """The county-equivalent city (Virginia's independent cities, Baltimore, St. Louis, Carson City)."""
        if not state or state not in self._by_state:
            return None
        key = name_key(place)
        for k in (key, key[:-4] if key.endswith("city") else None):
            for fips, name, is_city in self._by_state[state].get(k or "", []):
                if is_city or name.lower().endswith("city"):
                    return CountyMatch(fips, name)
        return None


@lru_cache(maxsize=65536)
def _strip_county_words(text: str, keep_city: bool = False) -> str:
    low = clean(text).lower()
    low = _COUNTY_PREFIX.sub("", low)
    tokens = low.split()
    if len(tokens) > 1 and is_county_word(tokens[-1]):
        tokens = tokens[:-1]
    low = " ".join(tokens)
    low = _COUNTY_WORDS.sub(" ", low)
    if not keep_city:
        low = _TRAILING_CITY.sub(" ", low)
    return low.strip() or clean(text).lower()


# --- the city gazetteer --------------------------------------------------------------------------


@dataclass(frozen=True)
class CityCounty:
    """County of a USPS city: FIPS, the share of the city's ZIPs in it, and how the name matched."""

    county_fips: str
    share: float
    via: str  # 'city' (the ZIP's city) or 'acceptable' (an acceptable city name of the ZIP)


class CityIndex:
    """USPS city name → county FIPS, from the `zipcodes` package."""

    def __init__(self, table: dict[str, dict[str, dict[str, str]]]):
        self._table = table  # via → state → city key → "fips:zips fips:zips" (see `_encode`)
        self._closest: dict[tuple[str, str, float], str | None] = {}  # answers of `closest`, remembered
        self._keys: dict[str, list[str]] = {}  # state → its city keys, sorted (for `closest`, on demand)

    @classmethod
    def build(cls, county_index: CountyIndex) -> CityIndex:
        """Read every ZIP of the package and count ZIPs per (city, county)."""
        import zipcodes

        table: dict[str, dict[str, dict[str, Counter]]] = {
            via: defaultdict(lambda: defaultdict(Counter)) for via in ("city", "acceptable")}
        for z in zipcodes.list_all():
            if z.get("zip_code_type") == "MILITARY" or not z.get("county"):
                continue
            state = z["state"]
            match = county_index.match(state, z["county"])
            if match is None:
                continue
            table["city"][state][name_key(z["city"])][match.county_fips] += 1
            for alt in z.get("acceptable_cities") or []:
                table["acceptable"][state][name_key(alt)][match.county_fips] += 1
        return cls({via: {state: {key: _encode(counts) for key, counts in cities.items()}
                          for state, cities in by_state.items()}
                    for via, by_state in table.items()})

    def to_json(self) -> str:
        """Serialised form for the cache."""
        return json.dumps(self._table, separators=(",", ":"), sort_keys=True)

    def county(self, state: str | None, place: object) -> CityCounty | None:
        """The county most of the city's ZIPs lie in; None when the name is not a USPS city of the state."""
        if not state:
            return None
        return self.county_by_key(state, name_key(place))

    def closest(self, state: str | None, place: object, cutoff: float = 0.9) -> str | None:
        """The one USPS city of the state spelled almost like `place` ('Pittsburgh' → 'pittsburg'), or None."""
        key = name_key(place)
        if not state or len(key) < 6:
            return None
        memo = (state, key, cutoff)
        if memo not in self._closest:
            self._closest[memo] = self._closest_key(state, key, cutoff)
        return self._closest[memo]

    def _closest_key(self, state: str, key: str, cutoff: float) -> str | None:
        cities, acceptable = self._table["city"].get(state, {}), self._table["acceptable"].get(state, {})
        longer = [key + end for end in ("beach", "city", "village", "township")
                  if key + end in cities or key + end in acceptable]
        if len(longer) == 1:
            return longer[0]  # "Sunny Isles" → "Sunny Isles Beach"
        if state not in self._keys:
            self._keys[state] = sorted(cities.keys() | acceptable.keys())
        close = _close_matches(key, self._keys[state], n=2, cutoff=cutoff)
        if len(close) == 2 and (difflib.SequenceMatcher(None, key, close[0]).ratio()
                                == difflib.SequenceMatcher(None, key, close[1]).ratio()):
            return None
        return close[0] if close else None

    def county_by_key(self, state: str, key: str) -> CityCounty | None:
        """Like `county`, for a key returned by `closest`."""
        for via in ("city", "acceptable"):
            encoded = self._table[via].get(state, {}).get(key)
            if encoded:
                counts = _decode(encoded)
                fips, n = max(sorted(counts.items()), key=lambda kv: kv[1])
                return CityCounty(fips, n / sum(counts.values()), via)
        return None


def _encode(counts: dict[str, int]) -> str:
    """{'12086': 40, '12011': 2} → '12011:2 12086:40'."""
    return " ".join(f"{fips}:{n}" for fips, n in sorted(counts.items()))


def _decode(encoded: str) -> dict[str, int]:
    return {fips: int(n) for fips, _, n in (part.partition(":") for part in encoded.split(" "))}


def zipcodes_version() -> str:
    """Installed version of the `zipcodes` package (part of the cache key)."""
    return metadata.version("zipcodes")


@lru_cache(maxsize=1)
def city_index() -> CityIndex:
    """The cached city gazetteer for the installed `zipcodes` and reference geography."""
    from flows.jurisdictions import geography

    path = geography.ensure_built() / f"cities-zipcodes{zipcodes_version()}-by-state.json"
    if path.exists():
        return CityIndex(json.loads(path.read_text(encoding="utf-8")))
    index = CityIndex.build(county_index())
    tmp = path.with_suffix(".tmp")
    tmp.write_text(index.to_json(), encoding="utf-8")
    tmp.replace(path)
    return index


@lru_cache(maxsize=1)
def county_index() -> CountyIndex:
    """The county matcher over the reference geography."""
    from flows.jurisdictions import geography

    return CountyIndex(geography.counties())
