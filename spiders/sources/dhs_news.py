"""DHS press releases about 287(g).

Source: https://www.dhs.gov/news-releases/press-releases (listing; each row links a release at
https://www.dhs.gov/news/YYYY/MM/DD/<slug>). A release's date is its <time datetime> or, failing
that, the date in the URL path. Releases mentioning 287(g) are archived as `article`, others as
`unrelated` (so they are not fetched again); a release with no date anywhere, no title or no body is
skipped with the reason logged. Arguments: `-a pages=N` (default 2), `-a start_url=URL`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy

from flows.news.extract import date_from_url, parse_iso, parse_printed_date
from flows.news.feeds import mentions_287g
from flows.news.spiderbase import NewsSpider

LISTING_URL = "https://www.dhs.gov/news-releases/press-releases"


class DhsNewsSpider(NewsSpider):
    """DHS press releases; keeps the 287(g) ones."""

    name = "dhs_news"
    allowed_domains = ["dhs.gov", "www.dhs.gov"]

    def __init__(self, *args, pages: str | int = 2, start_url: str = LISTING_URL, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages = int(pages)
        self.start_url = start_url

    async def start(self) -> AsyncIterator[Any]:
        for page in range(self.pages):
            url = self.start_url if page == 0 else f"{self.start_url}?page={page}"
            yield scrapy.Request(url, callback=self.parse_listing, dont_filter=True)

    def parse_listing(self, response):
        """Follow release links (dated /news/YYYY/MM/DD/ paths) not archived yet."""
        links = [h for h in response.css("a::attr(href)").getall() if "/news/20" in h or "/news/19" in h]
        if not links:
            self.skip(response.url, "no release links on listing page (layout changed?)")
            return
        for href in dict.fromkeys(links):
            url = response.urljoin(href)
            if self.is_new(url):
                yield scrapy.Request(url, callback=self.parse_release)

    def parse_release(self, response):
        """Archive a release; `article` when it mentions 287(g), else `unrelated`."""
        if not hasattr(response, "css"):
            self.skip(response.url, "not an HTML page")
            return
        title = " ".join(" ".join(response.css("h1 ::text").getall()).split())
        released = parse_iso(response.css("time::attr(datetime)").get()) \
            or parse_printed_date(" ".join(response.css(".field--name-field-release-date ::text, .date ::text").getall())) \
            or date_from_url(response.url)
        body = " ".join(" ".join(response.css(".field--name-body ::text, article p ::text").getall()).split())
        if not title:
            self.skip(response.url, "no title (broken or unexpected HTML)")
            return
        if released is None:
            self.skip(response.url, "no release date in page or URL")
            return
        if not body:
            self.skip(response.url, "no body text (broken or unexpected HTML)")
            return
        yield self.archived(response, "article" if mentions_287g(title, body) else "unrelated",
                            title=title, published=released.isoformat())
