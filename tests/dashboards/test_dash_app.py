"""The Dash app without a browser: the layout builds, the callback returns the same figures, filtered."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboards import app as dash_app


def graphs(children) -> dict:
    return {c.id.removeprefix("g-"): c.figure for c in children if getattr(c, "figure", None) is not None}


def test_layout_builds_with_filters(warehouse):
    app = dash_app.create_app(warehouse)
    layout = app.layout()
    ids = set()

    def walk(node):
        if getattr(node, "id", None):
            ids.add(node.id)
        kids = getattr(node, "children", None)
        for k in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(k)

    walk(layout)
    assert {"f-state", "f-model", "f-dates", "tab", "panels", "status"} <= ids
    assert "agreements in ICE's list of" in str(layout), "headline numbers with their list date"


def test_callback_returns_figures_and_filters_them(warehouse):
    app = dash_app.create_app(warehouse)
    cache = app.server.config["TRACKER_CACHE"]
    children, status = dash_app.update_panels(cache, "index", None, None, None, None)
    figs = graphs(children)
    assert {"active_by_model", "signings_endings", "pending_by_model", "approvals_by_model", "median_days",
            "top_states"} <= set(figs)
    assert all(isinstance(f, go.Figure) and f.layout.title.text for f in figs.values())
    assert "Data read from the warehouse" in status

    def last_total(fig):
        return sum((t.y[-1] or 0) for t in fig.data)

    all_states = last_total(figs["active_by_model"])
    tx, _ = dash_app.update_panels(cache, "index", ["TX"], ["JEM", "TFM", "WSO"], "2025-01-01", None)
    tx_figs = graphs(tx)
    assert 0 < last_total(tx_figs["active_by_model"]) < all_states
    assert str(tx_figs["active_by_model"].data[0].x[0]).startswith("2025-01"), "date range applies"
    jem_only, _ = dash_app.update_panels(cache, "index", None, ["JEM"], None, None)
    assert {t.legendgroup for t in graphs(jem_only)["active_by_model"].data} == {"JEM"}


def test_map_tab_gets_real_geojson(warehouse):
    app = dash_app.create_app(warehouse)
    children, _ = dash_app.update_panels(app.server.config["TRACKER_CACHE"], "map", ["TX"], None, None, None)
    figs = graphs(children)
    assert set(figs) == {"county_map", "state_map"}
    assert isinstance(figs["county_map"].data[-1].geojson, dict)
    assert figs["state_map"].frames


def test_registered_callback_is_wired(warehouse):
    app = dash_app.create_app(warehouse)
    outputs = " ".join(app.callback_map)
    assert "panels.children" in outputs and "status.children" in outputs
