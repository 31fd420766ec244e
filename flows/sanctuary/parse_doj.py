"""Parser of the Justice Department's press release listing sanctuary jurisdictions (2025-08-05).

The release prints three headed lists, `STATES:`, `COUNTIES:` and `CITIES:`, each a bulleted list;
states by name (the District of Columbia among them), counties and cities as `Name, State`. The
2025-08-05 list holds 35 entries: 13 states counting DC, 4 counties, 18 cities.

`parse_doj(html)` is a pure function of the page bytes returning the entries in page order. The state
after the last comma may be printed any way `flows.normalize.state_code` reads (`NJ`, `N.J.`, `D.C.`,
`New Jersey`). A section runs from its heading to its last list item (its last bulleted line; in a
copy printed without bullets, its last line that reads as an entry), so the paragraphs after the
lists never leak in, and one odd line never ends it: a line inside a section that cannot be read is
kept as an entry with no state and a note saying why, and loads as unresolved (`tracker sanctuary
unresolved`). Raises `DojParseError` when no list is found.
"""

from __future__ import annotations

from flows.normalize import state_code
from flows.sanctuary.html_lines import clean_space, html_blocks
from flows.sanctuary.parse_dhs import Entry

HEADINGS = {"states": "state", "counties": "county", "cities": "city"}
BULLETS = "•·-–*"
UNREAD_STATE = "not read as a state name"
UNREAD_PLACE = "not read as 'Name, State'"
MAX_NAME_WORDS = 8  # a longer "name" before a comma and a state is a sentence of the release


class DojParseError(ValueError):
    """The page holds no sanctuary list."""


def parse_doj(html: bytes | str) -> list[Entry]:
    """Every entry of the DOJ list, in page order; a line that cannot be read is an entry with no state."""
    entries: list[Entry] = []
    for level, label, lines in _sections(html_blocks(html)):
        for text in _list_lines(level, lines):
            state, name, note = _read(level, text)
            entries.append(Entry(len(entries) + 1, state, level, name, label, note=note))
    if not any(e.state for e in entries):
        raise DojParseError("no STATES/COUNTIES/CITIES list found")
    return entries


def _sections(blocks: list[tuple[str, str]]) -> list[tuple[str, str, list[tuple[bool, str]]]]:
    """(level, heading as printed, [(is a bulleted item, text without its bullet)]) per headed list."""
    sections: list[tuple[str, str, list[tuple[bool, str]]]] = []
    for tag, line in blocks:
        head = line.strip().rstrip(":").strip().lower()
        if head in HEADINGS:
            sections.append((HEADINGS[head], line.strip(), []))
        elif sections:
            bulleted = tag == "li" or line.lstrip()[:1] in BULLETS
            sections[-1][2].append((bulleted, clean_space(line.lstrip(BULLETS + " "))))
    return sections


def _list_lines(level: str, lines: list[tuple[bool, str]]) -> list[str]:
    """The section's lines up to its last list item: what follows that is the release's prose.

    The items are the bulleted lines; a copy that prints its list without bullets (plain paragraphs)
    has as items the lines that read as entries.
    """
    items = ([i for i, (bulleted, _) in enumerate(lines) if bulleted]
             or [i for i, (_, text) in enumerate(lines) if _read(level, text)[0]])
    return [text for _, text in lines[: items[-1] + 1]] if items else []


def _read(level: str, text: str) -> tuple[str, str, str]:
    """(USPS code, name, note) of one printed line; the code is '' and the note says why when unread."""
    if level == "state":
        usps = state_code(text, fuzzy=False)
        return (usps, text, "") if usps else ("", text, UNREAD_STATE)
    name, comma, tail = text.rpartition(",")
    usps = state_code(tail, fuzzy=False) if comma else None
    if usps and name.strip() and len(name.split()) <= MAX_NAME_WORDS:
        return usps, name.strip(), ""
    return "", text, UNREAD_PLACE
