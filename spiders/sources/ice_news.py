"""ICE newsroom releases about 287(g).

Source: https://www.ice.gov/newsroom (listing) → https://www.ice.gov/news/releases/<slug> (slug =
lower-cased title words, '-1' appended to repeats). A release page's header runs the date, the
dateline and the topic tag together ("November 17, 2020" "Washington, DC, United States" "287g
Immigration and Nationality Act"); the body starts with a dateline ("WASHINGTON –").

Kept (kind `article`): releases tagged 287g or whose text mentions 287(g). Other releases are archived
as `unrelated` so that an incremental crawl does not fetch them again. A release without a date in
its header, or without a title or body, is skipped with the reason logged. Listing pages are re-read on
every crawl; release URLs already in the raw archive are not fetched again.
Arguments: `-a pages=N` listing pages to read (default 3), `-a start_url=URL` another listing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy

from flows.news.extract import split_ice_header
from flows.news.feeds import mentions_287g
from flows.news.spiderbase import NewsSpider

LISTING_URL = "https://www.ice.gov/newsroom"


class IceNewsSpider(NewsSpider):
    """ICE news releases; keeps the 287(g) ones."""

    name = "ice_news"
    allowed_domains = ["ice.gov", "www.ice.gov"]

    def __init__(self, *args, pages: str | int = 3, start_url: str = LISTING_URL, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages = int(pages)
        self.start_url = start_url

    async def start(self) -> AsyncIterator[Any]:
        for page in range(self.pages):
            url = self.start_url if page == 0 else f"{self.start_url}?page={page}"
            yield scrapy.Request(url, callback=self.parse_listing, dont_filter=True)

    def parse_listing(self, response):
        """Follow every release link not archived yet."""
        links = response.css('a[href*="/news/releases/"]::attr(href)').getall()
        if not links:
            self.skip(response.url, "no release links on listing page (layout changed?)")
            return
        for href in dict.fromkeys(links):
            url = response.urljoin(href)
            if self.is_new(url):
                yield scrapy.Request(url, callback=self.parse_release)

    def parse_release(self, response):
        """Archive a release; `article` when it is about 287(g), else `unrelated`."""
        if not hasattr(response, "css"):
            self.skip(response.url, "not an HTML page")
            return
        title = " ".join(" ".join(response.css("h1 ::text").getall()).split())
        header = " ".join(" ".join(response.css(".news-release-header ::text").getall()).split())
        if not header:
            # Older layouts print the pieces in separate fields.
            header = " ".join(" ".join(response.css(
                ".field--name-field-date ::text, .field--name-field-location ::text, "
                ".field--name-field-news-release-topics ::text").getall()).split())
        released, dateline, topics = split_ice_header(header)
        body = " ".join(" ".join(response.css(
            ".field--name-body ::text, article p::text, article li::text").getall()).split())
        if not title:
            self.skip(response.url, "no title (broken or unexpected HTML)")
            return
        if released is None:
            self.skip(response.url, f"no release date in header {header[:60]!r}")
            return
        if not body:
            self.skip(response.url, "no body text (broken or unexpected HTML)")
            return
        relevant = "287g" in topics.lower().replace("(", "").replace(")", "") or mentions_287g(title, body)
        yield self.archived(
            response,
            "article" if relevant else "unrelated",
            title=title,
            published=released.isoformat(),
            dateline=dateline,
            topics=topics,
        )
