"""Web-archive captures: the CDX listing of a page's captures, the raw (`id_`) capture address, and
the base spider that crawls a page's captures.

Pure helpers are shared by the spiders (to crawl captures) and the loaders (to date an archived
capture from its address). A capture's `id_` address returns the page exactly as it was archived,
without the archive's banner or rewritten links. `ArchivedPageSpider` asks the archive's CDX index for
every capture with distinct content of its pages (the index itself archived as `kind=cdx`), then
fetches each capture's raw bytes (`kind=page` unless a subclass says otherwise). It parses nothing
into rows: the flows re-parse the archived pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response

from spiders.archive import utc_now
from spiders.items import RawFile, headers_of

CDX_ENDPOINT = "https://web.archive.org/cdx/search/cdx"
RAW_RE = re.compile(r"/web/(?P<ts>\d{8,14})(?:id_)?/(?P<original>.+)$")


@dataclass(frozen=True)
class Capture:
    """One archived copy of a page."""

    timestamp: str       # yyyymmddhhmmss
    original: str        # the page's own address
    statuscode: str
    digest: str          # the archive's content digest (SHA-1, base32)
    mimetype: str = ""

    @property
    def raw_url(self) -> str:
        """The capture's bytes as archived (no banner, links untouched)."""
        return raw_url(self.timestamp, self.original)

    @property
    def captured_on(self) -> date:
        return timestamp_date(self.timestamp)


def cdx_url(target: str, *, since: str = "", until: str = "", only_ok: bool = False) -> str:
    """The CDX query listing every capture of `target`, one per distinct content digest."""
    params = {"url": target, "output": "json", "fl": "timestamp,original,statuscode,digest,mimetype",
              "collapse": "digest"}
    if since:
        params["from"] = since
    if until:
        params["to"] = until
    if only_ok:
        params["filter"] = "statuscode:200"
    return f"{CDX_ENDPOINT}?{urlencode(params)}"


def parse_cdx(body: bytes | str) -> list[Capture]:
    """Captures listed in a CDX JSON answer (first row is the header), oldest first, digests unique."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    rows = json.loads(text) if text.strip() else []
    if not rows:
        return []
    header, out, seen = rows[0], [], set()
    for row in rows[1:]:
        rec = dict(zip(header, row, strict=False))
        if rec.get("digest") in seen:
            continue
        seen.add(rec.get("digest"))
        out.append(Capture(rec.get("timestamp", ""), rec.get("original", ""), rec.get("statuscode", ""),
                           rec.get("digest", ""), rec.get("mimetype", "")))
    return sorted(out, key=lambda c: c.timestamp)


def raw_url(timestamp: str, original: str) -> str:
    """The `id_` address of a capture."""
    return f"https://web.archive.org/web/{timestamp}id_/{original}"


def timestamp_date(timestamp: str) -> date:
    """The calendar date (UTC) of an archive timestamp."""
    return date(int(timestamp[:4]), int(timestamp[4:6]), int(timestamp[6:8]))


def capture_of(url: str) -> tuple[date, str] | None:
    """(capture date, original address) when `url` is an archive capture address, else None."""
    m = RAW_RE.search(url or "")
    if not m or "web.archive.org" not in url:
        return None
    return timestamp_date(m.group("ts")), m.group("original")


class ArchivedPageSpider(scrapy.Spider):
    """Crawl the web-archive captures of `pages` between `since` and `until` (subclasses set them).

    `list_id` names the CDX record, `file_prefix` + capture timestamp + `.html` names each capture,
    `capture_kind` is the RawFile kind of a capture, `statuses` the capture statuses worth keeping.
    """

    pages: tuple[str, ...] = ()
    list_id = "archived_page"
    file_prefix = "capture-"
    capture_kind = "page"
    statuses: tuple[str, ...] = ("200", "404", "-", "")
    since = ""
    until = ""

    def __init__(self, since: str = "", until: str = "", limit: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.since = since or self.since
        self.until = until or self.until
        self.limit = int(limit) if limit else None
        self.requested = 0

    async def start(self) -> AsyncIterator[Any]:
        for page in self.pages:
            yield self.cdx_request(page)

    def cdx_request(self, page: str) -> scrapy.Request:
        """The request for the archive's index of a page's distinct captures."""
        return scrapy.Request(cdx_url(page, since=self.since, until=self.until), callback=self.parse_cdx,
                              cb_kwargs={"page": page})

    def raw_file(self, response: Response, file_name: str, kind: str = "page", **fields: Any) -> RawFile:
        """The RawFile archiving this response byte for byte (`fields`: referer, meta)."""
        return RawFile(source=self.name, url=response.url, file_name=file_name, kind=kind, body=response.body,
                       fetched_at=utc_now(), status=response.status, headers=headers_of(response), **fields)

    def parse_cdx(self, response: Response, page: str = ""):
        """Archive the capture index, then request every capture's raw bytes (at most `limit` in all)."""
        yield self.raw_file(response, f"{self.list_id}-cdx.json", kind="cdx")
        captures = [c for c in parse_cdx(response.body) if c.statuscode in self.statuses]
        if not captures:
            self.logger.warning("%s: the archive lists no capture of %s", self.name, page or response.url)
        for cap in captures:
            if self.limit is not None and self.requested >= self.limit:
                break
            self.requested += 1
            yield scrapy.Request(cap.raw_url, callback=self.parse_capture, cb_kwargs={"capture": cap},
                                 meta={"handle_httpstatus_list": [404]})

    def parse_capture(self, response: Response, capture: Capture):
        """One capture, as archived: yielded for the raw archive, never parsed here."""
        yield self.raw_file(
            response, f"{self.file_prefix}{capture.timestamp}.html", kind=self.capture_kind,
            referer=capture.original,
            meta={"list_id": self.list_id, "capture_timestamp": capture.timestamp,
                  "original_url": capture.original, "archive_digest": capture.digest},
        )
