"""Interruptions (Ctrl-C) leave nothing running and nothing half-written behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.ops.conftest import PY, REPO, env_for

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
