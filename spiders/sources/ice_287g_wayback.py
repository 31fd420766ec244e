"""Spider for ICE's 287(g) roster pages as archived by the web archive (the HTML-table era).

Before its workbooks (February 2025) ICE printed the roster as a table on its 287(g) page, first at
https://www.ice.gov/287g, later at https://www.ice.gov/identify-and-arrest/287g. The bundled history
has no capture between 2017-08 and 2021-01; this spider fills such gaps for a user with network: it
asks the archive's CDX index for every capture with distinct content of both addresses in a date
range, fetches each capture's raw (`id_`) bytes and yields them as RawFiles (archived byte for byte).
It parses nothing: the flow reads each archived page with `flows.ice_html` into a snapshot dated by
its capture time (`tracker history --live`).

    scrapy crawl ice_287g_wayback [-a since=20170801] [-a until=20210131] [-a limit=10]
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Response

from flows.sanctuary.wayback import Capture, cdx_url, parse_cdx
from spiders.archive import utc_now
from spiders.items import RawFile

ICE_287G_PAGES = ("https://www.ice.gov/287g", "https://www.ice.gov/identify-and-arrest/287g")


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): ", ".join(v.decode("latin-1") for v in vals) for k, vals in response.headers.items()}


class Ice287gWaybackSpider(scrapy.Spider):
    """Every archived capture (distinct content) of ICE's 287(g) roster page in a date range."""

    name = "ice_287g_wayback"

    def __init__(self, since: str = "20170801", until: str = "20210131", limit: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.since, self.until = since, until
        self.limit = int(limit) if limit else None
        self.requested = 0

    async def start(self) -> AsyncIterator[Any]:
        for page in ICE_287G_PAGES:
            yield scrapy.Request(cdx_url(page, since=self.since, until=self.until, only_ok=True),
                                 callback=self.parse_cdx, cb_kwargs={"page": page})

    def parse_cdx(self, response: Response, page: str):
        """Archive the capture index, then request each capture's raw bytes."""
        yield RawFile(source=self.name, url=response.url, file_name=f"ice-287g-cdx-{self.since}-{self.until}.json",
                      kind="cdx", body=response.body, fetched_at=utc_now(), status=response.status,
                      headers=_headers(response))
        captures = [c for c in parse_cdx(response.body) if c.statuscode in ("200", "")]
        if not captures:
            self.logger.warning("%s: the archive lists no capture of %s between %s and %s",
                                self.name, page, self.since, self.until)
        for cap in captures:
            if self.limit is not None and self.requested >= self.limit:
                break
            self.requested += 1
            yield scrapy.Request(cap.raw_url, callback=self.parse_capture, cb_kwargs={"capture": cap})

    def parse_capture(self, response: Response, capture: Capture):
        """One capture as archived, for the raw archive; the flow parses it."""
        yield RawFile(
            source=self.name, url=response.url, file_name=f"ice-287g-roster-{capture.timestamp}.html",
            kind="roster_page", body=response.body, fetched_at=utc_now(), status=response.status,
            headers=_headers(response), referer=capture.original,
            meta={"capture_timestamp": capture.timestamp, "original_url": capture.original,
                  "archive_digest": capture.digest},
        )
