"""Base class of the sanctuary-list spiders: a list page's web-archive captures, archived byte for byte.

The crawling itself is `spiders.wayback.ArchivedPageSpider`; a list spider names its list by a
`ListSpec` (flows/sanctuary/sources.py), from which the page, CDX record and capture names follow. A
capture without the list (a "Page Not Found") is kept too: it is the evidence of a withdrawal.
"""

from __future__ import annotations

from flows.sanctuary.sources import DHS, ListSpec
from spiders.wayback import ArchivedPageSpider


class ArchivedListSpider(ArchivedPageSpider):
    """Crawl a list page's web-archive captures (the DHS and DOJ spiders set `name`, `spec`, `since`)."""

    spec: ListSpec = DHS
    since = "20250501"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.pages = (cls.spec.url,)
        cls.list_id = cls.spec.list_id
        cls.file_prefix = cls.spec.file_prefix
