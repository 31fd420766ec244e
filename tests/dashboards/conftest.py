"""Fixtures of the dashboard tests: one warehouse loaded from the bundled archive, one built site."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    """The real bundled history (every sample ICE list and the 2007-2017 rosters), loaded by the task
    `make run` loads them with."""
    from flows.pipeline import load_bundled_archive

    base = tmp_path_factory.mktemp("dash-warehouse")
    db = base / "warehouse.duckdb"
    assert load_bundled_archive.fn(str(db), str(base / "raw"))["failed"] == []
    return db


@pytest.fixture(scope="session")
def built_site(warehouse, tmp_path_factory) -> dict:
    """The static site built from that warehouse, with its build time."""
    from dashboards.site import build_site

    out = tmp_path_factory.mktemp("dash-site")
    started = time.perf_counter()
    index = build_site(warehouse, out)
    return {"dir": out, "index": index, "seconds": time.perf_counter() - started}


@pytest.fixture
def writable_copy(warehouse, tmp_path) -> Path:
    """A private copy of the warehouse a test may change."""
    dst = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, dst)
    return dst
