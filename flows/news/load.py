"""Load news from the raw archive into the warehouse: documents, articles, mentions, events.

`ingest(db_path, raw_root)` reads every archived document the news spiders (or the bundled sample)
left in the raw archive, and rebuilds the news tables from them in one transaction:

1. documents: every archived page, feed or API answer (sha256, url, source, fetched_at, kind, status,
   reason) — feeds and listings included, skipped pages with their one-line reason;
2. articles: HTML pages extracted (flows.news.extract) and kept when about 287(g) or sanctuary
   policies; feed and API entries without an archived page become headline-only articles; the same
   canonical URL yields one article; syndicated copies get `duplicate_of` (flows.news.dedupe);
3. article_events: the best sentence per event kind (flows.news.classify), its date resolved from the
   sentence ("signed Tuesday"), the agency it concerns and, for signings, ICE's later listing and lag;
4. article_mentions: agencies and jurisdictions named (flows.news.link).

Re-running on the same archive changes nothing (the tables are rebuilt from the same bytes, ordered
deterministically). With `live=False` the bundled sample (sample/news/, reconstructed pages) is first
archived into `raw_root` (once; a sighting already recorded is not recorded again); with `live=True`
the news spiders are run first (`flows.crawl.crawl_each`, one subprocess each, each log in the feeds
directory); a spider that fails is one line in the summary's `errors`, and what the archive holds is
loaded all the same. The BM25 search index is rebuilt after the commit.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

import flows.config
from flows.news import classify, dedupe, extract, feeds, link

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parent / "sql"
NEWS_SPIDERS = ("ice_news", "dhs_news", "agency_news", "county_agendas", "google_news", "gdelt")
SAMPLE_SOURCE = "news_sample"
NEWS_SOURCES = (*NEWS_SPIDERS, SAMPLE_SOURCE)
LISTING_PATHS = ("/newsroom", "/news-releases", "/news/releases", "/press-releases", "/news")

COLUMNS = {
    "documents": ("sha256", "url", "source", "fetched_at", "kind", "status", "reason", "article_id"),
    "articles": ("article_id", "canonical_url", "url", "title", "published_on", "date_basis", "author", "outlet",
                 "state", "text", "headline_only", "sha256", "source", "duplicate_of"),
    "article_mentions": ("article_id", "position", "mention", "mention_kind", "agency_name", "state", "level",
                         "county_fips", "place", "agency_id", "resolved_by"),
    "article_events": ("article_id", "event_kind", "confidence", "sentence", "event_date", "agency_id",
                       "agreement_id", "listed_on", "lag_days"),
}


def _sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def is_relevant(*texts: str) -> bool:
    """About 287(g), or about sanctuary policies and immigration enforcement."""
    hay = " ".join(t or "" for t in texts)
    if feeds.mentions_287g(hay):
        return True
    low = hay.lower()
    return "sanctuary" in low and any(w in low for w in ("immigra", " ice ", "ice detainer", "deport"))


def sniff_kind(body: bytes, url: str, listing_urls: set[str]) -> str:
    """What an archived document is: api (JSON), feed (RSS/Atom), listing, article, other."""
    head = body[:2048].lstrip().lower()
    if head.startswith((b"{", b"[")):
        return "api"
    if head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head) or \
            head.startswith((b"<rss", b"<feed")):
        return "feed"
    if b"<html" in head or b"<!doctype html" in head or b"<head" in head or b"<body" in head or b"<div" in head:
        canon = extract.canonical_url(url)
        path = urlsplit(canon).path.rstrip("/")
        if canon in listing_urls or path in LISTING_PATHS or path.endswith(LISTING_PATHS):
            return "listing"
        return "article"
    if head.startswith(b"%pdf"):
        return "other"
    return "other"


@dataclass
class _Doc:
    sha256: str
    url: str
    source: str
    fetched_at: str
    kind: str = "other"
    status: str = "skipped"
    reason: str | None = None
    article_id: str | None = None


# --- sample and live crawl ---------------------------------------------------------------------------

def import_sample(archive, sample_dir: Path) -> int:
    """Archive the bundled sample documents listed in sample_dir/manifest.csv (once). Returns new sightings."""
    manifest = sample_dir / "manifest.csv"
    if not manifest.exists():
        return 0
    known = {(s.sha256, s.url) for s in archive.sightings()}
    added = 0
    with manifest.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            body = (sample_dir / row["file"]).read_bytes()
            if (hashlib.sha256(body).hexdigest(), row["url"]) in known:
                continue
            archive.put(body, source=SAMPLE_SOURCE, url=row["url"], file_name=Path(row["file"]).name,
                        fetched_at=row.get("fetched_at") or None, status=200,
                        headers={"X-Tracker-Sample": "reconstructed"})
            added += 1
    return added


def sample_hints(sample_dir: Path) -> dict[str, dict[str, str]]:
    """Per-URL hints (state, outlet) from the sample manifest."""
    manifest = sample_dir / "manifest.csv"
    if not manifest.exists():
        return {}
    with manifest.open(encoding="utf-8", newline="") as fh:
        return {r["url"]: {k: v for k, v in r.items() if v and k in ("state", "outlet", "title", "published")}
                for r in csv.DictReader(line for line in fh if not line.startswith("#"))}


# --- parsing -----------------------------------------------------------------------------------------

def _source_states() -> dict[str, str]:
    out = {}
    try:
        rows = feeds.load_sources()
    except FileNotFoundError:
        return out
    for r in rows:
        host = (urlsplit(r["url"]).hostname or "").removeprefix("www.")
        if host and r.get("state"):
            out[host] = r["state"]
    return out


def _listing_urls() -> set[str]:
    try:
        return {extract.canonical_url(r["url"]) for r in feeds.load_sources() if r.get("kind") == "html"}
    except FileNotFoundError:
        return set()


def _entries_of(kind: str, body: bytes) -> list[dict[str, str]]:
    """Entries of a feed or GDELT answer as dicts: link, title, summary, published, outlet."""
    if kind == "feed":
        return [{"link": e.link, "title": e.title, "summary": e.summary, "published": e.published,
                 "outlet": e.source} for e in feeds.parse_feed(body)]
    data = json.loads(body.decode("utf-8", errors="replace"))
    arts = data.get("articles") if isinstance(data, dict) else None
    out = []
    for a in arts or []:
        if isinstance(a, dict) and a.get("url"):
            d = extract.parse_iso(a.get("seendate"))
            out.append({"link": a["url"], "title": a.get("title") or "", "summary": "",
                        "published": d.isoformat() if d else "", "outlet": a.get("domain") or ""})
    return out


def parse_archive(archive, hints: dict[str, dict[str, str]] | None = None):
    """Documents and articles from every news sighting in the archive (deterministic order)."""
    hints = dict(hints or {})
    first: dict[tuple[str, str], _Doc] = {}
    for s in archive.sightings():
        if s.source not in NEWS_SOURCES:
            continue
        key = (s.sha256, s.url)
        if key not in first or s.fetched_at < first[key].fetched_at:
            first[key] = _Doc(s.sha256, s.url, s.source, s.fetched_at)
    docs = sorted(first.values(), key=lambda d: (d.fetched_at, d.url, d.sha256))
    listing_urls = _listing_urls()
    host_states = _source_states()
    articles: dict[str, extract.Article] = {}
    stubs: dict[str, tuple[extract.Article, _Doc]] = {}
    for doc in docs:
        try:
            body = archive.read(doc.sha256)
        except OSError as exc:
            doc.status, doc.reason = "failed", f"archived object unreadable: {exc}"
            continue
        doc.kind = sniff_kind(body, doc.url, listing_urls)
        if doc.kind in ("feed", "api"):
            try:
                entries = _entries_of(doc.kind, body)
            except (feeds.FeedRejected, ValueError) as exc:
                doc.status, doc.reason = "skipped", str(exc).splitlines()[0][:300]
                continue
            doc.status = "parsed"
            for e in entries:
                hints.setdefault(e["link"], {k: v for k, v in e.items() if v and k != "link"})
                if not is_relevant(e["title"], e["summary"]):
                    continue
                canon = extract.canonical_url(e["link"])
                text = e["summary"] if e["summary"] and e["summary"] != e["title"] else e["title"]
                art = extract.Article(
                    url=e["link"], canonical_url=canon, title=e["title"],
                    published_on=extract.parse_iso(e["published"]), date_basis="feed" if e["published"] else "none",
                    author=None, outlet=e["outlet"] or None, text=text, sha256=doc.sha256, source=doc.source)
                stubs.setdefault(art.article_id, (art, doc))
            continue
        if doc.kind != "article":
            doc.status, doc.reason = ("parsed", None) if doc.kind == "listing" else ("skipped", "not HTML, JSON or a feed")
            continue
        h = hints.get(doc.url, {})
        try:
            art = extract.extract_article(body, doc.url, hints=h)
        except extract.ExtractError as exc:
            doc.status, doc.reason = "skipped", str(exc)
            continue
        if not is_relevant(art.title, art.text):
            doc.kind, doc.status, doc.reason = "unrelated", "skipped", "not about 287(g) or sanctuary policies"
            continue
        art.sha256, art.source = doc.sha256, doc.source
        art.dateline_state = art.dateline_state or h.get("state") or \
            host_states.get((urlsplit(doc.url).hostname or "").removeprefix("www."))
        if art.article_id in articles:
            doc.status, doc.reason, doc.article_id = "duplicate", "same canonical URL as an earlier document", art.article_id
            continue
        articles[art.article_id] = art
        doc.status, doc.article_id = "parsed", art.article_id
    headline_only = set()
    for aid, (art, _doc) in stubs.items():
        if aid not in articles:
            articles[aid] = art
            headline_only.add(aid)
    return docs, articles, headline_only


# --- linking ------------------------------------------------------------------------------------------

def _agency_index(con) -> dict[tuple[str, str], str]:
    try:
        rows = con.execute(_sql("agencies.sql")).fetchall()
    except duckdb.CatalogException:  # core tables absent in a news-only warehouse
        return {}
    return {(state, link.name_key(name)): agency_id for agency_id, state, name in rows if state and name}


def _listings(con) -> dict[str, list[tuple[str, str, str, date]]]:
    out: dict[str, list[tuple[str, str, str, date]]] = defaultdict(list)
    try:
        rows = con.execute(_sql("listings.sql")).fetchall()
    except duckdb.CatalogException:  # as above
        return out
    for agreement_id, agency_id, model, as_of in rows:
        out[agency_id].append((agreement_id, agency_id, model, as_of))
    return out


def link_article(art: extract.Article, agencies, listings):
    """Mentions and events of one article, linked to agencies and ICE listings."""
    full = art.title + "\n" + art.text
    mentions = [link.resolve_jurisdiction(m) for m in link.find_mentions(full, art.dateline_state)]
    for m in mentions:
        if m.agency_name and m.state:
            m.agency_id = agencies.get((m.state, link.name_key(m.agency_name)))
    events = []
    dated: dict[str, date] = {}
    for ev in [classify.classify_sentence(art.title)] + classify.events_in(art.text):
        when = extract.event_date(ev.span, art.published_on)
        if when and ev.event_kind not in dated:
            dated[ev.event_kind] = when  # "signed Tuesday" may sit in a later sentence than the best one
    for ev in classify.article_events(art.title, art.text):
        sent_pos = full.find(ev.span)
        # The agency an event concerns: the mention in its sentence, else the article's first agency.
        in_sentence = [m for m in mentions if m.agency_id and sent_pos <= m.position < sent_pos + len(ev.span)]
        agency_mentions = in_sentence or [m for m in mentions if m.agency_id]
        agency_id = agency_mentions[0].agency_id if agency_mentions else None
        when = extract.event_date(ev.span, art.published_on) or dated.get(ev.event_kind)
        agreement_id = listed_on = lag = None
        if ev.event_kind in link.SIGNING_KINDS and agency_id:
            hit = link.match_listing(listings.get(agency_id, []), art.published_on,
                                     link.model_hint(ev.span) or link.model_hint(art.title))
            if hit:
                agreement_id, agency_id, listed_on, lag = hit
        events.append((ev.event_kind, ev.confidence, ev.span, when, agency_id, agreement_id, listed_on, lag))
    return mentions, events


# --- the load -----------------------------------------------------------------------------------------

def _insert(con, table: str, rows: list[tuple]) -> None:
    if rows:
        cols = COLUMNS[table]
        con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)


def ingest(db_path: Path, raw_root: Path, *, live: bool = False,
           sample_dir: Path = flows.config.SAMPLE_DIR / "news") -> dict:
    """Parse the archived news documents and rebuild the news tables in one transaction; a summary."""
    from spiders.archive import RawArchive
    from warehouse.db import writer

    archive = RawArchive(Path(raw_root))
    summary: dict = {"sample_imported": 0, "spiders": {}, "errors": []}
    if live:
        from flows.crawl import crawl_each, crawl_errors

        # Finding nothing new is no failure for a news spider (expect_items=False).
        summary["spiders"] = crawled = crawl_each(NEWS_SPIDERS, Path(raw_root), expect_items=False)
        summary["errors"] = crawl_errors(crawled)
    elif sample_dir and Path(sample_dir).exists():
        summary["sample_imported"] = import_sample(archive, Path(sample_dir))
    docs, articles, headline_only = parse_archive(archive, sample_hints(Path(sample_dir)) if sample_dir else {})
    dupes = dedupe.group_duplicates([
        (aid, a.canonical_url, a.title + "\n" + a.text, a.published_on)
        for aid, a in sorted(articles.items()) if aid not in headline_only
    ])
    for copy_id, original_id in sorted(dupes.items()):
        # A syndicated copy may carry the dateline the original lacks.
        if not articles[original_id].dateline_state and articles[copy_id].dateline_state:
            articles[original_id].dateline_state = articles[copy_id].dateline_state
    with writer(db_path) as con:
        agencies, listings = _agency_index(con), _listings(con)
        article_rows, mention_rows, event_rows = [], [], []
        for aid, a in sorted(articles.items()):
            article_rows.append((aid, a.canonical_url, a.url, a.title, a.published_on, a.date_basis, a.author,
                                 a.outlet, a.dateline_state, a.text, aid in headline_only, a.sha256, a.source,
                                 dupes.get(aid)))
            mentions, events = link_article(a, agencies, listings)
            seen_pos = set()
            for m in mentions:
                if m.position in seen_pos:
                    continue
                seen_pos.add(m.position)
                mention_rows.append((aid, m.position, m.mention, m.mention_kind, m.agency_name, m.state, m.level,
                                     m.county_fips, m.place, m.agency_id, m.resolved_by))
            event_rows += [(aid, *e) for e in events]
        doc_rows = [(d.sha256, d.url, d.source, extract.parse_datetime(d.fetched_at), d.kind, d.status, d.reason,
                     d.article_id) for d in docs]
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(_sql("clear_news.sql"))
            _insert(con, "documents", doc_rows)
            _insert(con, "articles", article_rows)
            _insert(con, "article_mentions", mention_rows)
            _insert(con, "article_events", event_rows)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        fts = "built"
        try:
            from flows.news.search import build_index

            build_index(con)
        except Exception as exc:  # search is a convenience; the load itself has committed
            reason = " ".join(str(exc).split())[:300] or type(exc).__name__
            fts = f"unavailable: {reason}"
            summary["errors"].append(f"search index not built (`tracker search` will not work): {reason}")
            log.error("news search index not built: %s", reason)
    summary.update({
        "documents": len(doc_rows),
        "skipped": sum(1 for d in docs if d.status == "skipped"),
        "articles": len(article_rows),
        "originals": sum(1 for r in article_rows if r[-1] is None),
        "duplicates": len(dupes),
        "headline_only": len(headline_only),
        "events": len(event_rows),
        "linked_to_listing": sum(1 for r in event_rows if r[6] is not None),
        "mentions": len(mention_rows),
        "search_index": fts,
    })
    return summary
