"""Derive step: every agency resolved to its jurisdiction, rewritten inside every load transaction.

Reads `agencies` (latest name, TYPE and COUNTY) and `snapshot_rows` (every COUNTY ICE printed for
the agency in any snapshot, every spelling it was listed under) and fully replaces
`agency_jurisdiction_facts`, one row per agency. Also makes sure the reference geography is in
`jurisdictions` (states, territories, counties; reloaded only when the packages change) and
replaces its `place` rows with the places resolved agencies need.

Two passes: the first resolves every agency on its own evidence; the second lets a municipal agency
with no COUNTY anywhere use the county ICE printed for another agency of the same place (e.g. a
city's police and its marshal), and resolves again only the agencies such a hint can change. The
result is a pure function of the loaded snapshots and the reference data, so re-running changes
nothing.
"""

from __future__ import annotations

import time

import duckdb

from flows.jurisdictions import geography
from flows.jurisdictions.places import name_key
from flows.jurisdictions.resolve import Resolution, default_resolver

# One pass over the rows, grouped by agency: every COUNTY printed for it comes with the number of rows
# that printed it (`histogram`; the resolver weighs the cells by that count and reads each once).
_EVIDENCE_SQL = """
SELECT a.agency_id, a.state, a.agency_name, a.agency_type, a.county, coalesce(r.counties, MAP {}),
       coalesce(r.spellings, []), coalesce(r.types, [])
FROM agencies a
LEFT JOIN (
    SELECT agency_id, histogram(coalesce(county, raw_county)) AS counties,
           list(DISTINCT agency_name) FILTER (WHERE agency_name IS NOT NULL) AS spellings,
           list(DISTINCT agency_type) FILTER (WHERE agency_type IS NOT NULL) AS types
    FROM snapshot_rows
    WHERE agency_id IS NOT NULL
    GROUP BY agency_id
) r USING (agency_id)
ORDER BY a.agency_id
"""

LAST_RUN: dict[str, float] = {}


def _resolve_all(rows: list[tuple], place_hints: dict | None) -> dict[str, Resolution]:
    resolver = default_resolver()
    out = {}
    for agency_id, state, name, agency_type, county, counties, spellings, types in rows:
        kind = agency_type or (types[0] if len(types) == 1 else None)
        out[agency_id] = resolver.resolve(state, name, kind, county, county_history=counties,
                                          aliases=[s for s in spellings if s != name], place_hints=place_hints)
    return out


def _place_hints(results: dict[str, Resolution]) -> dict[tuple[str, str], str]:
    """(state, place key) → county, from municipal agencies whose county ICE printed; unambiguous only."""
    seen: dict[tuple[str, str], set[str]] = {}
    for res in results.values():
        if res.level == "place" and res.place_name and res.county_fips and (res.method or "").startswith("ice_county"):
            seen.setdefault((res.state, name_key(res.place_name)), set()).add(res.county_fips)
    return {key: next(iter(fips)) for key, fips in seen.items() if len(fips) == 1}


def _hint_may_apply(res: Resolution, hints: dict[tuple[str, str], str]) -> bool:
    """Whether the second pass can change this first-pass result.

    Hints are read only when a municipal agency is placed by its place name (`Resolver._by_place`),
    and every result of that step names the place it looked up; so an agency whose result names no
    place with a hint resolves the same with the hints as without them.
    """
    return (res.method in (None, "zip_city") and res.place_name is not None
            and (res.state, name_key(res.place_name)) in hints)


def resolve_agencies(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[tuple, Resolution]]:
    """Resolve every agency in `agencies`; returns agency_id → (evidence row, resolution)."""
    rows = con.execute(_EVIDENCE_SQL).fetchall()
    first = _resolve_all(rows, None)
    hints = _place_hints(first)
    needs_second = [r for r in rows if _hint_may_apply(first[r[0]], hints)]
    second = _resolve_all(needs_second, hints) if hints and needs_second else {}
    return {r[0]: (r, second.get(r[0], first[r[0]])) for r in rows}


def derive(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild `agency_jurisdiction_facts` and the place rows of `jurisdictions`."""
    import pyarrow as pa

    started = time.perf_counter()
    geography.load_reference(con)
    resolved = resolve_agencies(con)
    cols: dict[str, list] = {k: [] for k in (
        "agency_id", "state", "agency_name", "level", "state_fips", "county_fips", "county_name", "place_name",
        "method", "confidence", "resolved", "reason", "notes")}
    for agency_id, (row, res) in resolved.items():
        cols["agency_id"].append(agency_id)
        cols["state"].append(row[1])
        cols["agency_name"].append(row[2])
        cols["level"].append(res.level)
        cols["state_fips"].append(res.state_fips)
        cols["county_fips"].append(res.county_fips)
        cols["county_name"].append(res.county_name)
        cols["place_name"].append(res.place_name)
        cols["method"].append(res.method)
        cols["confidence"].append(float(res.confidence))
        cols["resolved"].append(res.resolved)
        cols["reason"].append(res.reason)
        cols["notes"].append("; ".join(res.notes) or None)
    table = pa.table({
        k: pa.array(v, type=pa.float64() if k == "confidence" else pa.bool_() if k == "resolved" else pa.string())
        for k, v in cols.items()
    })
    con.register("_jur_facts", table)
    try:
        con.execute("DELETE FROM agency_jurisdiction_facts")
        con.execute("INSERT INTO agency_jurisdiction_facts BY NAME SELECT * FROM _jur_facts")
    finally:
        con.unregister("_jur_facts")
    _replace_places(con)
    LAST_RUN["seconds"] = time.perf_counter() - started
    LAST_RUN["agencies"] = len(resolved)


def _replace_places(con: duckdb.DuckDBPyConnection) -> None:
    # One place per (county, place slug); the id is stable across runs.
    con.execute("DELETE FROM jurisdictions WHERE level = 'place'")
    con.execute(
        """
        INSERT INTO jurisdictions (jurisdiction_id, level, state, state_fips, county_fips, name, short_name, source)
        SELECT 'place:' || coalesce(county_fips, state_fips) || ':'
                   || trim(regexp_replace(lower(place_name), '[^a-z0-9]+', '-', 'g'), '-') AS jurisdiction_id,
               'place', any_value(state ORDER BY place_name), any_value(state_fips ORDER BY place_name),
               any_value(county_fips ORDER BY place_name), min(place_name), min(place_name), 'agency_resolution'
        FROM agency_jurisdiction_facts
        WHERE level = 'place' AND place_name IS NOT NULL AND state_fips IS NOT NULL AND state IS NOT NULL
        GROUP BY 1
        """
    )
