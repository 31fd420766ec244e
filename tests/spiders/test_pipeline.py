"""ArchivePipeline with a real crawler's settings: exact bytes, sha256, dedup, safe names, size cap."""

from __future__ import annotations

import hashlib
import json

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from spiders.archive import RawArchive
from spiders.items import RawFile
from spiders.pipelines import ArchivePipeline

URL = "https://www.ice.gov/doclib/about/offices/ero/287g/participatingAgencies05182026am.xlsx"


@pytest.fixture
def raw_root(tmp_path):
    return tmp_path / "archive" / "raw"


def pipeline(raw_root, **settings) -> ArchivePipeline:
    crawler = get_crawler(settings_dict={"TRACKER_RAW_DIR": str(raw_root), **settings})
    return ArchivePipeline.from_crawler(crawler)


def raw_file(
    body: bytes, file_name: str = "participatingAgencies05182026am.xlsx", fetched_at: str = ""
) -> RawFile:
    return RawFile(
        source="ice_287g",
        url=URL,
        file_name=file_name,
        kind="participating",
        body=body,
        status=200,
        headers={"Content-Type": "application/zip"},
        fetched_at=fetched_at,
    )


def objects(raw_root):
    return sorted(p for p in (raw_root / "objects").rglob("*") if p.is_file())


def test_archives_exact_bytes_and_records_sha256(raw_root):
    body = b"PK\x03\x04" + bytes(range(256)) * 10
    item = pipeline(raw_root).process_item(raw_file(body))
    digest = hashlib.sha256(body).hexdigest()
    assert item.sha256 == digest and item.size == len(body) and item.is_new
    assert item.body is None  # the feed carries the digest, not the bytes
    assert RawArchive(raw_root).read(digest) == body
    assert item.archive_path == str(raw_root / "objects" / digest[:2] / digest)
    (line,) = (raw_root / "fetches.jsonl").read_text().splitlines()
    sighting = json.loads(line)
    assert (sighting["sha256"], sighting["url"], sighting["status"]) == (digest, URL, 200)
    assert sighting["headers"] == {"Content-Type": "application/zip"}


def test_same_body_twice_is_stored_once_and_sighted_twice(raw_root):
    body = b"PK\x03\x04 same bytes"
    pipe = pipeline(raw_root)
    first = pipe.process_item(raw_file(body, fetched_at="2026-05-18T12:00:00+00:00"))
    second = pipe.process_item(
        raw_file(body, "participatingAgencies05192026am.xlsx", "2026-05-19T12:00:00+00:00")
    )
    assert first.is_new and not second.is_new
    assert first.sha256 == second.sha256
    assert len(objects(raw_root)) == 1
    assert len((raw_root / "fetches.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("..\\x.xlsx", "x.xlsx"),
        ("/abs/..\\..\\y.xlsx", "y.xlsx"),
        ("..", "unnamed"),
        ("C:\\Windows\\z.xlsx", "z.xlsx"),
    ],
)
def test_file_names_cannot_escape_the_archive(tmp_path, raw_root, name, safe):
    item = pipeline(raw_root).process_item(raw_file(b"PK\x03\x04" + name.encode(), name))
    assert item.file_name == safe
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert written and all(p.is_relative_to(raw_root) for p in written)
    assert all(p.name == item.sha256 or p.name == "fetches.jsonl" for p in written)


def test_oversized_body_is_dropped_and_not_archived(raw_root):
    pipe = pipeline(raw_root, DOWNLOAD_MAXSIZE=1000)
    with pytest.raises(DropItem, match="1001 bytes exceeds the 1000-byte limit"):
        pipe.process_item(raw_file(b"x" * 1001))
    assert not raw_root.exists() or objects(raw_root) == []
    assert pipe.process_item(raw_file(b"x" * 1000)).size == 1000  # the limit itself is allowed


def test_empty_body_is_dropped(raw_root):
    with pytest.raises(DropItem, match="empty body"):
        pipeline(raw_root).process_item(raw_file(b""))
