"""The run ledger records every run; `tracker status` names failures; the run lock admits one run at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import date

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.ledger import RunLocked, recorded_run, run_lock, status_report
from tests.ops.conftest import PY, REPO, env_for, rows_for, write_list
from warehouse.db import reader, writer


def _runs(db):
    with reader(db) as con:
        return con.execute("SELECT flow, source, status, errors, finished_at IS NOT NULL FROM runs ORDER BY started_at").fetchall()


def test_runs_are_recorded_with_status_and_counts(data):
    db = data / "warehouse.duckdb"
    with recorded_run(db, "pipeline", "ice_287g") as run:
        run.items_fetched, run.new_raw_files, run.snapshots_loaded = 3, 2, 2
    with recorded_run(db, "pipeline", "ice_287g") as run:
        run.snapshots_loaded = 1
        run.errors.append("x.xlsx: corrupt or truncated xlsx")
    with recorded_run(db, "pipeline", "ice_287g") as run:
        run.fetch_failed = True
        run.errors.append("crawl ice_287g: ice_287g: 1 download(s) failed: https://www.ice.gov/x (HTTP 500)")
    with pytest.raises(RuntimeError), recorded_run(db, "news", "news"):
        raise RuntimeError("boom")
    runs = _runs(db)
    assert [r[2] for r in runs] == ["ok", "partial", "failed", "failed"]
    assert all(r[4] for r in runs)
    assert runs[3][3] == ["RuntimeError: boom"]
    with reader(db) as con:
        row = con.execute("SELECT items_fetched, new_raw_files, snapshots_loaded FROM runs ORDER BY started_at LIMIT 1").fetchone()
        alerts = con.execute("SELECT source FROM alerts WHERE kind = 'run_failed'").fetchall()
    assert row == (3, 2, 2)
    assert sorted(a[0] for a in alerts) == ["ice_287g", "news"]


@pytest.mark.parametrize(("loaded", "errors", "fetch_failed", "later", "status"), [
    (0, [], False, [], "ok"),                        # nothing new: a normal run
    (2, [], False, [], "ok"),
    (0, ["x.xlsx: corrupt"], False, [], "failed"),    # every file bad: nothing loaded
    (2, ["x.xlsx: corrupt"], False, [], "partial"),   # some files bad, the others loaded
    (0, ["crawl: HTTP 500"], True, [], "failed"),
    (3, ["crawl: HTTP 500"], True, [], "partial"),    # the fetch failed, the bundled archive loaded
    (0, [], False, ["webhook http://x: HTTP 500"], "partial"),  # read fine, nothing new, a later step failed
    (1, [], False, ["dashboards: OSError"], "partial"),
])
def test_run_status_follows_what_was_loaded_and_what_went_wrong(loaded, errors, fetch_failed, later, status):
    from flows.ledger import Run

    run = Run("id", "db", "backfill", "backfill", snapshots_loaded=loaded, errors=list(errors),
              later_errors=list(later), fetch_failed=fetch_failed)
    assert run.decide_status() == status


def test_a_backfill_of_bad_files_only_is_a_failed_run_not_a_success(data, tmp_path):
    """Every file failing used to be recorded `partial`, which `tracker status` and `source_freshness`
    count as a success."""
    db = data / "warehouse.duckdb"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "pendingAgencies06022026am.xlsx").write_bytes(b"PK\x03\x04x")
    runner = CliRunner()
    assert runner.invoke(app, ["backfill", str(bad), "--db", str(db)]).exit_code == 1
    [source] = status_report(db)["sources"]
    assert (source["last_status"], source["last_success_at"], source["failed_runs"]) == ("failed", None, 1)
    shown = runner.invoke(app, ["status", "--db", str(db)])
    assert "backfill, failed): " in shown.output and "corrupt or truncated xlsx" in shown.output
    good = write_list(tmp_path / "good", date(2025, 3, 3), rows_for(5))
    assert runner.invoke(app, ["backfill", str(bad), str(good), "--db", str(db)]).exit_code == 1
    assert runner.invoke(app, ["backfill", str(good), "--db", str(db)]).exit_code == 0  # nothing new, no error
    assert [r[2] for r in _runs(db)] == ["failed", "partial", "ok"]
    with reader(db) as con:
        assert con.execute("SELECT count(*) FROM alerts WHERE kind = 'run_failed'").fetchone()[0] == 1


def test_a_pipeline_run_fails_on_its_own_source_and_is_partial_for_later_steps():
    from flows.ledger import Run
    from flows.pipeline import record_outcome

    def outcome(summary):
        run = Run("id", "db", "pipeline", "ice_287g")
        record_outcome(run, summary)
        return run.decide_status(), run.errors, run.later_errors

    crawl = {"ok": True, "error": "", "files": 3, "new_files": 1}
    bad_file = "participatingAgencies.xlsx: corrupt or truncated xlsx"
    assert outcome({"crawl": crawl, "crawled_files": {"loaded": 0, "failed": [bad_file]},
                    "errors": [bad_file, "webhook http://x: HTTP 500"], "load_errors": [bad_file]}) == (
        "failed", [bad_file], ["webhook http://x: HTTP 500"])
    assert outcome({"crawl": crawl, "crawled_files": {"loaded": 0, "failed": []},
                    "errors": ["dashboards: OSError: disk"], "load_errors": []})[0] == "partial"
    assert outcome({"crawl": crawl, "errors": [], "load_errors": []})[0] == "ok"


def test_status_names_the_failed_source_error_and_time(data):
    db = data / "warehouse.duckdb"
    with recorded_run(db, "pipeline", "ice_287g"):
        pass
    with recorded_run(db, "pipeline", "ice_287g") as run:
        run.fetch_failed = True
        run.errors.append("crawl ice_287g: timed out after 600 s (killed)")
    report = status_report(db)
    ice = next(s for s in report["sources"] if s["source"] == "ice_287g")
    assert ice["last_status"] == "failed" and ice["last_success_at"] is not None and ice["failed_runs"] == 1
    result = CliRunner().invoke(app, ["status", "--db", str(db)])
    assert result.exit_code == 0
    assert "Last failures:" in result.output
    line = next(ln for ln in result.output.splitlines() if "timed out after 600 s" in ln)
    assert "ice_287g" in line and "UTC" in line


def test_a_run_killed_midway_shows_as_interrupted(data):
    db = data / "warehouse.duckdb"
    code = ("import os; from flows.ledger import start_run; start_run(os.environ['DB'], 'pipeline', 'ice_287g'); "
            "os.kill(os.getpid(), 9)")
    subprocess.run([PY, "-c", code], cwd=REPO, env=env_for(data, DB=str(db)), timeout=60)
    report = status_report(db)
    assert [r["state"] for r in report["running"]] == ["interrupted"]


def test_the_next_run_closes_runs_whose_process_died_on_this_host_only(data):
    """A run killed with -9 stayed `running` for ever (`last run: running` beside an `interrupted` line)."""
    import socket

    db = data / "warehouse.duckdb"
    code = ("import os; from flows.ledger import start_run; start_run(os.environ['DB'], 'pipeline', 'ice_287g'); "
            "print(os.getpid(), flush=True); os.kill(os.getpid(), 9)")
    dead = subprocess.run([PY, "-c", code], cwd=REPO, env=env_for(data, DB=str(db)), timeout=60,
                          capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    with writer(db) as con:  # the same dead pid on another machine, and a live process here
        con.execute("INSERT INTO runs (run_id, flow, source, started_at, status, host, pid) VALUES "
                    "('elsewhere', 'news', 'news', now(), 'running', 'another-host', ?), "
                    "('alive', 'news', 'news', now(), 'running', ?, ?)", [dead_pid, socket.gethostname(), os.getpid()])
    assert status_report(db)["sources"][0]["last_status"] == "running"
    with recorded_run(db, "backfill", "backfill"):
        pass
    with reader(db) as con:
        rows = dict(con.execute("SELECT coalesce(run_id, ''), status FROM runs WHERE flow <> 'backfill'").fetchall())
        killed = con.execute("SELECT run_id, errors, finished_at IS NOT NULL FROM runs WHERE pid = ? AND host = ?",
                             [dead_pid, socket.gethostname()]).fetchone()
        alerts = con.execute("SELECT source, subject, message FROM alerts WHERE kind = 'run_failed'").fetchall()
    assert killed[1:] == (["interrupted: the process ended without finishing"], True)
    assert rows == {killed[0]: "failed", "elsewhere": "running", "alive": "running"}
    assert alerts == [("ice_287g", killed[0],
                       "pipeline run of ice_287g failed: interrupted: the process ended without finishing")]
    ice = next(s for s in status_report(db)["sources"] if s["source"] == "ice_287g")
    assert ice["last_status"] == "failed" and ice["failed_runs"] == 1


def test_status_without_a_warehouse_is_one_clear_line(data):
    result = CliRunner().invoke(app, ["status", "--db", str(data / "none.duckdb")])
    assert result.exit_code == 1
    assert "no warehouse here yet" in result.output


def _hold_lock(data, seconds: float = 30):
    code = ("import sys, time; from flows.ledger import run_lock\n"
            "with run_lock(sys.argv[1]):\n    print('HELD', flush=True); time.sleep(float(sys.argv[2]))")
    proc = subprocess.Popen([PY, "-c", code, str(data / "warehouse.duckdb"), str(seconds)], cwd=REPO,
                            env=env_for(data), stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "HELD"
    return proc


def test_second_run_gets_a_clear_message_or_waits(data):
    db = data / "warehouse.duckdb"
    holder = _hold_lock(data, 30)
    try:
        with pytest.raises(RunLocked, match=rf"another run is in progress \(pid {holder.pid} since 20"), run_lock(db):
            pass
        started = time.monotonic()
        with pytest.raises(RunLocked), run_lock(db, wait=True, timeout=0.6):
            pass
        assert time.monotonic() - started >= 0.5
        # `tracker run` refuses before Prefect even starts: exit code 75 (EX_TEMPFAIL), one line.
        cli = subprocess.run([PY, "-m", "flows.cli", "run", "--db", str(db)], cwd=REPO, env=env_for(data),
                             capture_output=True, text=True, timeout=60)
        assert cli.returncode == 75, cli.stderr
        assert f"another run is in progress (pid {holder.pid} since" in cli.stderr
        assert "Traceback" not in cli.stderr
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # the kernel releases a dead holder's lock
        holder.wait()
    with run_lock(db, wait=True, timeout=5):
        pass


def test_a_busy_lock_suggests_wait_only_to_commands_that_have_it(data):
    db = data / "warehouse.duckdb"
    with recorded_run(db, "backfill", "backfill"):  # a warehouse to work on
        pass
    holder = _hold_lock(data, 30)
    runner = CliRunner()
    try:
        for args, suggests_wait in ((["quarantine", "release", "0123456789ab"], False), (["reprocess", "--all"], False),
                                    (["alerts", "--site", str(data / "site")], True), (["run"], True)):
            result = runner.invoke(app, [*args, "--db", str(db)])
            [line] = [ln for ln in result.output.splitlines() if ln.strip()]
            assert result.exit_code == 75 and line.startswith("error another run is in progress"), (args, result.output)
            assert line.endswith("try again later or pass --wait" if suggests_wait else "try again later"), line
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()


def test_a_folder_as_the_warehouse_is_refused_before_the_lock_is_taken(data, monkeypatch):
    """TRACKER_DB=<a folder> made reprocess and quarantine release create run.lock beside the folder."""
    folder = data / "not-a-file"
    folder.mkdir()
    monkeypatch.setenv("TRACKER_DB", str(folder))
    seed = write_list(data / "in", date(2025, 3, 3), rows_for(3))
    runner = CliRunner()
    for args in (["reprocess", "--all"], ["quarantine", "release", "0123456789ab"], ["alerts", "--site", str(data / "s")],
                 ["backfill", str(seed)], ["run", "--no-sample"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert [ln for ln in result.output.splitlines() if ln.strip()] == [
            f"error {folder}: a folder, not a warehouse file (--db or TRACKER_DB names the .duckdb file)"], args
    assert not (data / "run.lock").exists() and list(folder.iterdir()) == []


def test_waiting_run_proceeds_when_the_first_ends(data):
    db = data / "warehouse.duckdb"
    holder = _hold_lock(data, 1.5)
    started = time.monotonic()
    with run_lock(db, wait=True, timeout=30):
        waited = time.monotonic() - started
    holder.wait()
    assert 0.5 < waited < 10


def test_lock_is_reentrant_in_one_process(data):
    db = data / "warehouse.duckdb"
    with run_lock(db), run_lock(db):
        pass
    with run_lock(db):
        pass
