"""Readers during a long write get the data or a clear busy message; a reader never holds the writer up for long."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.ops.conftest import PY, REPO, env_for, write_series
from warehouse.db import WarehouseBusy, reader, writer
from warehouse.load import load_paths

pytestmark = pytest.mark.slow

HOLD_WRITE = """
import sys, time
from warehouse.db import writer
with writer(sys.argv[1]) as con:
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT INTO load_errors VALUES ('x', 'long-write', 'held', now())")
    print("WRITING", flush=True)
    time.sleep(float(sys.argv[2]))
    con.execute("COMMIT")
"""

HOLD_READ = """
import sys, time
from warehouse.db import reader
with reader(sys.argv[1]) as con:
    con.execute("SELECT count(*) FROM snapshots").fetchone()
    print("READING", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _start(code: str, db, seconds: float, data, ready: str) -> subprocess.Popen:
    proc = subprocess.Popen([PY, "-c", code, str(db), str(seconds)], cwd=REPO, env=env_for(data),
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == ready
    return proc


def test_reader_during_a_long_write_gets_data_or_a_clear_busy_message(data):
    db = data / "warehouse.duckdb"
    assert load_paths(db, write_series(data / "in", 2, 20)).ok
    holder = _start(HOLD_WRITE, db, 4, data, "WRITING")
    try:
        with pytest.raises(WarehouseBusy, match="another process holds the warehouse"):
            with reader(db, wait_seconds=0.5):
                pass
        cli = subprocess.run([PY, "-m", "flows.cli", "sql", "SELECT count(*) AS n FROM load_errors", "--format", "csv",
                              "--db", str(db)], cwd=REPO, env=env_for(data), capture_output=True, text=True, timeout=90)
    finally:
        holder.wait(timeout=60)
    assert "Traceback" not in cli.stderr
    if cli.returncode == 0:
        assert cli.stdout.splitlines() == ["n", "1"]  # waited, then read the committed data
    else:
        assert cli.returncode == 75 and "another process holds the warehouse" in cli.stderr


def test_writer_waits_no_longer_than_the_reader_holds(data):
    db = data / "warehouse.duckdb"
    assert load_paths(db, write_series(data / "in", 2, 20)).ok
    hold = 1.5
    started = time.monotonic()
    holder = _start(HOLD_READ, db, hold, data, "READING")
    opened = time.monotonic() - started
    t0 = time.monotonic()
    with writer(db, wait_seconds=30) as con:
        waited = time.monotonic() - t0
        con.execute("SELECT 1")
    holder.wait(timeout=30)
    # The writer gets in once the reader closes: at most its remaining hold plus one retry step (≤ 1 s).
    assert waited < hold + 1.2, (waited, opened)
