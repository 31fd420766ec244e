"""Every news spider on saved responses, including malformed ones (skip with reason, never a crash)."""

from __future__ import annotations

import asyncio

from scrapy import Request

from spiders.items import RawFile
from spiders.sources.agency_news import AgencyNewsSpider
from spiders.sources.county_agendas import CountyAgendasSpider
from spiders.sources.dhs_news import DhsNewsSpider
from spiders.sources.gdelt import GdeltSpider
from spiders.sources.google_news import GoogleNewsSpider, search_url
from spiders.sources.ice_news import IceNewsSpider
from tests.news.conftest import RESPONSES, SAMPLE_NEWS, fake_response

SOURCES = str(RESPONSES / "news_sources_test.csv")
ICE_RELEASE = "https://www.ice.gov/news/releases/ice-publishes-monthly-report-enforcement-actions-due-cooperative-agreements-1"


def _collect(gen):
    return list(gen or [])


def _start(spider):
    async def run():
        return [r async for r in spider.start()]
    return asyncio.run(run())


def test_spider_names_match_files():
    for cls, stem in ((IceNewsSpider, "ice_news"), (DhsNewsSpider, "dhs_news"), (AgencyNewsSpider, "agency_news"),
                      (CountyAgendasSpider, "county_agendas"), (GoogleNewsSpider, "google_news"),
                      (GdeltSpider, "gdelt")):
        assert cls.name == stem


def test_ice_listing_follows_only_unseen_releases():
    spider = IceNewsSpider(seen=[ICE_RELEASE + "?utm_source=x"])
    out = _collect(spider.parse_listing(fake_response("https://www.ice.gov/newsroom", RESPONSES / "ice_listing.html")))
    urls = [r.url for r in out]
    assert all(isinstance(r, Request) for r in out)
    assert ICE_RELEASE not in urls  # already archived (tracking parameter ignored)
    assert "https://www.ice.gov/news/releases/ice-arrests-fugitive-in-houston" in urls
    assert len(urls) == 2


def test_ice_start_uses_async_start():
    reqs = _start(IceNewsSpider(seen=[], pages=2))
    assert [r.url for r in reqs] == ["https://www.ice.gov/newsroom", "https://www.ice.gov/newsroom?page=1"]


def test_ice_release_287g_kept_with_header_parts():
    spider = IceNewsSpider(seen=[])
    resp = fake_response(ICE_RELEASE, SAMPLE_NEWS / "pages" / "ice-monthly-report-2020-11-17.html")
    (item,) = _collect(spider.parse_release(resp))
    assert isinstance(item, RawFile)
    assert item.kind == "article" and item.source == "ice_news"
    assert item.meta["published"] == "2020-11-17"
    assert item.meta["dateline"] == "Washington, DC, United States"
    assert item.meta["topics"].startswith("287g")
    assert item.body == resp.body


def test_ice_release_unrelated_archived_as_unrelated():
    spider = IceNewsSpider(seen=[])
    (item,) = _collect(spider.parse_release(fake_response(
        "https://www.ice.gov/news/releases/ice-arrests-fugitive-in-houston", RESPONSES / "ice_release_unrelated.html")))
    assert item.kind == "unrelated"


def test_ice_release_missing_date_skipped_with_reason():
    spider = IceNewsSpider(seen=[])
    out = _collect(spider.parse_release(fake_response(
        "https://www.ice.gov/news/releases/ice-announces-new-287g-agreements", RESPONSES / "ice_release_no_date.html")))
    assert out == []
    assert "no release date" in spider.skipped[0][1]


def test_ice_release_broken_html_skipped_with_reason():
    spider = IceNewsSpider(seen=[])
    out = _collect(spider.parse_release(fake_response(
        "https://www.ice.gov/news/releases/broken", RESPONSES / "ice_release_broken.html")))
    assert out == []
    assert spider.skipped and "no title" in spider.skipped[0][1]


def test_dhs_listing_and_release_date_from_url():
    spider = DhsNewsSpider(seen=[])
    reqs = _collect(spider.parse_listing(fake_response("https://www.dhs.gov/news-releases/press-releases",
                                                       RESPONSES / "dhs_listing.html")))
    assert [r.url for r in reqs] == [
        "https://www.dhs.gov/news/2025/09/18/dhs-287g-reaches-more-1000-partnerships",
        "https://www.dhs.gov/news/2025/09/02/new-reimbursement-opportunities",
    ]
    (item,) = _collect(spider.parse_release(fake_response(reqs[0].url, RESPONSES / "dhs_release.html")))
    assert item.kind == "article" and item.meta["published"] == "2025-09-18"


def test_dhs_release_missing_date_skipped():
    spider = DhsNewsSpider(seen=[])
    out = _collect(spider.parse_release(fake_response("https://www.dhs.gov/news/statement",
                                                      RESPONSES / "dhs_release_no_date.html")))
    assert out == [] and "no release date" in spider.skipped[0][1]


def test_agency_sources_are_data():
    spider = AgencyNewsSpider(seen=[], sources=SOURCES)
    assert [r["source_id"] for r in spider.rows] == ["example_rss", "example_html"]  # disabled row left out
    reqs = _start(spider)
    assert [r.url for r in reqs] == ["https://www.example-county.gov/RSSFeed.aspx?ModID=1",
                                     "https://www.example-city.gov/news"]


def test_agency_rss_feed_archived_and_matching_items_followed():
    spider = AgencyNewsSpider(seen=["https://www.example-county.gov/CivicAlerts.aspx?AID=100"], sources=SOURCES)
    row = spider.rows[0]
    out = _collect(spider.parse_source(fake_response(row["url"], RESPONSES / "agency_feed.xml", kind="xml"), row=row))
    assert isinstance(out[0], RawFile) and out[0].kind == "feed"
    follow = [r for r in out if isinstance(r, Request)]
    assert [r.url for r in follow] == ["https://www.example-county.gov/CivicAlerts.aspx?AID=101"]  # road closure filtered
    assert follow[0].cb_kwargs["published"] == "2025-02-18"


def test_agency_html_listing_with_selectors():
    spider = AgencyNewsSpider(seen=[], sources=SOURCES)
    row = spider.rows[1]
    out = _collect(spider.parse_source(fake_response(row["url"], RESPONSES / "agency_list.html"), row=row))
    assert out[0].kind == "listing"
    follow = [r for r in out if isinstance(r, Request)]
    assert [r.url for r in follow] == ["https://www.example-city.gov/news/sheriff-joins-287g"]
    assert follow[0].cb_kwargs["published"] == "April 17, 2025"
    assert any("without a link" in reason for _u, reason in spider.skipped)


def test_agency_entity_bomb_feed_skipped_not_expanded():
    spider = AgencyNewsSpider(seen=[], sources=SOURCES)
    row = spider.rows[0]
    out = _collect(spider.parse_source(fake_response(row["url"], RESPONSES / "entity_bomb.xml", kind="xml"), row=row))
    assert out == []
    assert "entit" in spider.skipped[0][1].lower()


def test_county_agendas_reads_agenda_rows():
    spider = CountyAgendasSpider(seen=[], sources=SOURCES)
    assert [r["source_id"] for r in spider.rows] == ["example_agenda"]
    row = spider.rows[0]
    out = _collect(spider.parse_source(fake_response(row["url"], RESPONSES / "agenda_feed.xml", kind="xml"), row=row))
    follow = [r for r in out if isinstance(r, Request)]
    assert len(follow) == 1 and "501" in follow[0].url
    (item,) = _collect(spider.parse_item(fake_response(follow[0].url, RESPONSES / "dhs_release.html"),
                                         **follow[0].cb_kwargs))
    assert item.kind == "article" and item.source == "county_agendas"


def test_county_agendas_external_entity_refused():
    spider = CountyAgendasSpider(seen=[], sources=SOURCES)
    row = spider.rows[0]
    out = _collect(spider.parse_source(fake_response(row["url"], RESPONSES / "external_entity.xml", kind="xml"), row=row))
    assert out == [] and spider.skipped


def test_google_news_feed_archived():
    spider = GoogleNewsSpider(seen=[])
    url = search_url('"287(g)"')
    assert url.startswith("https://news.google.com/rss/search?q=%22287%28g%29%22")
    out = _collect(spider.parse_feed(fake_response(url, SAMPLE_NEWS / "feeds" / "google-news-287g.xml", kind="xml"),
                                     query='"287(g)"'))
    assert len(out) == 1 and out[0].kind == "feed" and out[0].meta["entries"] == "4"


def test_google_news_follow_and_bomb():
    spider = GoogleNewsSpider(seen=[], follow="1")
    out = _collect(spider.parse_feed(fake_response(search_url("x"), SAMPLE_NEWS / "feeds" / "google-news-287g.xml",
                                                   kind="xml"), query="x"))
    assert len([r for r in out if isinstance(r, Request)]) == 4
    out = _collect(spider.parse_feed(fake_response(search_url("x"), RESPONSES / "entity_bomb.xml", kind="xml"),
                                     query="x"))
    assert out == [] and "entit" in spider.skipped[0][1].lower()


def test_gdelt_json_followed_incrementally():
    spider = GdeltSpider(seen=["https://greenriverstar.com/story/2025/04/17/county/sheriffs-office-joins-ice-task-force-under-287g-program/12654.html"])
    out = _collect(spider.parse_api(fake_response("https://api.gdeltproject.org/api/v2/doc/doc?query=x",
                                                  RESPONSES / "gdelt.json", kind="text"), query="x"))
    assert out[0].kind == "api"
    follow = [r for r in out if isinstance(r, Request)]
    assert [r.url for r in follow] == ["https://tylerpaper.com/2025/02/23/smith-county-sheriffs-office-ice-sign-task-force-model-agreement"]
    assert follow[0].cb_kwargs["published"] == "2025-02-24"
    assert any("without a url" in reason for _u, reason in spider.skipped)


def test_gdelt_rate_limit_text_skipped():
    spider = GdeltSpider(seen=[])
    out = _collect(spider.parse_api(fake_response("https://api.gdeltproject.org/api/v2/doc/doc?query=x",
                                                  RESPONSES / "gdelt_ratelimit.txt", kind="text"), query="x"))
    assert out == [] and "not JSON" in spider.skipped[0][1]


def test_seen_urls_come_from_the_raw_archive(tmp_path):
    from spiders.archive import RawArchive

    RawArchive(tmp_path).put(b"<html></html>", source="ice_news", url=ICE_RELEASE, file_name="x.html")
    spider = IceNewsSpider(raw_dir=str(tmp_path))
    assert not spider.is_new(ICE_RELEASE)
    assert spider.is_new("https://www.ice.gov/news/releases/another")
