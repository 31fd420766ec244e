"""Shared fixtures for the sanctuary tests: the real-list fixture pages and loaded warehouses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sanctuary_paths import DHS_HTML, DOJ_HTML


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    """A sample folder holding the two fixture pages."""
    folder = tmp_path / "sample"
    folder.mkdir()
    shutil.copy(DHS_HTML, folder / DHS_HTML.name)
    shutil.copy(DOJ_HTML, folder / DOJ_HTML.name)
    return folder


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Path, Path, dict]:
    """A warehouse with the fixture lists and state laws loaded: (db, raw root, summary)."""
    from flows.sanctuary.load import ingest

    root = tmp_path_factory.mktemp("sanctuary")
    sample = root / "sample"
    sample.mkdir()
    shutil.copy(DHS_HTML, sample / DHS_HTML.name)
    shutil.copy(DOJ_HTML, sample / DOJ_HTML.name)
    summary = ingest(root / "w.duckdb", root / "raw", sample_dir=sample)
    return root / "w.duckdb", root / "raw", summary
