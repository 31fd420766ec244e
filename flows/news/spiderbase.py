"""Base class of the news spiders: incremental (seen URLs), polite, skip-with-reason, archive everything.

A news spider reads the set of URLs already in the raw archive (fetches.jsonl via
RawArchive.sightings(), never DuckDB) when it starts, and never requests an article URL in it again;
listing pages and feeds are always re-read, since they change. Every response it keeps becomes a
`RawFile` item for the archive pipeline. Malformed input goes through `skip()` (one logged line with
the reason, a stats counter) and never raises out of a callback.
"""

from __future__ import annotations

from collections.abc import Iterable

import scrapy

from flows.news.extract import canonical_url
from flows.news.feeds import raw_file, seen_urls, skip


class NewsSpider(scrapy.Spider):
    """Shared behaviour of the news spiders. Subclasses set `name` and implement `start()`."""

    custom_settings = {"DOWNLOAD_DELAY": 2.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def __init__(self, *args, seen: Iterable[str] | None = None, raw_dir: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.skipped: list[tuple[str, str]] = []
        self._seen_given = set(seen) if seen is not None else None
        self._raw_dir = raw_dir
        self._seen: set[str] | None = None

    @property
    def seen(self) -> set[str]:
        """Canonical forms of every URL already archived (loaded once, on first use)."""
        if self._seen is None:
            if self._seen_given is not None:
                urls = self._seen_given
            else:
                root = self._raw_dir
                if root is None and getattr(self, "crawler", None) is not None:
                    root = self.crawler.settings.get("TRACKER_RAW_DIR") or None
                urls = seen_urls(root)
            self._seen = {canonical_url(u) for u in urls if u.startswith("http")}
        return self._seen

    def is_new(self, url: str) -> bool:
        """Whether an article URL has never been archived (and remember it for this crawl)."""
        key = canonical_url(url)
        if key in self.seen:
            self.logger.debug("already archived, not fetched again: %s", url)
            return False
        self.seen.add(key)
        return True

    def skip(self, url: str, reason: str) -> None:
        """Log and count a skipped page with its reason."""
        skip(self, url, reason)

    def archived(self, response, kind: str, **meta: str):
        """The RawFile item archiving this response."""
        return raw_file(self, response, kind, **meta)
