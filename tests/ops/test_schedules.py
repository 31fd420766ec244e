"""`tracker serve` serves one deployment per source family; family flows import their ingest lazily."""

from __future__ import annotations

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
    import os
    import signal
    import time

    import flows.serve as serving

    def serve_until_stopped(*deployments):  # stands in for Prefect's serve loop
        assert len(deployments) == 3
        os.kill(os.getpid(), signal.SIGTERM)  # what a service manager sends
        time.sleep(30)
        raise AssertionError("SIGTERM did not stop serving")

    monkeypatch.setattr(serving, "serve", serve_until_stopped)
    before = signal.getsignal(signal.SIGTERM)
    serving.serve_all(live=False)
    out = capsys.readouterr().out
    assert "schedule: ice-lists at '0 */6 * * *' (UTC), replayed" in out and out.rstrip().endswith("stopped")
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is ours only while serving
