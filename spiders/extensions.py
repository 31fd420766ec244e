"""Crawl bookkeeping shared by the spiders and the crawl runner (flows/crawl.py).

`StatsDump` writes a crawl's final Scrapy stats as one JSON file (setting `TRACKER_STATS_PATH`) when
the spider closes, so the process that started the crawl reads numbers instead of parsing logs.
Spiders record what went wrong under the `tracker/` stats keys below through `record_failure` and
`record_missing`; the runner turns those into its one-line error.

`FailedDownloads` does that bookkeeping for every request a spider gives no errback of its own: a
download that failed for good (after the retries) or ended in an HTTP error the spider does not
handle is listed under `tracker/failed_urls` with its reason, so every spider's crawl fails with the
URL and the reason, not a bare "no items".

Guarantee: whenever the spider closes (finished, shut down, or closed by the spider itself) the stats
file is written whole (temporary file + rename), including `finish_reason`. If the process dies before
the spider closes there is no file, and the runner reports that.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.spidermiddlewares.httperror import HttpError

logger = logging.getLogger(__name__)

# Stats keys the spiders set and flows/crawl.py reads.
FAILED_URLS = "tracker/failed_urls"  # list of "URL (reason)" for downloads that never succeeded
MISSING_LINKS = "tracker/missing_links"  # list of kinds of link a page should have had but did not
REJECTED_BODIES = "tracker/rejected_bodies"  # count of responses refused for their content


def record_failure(crawler: Any, url: str, reason: str) -> None:
    """Note a URL that could not be fetched (or whose body was refused) in the crawl stats."""
    stats = crawler.stats
    failed = list(stats.get_value(FAILED_URLS, []))
    failed.append(f"{url} ({reason})")
    stats.set_value(FAILED_URLS, failed)


def record_missing(crawler: Any, kinds: list[str]) -> None:
    """Note kinds of link the spider expected on a page and did not find."""
    stats = crawler.stats
    missing = list(stats.get_value(MISSING_LINKS, []))
    missing.extend(k for k in kinds if k not in missing)
    stats.set_value(MISSING_LINKS, missing)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class StatsDump:
    """Write the final crawl stats to `TRACKER_STATS_PATH` as JSON when the spider closes."""

    def __init__(self, crawler: Any, path: Path):
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("TRACKER_STATS_PATH")
        if not path:
            raise NotConfigured  # no message: Scrapy would log a warning on every plain `scrapy crawl`
        ext = cls(crawler, Path(path))
        # A bound method of an object the extension manager keeps alive: Scrapy holds handlers weakly.
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider, reason):
        stats = dict(self.crawler.stats.get_stats())
        # CoreStats sets finish_reason in its own handler; do not depend on handler order.
        stats.setdefault("finish_reason", reason)
        stats["spider"] = spider.name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".stats-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(_jsonable(stats), fh, indent=2, sort_keys=True)
        os.replace(tmp, self.path)
        logger.info("final stats written to %s", self.path)


_FAILURE_REPR = re.compile(r"<twisted\.python\.failure\.Failure (?:[\w.]+\.)?(\w+): ([^>]*)>")


def download_failure_reason(exception: BaseException) -> str:
    """Why a download failed, on one line: `HTTP 404` for an unhandled status, else the exception's
    type and message (Scrapy's wrapped Twisted errors unwrapped: `DownloadFailedError: ConnectionDone: …`)."""
    response = getattr(exception, "response", None)
    if isinstance(exception, HttpError) and response is not None:
        return f"HTTP {response.status}"
    message = _FAILURE_REPR.sub(r"\1: \2", " ".join(str(exception).split())).strip("[]")[:200]
    name = type(exception).__name__
    return f"{name}: {message}" if message else name


class FailedDownloads:
    """Downloader middleware, just inside the retry middleware: it sees only final outcomes.

    Lists under `tracker/failed_urls` every download that raised (after its retries) or answered an
    HTTP error status the request and spider do not handle, for requests without an errback (spiders
    with one record their failures there). robots.txt is left alone: a missing or unreachable
    robots.txt does not fail a crawl by itself (the pages behind it will, if the site is down).
    Requests refused on purpose (robots.txt rules, offsite) raise IgnoreRequest and are not failures
    of the site; a body cut off at DOWNLOAD_MAXSIZE is one (the download is cancelled).
    """

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def _watched(request: Any) -> bool:
        return request.errback is None and urlsplit(request.url).path != "/robots.txt"

    def process_response(self, request, response):
        status = response.status
        handled = request.meta.get("handle_httpstatus_all") or status in request.meta.get(
            "handle_httpstatus_list", getattr(self.crawler.spider, "handle_httpstatus_list", ()))
        if status >= 400 and not handled and self._watched(request):
            record_failure(self.crawler, request.url, f"HTTP {status}")
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, IgnoreRequest) and self._watched(request):
            record_failure(self.crawler, request.url, download_failure_reason(exception))
        return None
