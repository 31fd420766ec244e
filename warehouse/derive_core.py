"""Derive step for the ICE lists: agencies, agreements, events and reviews from the snapshot rows.

Runs the SQL files in `warehouse/derive/` in order on the writer's open transaction. Each file
replaces its table wholesale from `snapshot_rows` of published snapshots, so the result depends only
on which snapshots are loaded, never on the order they were loaded in (rows are ranked by snapshot
order, i.e. date, file name and id, then by file order).

The files hand work on through temp tables, so that the rows are read a few times in all rather than
once per table: 010 numbers the published snapshots in list order (`_snap`) and 020 keeps one row per
agreement and one per listing period (`_agreement_rows`, `_periods`), which 030 and 040 read.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

DERIVE_DIR = Path(__file__).resolve().parent / "derive"


def derive(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild agencies, agency_names, agreements, agreement_events and agreement_reviews."""
    for path in sorted(DERIVE_DIR.glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
