"""Named read-only queries for the dashboards: `warehouse/queries/dash_*.sql` → plain Python rows.

Guarantees:
- SQL lives in files; a query is addressed by its file stem (`dash_monthly_agreements`). Named parameters
  (`$as_of`) are passed only when the file uses them.
- Results are lists of dicts (one per row, column order kept), with DuckDB's Python types (dates stay
  `datetime.date`); no pandas.
- The warehouse is opened read-only, for as short as possible: `fetch()` opens, runs every query it is
  asked for, and closes before anyone renders anything.
- A query whose views do not exist yet (a source still being built) is reported as missing, never fatal.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb

from warehouse.db import WarehouseBusy, reader

QUERIES_DIR = Path(__file__).resolve().parent.parent / "warehouse" / "queries"
PREFIX = "dash_"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

Rows = list[dict]


def query_names() -> list[str]:
    """Every named dashboard query, by file stem."""
    return sorted(p.stem for p in QUERIES_DIR.glob(f"{PREFIX}*.sql"))


@cache
def sql_text(name: str) -> str:
    """The SQL of a named query."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"bad query name {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise KeyError(f"{name}: no such query in {QUERIES_DIR}")
    return path.read_text(encoding="utf-8")


def params_of(name: str) -> set[str]:
    """Named parameters a query uses."""
    return set(_PARAM.findall(sql_text(name)))


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> Rows:
    """Run one named query; returns rows as dicts. Unused parameters are ignored, missing ones are NULL."""
    wanted = params_of(name)
    values = {k: params.get(k) for k in wanted}
    cur = con.execute(sql_text(name), values) if wanted else con.execute(sql_text(name))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables, views and table macros present in the warehouse."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() "
        "UNION SELECT function_name FROM duckdb_functions() WHERE function_type = 'table_macro'"
    ).fetchall()
    return {r[0] for r in rows}


@dataclass
class Results:
    """What one read of the warehouse returned: rows per query, missing queries and their reasons."""

    rows: dict[str, Rows] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    relations: set[str] = field(default_factory=set)
    fetched_at: float = 0.0

    def get(self, name: str) -> Rows:
        """Rows of a query, empty when it could not run."""
        return self.rows.get(name, [])

    def has(self, *names: str) -> bool:
        """Whether every named relation exists in the warehouse."""
        return all(n in self.relations for n in names)


def fetch_with(con: duckdb.DuckDBPyConnection, names: Iterable[str], **params) -> Results:
    """Run the named queries on an open connection; a query on views not yet built is reported missing."""
    out = Results(relations=relations(con), fetched_at=time.time())
    for name in dict.fromkeys(names):
        try:
            out.rows[name] = run(con, name, **params)
        except duckdb.CatalogException as exc:  # a view of a source still being built
            out.missing[name] = str(exc).splitlines()[0]
    return out


def fetch(db_path: Path | str, names: Iterable[str], *, wait_seconds: float = 30.0, **params) -> Results:
    """Open the warehouse read-only, run the named queries, close it; return their rows."""
    with reader(db_path, wait_seconds=wait_seconds) as con:
        return fetch_with(con, names, **params)


class CachedResults:
    """Results re-read at most every `ttl` seconds; a busy warehouse keeps serving the last good read."""

    def __init__(self, db_path: Path | str, names: Iterable[str], ttl: float = 60.0, wait_seconds: float = 2.0):
        self.db_path = Path(db_path)
        self.names = list(names)
        self.ttl = ttl
        self.wait_seconds = wait_seconds
        self._last: Results | None = None
        self.error: str | None = None

    def get(self) -> Results:
        """Fresh results, or the previous ones (with `error` set) while the warehouse is locked."""
        now = time.time()
        if self._last is not None and now - self._last.fetched_at < self.ttl:
            return self._last
        try:
            self._last = fetch(self.db_path, self.names, wait_seconds=self.wait_seconds)
            self.error = None
        except (WarehouseBusy, duckdb.IOException) as exc:
            if self._last is None:
                raise
            self.error = str(exc).splitlines()[0]
            self._last.fetched_at = now  # retry after another ttl, not on every request
        return self._last


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def apply_filters(
    rows: Rows,
    states: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    start=None,
    end=None,
    date_key: str = "month",
) -> Rows:
    """Keep rows of the given states and models with `date_key` in [start, end]; absent columns never filter."""
    if not rows:
        return rows
    cols = rows[0].keys()
    states = set(states) if states and "state" in cols else None
    models = set(models) if models and "model" in cols else None
    start, end = _as_date(start), _as_date(end)
    has_date = date_key in cols and (start or end)
    out = []
    for r in rows:
        if states is not None and r["state"] not in states:
            continue
        if models is not None and r["model"] not in models:
            continue
        if has_date:
            d = _as_date(r[date_key])
            if d is None or (start and d < start) or (end and d > end):
                continue
        out.append(r)
    return out


def columns(rows: Rows) -> dict[str, list]:
    """Rows as a dict of columns."""
    if not rows:
        return {}
    return {k: [r[k] for r in rows] for k in rows[0]}
