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


@pytest.fixture(scope="module")
def bundled_con(bundled_warehouse):
    """A read-only connection to the bundled warehouse, shared by a module's tests."""
    import duckdb

    con = duckdb.connect(str(bundled_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture
def network_down(monkeypatch) -> str:
    """Every HTTP(S) request of a spider started from the test goes to a loopback proxy port nobody
    listens on (Scrapy reads the proxy from the environment), and is not retried: a live crawl fails
    at once, offline."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{s.getsockname()[1]}"  # closed when the block ends: connections are refused
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(var, proxy)
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TRACKER_CRAWL_RETRIES", "0")
    return proxy


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
