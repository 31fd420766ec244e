"""Base class of the news spiders: incremental (seen URLs), polite, skip-with-reason, archive everything.

A news spider reads the set of URLs already in the raw archive (fetches.jsonl via
RawArchive.sightings(), never DuckDB) when it starts, and never requests an article URL in it again;
listing pages and feeds are always re-read, since they change. Every response it keeps becomes a
`RawFile` item for the archive pipeline. Malformed input goes through `skip()` (one logged line with
the reason, a stats counter) and never raises out of a callback. An article that cannot be downloaded
(a dead link, a site that refuses crawlers) is skipped the same way (`article_request`); a listing,
feed or query that fails is a failed download of the crawl (`spiders.extensions.FailedDownloads`).
`ReleaseSpider` adds the newsroom shape the ICE and DHS spiders share: paged listing → release
pages, checked and archived.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import scrapy

from flows.news.extract import canonical_url
from flows.news.feeds import mentions_287g, raw_file, seen_urls, skip
from spiders.extensions import download_failure_reason


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

    def article_request(self, url: str, callback, **cb_kwargs: Any) -> scrapy.Request:
        """The request for one article found on a listing, feed or query answer."""
        return scrapy.Request(url, callback=callback, cb_kwargs=cb_kwargs, errback=self.article_failed)

    def article_failed(self, failure) -> None:
        """An article that could not be downloaded is skipped with the reason, not a failed crawl."""
        self.skip(failure.request.url, f"download failed: {download_failure_reason(failure.value)}")

    def archived(self, response, kind: str, **meta: str):
        """The RawFile item archiving this response."""
        return raw_file(self, response, kind, **meta)


@dataclass(frozen=True)
class Release:
    """What a newsroom spider read from one release page, besides its title."""

    published: date | None
    body: str
    no_date: str  # the skip reason when `published` is None
    tagged_287g: bool = False  # the page's own topic tags say 287(g)
    meta: dict[str, str] = field(default_factory=dict)


def squeeze(texts: Iterable[str]) -> str:
    """Text nodes joined with single spaces."""
    return " ".join(" ".join(texts).split())


class ReleaseSpider(NewsSpider):
    """A newsroom: listing pages (`?page=N`) → release pages, archived as `article` or `unrelated`.

    Subclasses set `listing_url` and `default_pages` and implement `release_links(response)` (the
    release hrefs of a listing page) and `read_release(response)` (date, body, extra metadata).
    Arguments: `-a pages=N`, `-a start_url=URL`.
    """

    listing_url = ""
    default_pages = 2

    def __init__(self, *args, pages: str | int | None = None, start_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages = int(self.default_pages if pages is None else pages)
        self.start_url = start_url or self.listing_url

    async def start(self) -> AsyncIterator[Any]:
        for page in range(self.pages):
            url = self.start_url if page == 0 else f"{self.start_url}?page={page}"
            yield scrapy.Request(url, callback=self.parse_listing, dont_filter=True)

    def release_links(self, response) -> list[str]:
        """The release hrefs on a listing page."""
        raise NotImplementedError

    def read_release(self, response) -> Release:
        """Date, body and metadata of a release page."""
        raise NotImplementedError

    def parse_listing(self, response):
        """Follow every release link not archived yet."""
        links = self.release_links(response)
        if not links:
            self.skip(response.url, "no release links on listing page (layout changed?)")
            return
        for href in dict.fromkeys(links):
            url = response.urljoin(href)
            if self.is_new(url):
                yield self.article_request(url, self.parse_release)

    def parse_release(self, response):
        """Archive a release; `article` when it is about 287(g), else `unrelated`."""
        if not hasattr(response, "css"):
            self.skip(response.url, "not an HTML page")
            return
        title = squeeze(response.css("h1 ::text").getall())
        release = self.read_release(response)
        if not title:
            self.skip(response.url, "no title (broken or unexpected HTML)")
            return
        if release.published is None:
            self.skip(response.url, release.no_date)
            return
        if not release.body:
            self.skip(response.url, "no body text (broken or unexpected HTML)")
            return
        relevant = release.tagged_287g or mentions_287g(title, release.body)
        yield self.archived(response, "article" if relevant else "unrelated",
                            title=title, published=release.published.isoformat(), **release.meta)
