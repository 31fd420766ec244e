"""Spider for the Justice Department's sanctuary-jurisdictions press release of 2025-08-05.

Fetches the release from the Justice Department's site and, unless `-a archive=no`, every distinct
web-archive capture of it too (the release can change or vanish: the captures keep each version).
Each body is yielded as a RawFile and archived byte for byte; the flow parses it with
`flows.sanctuary.parse_doj` (STATES / COUNTIES / CITIES lists of `Name, ST`).

    scrapy crawl doj_sanctuary [-a archive=no] [-a limit=5]
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Response

from flows.sanctuary.sources import DOJ
from flows.sanctuary.spiderbase import ArchivedListSpider
from spiders.archive import utc_now


class DojSanctuarySpider(ArchivedListSpider):
    """DOJ "Justice Department Publishes List of Sanctuary Jurisdictions": the page and its captures."""

    name = "doj_sanctuary"
    spec = DOJ
    since = "20250805"

    def __init__(self, archive: str = "yes", **kwargs: Any):
        super().__init__(**kwargs)
        self.use_archive = archive.lower() not in ("no", "0", "false")

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.spec.url, callback=self.parse_page)
        if self.use_archive:
            yield self.cdx_request(self.spec.url)

    def parse_page(self, response: Response):
        """The release as the Justice Department serves it today."""
        yield self.raw_file(response, f"{self.spec.file_prefix}{utc_now()[:10]}.html",
                            meta={"list_id": self.spec.list_id})
