"""How well agencies resolve: the rate for the pipeline summary, and the list of what did not resolve.

Rates are given two ways: over agencies, and over agreement rows of every snapshot (how often the
unresolved agencies actually appear in ICE's lists), which is the figure the issue's 99.5% target
is about.
"""

from __future__ import annotations

import duckdb

_SUMMARY_SQL = """
WITH rows AS (
    SELECT j.level, j.resolved
    FROM snapshot_rows r JOIN agency_jurisdiction_facts j USING (agency_id)
)
SELECT
    (SELECT count(*) FROM agency_jurisdiction_facts) AS agencies,
    (SELECT count(*) FILTER (WHERE resolved) FROM agency_jurisdiction_facts) AS agencies_resolved,
    (SELECT count(*) FROM rows) AS rows,
    (SELECT count(*) FILTER (WHERE resolved) FROM rows) AS rows_resolved
"""


def resolution_summary(con: duckdb.DuckDBPyConnection) -> dict:
    """Resolution rate (agencies and agreement rows), counts per level and per method, unresolved count."""
    agencies, agencies_ok, rows, rows_ok = con.execute(_SUMMARY_SQL).fetchone()
    levels = dict(con.execute(
        "SELECT level, count(*) FROM agency_jurisdiction_facts GROUP BY 1 ORDER BY 2 DESC, 1").fetchall())
    methods = dict(con.execute(
        "SELECT coalesce(method, 'unresolved'), count(*) FROM agency_jurisdiction_facts GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall())
    return {
        "agencies": agencies,
        "agencies_resolved": agencies_ok,
        "agency_rate": round(agencies_ok / agencies, 4) if agencies else None,
        "rows": rows,
        "rows_resolved": rows_ok,
        "row_rate": round(rows_ok / rows, 4) if rows else None,
        "unresolved": agencies - agencies_ok,
        "levels": levels,
        "methods": methods,
    }


def unresolved(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Agencies that could not be resolved, with the reason and how many list rows they hold."""
    cur = con.execute(
        """
        SELECT j.agency_id, j.state, j.agency_name, j.level, j.place_name, j.reason,
               count(r.agency_id) AS rows, min(s.as_of) AS first_listed, max(s.as_of) AS last_listed
        FROM agency_jurisdiction_facts j
        LEFT JOIN snapshot_rows r USING (agency_id)
        LEFT JOIN snapshots s USING (snapshot_id)
        WHERE NOT j.resolved
        GROUP BY ALL
        ORDER BY rows DESC, j.state, j.agency_name
        """
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
