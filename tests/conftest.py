"""Test-wide settings: Prefect and the data directory point into a temporary place, never ~/."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="tracker-tests-"))
os.environ.setdefault("PREFECT_HOME", str(_TMP / "prefect"))
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("TRACKER_DATA_DIR", str(_TMP / "data"))
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = REPO / "sample"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def bundled_warehouse(tmp_path_factory) -> Path:
    """A warehouse loaded from every bundled real file (ICE workbooks with their manifest, rosters)."""
    from warehouse.load import load_paths

    root = tmp_path_factory.mktemp("bundled")
    db = root / "warehouse.duckdb"
    report = load_paths(
        db,
        [SAMPLE / "ice_287g_archive", SAMPLE / "ice_287g"],
        manifest=SAMPLE / "ice_287g" / "manifest.csv",
        raw_root=root / "raw",
    )
    assert report.ok, [r.error for r in report.failed]
    return db
