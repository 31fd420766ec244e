"""CLI commands for the jurisdictions area: `tracker jurisdictions [--unresolved]`."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path

import typer


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `tracker` app."""

    @app.command("jurisdictions")
    def jurisdictions(
        unresolved: bool = typer.Option(False, "--unresolved", help="List the agencies that could not be resolved, with the reason."),
        db: Path | None = typer.Option(None, "--db", help="Warehouse file (default: TRACKER_DB or data/warehouse.duckdb)."),
        fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
    ) -> None:
        """Resolution of agencies to states and counties: the rate and per-level counts, or what failed."""
        from flows.config import default_db
        from flows.jurisdictions import report
        from warehouse.db import WarehouseMissing, reader

        try:
            with reader(db or default_db()) as con:
                data = report.unresolved(con) if unresolved else report.resolution_summary(con)
        except WarehouseMissing as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from exc
        if unresolved:
            _print_rows(data, fmt)
        else:
            _print_summary(data, fmt)

    def _print_rows(rows: list[dict], fmt: Format) -> None:
        from flows.commands.common import render

        cols = ["state", "agency_name", "level", "rows", "first_listed", "last_listed", "reason", "agency_id"]
        if fmt is Format.table:
            cols = cols[:-1]
            typer.echo(f"{len(rows)} unresolved agencies")
        typer.echo(render(cols, [tuple(r.get(c) for c in cols) for r in rows], fmt.value), nl=False)

    def _print_summary(summary: dict, fmt: Format) -> None:
        if fmt is Format.json:
            typer.echo(json.dumps(summary, indent=2))
            return
        if fmt is Format.csv:
            writer = csv.writer(sys.stdout)
            writer.writerow(["kind", "key", "value"])
            for key in ("agencies", "agencies_resolved", "agency_rate", "rows", "rows_resolved", "row_rate", "unresolved"):
                writer.writerow(["total", key, summary[key]])
            for kind in ("levels", "methods"):
                for key, value in summary[kind].items():
                    writer.writerow([kind[:-1], key, value])
            return
        rate = summary["row_rate"]
        typer.echo(f"agencies: {summary['agencies']}, resolved {summary['agencies_resolved']} "
                   f"({(summary['agency_rate'] or 0):.2%}); agreement rows resolved: "
                   f"{summary['rows_resolved']} of {summary['rows']} ({(rate or 0):.2%}); unresolved agencies: "
                   f"{summary['unresolved']} (see --unresolved)")
        typer.echo("per level:  " + ", ".join(f"{k} {v}" for k, v in summary["levels"].items()))
        typer.echo("per method: " + ", ".join(f"{k} {v}" for k, v in summary["methods"].items()))
