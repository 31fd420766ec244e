"""County board and council agendas, where an agency publishes them as a feed.

Sources: flows/reference/news_sources.csv, rows with category `agendas` (e.g. CivicPlus AgendaCenter
RSS, Legistar calendar feeds). Behaves like agency_news: the feed is archived on every crawl behind
the entity guard; agenda items whose title or summary matches the row's keywords (287(g), ICE,
immigration …) and that are not archived yet are fetched and archived as `article` (agenda pages and
packets; the loader reads the HTML ones). Refused feeds and items without links are skipped with the
reason logged.
"""

from __future__ import annotations

from spiders.sources.agency_news import FeedSourcesSpider


class CountyAgendasSpider(FeedSourcesSpider):
    """Board and council agenda feeds listed in news_sources.csv."""

    name = "county_agendas"
    category = "agendas"
