"""Interruptions (Ctrl-C) leave nothing running and nothing half-written behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ops.conftest import PY, REPO, env_for, table_checksums, write_series
from warehouse.db import reader
from warehouse.load import load_paths

# The real flows.crawl.run_spider, with the crawl's interpreter replaced by FAKE_CRAWL: a "spider" that
# starts a child of its own, notes SIGTERM without stopping, and would run for minutes.
DRIVE_RUN_SPIDER = """
import sys, types
from pathlib import Path
import flows.crawl as c
c.sys = types.SimpleNamespace(executable=sys.argv[1])
c.STOP_GRACE = 0.5
c.run_spider("ice_287g", live=True, raw_root=Path(sys.argv[2]), feed_path=Path(sys.argv[3]))
"""

FAKE_CRAWL = """#!{python}
import os, signal, subprocess, time
signal.signal(signal.SIGTERM, lambda *_: open(os.environ["FAKE_TERMED"], "a").write("TERM\\n"))
child = subprocess.Popen(["sleep", "300"])
with open(os.environ["FAKE_PIDS"] + ".tmp", "w") as fh:
    fh.write(f"{{os.getpid()}} {{child.pid}}")
os.rename(os.environ["FAKE_PIDS"] + ".tmp", os.environ["FAKE_PIDS"])
while True:
    time.sleep(0.1)
"""


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(predicate, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_ctrl_c_while_a_crawl_runs_stops_the_crawl_and_what_it_started(tmp_path):
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE_CRAWL.format(python=sys.executable))
    fake.chmod(0o755)
    pids_file, termed = tmp_path / "pids", tmp_path / "termed"
    env = env_for(tmp_path, FAKE_PIDS=str(pids_file), FAKE_TERMED=str(termed))
    driver = subprocess.Popen([PY, "-c", DRIVE_RUN_SPIDER, str(fake), str(tmp_path / "raw"),
                               str(tmp_path / "feeds" / "ice.jsonl")], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    pids: list[int] = []
    try:
        assert _wait_for(pids_file.exists), driver.stderr.read() if driver.poll() is not None else "no crawl"
        pids = [int(p) for p in pids_file.read_text().split()]
        assert all(map(_running, pids))
        driver.send_signal(signal.SIGINT)
        _, stderr = driver.communicate(timeout=60)
        assert "KeyboardInterrupt" in stderr  # the interruption goes on after the crawl is stopped
        assert termed.read_text() == "TERM\n"  # asked politely first
        assert _wait_for(lambda: not any(map(_running, pids)), 10), "the crawl outlived the interrupted run"
    finally:
        for pid in pids:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        if driver.poll() is None:
            driver.kill()


# The real `tracker backfill`, held inside its load transaction after the derive: in a long DuckDB
# query (where Ctrl-C becomes DuckDB's `RuntimeError: Query interrupted`) or in Python code.
HOLD_IN_DERIVE = """
import sys, threading, time
import flows.derive as d
real = d.derive_all
def held(con):
    real(con)
    # Said once the hold has begun (DuckDB lets other threads run while it executes a query).
    threading.Timer(0.3, lambda: print("IN_TRANSACTION", flush=True)).start()
    if sys.argv[1] == "query":  # on one thread DuckDB checks for Ctrl-C between its tasks, so it always sees it
        con.execute("SET threads = 1")
        con.execute("SELECT sum(a.range * b.range) FROM range(100000000) a, range(100000) b").fetchone()
    else:
        time.sleep(120)
d.derive_all = held
from flows.cli import app
app(sys.argv[2:])
"""


@pytest.mark.parametrize("where", ["query", "python"])
def test_ctrl_c_during_a_backfill_is_one_line_exit_130_and_rolls_the_load_back(data, where):
    db = data / "warehouse.duckdb"
    assert load_paths(db, write_series(data / "seed", 2, 20)).ok
    before = table_checksums(db, ledger=False)
    batch = write_series(data / "batch", 3, 20, start=__import__("datetime").date(2025, 6, 2), seed=3)
    proc = subprocess.Popen([PY, "-c", HOLD_IN_DERIVE, where, "backfill", *map(str, batch), "--db", str(db)], cwd=REPO,
                            env=env_for(data), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "IN_TRANSACTION"
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert [ln for ln in stderr.splitlines() if ln.strip()] == [
        "error interrupted: the write in progress, if any, was rolled back; nothing half-done was stored"]
    after = table_checksums(db, ledger=False)
    assert {t: c for t, c in after.items() if t != "main.alerts"} == {t: c for t, c in before.items() if t != "main.alerts"}
    with reader(db) as con:  # the ledger tells what happened
        assert con.execute("SELECT status, errors FROM runs WHERE flow = 'backfill'").fetchall() == [
            ("failed", ["interrupted (Ctrl-C)"])]
        assert con.execute("SELECT kind FROM alerts").fetchall() == [("run_failed",)]
