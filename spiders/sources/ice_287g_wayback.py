"""Spider for ICE's 287(g) roster pages as archived by the web archive (the HTML-table era).

Before its workbooks (February 2025) ICE printed the roster as a table on its 287(g) page, first at
https://www.ice.gov/287g, later at https://www.ice.gov/identify-and-arrest/287g. The bundled history
has no capture between 2017-08 and 2021-01; this spider fills such gaps for a user with network: it
asks the archive's CDX index for every capture with distinct content of both addresses in a date
range, fetches each capture's raw (`id_`) bytes and yields them as RawFiles (archived byte for byte).
It parses nothing: the flow reads each archived page with `flows.ice_html` into a snapshot dated by
its capture time (`tracker history --live`).

    scrapy crawl ice_287g_wayback [-a since=20170801] [-a until=20210131] [-a limit=10]
"""

from __future__ import annotations

from spiders.wayback import ArchivedPageSpider

ICE_287G_PAGES = ("https://www.ice.gov/287g", "https://www.ice.gov/identify-and-arrest/287g")


class Ice287gWaybackSpider(ArchivedPageSpider):
    """Every archived capture (distinct content, HTTP 200) of ICE's 287(g) roster page in a date range."""

    name = "ice_287g_wayback"
    pages = ICE_287G_PAGES
    list_id = "ice_287g_roster"
    file_prefix = "ice-287g-roster-"
    capture_kind = "roster_page"
    statuses = ("200", "")
    since = "20170801"
    until = "20210131"
