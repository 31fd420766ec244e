"""CLI commands for operations: status, quarantine, reprocess, alerts; and one-line errors for all commands.

`cli_errors()` turns the failures an operator can meet (another run holds the lock, the warehouse is
busy or missing, a full disk or read-only data dir, a bad manifest or setting, Ctrl-C) into one line
on stderr and an exit code: 75 (EX_TEMPFAIL) for "try again later" (run lock, busy warehouse), 2 for
a bad manifest or setting, 130 for Ctrl-C, 1 otherwise. `flows.cli` puts it
around every command, so no command needs its own.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from flows.commands.common import DbOption, console, db_file, out
from flows.commands.common import db_path as _db
from flows.commands.common import fail as _fail

EX_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
INTERRUPTED = "interrupted: the write in progress, if any, was rolled back; nothing half-done was stored"


@contextlib.contextmanager
def cli_errors(*, wait_option: bool = False) -> Iterator[None]:
    """Report lock, busy, missing-warehouse and disk errors as one line and a non-zero exit code.
    `wait_option`: the command has --wait, so a busy run lock suggests it."""
    import duckdb

    from flows.config import SettingError
    from flows.ledger import EX_TEMPFAIL, RunLocked
    from flows.snapshot_identity import ManifestError
    from warehouse.db import WarehouseBusy, WarehouseMissing, interrupted

    try:
        yield
    except (ManifestError, SettingError) as exc:  # bad input or configuration: say which and why
        raise _fail(str(exc), 2) from None
    except RunLocked as exc:
        raise _fail(str(exc) + (" or pass --wait" if wait_option else ""), EX_TEMPFAIL) from None
    except WarehouseBusy as exc:
        raise _fail(str(exc), EX_TEMPFAIL) from None
    except WarehouseMissing as exc:
        raise _fail(str(exc), 1) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise _fail(f"disk full writing {exc.filename or 'the data directory'} ({exc.strerror}); nothing was stored by this step — "
                        "free space and run again", 1) from None
        if exc.errno == errno.EROFS:
            raise _fail(f"cannot write {exc.filename or 'the data directory'}: {exc.strerror} "
                        "(a read-only data dir?)", 1) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise _fail(f"{exc.filename or 'the data directory'}: {exc.strerror} "
                        "(check who may read and write this file or folder)", 1) from None
        if exc.filename and exc.strerror:  # FileNotFoundError, IsADirectoryError …: the file and the reason
            raise _fail(f"{exc.filename}: {exc.strerror}", 1) from None
        raise _fail(f"{type(exc).__name__}: {exc}", 1) from None
    except (duckdb.IOException, duckdb.FatalException) as exc:  # Fatal: a checkpoint that could not be written
        line = str(exc).splitlines()[0]
        hint = " (disk full?)" if "space" in line.lower() else (" (read-only data dir?)" if "read-only" in line.lower() else "")
        raise _fail(f"warehouse I/O error: {line}{hint}", 1) from None
    except BaseException as exc:
        if interrupted(exc):  # Ctrl-C: every write is one transaction, and the open one was rolled back
            raise _fail(INTERRUPTED, EX_INTERRUPTED) from None
        raise


def _ago(ts: datetime | None) -> str:
    if ts is None:
        return "never"
    delta = datetime.now(UTC).replace(tzinfo=None) - ts
    hours = delta.total_seconds() / 3600
    return f"{ts:%Y-%m-%d %H:%M} UTC ({hours:.0f} h ago)" if hours < 72 else f"{ts:%Y-%m-%d %H:%M} UTC ({hours / 24:.0f} d ago)"


def status(
    failures: int = typer.Option(5, "--failures", min=0, help="How many recent failed or partial runs to show."),
    db: Path | None = DbOption,
) -> None:
    """Freshness per source (last successful run, last fetch) and the last failures."""
    from flows.ledger import status_report

    report = status_report(_db(db), failures=failures)
    table = Table(title=f"Sources in {_db(db)}", show_header=True)
    for col in ("source", "last run", "last success", "last fetch", "last failure", "runs", "failed"):
        table.add_column(col)
    for s in report["sources"]:
        table.add_row(s["source"], s["last_status"] or "-", _ago(s["last_success_at"]), _ago(s["last_fetch_at"]),
                      _ago(s["last_failure_at"]), str(s["runs"]), str(s["failed_runs"]))
    out.print(table)
    for r in report["running"]:
        out.print(f"{r['state']}: {r['flow']} ({r['source']}) since {r['started_at']:%Y-%m-%d %H:%M} UTC, pid {r['pid']}",
                  highlight=False)
    if report["quarantined"]:
        out.print(f"{report['quarantined']} snapshot(s) quarantined: see `tracker quarantine list`", highlight=False)
    if report["failures"]:
        out.print("Last failures:")
        for f in report["failures"]:
            errors = "; ".join(f["errors"]) or "(no detail)"
            out.print(f"  {f['at']:%Y-%m-%d %H:%M:%S} UTC  {f['source']} ({f['flow']}, {f['status']}): {errors}",
                      highlight=False, soft_wrap=True)
    else:
        out.print("No failed runs recorded.")


quarantine_app = typer.Typer(help="Snapshots the quality gate held back: list them, release one.", no_args_is_help=True)


@quarantine_app.command("list")
def quarantine_list(db: Path | None = DbOption) -> None:
    """Quarantined snapshots with the reasons (their raw files and rows are kept)."""
    from warehouse.db import reader

    with reader(_db(db)) as con:
        rows = con.execute(
            """SELECT s.sha256, s.file_name, s.list_kind, s.as_of, s.row_count, f.parse_error
               FROM snapshots s LEFT JOIN raw_files f USING (sha256)
               WHERE s.status = 'quarantined' ORDER BY s.as_of, s.file_name""").fetchall()
    if not rows:
        out.print("No snapshot is quarantined.")
        return
    for sha, name, kind, as_of, n, why in rows:
        out.print(f"{sha[:16]}  {as_of}  {kind:<13} {n:>5} rows  {name}\n    {why}", highlight=False, soft_wrap=True)


@quarantine_app.command("release")
def quarantine_release(
    sha: str = typer.Argument(..., help="sha256 (or a unique prefix, at least 8 characters) of the raw file to release."),
    reason: str | None = typer.Option(None, "--reason", help="Why the snapshot is fine (kept with it)."),
    db: Path | None = DbOption,
) -> None:
    """Publish a quarantined snapshot after review (rebuilds the derived tables in the same transaction)."""
    from flows.derive import derive_all
    from flows.ledger import run_lock
    from flows.quality import PrefixError, release
    from warehouse.db import require, writer

    path = require(db_file(db))
    try:
        with run_lock(path), writer(path) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                ids = release(con, sha, reason)
                if ids:
                    derive_all(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
    except PrefixError as exc:  # a prefix too short, not hex, or matching several files
        raise _fail(str(exc), 2) from None
    if not ids:
        raise _fail(f"{sha}: no quarantined snapshot matches", 1)
    console.print(f"released {len(ids)} snapshot(s): {', '.join(i[:16] for i in ids)}", highlight=False)


def reprocess_cmd(
    shas: list[str] = typer.Argument(None, help="sha256s (or unique prefixes, at least 8 characters) of raw files to re-parse."),
    all_files: bool = typer.Option(False, "--all", help="Re-parse every archived raw file."),
    db: Path | None = DbOption,
) -> None:
    """Re-parse archived raw files (after a parser fix) through the normal loader and quality gate."""
    from flows.commands.core import print_load_report
    from flows.ledger import recorded_run, run_lock
    from flows.quality import NoMatch, PrefixError, check_settings
    from flows.reprocess import reprocess, resolve
    from warehouse.db import require

    if not shas and not all_files:
        raise _fail("name raw files by sha256 or pass --all", 2)
    path = require(db_file(db))
    check_settings()  # the gate's settings, before the run is recorded
    try:  # every named file, exactly, before anything is locked, recorded or re-parsed
        files = None if all_files else resolve(path, shas)
    except PrefixError as exc:  # too short, not hex, or several files: as `tracker quarantine release`
        raise _fail(str(exc), 2) from None
    except NoMatch as exc:
        raise _fail(str(exc), 1) from None
    with run_lock(path), recorded_run(path, "reprocess", "reprocess") as run:
        report, errors = reprocess(path, files)
        run.snapshots_loaded = len(report.loaded)
        run.errors += errors + [r.error for r in report.failed]
    print_load_report(report, title=f"Reprocessed in {path}")
    for err in errors:
        console.print(f"[red]error[/red] {err}", highlight=False, soft_wrap=True)
    if errors or not report.ok:
        raise typer.Exit(code=1)


def alerts_cmd(
    site: Path | None = typer.Option(None, "--site", help="Site folder to write feeds/ into (default data/site)."),
    wait: bool = typer.Option(False, "--wait", help="Wait for a run in progress instead of exiting with code 75."),
    db: Path | None = DbOption,
) -> None:
    """Write the Atom feeds and send new events to the configured webhooks (as the pipeline does)."""
    from flows.alerts import publish
    from flows.config import site_dir
    from flows.ledger import run_lock
    from warehouse.db import reader, require

    path = require(db_file(db))
    with reader(path):  # a file DuckDB cannot read is cli_errors' one line, not a summary of nothing
        pass
    with run_lock(path, wait=wait):  # one delivery at a time: never the same events twice
        result = publish(path, site or site_dir())
    done = []  # only the steps that worked are summed up; the others are their error lines
    if "feeds" in result:
        feeds = result["feeds"]
        done.append(f"feeds: {feeds['all']} events in all.atom, {feeds['states']} state feeds in {feeds['dir']}")
    if "webhooks" in result:
        hooks = result["webhooks"]
        done.append(f"webhooks: {hooks['urls']} URL(s), {hooks['sent']} events sent, {hooks['baseline']} marked as baseline")
    if done:
        console.print("; ".join(done), highlight=False)
    for err in result["errors"]:
        console.print(f"[red]error[/red] {err}", highlight=False, soft_wrap=True)
    if result["errors"]:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `tracker` app."""
    app.command()(status)
    app.add_typer(quarantine_app, name="quarantine")
    app.command(name="reprocess")(reprocess_cmd)
    app.command(name="alerts")(alerts_cmd)
