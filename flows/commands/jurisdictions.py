"""CLI commands for the jurisdictions area."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `tracker` app."""
