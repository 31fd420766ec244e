"""Named dashboard queries on the real bundled warehouse: they run, agree with the core views, and the
headline numbers for a list date are ICE's own counts."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest

from dashboards import data
from warehouse.db import reader


def test_every_named_query_runs(warehouse):
    res = data.fetch(warehouse, data.query_names())
    assert not res.missing, res.missing
    for name in ("dash_monthly_agreements", "dash_agreements", "dash_events", "dash_lists", "dash_headline"):
        assert res.get(name), f"{name} returned rows"


def test_headline_for_2025_05_29_is_icess_published_count(warehouse):
    with reader(warehouse) as con:
        rows = {r["list_kind"]: r for r in data.run(con, "dash_headline", as_of="2025-05-29")}
    p, q = rows["participating"], rows["pending"]
    assert p["as_of"] == dt.date(2025, 5, 29)
    assert (p["agreements"], p["jem"], p["tfm"], p["wso"], p["states"]) == (635, 100, 307, 228, 40)
    assert q["as_of"] == dt.date(2025, 5, 29) and q["agreements"] == 68
    assert (q["jem"], q["tfm"], q["wso"]) == (7, 43, 18)
    # change since last month: against the last list of April 2025
    assert p["prev_as_of"] == dt.date(2025, 4, 30)


def test_state_grain_queries_add_up_to_the_core_views(warehouse):
    with reader(warehouse) as con:
        monthly = data.run(con, "dash_monthly_agreements")
        reviews = data.run(con, "dash_monthly_reviews")
        view_a = {(m, mo): (a, s) for m, mo, a, s in con.execute(
            "SELECT month, model, sum(active_end_of_month), sum(signed_in_month) FROM monthly_agreements GROUP BY ALL").fetchall()}
        view_r = {(m, mo): (p, a) for m, mo, p, a in con.execute(
            "SELECT month, model, pending_end_of_month, approved_in_month FROM monthly_reviews").fetchall()}
        ice = dict(con.execute(
            "SELECT ms.month, s.row_count FROM monthly_snapshot ms JOIN snapshots s USING (snapshot_id) "
            "WHERE ms.list_kind = 'participating'").fetchall())
    sums: dict = {}
    for r in monthly:
        k = (r["month"], r["model"])
        a, s = sums.get(k, (None, 0))
        sums[k] = (None if r["active"] is None else (a or 0) + r["active"], s + r["signed"])
    assert sums == view_a
    per_month: dict = {}
    for (m, _), (a, _) in sums.items():
        if a is not None:  # gap months (no list captured) have no count at all
            per_month[m] = per_month.get(m, 0) + a
    assert per_month == ice, "active at month end = ICE's row count of the month's last list"
    rsum: dict = {}
    for r in reviews:
        k = (r["month"], r["model"])
        p, a = rsum.get(k, (None, 0))
        rsum[k] = (None if r["pending"] is None else (p or 0) + r["pending"], a + r["approved"])
    assert {k: v for k, v in rsum.items() if k in view_r} == view_r


def test_the_bundled_files_count_as_the_ice_287g_source(warehouse):
    """`make run` loads them inside the ice_287g pipeline run: `tracker status` shows no orphan source."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        sources = con.execute("SELECT source, raw_files FROM source_freshness").fetchall()
    finally:
        con.close()
    assert [s for s, _ in sources] == ["ice_287g"] and sources[0][1] > 80


def test_apply_filters():
    rows = [{"month": dt.date(2025, m, 1), "state": s, "model": mo, "v": 1}
            for m in (1, 2, 3) for s in ("TX", "FL") for mo in ("JEM", "WSO")]
    assert len(data.apply_filters(rows, states=["TX"])) == 6
    assert len(data.apply_filters(rows, models=["JEM"], start="2025-02-01")) == 4
    assert len(data.apply_filters(rows, end=dt.date(2025, 1, 31))) == 4
    assert data.apply_filters([{"x": 1}], states=["TX"]) == [{"x": 1}], "absent columns never filter"


def test_missing_views_are_reported_not_fatal(warehouse, tmp_path, monkeypatch):
    (tmp_path / "dash_future.sql").write_text("SELECT * FROM sanctuary_panel_not_built_yet")
    monkeypatch.setattr(data, "QUERIES_DIR", tmp_path)
    data.sql_text.cache_clear()
    try:
        res = data.fetch(warehouse, ["dash_future"])
    finally:
        data.sql_text.cache_clear()
    assert "dash_future" in res.missing and res.get("dash_future") == []


def test_cache_serves_stale_data_while_a_writer_holds_the_lock(writable_copy):
    cache = data.CachedResults(writable_copy, ["dash_lists"], ttl=0, wait_seconds=0.3)
    first = cache.get()
    assert first.get("dash_lists") and cache.error is None
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(30)",
         str(writable_copy)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        again = cache.get()
        assert time.monotonic() - started < 5, "a locked warehouse never blocks the app for long"
        assert again.get("dash_lists") == first.get("dash_lists")
        assert cache.error and "another process" in cache.error
    finally:
        holder.kill()
        holder.wait()
    cache.ttl = 0
    cache._last.fetched_at = 0
    assert cache.get().get("dash_lists") and cache.error is None


@pytest.mark.parametrize("bad", ["../etc/passwd", "dash_x; DROP"])
def test_query_names_are_plain(bad):
    with pytest.raises(ValueError):
        data.sql_text(bad)


def test_an_approved_application_is_one_change_not_two(warehouse):
    """An application approved is the agreement's listing: shown once, as approved."""
    import duckdb

    from dashboards.data import run

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = run(con, "dash_events")
        approvals = con.execute("SELECT count(*) FROM agreement_reviews WHERE outcome = 'approved' "
                                "AND approved_on > DATE '2007-09-19'").fetchone()[0]
    finally:
        con.close()
    keys = [(r["as_of"], r["state"], r["agency_name"], r["model"]) for r in rows]
    assert len(keys) == len(set(keys))  # one row per agreement and list date
    assert sum(r["event"] == "approved" for r in rows) == approvals > 300
