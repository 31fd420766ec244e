"""Read-side helpers for the sanctuary macros: which agency geography to use, and the named queries.

The macros in warehouse/sql/30_sanctuary.sql take the agency-geography view by name; this module
picks the jurisdictions area's `agency_jurisdictions` when it exists and its stand-in otherwise, and
says in one line which ICE list a result's agreements come from when that list is not of the date asked.
"""

from __future__ import annotations

from datetime import date

import duckdb

FALLBACK_GEO = "sanctuary_agency_geography_fallback"


def agency_geo(con: duckdb.DuckDBPyConnection) -> str:
    """`agency_jurisdictions` when the jurisdictions area has created it, else our stand-in view."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'agency_jurisdictions'"
    ).fetchone()[0]
    return "agency_jurisdictions" if found else FALLBACK_GEO


# The sanctuary table macros the CLI runs, each with the stable order of its rows.
MACRO_ORDER = {
    "jurisdiction_status": "state, level <> 'state', name",  # a state's own row, then its counties
    "sanctuary_conflicts": "state, publisher, listed_level, name_as_printed, agency_name, model",
    "mandate_compliance": "state, county",
    "banned_agreements": "state, agency_name, model",
}


def run_macro(con: duckdb.DuckDBPyConnection, macro: str, on: date, where: str = "", params=None):
    """Rows and column names of a sanctuary table macro at a date, in the macro's stable order
    (macro names are fixed, never user input)."""
    if macro not in MACRO_ORDER:
        raise ValueError(f"unknown macro {macro}")
    sql = (f"SELECT * FROM {macro}(?::DATE, agency_geo := ?)" + (f" WHERE {where}" if where else "")
           + f" ORDER BY {MACRO_ORDER[macro]}")
    cur = con.execute(sql, [on, agency_geo(con), *(params or [])])
    return [d[0] for d in cur.description], cur.fetchall()


def agreements_list_note(cols: list[str], rows: list[tuple], on: date) -> str | None:
    """One line naming the ICE list the agreements come from, when it is not a list of date `on`.

    Inside a gap in the captures the macros count the last list before the gap (as the core's
    `agreements_as_of` does); this says so instead of leaving it to the `agreements_list_date` column.
    """
    if not rows or "agreements_list_date" not in cols:
        return None
    at = cols.index("agreements_list_date")
    dates = {r[at] for r in rows}
    if dates == {None}:
        return f"no ICE participating list on or before {on}: no agreements counted"
    listed = max(d for d in dates if d is not None)
    if listed == on:
        return None
    days = (on - listed).days
    return (f"agreements are those of ICE's participating list of {listed}, the last on or before {on} "
            f"({days} day{'s' if days != 1 else ''} earlier; see agreements_list_date)")
