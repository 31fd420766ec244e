"""ICE's 287(g) page and the two workbooks it links: agencies participating, agencies pending.

Source: https://www.ice.gov/identify-and-arrest/287g (U.S. Immigration and Customs Enforcement).
Since 2025-02-20 the page links two `.xlsx` workbooks under /doclib/, whose names change with every
update (`participatingAgencies05182026am.xlsx`, `287gParticipatingAgencies091526pm.xlsx`,
`ParticipatingAgency091826am.xlsx`, `pendingAgencies02272026am.xlsx` …). The spider therefore never
builds a file name: it reads the page and follows every `.xlsx` link whose file name or link text says
"participating" or "pending" (case-insensitive; the text may also be the link's title, aria-label or
image alt text), wherever the link points: a workbook moved to another host, or redirected,
is still fetched, never dropped unseen by Scrapy's offsite or duplicate filters.

What the spider guarantees:
- the page itself is yielded too (`kind=page`, archived byte for byte): the record of which
  workbooks ICE linked, under which link texts, at each crawl;
- every workbook it yields is the body exactly as received, starts with the zip magic
  (`PK\\x03\\x04`, an .xlsx is a zip) and ends with the zip's end record (a download cut short
  without a length header has none); anything else is refused with a one-line error naming the URL;
- a page without a participating or a pending workbook link never passes silently: the error is
  logged and the missing kinds are set in the stats key `tracker/missing_links`; with no link at all
  the spider closes with reason `missing_links`;
- a download that fails for good (HTTP error after retries, timeout, dropped connection, body over
  DOWNLOAD_MAXSIZE) is logged on one line and listed in the stats key `tracker/failed_urls`.

`kind` is only a hint from the name and link text (ICE once published the two lists under each
other's names); the flows decide from the content. Spider arguments, for tests and mirrors:
`-a start_url=URL` (its host is then allowed) and `-a allowed_hosts=host1,host2`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import AsyncIterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response, TextResponse

from spiders.archive import utc_now
from spiders.extensions import REJECTED_BODIES, download_failure_reason, record_failure, record_missing
from spiders.items import RawFile, headers_of

PAGE_URL = "https://www.ice.gov/identify-and-arrest/287g"
KINDS = ("participating", "pending")
ZIP_MAGIC = b"PK\x03\x04"

# File names first (they are the most stable signal), then link text.
_NAME_KIND = (
    ("participating", re.compile(r"participating[\W_]*(?:agenc|entit)", re.I)),
    ("pending", re.compile(r"pending[\W_]*(?:agenc|entit)", re.I)),
)
_TEXT_KIND = (
    ("participating", re.compile(r"participating", re.I)),
    ("pending", re.compile(r"pending", re.I)),
)


def url_file_name(url: str) -> str:
    """The base name of a URL's path, percent-decoded (`…/a%20b.xlsx` → `a b.xlsx`)."""
    return PurePosixPath(unquote(urlparse(url).path)).name


def classify_link(url: str, text: str) -> str | None:
    """`participating`, `pending` or None for a workbook link, from its file name, else its text."""
    name = url_file_name(url)
    for kind, pattern in _NAME_KIND:
        if pattern.search(name):
            return kind
    for kind, pattern in _TEXT_KIND:
        if pattern.search(text):
            return kind
    return None


def _one_line(text: str, limit: int = 200) -> str:
    return " ".join(str(text).split())[:limit]


class Ice287gSpider(scrapy.Spider):
    """Fetch the 287(g) page, then each participating/pending workbook it links."""

    name = "ice_287g"
    allowed_domains = ["www.ice.gov"]

    def __init__(self, start_url: str | None = None, allowed_hosts: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.page_url = start_url or PAGE_URL
        hosts = [h.strip() for h in (allowed_hosts or "").split(",") if h.strip()]
        if start_url:
            hosts.append(urlparse(start_url).hostname or "")
        self.allowed_domains = sorted({*self.allowed_domains, *filter(None, hosts)})

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.page_url, callback=self.parse, errback=self.on_error)

    def parse(self, response: Response, **kwargs: Any):
        """Find the workbook links on the page and request each once."""
        if not isinstance(response, TextResponse):
            ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") or "-"
            self.logger.error("%s: not an HTML page (Content-Type %s)", response.url, ctype)
            record_failure(self.crawler, response.url, f"not an HTML page, Content-Type {ctype}")
            record_missing(self.crawler, list(KINDS))
            raise CloseSpider("missing_links")
        yield RawFile(
            source="ice_287g", url=response.url, file_name=f"{url_file_name(response.url) or 'index'}.html",
            kind="page", body=response.body, fetched_at=utc_now(), status=response.status,
            headers=headers_of(response), meta={"replayed": "true"} if "cached" in response.flags else {},
        )
        links = self.workbook_links(response)
        found = {kind for _, kind, _ in links}
        missing = [k for k in KINDS if k not in found]
        self.crawler.stats.set_value("tracker/links_found", len(links))
        if missing:
            record_missing(self.crawler, missing)
            self.logger.error(
                "%s: no %s workbook link found (page layout or link names changed?)",
                response.url,
                " or ".join(missing),
            )
        if not links:
            raise CloseSpider("missing_links")
        for url, kind, text in links:
            # dont_filter: a workbook on another host, or redirected back to a page already seen, is
            # fetched and judged by its body, not dropped by the offsite or duplicate filter unseen.
            yield scrapy.Request(
                url,
                callback=self.parse_workbook,
                errback=self.on_error,
                dont_filter=True,
                cb_kwargs={"kind": kind, "link_text": text, "referer": response.url},
            )

    def workbook_links(self, response: Response) -> list[tuple[str, str, str]]:
        """(absolute URL, kind, link text) for each distinct participating/pending .xlsx link."""
        seen: set[str] = set()
        links = []
        for a in response.css("a[href]"):
            url = response.urljoin(a.attrib["href"].strip())
            if urlparse(url).scheme not in ("http", "https"):
                continue
            if not urlparse(url).path.lower().endswith(".xlsx") or url in seen:
                continue
            seen.add(url)
            text = _one_line(" ".join(a.css("::text").getall()))
            if not text:  # an icon or an empty link: what it says to screen readers
                text = _one_line(a.attrib.get("title") or a.attrib.get("aria-label") or " ".join(a.css("img::attr(alt)").getall()))
            kind = classify_link(url, text)
            if kind is None:
                self.logger.warning(
                    "%s: ignoring workbook link %s (%r): neither participating nor pending",
                    response.url,
                    url,
                    text,
                )
                continue
            links.append((url, kind, text))
        return links

    def parse_workbook(self, response: Response, kind: str, link_text: str, referer: str):
        """Yield the workbook as a RawFile, or refuse a body that is not an .xlsx (zip)."""
        body = response.body
        reason = None
        if not body.startswith(ZIP_MAGIC):
            ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
            reason = f"not an xlsx workbook: body starts {body[:16]!r}, Content-Type {ctype or '-'}"
        elif not zipfile.is_zipfile(io.BytesIO(body)):
            reason = f"not a whole xlsx workbook: no zip end record in {len(body)} bytes (download cut short?)"
        if reason:
            self.logger.error("%s: %s", response.url, reason)
            self.crawler.stats.inc_value(REJECTED_BODIES)
            record_failure(self.crawler, response.url, reason)
            return
        meta = {}
        link_url = (response.meta.get("redirect_urls") or [response.url])[0]
        if link_url != response.url:
            meta["link_url"] = link_url  # the address the page linked, before redirects
        if "cached" in response.flags:
            meta["replayed"] = "true"  # served from the recorded HTTP cache, not the network
        yield RawFile(
            source="ice_287g",
            url=response.url,
            file_name=url_file_name(response.url),
            kind=kind,
            body=body,
            fetched_at=utc_now(),
            status=response.status,
            headers=headers_of(response),
            link_text=link_text,
            referer=referer,
            meta=meta,
        )

    def on_error(self, failure):
        """Log a download that failed for good on one line and list it in the stats."""
        request = failure.request
        reason = download_failure_reason(failure.value)
        self.logger.error("download failed: %s (%s)", request.url, reason)
        record_failure(self.crawler, request.url, reason)
