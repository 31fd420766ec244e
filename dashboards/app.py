"""Interactive Dash app (`tracker dashboards --serve`): the site's figures with state, model and date filters.

Guarantees:
- The warehouse is opened read-only, only while the named queries run, and results are cached for a short
  TTL: a running pipeline (the single writer) is never blocked for long. When the file is locked the app
  keeps serving the last good read and says so.
- The figures are the same pure functions as the static site's (`dashboards.figures`), fed the same
  query rows filtered in Python (`dashboards.data.apply_filters`).
- Works offline: Dash serves its own JavaScript, and `assets/geo-assets.js` keeps plotly.js from fetching
  base-map files from a CDN. Text is rendered by React (escaped).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import plotly.graph_objects as go

from dashboards import figures
from dashboards.data import CachedResults, Results, apply_filters
from dashboards.figures import MODEL_NAMES, MODELS, Table

ASSETS = Path(__file__).resolve().parent / "assets"
APP_PAGES = ("index", "map")
TTL_SECONDS = 60.0


def app_queries() -> list[str]:
    """Queries the app runs: the headline and every panel of its pages."""
    return list(dict.fromkeys(["dash_headline", *(p.query for pg in APP_PAGES for p in figures.panels_for(pg))]))


@lru_cache(maxsize=1)
def _geojson() -> dict[str, dict]:
    from flows.jurisdictions.geography import county_geojson, state_geojson

    return {"county_map": county_geojson(), "state_map": state_geojson()}


def build_figures(results: Results, page: str = "index", states=None, models=None, start=None, end=None) -> dict:
    """Every panel of a page built from filtered rows: key → Figure (or Table, or a notice string)."""
    out: dict[str, object] = {}
    for p in figures.panels_for(page):
        if p.requires and not results.has(*p.requires):
            out[p.key] = f"{p.title}: appears once the warehouse has {', '.join(p.requires)}."
            continue
        if p.query in results.missing:
            out[p.key] = f"{p.title}: not available yet ({results.missing[p.query]})."
            continue
        rows = apply_filters(results.get(p.query), states, models, start, end)
        kwargs = {}
        if page == "map" and p.key in ("county_map", "state_map"):
            kwargs["geojson"] = _geojson()[p.key]
        out[p.key] = p.build(rows, **kwargs)
    return out


def _state_options(results: Results) -> list[dict]:
    states = sorted({r["state"] for q in results.rows.values() for r in q[:50000] if r.get("state")})
    return [{"label": s, "value": s} for s in states]


def _month_bounds(results: Results) -> tuple[str | None, str | None]:
    months = [r["month"] for r in results.get("dash_monthly_agreements") if r.get("month")]
    if not months:
        return None, None
    return min(months).isoformat(), max(months).isoformat()


def _headline(results: Results) -> list:
    from dash import html

    cards = []
    for h in results.get("dash_headline"):
        if h["list_kind"] == "participating":
            text = (f"{h['agreements']:,} agreements in ICE's list of {h['as_of']}: "
                    f"{h['jem']:,} JEM, {h['tfm']:,} TFM, {h['wso']:,} WSO, in {h['states']} states")
        else:
            text = f"{h['agreements']:,} applications pending in ICE's list of {h['as_of']}"
        if h.get("prev_agreements") is not None:
            text += f" ({h['agreements'] - h['prev_agreements']:+,} since {h['prev_as_of']})"
        cards.append(html.Li(text))
    return [html.Ul(cards, className="headline")]


def _render(key: str, item) -> object:
    from dash import dcc, html

    if isinstance(item, go.Figure):
        return dcc.Graph(id=f"g-{key}", figure=item, config={"displaylogo": False, "responsive": True},
                         className="panel")
    if isinstance(item, Table):
        head = html.Tr([html.Th(label) for _, label in item.columns])
        body = [html.Tr([html.Td("" if r.get(k) is None else str(r.get(k))) for k, _ in item.columns])
                for r in item.rows[:500]]
        return html.Section([html.H2(item.title), html.P(item.note, className="note"),
                             html.Div(html.Table([html.Thead(head), html.Tbody(body)], className="data"),
                                      className="table-wrap")], className="panel wide")
    return html.P(str(item), className="note panel")


def create_app(db_path: Path | str, ttl: float = TTL_SECONDS):
    """The Dash app on a warehouse (read-only)."""
    from dash import Dash, Input, Output, dcc, html

    cache = CachedResults(db_path, app_queries(), ttl=ttl)
    app = Dash(__name__, assets_folder=str(ASSETS), assets_ignore=r"site\.js", title="287(g) tracker",
               update_title=None)
    app.server.config["TRACKER_CACHE"] = cache

    def layout():
        try:
            results = cache.get()
        except Exception as exc:  # noqa: BLE001 - no warehouse yet: say so instead of a stack trace
            return html.Main([html.H1("287(g) tracker"), html.P(f"The warehouse cannot be read: {exc}")])
        lo, hi = _month_bounds(results)
        return html.Div([
            html.Header([html.Span("287(g) tracker", className="brand")], className="top"),
            html.Main([
                html.H1("287(g) agreements, month by month"),
                html.Div(id="status", className="note"),
                html.Div(_headline(results), id="headline"),
                html.Div([
                    html.Label(["States", dcc.Dropdown(id="f-state", options=_state_options(results), multi=True,
                                                       placeholder="All states")], style={"minWidth": "14em"}),
                    html.Label(["Models", dcc.Checklist(
                        id="f-model", options=[{"label": f" {MODEL_NAMES[m]}", "value": m} for m in MODELS],
                        value=list(MODELS), inline=True)]),
                    html.Label(["Months", dcc.DatePickerRange(
                        id="f-dates", min_date_allowed=lo, max_date_allowed=hi, start_date=lo, end_date=hi,
                        display_format="YYYY-MM", clearable=True)]),
                ], className="tools"),
                dcc.Tabs(id="tab", value="index", children=[
                    dcc.Tab(label="Overview", value="index"), dcc.Tab(label="Map", value="map")]),
                dcc.Loading(html.Div(id="panels", className="grid")),
            ]),
        ])

    app.layout = layout

    @app.callback(
        Output("panels", "children"), Output("status", "children"),
        Input("tab", "value"), Input("f-state", "value"), Input("f-model", "value"),
        Input("f-dates", "start_date"), Input("f-dates", "end_date"),
    )
    def update(tab, states, models, start, end):
        return update_panels(cache, tab, states, models, start, end)

    app.update_panels = update  # for tests: the callback as a plain function
    return app


def update_panels(cache: CachedResults, tab: str, states, models, start, end) -> tuple[list, str]:
    """The callback's work: filtered figures for a tab, and a status line (stale data is said so)."""
    results = cache.get()
    built = build_figures(results, tab or "index", states or None, models or None, start, end)
    when = dt.datetime.fromtimestamp(results.fetched_at).strftime("%H:%M:%S")
    status = f"Data read from the warehouse at {when}."
    if cache.error:
        status = f"The warehouse is busy (a load is running); showing data read at {when}. ({cache.error})"
    return [_render(k, v) for k, v in built.items()], status


def serve_app(db_path: Path, port: int = 8050) -> None:
    """Run the Dash app on the warehouse, read-only (Ctrl-C stops)."""
    app = create_app(db_path)
    app.run(host="127.0.0.1", port=port, debug=False)
