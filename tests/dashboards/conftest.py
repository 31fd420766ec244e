"""Fixtures of the dashboard tests: one warehouse loaded from the bundled archive, one built site."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample" / "ice_287g"
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    """The real bundled history (every sample ICE list and the 2007-2017 rosters, as `make run` loads them)."""
    from warehouse.load import load_paths

    base = tmp_path_factory.mktemp("dash-warehouse")
    db = base / "warehouse.duckdb"
    load_paths(db, [SAMPLE.parent / "ice_287g_archive", SAMPLE], manifest=SAMPLE / "manifest.csv",
               raw_root=base / "raw")
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
