"""Sheriff's office and police department announcements, configured as data.

Sources: flows/reference/news_sources.csv, rows with category `announcements` (one line per agency:
its news page or RSS feed, how to read it — `rss`, or `html` with CSS selectors — and keywords). The
feed or listing page is archived (`feed` / `listing`) on every crawl; announcements whose title or
summary matches the row's keywords and whose URL is not in the raw archive yet are fetched and archived
as `article`, carrying the agency, state and the feed's date as hints. Feeds are parsed behind the
entity guard of flows.news.feeds.parse_feed; a refused or unreadable feed, a page with no items or an
item with no link is skipped with the reason logged. Rows with `enabled=no` are not crawled.
Arguments: `-a sources=PATH` another sources file, `-a only=source_id,...`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import scrapy

from flows.news.feeds import SOURCES_CSV, FeedRejected, load_sources, parse_feed
from flows.news.spiderbase import NewsSpider

CATEGORY = "announcements"


def keyword_match(row: dict[str, str], *texts: str) -> bool:
    """Whether any of the row's '|'-separated keywords occurs in the texts (no keywords: all match)."""
    words = [w.strip() for w in (row.get("keywords") or "").split("|") if w.strip()]
    if not words:
        return True
    hay = " ".join(t or "" for t in texts).lower()
    return any(re.search(r"(?<![a-z0-9])" + re.escape(w.lower()) + r"(?![a-z0-9])", hay) for w in words)


class FeedSourcesSpider(NewsSpider):
    """Reads every enabled row of one category of the sources file."""

    category = CATEGORY

    def __init__(self, *args, sources: str = str(SOURCES_CSV), only: str = "", include_disabled: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        rows = load_sources(sources, self.category)
        wanted = {s for s in only.split(",") if s}
        self.rows = [r for r in rows
                     if (not wanted or r["source_id"] in wanted)
                     and (include_disabled or wanted or r.get("enabled", "yes").lower() != "no")]

    async def start(self) -> AsyncIterator[Any]:
        for row in self.rows:
            yield scrapy.Request(row["url"], callback=self.parse_source, cb_kwargs={"row": row}, dont_filter=True)

    def parse_source(self, response, row: dict[str, str]):
        """Archive the feed or listing, then follow matching items not archived yet."""
        if row.get("kind") == "rss":
            try:
                entries = parse_feed(response.body)
            except FeedRejected as exc:
                self.skip(response.url, str(exc))
                return
            yield self.archived(response, "feed", source_id=row["source_id"], agency=row.get("agency", ""),
                                state=row.get("state", ""))
            items = [(e.link, e.title, e.summary, e.published) for e in entries]
        else:
            if not hasattr(response, "css"):
                self.skip(response.url, "listing is not HTML")
                return
            nodes = response.css(row.get("item_selector") or "article")
            if not nodes:
                self.skip(response.url, f"no items match {row.get('item_selector')!r} (layout changed?)")
                return
            yield self.archived(response, "listing", source_id=row["source_id"], agency=row.get("agency", ""),
                                state=row.get("state", ""))
            items = []
            for n in nodes:
                link = n.css(row.get("link_selector") or "a::attr(href)").get()
                title = " ".join(" ".join(n.css(row.get("title_selector") or "a::text").getall()).split())
                when = " ".join(" ".join(n.css(row["date_selector"]).getall()).split()) if row.get("date_selector") else ""
                items.append((response.urljoin(link) if link else "", title, "", when))
        for link, title, summary, published in items:
            if not link:
                self.skip(response.url, f"item without a link: {title[:60]!r}")
                continue
            if not keyword_match(row, title, summary):
                continue
            if self.is_new(link):
                yield self.article_request(link, self.parse_item, row=row, title=title, published=published)

    def parse_item(self, response, row: dict[str, str], title: str, published: str):
        """Archive one announcement or agenda item page."""
        if not response.body:
            self.skip(response.url, "empty body")
            return
        yield self.archived(response, "article", source_id=row["source_id"], agency=row.get("agency", ""),
                            state=row.get("state", ""), title=title, published=published)


class AgencyNewsSpider(FeedSourcesSpider):
    """Agency announcements (sheriffs, police) listed in news_sources.csv."""

    name = "agency_news"
    category = CATEGORY
