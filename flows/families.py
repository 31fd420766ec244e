"""Prefect flows for the source families other than ICE's lists: sanctuary lists and news.

Each flow wraps its area's `ingest(db_path, raw_root, *, live=...) -> dict` (flows/sanctuary/load.py,
flows/news/load.py), imported when the flow runs, so a family whose module has not landed yet makes
its own runs fail with a clear ledger entry instead of breaking `tracker serve` for everyone.

Every run takes the warehouse's run lock (waiting by default: scheduled families queue behind a
running ICE pipeline rather than fail), is recorded in the run ledger, and refreshes the change feeds
and webhooks afterwards (sanctuary listings and withdrawals are feed events too).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from prefect import flow

from flows.config import default_db, raw_dir, site_dir
from flows.ledger import recorded_run, run_lock

FAMILY_MODULES = {"sanctuary": "flows.sanctuary.load", "news": "flows.news.load"}


def family_ingest(family: str):
    """The `ingest` function of a source family, imported now (lazily)."""
    module = FAMILY_MODULES[family]
    try:
        return importlib.import_module(module).ingest
    except (ModuleNotFoundError, AttributeError) as exc:
        raise RuntimeError(f"{family}: {module}.ingest is not available ({exc})") from None


def run_family(family: str, flow_name: str, *, live: bool, db: str | None, site: str | None,
               wait_for_lock: bool = True) -> dict:
    """Run one family's ingest under the run lock and the ledger; then refresh feeds and webhooks."""
    from flows.alerts import publish

    db = db or str(default_db())
    site = site or str(site_dir())
    with run_lock(db, wait=wait_for_lock), recorded_run(db, flow_name, family) as run:
        summary = family_ingest(family)(Path(db), raw_dir(), live=live)
        errors = [str(e) for e in summary.get("errors", [])]
        run.errors += errors
        run.fetch_failed = live and any("crawl" in e and "fail" in e for e in errors)
        run.snapshots_loaded = summary.get("documents", summary.get("loaded"))
        run.items_fetched = summary.get("items_fetched", summary.get("fetched"))
        run.new_raw_files = summary.get("new_raw_files")
        published = publish(db, site)
        run.later_errors += published["errors"]  # the family's data is in: partial at worst
        summary["alerts"] = published
    return summary


@flow(name="sanctuary_lists")
def sanctuary_lists(live: bool = True, db: str | None = None, site: str | None = None,
                    wait_for_lock: bool = True) -> dict:
    """Crawl (or re-read) the sanctuary lists and state laws, load them, refresh the feeds."""
    return run_family("sanctuary", "sanctuary_lists", live=live, db=db, site=site, wait_for_lock=wait_for_lock)


@flow(name="news")
def news(live: bool = True, db: str | None = None, site: str | None = None, wait_for_lock: bool = True) -> dict:
    """Collect, classify and load 287(g) news, refresh the feeds."""
    return run_family("news", "news", live=live, db=db, site=site, wait_for_lock=wait_for_lock)
