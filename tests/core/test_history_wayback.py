"""The live source for gaps in the history: archived captures of ICE's 287(g) page (HTML-table era),
listed through the web archive's CDX index, archived, parsed into snapshots. Saved responses only."""

import json
from datetime import date

import duckdb
from scrapy.http import HtmlResponse, Request, TextResponse

from flows.ice_html import parse_html_roster
from flows.ice_lists import ListError
from spiders.items import RawFile
from spiders.sources.ice_287g_wayback import Ice287gWaybackSpider
from tests.conftest import FIXTURES
from warehouse.load import load_paths

HERE = FIXTURES / "ice_287g_wayback"
CAPTURE = HERE / "capture-20210113002027.html"


def test_cdx_listing_requests_each_distinct_capture_and_is_archived():
    spider = Ice287gWaybackSpider(since="20170801", until="20210131")
    url = "https://web.archive.org/cdx/search/cdx?url=https://www.ice.gov/287g&output=json"
    response = TextResponse(url=url, body=(HERE / "cdx.json").read_bytes(), request=Request(url), encoding="utf-8")
    out = list(spider.parse_cdx(response, page="https://www.ice.gov/287g"))
    files = [o for o in out if isinstance(o, RawFile)]
    requests = [o for o in out if isinstance(o, Request)]
    assert len(files) == 1 and files[0].kind == "cdx" and files[0].body == response.body
    assert [r.url for r in requests] == [
        "https://web.archive.org/web/20171215032211id_/https://www.ice.gov/287g",
        "https://web.archive.org/web/20190611104512id_/https://www.ice.gov/287g",  # same digest listed twice: once
        "https://web.archive.org/web/20210113002027id_/https://www.ice.gov/identify-and-arrest/287g",
    ]


def test_limit_caps_the_captures_requested():
    spider = Ice287gWaybackSpider(limit="1")
    url = "https://web.archive.org/cdx/search/cdx?url=x"
    response = TextResponse(url=url, body=(HERE / "cdx.json").read_bytes(), request=Request(url), encoding="utf-8")
    assert sum(isinstance(o, Request) for o in spider.parse_cdx(response, page="x")) == 1


def test_capture_is_yielded_whole_with_its_timestamp_in_the_name():
    spider = Ice287gWaybackSpider()
    from spiders.wayback import Capture

    cap = Capture("20210113002027", "https://www.ice.gov/identify-and-arrest/287g", "200", "CCCC2021")
    response = HtmlResponse(url=cap.raw_url, body=CAPTURE.read_bytes(), request=Request(cap.raw_url))
    (item,) = list(spider.parse_capture(response, capture=cap))
    assert item.file_name == "ice-287g-roster-20210113002027.html"
    assert item.body == CAPTURE.read_bytes() and item.kind == "roster_page"


def test_roster_table_reads_like_the_workbook_of_the_same_day():
    for name in ("capture-20210113002027.html", "capture-rowspan-20210113002027.html"):
        parsed = parse_html_roster((HERE / name).read_bytes())
        assert parsed.header == "STATE|LAW ENFORCEMENT AGENCY|SUPPORT TYPE|SIGNED|MOA"
        assert len(parsed.rows) == 150
        assert all(r.cells["state"] for r in parsed.rows)
        assert parsed.rows[0].links["moa"].startswith("https://www.ice.gov/doclib/287gMOA/")


def test_page_without_a_roster_is_a_clear_error():
    try:
        parse_html_roster(b"<html><body><p>Page Not Found</p></body></html>")
    except ListError as exc:
        assert "no 287(g) roster table" in str(exc)
    else:
        raise AssertionError("a page without a roster must not parse")


def test_archived_capture_loads_as_a_snapshot_dated_by_its_capture(tmp_path):
    page = tmp_path / "ice-287g-roster-20210113002027.html"
    page.write_bytes(CAPTURE.read_bytes())
    db = tmp_path / "w.duckdb"
    report = load_paths(db, [page], raw_root=tmp_path / "raw")
    assert report.ok, [r.error for r in report.failed]
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("SELECT source, list_kind, as_of, as_of_basis, agreements, jem, wso FROM snapshot_summary").fetchone()
    signed = con.execute("SELECT count(*) FROM snapshot_rows WHERE signed IS NULL").fetchone()[0]
    con.close()
    # the same counts as ICE's roster of that day (snapshot_metrics.csv: 150 = 74 JEM + 76 WSO)
    assert row == ("ice_html_roster", "participating", date(2021, 1, 13), "capture_time", 150, 74, 76)
    assert signed == 0  # US-style dates (6/8/2016) read as dates


def test_cdx_fixture_is_json_with_a_header_row():
    rows = json.loads((HERE / "cdx.json").read_text())
    assert rows[0][:2] == ["timestamp", "original"]
