"""The ice_287g spider on saved pages: which links it follows, what it yields, what it refuses.

Fake `HtmlResponse`s with a `Request` attached, no crawl, no network.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path

import pytest
import scrapy
from scrapy import Request
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from spiders.extensions import FAILED_URLS, MISSING_LINKS, REJECTED_BODIES
from spiders.items import RawFile
from spiders.record_replay import page_html
from spiders.sources.ice_287g import PAGE_URL, Ice287gSpider, classify_link, url_file_name

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "ice_287g_page"
SAMPLE = Path(__file__).resolve().parents[2] / "sample" / "ice_287g"
DOCLIB = "https://www.ice.gov/doclib/about/offices/ero/287g/"


@pytest.fixture

def spider() -> Ice287gSpider:
    return Ice287gSpider.from_crawler(get_crawler(Ice287gSpider))


def page_response(html: str, url: str = PAGE_URL) -> HtmlResponse:
    return HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8", request=Request(url))


def fixture_page(name: str) -> HtmlResponse:
    return page_response((PAGES / name).read_text(encoding="utf-8"))


def followed(spider: Ice287gSpider, response: HtmlResponse) -> list[tuple[str, str, str]]:
    return [(r.url, r.cb_kwargs["kind"], r.cb_kwargs["link_text"]) for r in requests_of(spider.parse(response))]


def stat(spider: Ice287gSpider, key: str):
    return spider.crawler.stats.get_value(key)


def test_reconstructed_page_yields_both_workbooks(spider):
    requests = requests_of(spider.parse(page_response(page_html())))
    assert [(r.url, r.cb_kwargs["kind"], r.cb_kwargs["link_text"]) for r in requests] == [
        (
            DOCLIB + "participatingAgencies05182026am.xlsx",
            "participating",
            "Participating Agencies (updated May 18, 2026)",
        ),
        (DOCLIB + "pendingAgencies02272026am.xlsx", "pending", "Pending Agencies"),
    ]
    for r in requests:
        assert r.callback == spider.parse_workbook and r.errback == spider.on_error
        assert r.cb_kwargs["referer"] == PAGE_URL
    assert stat(spider, MISSING_LINKS) is None
    assert stat(spider, "tracker/links_found") == 2


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "capitalised.html",
            [
                (DOCLIB + "ParticipatingAgencies09222025PM.XLSX", "participating"),
                (DOCLIB + "PendingAgencies09222025PM.XLSX", "pending"),
            ],
        ),
        (
            "prefixed.html",
            [
                (DOCLIB + "287gParticipatingAgencies091526pm.xlsx", "participating"),
                (DOCLIB + "287gPendingAgencies091526pm.xlsx", "pending"),
            ],
        ),
        (
            "singular.html",
            [
                (DOCLIB + "ParticipatingAgency091826am.xlsx", "participating"),
                (DOCLIB + "list-b-0918.xlsx", "pending"),  # known by its link text only
            ],
        ),
        (
            "relative.html",
            [
                (DOCLIB + "participatingAgencies04212026am%2012.15.07%20AM.xlsx", "participating"),
                (DOCLIB + "pendingAgencies04212026am.xlsx", "pending"),
            ],
        ),
    ],
)
def test_link_variants(spider, page, expected):
    got = [(url, kind) for url, kind, _ in followed(spider, fixture_page(page))]
    assert got == expected
    assert stat(spider, MISSING_LINKS) is None


def test_link_text_is_whitespace_normalised(spider):
    texts = [text for _, _, text in followed(spider, fixture_page("singular.html"))]
    assert texts == ["Participating Agencies", "Pending Agencies"]


def test_unrelated_workbook_is_ignored_with_a_warning(spider, caplog):
    with caplog.at_level(logging.WARNING):
        urls = [url for url, _, _ in followed(spider, fixture_page("prefixed.html"))]
    assert not any("detentionStats" in u for u in urls)
    assert "FY26_detentionStats.xlsx" in caplog.text


def test_page_without_links_is_an_error_not_a_success(spider, caplog):
    with caplog.at_level(logging.ERROR), pytest.raises(CloseSpider) as closed:
        requests_of(spider.parse(fixture_page("no_links.html")))
    assert closed.value.reason == "missing_links"
    assert stat(spider, MISSING_LINKS) == ["participating", "pending"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and PAGE_URL in errors[0].getMessage()
    assert "participating or pending" in errors[0].getMessage()


def test_a_non_html_page_is_an_error(spider, caplog):
    response = Response(
        PAGE_URL, body=b"%PDF-1.7", headers={"Content-Type": "application/pdf"}, request=Request(PAGE_URL)
    )
    with caplog.at_level(logging.ERROR), pytest.raises(CloseSpider):
        requests_of(spider.parse(response))
    assert stat(spider, MISSING_LINKS) == ["participating", "pending"]
    assert stat(spider, FAILED_URLS) == [f"{PAGE_URL} (not an HTML page, Content-Type application/pdf)"]
    assert PAGE_URL in caplog.text


def test_missing_pending_link_is_flagged_but_participating_still_fetched(spider, caplog):
    with caplog.at_level(logging.ERROR):
        got = followed(spider, fixture_page("participating_only.html"))
    assert [kind for _, kind, _ in got] == ["participating"]
    assert stat(spider, MISSING_LINKS) == ["pending"]
    assert "no pending workbook link" in caplog.text


@pytest.mark.parametrize(
    ("url", "text", "kind"),
    [
        ("https://x/participatingAgencies05182026am.xlsx", "", "participating"),
        ("https://x/pendingAgencies-20250221214937.xlsx", "", "pending"),
        ("https://x/participatingAgencies04212026am copy.xlsx", "", "participating"),
        ("https://x/287gParticipatingAgencies091526pm.xlsx", "Pending", "participating"),  # name first
        ("https://x/a.xlsx", "Participating Agencies (updated May 18, 2026)", "participating"),
        ("https://x/a.xlsx", "Annual report", None),
    ],
)
def test_classify_link(url, text, kind):
    assert classify_link(url, text) == kind


def test_url_file_name_decodes_and_drops_query():
    assert url_file_name(DOCLIB + "participatingAgencies04212026am%2012.15.07%20AM.xlsx?v=2") == (
        "participatingAgencies04212026am 12.15.07 AM.xlsx"
    )


def workbook_response(url: str, body: bytes, content_type: str) -> Response:
    return Response(url, status=200, body=body, headers={"Content-Type": content_type}, request=Request(url))


def test_workbook_yields_raw_file_with_exact_bytes(spider):
    url = DOCLIB + "pendingAgencies02272026am.xlsx"
    body = (SAMPLE / "pending" / "pendingAgencies02272026am.xlsx").read_bytes()
    items = list(
        spider.parse_workbook(
            workbook_response(url, body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            kind="pending",
            link_text="Pending Agencies",
            referer=PAGE_URL,
        )
    )
    assert len(items) == 1
    item = items[0]
    assert isinstance(item, RawFile)
    assert item.body == body
    assert (item.source, item.kind, item.url, item.file_name) == (
        "ice_287g",
        "pending",
        url,
        "pendingAgencies02272026am.xlsx",
    )
    assert (item.status, item.link_text, item.referer) == (200, "Pending Agencies", PAGE_URL)
    assert item.headers == {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    }
    assert datetime.fromisoformat(item.fetched_at).utcoffset().total_seconds() == 0
    assert item.meta == {}


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"<!DOCTYPE html><html><body>Page not found</body></html>", "text/html"),
        (b"", "application/octet-stream"),
        (b"PK\x05\x06" + b"\0" * 18, "application/zip"),  # an empty zip is no workbook either
    ],
)
def test_non_xlsx_body_is_refused(spider, caplog, body, ctype):
    url = DOCLIB + "participatingAgencies05182026am.xlsx"
    with caplog.at_level(logging.ERROR):
        items = list(
            spider.parse_workbook(
                workbook_response(url, body, ctype), kind="participating", link_text="", referer=PAGE_URL
            )
        )
    assert items == []
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and url in errors[0] and "\n" not in errors[0]
    assert stat(spider, REJECTED_BODIES) == 1
    assert stat(spider, FAILED_URLS) == [
        f"{url} (not an xlsx workbook: body starts {body[:16]!r}, Content-Type {ctype})"
    ]


def test_failed_download_is_listed(spider, caplog):
    url = DOCLIB + "participatingAgencies01012020am.xlsx"
    request = Request(url)
    response = Response(url, status=404, request=request)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request
    with caplog.at_level(logging.ERROR):
        spider.on_error(failure)
    assert stat(spider, FAILED_URLS) == [f"{url} (HTTP 404)"]
    assert f"download failed: {url} (HTTP 404)" in caplog.text


def test_start_yields_the_page_and_start_url_argument_is_allowed():
    crawler = get_crawler(Ice287gSpider)
    default = Ice287gSpider.from_crawler(crawler)
    local = Ice287gSpider.from_crawler(
        get_crawler(Ice287gSpider), start_url="http://127.0.0.1:8999/287g", allowed_hosts="mirror.example.org"
    )
    assert default.allowed_domains == ["www.ice.gov"]
    assert local.allowed_domains == ["127.0.0.1", "mirror.example.org", "www.ice.gov"]

    async def first(spider):
        return [r async for r in spider.start()]

    (req,) = asyncio.run(first(default))
    assert req.url == PAGE_URL and req.callback == default.parse and req.errback == default.on_error
    (req,) = asyncio.run(first(local))
    assert req.url == "http://127.0.0.1:8999/287g"


def requests_of(output) -> list:
    """The requests a callback yields (the page itself is also yielded, as a RawFile to archive)."""
    return [o for o in output if isinstance(o, scrapy.Request)]


def test_the_page_itself_is_yielded_for_the_archive(spider):
    response = page_response(page_html())
    out = list(spider.parse(response))
    pages = [o for o in out if not isinstance(o, scrapy.Request)]
    assert len(pages) == 1 and pages[0].kind == "page" and pages[0].body == response.body
    assert pages[0].file_name == "287g.html" and pages[0].source == "ice_287g"
