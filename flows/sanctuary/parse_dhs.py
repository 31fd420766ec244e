"""Parser of the DHS page "Sanctuary Jurisdictions Defying Federal Immigration Law" (2025-05-29).

The page (https://www.dhs.gov/sanctuary-jurisdictions, withdrawn in June 2025) is an accordion with
one panel per state; a panel has sections headed `State`, `Counties` (`County` for California and
Kansas) and `Cities`. The State section holds only a basis line (`Self-Identification as a State
Sanctuary Jurisdiction` or `Court Order Requiring State Sanctuary Requirements`); the District of
Columbia has a Cities section holding only the basis line `Self-Identification as Local Sanctuary
Jurisdiction` and no name.

`parse_dhs(html)` is a pure function of the page bytes. It returns every printed entry in page
order (606 on the 2025-05-29 list) with:
- `level` corrected where the page swapped its labels (Kansas prints `Lawrence` under County and
  `Douglas County` under Cities; both swapped back, with a note);
- `duplicate_of` set on a repeated entry (Minnesota's Nicollet County, printed twice across a page
  break in the parsed copy), so `distinct()` gives the 605 distinct entries.
The list ends at the first end-of-content line after it (`Keywords`, `Was this page helpful?`,
`Return to top`, `Last Updated: …`, `Privacy Policy`); the site's navigation and footer give no lines
at all (`html_lines`), so a capture missing those markers still never turns footer links into entries.
It raises `DhsParseError` when the page holds no list (e.g. the "Page Not Found" that replaced it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from flows.jurisdictions.resolve import state_name
from flows.normalize import state_code
from flows.sanctuary.html_lines import clean_space, html_lines

LABELS = {"state": "state", "states": "state", "county": "county", "counties": "county",
          "cities": "city", "city": "city"}
BASIS_RE = re.compile(r"^(self[- ]identification|court order)\b", re.I)
START_MARKERS = ("sanctuary jurisdiction list",)
# Lines that end the page's content: the keywords box, the feedback prompt, "Last Updated: …", and the
# first lines of a footer (a `<footer>` gives no lines at all; these catch one printed without the tag).
END_RE = re.compile(r"^(keywords|was this page helpful\??|return to top|last updated\b.*|privacy policy)$")
COUNTY_SUFFIXES = ("city and borough", "census area", "municipality", "county", "parish", "borough")


class DhsParseError(ValueError):
    """The page holds no sanctuary list."""


@dataclass(frozen=True)
class Entry:
    """One printed entry of a sanctuary list."""

    position: int                 # 1-based order on the page
    state: str                    # USPS code
    level: str                    # state | county | city | local
    name_as_printed: str          # '' when the page prints none (DC)
    section_label: str            # the heading printed above it (State, County, Counties, Cities …)
    basis: str = ""               # basis line of its section, as printed
    note: str = ""                # corrections applied
    duplicate_of: int | None = None  # position of the first printing of the same entry
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Identity of the entry within one list: state, level and folded name."""
        return f"{self.state}|{self.level}|{fold(self.name_as_printed)}"


def parse_dhs(html: bytes | str) -> list[Entry]:
    """Every entry printed on the DHS page, in page order, duplicates flagged."""
    lines = html_lines(html)
    folded = [ln.lower().rstrip(":") for ln in lines]
    start = next((i + 1 for i, ln in enumerate(folded) if ln in START_MARKERS), 0)
    panels: list[tuple[str, list[tuple[str, list[str]]]]] = []
    i = start
    while i < len(lines):
        ln = folded[i]
        if END_RE.match(ln) and panels:
            break
        usps = state_code(lines[i], fuzzy=False)
        if usps and i + 1 < len(lines) and folded[i + 1] in LABELS:
            panels.append((usps, []))
        elif ln in LABELS and panels:
            panels[-1][1].append((lines[i].rstrip(":"), []))
        elif panels and panels[-1][1]:
            panels[-1][1][-1][1].append(lines[i])
        i += 1
    if not panels:
        raise DhsParseError("no state panels found (page without the sanctuary list)")

    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for usps, sections in panels:
        swapped = _labels_swapped(sections)
        for label, items in sections:
            level = LABELS[label.lower()]
            note = ""
            if swapped and level in ("county", "city"):
                level = "city" if level == "county" else "county"
                note = f"printed under '{label}'; the page swaps this state's County/Cities labels"
            basis = next((it for it in items if BASIS_RE.match(it)), "")
            names = [it for it in items if not BASIS_RE.match(it)]
            if level == "state":
                names = [state_name(usps)] if not names else names[:1]
            elif not names and basis:
                names, level = [""], "local"
                note = "basis line only, no name printed: the jurisdiction is the panel itself"
            for name in names:
                entry = Entry(len(entries) + 1, usps, level, name, label, basis, note)
                if entry.key in seen:
                    entry = replace(entry, duplicate_of=seen[entry.key],
                                    note=(note + "; " if note else "") + "printed twice")
                else:
                    seen[entry.key] = entry.position
                entries.append(entry)
    return entries


def distinct(entries: list[Entry]) -> list[Entry]:
    """The entries without their repeated printings."""
    return [e for e in entries if e.duplicate_of is None]


def _labels_swapped(sections: list[tuple[str, list[str]]]) -> bool:
    """True when every County-section name is a bare place and every Cities name is a county."""
    county = [n for lab, its in sections if LABELS[lab.lower()] == "county" for n in its if not BASIS_RE.match(n)]
    city = [n for lab, its in sections if LABELS[lab.lower()] == "city" for n in its if not BASIS_RE.match(n)]
    return (
        bool(county) and bool(city)
        and not any(has_county_suffix(n) for n in county)
        and all(has_county_suffix(n) and "/" not in n for n in city)
    )


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces, `st.`/`ste.` spelled out (entry identity)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"\bste\.?\s", "sainte ", text)
    text = re.sub(r"\bst\.?\s", "saint ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return clean_space(text)


def has_county_suffix(name: str) -> bool:
    """Does a printed name end like a county or county equivalent (County, Parish, Borough …)?"""
    folded = fold(re.sub(r"\(.*?\)", lambda m: m.group(0)[1:-1], name))
    return any(folded.endswith(" " + s) or folded == s for s in COUNTY_SUFFIXES)
