"""Static site: the dashboards as self-contained HTML pages that work offline and can be hosted anywhere.

`build_site(db_path, out_dir)` reads the warehouse read-only (named queries, one connection, closed before
rendering), then writes:

    index.html        Overview: headline numbers (ICE's own counts, with as-of date and change since last
                      month) and the monthly charts
    map.html          county map of 287(g) status through time (month slider) and a state view
    states.html       one section per state: monthly trend and its agreements
    agreements.html   every agreement, sortable and filterable; agreements.csv beside it
    changes.html      what changed: listed, ended, re-listed, approved, model stated, newest first
    notes.html        sources, last successful fetch, lists held, ICE errors corrected
    plotly.min.js     plotly.js, once, referenced by every page
    assets/           site.css, site.js (charts and tables), geo-assets.js; geo-*.js (GeoJSON, once)

Guarantees: no network and no sleeps (timing-friendly for `make bench`); every text from a source is
HTML-escaped; JSON inside <script> is escaped so it cannot close the script (`</`, `<!--`, U+2028/2029);
links from sources are kept only when they are http(s). Files are replaced atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import shutil
import string
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import plotly.graph_objects as go

from dashboards import figures
from dashboards.data import Results, fetch_with
from dashboards.figures import MODELS, Panel, Table, esc
from flows.files import write_atomic
from warehouse.db import reader

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES = PACKAGE_DIR / "templates"
ASSETS = PACKAGE_DIR / "assets"
REFERENCE_DIR = PACKAGE_DIR.parent / "flows" / "reference"

PAGES: list[tuple[str, str]] = [
    ("index", "Overview"),
    ("map", "Map"),
    ("states", "States"),
    ("agreements", "Agreements"),
    ("changes", "What changed"),
    ("notes", "Data notes"),
]
# Queries the hand-written page sections use (panels add their own).
SECTION_QUERIES = ("dash_headline", "dash_monthly_agreements", "dash_agreements", "dash_events",
                   "dash_sources", "dash_corrections", "dash_load_errors")
AGREEMENT_CSV_COLUMNS = ("agreement_id", "agency_name", "state", "county", "agency_type", "model", "signed",
                         "first_seen", "last_seen", "status", "ended_on", "times_listed", "moa_url",
                         "addendum_url")
EVENT_LABELS = {"listed": "Listed", "ended": "Ended", "relisted": "Re-listed", "approved": "Approved (was pending)",
                "model_stated": "Model stated (listed before without one)"}


# --- escaping --------------------------------------------------------------------------------------


def script_json(value) -> str:
    """JSON that is safe inside <script>: no `</script>`, `<!--`, or JS line terminators can break out."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)
    # "</" can close the script and "<!--" can open a script-data comment; both are escaped inside JSON
    # strings (the only place "<" can occur in JSON). U+2028/2029 end lines in older JavaScript.
    return (text.replace("</", "<\\/").replace("<!--", "\\u003c!--")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def safe_url(url) -> str | None:
    """A link from a source, kept only if it is http(s) (never javascript:, data:, …)."""
    if not url:
        return None
    text = str(url).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None


CHANGES_SHOWN = 1000  # rows in the What-changed table; the rest are in changes.csv (keeps pages light)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    # Spreadsheets run cells starting with = + - @ as formulas: quote them (OWASP CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- writing ---------------------------------------------------------------------------------------


def _write(path: Path, text: str | bytes) -> None:
    """Write a file atomically (a reader never sees half a page)."""
    write_atomic(path, text)


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    """A downloadable CSV of the rows, in the given columns."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_csv_cell(r.get(c)) for c in columns])
    _write(path, buf.getvalue())


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


# --- HTML pieces -----------------------------------------------------------------------------------


@dataclass
class Col:
    """A table column: key, label, type (text|num|date), optional cell renderer (returns safe HTML)."""

    key: str
    label: str
    type: str = "text"
    render: Callable[[dict], str] | None = None
    filter: bool = False


def model_badge(model) -> str:
    """A model as a coloured label (text kept, so it filters and sorts)."""
    m = model if model in MODELS else "UNKNOWN"
    return f'<span class="model {m}">{esc(model)}</span>'


def link(url, label: str) -> str:
    """A safe outbound link, or '' when the URL is not http(s)."""
    u = safe_url(url)
    return f'<a href="{html.escape(u, quote=True)}" rel="noopener noreferrer nofollow">{esc(label)}</a>' if u else ""


def table_html(table_id: str, cols: list[Col], rows: list[dict], *, search: bool = True,
               caption: str = "", extra_tools: str = "") -> str:
    """A sortable, filterable table; every cell escaped unless its column renders safe HTML itself."""
    tools_id = f"{table_id}-tools"
    tools = []
    if search:
        tools.append(f'<label>Filter<input type="search" placeholder="Type to filter…" aria-controls="{table_id}"></label>')
    for i, c in enumerate(cols):
        if c.filter:
            tools.append(f'<label>{esc(c.label)}<select data-col="{i}" aria-controls="{table_id}">'
                         f'<option value="">All</option></select></label>')
    tools.append(extra_tools)
    tools.append('<span class="count" aria-live="polite"></span>')
    head = "".join(
        f'<th scope="col" data-type="{c.type}"{" class=num" if c.type == "num" else ""}>'
        f'<button type="button">{esc(c.label)}</button></th>' for c in cols)
    body = io.StringIO()
    for r in rows:
        body.write("<tr>")
        for c in cols:
            v = r.get(c.key)
            cell = c.render(r) if c.render else esc(_fmt(v))
            sort = ""
            if c.type == "num" and v is not None:
                sort = f' data-v="{v}"'
            elif c.type == "date" and v is not None:
                sort = f' data-v="{esc(_fmt(v))}"'
            cls = ' class="num"' if c.type == "num" else (' class="date"' if c.type == "date" else "")
            body.write(f"<td{cls}{sort}>{cell}</td>")
        body.write("</tr>\n")
    cap = f"<caption class=note>{esc(caption)}</caption>" if caption else ""
    return (f'<div class="tools" id="{tools_id}">{"".join(tools)}</div>'
            f'<div class="table-wrap"><table class="data" id="{table_id}" data-tools="{tools_id}">{cap}'
            f"<thead><tr>{head}</tr></thead><tbody>\n{body.getvalue()}</tbody></table></div>")


def figure_html(key: str, fig: go.Figure, *, css: str = "", wide: bool = False, title: str = "") -> str:
    """A chart placeholder plus its figure JSON (drawn by assets/site.js)."""
    fid = f"fig-{key}"
    label = esc(title or (fig.layout.title.text or key))
    return (f'<figure class="panel{" wide" if wide else ""}" id="panel-{key}">'
            f'<div class="chart {css}" data-fig="{fid}" role="img" aria-label="{label}"></div>'
            f'<script type="application/json" id="{fid}">{script_json(fig.to_json())}</script></figure>')


def notice_html(key: str, title: str, text: str) -> str:
    """A panel that cannot be drawn yet, saying why."""
    return (f'<figure class="panel" id="panel-{key}"><h2>{esc(title)}</h2>'
            f'<p class="note">{esc(text)}</p></figure>')


def panel_table_html(key: str, t: Table) -> str:
    """A Table panel as a sortable table."""
    cols = []
    for k, label in t.columns:
        sample = next((r.get(k) for r in t.rows if r.get(k) is not None), None)
        kind = "num" if isinstance(sample, int | float) and not isinstance(sample, bool) else (
            "date" if isinstance(sample, dt.date) else "text")
        if k in t.links:
            url_key = t.links[k]
            cols.append(Col(k, label, kind, render=lambda r, k=k, u=url_key: link(r.get(u), _fmt(r.get(k))) or esc(_fmt(r.get(k)))))
        else:
            cols.append(Col(k, label, kind))
    note = f'<p class="note">{esc(t.note)}</p>' if t.note else ""
    return f'<section class="panel wide" id="panel-{key}"><h2>{esc(t.title)}</h2>{note}{table_html(f"t-{key}", cols, t.rows)}</section>'


def render_panel(p: Panel, results: Results, **kwargs) -> str:
    """One registered panel: its figure or table, or a notice when its data is not in the warehouse yet."""
    if p.requires and not results.has(*p.requires):
        return notice_html(p.key, p.title, f"Appears once the warehouse has {', '.join(p.requires)}.")
    if p.query in results.missing:
        return notice_html(p.key, p.title, f"Not available yet: {results.missing[p.query]}")
    out = p.build(results.get(p.query), **kwargs)
    if isinstance(out, Table):
        return panel_table_html(p.key, out)
    return figure_html(p.key, out, css="map" if p.page == "map" else "", wide=p.page == "map")


# --- pages -----------------------------------------------------------------------------------------


class Site:
    """Renders pages from one read of the warehouse."""

    def __init__(self, results: Results, out_dir: Path):
        self.r = results
        self.out = out_dir
        self.built = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        head = {h["list_kind"]: h for h in results.get("dash_headline")}
        self.headline = head
        latest = head.get("participating")
        self.latest = latest["as_of"].isoformat() if latest else "none yet"
        self.template = string.Template((TEMPLATES / "page.html").read_text(encoding="utf-8"))
        extra = [p.page for p in figures.PANELS.values() if p.page not in dict(PAGES)]
        self.pages = PAGES + [(k, k.replace("_", " ").capitalize()) for k in dict.fromkeys(extra)]

    def page(self, key: str, heading: str, body: str, *, description: str = "", geo: Iterable[str] = (),
             charts: bool = True) -> Path:
        """Write one page from the template."""
        nav = "".join(
            f'<li><a href="{k}.html"{" aria-current=page" if k == key else ""}>{esc(t)}</a></li>'
            for k, t in self.pages)
        head = []
        scripts = []
        for g in geo:
            head.append(f'<script src="assets/geo-{g}.js"></script>')
        if geo:
            head.insert(0, '<script src="assets/geo-assets.js"></script>')
        if charts:
            scripts.append('<script src="plotly.min.js" charset="utf-8"></script>')
        scripts.append('<script src="assets/site.js"></script>')
        text = self.template.substitute(
            title=esc(heading), heading=esc(heading), page=key, nav=nav, body=body,
            description=esc(description or heading), head="\n".join(head), scripts="\n".join(scripts),
            built=esc(self.built), latest=esc(self.latest))
        path = self.out / f"{key}.html"
        _write(path, text)
        return path

    def panels(self, page: str, **kwargs) -> str:
        """Every registered panel of a page, rendered."""
        return "".join(render_panel(p, self.r, **kwargs) for p in figures.panels_for(page))

    # Overview ------------------------------------------------------------------------------------

    def cards(self) -> str:
        """Headline numbers: ICE's counts of the newest lists, with as-of dates and change since last month."""
        out = []
        p = self.headline.get("participating")
        if p:
            def card(cls: str, n, label: str, prev, prev_as_of) -> str:
                chg = ""
                if prev is not None and n is not None:
                    d = n - prev
                    chg = f"{d:+,} since {esc(_fmt(prev_as_of))}"
                return (f'<div class="card {cls}"><div class="n" data-metric="{cls}">{_fmt(n)}</div>'
                        f'<div class="lbl">{esc(label)}</div><div class="chg">{chg}</div></div>')

            out.append(card("agreements", p["agreements"], f"agreements in ICE's list of {_fmt(p['as_of'])}",
                            p["prev_agreements"], p["prev_as_of"]))
            out.append(card("jem", p["jem"], "Jail Enforcement (JEM)", p["prev_jem"], p["prev_as_of"]))
            out.append(card("tfm", p["tfm"], "Task Force (TFM)", p["prev_tfm"], p["prev_as_of"]))
            out.append(card("wso", p["wso"], "Warrant Service Officer (WSO)", p["prev_wso"], p["prev_as_of"]))
            out.append(card("states", p["states"], "states and territories", p["prev_states"], p["prev_as_of"]))
            out.append(card("agencies", p["agencies"], "agencies", p["prev_agencies"], p["prev_as_of"]))
        q = self.headline.get("pending")
        if q:
            d = "" if q["prev_agreements"] is None else f"{q['agreements'] - q['prev_agreements']:+,} since {esc(_fmt(q['prev_as_of']))}"
            out.append(f'<div class="card pending"><div class="n" data-metric="pending">{_fmt(q["agreements"])}</div>'
                       f'<div class="lbl">applications pending in ICE\'s list of {esc(_fmt(q["as_of"]))}</div>'
                       f'<div class="chg">{d}</div></div>')
        if not out:
            return '<p class="note">No list loaded yet.</p>'
        return ('<section aria-label="Headline numbers"><div class="cards">' + "".join(out) + "</div>"
                '<p class="note">Counts are ICE\'s own: the rows of the newest list (ICE occasionally lists an '
                "agency and model twice). Change is against the last list of the previous month.</p></section>")

    def overview(self) -> Path:
        """The overview page."""
        body = (self.cards() + '<div class="grid">' + self.panels("index") + "</div>")
        return self.page("index", "287(g) agreements, month by month", body,
                         description="ICE 287(g) agreements and applications by month, model and state.")

    # Map -----------------------------------------------------------------------------------------

    def map(self) -> Path:
        """The map page: county status by month, and a state view."""
        intro = ('<p class="lede">Drag the slider or press ▶ to move through the months. Hover a county for its '
                 "agencies and their models. Colours: JEM blue, TFM orange, WSO green, several models purple, "
                 "model not stated (the lists of 2007 and 2008) dark grey; light grey: none.</p>")
        body = intro + '<div class="grid">' + self.panels("map") + "</div>"
        return self.page("map", "Map through time", body, geo=("counties", "states"),
                         description="County and state maps of 287(g) agreements, month by month.")

    # States --------------------------------------------------------------------------------------

    def states(self) -> Path:
        """One section per state: monthly trend chart and its agreements."""
        names = {}
        try:
            from flows.jurisdictions.geography import states as ref_states

            names = {s["state"]: s["name"] for s in ref_states()}
        except Exception:  # noqa: BLE001 - names are a nicety; codes still work
            names = {}
        monthly = defaultdict(list)
        for r in self.r.get("dash_monthly_agreements"):
            monthly[r["state"]].append(r)
        agreements = defaultdict(list)
        for r in self.r.get("dash_agreements"):
            agreements[r["state"]].append(r)
        codes = sorted(set(monthly) | set(agreements), key=lambda s: names.get(s, s))
        index, sections = [], []
        cols = [Col("agency_name", "Agency"), Col("county", "County"), Col("model", "Model", render=lambda r: model_badge(r["model"])),
                Col("signed", "Signed", "date"), Col("first_seen", "First seen", "date"),
                Col("last_seen", "Last seen", "date"), Col("status", "Status")]
        for code in codes:
            name = names.get(code, code)
            rows = agreements.get(code, [])
            active = sum(1 for r in rows if r["status"] == "active")
            index.append(f'<li><a href="#state-{esc(code)}">{esc(name)}</a> ({active:,})</li>')
            fig = figures.active_by_model(monthly.get(code, []), title=f"Active agreements: {name}")
            sections.append(
                f'<section class="state" id="state-{esc(code)}"><h2>{esc(name)} ({esc(code)})</h2>'
                f'<p class="note">{active:,} agreements active in the newest list; {len(rows):,} ever listed.</p>'
                + figure_html(f"state-{code}", fig)
                + "<details><summary>Agreements</summary>"
                + table_html(f"t-state-{code}", cols, rows, search=False) + "</details></section>")
        body = ('<p class="lede">Each state\'s agreements in force at month end, and every agreement ICE has '
                'listed for it (numbers in brackets: active now).</p>'
                f'<ul class="states-index">{"".join(index)}</ul>' + "".join(sections) + self.panels("states"))
        return self.page("states", "States", body, description="287(g) agreements by state, month by month.")

    # Agreements ----------------------------------------------------------------------------------

    def agreements(self) -> Path:
        """Every agreement, sortable and filterable, with a CSV beside it."""
        rows = self.r.get("dash_agreements")
        _write_csv(self.out / "agreements.csv", AGREEMENT_CSV_COLUMNS, rows)

        def jurisdiction(r: dict) -> str:
            return esc(" · ".join(x for x in (r.get("county"), r.get("agency_type")) if x))

        def moa(r: dict) -> str:
            return " ".join(x for x in (link(r.get("moa_url"), "MOA"), link(r.get("addendum_url"), "Addendum")) if x)

        cols = [Col("agency_name", "Agency"), Col("state", "State", filter=True),
                Col("county", "Jurisdiction", render=jurisdiction),
                Col("model", "Model", render=lambda r: model_badge(r["model"]), filter=True),
                Col("signed", "Signed", "date"), Col("first_seen", "First seen", "date"),
                Col("last_seen", "Last seen", "date"), Col("status", "Status", filter=True),
                Col("ended_on", "Ended", "date"), Col("moa_url", "MOA", render=moa)]
        download = '<a href="agreements.csv" download>Download CSV</a>'
        body = ('<p class="lede">Every agreement (agency × model) ICE has listed since our first captured list. '
                '"First seen" and "last seen" are the dates of the lists that showed it; "ended" is the first list '
                "without it. Click a column to sort.</p>"
                + table_html("agreements", cols, rows, extra_tools=download)
                + self.panels("agreements"))
        return self.page("agreements", "Agreements", body, charts=figures.has_charts("agreements"),
                         description="Every 287(g) agreement ICE has listed, with MOA links; CSV download.")

    # What changed --------------------------------------------------------------------------------

    def changes(self) -> Path:
        """Latest events, newest first: the newest CHANGES_SHOWN in the page, all of them in changes.csv."""
        rows = self.r.get("dash_events")
        _write_csv(self.out / "changes.csv",
                   ["as_of", "event", "agency_name", "state", "model", "file_name", "agreement_id"], rows)
        shown = rows[:CHANGES_SHOWN]
        summary = []
        by_date: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in rows:
            by_date[r["as_of"]][r["event"]] += 1
        for d in sorted(by_date, reverse=True)[:6]:
            parts = ", ".join(f"{n:,} {EVENT_LABELS.get(k, k).lower()}" for k, n in sorted(by_date[d].items()))
            summary.append(f"<li><b>{esc(_fmt(d))}</b>: {esc(parts)}</li>")
        cols = [Col("as_of", "List date", "date"),
                Col("event", "Change", render=lambda r: f'<span class="event">{esc(EVENT_LABELS.get(r["event"], r["event"]))}</span>',
                    filter=True),
                Col("agency_name", "Agency"), Col("state", "State", filter=True),
                Col("model", "Model", render=lambda r: model_badge(r["model"]), filter=True),
                Col("file_name", "Shown by list")]
        body = ('<p class="lede">Each change between consecutive ICE lists: agreements listed, ended (dropped from '
                "the list), re-listed, and applications that moved from the pending list to the participating "
                "list. Newest first; the first list we captured is the baseline.</p>"
                + self.feeds_note()
                + f'<h2>Latest lists</h2><ul>{"".join(summary)}</ul><h2>Latest changes</h2>'
                f'<p>The newest {len(shown):,} of {len(rows):,} changes; '
                '<a href="changes.csv" download>download all of them as CSV</a>.</p>'
                + table_html("events", cols, shown) + self.panels("changes"))
        return self.page("changes", "What changed", body, charts=figures.has_charts("changes"),
                         description="Latest changes in ICE's 287(g) lists, newest first.")

    def feeds_note(self) -> str:
        """A pointer to the Atom feeds of changes, when the run wrote them (`tracker run`; a site built
        with `tracker dashboards` alone has none)."""
        feeds = self.out / "feeds"
        if not (feeds / "all.atom").exists():
            return ""
        states = sorted(p.stem for p in feeds.glob("*.atom") if p.stem != "all")
        by_state = " ".join(f'<a href="feeds/{esc(st)}.atom">{esc(st)}</a>' for st in states)
        return ('<p>Follow the changes in a feed reader: <a href="feeds/all.atom">all changes (Atom)</a>'
                + (f"; one state's: {by_state}" if states else "") + ".</p>")

    # Notes ---------------------------------------------------------------------------------------

    def notes(self) -> Path:
        """Sources, last successful fetch, lists held, corrections."""
        src_cols = [Col("source", "Source"), Col("files", "Files", "num"), Col("sightings", "Fetches", "num"),
                    Col("first_fetch", "First fetch", "date"), Col("last_fetch", "Last fetch", "date"),
                    Col("last_successful_fetch", "Last successful fetch", "date"),
                    Col("files_not_loaded", "Files not loaded", "num")]
        corr_cols = [Col("level", "On", filter=True), Col("note", "Correction"),
                     Col("occurrences", "Rows", "num"), Col("lists", "Lists", "num"),
                     Col("first_list", "First list", "date"), Col("last_list", "Last list", "date")]
        err_cols = [Col("failed_at", "When", "date"), Col("file_name", "File"), Col("error", "Error")]
        fixes = self._reference_fixes()
        parts = [
            '<h2>Sources</h2><p>ICE publishes two spreadsheets on '
            '<a href="https://www.ice.gov/identify-and-arrest/287g" rel="noopener noreferrer">its 287(g) page</a>: '
            "agencies with agreements in force (participating) and applications under review (pending). It "
            "overwrites them several times a week and keeps no history; the tracker archives every file it "
            "sees (byte for byte, by sha256) and a bundled archive of earlier captures.</p>",
            table_html("sources", src_cols, self.r.get("dash_sources"), search=False),
            "<h2>How to read the charts</h2><ul>"
            "<li><b>Active at month end</b>: rows of the last participating list captured in the month (ICE's own "
            "count). A month with no captured list is a gap: shaded and left blank, never drawn as zero.</li>"
            "<li><b>Signed</b>: by the SIGNED date ICE prints. <b>Ended</b>: the first list without the agreement.</li>"
            "<li><b>Pending</b>: distinct agencies and models in the last pending list of the month. <b>Approved</b>: "
            "a pending application that appears in a participating list; days are counted from the first pending "
            "list that showed it.</li>"
            "<li><b>Map</b>: municipal agencies are placed in their county; state agencies appear on the state map.</li>"
            "</ul>",
            "<h2>Known ICE errors corrected</h2><p class=note>Corrections applied while loading ICE's lists "
            "(raw values are kept beside the cleaned ones in the warehouse).</p>",
            table_html("corrections", corr_cols, self.r.get("dash_corrections")),
            fixes,
        ]
        errors = self.r.get("dash_load_errors")
        parts.append("<h2>Files that failed to load</h2>")
        parts.append(table_html("load-errors", err_cols, errors, search=False) if errors
                     else "<p class=note>None.</p>")
        parts.append(self.panels("notes"))
        return self.page("notes", "Data notes", "".join(parts), charts=figures.has_charts("notes"),
                         description="Sources, fetch dates and corrections behind the 287(g) dashboards.")

    def _reference_fixes(self) -> str:
        out = []
        for name, title in (("ice_county_fixes.csv", "County names ICE verified as typos"),
                            ("ice_state_fixes.csv", "Agreements ICE listed under the wrong state")):
            path = REFERENCE_DIR / name
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            if not rows:
                continue
            cols = [Col(k, k.replace("_", " ").capitalize()) for k in rows[0]]
            out.append(f"<h3>{esc(title)} <span class=note>(flows/reference/{esc(name)})</span></h3>")
            out.append(table_html(f"ref-{path.stem}", cols, rows, search=len(rows) > 10))
        return "".join(out)

    def extra_pages(self) -> list[Path]:
        """Pages that exist only because a panel asked for them."""
        done = {k for k, _ in PAGES}
        return [self.page(k, t, '<div class="grid">' + self.panels(k) + "</div>")
                for k, t in self.pages if k not in done]


def queries_needed() -> list[str]:
    """Every named query the site runs."""
    return list(dict.fromkeys([*SECTION_QUERIES, *(p.query for p in figures.PANELS.values())]))


def write_assets(out_dir: Path, geo: bool = True) -> None:
    """plotly.js once, the site's CSS/JS, and each GeoJSON once (as scripts, so file:// works)."""
    from plotly.offline import get_plotlyjs

    _write(out_dir / "plotly.min.js", get_plotlyjs())
    for path in ASSETS.iterdir():
        if path.is_file():
            _write(out_dir / "assets" / path.name, path.read_bytes())
    if geo:
        try:
            from flows.jurisdictions.geography import county_geojson_path, state_geojson_path
        except ImportError:  # pragma: no cover
            return
        for name, src in (("counties", county_geojson_path()), ("states", state_geojson_path())):
            text = src.read_text(encoding="utf-8")
            _write(out_dir / "assets" / f"geo-{name}.js",
                   "window.TRACKER_GEO=window.TRACKER_GEO||{};"
                   f"window.TRACKER_GEO[{json.dumps(name)}]={script_json(text)};\n")


def build_site(db_path: Path, out_dir: Path) -> Path:
    """Write the static site from the warehouse (read-only); return the index page's path."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    with reader(db_path) as con:
        results = fetch_with(con, queries_needed(), as_of=None)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_assets(out_dir)
    site = Site(results, out_dir)
    index = site.overview()
    site.map()
    site.states()
    site.agreements()
    site.changes()
    site.notes()
    site.extra_pages()
    build_site.last_seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    return index


def site_size(out_dir: Path) -> int:
    """Bytes of every file of a built site."""
    return sum(p.stat().st_size for p in Path(out_dir).rglob("*") if p.is_file())


def clean(out_dir: Path) -> None:
    """Remove a built site (tests, benches)."""
    shutil.rmtree(out_dir, ignore_errors=True)
