"""Prefect flows and tasks: parse archived raw files, clean them, resolve them, load the warehouse.

Importing this package sets safe Prefect defaults (start-up timeout, no analytics, a project-local
PREFECT_HOME) before anything imports prefect, because Prefect reads its settings at import time.
A user's own environment always wins.
"""

from flows.config import apply_prefect_defaults

apply_prefect_defaults()
