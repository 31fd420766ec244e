"""Spider for the DHS sanctuary-jurisdictions page, through web-archive captures.

The page https://www.dhs.gov/sanctuary-jurisdictions (published 2025-05-29, withdrawn in June
2025) lives on only as archived captures. The spider asks the archive's CDX index for every
capture with distinct content, then fetches each capture's raw (`id_`) bytes and yields it as a
RawFile, archived byte for byte by the pipeline (`flows.sanctuary.spiderbase.ArchivedListSpider`, built on `spiders.wayback`).
It parses nothing into rows: the flow re-parses archived pages with `flows.sanctuary.parse_dhs`. The
CDX listing itself is archived too, as the record of which captures existed. A capture without the
list (the later "Page Not Found") is kept: it is the evidence of the withdrawal.

    scrapy crawl dhs_sanctuary [-a since=20250501] [-a until=20251231] [-a limit=5]
"""

from __future__ import annotations

from flows.sanctuary.sources import DHS
from flows.sanctuary.spiderbase import ArchivedListSpider


class DhsSanctuarySpider(ArchivedListSpider):
    """DHS "Sanctuary Jurisdictions Defying Federal Immigration Law", every archived capture."""

    name = "dhs_sanctuary"
    spec = DHS
    since = "20250501"
