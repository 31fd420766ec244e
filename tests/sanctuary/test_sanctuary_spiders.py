"""The DHS and DOJ spiders on fake responses: CDX listing → captures → RawFile items, no network."""

from __future__ import annotations

import asyncio
import json

from sanctuary_paths import DHS_HTML, DOJ_HTML
from scrapy.http import HtmlResponse, Request, TextResponse

from spiders.items import RawFile
from spiders.sources.dhs_sanctuary import DhsSanctuarySpider
from spiders.sources.doj_sanctuary import DojSanctuarySpider
from spiders.wayback import capture_of, parse_cdx

CDX = [
    ["timestamp", "original", "statuscode", "digest", "mimetype"],
    ["20250529235959", "https://www.dhs.gov/sanctuary-jurisdictions", "200", "AAA", "text/html"],
    ["20250531120000", "https://www.dhs.gov/sanctuary-jurisdictions", "200", "AAA", "text/html"],
    ["20250601080000", "https://www.dhs.gov/sanctuary-jurisdictions", "200", "BBB", "text/html"],
    ["20250613000000", "https://www.dhs.gov/sanctuary-jurisdictions", "404", "CCC", "text/html"],
]


def _first(agen):
    async def run():
        return [item async for item in agen]

    return asyncio.run(run())


def test_start_asks_the_archive_index():
    spider = DhsSanctuarySpider()
    (req,) = _first(spider.start())
    assert req.url.startswith("https://web.archive.org/cdx/search/cdx?")
    assert "sanctuary-jurisdictions" in req.url and "collapse=digest" in req.url


def test_cdx_yields_listing_and_one_request_per_distinct_capture():
    spider = DhsSanctuarySpider()
    url = "https://web.archive.org/cdx/search/cdx?url=x"
    resp = TextResponse(url, body=json.dumps(CDX).encode(), encoding="utf-8", request=Request(url))
    out = list(spider.parse_cdx(resp))
    listing, *requests = out
    assert isinstance(listing, RawFile) and listing.kind == "cdx" and listing.body == resp.body
    assert [r.url for r in requests] == [
        "https://web.archive.org/web/20250529235959id_/https://www.dhs.gov/sanctuary-jurisdictions",
        "https://web.archive.org/web/20250601080000id_/https://www.dhs.gov/sanctuary-jurisdictions",
        "https://web.archive.org/web/20250613000000id_/https://www.dhs.gov/sanctuary-jurisdictions",
    ]


def test_capture_archived_byte_for_byte():
    spider = DhsSanctuarySpider()
    cap = parse_cdx(json.dumps(CDX))[0]
    body = DHS_HTML.read_bytes()
    resp = HtmlResponse(cap.raw_url, body=body, request=Request(cap.raw_url), status=200,
                        headers={"Content-Type": "text/html; charset=utf-8"})
    (item,) = list(spider.parse_capture(resp, capture=cap))
    assert item.body == body and item.source == "dhs_sanctuary" and item.kind == "page"
    assert item.file_name == "dhs_sanctuary_20250529235959.html"
    assert item.meta["capture_timestamp"] == "20250529235959"
    assert item.headers["Content-Type"].startswith("text/html")
    assert capture_of(item.url)[0].isoformat() == "2025-05-29"


def test_doj_fetches_the_release_and_its_captures():
    spider = DojSanctuarySpider()
    reqs = _first(spider.start())
    assert reqs[0].url == "https://www.justice.gov/opa/pr/justice-department-publishes-list-sanctuary-jurisdictions"
    assert reqs[1].url.startswith("https://web.archive.org/cdx/search/cdx?")
    assert len(_first(DojSanctuarySpider(archive="no").start())) == 1
    body = DOJ_HTML.read_bytes()
    resp = HtmlResponse(reqs[0].url, body=body, request=reqs[0])
    (item,) = list(spider.parse_page(resp))
    assert item.body == body and item.source == "doj_sanctuary" and item.file_name.startswith("doj_sanctuary_")


def test_limit_caps_captures():
    spider = DhsSanctuarySpider(limit="1")
    url = "https://web.archive.org/cdx/search/cdx?url=x"
    resp = TextResponse(url, body=json.dumps(CDX).encode(), encoding="utf-8", request=Request(url))
    assert len(list(spider.parse_cdx(resp))) == 2
