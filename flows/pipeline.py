"""The `pipeline` flow: crawl → archive → parse → load → dashboards, as one Prefect flow run.

Tasks pass paths and plain values, never connections: each task that touches the warehouse opens
it, writes or reads, and closes it, so there is one writer at a time. Only the crawl task retries
(it is the only one that talks to the network); parsing and loading are deterministic, so a retry
would only repeat the same error.

Offline by default: the crawl replays recorded responses (sample/replay/) and the bundled archive
of real snapshots (sample/ice_287g/) is loaded with its manifest. `live=True` crawls the web.
"""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow, task

from flows.config import SAMPLE_DIR, default_db, feeds_dir, raw_dir, site_dir

ICE_SAMPLE = SAMPLE_DIR / "ice_287g"
ROSTER_SAMPLE = SAMPLE_DIR / "ice_287g_archive"


def _report_dict(report) -> dict:
    from flows.quality import quarantined

    return {
        "files": len(report.results),
        "loaded": len(report.loaded),
        "unchanged": sum(1 for r in report.results if r.status == "unchanged"),
        "duplicates": sum(1 for r in report.results if r.status == "duplicate"),
        "failed": [r.error for r in report.failed],
        "rows": sum(r.rows for r in report.loaded),
        "quarantined": [r.file_name for r in quarantined(report)],
        "skipped": [f"{path}: {why}" for path, why in report.skipped],
    }


@task(name="crawl-ice-lists", retries=2, retry_delay_seconds=60)
def crawl_ice_lists(live: bool, raw_root: str, feed_dir: str) -> dict:
    """Fetch ICE's page and both workbooks (or replay them); the spider archives every body."""
    from flows.crawl import run_spider, stamped_feed

    feed = stamped_feed("ice_287g", Path(feed_dir))
    result = run_spider("ice_287g", live=live, raw_root=Path(raw_root), feed_path=feed)
    if not result.ok and live:
        raise RuntimeError(f"crawl of ice_287g failed: {result.error}")  # Prefect retries live crawls
    return {"ok": result.ok, "error": result.error, "items": result.items, "feed": str(feed)}


@task(name="load-bundled-archive")
def load_bundled_archive(db: str, raw_root: str) -> dict:
    """Load the bundled archive of real snapshots, 2007 → today (idempotent: unchanged files are skipped)."""
    from warehouse.load import load_paths

    manifest = ICE_SAMPLE / "manifest.csv"
    # Sighted as part of the ice_287g source, whose pipeline runs load them (`tracker status`).
    report = load_paths(db, [ROSTER_SAMPLE, ICE_SAMPLE], manifest=manifest if manifest.exists() else None,
                        raw_root=raw_root, source="ice_287g_sample")
    return _report_dict(report)


def sightings_from_items(items: list[dict]) -> list:
    """Sightings of the files a spider archived, from its feed items."""
    from spiders.archive import Sighting

    return [
        Sighting(sha256=i["sha256"], source=i.get("source", ""), url=i["url"], file_name=i["file_name"],
                 fetched_at=i.get("fetched_at", ""), size=int(i.get("size") or 0), status=i.get("status"),
                 headers=i.get("headers") or {})
        for i in items if i.get("sha256")
    ]


@task(name="load-crawled-files")
def load_crawled_files(db: str, raw_root: str, items: list[dict]) -> dict:
    """Load the workbooks the crawl archived."""
    from warehouse.load import load_sightings

    lists = [i for i in items if i.get("kind") in ("participating", "pending")]
    return _report_dict(load_sightings(db, sightings_from_items(lists), raw_root=raw_root))


@task(name="load-sanctuary-lists")
def load_sanctuary_lists(db: str, raw_root: str, live: bool) -> dict:
    """Federal sanctuary lists and state laws: archive, parse, resolve, load (one transaction)."""
    from flows.sanctuary.load import ingest

    return ingest(Path(db), Path(raw_root), live=live)


@task(name="load-news")
def load_news(db: str, raw_root: str, live: bool) -> dict:
    """News and announcements: archive, extract, classify, link to agreements, load (one transaction)."""
    from flows.news.load import ingest

    return ingest(Path(db), Path(raw_root), live=live)


@task(name="build-dashboards")
def build_dashboards(db: str, site: str) -> str:
    """Write the static site from the warehouse (read-only)."""
    from dashboards.site import build_site

    return str(build_site(Path(db), Path(site)))


@task(name="publish-alerts")
def publish_alerts(db: str, site: str) -> dict:
    """Write the Atom feeds into the site and send new events to webhooks (problems never fail the load)."""
    from flows.alerts import publish

    return publish(db, site)


@task(name="summarise-warehouse")
def summarise_warehouse(db: str) -> dict:
    """Headline numbers of the warehouse after the run."""
    from warehouse.db import reader

    with reader(db) as con:
        snaps = con.execute("SELECT list_kind, count(*), max(as_of) FROM snapshots WHERE status = 'published' GROUP BY 1").fetchall()
        latest = con.execute(
            "SELECT as_of, agreements, jem, tfm, wso, states FROM snapshot_summary "
            "WHERE list_kind = 'participating' AND status = 'published' ORDER BY as_of DESC, file_name DESC LIMIT 1"
        ).fetchone()
        from flows.jurisdictions.report import resolution_summary

        resolution = resolution_summary(con)
        counts = dict(con.execute(
            "SELECT 'agencies', count(*) FROM agencies UNION ALL SELECT 'agreements', count(*) FROM agreements "
            "UNION ALL SELECT 'events', count(*) FROM agreement_events UNION ALL SELECT 'reviews', count(*) FROM agreement_reviews"
        ).fetchall())
    return {
        "snapshots": {k: {"count": n, "latest": str(d)} for k, n, d in snaps},
        "latest_participating": dict(zip(("as_of", "agreements", "jem", "tfm", "wso", "states"),
                                         [str(latest[0]), *latest[1:]], strict=True)) if latest else None,
        "resolution": resolution,
        **counts,
    }


@flow(name="pipeline", log_prints=False)
def pipeline(live: bool = False, include_sample: bool = True, db: str | None = None, site: str | None = None,
             wait_for_lock: bool = False, families: bool = True) -> dict:
    """Crawl ICE's lists, archive, load the warehouse, write the dashboards and feeds; returns a summary.

    One run at a time per warehouse (flows.ledger.run_lock: RunLocked, or wait); every run is
    recorded in the run ledger (`runs`), a failed crawl as a failed run of source ice_287g.
    `families` also loads the sanctuary lists, state laws and news (the whole pipeline, as `tracker
    run` does); scheduled ICE runs leave them to their own deployments (flows/families.py).
    """
    from flows.ledger import recorded_run, run_lock

    db = db or str(default_db())
    with run_lock(db, wait=wait_for_lock), recorded_run(db, "pipeline", "ice_287g") as run:
        summary = _pipeline_steps(live, include_sample, db, site, families)
        record_outcome(run, summary)
        for k in ("bundled_archive", "crawled_files"):
            for name in (summary.get(k) or {}).get("quarantined", []):
                summary.setdefault("extra_lines", []).append(f"quarantined by the quality gate: {name} "
                                                             "(see `tracker quarantine list`)")
    summary["run"] = {"run_id": run.run_id, "status": run.decide_status()}
    return summary


def record_outcome(run, summary: dict) -> None:
    """Fill in the ledger's run from a pipeline summary: the crawl and the ICE files that failed are what
    decides whether the run failed; errors of the later steps (other families, feeds, webhooks,
    dashboards) make it partial at worst."""
    crawl = summary.get("crawl", {})
    run.items_fetched = crawl.get("files")
    run.new_raw_files = crawl.get("new_files")
    run.fetch_failed = not crawl.get("ok")
    run.snapshots_loaded = sum((summary.get(k) or {}).get("loaded", 0) for k in ("bundled_archive", "crawled_files"))
    run.errors += summary["load_errors"]
    run.later_errors += [e for e in summary["errors"] if e not in summary["load_errors"]]


def _pipeline_steps(live: bool, include_sample: bool, db: str, site: str | None, families: bool = True) -> dict:
    """The pipeline's steps, in order (the flow adds the lock and the ledger around them)."""
    from flows.quality import check_settings

    check_settings()  # a bad setting fails the run (in the ledger) before anything is fetched or written
    started = time.monotonic()
    db = db or str(default_db())
    site = site or str(site_dir())
    raw_root = str(raw_dir())
    feeds = str(feeds_dir())
    Path(feeds).mkdir(parents=True, exist_ok=True)
    # errors: everything that went wrong, in order; load_errors: those that kept ICE's lists out
    summary: dict = {"db": db, "site": site, "live": live, "errors": [], "load_errors": []}

    def load_problems(errors: list[str]) -> None:
        summary["errors"].extend(errors)
        summary["load_errors"].extend(errors)

    if include_sample:
        summary["bundled_archive"] = bundled = load_bundled_archive(db, raw_root)
        load_problems(bundled["failed"])
    try:
        crawl = crawl_ice_lists(live, raw_root, feeds)
    except Exception as exc:  # retries exhausted: record the failure, keep what is already stored
        crawl = {"ok": False, "error": str(exc).splitlines()[0], "items": [], "feed": ""}
    summary["crawl"] = {"ok": crawl["ok"], "error": crawl["error"], "files": len(crawl["items"]), "feed": crawl["feed"],
                        "new_files": sum(1 for i in crawl["items"] if i.get("is_new"))}
    if not crawl["ok"]:
        load_problems([f"crawl ice_287g: {crawl['error']}"])
    if crawl["items"]:
        summary["crawled_files"] = loaded = load_crawled_files(db, raw_root, crawl["items"])
        load_problems(loaded["failed"])
    if families:
        # After the ICE lists: sanctuary matching and news linking read agencies and agreements.
        for key, step in (("sanctuary", load_sanctuary_lists), ("news", load_news)):
            try:
                summary[key] = result = step(db, raw_root, live)
                summary["errors"].extend(f"{key}: {e}" for e in result.get("errors", []))
            except Exception as exc:  # one family failing never loses the others' data
                summary["errors"].append(f"{key}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    summary["warehouse"] = summarise_warehouse(db)
    # The feeds first: the site's pages link them once they exist.
    summary["alerts"] = alerts = publish_alerts(db, site)
    summary["errors"].extend(alerts["errors"])
    try:
        summary["site_path"] = build_dashboards(db, site)
    except Exception as exc:  # the previous site stays in place; the run is recorded as partial
        summary["site_path"] = None
        summary["errors"].append(f"dashboards: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    summary["seconds"] = round(time.monotonic() - started, 1)
    return summary


def print_summary(summary: dict) -> None:
    """Print a run summary for people."""
    from rich.console import Console

    console = Console(stderr=True, soft_wrap=True)  # one line per fact, never wrapped mid-sentence
    b = summary.get("bundled_archive")
    if b:
        console.print(f"bundled archive: {b['files']} files, {b['loaded']} loaded, {b['unchanged']} unchanged, "
                      f"{b['duplicates']} same content as another file, {len(b['failed'])} failed, {b['rows']} rows"
                      + (f", {len(b['skipped'])} skipped" if b.get("skipped") else ""))
        for line in b.get("skipped", []):
            console.print(f"skipped {line}")
    c = summary.get("crawl", {})
    mode = "live" if summary.get("live") else "replayed"
    console.print(f"crawl ({mode}): {'ok' if c.get('ok') else 'FAILED: ' + str(c.get('error'))}, {c.get('files', 0)} files")
    cf = summary.get("crawled_files")
    if cf:
        console.print(f"crawled files: {cf['loaded']} loaded, {cf['unchanged']} unchanged, {len(cf['failed'])} failed")
    w = summary.get("warehouse", {})
    for kind, info in w.get("snapshots", {}).items():
        console.print(f"{kind} snapshots: {info['count']} (latest {info['latest']})")
    lp = w.get("latest_participating")
    if lp:
        console.print(f"latest list {lp['as_of']}: {lp['agreements']} agreements in {lp['states']} states "
                      f"(JEM {lp['jem']}, TFM {lp['tfm']}, WSO {lp['wso']})")
    console.print(f"warehouse {summary['db']}: {w.get('agencies', 0)} agencies, {w.get('agreements', 0)} agreements, "
                  f"{w.get('events', 0)} events, {w.get('reviews', 0)} reviews")
    res = w.get("resolution") or {}
    if res.get("rows"):
        console.print(f"jurisdictions: {res['rows_resolved']} of {res['rows']} agreement rows resolved "
                      f"({res['row_rate']:.2%}), {res['unresolved']} agencies unresolved "
                      "(`tracker jurisdictions --unresolved`)")
    san = summary.get("sanctuary")
    if san:
        lists = ", ".join(f"{k} {v['listings']} listings ({v['resolution_rate']:.0%} resolved)"
                          for k, v in san.get("lists", {}).items() if v.get("resolution_rate") is not None)
        console.print(f"sanctuary: {san.get('documents', 0)} documents, {lists}; {san.get('laws', 0)} state laws")
    news = summary.get("news")
    if news:
        console.print(f"news: {news.get('articles', 0)} articles ({news.get('duplicates', 0)} duplicates), "
                      f"{news.get('events', 0)} events, {news.get('linked_to_listing', 0)} linked to an ICE listing")
    for extra in summary.get("extra_lines", []):
        console.print(extra)
    console.print(f"dashboards: {summary.get('site_path')}")
    for err in summary.get("errors", []):
        console.print(f"[red]error[/red] {err}", highlight=False, soft_wrap=True)
    console.print(f"done in {summary.get('seconds')} s")
