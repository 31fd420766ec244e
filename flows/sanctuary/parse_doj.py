"""Parser of the Justice Department's press release listing sanctuary jurisdictions (2025-08-05).

The release prints three headed lists, `STATES:`, `COUNTIES:` and `CITIES:`, each a bulleted list;
states by name (the District of Columbia among them), counties and cities as `Name, ST`. The 2025-08-05
list holds 35 entries: 13 states counting DC, 4 counties, 18 cities.

`parse_doj(html)` is a pure function of the page bytes returning the entries in page order. A
section ends at its first line that is not an entry, so the paragraphs after the lists never leak
in. Raises `DojParseError` when no list is found.
"""

from __future__ import annotations

import re

from flows.normalize import state_code
from flows.sanctuary.html_lines import clean_space, html_lines
from flows.sanctuary.parse_dhs import Entry

HEADINGS = {"states": "state", "counties": "county", "cities": "city"}
NAME_ST = re.compile(r"^(?P<name>.+?),\s*(?P<st>[A-Z]{2})\.?$")


class DojParseError(ValueError):
    """The page holds no sanctuary list."""


def parse_doj(html: bytes | str) -> list[Entry]:
    """Every entry of the DOJ list, in page order."""
    entries: list[Entry] = []
    level = label = None
    for line in html_lines(html):
        head = line.strip().rstrip(":").strip().lower()
        if head in HEADINGS:
            level, label = HEADINGS[head], line.strip()
            continue
        if level is None:
            continue
        text = clean_space(line.lstrip("•·-–* "))
        if level == "state":
            usps = state_code(text, fuzzy=False)
            if not usps:
                level = None
                continue
            entries.append(Entry(len(entries) + 1, usps, "state", text, label))
            continue
        m = NAME_ST.match(text)
        if not m or not state_code(m.group("st"), fuzzy=False):
            level = None
            continue
        entries.append(Entry(len(entries) + 1, m.group("st"), level, m.group("name"), label))
    if not entries:
        raise DojParseError("no STATES/COUNTIES/CITIES list found")
    return entries
