"""Spider for the DHS sanctuary-jurisdictions page, through web-archive captures.

The page https://www.dhs.gov/sanctuary-jurisdictions (published 2025-05-29, withdrawn in June
2025) lives on only as archived captures. The spider asks the archive's CDX index for every
capture with distinct content, then fetches each capture's raw (`id_`) bytes and yields it as a
RawFile, archived byte for byte by the pipeline. It parses nothing into rows: the flow re-parses
archived pages with `flows.sanctuary.parse_dhs`. The CDX listing itself is archived too, as the
record of which captures existed. A capture without the list (the later "Page Not Found") is kept:
it is the evidence of the withdrawal.

    scrapy crawl dhs_sanctuary [-a since=20250501] [-a until=20251231] [-a limit=5]
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Response

from flows.sanctuary.sources import DHS
from flows.sanctuary.wayback import Capture, cdx_url, parse_cdx
from spiders.archive import utc_now
from spiders.items import RawFile


def headers_of(response: Response) -> dict[str, str]:
    """Response headers as a plain str → str dict."""
    return {
        k.decode("latin-1"): ", ".join(v.decode("latin-1") for v in vals)
        for k, vals in response.headers.items()
    }


class ArchivedListSpider(scrapy.Spider):
    """Crawl a list page's web-archive captures (shared by the DHS and DOJ spiders)."""

    spec = DHS
    since = "20250501"

    def __init__(self, since: str = "", until: str = "", limit: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.since = since or self.since
        self.until = until
        self.limit = int(limit) if limit else None

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(cdx_url(self.spec.url, since=self.since, until=self.until), callback=self.parse_cdx)

    def parse_cdx(self, response: Response):
        """Archive the capture index, then request every capture's raw bytes."""
        yield RawFile(
            source=self.name, url=response.url, file_name=f"{self.spec.list_id}-cdx.json", kind="cdx",
            body=response.body, fetched_at=utc_now(), status=response.status, headers=headers_of(response),
        )
        captures = [c for c in parse_cdx(response.body) if c.statuscode in ("200", "404", "-", "")]
        if not captures:
            self.logger.warning("%s: the archive lists no capture of %s", self.name, self.spec.url)
        for cap in captures[: self.limit]:
            yield scrapy.Request(cap.raw_url, callback=self.parse_capture, cb_kwargs={"capture": cap},
                                 meta={"handle_httpstatus_list": [404]})

    def parse_capture(self, response: Response, capture: Capture):
        """One capture, as archived: yielded for the raw archive, never parsed here."""
        yield RawFile(
            source=self.name,
            url=response.url,
            file_name=f"{self.spec.file_prefix}{capture.timestamp}.html",
            kind="page",
            body=response.body,
            fetched_at=utc_now(),
            status=response.status,
            headers=headers_of(response),
            referer=self.spec.url,
            meta={"list_id": self.spec.list_id, "capture_timestamp": capture.timestamp,
                  "original_url": capture.original, "archive_digest": capture.digest},
        )


class DhsSanctuarySpider(ArchivedListSpider):
    """DHS "Sanctuary Jurisdictions Defying Federal Immigration Law", every archived capture."""

    name = "dhs_sanctuary"
    spec = DHS
    since = "20250501"
