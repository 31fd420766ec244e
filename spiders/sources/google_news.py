"""News discovery by query through Google News RSS search.

Source: https://news.google.com/rss/search?q=<query>&hl=en-US&gl=US&ceid=US:en (one feed per query;
each <item> carries title, link, pubDate and <source url=…>publisher</source>). The feed itself is the
record: it is archived on every crawl (kind `feed`) and the loader turns its 287(g)/sanctuary entries
into headline-only articles (Google's item links are redirect pages that need a browser to resolve,
so they are not followed unless `-a follow=1`). A refused feed (entity declarations, oversize,
unreadable) is skipped with the reason logged. Arguments: `-a queries="q1;q2"`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote_plus

import scrapy

from flows.news.feeds import FeedRejected, mentions_287g, parse_feed
from flows.news.spiderbase import NewsSpider

DEFAULT_QUERIES = ('"287(g)"', '"287(g)" sheriff agreement', '"sanctuary" ordinance ICE')


def search_url(query: str) -> str:
    """The Google News RSS search URL for a query (US English edition)."""
    return f"https://news.google.com/rss/search?q={quote_plus(query)}&hl=en-US&gl=US&ceid=US:en"


class GoogleNewsSpider(NewsSpider):
    """Google News RSS search feeds for 287(g) queries."""

    name = "google_news"
    allowed_domains = ["news.google.com"]

    def __init__(self, *args, queries: str = "", follow: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.queries = [q.strip() for q in queries.split(";") if q.strip()] or list(DEFAULT_QUERIES)
        self.follow = bool(follow)

    async def start(self) -> AsyncIterator[Any]:
        for q in self.queries:
            yield scrapy.Request(search_url(q), callback=self.parse_feed, cb_kwargs={"query": q}, dont_filter=True)

    def parse_feed(self, response, query: str):
        """Archive the search feed; optionally follow 287(g) entries not archived yet."""
        try:
            entries = parse_feed(response.body)
        except FeedRejected as exc:
            self.skip(response.url, str(exc))
            return
        yield self.archived(response, "feed", query=query, entries=str(len(entries)))
        if not self.follow:
            return
        for e in entries:
            if e.link and mentions_287g(e.title, e.summary) and self.is_new(e.link):
                yield self.article_request(e.link, self.parse_article, title=e.title, published=e.published,
                                           outlet=e.source)

    def parse_article(self, response, title: str, published: str, outlet: str):
        """Archive a followed article page."""
        yield self.archived(response, "article", title=title, published=published, outlet=outlet)
