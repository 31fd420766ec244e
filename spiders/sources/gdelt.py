"""News discovery by query through the GDELT DOC 2.0 API (JSON article lists).

Source: https://api.gdeltproject.org/api/v2/doc/doc?query=<q>&mode=artlist&format=json&maxrecords=N
&sort=datedesc&timespan=<span>. The answer is {"articles": [{"url", "title", "seendate"
("20250417T120000Z"), "domain", "language", "sourcecountry", …}]}. The JSON is archived on every crawl
(kind `api`); English articles whose title mentions 287(g) (or any article, for 287(g) queries) and
whose URL is not archived yet are fetched and archived as `article` with the title, date and domain as
hints. Invalid JSON, a rate-limit text answer, or an entry without a URL is skipped with the reason.
Arguments: `-a queries="q1;q2"`, `-a timespan=3m`, `-a maxrecords=75`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import scrapy

from flows.news.extract import parse_iso
from flows.news.spiderbase import NewsSpider

API = "https://api.gdeltproject.org/api/v2/doc/doc"
DEFAULT_QUERIES = ('"287(g)"', '"287g" sheriff')


def api_url(query: str, timespan: str = "3m", maxrecords: int = 75) -> str:
    """The DOC API article-list URL for a query."""
    return API + "?" + urlencode({"query": query, "mode": "artlist", "format": "json",
                                  "maxrecords": maxrecords, "sort": "datedesc", "timespan": timespan})


class GdeltSpider(NewsSpider):
    """GDELT DOC API article lists for 287(g) queries; follows the articles."""

    name = "gdelt"

    def __init__(self, *args, queries: str = "", timespan: str = "3m", maxrecords: str | int = 75, **kwargs):
        super().__init__(*args, **kwargs)
        self.queries = [q.strip() for q in queries.split(";") if q.strip()] or list(DEFAULT_QUERIES)
        self.timespan = timespan
        self.maxrecords = int(maxrecords)

    async def start(self) -> AsyncIterator[Any]:
        for q in self.queries:
            yield scrapy.Request(api_url(q, self.timespan, self.maxrecords), callback=self.parse_api,
                                 cb_kwargs={"query": q}, dont_filter=True)

    def parse_api(self, response, query: str):
        """Archive the article list, then follow new English articles."""
        try:
            data = json.loads(response.body.decode("utf-8", errors="replace") or "null")
        except ValueError as exc:
            text = response.body[:80].decode("utf-8", errors="replace").strip()
            self.skip(response.url, f"not JSON (GDELT answers rate limits and query errors in text): {text!r} ({exc.msg})")
            return
        if not isinstance(data, dict):
            self.skip(response.url, "JSON is not an object with 'articles'")
            return
        articles = data.get("articles") or []
        if not isinstance(articles, list):
            self.skip(response.url, "'articles' is not a list")
            return
        yield self.archived(response, "api", query=query, entries=str(len(articles)))
        for a in articles:
            if not isinstance(a, dict) or not a.get("url"):
                self.skip(response.url, f"entry without a url: {str(a)[:60]!r}")
                continue
            if (a.get("language") or "English") != "English":
                continue
            published = parse_iso(a.get("seendate"))
            if self.is_new(a["url"]):
                yield self.article_request(a["url"], self.parse_article, title=a.get("title") or "",
                                           published=published.isoformat() if published else "",
                                           outlet=a.get("domain") or "")

    def parse_article(self, response, title: str, published: str, outlet: str):
        """Archive a followed article page."""
        if not response.body:
            self.skip(response.url, "empty body")
            return
        yield self.archived(response, "article", title=title, published=published, outlet=outlet)
