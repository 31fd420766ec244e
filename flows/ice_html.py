"""ICE's 287(g) roster as an HTML table: the page before the workbooks (archived captures, 2017–2021).

Until February 2025 ICE's 287(g) page carried the roster as a table (State, Law Enforcement
Agency, Support Type, Signed, MOA). Captures of the page fetched from the web archive (spider
`ice_287g_wayback`) are read here into the same raw rows as a workbook (`flows.ice_lists.ParsedList`),
so from there they take exactly the workbook path: header names, cleaning, snapshot identity.

- the table is found by its header names (the same names as the workbooks'), never by position;
- a state printed once for a group of rows (a `rowspan` cell, or a heading row spanning the table)
  carries to the rows below it;
- MOA links come from the cell's `<a href>`; the archive's own URL prefix is removed by cleaning.

Guarantees: `parse_html_roster` raises `ice_lists.ListError` (one line) when the page holds no
roster table or the table has no data rows.
"""

from __future__ import annotations

import re

from parsel import Selector

from flows.ice_lists import ListError, ParsedList, RawRow, header_signature, match_header

PARSER_VERSION = "ice_html/5"  # /5: as ice_lists/5, notes on rows that could not be read
_SPACES = re.compile(r"\s+")


def looks_like_html(body: bytes) -> bool:
    """True for an HTML page (what the archive returns for a capture)."""
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<table" in body[:200000].lower()


def _text(cell: Selector) -> str:
    return _SPACES.sub(" ", " ".join(cell.css("::text").getall())).strip()


def parse_html_roster(body: bytes) -> ParsedList:
    """Read the roster table of an archived 287(g) page into raw rows."""
    sel = Selector(text=body.decode("utf-8", "replace"))
    for table in sel.css("table"):
        rows = table.css("tr")
        if not rows:
            continue
        found = match_header([_text(c) for c in rows[0].css("th, td")])
        if not found:
            continue
        cols, _ = found
        state_col = next(j for j, f in cols.items() if f == "state")
        parsed: list[RawRow] = []
        carried_state: str | None = None
        for i, tr in enumerate(rows[1:], start=2):
            cells = tr.css("th, td")
            texts = [_text(c) for c in cells]
            if len(cells) == 1 and texts[0]:  # a heading row naming the state of the rows below
                carried_state = texts[0]
                continue
            if len(cells) == len(cols) - 1:  # the state cell spans rows above: shift the others right
                cells = [None, *cells] if state_col == 0 else cells
                texts = [carried_state or "", *texts] if state_col == 0 else texts
            values = {fld: (texts[j] if j < len(texts) else None) for j, fld in cols.items()}
            if values.get("state"):
                carried_state = values["state"]
            elif carried_state:
                values["state"] = carried_state
            if not (values.get("agency") or values.get("support_type")):
                continue
            links = {}
            for j, fld in cols.items():
                if fld in ("moa", "addendum") and j < len(cells) and cells[j] is not None:
                    href = cells[j].css("a::attr(href)").get()
                    if href:
                        links[fld] = href.strip()
            parsed.append(RawRow(row_number=i, cells=values, links=links))
        if not parsed:
            raise ListError("roster table found but it has no data rows")
        fields, header = header_signature(cols)
        return ParsedList.from_rows("html table", header, fields, [], parsed)
    raise ListError("no 287(g) roster table in the page (need State, Law Enforcement Agency, Support Type headers)")
