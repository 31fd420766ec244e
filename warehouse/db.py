"""Connections to the DuckDB warehouse: one writer at a time, readers strictly read-only.

DuckDB lets one process hold a file read-write; while it does, other processes cannot open it at
all. So the writer (a load) opens, writes and closes quickly, and every opener retries with backoff
on the lock error for a bounded time before failing with a clear message.

Schema changes are numbered SQL files in `warehouse/migrations/` (applied once each, recorded in
`schema_migrations`); views and macros are SQL files in `warehouse/sql/`, re-created after every
migration so that they always match the code.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

# DuckDB imports pandas on first use anyway (to check parameter types), and pyarrow.dataset when it
# first scans a registered Arrow table (0.02 s); importing them with this module makes that a
# start-up cost instead of a hidden cost of the first query or load of every process.
import pandas  # noqa: F401, I001
import pyarrow.dataset  # noqa: F401

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
VIEWS_DIR = PACKAGE_DIR / "sql"


class WarehouseBusy(RuntimeError):
    """The warehouse file stayed locked by another process for longer than we were willing to wait."""


class WarehouseMissing(FileNotFoundError):
    """A reader asked for a warehouse that has not been built yet."""


def interrupted(exc: BaseException) -> bool:
    """Whether an exception is Ctrl-C: Python's KeyboardInterrupt, or DuckDB's own (a SIGINT during a query
    stops the query and surfaces as `RuntimeError: Query interrupted`, not as KeyboardInterrupt)."""
    if isinstance(exc, KeyboardInterrupt | duckdb.InterruptException):
        return True
    return type(exc) is RuntimeError and str(exc).startswith("Query interrupted")


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "being used by another process" in text


def require(db_path: Path | str) -> Path:
    """The path of a warehouse that exists, else WarehouseMissing: for commands that only change an
    existing warehouse, so that a mistyped --db is an error instead of a new empty warehouse."""
    path = Path(db_path)
    if not path.exists():
        raise WarehouseMissing(f"{path}: no warehouse here yet (run `tracker run` or `tracker backfill` first)")
    return path


def connect(db_path: Path | str, *, read_only: bool = False, wait_seconds: float = 30.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, retrying while another process holds the write lock.

    Every connection works in UTC, whatever the machine's zone: the warehouse's TIMESTAMP columns
    hold UTC, and DuckDB turns a time-zone-aware value (a fetch time, `now()`) into one by the
    session's zone, which is the machine's unless set.
    """
    path = Path(db_path)
    if read_only:
        require(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    waited = 0.0
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            con.execute("SET TimeZone = 'UTC'")
            return con
        except duckdb.IOException as exc:
            if _is_lock_error(exc) and waited < 2.0 <= waited + delay:  # a short wait is normal; say a long one
                log.warning("%s is held by another process (a load, or an open `tracker sql` shell); "
                            "waiting up to %.0f s", path, wait_seconds)
            waited += delay
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise WarehouseBusy(
                        f"{path}: another process holds the warehouse (waited {wait_seconds:.0f}s); "
                        "try again when the running load has finished"
                    ) from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


@contextlib.contextmanager
def reader(db_path: Path | str, wait_seconds: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, closed on exit."""
    con = connect(db_path, read_only=True, wait_seconds=wait_seconds)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def writer(db_path: Path | str, wait_seconds: float = 300.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """The single read-write connection, with the schema brought up to date; closed on exit.

    Its checkpoints compress text by dictionary but not by FSST: analysing every string column for
    FSST took about 0.07 s of the 0.17 s commit of the bundled sample's backfill (measured), for a
    warehouse file only about a tenth smaller.

    Every commit is a checkpoint (`checkpoint_threshold` 0): a load's transaction goes straight into
    the database file instead of into the write-ahead log first and into the file again when the
    connection closes (closing checkpoints anyway, and each writer session is one transaction). The
    data is written once instead of twice (the bundled sample's commit and close: 0.14 → 0.12 s,
    medians of eight); only a session that applies migrations checkpoints twice.
    """
    con = connect(db_path, read_only=False, wait_seconds=wait_seconds)
    try:
        con.execute("SET disabled_compression_methods = 'fsst'")
        con.execute("SET checkpoint_threshold = '0b'")
        migrate(con)
        yield con
    finally:
        con.close()


def migration_files() -> list[Path]:
    """Numbered migration files, in order."""
    return sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql"))


def view_files() -> list[Path]:
    """View and macro definitions, in file-name order (later files may use earlier views)."""
    return sorted(VIEWS_DIR.glob("*.sql"))


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations and re-create every view, in one transaction. Returns what was applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
    )
    done = {r[0] for r in con.execute("SELECT name FROM schema_migrations").fetchall()}
    pending = [p for p in migration_files() if p.name not in done]
    con.execute("BEGIN TRANSACTION")
    try:
        for path in pending:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations VALUES (?, now())", [path.name])
        if pending or _views_stale(con):
            create_views(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return [p.name for p in pending]


def _views_signature() -> str:
    import hashlib

    h = hashlib.sha256()
    for path in view_files():
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _views_stale(con: duckdb.DuckDBPyConnection) -> bool:
    con.execute("CREATE TABLE IF NOT EXISTS schema_views (signature VARCHAR)")
    row = con.execute("SELECT signature FROM schema_views").fetchone()
    return row is None or row[0] != _views_signature()


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every view and macro from `warehouse/sql/`."""
    for path in view_files():
        con.execute(path.read_text(encoding="utf-8"))
    con.execute("CREATE TABLE IF NOT EXISTS schema_views (signature VARCHAR)")
    con.execute("DELETE FROM schema_views")
    con.execute("INSERT INTO schema_views VALUES (?)", [_views_signature()])
