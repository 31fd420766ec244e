"""`tracker serve` serves one deployment per source family; family flows import their ingest lazily."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from flows import families
from flows.serve import deployments


def test_one_deployment_per_family_with_its_cadence():
    deps = {d.name: d for d in deployments()}
    assert set(deps) == {"ice-lists", "news", "sanctuary-lists"}
    crons = {name: d.schedules[0].schedule.cron for name, d in deps.items()}
    assert crons == {"ice-lists": "0 */6 * * *", "news": "30 5 * * *", "sanctuary-lists": "0 7 * * 1"}
    # the ICE deployment leaves sanctuary lists and news to their own deployments
    assert deps["ice-lists"].parameters == {"live": True, "include_sample": False, "wait_for_lock": True,
                                            "families": False}


def test_missing_family_module_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(families.FAMILY_MODULES, "news", "flows.news.not_there")
    with pytest.raises(RuntimeError, match=r"news: flows.news.not_there.ingest is not available"):
        families.family_ingest("news")


def test_family_run_is_recorded_even_when_its_module_is_missing(data, monkeypatch):
    from flows.ledger import status_report

    monkeypatch.setitem(families.FAMILY_MODULES, "news", "flows.news.not_there")
    db = data / "warehouse.duckdb"
    with pytest.raises(RuntimeError):
        families.run_family("news", "news", live=False, db=str(db), site=str(data / "site"))
    failures = status_report(db)["failures"]
    assert failures[0]["source"] == "news" and "not available" in failures[0]["errors"][0]


def test_sigterm_stops_serving_like_ctrl_c(monkeypatch, capsys):
    import flows.serve as serving

    def serve_until_stopped(*deployments):  # stands in for Prefect's serve loop
        assert len(deployments) == 3
        os.kill(os.getpid(), signal.SIGTERM)  # what a service manager sends
        time.sleep(30)
        raise AssertionError("SIGTERM did not stop serving")

    monkeypatch.setattr(serving, "serve", serve_until_stopped)
    monkeypatch.setattr(serving, "_scheduling_api", contextlib.nullcontext)  # no server for a stand-in loop
    before = signal.getsignal(signal.SIGTERM)
    serving.serve_all(live=False)
    out = capsys.readouterr().out
    assert "schedule: ice-lists at '0 */6 * * *' (UTC), replayed" in out and out.rstrip().endswith("stopped")
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is ours only while serving


def _finished_runs(db: Path) -> list[tuple]:
    """The ledger's finished runs, or [] while the warehouse is missing or being written."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except (duckdb.Error, OSError):
        return []
    try:
        return con.execute("SELECT flow, status FROM runs WHERE finished_at IS NOT NULL").fetchall()
    except duckdb.Error:
        return []
    finally:
        con.close()


def test_serve_alone_runs_the_pipeline_on_its_schedule_and_stops_its_server(tmp_path):
    """With no PREFECT_API_URL, `tracker serve` brings up a Prefect server whose scheduler starts the
    runs (Prefect's ephemeral API schedules nothing), and takes it down when it stops."""
    from tests.ops.conftest import env_for

    env = env_for(tmp_path)
    env.pop("PREFECT_API_URL", None)
    out = tmp_path / "serve.out"
    with open(out, "wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--replay", "--cron", "* * * * *"],
                                stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=Path(__file__).parents[2])
    try:
        deadline = time.monotonic() + 300  # server start-up (12-34 s here), the next minute, one run
        while not _finished_runs(tmp_path / "warehouse.duckdb") and time.monotonic() < deadline:
            assert proc.poll() is None, out.read_text()
            time.sleep(2)
        assert ("pipeline", "ok") in _finished_runs(tmp_path / "warehouse.duckdb"), out.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
    text = out.read_text()
    assert proc.returncode == 0 and text.rstrip().endswith("stopped"), text
    api = re.search(r"local server with its scheduler at (http://127\.0\.0\.1:\d+)", text).group(1)
    with pytest.raises(OSError):  # the server went with it
        urllib.request.urlopen(api + "/api/health", timeout=5)
