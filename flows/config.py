"""Where things live: the data directory, the raw archive, the warehouse file, the site.

Every path can be moved with an environment variable (TRACKER_DATA_DIR, TRACKER_DB) or a CLI flag;
nothing else in the project hard-codes a location.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "sample"


class SettingError(ValueError):
    """A setting (an environment variable) holds a value the tracker cannot use; the message is one line
    that names the variable, the value and the accepted form."""


def data_dir() -> Path:
    """The data directory (git-ignored): raw archive, feeds, warehouse, site."""
    return Path(os.environ.get("TRACKER_DATA_DIR", PROJECT_ROOT / "data"))


def raw_dir() -> Path:
    """Root of the content-addressed raw archive."""
    return Path(os.environ.get("TRACKER_RAW_DIR", data_dir() / "raw"))


def default_db() -> Path:
    """The warehouse file used when no --db is given."""
    return Path(os.environ.get("TRACKER_DB", data_dir() / "warehouse.duckdb"))


def site_dir() -> Path:
    """Where the static dashboards are written."""
    return data_dir() / "site"


def feeds_dir() -> Path:
    """Where spider runs write their JSON-lines feeds."""
    return data_dir() / "feeds"


def apply_prefect_defaults() -> None:
    """Set Prefect settings measured to work on small shared machines, unless the user set them."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_HOME", str(data_dir() / "prefect"))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The ephemeral server's SQLite file lives in PREFECT_HOME; Prefect does not create the folder, and a
    # missing folder makes the server exit and restart in a loop until the start-up timeout. A data dir
    # that cannot be written is left for the command that writes to report (one line, not an import
    # error that would break even `tracker --help`).
    with contextlib.suppress(OSError):
        Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
