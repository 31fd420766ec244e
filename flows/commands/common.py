"""What every `tracker` command shares: consoles, the --db option, result rendering, one-line failures."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from flows.config import default_db

console = Console(stderr=True, soft_wrap=True)  # progress, summaries and errors: one line each, never wrapped
out = Console()                 # results

DbOption = typer.Option(None, "--db", help="Warehouse file (default: data/warehouse.duckdb or $TRACKER_DB).")
FORMATS = ("table", "csv", "json")


def db_path(db: Path | None) -> Path:
    """The warehouse a command works on."""
    return Path(db) if db else default_db()


def db_file(db: Path | None) -> Path:
    """The warehouse a writing command works on, refused (exit 2) when --db or TRACKER_DB names a folder,
    before anything is done with it: the run lock would otherwise land beside the folder."""
    path = db_path(db)
    if path.is_dir():
        raise fail(f"{path}: a folder, not a warehouse file (--db or TRACKER_DB names the .duckdb file)", 2)
    return path


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error and return the Exit to raise."""
    console.print(f"[red]error[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=code)


def check_format(fmt: str) -> str:
    """The output format, or the Exit (code 2) that names the choices."""
    if fmt not in FORMATS:
        raise fail(f"--format must be table, csv or json, not {fmt!r}", 2)
    return fmt


def parse_day(text: str, option: str = "--date") -> date:
    """A YYYY-MM-DD option value as a date, or the Exit (code 2) that says what is wrong with it."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option} {text!r} is not a date (YYYY-MM-DD)", 2) from None


def _plain(v: object) -> object:
    if isinstance(v, date | datetime):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    return v


def render(columns: list[str], rows: list[tuple], fmt: str) -> str:
    """A result set as a table, CSV or JSON lines (one object per row)."""
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows([[_plain(v) for v in r] for r in rows])
        return buf.getvalue()
    if fmt == "json":
        return "".join(json.dumps(dict(zip(columns, r, strict=True)), default=str) + "\n" for r in rows)
    table = Table(show_header=True, header_style="bold")
    for c in columns:
        table.add_column(c, overflow="fold")  # a long value wraps in its cell; never cut to "…"
    for r in rows:
        table.add_row(*["" if v is None else str(_plain(v)) for v in r])
    with out.capture() as cap:
        out.print(table)
    return cap.get()
