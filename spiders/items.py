"""Items the spiders yield. Spiders describe what they fetched; the archive pipeline stores the bytes."""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy.http import Response


def headers_of(response: Response) -> dict[str, str]:
    """Response headers as a plain str → str dict (repeated headers joined with ', ')."""
    return {
        key.decode("latin-1"): ", ".join(v.decode("latin-1") for v in values)
        for key, values in response.headers.items()
    }


@dataclass
class RawFile:
    """A fetched response body to archive byte for byte.

    `kind` is the spider's hint of what the body is (e.g. `participating`, `pending`, `page`,
    `article`, `feed`); the flows decide for themselves from the content. After the archive pipeline
    has run, `sha256`, `is_new` and `archive_path` are filled and `body` is dropped from the feed.
    """

    source: str
    url: str
    file_name: str
    kind: str
    body: bytes | None = None
    fetched_at: str = ""
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    link_text: str = ""
    referer: str = ""
    sha256: str = ""
    size: int = 0
    is_new: bool = False
    archive_path: str = ""
    meta: dict[str, str] = field(default_factory=dict)
