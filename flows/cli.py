"""The `tracker` command. Each area of the tracker registers its sub-commands from flows/commands/."""

from __future__ import annotations

import functools
import inspect

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


def _guarded(callback):
    """The command with `ops.cli_errors` around it: a missing or busy warehouse, a bad manifest, a file
    that cannot be read or written end the command with one line and an exit code, not a traceback.
    A busy run lock suggests --wait only to the commands that have it."""
    wait_option = "wait" in inspect.signature(callback).parameters

    @functools.wraps(callback)
    def command(*args, **kwargs):
        with ops.cli_errors(wait_option=wait_option):
            return callback(*args, **kwargs)

    return command


for _info in [*app.registered_commands,
              *(c for group in app.registered_groups for c in group.typer_instance.registered_commands)]:
    _info.callback = _guarded(_info.callback)


if __name__ == "__main__":
    app()
