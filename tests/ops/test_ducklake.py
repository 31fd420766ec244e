"""Scale-out smoke test: the warehouse's tables copy into a DuckLake (SQLite catalog, Parquet data), offline.

Needs the optional packages duckdb-extension-ducklake and duckdb-extension-sqlite_scanner (==1.5.5,
matching duckdb); skipped without them. See docs/operations.md.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest

from tests.ops.conftest import write_series
from warehouse.load import load_paths

NEEDED = ("duckdb_extension_ducklake", "duckdb_extension_sqlite_scanner")


def _extension(package: str, name: str) -> str:
    spec = importlib.util.find_spec(package)
    return str(Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension")


@pytest.mark.skipif(any(importlib.util.find_spec(p) is None for p in NEEDED), reason="ducklake extension not installed")
def test_warehouse_tables_copy_into_a_ducklake(data):
    db = data / "warehouse.duckdb"
    assert load_paths(db, write_series(data / "in", 3, 40)).ok
    lake = data / "lake"
    lake.mkdir()
    con = duckdb.connect()
    for package, name in (("duckdb_extension_ducklake", "ducklake"), ("duckdb_extension_sqlite_scanner", "sqlite_scanner")):
        con.execute(f"INSTALL '{_extension(package, name)}'")
        con.execute(f"LOAD {name}")
    con.execute(f"ATTACH 'ducklake:sqlite:{lake / 'catalog.sqlite'}' AS lake (DATA_PATH '{lake / 'data'}/')")
    con.execute(f"ATTACH '{db}' AS wh (READ_ONLY)")
    for table in ("snapshots", "snapshot_rows", "agreements"):
        con.execute(f"CREATE TABLE lake.{table} AS SELECT * FROM wh.{table}")
        assert con.execute(f"SELECT count(*) FROM lake.{table}").fetchone() == con.execute(
            f"SELECT count(*) FROM wh.{table}").fetchone()
    con.close()
    assert list((lake / "data").rglob("*.parquet"))
    reopened = duckdb.connect()
    reopened.execute("LOAD ducklake")
    reopened.execute("LOAD sqlite_scanner")
    reopened.execute(f"ATTACH 'ducklake:sqlite:{lake / 'catalog.sqlite'}' AS lake (READ_ONLY)")
    assert reopened.execute("SELECT count(*) FROM lake.snapshots").fetchone()[0] == 3
