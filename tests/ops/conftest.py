"""Helpers for the operations tests: synthetic workbooks on disk, loads, table checksums, subprocess env."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest

from bench import synth

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable


def write_series(folder: Path, n: int, rows: int, **kw) -> list[Path]:
    """Write a synthetic series of participating lists into folder; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, body in synth.series(n, rows, **kw):
        p = folder / name
        p.write_bytes(body)
        paths.append(p)
    return paths


def write_list(folder: Path, as_of: date, rows: list[tuple], *, kind: str = "participating", header=synth.HEADER,
               suffix: str = "am") -> Path:
    """One workbook with the given rows, named like ICE's files."""
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / synth.file_name(kind, as_of, suffix)
    p.write_bytes(synth.workbook(rows, header=header))
    return p


def rows_for(n: int, signed: date = date(2025, 1, 15), start: int = 0) -> list[tuple]:
    return [synth.agency_row(i, i, signed) for i in range(start, start + n)]


def table_checksums(db: Path, *, ledger: bool = True) -> dict[str, tuple]:
    """Row count and an order-independent hash of every base table (without the `runs` ledger, which
    records every attempt, failed ones included, when `ledger` is false)."""
    from warehouse.db import reader

    with reader(db) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "ORDER BY 1, 2").fetchall()
        return {f"{s}.{t}": con.execute(f'SELECT count(*), sum(hash(x)) FROM "{s}"."{t}" x').fetchone()
                for s, t in tables if ledger or t != "runs"}


def env_for(tmp: Path, **extra: str) -> dict[str, str]:
    """Environment for a `tracker` subprocess whose data lives under tmp."""
    env = dict(os.environ)
    env.update(TRACKER_DATA_DIR=str(tmp), PREFECT_HOME=str(tmp / "prefect"), TRACKER_DB=str(tmp / "warehouse.duckdb"))
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "TRACKER_WEBHOOKS"):
        env.pop(var, None)
    env.update(extra)
    return env


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A fresh data dir (raw archive, warehouse) for one test, set in the environment."""
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TRACKER_DB", raising=False)
    monkeypatch.delenv("TRACKER_RAW_DIR", raising=False)
    monkeypatch.delenv("TRACKER_WEBHOOKS", raising=False)
    monkeypatch.setenv("TRACKER_WEBHOOKS_FILE", str(tmp_path / "no-webhooks.txt"))
    monkeypatch.delenv("TRACKER_QUALITY_MAX_DROP", raising=False)
    return tmp_path
