"""CLI commands for the sanctuary area: load the lists and laws, status at a date, conflicts, compliance."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from flows.commands.common import check_format, fail, parse_day, render
from flows.commands.common import db_path as _db

sanctuary_app = typer.Typer(help="Sanctuary lists (DHS, DOJ) and state laws: load and query.", no_args_is_help=True)


FormatOption = typer.Option("csv", "--format", "-f", help="csv (default) | table | json")
LEVELS = ("state", "county")


def check_state(text: str) -> str:
    """A --state value as its upper-case USPS code, or the Exit (code 2) that names the codes."""
    from flows.jurisdictions import geography

    codes = sorted(s["state"] for s in geography.states())
    if text.strip().upper() not in codes:
        raise fail(f"--state must be a USPS code ({', '.join(codes)}), not {text!r}", 2)
    return text.strip().upper()


def check_level(text: str) -> str:
    """A --level value, or the Exit (code 2) that names the levels."""
    if text not in LEVELS:
        raise fail(f"--level must be {' or '.join(LEVELS)}, not {text!r}", 2)
    return text


def _show_macro(db: Path | None, fmt: str, macro: str, on: str | None, where: str = "",
                params: list | None = None) -> None:
    """Run one of the sanctuary table macros on a date (default today), read-only, and print it."""
    from flows.sanctuary.queries import agreements_list_note, run_macro
    from warehouse.db import reader

    check_format(fmt)
    day = parse_day(on) if on else date.today()
    with reader(_db(db)) as con:
        cols, rows = run_macro(con, macro, day, where, params or [])
    _print(cols, rows, fmt)
    note = agreements_list_note(cols, rows, day)
    if note:
        typer.echo(note, err=True)


def _print(cols: list[str], rows: list[tuple], fmt: str = "csv") -> None:
    typer.echo(render(cols, rows, fmt), nl=False)
    typer.echo(f"({len(rows)} rows)", err=True)


@sanctuary_app.command("load")
def load_cmd(
    live: bool = typer.Option(False, "--live", help="crawl the DHS and DOJ pages (web archive) first"),
    db: Path = typer.Option(None, "--db", help="warehouse file"),
    raw: Path = typer.Option(None, "--raw", help="raw archive root"),
) -> None:
    """Archive, parse and load the federal sanctuary lists and the state-law table."""
    from flows.config import raw_dir
    from flows.sanctuary.load import ingest

    summary = ingest(_db(db), raw or raw_dir(), live=live)
    summary.pop("raw_sha256", None)
    typer.echo(json.dumps(summary, indent=2, default=str))
    if summary["errors"]:
        raise typer.Exit(1)


@sanctuary_app.command("status")
def status_cmd(
    on: str = typer.Option(..., "--date", help="yyyy-mm-dd"),
    state: str = typer.Option(None, "--state", help="USPS code, e.g. FL"),
    level: str = typer.Option(None, "--level", help="state | county"),
    db: Path = typer.Option(None, "--db"),
    fmt: str = FormatOption,
) -> None:
    """Every state and county on a date: agreements by model, lists naming it, laws in force.

    Rows come by state (its own row first, then its counties by name)."""
    where, params = [], []
    if state is not None:
        where.append("state = ?")
        params.append(check_state(state))
    if level is not None:
        where.append("level = ?")
        params.append(check_level(level))
    _show_macro(db, fmt, "jurisdiction_status", on, " AND ".join(where), params)


@sanctuary_app.command("conflicts")
def conflicts_cmd(
    on: str = typer.Option(None, "--date", help="yyyy-mm-dd (default: today)"),
    db: Path = typer.Option(None, "--db"),
    fmt: str = FormatOption,
) -> None:
    """Jurisdictions named on a sanctuary list while holding an active 287(g) agreement."""
    _show_macro(db, fmt, "sanctuary_conflicts", on)


@sanctuary_app.command("compliance")
def compliance_cmd(
    on: str = typer.Option(None, "--date", help="yyyy-mm-dd (default: today)"),
    state: str = typer.Option(None, "--state", help="FL or TX"),
    db: Path = typer.Option(None, "--db"),
    fmt: str = FormatOption,
) -> None:
    """Counties of states that mandate 287(g): who holds an agreement, against the deadline."""
    code = check_state(state) if state is not None else None
    _show_macro(db, fmt, "mandate_compliance", on, "state = ?" if code else "", [code] if code else [])


@sanctuary_app.command("banned")
def banned_cmd(
    on: str = typer.Option(None, "--date", help="yyyy-mm-dd (default: today)"),
    db: Path = typer.Option(None, "--db"),
    fmt: str = FormatOption,
) -> None:
    """Agreements active in a state whose law bans 287(g)."""
    _show_macro(db, fmt, "banned_agreements", on)


@sanctuary_app.command("unresolved")
def unresolved_cmd(db: Path = typer.Option(None, "--db"), fmt: str = FormatOption) -> None:
    """Listings not resolved to a FIPS jurisdiction, with the reason."""
    from warehouse.db import reader

    check_format(fmt)
    with reader(_db(db)) as con:
        cur = con.execute(
            "SELECT list_id, state, level, name_as_printed, unresolved_reason FROM sanctuary_listings "
            "WHERE unresolved_reason IS NOT NULL ORDER BY list_id, state, name_as_printed"
        )
        _print([d[0] for d in cur.description], cur.fetchall(), fmt)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `tracker` app."""
    app.add_typer(sanctuary_app, name="sanctuary")
