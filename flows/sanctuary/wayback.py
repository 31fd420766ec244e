"""Web-archive captures: the CDX listing of a page's captures and the raw (`id_`) capture address.

Pure helpers shared by the spiders (to crawl captures) and the loader (to date an archived capture
from its address). A capture's `id_` address returns the page exactly as it was archived, without the
archive's banner or rewritten links.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

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
