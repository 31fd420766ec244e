"""Faults with real processes (loopback only): kill -9 mid-load, a full disk, a read-only data dir, a failed crawl.

Crawl faults themselves (HTTP 500s, timeouts, dropped connections, a 404 for a vanished file,
oversized bodies) are tested against a loopback server in tests/spiders/test_crawl.py; here the
pipeline meets a crawl that fails and must record it and keep everything else.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.ops.conftest import PY, REPO, env_for, table_checksums, write_series
from warehouse.db import reader
from warehouse.load import load_paths

pytestmark = pytest.mark.slow

# Runs the real `tracker backfill`, but pauses inside the load transaction (after every snapshot row
# is written, after derive) and says so, so the test can kill -9 at exactly that point.
PAUSE_IN_TRANSACTION = """
import sys, time
import flows.derive as d
real = d.derive_all
def paused(con):
    real(con)
    print("IN_TRANSACTION", flush=True)
    time.sleep(120)
d.derive_all = paused
from flows.cli import app
app(sys.argv[1:])
"""


def _tracker(data: Path, *args: str, timeout: float = 120, **env) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "flows.cli", *args], cwd=REPO, env=env_for(data, **env), capture_output=True,
                          text=True, timeout=timeout)


def _seed(data: Path) -> Path:
    db = data / "warehouse.duckdb"
    assert load_paths(db, write_series(data / "seed", 3, 50)).ok
    return db


def test_kill_9_mid_transaction_leaves_the_warehouse_as_before(data):
    db = _seed(data)
    before = table_checksums(db, ledger=False)
    batch = data / "batch"
    write_series(batch, 30, 400, start=__import__("datetime").date(2025, 6, 2), seed=11)
    proc = subprocess.Popen([PY, "-c", PAUSE_IN_TRANSACTION, "backfill", str(batch), "--db", str(db)], cwd=REPO,
                            env=env_for(data), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().strip() == "IN_TRANSACTION"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert table_checksums(db, ledger=False) == before  # nothing of the half-done load is visible
    with reader(db) as con:  # the ledger shows the attempt that never finished
        assert con.execute("SELECT status FROM runs WHERE flow = 'backfill' ORDER BY started_at DESC LIMIT 1"
                           ).fetchone() == ("running",)
    done = _tracker(data, "backfill", str(batch), "--db", str(db))
    assert done.returncode == 0, done.stderr
    with reader(db) as con:
        assert con.execute("SELECT count(*) FROM snapshots WHERE status = 'published'").fetchone()[0] == 33


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({res.stderr.decode().strip()})")


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_full_disk_is_one_clear_line_and_loses_nothing(tmp_path):
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "32m")
    try:
        db = disk / "warehouse.duckdb"
        seed = write_series(tmp_path / "seed", 2, 30)
        first = _tracker(disk, "backfill", *map(str, seed), "--db", str(db))
        assert first.returncode == 0, first.stderr
        before = table_checksums(db, ledger=False)
        st = os.statvfs(disk)
        (disk / "filler").write_bytes(b"\0" * (st.f_bavail * st.f_frsize - 300 * 1024))  # leave ~300 KiB
        big = write_series(tmp_path / "big", 40, 600, seed=5)  # far more than the free space
        full = _tracker(disk, "backfill", *map(str, big), "--db", str(db))
        assert full.returncode == 1
        errors = [ln for ln in full.stderr.splitlines() if ln.startswith("error")]
        assert len(errors) == 1 and ("disk full" in errors[0] or "space" in errors[0].lower()), full.stderr
        assert "Traceback" not in full.stderr
        assert table_checksums(db, ledger=False) == before
    finally:
        _umount(disk)


def test_read_only_data_dir_is_one_clear_line(tmp_path):
    disk = tmp_path / "ro"
    _mount_tmpfs(disk, "16m")
    try:
        db = disk / "warehouse.duckdb"
        seed = write_series(tmp_path / "seed", 2, 30)
        assert _tracker(disk, "backfill", *map(str, seed), "--db", str(db)).returncode == 0
        before = table_checksums(db)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        more = write_series(tmp_path / "more", 2, 30, seed=9)
        res = _tracker(disk, "backfill", *map(str, more), "--db", str(db))
        assert res.returncode == 1
        assert "Traceback" not in res.stderr
        assert "Read-only file system" in res.stderr and res.stderr.count("\nerror") + res.stderr.startswith("error") == 1
        assert table_checksums(db) == before
        run = _tracker(disk, "run", "--no-sample", "--db", str(db))
        assert run.returncode == 1 and "Read-only file system" in run.stderr and "Traceback" not in run.stderr
    finally:
        _umount(disk)


# Runs the real `tracker run` with the crawl replaying an empty cache: every request misses, the
# spider subprocess finishes without items, and run_spider reports the failure (no network).
FAILING_CRAWL = """
import sys
from pathlib import Path
import flows.crawl as c
c.DEFAULT_REPLAY_DIR = Path(sys.argv[1])
from flows.cli import app
app(sys.argv[2:])
"""


def test_failed_crawl_is_recorded_and_earlier_data_and_site_stay(data):
    db = _seed(data)
    site = data / "site"
    from dashboards.site import build_site

    build_site(db, site)
    before_files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    before = table_checksums(db)
    empty = data / "empty-replay"
    empty.mkdir()
    proc = subprocess.run([PY, "-c", FAILING_CRAWL, str(empty), "run", "--no-sample", "--db", str(db), "--site", str(site)],
                          cwd=REPO, env=env_for(data, PREFECT_HOME=str(data / f"prefect-{uuid.uuid4().hex[:6]}")),
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "crawl ice_287g" in proc.stderr
    with reader(db) as con:
        run = con.execute("SELECT source, status, errors, finished_at FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        kept = {t: c for t, c in table_checksums(db).items() if t in ("snapshots", "snapshot_rows", "agreements")}
    assert run[0] == "ice_287g" and run[1] == "failed" and run[3] is not None
    assert any("crawl ice_287g" in e for e in run[2])
    assert kept == {t: before[t] for t in kept}  # earlier data intact
    status = _tracker(data, "status", "--db", str(db))
    line = next(ln for ln in status.stdout.splitlines() if "crawl ice_287g" in ln)
    assert "ice_287g" in line and "UTC" in line and "failed" in line
    after_files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert set(before_files) <= set(after_files)  # the dashboards are still there
    assert (site / "feeds" / "all.atom").exists()
