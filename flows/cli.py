"""The `tracker` command. Each area of the tracker registers its sub-commands from flows/commands/."""

from __future__ import annotations

import typer

import flows  # noqa: F401  (applies Prefect defaults before any prefect import)
from flows.commands import core, jurisdictions, news, ops, sanctuary

app = typer.Typer(
    help="Track 287(g) agreements and sanctuary policies: capture, clean, load, query, chart.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (core, jurisdictions, sanctuary, news, ops):
    module.register(app)


if __name__ == "__main__":
    app()
