"""CLI commands for the ICE lists: run, backfill, sql, dashboards, serve."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `tracker` app."""
