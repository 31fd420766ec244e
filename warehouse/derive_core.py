"""Derive step for the ICE lists: agencies, agreements, events and reviews from the snapshot rows.

Runs the SQL files in `warehouse/derive/` in order on the writer's open transaction. Each file
replaces its table wholesale from `snapshot_rows` of published snapshots, so the result depends only
on which snapshots are loaded, never on the order they were loaded in.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

DERIVE_DIR = Path(__file__).resolve().parent / "derive"


def derive(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild agencies, agency_names, agreements, agreement_events and agreement_reviews."""
    for path in sorted(DERIVE_DIR.glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
