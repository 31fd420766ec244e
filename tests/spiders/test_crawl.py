"""Real crawls in a subprocess through flows.crawl.run_spider: the recorded replay, and network faults.

The replay runs `scrapy crawl ice_287g` against sample/replay/ (no network). The fault tests point the
spider at a scripted server on 127.0.0.1 (`-a start_url=…`) and check that every failure reaches
`CrawlResult.error` with the URL, that retries happen where they should, and that nothing bad or
partial enters the archive. Each test fails if the protection it names is removed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.config import PROJECT_ROOT
from flows.crawl import CrawlResult, run_spider
from spiders.archive import RawArchive
from spiders.record_replay import WORKBOOKS, record

pytestmark = pytest.mark.slow

SAMPLE = PROJECT_ROOT / "sample"
REPLAY = SAMPLE / "replay"
PARTICIPATING = (SAMPLE / "ice_287g/participating/participatingAgencies05182026am.xlsx").read_bytes()
PENDING = (SAMPLE / "ice_287g/pending/pendingAgencies02272026am.xlsx").read_bytes()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCLIB = "/doclib/about/offices/ero/287g/"
P_PATH = DOCLIB + "participatingAgencies05182026am.xlsx"
Q_PATH = DOCLIB + "pendingAgencies02272026am.xlsx"

# Fast and bounded for loopback: one retry, 2 s timeout, no throttling. robots.txt stays obeyed.
FAST = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "RETRY_TIMES": 1,
    "DOWNLOAD_TIMEOUT": 2,
    "LOG_LEVEL": "INFO",
}


def sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def archived(raw_root: Path) -> set[str]:
    """Workbooks in the raw archive (the 287(g) page is archived at every crawl too, as evidence)."""
    objects = raw_root / "objects"
    if not objects.exists():
        return set()
    return {p.name for p in objects.rglob("*") if p.is_file() and p.read_bytes()[:4] == b"PK\x03\x04"}


def workbooks(result) -> list[dict]:
    """The workbook items of a crawl (the page item left out)."""
    return [item for item in result.items if item["kind"] != "page"]


# ---------------------------------------------------------------- replay


def test_replay_yields_the_two_real_workbooks(tmp_path):
    result = run_spider(
        "ice_287g",
        live=False,
        replay_dir=REPLAY,
        raw_root=tmp_path / "raw",
        feed_path=tmp_path / "feeds" / "ice_287g.jsonl",
    )
    assert result.ok, result.error
    assert result.returncode == 0 and result.finish_reason == "finished"
    by_kind = {item["kind"]: item for item in result.items}
    assert sorted(by_kind) == ["page", "participating", "pending"] and len(result.items) == 3
    assert by_kind["participating"]["sha256"] == sha(PARTICIPATING)
    assert by_kind["pending"]["sha256"] == sha(PENDING)
    assert by_kind["participating"]["file_name"] == "participatingAgencies05182026am.xlsx"
    assert by_kind["participating"]["link_text"] == "Participating Agencies (updated May 18, 2026)"
    assert by_kind["participating"]["meta"] == {"replayed": "true"}
    assert all(item["body"] is None for item in result.items)
    archive = RawArchive(tmp_path / "raw")
    assert archive.read(sha(PARTICIPATING)) == PARTICIPATING
    assert archive.read(sha(PENDING)) == PENDING
    assert by_kind["page"]["file_name"] == "287g.html"  # the page, as archived: which links ICE showed
    assert b"participatingAgencies05182026am.xlsx" in RawArchive(tmp_path / "raw").read(by_kind["page"]["sha256"])
    assert result.items_scraped == 3 and result.responses_by_status == {200: 4}  # robots, page, 2 files
    assert result.stats["httpcache/hit"] == 4 and not result.stats.get("httpcache/miss")
    assert result.stats_path.exists() and result.log_path.exists()

    again = run_spider(
        "ice_287g",
        live=False,
        replay_dir=REPLAY,
        raw_root=tmp_path / "raw",
        feed_path=tmp_path / "feeds" / "ice_287g.jsonl",
    )
    assert again.ok and [item["is_new"] for item in again.items] == [False, False, False]
    assert archived(tmp_path / "raw") == {sha(PARTICIPATING), sha(PENDING)}


def test_replay_missing_from_cache_is_reported(tmp_path):
    result = run_spider(
        "ice_287g",
        live=False,
        replay_dir=tmp_path / "empty-cache",
        raw_root=tmp_path / "raw",
        feed_path=tmp_path / "f.jsonl",
    )
    assert not result.ok
    assert "https://www.ice.gov/identify-and-arrest/287g" in result.error
    assert archived(tmp_path / "raw") == set()


def test_unknown_spider_is_a_failure_with_the_reason(tmp_path):
    result = run_spider(
        "no_such_spider", live=False, raw_root=tmp_path / "raw", feed_path=tmp_path / "f.jsonl"
    )
    assert not result.ok and result.returncode != 0
    assert "Spider not found: no_such_spider" in result.error and "\n" not in result.error


def test_scrapy_list_finds_the_spider():
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "ice_287g" in out.stdout.split()


def test_committed_replay_is_what_the_recorder_writes(tmp_path):
    record(tmp_path)
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(REPLAY): p.read_bytes() for p in (REPLAY / "ice_287g").rglob("*") if p.is_file()
    }
    assert fresh == committed, "sample/replay is stale: run `python -m spiders.record_replay`"
    bodies = {b for p, b in committed.items() if p.name == "response_body"}
    assert {path.read_bytes() for path in WORKBOOKS.values()} <= bodies


# ---------------------------------------------------------------- faults on a loopback server


def page(*paths: str) -> bytes:
    items = "".join(
        f'<li><a href="{p}">{"Participating" if "articipat" in p else "Pending"} Agencies</a></li>'
        for p in paths
    )
    return f"<html><head><title>287(g)</title></head><body><ul>{items}</ul></body></html>".encode()


@pytest.fixture
def site(loopback):
    """The loopback server with robots.txt, a 287(g) page linking both workbooks, and a good pending file."""
    loopback.route("/robots.txt", ("ok", b"User-agent: *\nDisallow: /private/\n", "text/plain"))
    loopback.route("/287g", ("ok", page(P_PATH, Q_PATH), "text/html; charset=utf-8"))
    loopback.route(Q_PATH, ("ok", PENDING, XLSX))
    return loopback


def crawl(site, tmp_path: Path, **settings) -> CrawlResult:
    return run_spider(
        "ice_287g",
        live=True,
        raw_root=tmp_path / "raw",
        feed_path=tmp_path / "feeds" / "ice_287g.jsonl",
        extra_settings={**FAST, **settings},
        spider_args={"start_url": site.base + "/287g"},
        timeout=60,
    )


def test_http_500_then_success_is_retried_and_archived(site, tmp_path):
    site.route(P_PATH, ("status", 500), ("ok", PARTICIPATING, XLSX))
    result = crawl(site, tmp_path)
    assert result.ok, result.error
    assert site.count(P_PATH) == 2
    assert result.retries == 1 and result.responses_by_status[500] == 1
    assert sorted(item["kind"] for item in workbooks(result)) == ["participating", "pending"]
    assert archived(tmp_path / "raw") == {sha(PARTICIPATING), sha(PENDING)}
    assert site.count("/robots.txt") == 1  # robots.txt was asked for: politeness is on


def test_http_500_forever_fails_and_leaves_the_archive_alone(site, tmp_path):
    earlier = RawArchive(tmp_path / "raw")
    old, _ = earlier.put(
        b"an earlier snapshot",
        source="ice_287g",
        url="https://x/old.xlsx",
        file_name="old.xlsx",
        fetched_at="2026-01-01T00:00:00+00:00",
    )
    old_path = earlier.object_path(old.sha256)
    old_log = earlier.log_path.read_bytes()
    old_stat = old_path.stat()

    site.route(P_PATH, ("status", 500))
    result = crawl(site, tmp_path)
    assert not result.ok
    assert f"{site.base}{P_PATH} (HTTP 500)" in result.error and "\n" not in result.error
    assert site.count(P_PATH) == 2  # first try + RETRY_TIMES=1
    assert result.retries_given_up == 1
    assert archived(tmp_path / "raw") == {sha(PENDING)}  # nothing for the failed file
    assert earlier.object_path(old.sha256).exists()  # and the earlier object untouched (below)
    assert old_path.read_bytes() == b"an earlier snapshot"
    assert old_path.stat().st_mtime_ns == old_stat.st_mtime_ns
    assert earlier.log_path.read_bytes().startswith(old_log)


def test_timeout_is_retried_then_reported(site, tmp_path):
    site.route(P_PATH, ("sleep", 4))
    result = crawl(site, tmp_path)
    assert not result.ok
    assert site.count(P_PATH) == 2 and result.retries == 1
    assert f"{site.base}{P_PATH} (" in result.error and "timeout" in result.error.lower()
    assert sha(PARTICIPATING) not in archived(tmp_path / "raw")


def test_dropped_connection_is_reported(site, tmp_path):
    site.route(P_PATH, ("drop",))
    result = crawl(site, tmp_path)
    assert not result.ok
    assert f"{site.base}{P_PATH} (" in result.error
    assert site.count(P_PATH) == 2  # a dropped connection is worth one retry
    assert sha(PARTICIPATING) not in archived(tmp_path / "raw")


def test_vanished_file_name_404_is_reported_with_the_url(site, tmp_path):
    vanished = DOCLIB + "participatingAgencies05152026pm.xlsx"
    site.route("/287g", ("ok", page(vanished, Q_PATH), "text/html"))
    result = crawl(site, tmp_path)  # no route for `vanished`: the server answers 404
    assert not result.ok
    assert f"{site.base}{vanished} (HTTP 404)" in result.error
    assert site.count(vanished) == 1  # 404 is not retried
    assert [item["kind"] for item in workbooks(result)] == ["pending"]


@pytest.mark.parametrize("action", ["ok", "ok_unsized"])
def test_oversized_response_is_refused(site, tmp_path, action):
    site.route(P_PATH, (action, PARTICIPATING, XLSX))  # 231,759 bytes
    result = crawl(site, tmp_path, DOWNLOAD_MAXSIZE=100_000, DOWNLOAD_WARNSIZE=50_000)
    assert not result.ok
    assert f"{site.base}{P_PATH} (" in result.error
    assert archived(tmp_path / "raw") == {sha(PENDING)}


def test_html_instead_of_a_workbook_is_refused(site, tmp_path):
    site.route(P_PATH, ("ok", b"<!DOCTYPE html><html><body>Page not found</body></html>", "text/html"))
    result = crawl(site, tmp_path)
    assert not result.ok
    assert f"{site.base}{P_PATH} (not an xlsx workbook" in result.error
    assert archived(tmp_path / "raw") == {sha(PENDING)}


def test_a_hung_crawl_is_killed_at_the_timeout(site, tmp_path):
    site.route("/287g", ("sleep", 30))
    result = run_spider(
        "ice_287g",
        live=True,
        raw_root=tmp_path / "raw",
        feed_path=tmp_path / "f.jsonl",
        extra_settings={**FAST, "DOWNLOAD_TIMEOUT": 60},
        spider_args={"start_url": site.base + "/287g"},
        timeout=4,
    )
    assert not result.ok and result.error.startswith("ice_287g: timed out after 4 s")
    assert result.returncode != 0


def test_page_without_links_fails_closed(site, tmp_path):
    site.route("/287g", ("ok", b"<html><body><p>Lists moved to a new portal.</p></body></html>", "text/html"))
    result = crawl(site, tmp_path)
    assert not result.ok
    assert result.finish_reason == "missing_links"
    assert "expected links missing from the page: participating, pending" in result.error
    assert workbooks(result) == [] and archived(tmp_path / "raw") == set()
    assert [item["kind"] for item in result.items] == ["page"]  # the page without links is kept as evidence


def test_a_workbook_on_another_host_or_redirected_is_fetched_not_dropped_unseen(site, tmp_path):
    """Scrapy's offsite and duplicate filters drop requests without a word: a list ICE moves to
    another host, or a link redirected to the page itself, must still be fetched or reported."""
    other_host = site.base.replace("127.0.0.1", "localhost") + P_PATH  # another host name, same server
    site.route("/287g", ("ok", page(other_host, "/moved-pending.xlsx"), "text/html"))
    site.route(P_PATH, ("ok", PARTICIPATING, XLSX))
    site.route("/moved-pending.xlsx", ("redirect", site.base + "/287g"))  # a removed file sends readers back
    result = crawl(site, tmp_path)
    assert [item["kind"] for item in workbooks(result)] == ["participating"]
    assert workbooks(result)[0]["url"] == other_host
    assert not result.ok and f"{site.base}/287g (not an xlsx workbook" in result.error
    redirected = "/redirected-participating.xlsx"
    site.route("/287g", ("ok", page(redirected, Q_PATH), "text/html"))
    site.route(redirected, ("redirect", P_PATH))
    result = crawl(site, tmp_path)
    assert result.ok, result.error
    item = next(i for i in workbooks(result) if i["kind"] == "participating")
    assert item["url"] == site.base + P_PATH and item["meta"]["link_url"] == site.base + redirected


def test_a_download_cut_short_without_a_length_is_refused(site, tmp_path):
    site.route(P_PATH, ("ok_unsized", PARTICIPATING[:5000], XLSX))  # starts like a zip, ends nowhere
    result = crawl(site, tmp_path)
    assert not result.ok and f"{site.base}{P_PATH} (not a whole xlsx workbook: no zip end record in 5000 bytes" in result.error
    assert archived(tmp_path / "raw") == {sha(PENDING)}


def test_links_are_recognised_by_their_accessible_names_and_separated_file_names(site, tmp_path):
    site.route("/287g", ("ok", (
        f'<html><body><a href="{P_PATH}" aria-label="Participating agencies (Excel)"><img src="x.png" alt=""></a>'
        f'<a href="/doclib/pending-agencies-2026.xlsx">Excel</a></body></html>').encode(), "text/html"))
    site.route(P_PATH, ("ok", PARTICIPATING, XLSX))
    site.route("/doclib/pending-agencies-2026.xlsx", ("ok", PENDING, XLSX))
    result = crawl(site, tmp_path)
    assert result.ok, result.error
    assert {(i["kind"], i["link_text"]) for i in workbooks(result)} == {
        ("participating", "Participating agencies (Excel)"), ("pending", "Excel")}


# The news spiders allow only their own sites: on loopback, the offsite filter is off (the rest stays).
NEWS_ON_LOOPBACK = {**FAST, "DOWNLOADER_MIDDLEWARES": {
    "spiders.extensions.FailedDownloads": 540, "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None}}


def news_crawl(loopback, tmp_path: Path, *, expect_items: bool = False) -> CrawlResult:
    """The ICE newsroom spider (its listing request has no errback of its own) on one loopback listing page."""
    loopback.route("/robots.txt", ("ok", b"User-agent: *\n", "text/plain"))
    return run_spider(
        "ice_news", live=True, raw_root=tmp_path / "raw", feed_path=tmp_path / "feeds" / "ice_news.jsonl",
        extra_settings=NEWS_ON_LOOPBACK, spider_args={"start_url": loopback.base + "/newsroom", "pages": "1"},
        timeout=60, expect_items=expect_items,
    )


def test_failed_downloads_of_any_spider_are_named_with_their_reason(loopback, tmp_path):
    loopback.route("/newsroom", ("status", 503))  # retried once, then given up
    result = news_crawl(loopback, tmp_path)
    assert not result.ok
    assert f"1 download(s) failed: {loopback.base}/newsroom (HTTP 503)" in result.error
    assert loopback.count("/newsroom") == 2
    loopback.route("/newsroom", ("drop",))  # no answer at all: an exception, not a status
    result = news_crawl(loopback, tmp_path)
    assert not result.ok
    reason = "DownloadFailedError: ConnectionDone: Connection was closed cleanly."
    assert f"{loopback.base}/newsroom ({reason})" in result.error


def test_an_article_that_cannot_be_downloaded_is_skipped_not_a_failed_crawl(loopback, tmp_path):
    listing = b'<html><body><a href="/news/releases/gone">Sheriff joins 287(g)</a></body></html>'
    loopback.route("/newsroom", ("ok", listing, "text/html"))  # /news/releases/gone answers 404
    result = news_crawl(loopback, tmp_path)
    assert result.ok, result.error
    assert loopback.count("/news/releases/gone") == 1 and result.items == [] and result.failed_urls == []
    assert result.stats["news/skipped/download_failed"] == 1
    assert f"skip {loopback.base}/news/releases/gone: download failed: HTTP 404" in result.log_path.read_text()


def test_a_news_crawl_that_finds_nothing_new_is_not_a_failure(loopback, tmp_path):
    loopback.route("/newsroom", ("ok", b"<html><body><h1>Newsroom</h1><p>No releases.</p></body></html>", "text/html"))
    result = news_crawl(loopback, tmp_path)
    assert result.ok, result.error
    assert result.items == [] and result.failed_urls == []
    # The same crawl where items are required (the ICE lists, the sanctuary captures) is a failure.
    required = news_crawl(loopback, tmp_path, expect_items=True)
    assert required.error == "ice_news: no items scraped (finish_reason=finished)"
