"""The federal sanctuary lists we track: who published them, where, when, and how to parse them.

A document (a bundled file, an archived capture) belongs to a list by its file name
(`dhs_sanctuary_*.html`, `doj_sanctuary_*.html`) or by the page address it was fetched from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flows.dates import ymd
from flows.sanctuary.parse_dhs import Entry, parse_dhs
from flows.sanctuary.parse_doj import parse_doj


@dataclass(frozen=True)
class ListSpec:
    """One federal list: its publisher, page, publication date and parser."""

    list_id: str
    publisher: str
    title: str
    url: str
    published_on: date
    spider: str
    file_prefix: str
    parse: Callable[[bytes], list[Entry]]


DHS = ListSpec(
    list_id="dhs_sanctuary_jurisdictions",
    publisher="DHS",
    title="Sanctuary Jurisdictions Defying Federal Immigration Law",
    url="https://www.dhs.gov/sanctuary-jurisdictions",
    published_on=date(2025, 5, 29),
    spider="dhs_sanctuary",
    file_prefix="dhs_sanctuary_",
    parse=parse_dhs,
)
DOJ = ListSpec(
    list_id="doj_sanctuary_jurisdictions",
    publisher="DOJ",
    title="Justice Department Publishes List of Sanctuary Jurisdictions",
    url="https://www.justice.gov/opa/pr/justice-department-publishes-list-sanctuary-jurisdictions",
    published_on=date(2025, 8, 5),
    spider="doj_sanctuary",
    file_prefix="doj_sanctuary_",
    parse=parse_doj,
)
LISTS = {spec.list_id: spec for spec in (DHS, DOJ)}
DATE_IN_NAME = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


def spec_for_file(name: str) -> ListSpec | None:
    """The list a bundled file belongs to, by its name."""
    return next((s for s in LISTS.values() if name.startswith(s.file_prefix) and name.endswith(".html")), None)


def spec_for_url(url: str) -> ListSpec | None:
    """The list a fetched page belongs to, by its (original) address."""
    bare = re.sub(r"^https?://(www\.)?", "", url or "").rstrip("/")
    for spec in LISTS.values():
        target = re.sub(r"^https?://(www\.)?", "", spec.url)
        if bare.endswith(target):
            return spec
    return None


def date_in_name(name: str) -> date | None:
    """The first yyyy-mm-dd (or yyyymmdd) date in a file name."""
    return ymd(DATE_IN_NAME.search(name))
