"""DHS press releases about 287(g).

Source: https://www.dhs.gov/news-releases/press-releases (listing; each row links a release at
https://www.dhs.gov/news/YYYY/MM/DD/<slug>). A release's date is its <time datetime> or, failing
that, the date in the URL path. Releases mentioning 287(g) are archived as `article`, others as
`unrelated` (so they are not fetched again); a release with no date anywhere, no title or no body is
skipped with the reason logged. Arguments: `-a pages=N` (default 2), `-a start_url=URL`.
"""

from __future__ import annotations

from flows.news.extract import date_from_url, parse_iso, parse_printed_date
from flows.news.spiderbase import Release, ReleaseSpider, squeeze


class DhsNewsSpider(ReleaseSpider):
    """DHS press releases; keeps the 287(g) ones."""

    name = "dhs_news"
    allowed_domains = ["dhs.gov", "www.dhs.gov"]
    listing_url = "https://www.dhs.gov/news-releases/press-releases"
    default_pages = 2

    def release_links(self, response) -> list[str]:
        """Release links: dated /news/YYYY/MM/DD/ paths."""
        return [h for h in response.css("a::attr(href)").getall() if "/news/20" in h or "/news/19" in h]

    def read_release(self, response) -> Release:
        """Date from <time>, the printed release date, or the URL path; body from the body field."""
        released = parse_iso(response.css("time::attr(datetime)").get()) \
            or parse_printed_date(" ".join(response.css(".field--name-field-release-date ::text, .date ::text").getall())) \
            or date_from_url(response.url)
        body = squeeze(response.css(".field--name-body ::text, article p ::text").getall())
        return Release(released, body, "no release date in page or URL")
