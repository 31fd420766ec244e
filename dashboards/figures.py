"""Figures: pure functions from query rows (lists of dicts) to Plotly figures, shared by the site and the app.

Guarantees:
- Every chart has a title, axis titles with units, and a source and as-of note (an annotation under it).
- One colour per 287(g) model everywhere, from the Okabe-Ito colour-blind-safe palette.
- Months with no captured list (coverage 'gap') are drawn as gaps: None values (bars missing, lines
  broken with connectgaps=False) and a shaded band; never zero, never a flat line.
- Text from sources (agency names) is HTML-escaped before it reaches Plotly's hover labels.
- Layouts are responsive (autosize, horizontal legends that wrap, short titles) so charts read at phone width.

Adding a panel is one function and one query: write `warehouse/queries/dash_<name>.sql`, then

    @panel("my_panel", page="overview", query="dash_<name>", title="…")
    def my_panel(rows): return <a go.Figure or a Table>

The site and the app pick it up from `PANELS`.
"""

from __future__ import annotations

import datetime as dt
import html
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

Rows = list[dict]

MODELS = ("JEM", "TFM", "WSO", "UNKNOWN")
MODEL_NAMES = {
    "JEM": "Jail Enforcement (JEM)",
    "TFM": "Task Force (TFM)",
    "WSO": "Warrant Service Officer (WSO)",
    "UNKNOWN": "Model not stated",
}
# Okabe-Ito: blue, orange, bluish green, grey; reddish purple for "several models", black for totals.
MODEL_COLORS = {"JEM": "#0072B2", "TFM": "#E69F00", "WSO": "#009E73", "UNKNOWN": "#999999"}
SEVERAL_COLOR = "#CC79A7"
TOTAL_COLOR = "#000000"
GAP_FILL = "rgba(120,120,120,0.15)"
SEQUENTIAL = "Viridis"  # colour-blind-safe sequential scale for counts on maps

SOURCE_LISTS = "Source: ICE 287(g) participating-agency lists"
SOURCE_PENDING = "Source: ICE 287(g) pending-agency lists"
SOURCE_BOTH = "Source: ICE 287(g) participating and pending lists"

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
HEIGHT = 440


@dataclass
class Table:
    """A table panel: columns (key, label), rows, optional links (column → URL column), note."""

    title: str
    columns: list[tuple[str, str]]
    rows: Rows
    note: str = ""
    links: dict[str, str] = field(default_factory=dict)
    csv_name: str | None = None


@dataclass(frozen=True)
class Panel:
    """A dashboard panel: one query, one pure function of its rows, a page to appear on."""

    key: str
    page: str
    query: str
    build: Callable[[Rows], Any]
    title: str
    requires: tuple[str, ...] = ()
    order: int = 0
    chart: bool = True  # a Plotly figure (the page then loads plotly.js); False for a Table


PANELS: dict[str, Panel] = {}


def panel(key: str, *, page: str, query: str, title: str, requires: Iterable[str] = (), chart: bool = True):
    """Register a figure (or, with chart=False, Table) function as a panel of `page`, fed by the named query."""

    def register(fn):
        PANELS[key] = Panel(key, page, query, fn, title, tuple(requires), len(PANELS), chart)
        return fn

    return register


def panels_for(page: str) -> list[Panel]:
    """The panels of a page, in registration order."""
    return sorted((p for p in PANELS.values() if p.page == page), key=lambda p: p.order)


def has_charts(page: str) -> bool:
    """Whether a page shows any Plotly figure (and so needs plotly.js)."""
    return any(p.chart for p in panels_for(page))


# --- helpers ---------------------------------------------------------------------------------------


def esc(value) -> str:
    """HTML-escape a source text for Plotly labels and pages (None → '')."""
    return html.escape("" if value is None else str(value), quote=True)


def month_label(d) -> str:
    """'Jan 2026' for a month."""
    return _date(d).strftime("%b %Y")


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def as_of_of(rows: Rows, key: str = "as_of") -> str | None:
    """Latest list date in the rows, ISO."""
    dates = [_date(r[key]) for r in rows if r.get(key) is not None]
    return max(dates).isoformat() if dates else None


def note_text(source: str, as_of: str | None, extra: str = "") -> str:
    """The source and as-of line printed under a chart."""
    when = f"As of the list dated {as_of}" if as_of else "No list captured yet"
    return f"{source}<br>{when}" + (f"<br>{extra}" if extra else "")


def _models_in(rows: Rows, *values: str) -> list[str]:
    seen = {r["model"] for r in rows if any(r.get(v) for v in values)}
    return [m for m in MODELS if m in seen]


def monthly_by_model(rows: Rows, value: str) -> tuple[list[dt.date], dict[str, list], set[dt.date]]:
    """Sum `value` per month and model over the other columns; a month whose values are all NULL → None.

    The queries say which values a gap month cannot know (NULL: active, ended, pending) and which it can
    (SIGNED dates, approvals seen in a later list); the returned gap set is for shading.
    """
    months = sorted({_date(r["month"]) for r in rows})
    gaps = {_date(r["month"]) for r in rows if r.get("coverage") == "gap"}
    seen_value: set[dt.date] = set()
    sums: dict[str, dict[dt.date, float]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        v = r.get(value)
        if v is None:
            continue
        m = _date(r["month"])
        seen_value.add(m)
        sums[r["model"]][m] += v
    missing = set(months) - seen_value
    series = {
        model: [None if m in missing else sums[model].get(m, 0) for m in months]
        for model in MODELS if model in sums
    }
    return months, series, gaps | missing


def _base(fig: go.Figure, *, title: str, subtitle: str, x_title: str, y_title: str, note: str,
          height: int = HEIGHT, legend: bool = True) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, subtitle=dict(text=subtitle, font=dict(size=12, color="#444")),
                   x=0.01, xanchor="left", y=0.98, yanchor="top", font=dict(size=16)),
        font=dict(family=FONT, size=12, color="#222"),
        height=height,
        autosize=True,
        margin=dict(l=56, r=16, t=104 if legend else 72, b=112),
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=legend,
        legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom",
                    font=dict(size=11), itemclick="toggle", itemdoubleclick="toggleothers"),
        hoverlabel=dict(font=dict(family=FONT, size=12), namelength=-1),
        separators=".,",
    )
    fig.update_xaxes(title=dict(text=x_title, standoff=6), showgrid=False, linecolor="#888",
                     ticks="outside", automargin=True)
    fig.update_yaxes(title=dict(text=y_title, standoff=6), gridcolor="#e6e6e6", zerolinecolor="#888",
                     rangemode="tozero", automargin=True)
    fig.add_annotation(text=note, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                       yshift=-52, showarrow=False, align="left", font=dict(size=10, color="#555"))
    return fig


def _month_axis(fig: go.Figure, months: list[dt.date]) -> None:
    if months:
        lo = months[0] - dt.timedelta(days=16)
        hi = _next_month(months[-1]) - dt.timedelta(days=14)
        long = len(months) > 24  # years as ticks keep a long history readable at phone width
        # one tick a year up to eight years, then every second or fifth year so labels never collide
        dtick = "M3" if not long else "M12" if len(months) <= 96 else "M24" if len(months) <= 240 else "M60"
        fig.update_xaxes(type="date", range=[lo.isoformat(), hi.isoformat()], hoverformat="%b %Y",
                         tickformat="%Y" if long else "%b '%y", dtick=dtick,
                         tickangle=0)


def gap_runs(gaps: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive gap months merged into (first, last) runs."""
    runs: list[tuple[dt.date, dt.date]] = []
    for m in sorted(gaps):
        if runs and _next_month(runs[-1][1]) == m:
            runs[-1] = (runs[-1][0], m)
        else:
            runs.append((m, m))
    return runs


def _shade_gaps(fig: go.Figure, gaps: Iterable[dt.date]) -> None:
    """Shade months with no captured list, so a missing bar reads as 'unknown', not 'zero'.

    One rectangle per run of consecutive gap months, set in one layout update: a shape per month via
    add_vrect costs plotly's validation thousands of times over on a history with long gaps.
    """
    gaps = list(gaps)
    shapes = [
        dict(type="rect", xref="x", yref="paper", y0=0, y1=1, layer="below", line=dict(width=0),
             fillcolor=GAP_FILL, x0=(first - dt.timedelta(days=15)).isoformat(),
             x1=(last + dt.timedelta(days=15)).isoformat())
        for first, last in gap_runs(gaps)
    ]
    if shapes:
        fig.update_layout(shapes=list(fig.layout.shapes or ()) + shapes)
    if gaps:
        fig.add_annotation(text="shaded: no list captured that month", xref="paper", yref="paper", x=1, y=0,
                           xanchor="right", yanchor="top", yshift=-52, showarrow=False,
                           font=dict(size=10, color="#555"))


def _stacked_bars(rows: Rows, value: str, *, unit: str, sign: int = 1, legend: bool = True,
                  pattern: str = "", name_suffix: str = "") -> tuple[list[go.Bar], list[dt.date], set[dt.date]]:
    months, series, gaps = monthly_by_model(rows, value)
    x = [m.isoformat() for m in months]
    bars = []
    for model, ys in series.items():
        if not any(ys):
            continue
        bars.append(go.Bar(
            x=x, y=[None if v is None else sign * v for v in ys], customdata=ys,
            name=model, legendgroup=model, showlegend=legend,
            marker=dict(color=MODEL_COLORS[model], pattern=dict(shape=pattern) if pattern else None,
                        line=dict(width=0)),
            hovertemplate=f"{MODEL_NAMES[model]}{name_suffix}: %{{customdata:,}} {unit}<extra></extra>",
        ))
    return bars, months, gaps


def empty_figure(title: str, message: str, note: str = "") -> go.Figure:
    """A titled figure saying why there is nothing to draw (no data yet, filtered out)."""
    fig = go.Figure()
    fig.add_annotation(text=esc(message), xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                       font=dict(size=14, color="#555"))
    _base(fig, title=title, subtitle="", x_title="", y_title="", note=note or note_text(SOURCE_BOTH, None),
          legend=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


# --- overview --------------------------------------------------------------------------------------


def stacked_monthly(rows: Rows, value: str, *, title: str, subtitle: str, y_title: str, unit: str,
                    source: str, empty: str, note_extra: str = "") -> go.Figure:
    """Monthly bars of one count stacked by model, gap months shaded: the shape of most overview charts."""
    if not rows:
        return empty_figure(title, empty, note_text(source, None))
    bars, months, gaps = _stacked_bars(rows, value, unit=unit)
    fig = go.Figure(bars)
    fig.update_layout(barmode="stack", bargap=0.15, hovermode="x unified")
    _base(fig, title=title, subtitle=subtitle, x_title="Month", y_title=y_title,
          note=note_text(source, as_of_of(rows), note_extra))
    _month_axis(fig, months)
    _shade_gaps(fig, gaps)
    totals: dict[object, int] = defaultdict(int)
    for r in rows:
        totals[r["month"]] += r.get(value) or 0
    if max(totals.values(), default=0) <= 5:  # counts of a few: whole-number ticks, never 0.5
        fig.update_yaxes(dtick=1)
    return fig


def from_first_list(rows: Rows, value: str) -> Rows:
    """The rows from the first month with a `value` on: the months before the first captured list are
    in the query for their signings only, and a chart of what was in force would open on years of gap."""
    known = [_date(r["month"]) for r in rows if r.get(value) is not None]
    if not known:
        return rows
    first = min(known)  # once: inside the filter it would be recomputed for every row
    return [r for r in rows if _date(r["month"]) >= first]


@panel("active_by_model", page="index", query="dash_monthly_agreements", title="Active agreements")
def active_by_model(rows: Rows, title: str = "Active 287(g) agreements", subtitle: str = "") -> go.Figure:
    """Agreements in force at each month's end, stacked by model (ICE's own row count), from the first list."""
    rows = from_first_list(rows, "active")
    return stacked_monthly(rows, "active", title=title, subtitle=subtitle or "At month end, stacked by model",
                           y_title="Agreements (count)", unit="agreements", source=SOURCE_LISTS,
                           empty="No participating list in this selection.")


HISTORY_BEFORE = dt.date(2021, 1, 1)


@panel("active_before_2021", page="index", query="dash_monthly_agreements", title="The program before 2021")
def active_before_2021(rows: Rows) -> go.Figure:
    """The early history on its own scale: a few dozen agreements (2007–2017) vanish beside today's."""
    t = "The program before 2021"
    early = [r for r in rows if _date(r["month"]) < HISTORY_BEFORE]
    if not early:
        return empty_figure(t, "No list captured before 2021 is loaded.")
    return active_by_model(early, title=t,
                           subtitle="Active at month end, by model, from ICE's archived rosters (shaded: no capture)")


@panel("signings_endings", page="index", query="dash_monthly_agreements", title="Signed and ended")
def signings_endings(rows: Rows) -> go.Figure:
    """Agreements signed per month (above zero) and ended per month (below zero), by model."""
    t = "Agreements signed and ended"
    if not rows:
        return empty_figure(t, "No agreements in this selection.")
    signed, months, _ = _stacked_bars(rows, "signed", unit="signed")
    ended, _, gaps = _stacked_bars(rows, "ended", unit="ended", sign=-1, legend=False, pattern="/",
                                   name_suffix=" ended")
    for b in signed:
        b.hovertemplate = b.hovertemplate.replace(": %", " signed: %")
    fig = go.Figure(signed + ended)
    fig.update_layout(barmode="relative", bargap=0.15, hovermode="x unified")
    _base(fig, title=t, subtitle="Per month: signed above zero, ended below",
          x_title="Month", y_title="Agreements per month (count)",
          note=note_text(SOURCE_LISTS, as_of_of(rows),
                         "signed = the SIGNED date that began a listing (not re-signings); ended = first list "
                         "without it; after a shaded gap, it ended some time during the gap"))
    _month_axis(fig, months)
    _shade_gaps(fig, gaps)
    fig.update_yaxes(rangemode="normal")
    return fig


@panel("pending_by_model", page="index", query="dash_monthly_reviews", title="Pending applications")
def pending_by_model(rows: Rows) -> go.Figure:
    """Applications pending at each month's end, stacked by model."""
    return stacked_monthly(rows, "pending", title="Applications pending review", subtitle="At month end, by model",
                           y_title="Applications (count)", unit="pending", source=SOURCE_PENDING,
                           empty="No pending list in this selection.")


@panel("approvals_by_model", page="index", query="dash_monthly_reviews", title="Approvals")
def approvals_by_model(rows: Rows) -> go.Figure:
    """Pending applications approved per month (first participating list showing them), by model.
    Approvals are seen in the participating lists: a month without a pending list is no gap here."""
    rows = [{**r, "coverage": "observed", "as_of": r.get("participating_as_of", r.get("as_of"))} for r in rows]
    return stacked_monthly(rows, "approved", title="Applications approved",
                           subtitle="Per month: pending, then listed as participating",
                           y_title="Approvals per month (count)", unit="approved", source=SOURCE_BOTH,
                           empty="No pending list in this selection.",
                           note_extra="approved = the first participating list naming a pending application")


@panel("median_days", page="index", query="dash_approvals", title="Days to approval")
def median_days(rows: Rows) -> go.Figure:
    """Median days from first pending sighting to approval, per month of approval, by model and overall."""
    t = "Days from pending to approval"
    if not rows:
        return empty_figure(t, "No approvals in this selection.", note_text(SOURCE_BOTH, None))
    first, last = min(_date(r["month"]) for r in rows), max(_date(r["month"]) for r in rows)
    months = [first]
    while months[-1] < last:
        months.append(_next_month(months[-1]))
    days: dict[str, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r.get("days_to_approval") is not None:
            m = _date(r["month"])
            days[r["model"]][m].append(r["days_to_approval"])
            days["ALL"][m].append(r["days_to_approval"])
    x = [m.isoformat() for m in months]
    fig = go.Figure()
    for model in [*MODELS, "ALL"]:
        if model not in days:
            continue
        ys = [statistics.median(days[model][m]) if days[model].get(m) else None for m in months]
        ns = [len(days[model].get(m, [])) for m in months]
        is_all = model == "ALL"
        fig.add_trace(go.Scatter(
            x=x, y=ys, customdata=ns, mode="lines+markers", connectgaps=False,
            name="All models" if is_all else model, legendgroup=model,
            line=dict(color=TOTAL_COLOR if is_all else MODEL_COLORS[model], width=3 if is_all else 2,
                      dash="dot" if is_all else "solid"),
            marker=dict(size=6),
            hovertemplate=f"{'All models' if is_all else MODEL_NAMES[model]}: %{{y}} days "
                          "(%{customdata} approvals)<extra></extra>",
        ))
    fig.update_layout(hovermode="x unified")
    _base(fig, title=t, subtitle="Median per month; no point = no approval",
          x_title="Month of approval", y_title="Median days (days)",
          note=note_text(SOURCE_BOTH, max(_date(r["approved_on"]) for r in rows).isoformat()
                         if rows[0].get("approved_on") is not None else None,
                         "first pending list to first participating list; lists come days to weeks apart"))
    _month_axis(fig, months)
    return fig


@panel("top_states", page="index", query="dash_monthly_agreements", title="Top states")
def top_states(rows: Rows, top: int = 15) -> go.Figure:
    """States with the most agreements in force at the latest observed month end, stacked by model."""
    t = "States with the most agreements"
    observed = [r for r in rows if r.get("active") is not None]
    if not observed:
        return empty_figure(t, "No participating list in this selection.")
    latest = max(_date(r["month"]) for r in observed)
    now = [r for r in observed if _date(r["month"]) == latest]
    totals: dict[str, int] = defaultdict(int)
    for r in now:
        totals[r["state"]] += r["active"] or 0
    states = [s for s, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if n > 0][:top]
    states.reverse()  # largest at the top of a horizontal bar chart
    fig = go.Figure()
    for model in _models_in(now, "active"):
        vals = {r["state"]: r["active"] for r in now if r["model"] == model}
        fig.add_trace(go.Bar(
            y=states, x=[vals.get(s, 0) for s in states], orientation="h", name=model, legendgroup=model,
            marker=dict(color=MODEL_COLORS[model], line=dict(width=0)),
            hovertemplate=f"%{{y}} · {MODEL_NAMES[model]}: %{{x:,}} agreements<extra></extra>",
        ))
    fig.update_layout(barmode="stack", bargap=0.2)
    _base(fig, title=t, subtitle=f"Top {len(states)}, in the list of {as_of_of(now) or month_label(latest)}, by model",
          x_title="Agreements in force (count)", y_title="State",
          note=note_text(SOURCE_LISTS, as_of_of(now)), height=max(HEIGHT, 150 + 24 * len(states)))
    fig.update_xaxes(showgrid=True, gridcolor="#e6e6e6")
    fig.update_yaxes(showgrid=False, type="category", rangemode=None)
    return fig


# --- maps ------------------------------------------------------------------------------------------

COUNTY_STATUS = (("JEM", MODEL_COLORS["JEM"]), ("TFM", MODEL_COLORS["TFM"]), ("WSO", MODEL_COLORS["WSO"]),
                 ("Several models", SEVERAL_COLOR), ("Model not stated", MODEL_COLORS["UNKNOWN"]))
COUNTY_MODELS = ("jem", "tfm", "wso")  # the map query's count columns, in COUNTY_STATUS order


def _discrete_scale(colors: list[str]) -> list[list]:
    n = len(colors)
    scale = []
    for i, c in enumerate(colors):
        scale += [[i / n, c], [(i + 1) / n, c]]
    return scale


def _slider(labels: list[str], active: int, prefix: str) -> tuple[dict, dict]:
    steps = [dict(method="animate", label=lab,
                  args=[[lab], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                    transition=dict(duration=0))]) for lab in labels]
    slider = dict(
        active=active, steps=steps, x=0.1, len=0.88, xanchor="left", y=0, yanchor="top", pad=dict(t=8, b=4),
        currentvalue=dict(prefix=prefix, visible=True, xanchor="left", font=dict(size=14, color="#222")),
        font=dict(size=1, color="rgba(0,0,0,0)"),  # 60+ step labels cannot be read; the current value is shown
        ticklen=2, minorticklen=0,
    )
    play = dict(
        type="buttons", direction="left", x=0, xanchor="left", y=0, yanchor="top", pad=dict(t=34, r=6),
        showactive=False,
        buttons=[
            dict(label="▶", method="animate",
                 args=[None, dict(frame=dict(duration=400, redraw=True), fromcurrent=True,
                                  transition=dict(duration=0), mode="immediate")]),
            dict(label="❚❚", method="animate",
                 args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate",
                                    transition=dict(duration=0))]),
        ],
    )
    return slider, play


def _map_layout(fig: go.Figure, *, title: str, subtitle: str, note: str, height: int = 580) -> None:
    fig.update_layout(
        title=dict(text=title, subtitle=dict(text=subtitle, font=dict(size=12, color="#444")),
                   x=0.01, xanchor="left", y=0.98, yanchor="top", font=dict(size=16)),
        font=dict(family=FONT, size=12, color="#222"), height=height, autosize=True,
        margin=dict(l=4, r=4, t=118, b=140), paper_bgcolor="white",
        geo=dict(scope="usa", projection=dict(type="albers usa"), visible=False, bgcolor="white"),
        hoverlabel=dict(font=dict(family=FONT, size=12), align="left"),
        dragmode=False,
    )
    fig.add_annotation(text=note, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                       yshift=-84, showarrow=False, align="left", font=dict(size=10, color="#555"))


def _month_subtitle(subtitle: str, month: dt.date, gaps: set[dt.date], rows: Rows) -> str:
    """A map month's subtitle: which list the month shows, or that no list was captured that month
    (its blank map means unknown, not none). Each frame carries its own."""
    if month in gaps:
        return f"{month_label(month)}: no list captured this month, so nothing is known (not: none)"
    as_of = as_of_of(rows)
    return subtitle + (f" · list of {as_of}" if as_of else "")


def _model_label(model: str) -> str:
    """A model as hover text shows it: its code, or "model not stated" for the 2007-2008 lists."""
    return "model not stated" if model == "UNKNOWN" else model


def county_hover(row: dict) -> str:
    """Hover text of a county: its name, then each agency (escaped) with its models."""
    head = f"<b>{esc(row.get('county_name') or row.get('county_fips'))}, {esc(row.get('state') or '')}</b>"
    agencies = row.get("agencies") or []
    lines = [f"{esc(a.get('agency'))}: {', '.join(esc(_model_label(m)) for m in a.get('models') or [])}"
             for a in agencies[:12]]
    if len(agencies) > 12:
        lines.append(f"… and {len(agencies) - 12} more")
    return "<br>".join([head, *lines])


def _county_fips() -> list[str]:
    """Every county FIPS of the reference (the grey background of the county map)."""
    try:
        from flows.jurisdictions.geography import counties
    except ImportError:  # pragma: no cover - the reference ships with the project
        return []
    return [c["county_fips"] for c in counties()]


@panel("county_map", page="map", query="dash_map_counties", title="Counties by month",
       requires=("jurisdiction_month_agreements", "jurisdictions"))
def county_map(rows: Rows, geojson: dict | str = "geo:counties", all_fips: list[str] | None = None) -> go.Figure:
    """County choropleth of 287(g) status by month (model, or several), with a month slider and play button.

    Rows: month, county_fips, county_name, state, jem, tfm, wso, unknown, agencies [{agency, models}],
    coverage, as_of. `unknown` counts agreements of the 2007-2008 lists, which printed no model: a county
    with only those is coloured "Model not stated".
    `geojson` is the county GeoJSON, or "geo:counties" for the static site (filled in by its script);
    `all_fips` (default: the reference's counties) draws every county in grey underneath.
    """
    t = "287(g) agreements by county"
    if not rows:
        return empty_figure(t, "No county could be placed yet.", note_text(SOURCE_LISTS, None))
    by_month: dict[dt.date, list[dict]] = defaultdict(list)
    gaps = set()
    for r in rows:
        m = _date(r["month"])
        by_month[m]  # noqa: B018 - every month gets a frame, even an empty one
        if r.get("coverage") == "gap":
            gaps.add(m)
        elif r.get("county_fips"):
            by_month[m].append(r)
    months = sorted(by_month)
    subtitle = "Local agencies in ICE's list at month end"
    labels = [month_label(m) for m in months]

    def frame_trace(m: dt.date) -> dict:
        loc, z, text = [], [], []
        for r in by_month[m]:
            models = [k for k in COUNTY_MODELS if (r.get(k) or 0) > 0]
            if models:  # z: the 1-based position in COUNTY_STATUS
                z.append(4 if len(models) > 1 else COUNTY_MODELS.index(models[0]) + 1)
            elif (r.get("unknown") or 0) > 0:
                z.append(5)  # model not stated (2007-2008)
            else:
                continue
            loc.append(r["county_fips"])
            text.append(county_hover(r))
        return dict(locations=loc, z=z, hovertext=text)

    colors = [c for _, c in COUNTY_STATUS]
    n = len(colors)
    status = go.Choropleth(
        geojson=geojson, locationmode="geojson-id", **frame_trace(months[-1]),
        zmin=0.5, zmax=n + 0.5, colorscale=_discrete_scale(colors),
        marker=dict(line=dict(width=0.3, color="white")),
        colorbar=dict(tickvals=list(range(1, n + 1)), ticktext=[name for name, _ in COUNTY_STATUS],
                      orientation="h", x=0, xanchor="left", y=1.01, yanchor="bottom", len=1, thickness=12,
                      title=dict(text="")),
        hovertemplate="%{hovertext}<extra></extra>", name="Counties",
    )
    background = _county_fips() if all_fips is None else all_fips
    traces = []
    if background:
        traces.append(go.Choropleth(geojson=geojson, locationmode="geojson-id", locations=background,
                                    z=[0] * len(background), colorscale=[[0, "#e8e8e8"], [1, "#e8e8e8"]],
                                    showscale=False, hoverinfo="skip",
                                    marker=dict(line=dict(width=0.2, color="white")), name="All counties"))
    traces.append(status)
    idx = len(traces) - 1
    frames = [go.Frame(name=lab, data=[go.Choropleth(**frame_trace(m))], traces=[idx],
                       layout={"title.subtitle.text": _month_subtitle(subtitle, m, gaps, by_month[m])})
              for lab, m in zip(labels, months, strict=True)]
    fig = go.Figure(data=traces, frames=frames)
    slider, play = _slider(labels, len(labels) - 1, "Month: ")
    gap_note = f"; {len(gaps)} month(s) with no list left blank" if gaps else ""
    _map_layout(fig, title=t, subtitle=_month_subtitle(subtitle, months[-1], gaps, by_month[months[-1]]),
                note=note_text(SOURCE_LISTS, as_of_of(rows),
                               f"grey: none{gap_note}; state agencies on the state map"))
    fig.update_layout(sliders=[slider], updatemenus=[play])
    return fig


def _state_codes() -> dict[str, tuple[str, str]]:
    """USPS code → (2-digit FIPS, name), from the jurisdictions reference when available."""
    try:
        from flows.jurisdictions.geography import states
    except ImportError:  # pragma: no cover - the reference ships with the project
        return {}
    return {s["state"]: (s["state_fips"], s["name"]) for s in states()}


@panel("state_map", page="map", query="dash_monthly_agreements", title="States by month")
def state_map(rows: Rows, geojson: dict | str = "geo:states") -> go.Figure:
    """State choropleth of agreements in force at month end, with a month slider from the first captured
    list on; hover gives models."""
    t = "287(g) agreements by state"
    if not rows:
        return empty_figure(t, "No participating list in this selection.")
    codes = _state_codes()
    cells: dict[dt.date, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    gaps = set()
    month_rows: dict[dt.date, list[dict]] = defaultdict(list)
    for r in rows:
        m = _date(r["month"])
        month_rows[m].append(r)
        if r.get("coverage") == "gap" or r.get("active") is None:
            gaps.add(m)
            cells[m]  # noqa: B018 - the month exists, with no values
            continue
        cells[m][r["state"]][r["model"]] = cells[m][r["state"]].get(r["model"], 0) + r["active"]
    # The months before the first captured list are there for their SIGNED dates only (from_first_list):
    # a map of each would say nothing is known. The slider starts at the first list; later gaps keep
    # their frames.
    first = min((m for m in cells if m not in gaps), default=None)
    months = sorted(m for m in cells if first is None or m >= first)
    labels = [month_label(m) for m in months]
    zmax = max([sum(v.values()) for m in months for v in cells[m].values()] + [1])

    def frame_trace(m: dt.date) -> dict:
        loc, z, text = [], [], []
        for st, by_model in sorted(cells[m].items()):
            if st not in codes:
                continue
            total = sum(by_model.values())
            if not total:  # a state with none listed that month stays grey, like one that never had any
                continue
            loc.append(codes[st][0])
            z.append(total)
            parts = " · ".join(f"{_model_label(k)} {by_model[k]}" for k in MODELS if by_model.get(k))
            text.append(f"<b>{esc(codes[st][1])}</b><br>{total:,} agreements" + (f"<br>{parts}" if parts else ""))
        return dict(locations=loc, z=z, hovertext=text)

    trace = go.Choropleth(
        geojson=geojson, locationmode="geojson-id", **frame_trace(months[-1]), zmin=0, zmax=zmax,
        colorscale=SEQUENTIAL, marker=dict(line=dict(width=0.5, color="white")),
        colorbar=dict(orientation="h", x=0, xanchor="left", y=1.01, yanchor="bottom", len=1, thickness=12,
                      title=dict(text="")),
        hovertemplate="%{hovertext}<extra></extra>", name="States",
    )
    background = go.Choropleth(
        geojson=geojson, locationmode="geojson-id", locations=[f for f, _ in codes.values()],
        z=[0] * len(codes), colorscale=[[0, "#e8e8e8"], [1, "#e8e8e8"]], showscale=False, hoverinfo="skip",
        marker=dict(line=dict(width=0.5, color="white")), name="All states")
    subtitle = "Colour: agreements in force at month end"
    frames = [go.Frame(name=lab, data=[go.Choropleth(**frame_trace(m))], traces=[1],
                       layout={"title.subtitle.text": _month_subtitle(subtitle, m, gaps, month_rows[m])})
              for lab, m in zip(labels, months, strict=True)]
    fig = go.Figure(data=[background, trace], frames=frames)
    slider, play = _slider(labels, len(labels) - 1, "Month: ")
    _map_layout(fig, title=t, subtitle=_month_subtitle(subtitle, months[-1], gaps, month_rows[months[-1]]),
                note=note_text(SOURCE_LISTS, as_of_of(rows), "grey: none listed"))
    fig.update_layout(sliders=[slider], updatemenus=[play])
    return fig


# --- tables ----------------------------------------------------------------------------------------


@panel("lists", page="notes", query="dash_lists", title="Lists ICE published", chart=False)
def lists_table(rows: Rows) -> Table:
    """Every list we hold, with ICE's own counts (the headline numbers of each list date)."""
    cols = [("as_of", "List date"), ("list_kind", "List"), ("agreements", "Rows (ICE's count)"),
            ("jem", "JEM"), ("tfm", "TFM"), ("wso", "WSO"), ("states", "States"), ("agencies", "Agencies"),
            ("file_name", "File"), ("as_of_basis", "Date from")]
    return Table("Every list we hold", cols, rows,
                 note="One row per distinct file content. 'Rows' is the number of data rows as ICE published "
                      "them: ICE's headline count (some lists repeat an agency and model).")
