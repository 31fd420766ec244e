"""Extraction: canonical URLs, dates (printed, URL path, ICE header, relative), near-duplicates."""

from __future__ import annotations

from datetime import date

import pytest

from flows.news import dedupe, extract
from tests.news.conftest import SAMPLE_NEWS


@pytest.mark.parametrize("url, canonical, expected", [
    ("https://www.Example.com/a/b/?utm_source=x&utm_medium=y&id=3#top", None, "https://example.com/a/b?id=3"),
    ("http://example.com:80/x?fbclid=1&gclid=2", None, "https://example.com/x"),
    ("https://m.site.com/story?ref=rss", "https://site.com/story/", "https://site.com/story"),
    ("https://www.lexisnexis.com/a.aspx?Redirected=true", None, "https://lexisnexis.com/a.aspx"),
])
def test_canonical_url(url, canonical, expected):
    assert extract.canonical_url(url, canonical) == expected


def test_dates_from_url_and_print():
    assert extract.date_from_url("https://greenriverstar.com/story/2025/04/17/county/x/12654.html") == date(2025, 4, 17)
    assert extract.date_from_url("https://example.com/2025/13/45/x") is None
    assert extract.parse_printed_date("Published 7:00 pm Sunday, February 23, 2025") == date(2025, 2, 23)
    assert extract.parse_printed_date("Notice Date: Sept. 2, 2025") == date(2025, 9, 2)
    assert extract.parse_iso("20250417T120000Z") == date(2025, 4, 17)


@pytest.mark.parametrize("phrase, expected", [
    ("The sheriff signed the agreement Tuesday.", date(2025, 2, 18)),   # story of Sunday 2025-02-23
    ("The board approved it yesterday.", date(2025, 2, 22)),
    ("The agreement was signed Feb. 18.", date(2025, 2, 18)),
    ("Commissioners signed on Dec. 30.", date(2024, 12, 30)),          # month-day after the story: last year
    ("The board will vote next Tuesday.", date(2025, 2, 25)),
    ("The council will vote Thursday.", date(2025, 2, 27)),
    ("It was signed Sunday.", date(2025, 2, 23)),
    ("No date here.", None),
])
def test_relative_dates(phrase, expected):
    assert extract.resolve_relative(phrase, date(2025, 2, 23)) == expected


def test_ice_header_run_together():
    d, dateline, topics = extract.split_ice_header(
        "November 17, 2020Washington, DC, United States287g Immigration and Nationality Act")
    assert d == date(2020, 11, 17)
    assert dateline == "Washington, DC, United States"
    assert topics == "287g Immigration and Nationality Act"
    assert extract.state_from_place(dateline) == "DC"
    assert extract.dateline_state("TYLER, Texas — The sheriff") == "TX"
    assert extract.dateline_state("ROCK SPRINGS, Wyo. — The sheriff") == "WY"


def test_extract_sample_pages():
    pages = SAMPLE_NEWS / "pages"
    a = extract.extract_article((pages / "tylerpaper-smith-county-2025-02-23.html").read_bytes(),
                                "https://tylerpaper.com/2025/02/23/smith-county-sheriffs-office-ice-sign-task-force-model-agreement?utm_source=fb")
    assert a.title == "Smith County Sheriff's Office, ICE sign task force model agreement"
    assert a.published_on == date(2025, 2, 23) and a.date_basis == "printed"
    assert a.outlet == "Tyler Morning Telegraph" and a.dateline_state == "TX"
    assert a.canonical_url == "https://tylerpaper.com/2025/02/23/smith-county-sheriffs-office-ice-sign-task-force-model-agreement"
    assert "signed a task force model agreement Tuesday" in a.text
    b = extract.extract_article((pages / "greenriverstar-sweetwater-2025-04-17.html").read_bytes(),
                                "https://greenriverstar.com/story/2025/04/17/county/sheriffs-office-joins-ice-task-force-under-287g-program/12654.html")
    assert b.published_on == date(2025, 4, 17) and b.date_basis == "url_path"
    c = extract.extract_article((pages / "ice-monthly-report-2020-11-17.html").read_bytes(),
                                "https://www.ice.gov/news/releases/ice-publishes-monthly-report-enforcement-actions-due-cooperative-agreements-1")
    assert c.published_on == date(2020, 11, 17) and c.date_basis == "ice_header"
    assert c.topics == ["287g Immigration and Nationality Act"]


def test_extract_refuses_non_articles():
    with pytest.raises(extract.ExtractError, match="empty"):
        extract.extract_article(b"   ", "https://x.org/a")
    with pytest.raises(extract.ExtractError):
        extract.extract_article(b"<html><body><div>menu</div></body></html>", "https://x.org/a")


def test_near_duplicates_grouped():
    story = ("Eighteen Texas counties have signed 287(g) agreements with federal immigration authorities, "
             "and the city of Carrollton joined as well. Texas now holds almost a third of the 60 agreements "
             "nationwide. Critics say the program erodes trust between immigrant communities and police.")
    other = "The county fair opens Friday with livestock shows, a rodeo and a carnival midway for families."
    items = [
        ("a", "https://one.com/story", "Wire copy\n" + story + " Copyright One.", date(2017, 8, 1)),
        ("b", "https://two.com/story", story + " Read more at Two.", date(2017, 8, 2)),
        ("c", "https://three.com/s", "From the wire: " + story, date(2017, 8, 1)),
        ("d", "https://four.com/fair", other, date(2017, 8, 1)),
    ]
    groups = dedupe.group_duplicates(items)
    assert groups == {"a": "c", "b": "c"}  # earliest date, then the shortest canonical URL
