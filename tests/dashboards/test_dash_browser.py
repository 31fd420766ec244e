"""Debian's headless Chromium on the built site: every page loads with no console error and no request
off the machine, every chart is drawn, the map's slider changes month, and hostile agency names render
as text (no script runs). Screenshots go to tests/artifacts/dashboards/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboards.screenshot import CHROMIUM, browser, serve, wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (run `make browser`)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "dashboards"
PAGES = ("index", "map", "states", "agreements", "changes", "notes")
EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(2)>"
EVIL_NAME = f"{EVIL_SCRIPT} Evil Sheriff {EVIL_IMG}"

DRAWN = """el => {
  const traces = el.querySelectorAll('.trace, path.choroplethlocation').length;
  return !!el.querySelector('.main-svg') && (el._fullData || []).length > 0 && traces > 0;
}"""


class Watch:
    """Console errors, page errors, dialogs and off-machine requests of a page."""

    def __init__(self, page, base: str):
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.external: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def on_dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)

        def route(r):
            if r.request.url.startswith(base) or r.request.url.startswith("file://") or r.request.url.startswith("data:"):
                r.continue_()
            else:
                self.external.append(r.request.url)
                r.abort()

        page.route("**/*", route)


def check_all_charts_drawn(page) -> int:
    n = wait_for_charts(page)
    charts = page.locator(".chart[data-fig]")
    for i in range(n):
        assert charts.nth(i).evaluate(DRAWN), f"chart {i} drawn with traces"
    assert page.locator(".js-plotly-plot").count() == n
    return n


@pytest.fixture(scope="module")
def ctx():
    with browser() as c:
        yield c


def test_every_page_loads_draws_and_stays_offline(built_site, ctx):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serve(built_site["dir"]) as base:
        page = ctx.new_page()
        watch = Watch(page, base)
        drawn = {}
        for name in PAGES:
            page.goto(base + f"{name}.html")
            page.wait_for_load_state("load")
            drawn[name] = check_all_charts_drawn(page)
            assert page.locator("h1").inner_text().strip()
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=name not in ("states", "agreements", "changes"))
        page.close()
    assert watch.errors == []
    assert watch.external == [], "the site never reaches off the machine"
    assert drawn["index"] >= 6 and drawn["map"] == 2 and drawn["states"] >= 40


def test_map_slider_changes_month(built_site, ctx):
    with serve(built_site["dir"]) as base:
        page = ctx.new_page()
        watch = Watch(page, base)
        page.goto(base + "map.html")
        wait_for_charts(page)
        county = page.locator("#panel-county_map .js-plotly-plot")
        label = county.locator(".slider-group > text.slider-label")  # the current value
        before = label.text_content()
        assert before.startswith("Month: ")
        frames_before = county.evaluate("el => el._fullData[el._fullData.length - 1].locations.length")
        rail = county.locator(".slider-rail-rect").bounding_box()
        page.mouse.click(rail["x"] + 3, rail["y"] + rail["height"] / 2)  # the first month
        page.wait_for_function("([el, t]) => el.querySelector('.slider-group > text.slider-label').textContent !== t",
                               arg=[county.element_handle(), before], timeout=10000)
        after = label.text_content()
        assert after != before and after.startswith("Month: ")
        frames_after = county.evaluate("el => el._fullData[el._fullData.length - 1].locations.length")
        assert frames_after != frames_before, "the counties shown change with the month"
        page.screenshot(path=str(ARTIFACTS / "map-first-month.png"))
        page.close()
    assert watch.errors == []


def test_map_works_from_disk_without_a_server(built_site, ctx):
    page = ctx.new_page()
    watch = Watch(page, "file://")
    page.goto((built_site["dir"] / "map.html").as_uri())
    assert check_all_charts_drawn(page) == 2
    page.close()
    assert watch.errors == [] and watch.external == []


@pytest.fixture
def hostile_site(writable_copy, tmp_path) -> Path:
    """A site built from a warehouse copy where one mapped, active agency has a hostile name and links."""
    import duckdb

    from dashboards.site import build_site

    con = duckdb.connect(str(writable_copy))
    try:
        agency_id, state = con.execute(
            "SELECT a.agency_id, a.state FROM agencies a JOIN agreements g USING (agency_id) "
            "JOIN agency_jurisdictions j USING (agency_id) "
            "WHERE g.status = 'active' AND j.county_fips IS NOT NULL AND j.level = 'county' "
            "ORDER BY a.agency_id LIMIT 1").fetchone()
        con.execute("UPDATE agencies SET agency_name = ?, county = ? WHERE agency_id = ?", [EVIL_NAME, EVIL_IMG, agency_id])
        con.execute("UPDATE snapshot_rows SET agency_name = ? WHERE agency_id = ?", [EVIL_NAME, agency_id])
        con.execute("UPDATE agreements SET moa_url = 'javascript:alert(3)', addendum_url = 'data:text/html,<script>alert(4)</script>' "
                    "WHERE agency_id = ?", [agency_id])
    finally:
        con.close()
    out = tmp_path / "site"
    build_site(writable_copy, out)
    (out / ".state").write_text(state)
    return out


def test_hostile_agency_names_render_as_text(hostile_site, ctx):
    for name in ("agreements", "states", "changes", "map"):
        text = (hostile_site / f"{name}.html").read_text(encoding="utf-8")
        assert EVIL_SCRIPT not in text and EVIL_IMG not in text, name
        assert "javascript:alert" not in text and "data:text/html" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Evil Sheriff" in (hostile_site / "agreements.html").read_text(encoding="utf-8")
    with serve(hostile_site) as base:
        page = ctx.new_page()
        watch = Watch(page, base)
        page.goto(base + "agreements.html")
        page.fill("#agreements-tools input[type=search]", "Evil Sheriff")
        row = page.locator("#agreements tbody tr:not([hidden])").first
        assert EVIL_SCRIPT in row.inner_text() and EVIL_IMG in row.inner_text()
        assert row.locator("img, script").count() == 0
        assert row.locator("a").count() == 0, "javascript:/data: links are dropped"
        page.screenshot(path=str(ARTIFACTS / "xss-agreements.png"))
        state = (hostile_site / ".state").read_text()
        page.goto(base + f"states.html#state-{state}")
        section = page.locator(f"#state-{state}")
        section.locator("summary").click()
        assert EVIL_SCRIPT in section.inner_text()
        page.goto(base + "map.html")
        wait_for_charts(page)
        hover = page.locator("#panel-county_map .js-plotly-plot").evaluate(
            "el => el._fullData[el._fullData.length - 1].hovertext.join('\\n')")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hover
        page.goto(base + "changes.html")
        page.wait_for_load_state("load")
        page.close()
    assert watch.dialogs == [], "no script from a source ever ran"
    assert not [e for e in watch.errors if "alert" in e or "x" == e]


def teardown_module(module):
    # Chromium's profile dirs are removed by `browser()`; keep only the screenshots.
    shutil.rmtree(ARTIFACTS / "tmp", ignore_errors=True)
