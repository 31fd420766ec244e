"""ICE newsroom releases about 287(g).

Source: https://www.ice.gov/newsroom (listing) → https://www.ice.gov/news/releases/<slug> (slug =
lower-cased title words, '-1' appended to repeats). A release page's header runs the date, the
dateline and the topic tag together ("November 17, 2020" "Washington, DC, United States" "287g
Immigration and Nationality Act"); the body starts with a dateline ("WASHINGTON –").

Kept (kind `article`): releases tagged 287g or whose text mentions 287(g). Other releases are archived
as `unrelated` so that an incremental crawl does not fetch them again. A release without a date in
its header, or without a title or body, is skipped with the reason logged. Listing pages are re-read on
every crawl; release URLs already in the raw archive are not fetched again.
Arguments: `-a pages=N` listing pages to read (default 3), `-a start_url=URL` another listing.
"""

from __future__ import annotations

from flows.news.extract import split_ice_header
from flows.news.spiderbase import Release, ReleaseSpider, squeeze


class IceNewsSpider(ReleaseSpider):
    """ICE news releases; keeps the 287(g) ones."""

    name = "ice_news"
    allowed_domains = ["ice.gov", "www.ice.gov"]
    listing_url = "https://www.ice.gov/newsroom"
    default_pages = 3

    def release_links(self, response) -> list[str]:
        """Every release link."""
        return response.css('a[href*="/news/releases/"]::attr(href)').getall()

    def read_release(self, response) -> Release:
        """Date, dateline and topics from the run-together header; the topic tag can say 287g."""
        header = squeeze(response.css(".news-release-header ::text").getall())
        if not header:
            # Older layouts print the pieces in separate fields.
            header = squeeze(response.css(
                ".field--name-field-date ::text, .field--name-field-location ::text, "
                ".field--name-field-news-release-topics ::text").getall())
        released, dateline, topics = split_ice_header(header)
        body = squeeze(response.css(".field--name-body ::text, article p::text, article li::text").getall())
        return Release(released, body, f"no release date in header {header[:60]!r}",
                       tagged_287g="287g" in topics.lower().replace("(", "").replace(")", ""),
                       meta={"dateline": dateline, "topics": topics})
