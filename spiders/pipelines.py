"""Item pipelines: check what a spider fetched, then archive it. No database here.

`ArchivePipeline` stores every `RawFile` body in the raw archive (content-addressed, never
overwritten) with its URL, fetch time and HTTP headers, then replaces the body in the item by its
sha256 so feeds stay small. An empty or oversized body is dropped with a one-line reason.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.exceptions import DropItem

from spiders.archive import RawArchive, utc_now
from spiders.items import RawFile


class ArchivePipeline:
    """Archive each RawFile's bytes before anything parses them."""

    def __init__(self, root: str, max_bytes: int):
        self.archive = RawArchive(Path(root))
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        from flows.config import raw_dir

        root = settings.get("TRACKER_RAW_DIR") or str(raw_dir())
        return cls(root, settings.getint("DOWNLOAD_MAXSIZE", 50 * 1024 * 1024))

    def process_item(self, item):
        if not isinstance(item, RawFile):
            return item
        body = item.body or b""
        if not body:
            raise DropItem(f"{item.url}: empty body, nothing to archive")
        if len(body) > self.max_bytes:
            raise DropItem(f"{item.url}: {len(body)} bytes exceeds the {self.max_bytes}-byte limit")
        sighting, is_new = self.archive.put(
            body,
            source=item.source,
            url=item.url,
            file_name=item.file_name,
            fetched_at=item.fetched_at or utc_now(),
            status=item.status,
            headers=item.headers,
        )
        item.sha256 = sighting.sha256
        item.size = sighting.size
        item.is_new = is_new
        item.file_name = sighting.file_name
        item.fetched_at = sighting.fetched_at
        item.archive_path = str(self.archive.object_path(sighting.sha256))
        item.body = None
        return item
