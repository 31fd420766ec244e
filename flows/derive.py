"""Derived tables, rebuilt inside every load transaction from the facts (snapshot rows).

Rebuilding everything from the facts, rather than patching incrementally, is what makes loads
order-independent and idempotent: the derived tables are a pure function of the loaded snapshots.
Each area adds its step to `_steps`; steps run in order on the writer's open transaction.

The derived tables are recorded with the signature of what built them (`signature`: the derive SQL,
the Python of every step, the reference tables they read). A load whose batch changes no snapshot
still rebuilds them when the signature differs, so a fixed rule reaches an existing warehouse at its
next run, not only when ICE publishes a new list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import duckdb

Step = Callable[[duckdb.DuckDBPyConnection], None]


def _steps() -> list[Step]:
    from flows import identity
    from flows.jurisdictions import derive as jurisdictions
    from warehouse import derive_core

    return [identity.assign_agency_ids, derive_core.derive, jurisdictions.derive]


_ROOT = Path(__file__).resolve().parent.parent
_SOURCES = ("warehouse/derive/*.sql", "warehouse/derive_core.py", "flows/derive.py", "flows/identity.py",
            "flows/normalize.py", "flows/jurisdictions/*.py", "flows/reference/*.csv")


@cache
def signature() -> str:
    """sha256 over the files the derived tables are computed with (names and bytes, in a fixed order)."""
    digest = hashlib.sha256()
    for path in sorted(p for pattern in _SOURCES for p in _ROOT.glob(pattern)):
        digest.update(path.relative_to(_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the derived tables were built by other code or reference data than this (or never)."""
    row = con.execute("SELECT max(signature) FROM derived_with").fetchone()
    return row[0] != signature()


def derive_all(con: duckdb.DuckDBPyConnection) -> None:
    """Run every derive step on the open (transactional) connection, and record what built them."""
    for step in _steps():
        step(con)
    con.execute("DELETE FROM derived_with")
    con.execute("INSERT INTO derived_with VALUES (?)", [signature()])
