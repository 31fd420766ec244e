"""Helpers the news spiders share: safe feed parsing, seen URLs, the sources file, clean skips.

Guarantees:
- `parse_feed` never expands XML entities: a feed that declares any entity or DTD (the shape of a
  "billion laughs" bomb or an external-entity read) is refused by defusedxml before feedparser sees
  it, and an oversize body is refused outright; either way the caller gets a `FeedRejected` reason.
- `seen_urls` reads only the raw archive's fetches.jsonl (RawArchive.sightings()), never DuckDB.
- `skip` logs one line naming the URL and the reason and counts it in the crawl stats
  (`news/skipped/<reason>`), so a malformed page never stops a crawl.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from flows.config import PROJECT_ROOT

SOURCES_CSV = PROJECT_ROOT / "flows" / "reference" / "news_sources.csv"
MAX_FEED_BYTES = 5 * 1024 * 1024
MENTIONS_287G = re.compile(r"287\s*\(?\s*g\s*\)?(?![a-z0-9])", re.I)

log = logging.getLogger(__name__)


class FeedRejected(ValueError):
    """A feed we refuse to parse; the message is the reason."""


@dataclass(frozen=True)
class FeedEntry:
    """One entry of an RSS or Atom feed."""

    title: str
    link: str
    published: str  # ISO date (YYYY-MM-DD) or '' when the feed gives none
    summary: str
    source: str  # publisher named by the feed (Google News <source>), else ''


def _guard_xml(body: bytes) -> None:
    """Refuse DTDs, entity declarations and external references before any parser expands them."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    if len(body) > MAX_FEED_BYTES:
        raise FeedRejected(f"feed is {len(body)} bytes, over the {MAX_FEED_BYTES}-byte limit")
    head = body[:65536].lower()
    if b"<!entity" in head:
        raise FeedRejected("feed declares XML entities (possible entity-expansion bomb); refused")
    try:
        DET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedRejected(f"feed refused by defusedxml: {type(exc).__name__}") from exc
    except DET.ParseError:
        pass  # malformed but entity-free XML: feedparser's lenient parser may still read it


def parse_feed(body: bytes) -> list[FeedEntry]:
    """Entries of an RSS/Atom feed, after the entity guard. Raises FeedRejected with a reason."""
    import feedparser

    if not body or not body.strip():
        raise FeedRejected("empty feed")
    _guard_xml(body)
    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries:
        raise FeedRejected(f"not a readable feed: {parsed.get('bozo_exception')}")
    out = []
    for e in parsed.entries:
        published = ""
        for key in ("published_parsed", "updated_parsed"):
            t = e.get(key)
            if t:
                published = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
                break
        src = e.get("source") or {}
        out.append(FeedEntry(
            title=" ".join((e.get("title") or "").split()),
            link=(e.get("link") or "").strip(),
            published=published,
            summary=" ".join(re.sub(r"<[^>]+>", " ", e.get("summary") or "").split()),
            source=(src.get("title") or "") if hasattr(src, "get") else "",
        ))
    return out


def seen_urls(raw_root: Path | str | None = None) -> set[str]:
    """URLs already in the raw archive (from fetches.jsonl), so a crawl never fetches them again."""
    from flows.config import raw_dir
    from spiders.archive import RawArchive

    root = Path(raw_root) if raw_root else raw_dir()
    return {s.url for s in RawArchive(root).sightings()}


def load_sources(path: Path | str = SOURCES_CSV, category: str | None = None) -> list[dict[str, str]]:
    """Rows of the news sources file (one agency feed or page per line), optionally one category."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        rows = [
            {k: (v or "").strip() for k, v in r.items()}
            for r in csv.DictReader(line for line in fh if not line.startswith("#"))
        ]
    return [r for r in rows if r.get("url") and (category is None or r.get("category") == category)]


def mentions_287g(*texts: str) -> bool:
    """Whether any text names the 287(g) program (287(g), 287g, 287 (g))."""
    return any(MENTIONS_287G.search(t or "") for t in texts)


def skip(spider, url: str, reason: str) -> None:
    """Log a skipped page or feed with its reason and count it; never raises."""
    slug = re.sub(r"[^a-z0-9]+", "_", reason.lower().split(":")[0]).strip("_")[:40] or "other"
    spider.logger.warning("skip %s: %s", url, reason)
    crawler = getattr(spider, "crawler", None)
    if crawler is not None and getattr(crawler, "stats", None) is not None:
        crawler.stats.inc_value(f"news/skipped/{slug}")
    skipped = getattr(spider, "skipped", None)
    if isinstance(skipped, list):
        skipped.append((url, reason))


def raw_file(spider, response, kind: str, **meta: str):
    """A RawFile item for a response, body byte for byte, with the response headers."""
    from spiders.archive import safe_file_name, utc_now
    from spiders.items import RawFile, headers_of

    headers = headers_of(response)
    name = safe_file_name(response.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1] or "index")
    return RawFile(
        source=spider.name,
        url=response.url,
        file_name=name,
        kind=kind,
        body=response.body,
        fetched_at=utc_now(),
        status=response.status,
        headers=headers,
        referer=(response.request.headers.get("Referer") or b"").decode("latin-1") if response.request else "",
        meta={k: v for k, v in meta.items() if v},
    )
