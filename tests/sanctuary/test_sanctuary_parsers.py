"""Parsers of the DHS page and the DOJ release, on fixtures built from the real lists."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from sanctuary_paths import DHS_CSV, DHS_HTML, DOJ_CSV, DOJ_HTML

from flows.sanctuary.parse_dhs import DhsParseError, distinct, parse_dhs
from flows.sanctuary.parse_doj import DojParseError, parse_doj


@pytest.fixture(scope="module")
def dhs():
    return parse_dhs(DHS_HTML.read_bytes())


def test_dhs_counts(dhs):
    entries = distinct(dhs)
    assert len(dhs) == 606
    assert len(entries) == 605
    panels = {e.state for e in entries}
    # the real page has 36 panels: 35 states and the District of Columbia
    assert len(panels) == 36 and "DC" in panels
    levels = Counter(e.level for e in entries)
    assert levels == {"state": 14, "county": 391, "city": 199, "local": 1}


def test_dhs_state_entries_and_basis(dhs):
    states = {e.state: e.basis for e in dhs if e.level == "state"}
    assert states["RI"] == "Court Order Requiring State Sanctuary Requirements"
    assert sum(b == "Self-Identification as a State Sanctuary Jurisdiction" for b in states.values()) == 13


def test_dhs_quirks(dhs):
    by = {(e.state, e.name_as_printed): e for e in dhs if e.duplicate_of is None}
    assert by[("KS", "Lawrence")].level == "city" and by[("KS", "Lawrence")].section_label == "County"
    assert by[("KS", "Douglas County")].level == "county" and "swaps" in by[("KS", "Douglas County")].note
    dup = [e for e in dhs if e.duplicate_of]
    assert [(e.state, e.name_as_printed) for e in dup] == [("MN", "Nicollet County")]
    dc = by[("DC", "")]
    assert dc.level == "local" and dc.section_label == "Cities"
    assert dc.basis == "Self-Identification as Local Sanctuary Jurisdiction"
    for name in ("City of Anchorage", "Town of Vail", "Las Vegas City", "New Orleans/Orleans (Parish)"):
        assert any(e.name_as_printed == name for e in dhs), name


def test_dhs_matches_the_real_rows_in_order(dhs):
    rows = list(csv.DictReader(DHS_CSV.open(encoding="utf-8")))
    printed = [r["name"] if r["level"] != "state" else r["state"] for r in rows]
    assert [e.name_as_printed if e.level != "state" else _state_name(e) for e in dhs] == printed


def _state_name(entry):
    from flows.jurisdictions.resolve import state_name

    return state_name(entry.state)


def test_dhs_inside_archive_banner():
    body = DHS_HTML.read_bytes().replace(
        b"<body>", b"<body><div id='wm-ipp'><p>34 captures</p><p>29 May 2025 - 13 Jun 2025</p></div>", 1
    )
    assert len(distinct(parse_dhs(body))) == 605


def test_dhs_without_list_raises():
    with pytest.raises(DhsParseError):
        parse_dhs(b"<html><head><title>Page Not Found</title></head><body><h1>Page Not Found</h1></body></html>")


def test_doj_counts_and_names():
    entries = parse_doj(DOJ_HTML.read_bytes())
    assert len(entries) == 35
    assert Counter(e.level for e in entries) == {"state": 13, "county": 4, "city": 18}
    assert ("DC", "state", "District of Columbia") in {(e.state, e.level, e.name_as_printed) for e in entries}
    rows = list(csv.DictReader(DOJ_CSV.open(encoding="utf-8")))
    expected = [(r["state_abbr"], r["level"], r["name_as_listed"].rsplit(",", 1)[0]) for r in rows]
    assert [(e.state, e.level, e.name_as_printed) for e in entries] == expected


def test_doj_stops_at_prose_and_needs_a_list():
    html = (b"<p>STATES:</p><ul><li>Vermont</li></ul><p>CITIES:</p><ul><li>Boston, MA</li></ul>"
            b"<p>The Department will update this list.</p>")
    assert [(e.state, e.name_as_printed) for e in parse_doj(html)] == [("VT", "Vermont"), ("MA", "Boston")]
    with pytest.raises(DojParseError):
        parse_doj(b"<p>Nothing here</p>")


def test_doj_reads_state_spellings_and_an_odd_line_never_ends_its_section():
    html = (b"<p>CITIES:</p><ul><li>Boston, MA</li><li>Hoboken, N.J.</li><li>Springfield</li>"
            b"<li>Washington, D.C.</li><li>Newark, New Jersey</li><li>Odd Place, ZZ</li><li>Seattle, WA</li></ul>"
            b"<p>The list will be updated as the Department obtains more information.</p>"
            b"<p>STATES:</p><ul><li>Vermont</li><li>Commonwealth of Nowhere</li><li>Oregon</li></ul>"
            b"<p>Issued in Washington, D.C.</p>")
    entries = parse_doj(html)
    assert [(e.state, e.level, e.name_as_printed) for e in entries] == [
        ("MA", "city", "Boston"), ("NJ", "city", "Hoboken"), ("", "city", "Springfield"),
        ("DC", "city", "Washington"), ("NJ", "city", "Newark"), ("", "city", "Odd Place, ZZ"),
        ("WA", "city", "Seattle"),
        ("VT", "state", "Vermont"), ("", "state", "Commonwealth of Nowhere"), ("OR", "state", "Oregon")]
    assert {e.note for e in entries if not e.state} == {"not read as 'Name, State'", "not read as a state name"}
    # prose after a bulleted list is never an entry, even when it ends like one
    tail = b"<p>CITIES:</p><ul><li>Boston, MA</li></ul><p>Issued in Washington, D.C.</p>"
    assert [e.name_as_printed for e in parse_doj(tail)] == ["Boston"]
    # a copy printed without bullets: the lines that read as entries, and the odd ones between them
    plain = b"<p>CITIES:</p><p>Boston, MA</p><p>Gotham</p><p>Newark, N.J.</p><p>More to come.</p>"
    assert [(e.state, e.name_as_printed) for e in parse_doj(plain)] == [("MA", "Boston"), ("", "Gotham"),
                                                                       ("NJ", "Newark")]
    # the same entry printed `Hoboken, NJ` or `Hoboken, N.J.` is one entry
    assert entries[1].key == next(e for e in parse_doj(DOJ_HTML.read_bytes()) if e.name_as_printed == "Hoboken").key


def test_dhs_capture_without_its_end_markers_reads_no_footer_text():
    body = DHS_HTML.read_bytes()
    keywords = (b'<div class="keywords"><h2>Keywords</h2><ul><li>Immigration</li><li>Alien</li>'
                b"<li>Border Security</li><li>Law Enforcement</li></ul></div>")
    footer = b'<footer class="usa-footer"><p>Was this page helpful?</p></footer>'
    assert keywords in body and footer in body
    for end, foot in [(b"", b"<footer><ul><li>Privacy Policy</li><li>Accessibility</li><li>FOIA</li></ul></footer>"),
                      (b"<div>Last Updated: 05/29/2025</div>", b""),
                      (b"", b"<div><ul><li>Privacy Policy</li><li>FOIA</li></ul></div>")]:
        capture = body.replace(keywords, end).replace(footer, foot)
        entries = distinct(parse_dhs(capture))
        assert len(entries) == 605
        assert [e.name_as_printed for e in entries[-2:]] == ["Madison", "Milwaukee"]
