"""The static site built from the real bundled warehouse: pages, one plotly.js, safe embedded JSON,
the CSV, the numbers, the budget (under 10 s, under 15 MB), and the one-function-one-query panel rule."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import duckdb

from dashboards import figures, site
from dashboards.data import fetch
from warehouse.db import reader

PAGES = ("index", "map", "states", "agreements", "changes", "notes")
JSON_SCRIPT = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.S)


def test_site_is_built_and_small(built_site):
    # build time is measured by `make bench`, not asserted here (shared, noisy machines)
    out: Path = built_site["dir"]
    assert built_site["index"] == out / "index.html"
    size = site.site_size(out)
    assert size < 15 * 1024 * 1024, f"site is {size / 1e6:.1f} MB"
    for page in PAGES:
        assert (out / f"{page}.html").exists(), page


def test_plotly_js_is_a_separate_file_used_once_per_page(built_site):
    out: Path = built_site["dir"]
    js = (out / "plotly.min.js").read_text(encoding="utf-8")
    assert len(js) > 1_000_000
    for page in PAGES:
        text = (out / f"{page}.html").read_text(encoding="utf-8")
        assert text.count('src="plotly.min.js"') <= 1
        assert "Plotly.register" not in text and len(text) < 4_000_000, "plotly.js is never inlined"
        assert 'href="notes.html"' in text and 'href="map.html"' in text, "navigation on every page"
    for page in ("index", "map", "states"):
        assert 'src="plotly.min.js"' in (out / f"{page}.html").read_text(encoding="utf-8")
    assert 'src="plotly.min.js"' not in (out / "notes.html").read_text(encoding="utf-8")  # tables only: 4.8 MB spared


def test_embedded_figures_are_safe_json_with_title_and_note(built_site):
    out: Path = built_site["dir"]
    seen = 0
    for page in PAGES:
        text = (out / f"{page}.html").read_text(encoding="utf-8")
        for fid, body in JSON_SCRIPT.findall(text):
            assert "</" not in body and "<!--" not in body and "\u2028" not in body
            fig = json.loads(body)
            assert fig["layout"]["title"]["text"], fid
            notes = " ".join(a.get("text", "") for a in fig["layout"].get("annotations", []))
            assert "Source:" in notes, fid
            seen += 1
    assert seen >= 8 + 40, "overview + maps + a chart per state"
    map_html = (out / "map.html").read_text(encoding="utf-8")
    assert '"geo:counties"' in map_html and '"geo:states"' in map_html, "GeoJSON shipped once, as geo-*.js"
    assert (out / "assets" / "geo-counties.js").exists() and (out / "assets" / "geo-assets.js").exists()


def test_map_has_a_frame_per_month(built_site, warehouse):
    text = (built_site["dir"] / "map.html").read_text(encoding="utf-8")
    figs = {fid: json.loads(body) for fid, body in JSON_SCRIPT.findall(text)}
    county = figs["fig-county_map"]
    with reader(warehouse) as con:
        months = con.execute("SELECT count(*) FROM monthly_snapshot WHERE list_kind = 'participating'").fetchone()[0]
    assert len(county["frames"]) == months
    assert len(county["layout"]["sliders"][0]["steps"]) == months
    assert all("geojson" not in f["data"][0] for f in county["frames"]), "frames carry values only"


def test_overview_headline_is_the_newest_list_with_changes(built_site, warehouse):
    text = (built_site["dir"] / "index.html").read_text(encoding="utf-8")
    with reader(warehouse) as con:
        n, jem, as_of = con.execute(
            "SELECT agreements, jem, as_of FROM snapshot_summary WHERE list_kind = 'participating' "
            "ORDER BY as_of DESC, file_name DESC LIMIT 1").fetchone()
    assert f'data-metric="agreements">{n:,}<' in text
    assert f'data-metric="jem">{jem:,}<' in text
    assert f"list of {as_of.isoformat()}" in text
    assert "since " in text


def test_overview_numbers_for_2025_05_29(warehouse, tmp_path):
    res = fetch(warehouse, ["dash_headline"], as_of="2025-05-29")
    cards = site.Site(res, tmp_path).cards()
    for metric, value in (("agreements", "635"), ("jem", "100"), ("tfm", "307"), ("wso", "228"),
                          ("pending", "68"), ("states", "40")):
        assert f'data-metric="{metric}">{value}<' in cards, metric
    assert "list of 2025-05-29" in cards


def test_every_list_date_is_on_the_notes_page_with_icess_counts(built_site):
    text = (built_site["dir"] / "notes.html").read_text(encoding="utf-8")
    row = re.search(r"<tr><td class=\"date\" data-v=\"2025-05-29\">2025-05-29</td><td>participating</td>(.*?)</tr>", text)
    assert row, "the 2025-05-29 list is listed"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells[:4] == ["635", "100", "307", "228"]
    assert re.search(r'data-v="2025-05-29">2025-05-29</td><td>pending</td><td class="num" data-v="68">68<', text)


def test_agreements_csv_has_every_agreement(built_site, warehouse):
    out: Path = built_site["dir"]
    with (out / "agreements.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with reader(warehouse) as con:
        n = con.execute("SELECT count(*) FROM agreements").fetchone()[0]
    assert len(rows) == n
    assert set(site.AGREEMENT_CSV_COLUMNS) == set(rows[0])
    html_text = (out / "agreements.html").read_text(encoding="utf-8")
    assert html_text.count("<tr>") == n + 1
    assert 'href="agreements.csv" download' in html_text


def test_all_changes_are_in_the_csv_and_the_newest_in_the_page(built_site, warehouse):
    import csv as _csv

    with (built_site["dir"] / "changes.csv").open(encoding="utf-8") as fh:
        rows = list(_csv.DictReader(fh))
    con = duckdb.connect(str(warehouse), read_only=True)
    listed = con.execute("SELECT count(*) FROM agreement_events WHERE event IN ('listed', 'ended', 'relisted')").fetchone()[0]
    con.close()
    assert 0 < len(rows) <= listed + 10_000
    assert [r["as_of"] for r in rows] == sorted((r["as_of"] for r in rows), reverse=True)
    page = (built_site["dir"] / "changes.html").read_text(encoding="utf-8")
    shown = page.split('id="events"', 1)[1].count("<tr><td")
    assert shown == min(len(rows), site.CHANGES_SHOWN)
    assert 'href="changes.csv"' in page


def test_changes_are_newest_first(built_site):
    text = (built_site["dir"] / "changes.html").read_text(encoding="utf-8")
    body = text.split('id="events"', 1)[1]
    dates = re.findall(r'<tr><td class="date" data-v="(\d{4}-\d\d-\d\d)"', body)
    assert dates and dates == sorted(dates, reverse=True)
    for label in ("Listed", "Ended", "Approved (was pending)"):
        assert f'<span class="event">{label}</span>' in body


def test_escaping_helpers():
    assert site.script_json('{"a":"</script><!--"}') == '{"a":"<\\/script>\\u003c!--"}'
    assert site.script_json({"a": "\u2028"}) == '{"a":"\\u2028"}'
    assert site.safe_url("javascript:alert(1)") is None
    assert site.safe_url(" JaVaScRiPt:alert(1)") is None
    assert site.safe_url("data:text/html,x") is None
    assert site.safe_url("https://www.ice.gov/doclib/x.pdf") == "https://www.ice.gov/doclib/x.pdf"
    assert site.link("https://e.org/?a=1&b=\"2\"", "<MOA>") == (
        '<a href="https://e.org/?a=1&amp;b=&quot;2&quot;" rel="noopener noreferrer nofollow">&lt;MOA&gt;</a>')
    assert site._csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert site._csv_cell("-5") == "-5"


def test_a_panel_is_one_function_and_one_query(warehouse, tmp_path):
    """A new source adds a query file and a decorated function; the site shows it on its page."""

    @figures.panel("test_lists_by_kind", page="sanctuary", query="dash_lists", title="Lists by kind")
    def lists_by_kind(rows):
        import plotly.graph_objects as go

        kinds = sorted({r["list_kind"] for r in rows})
        fig = go.Figure(go.Bar(x=kinds, y=[sum(1 for r in rows if r["list_kind"] == k) for k in kinds]))
        return figures._base(fig, title="Lists by kind", subtitle="", x_title="Kind", y_title="Lists (count)",
                             note=figures.note_text("Source: test", figures.as_of_of(rows)))

    try:
        site.build_site(warehouse, tmp_path)
        page = (tmp_path / "sanctuary.html").read_text(encoding="utf-8")
        assert 'id="panel-test_lists_by_kind"' in page
        assert 'href="sanctuary.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")
    finally:
        figures.PANELS.pop("test_lists_by_kind")


def test_a_panel_on_views_not_built_yet_shows_a_notice(warehouse, tmp_path):
    figures.panel("test_waiting", page="index", query="dash_lists", title="Waiting",
                  requires=("news_articles_not_yet",))(lambda rows: None)
    try:
        site.build_site(warehouse, tmp_path)
        page = (tmp_path / "index.html").read_text(encoding="utf-8")
        assert 'id="panel-test_waiting"' in page and "Appears once the warehouse has news_articles_not_yet" in page
    finally:
        figures.PANELS.pop("test_waiting")


def test_an_empty_warehouse_builds_a_site_that_says_so(tmp_path):
    from warehouse.db import writer

    db = tmp_path / "empty.duckdb"
    with writer(db):
        pass
    index = site.build_site(db, tmp_path / "site")
    text = index.read_text(encoding="utf-8")
    assert "No list loaded yet." in text
    for page in PAGES:
        assert (tmp_path / "site" / f"{page}.html").exists()


def test_the_changes_page_points_to_the_feeds_once_a_run_wrote_them(warehouse, tmp_path):
    from dashboards.site import build_site
    from flows.alerts import write_feeds

    out = tmp_path / "site"
    build_site(warehouse, out)
    assert "feeds/all.atom" not in (out / "changes.html").read_text(encoding="utf-8")  # `tracker dashboards` alone
    write_feeds(warehouse, out)  # what `tracker run` does before it builds the site
    build_site(warehouse, out)
    page = (out / "changes.html").read_text(encoding="utf-8")
    assert '<a href="feeds/all.atom">' in page and '<a href="feeds/TX.atom">TX</a>' in page
    assert (out / "feeds" / "all.atom").exists()  # building the site leaves the feeds in place
