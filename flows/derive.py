"""Derived tables, rebuilt inside every load transaction from the facts (snapshot rows).

Rebuilding everything from the facts, rather than patching incrementally, is what makes loads
order-independent and idempotent: the derived tables are a pure function of the loaded snapshots.
Each area adds its step to `STEPS`; steps run in order on the writer's open transaction.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

Step = Callable[[duckdb.DuckDBPyConnection], None]


def _steps() -> list[Step]:
    from flows import identity
    from flows.jurisdictions import derive as jurisdictions
    from warehouse import derive_core

    return [identity.assign_agency_ids, derive_core.derive, jurisdictions.derive]


def derive_all(con: duckdb.DuckDBPyConnection) -> None:
    """Run every derive step on the open (transactional) connection."""
    for step in _steps():
        step(con)
