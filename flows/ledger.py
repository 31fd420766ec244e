"""The run ledger and the run lock: every run recorded in `runs`, one pipeline run at a time.

Ledger: `recorded_run(db, flow, source)` writes a `running` row when a run starts and its outcome
(ok / partial / failed, items fetched, new raw files, snapshots loaded, one-line errors) when it
ends (`Run.decide_status` says which), each in its own short write: the warehouse lock is held for
milliseconds, never for the run.
A run whose process died (kill -9, power cut) stays `running` (`tracker status` shows it as
`interrupted` when its pid is gone) until the next run starts on the same host: that one marks it
`failed` ("interrupted: the process ended without finishing") and raises the usual alert.

Run lock: `run_lock(db)` takes an exclusive `fcntl.flock` on `run.lock` beside the warehouse (the
data directory by default). A second run either fails at once with `RunLocked` ("another run is in
progress (pid N since T)", exit code 75 = EX_TEMPFAIL in the CLI) or, with `wait=True`, waits for
it. The kernel drops the lock when the holder dies, so a crashed run never leaves a stale lock.
The lock is re-entrant within a process (the CLI takes it before Prefect starts, the flow again).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warehouse.db import interrupted, reader, writer

EX_TEMPFAIL = 75
LOCK_NAME = "run.lock"


class RunLocked(RuntimeError):
    """Another run holds the run lock."""


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# Run lock

_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, depth): this process's locks
_held_guard = threading.Lock()


def lock_path(db: Path | str) -> Path:
    """Where the run lock of a warehouse lives (beside it, in the data directory by default)."""
    return Path(db).resolve().parent / LOCK_NAME


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
        return f"pid {info.get('pid', '?')} since {info.get('since', '?')}"
    except (OSError, ValueError):
        return "pid ? since ?"


@contextlib.contextmanager
def run_lock(db: Path | str, *, wait: bool = False, timeout: float | None = None) -> Iterator[Path]:
    """Hold the run lock of `db` for the block; raise RunLocked (or wait) if another run has it."""
    path = lock_path(db)
    key = str(path)
    with _held_guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield path
        finally:
            with _held_guard:
                fd, depth = _held[key]
                _held[key] = (fd, depth - 1)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait or (deadline is not None and time.monotonic() >= deadline):
                    raise RunLocked(f"another run is in progress ({_holder(path)}); try again later") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                  "since": datetime.now(UTC).replace(microsecond=0).isoformat()}).encode(), 0)
        with _held_guard:
            _held[key] = (fd, 1)
        try:
            yield path
        finally:
            with _held_guard:
                _held.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# Ledger


@dataclass
class Run:
    """A run being recorded: fill in the counters; `recorded_run` writes them at the end."""

    run_id: str
    db: str
    flow: str
    source: str
    status: str | None = None  # decided at the end unless set: ok | partial | failed
    items_fetched: int | None = None
    new_raw_files: int | None = None
    snapshots_loaded: int | None = None
    errors: list[str] = field(default_factory=list)  # what went wrong getting the data in: the fetch, bad files
    later_errors: list[str] = field(default_factory=list)  # steps after the load: feeds, webhooks, dashboards
    fetch_failed: bool = False  # the source could not be fetched at all

    def decide_status(self) -> str:
        """`failed` when nothing was loaded and getting the data in went wrong (the fetch failed, the files
        were bad); `partial` when something went wrong but data was loaded, or when only a step after the
        load did (the source itself was read); `ok` otherwise, a run that found nothing new included."""
        if self.status:
            return self.status
        if self.fetch_failed or self.errors:
            return "partial" if self.snapshots_loaded else "failed"
        return "partial" if self.later_errors else "ok"


DIED = "interrupted: the process ended without finishing"


def start_run(db: Path | str, flow: str, source: str) -> Run:
    """Write a `running` row and return the run; first close the runs whose process died (one short write)."""
    run = Run(run_id=uuid.uuid4().hex, db=str(db), flow=flow, source=source)
    with writer(db) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            _fail_dead_runs(con)
            con.execute(
                "INSERT INTO runs (run_id, flow, source, started_at, status, host, pid) VALUES (?, ?, ?, ?, 'running', ?, ?)",
                [run.run_id, flow, source, _utcnow(), socket.gethostname(), os.getpid()],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return run


def _fail_dead_runs(con) -> None:
    """Mark `failed` (with an alert, as any failed run) the `running` rows of this host whose process no
    longer exists: killed with -9, or the machine went down. Runs of other hosts, and of live pids, are
    left alone: nothing here can tell whether they still run. `finished_at` is when this was noticed."""
    here = socket.gethostname()
    for run_id, flow, source, pid in con.execute(
            "SELECT run_id, flow, source, pid FROM runs WHERE status = 'running' AND host = ?", [here]).fetchall():
        if not _pid_alive(pid, here):
            con.execute("UPDATE runs SET status = 'failed', finished_at = ?, errors = ? WHERE run_id = ?",
                        [_utcnow(), [DIED], run_id])
            _alert_failed(con, run_id, flow, source, [DIED])


def _alert_failed(con, run_id: str, flow: str, source: str, errors: list[str]) -> None:
    raise_alert(con, "run_failed", source, run_id, f"{flow} run of {source} failed: " + ("; ".join(errors) or "no detail"))


def finish_run(run: Run) -> str:
    """Write the run's outcome (one short write, plus an alert when it failed). Returns the status."""
    status = run.decide_status()
    errors = [" ".join(str(e).split())[:500] for e in [*run.errors, *run.later_errors]]
    now = _utcnow()
    with writer(run.db) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                """UPDATE runs SET finished_at = ?, status = ?, items_fetched = ?, new_raw_files = ?,
                       snapshots_loaded = ?, errors = ? WHERE run_id = ?""",
                [now, status, run.items_fetched, run.new_raw_files, run.snapshots_loaded, errors, run.run_id],
            )
            if status == "failed":
                _alert_failed(con, run.run_id, run.flow, run.source, errors)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return status


@contextlib.contextmanager
def recorded_run(db: Path | str, flow: str, source: str) -> Iterator[Run]:
    """Record a run around the block; an exception marks it failed (and is re-raised)."""
    run = start_run(db, flow, source)
    try:
        yield run
    except BaseException as exc:
        run.status = "failed"
        run.errors.append("interrupted (Ctrl-C)" if interrupted(exc) else
                          f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        with contextlib.suppress(Exception):  # the original error matters more than the ledger's
            finish_run(run)
        raise
    finish_run(run)


def raise_alert(con, kind: str, source: str, subject: str | None, message: str) -> None:
    """Record an alert on an open connection (once: the same kind, subject and message are one alert)."""
    import hashlib

    alert_id = hashlib.md5(f"{kind}|{subject}|{message}".encode()).hexdigest()
    con.execute("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [alert_id, _utcnow(), kind, source, subject, message])


# ---------------------------------------------------------------------------------------------
# Reading the ledger


def _pid_alive(pid: int | None, host: str | None) -> bool:
    if not pid or (host and host != socket.gethostname()):
        return True  # cannot tell from here: assume it runs
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status_report(db: Path | str, failures: int = 5) -> dict:
    """Freshness per source, runs in progress and the last failures, read-only."""
    with reader(db) as con:
        cur = con.execute("SELECT * FROM source_freshness ORDER BY source")
        cols = [d[0] for d in cur.description]
        fresh = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        running = con.execute(
            "SELECT run_id, flow, source, started_at, pid, host FROM runs WHERE status = 'running' ORDER BY started_at"
        ).fetchall()
        failed = con.execute(
            """SELECT source, flow, coalesce(finished_at, started_at), status, errors FROM runs
               WHERE status IN ('failed', 'partial') ORDER BY started_at DESC LIMIT ?""", [failures]
        ).fetchall()
        quarantined = con.execute("SELECT count(*) FROM snapshots WHERE status = 'quarantined'").fetchone()[0]
    return {
        "sources": fresh,
        "running": [
            {"run_id": r[0], "flow": r[1], "source": r[2], "started_at": r[3], "pid": r[4],
             "state": "running" if _pid_alive(r[4], r[5]) else "interrupted"}
            for r in running
        ],
        "failures": [{"source": s, "flow": f, "at": t, "status": st, "errors": list(e or [])}
                     for s, f, t, st, e in failed],
        "quarantined": quarantined,
    }
