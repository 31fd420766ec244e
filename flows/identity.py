"""Agency identity: one stable id per agency although ICE's spelling changes over the years.

Two steps:

1. `name_key(name)` folds spellings that mean the same thing: case, punctuation, apostrophes
   (`Sheriff's` / `Sheriffs` / `Sheriff Office`), `City of X Police Department` = `X Police
   Department`, `Co.` = `County`, `Saint` = `St`, footnote stars, `(Addendum)`.
2. `assign_agency_ids(con)` (a derive step) merges keys that are the same agency by evidence: in the
   same state, similar names (typo fixes like `Berrian … Offic` → `Berrien … Office`, `Luka` →
   `Iuka`) that were **never listed in the same snapshot** (a fix replaces a spelling; two real
   agencies with similar names, like Lake and Lee County, appear side by side) and that either share
   an agreement's model and SIGNED date or are nearly identical, unless the two names spell two
   different real counties of the state (Harris and Harrison County, Texas, are one letter group
   apart and both exist). A rename is merged too: ICE's next participating list prints the same
   agreement (model and SIGNED) under a new name of the state sharing a distinctive word, and no
   name of the one agency was ever listed beside a name of the other (`rename_pairs`). Reviewed
   aliases (flows/reference/agency_aliases.csv) settle what evidence cannot.

The id is `<USPS>:<slug>` of the cluster's earliest-seen key, so it survives later spelling fixes.
The result is written to `agency_names` and `snapshot_rows.agency_id`; `agencies` is built from it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa
from rapidfuzz import fuzz, process

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

_REPLACEMENTS = [
    (r"&", " and "),
    (r"\bco\.?(?=\s|$)", "county"),
    (r"\bcnty\b", "county"),
    (r"\bdept\.?(?=\s|$)", "department"),
    (r"\bsaint\b", "st"),
    (r"\bst\.", "st"),
    (r"\bft\.?(?=\s)", "fort"),
    (r"\bmt\.?(?=\s)", "mount"),
    (r"\bpd$", "police department"),
    (r"\bpolice$", "police department"),
    (r"^(corrections|public safety|safety|transportation|revenue|justice) department$", r"department of \1"),
    (r"\bso$", "sheriffs office"),
    # A county has one sheriff: Office, Department and a bare "Sheriff" name the same agency.
    (r"\bsheriffs? (office|department|dept)\b", "sheriffs office"),
    (r"\bcounty sheriff$", "county sheriffs office"),
    (r"\boffic$", "office"),
    (r"\bdepartmen$", "department"),
    (r"^the\s+", ""),
    (r"^(city|town|village|borough) of\s+", ""),
    (r"\s+\((addendum|amendment)\)", ""),
]
_COMPILED = [(re.compile(p), r) for p, r in _REPLACEMENTS]
# A substring each pattern needs to match at all: most names skip most patterns without running them.
_NEEDS = ["&", "co", "cnty", "dept", "saint", "st.", "ft", "mt", "pd", "police", "department", "so", "sheriff",
          "county sheriff", "offic", "departmen", "the", " of", "(a"]
_GUARDED = list(zip(_NEEDS, _COMPILED, strict=True))


_STATE_AGENCY_WORDS = {
    "department", "dept", "state", "highway", "office", "division", "bureau", "attorney", "national",
    "board", "commission", "alcohol", "fish", "game", "wildlife", "parks", "capitol", "law", "public",
    "military", "lottery", "gaming", "corrections", "correctional", "marine", "homeland", "emergency",
}


def _strip_state_prefix(text: str, state: str | None) -> str:
    """`Arizona Department of Corrections` and `AZ Department of Corrections` → `department of corrections`.

    Only before a word that names a state body, so `Texas City Police Department` and `Virginia Beach
    Police Department` keep their city names.
    """
    if not state:
        return text
    from flows.normalize import state_name

    for prefix in filter(None, ((state_name(state) or "").lower(), state.lower())):
        if text.startswith(prefix + " "):
            rest = text[len(prefix) + 1:]
            if rest.split(" ", 1)[0].strip(".") in _STATE_AGENCY_WORDS:
                return rest
    return text


@lru_cache(maxsize=65536)
def name_key(name: str | None, state: str | None = None) -> str | None:
    """Normalised key of an agency name: same key, same agency (within a state)."""
    if not name:
        return None
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[*†‡]", "", text)
    text = text.replace("'", "").replace("`", "")
    text = re.sub(r"[^a-z0-9&().\s-]", " ", text)
    text = text.replace("-", " ")
    text = re.sub(r"\s+", " ", text).strip()
    text = _strip_state_prefix(text, state)
    for needs, (pattern, repl) in _GUARDED:
        if needs in text:  # text is stripped: a pattern that cannot match leaves it as it is
            text = pattern.sub(repl, text).strip()
    text = re.sub(r"[().]", "", text)
    return re.sub(r"\s+", " ", text).strip() or None


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(key: str) -> str:
    """URL- and SQL-friendly slug of a key."""
    return _NOT_SLUG.sub("-", key).strip("-")


@lru_cache(maxsize=1)
def reviewed_aliases() -> dict[tuple[str, str], str]:
    """(state, key as printed) → key it is an alias of, from the reviewed CSV."""
    path = REFERENCE_DIR / "agency_aliases.csv"
    aliases: dict[tuple[str, str], str] = {}
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                state = row["state"].strip()
                aliases[(state, name_key(row["name_as_printed"], state))] = name_key(row["same_as"], state)
    return aliases


SIMILAR = 88.0       # token-aware similarity needed to consider two keys one agency
NEAR_IDENTICAL = 94.0  # enough on its own when the keys never co-occur


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def similar_pairs(keys) -> list[tuple[str, str, str, float]]:
    """(state, key_a, key_b, score) for keys of one state similar enough to be one agency."""
    by_state: dict[str, list[str]] = defaultdict(list)
    for state, key in keys:
        by_state[state].append(key)
    pairs = []
    for state, names in by_state.items():
        names.sort()
        if len(names) < 2:
            continue
        scores = process.cdist(names, names, scorer=fuzz.ratio, score_cutoff=SIMILAR, workers=1)
        for i, j in zip(*scores.nonzero(), strict=True):
            if i < j:
                pairs.append((state, names[i], names[j], float(scores[i, j])))
    return pairs


def cluster_keys(
    keys: dict[tuple[str, str], dict],
    co_listed: set[tuple[str, str, str]],
    pairs: list[tuple[str, str, str, float]] | None = None,
    renames: list[tuple[str, str, str]] = (),
) -> dict[tuple[str, str], tuple[str, str]]:
    """Map each (state, key) to the (state, key) of its cluster's canonical member.

    `keys[(state, key)]` holds `first_seen`, `snapshots` and `agreements` (a set of model|signed),
    and `listed` (the snapshots listing it: numbers, and ids of any not numbered) when renames are given.
    `co_listed` holds (state, key_a, key_b), key_a < key_b, for similar keys listed in one snapshot.
    `renames` holds (state, old key, new key) pairs found by `rename_pairs`.
    """
    uf = _UnionFind()
    aliases = reviewed_aliases()
    for (state, key) in keys:
        uf.find((state, key))
        target = aliases.get((state, key))
        if target and (state, target) in keys:
            uf.union((state, target), (state, key))
    for state, a, b, score in pairs if pairs is not None else similar_pairs(keys):
        if (state, a, b) in co_listed:
            continue
        shared = keys[(state, a)]["agreements"] & keys[(state, b)]["agreements"]
        if (shared or score >= NEAR_IDENTICAL) and not _different_counties(state, a, b):
            uf.union((state, a), (state, b))
    # A rename joins two clusters only when no name of one was ever listed beside a name of the other:
    # two renames of one short-lived name (`Gulf County BOCC` → its Sheriff's Office and its Board of
    # County Commissioners, both listed afterwards) must not make one agency of two.
    seen: dict[tuple[str, str], set] = {}
    for sk, info in keys.items():
        seen.setdefault(uf.find(sk), set()).update(info.get("listed", ()))
    for state, old_key, new_key in renames:
        ra, rb = uf.find((state, old_key)), uf.find((state, new_key))
        if ra == rb or _different_counties(state, old_key, new_key) or not seen[ra].isdisjoint(seen[rb]):
            continue
        uf.union(ra, rb)
        seen[uf.find(ra)] = seen.pop(ra) | seen.pop(rb)
    members: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for sk in keys:
        members[uf.find(sk)].append(sk)
    canonical: dict[tuple[str, str], tuple[str, str]] = {}
    for group in members.values():
        best = min(group, key=lambda sk: (keys[sk]["first_seen"], -keys[sk]["snapshots"], sk[1]))
        for sk in group:
            canonical[sk] = best
    return canonical


def _different_counties(state: str, a: str, b: str) -> bool:
    """Whether two similar names spell two different real counties of the state: two agencies, however
    alike the names (Harris / Harrison County Sheriff's Office), never a spelling fix."""
    from flows.jurisdictions.resolve import county_spelled

    fips_a, fips_b = county_spelled(state, a), county_spelled(state, b)
    return fips_a is not None and fips_b is not None and fips_a != fips_b


# Every name key with what clustering needs, in one pass over the rows: when it was first listed, the
# snapshots that list it (as small numbers, one per row, made a set in Python; a row whose snapshot
# is missing from `snapshots` is counted under its snapshot_id, for the co-listing test only) and its
# agreements' model|SIGNED.
_KEYS_SQL = """
SELECT coalesce(r.state, 'XX') AS state, r.name_key, min(s.as_of), list(s.n),
       list(DISTINCT r.model || '|' || CAST(r.signed AS VARCHAR))
           FILTER (WHERE r.signed IS NOT NULL AND s.n IS NOT NULL),
       list(DISTINCT r.snapshot_id) FILTER (WHERE s.n IS NULL),
       min(s.as_of) FILTER (WHERE s.list_kind = 'participating'),
       max(s.as_of) FILTER (WHERE s.list_kind = 'participating')
FROM snapshot_rows r
LEFT JOIN (SELECT snapshot_id, as_of, list_kind, row_number() OVER () AS n FROM snapshots) s USING (snapshot_id)
WHERE r.name_key IS NOT NULL
GROUP BY ALL
HAVING count(s.n) > 0
"""
_PARTICIPATING_DATES_SQL = "SELECT DISTINCT as_of FROM snapshots WHERE list_kind = 'participating' ORDER BY 1"


def _co_listed(
    pairs: list[tuple[str, str, str, float]], keys: dict[tuple[str, str], dict]
) -> set[tuple[str, str, str]]:
    """(state, key_a, key_b) of the similar pairs whose keys were both listed in one snapshot
    (`keys[(state, key)]["listed"]`)."""
    # Intersected here rather than by a self-join in SQL, which plans badly on the freshly written
    # (statistics-less) rows of a load transaction.
    return {(state, a, b) for state, a, b, _ in pairs
            if not keys[(state, a)]["listed"].isdisjoint(keys[(state, b)]["listed"])}


# Words every kind of agency name shares: a rename must keep at least one word that is not one of them.
_GENERIC_WORDS = frozenset("""
    of the and county city town village borough parish state sheriffs sheriff office department police
    services service board commissioners bocc jail corrections correctional detention facility center
    division law enforcement public safety regional district authority
""".split())


def _distinctive(key: str) -> set[str]:
    return {w for w in key.split() if w not in _GENERIC_WORDS and len(w) > 2}


def rename_pairs(keys: dict[tuple[str, str], dict], participating_dates: list) -> list[tuple[str, str, str]]:
    """(state, old key, new key) of renames: ICE stops printing one name and, in its very next
    participating list, prints the same agreement (model and SIGNED date) under another name of the
    same state that shares a distinctive word (`Gulf County BOCC` → `Gulf County Board of County
    Commissioners`, `Boca Raton Police Department` → `Boca Raton Police Services Department`).
    `cluster_keys` joins a pair only when the two were never listed together."""
    position = {d: i for i, d in enumerate(participating_dates)}
    by_agreement: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (state, key), info in keys.items():
        for agreement in info["agreements"]:
            by_agreement[(state, agreement)].append(key)
    out = set()
    for (state, _), names in by_agreement.items():
        for a in names:
            last_a = keys[(state, a)]["last_listed"]
            for b in names:
                first_b = keys[(state, b)]["first_listed"]
                if a == b or last_a is None or first_b is None or position[first_b] != position[last_a] + 1:
                    continue
                if not _distinctive(a) & _distinctive(b):
                    continue
                out.add((state, a, b))
    return sorted(out)


def assign_agency_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Derive step: fill snapshot_rows.agency_id and agency_names from the name keys."""
    keys: dict[tuple[str, str], dict] = {}
    for state, key, first, numbers, agr, others, first_listed, last_listed in con.execute(_KEYS_SQL).fetchall():
        snapshots = set(numbers)
        keys[(state, key)] = {"first_seen": first, "snapshots": len(snapshots), "agreements": set(agr or []),
                              "first_listed": first_listed, "last_listed": last_listed,
                              "listed": snapshots.union(others or ())}  # numbers and ids never collide
    pairs = similar_pairs(keys)
    co_listed = _co_listed(pairs, keys)
    renames = rename_pairs(keys, [d for (d,) in con.execute(_PARTICIPATING_DATES_SQL).fetchall()])
    canonical = cluster_keys(keys, co_listed, pairs, renames)
    aliased = {(st, k) for (st, k), target in reviewed_aliases().items()} | {
        (st, target) for (st, _), target in reviewed_aliases().items()}
    renamed = {(st, k) for st, a, b in renames for k in (a, b)}
    mapping = []
    for (state, key), (cstate, ckey) in canonical.items():
        if (state, key) == (cstate, ckey):
            method = "key"
        elif (state, key) in aliased and (cstate, ckey) in aliased:
            method = "reviewed_alias"
        elif (state, key) in renamed:
            method = "rename"
        else:
            method = "fuzzy"
        mapping.append((state, key, f"{cstate}:{slug(ckey)}", method))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _agency_map "
        "(state VARCHAR, name_key VARCHAR, agency_id VARCHAR, match_method VARCHAR)"
    )
    if mapping:
        table = pa.table({n: [m[i] for m in mapping] for i, n in enumerate(("state", "name_key", "agency_id", "match_method"))})
        con.register("_agency_map_arrow", table)
        con.execute("INSERT INTO _agency_map SELECT * FROM _agency_map_arrow")
        con.unregister("_agency_map_arrow")
    con.execute(
        """
        UPDATE snapshot_rows r SET agency_id = m.agency_id
        FROM _agency_map m
        WHERE coalesce(r.state, 'XX') = m.state AND r.name_key = m.name_key
          AND r.agency_id IS DISTINCT FROM m.agency_id
        """
    )
