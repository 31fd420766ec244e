"""Figure functions on small inline rows: titles, axes, notes, one colour per model, gaps drawn as gaps."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import pytest

from dashboards import figures
from dashboards.figures import MODEL_COLORS

D = dt.date


def monthly_rows() -> list[dict]:
    """Four months, two states, two models; March 2025 has no captured list (a gap)."""
    rows = []
    for month, coverage, as_of in ((D(2025, 1, 1), "observed", D(2025, 1, 30)), (D(2025, 2, 1), "observed", D(2025, 2, 27)),
                                   (D(2025, 3, 1), "gap", None), (D(2025, 4, 1), "observed", D(2025, 4, 29))):
        for state in ("TX", "FL"):
            for model, base in (("JEM", 1), ("TFM", 10)):
                gap = coverage == "gap"
                rows.append({"month": month, "state": state, "model": model,
                             "active": None if gap else base * month.month,
                             "signed": 1, "ended": None if gap else (1 if model == "TFM" else 0),
                             "coverage": coverage, "as_of": as_of})
    return rows


def review_rows() -> list[dict]:
    rows = []
    for month, coverage in ((D(2025, 5, 1), "observed"), (D(2025, 6, 1), "gap"), (D(2025, 7, 1), "observed")):
        for model in ("JEM", "WSO"):
            rows.append({"month": month, "state": "TX", "model": model,
                         "pending": None if coverage == "gap" else 3, "approved": 2, "coverage": coverage,
                         "as_of": None if coverage == "gap" else month.replace(day=28)})
    return rows


def approval_rows() -> list[dict]:
    return [
        {"month": D(2025, 5, 1), "approved_on": D(2025, 5, 29), "state": "TX", "model": "JEM", "days_to_approval": 10},
        {"month": D(2025, 5, 1), "approved_on": D(2025, 5, 29), "state": "TX", "model": "JEM", "days_to_approval": 20},
        {"month": D(2025, 7, 1), "approved_on": D(2025, 7, 11), "state": "TX", "model": "WSO", "days_to_approval": 30},
    ]


def note_of(fig: go.Figure) -> str:
    return " ".join(a.text for a in fig.layout.annotations if a.text)


def assert_chart_basics(fig: go.Figure) -> None:
    assert fig.layout.title.text, "every chart has a title"
    assert "Source:" in note_of(fig) and "As of the list dated" in note_of(fig)
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text, "axis titles"
    assert fig.layout.autosize is True


def model_traces(fig: go.Figure):
    for t in fig.data:
        if t.legendgroup in MODEL_COLORS:
            yield t.legendgroup, t


def test_active_by_model_stacks_models_in_their_colours_and_leaves_gaps_empty():
    fig = figures.active_by_model(monthly_rows())
    assert_chart_basics(fig)
    assert fig.layout.barmode == "stack"
    assert "(count)" in fig.layout.yaxis.title.text
    by_model = dict(model_traces(fig))
    assert set(by_model) == {"JEM", "TFM"}
    assert by_model["JEM"].marker.color == MODEL_COLORS["JEM"]
    assert by_model["TFM"].marker.color == MODEL_COLORS["TFM"]
    # two states summed; March is a gap → None (never 0)
    assert list(by_model["TFM"].y) == [20, 40, None, 80]
    assert list(by_model["JEM"].y) == [2, 4, None, 8]
    assert "2025-04-29" in note_of(fig)
    assert len(fig.layout.shapes) == 1, "the gap month is shaded"


def test_signings_and_endings_go_below_zero_and_gap_endings_stay_none():
    fig = figures.signings_endings(monthly_rows())
    assert_chart_basics(fig)
    assert fig.layout.barmode == "relative"
    ended = [t for t in fig.data if t.showlegend is False]
    tfm_ended = next(t for t in ended if t.legendgroup == "TFM")
    assert list(tfm_ended.y) == [-2, -2, None, -2]
    assert tfm_ended.marker.color == MODEL_COLORS["TFM"]
    signed = next(t for t in fig.data if t.legendgroup == "JEM" and t.showlegend is not False)
    assert list(signed.y) == [2, 2, 2, 2], "SIGNED dates are known even in gap months"


def test_pending_and_approvals_by_model():
    pend = figures.pending_by_model(review_rows())
    assert_chart_basics(pend)
    wso = dict(model_traces(pend))["WSO"]
    assert list(wso.y) == [3, None, 3]
    assert wso.marker.color == MODEL_COLORS["WSO"]
    appr = figures.approvals_by_model(review_rows())
    assert_chart_basics(appr)
    assert list(dict(model_traces(appr))["JEM"].y) == [2, 2, 2]
    assert appr.layout.yaxis.dtick == 1  # four a month at most: whole-number ticks
    # approvals are seen in the participating lists: June has no pending list, but it is no gap here
    assert len(pend.layout.shapes) == 1 and not appr.layout.shapes


def test_median_days_breaks_lines_where_no_approval():
    fig = figures.median_days(approval_rows())
    assert_chart_basics(fig)
    assert "days" in fig.layout.yaxis.title.text
    lines = {t.name: t for t in fig.data}
    assert all(t.connectgaps is False for t in fig.data)
    assert list(lines["JEM"].y) == [15, None, None]
    assert list(lines["WSO"].y) == [None, None, 30]
    assert list(lines["All models"].y) == [15, None, 30]
    assert lines["JEM"].line.color == MODEL_COLORS["JEM"]


def test_top_states_orders_by_latest_total():
    rows = [r for r in monthly_rows() if r["state"] == "TX"] + [
        {**r, "active": (r["active"] or 0) * 3 if r["active"] is not None else None}
        for r in monthly_rows() if r["state"] == "FL"]
    fig = figures.top_states(rows)
    assert_chart_basics(fig)
    assert list(fig.data[0].y) == ["TX", "FL"], "largest last = at the top of a horizontal bar chart"
    assert "in the list of 2025-04-29" in fig.layout.title.subtitle.text  # the list it shows, not a month end


def test_state_map_has_a_frame_per_month_and_a_slider():
    fig = figures.state_map(monthly_rows(), geojson="geo:states")
    assert fig.layout.title.text
    assert "Source:" in note_of(fig)
    assert [f.name for f in fig.frames] == ["Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025"]
    assert [s.label for s in fig.layout.sliders[0].steps] == [f.name for f in fig.frames]
    assert fig.layout.sliders[0].active == 3
    gap = next(f for f in fig.frames if f.name == "Mar 2025")
    assert list(gap.data[0].z) == [], "a gap month colours no state (never zero)"
    assert fig.data[-1].geojson == "geo:states"
    # frames carry values only: the GeoJSON is in the trace once
    assert all(f.data[0].geojson is None for f in fig.frames)


def test_state_map_starts_at_the_first_list_not_at_the_first_signing():
    # months before the first list carry signings only (SIGNED dates printed later): no map frames
    before = [{**r, "month": D(2024, 11, 1), "active": None, "ended": None, "coverage": "gap", "as_of": None}
              for r in monthly_rows() if r["month"] == D(2025, 3, 1)]
    fig = figures.state_map(before + monthly_rows(), geojson="geo:states")
    assert [f.name for f in fig.frames] == ["Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025"]


def test_active_charts_start_at_the_first_list_and_the_signings_before_it_are_drawn():
    before = [{**r, "month": D(2024, 11, 1), "active": None, "ended": None, "coverage": "gap", "as_of": None}
              for r in monthly_rows() if r["month"] == D(2025, 3, 1)]
    rows = before + monthly_rows()
    active = figures.active_by_model(rows)
    assert min(x for trace in active.data for x in trace.x) == "2025-01-01"
    signed = figures.signings_endings(rows)
    assert min(x for trace in signed.data for x in trace.x) == "2024-11-01"


def test_county_map_colours_status_and_escapes_agency_names():
    rows = [
        {"month": D(2025, 1, 1), "county_fips": "48201", "county_name": "Harris County", "state": "TX", "jem": 1,
         "tfm": 0, "wso": 0, "agencies": [{"agency": "<script>alert(1)</script>", "models": ["JEM"]}],
         "coverage": "observed", "as_of": D(2025, 1, 30)},
        {"month": D(2025, 2, 1), "county_fips": None, "coverage": "gap", "as_of": None},
        {"month": D(2025, 3, 1), "county_fips": "48201", "county_name": "Harris County", "state": "TX", "jem": 1,
         "tfm": 2, "wso": 0, "agencies": [{"agency": "Sheriff", "models": ["JEM", "TFM"]}],
         "coverage": "observed", "as_of": D(2025, 3, 30)},
    ]
    fig = figures.county_map(rows, geojson="geo:counties", all_fips=["48201", "48001"])
    assert len(fig.frames) == 3
    status = fig.data[-1]
    assert list(status.z) == [4], "two models → 'several models'"
    first = fig.frames[0].data[0]
    assert list(first.z) == [1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in first.hovertext[0]
    assert "<script>" not in first.hovertext[0]
    assert list(fig.frames[1].data[0].locations) == []
    # the discrete scale uses the model colours
    scale_colors = {c for _, c in status.colorscale}
    assert {MODEL_COLORS["JEM"], MODEL_COLORS["TFM"], MODEL_COLORS["WSO"], figures.SEVERAL_COLOR,
            MODEL_COLORS["UNKNOWN"]} == scale_colors


def test_county_map_shows_the_agencies_of_the_lists_without_a_model():
    # the 2007-2008 lists printed no model: their counties are coloured "Model not stated", not left grey
    rows = [{"month": D(2007, 9, 1), "county_fips": "04013", "county_name": "Maricopa County", "state": "AZ",
             "jem": 0, "tfm": 0, "wso": 0, "unknown": 1,
             "agencies": [{"agency": "Maricopa County Sheriff's Office", "models": ["UNKNOWN"]}],
             "coverage": "observed", "as_of": D(2007, 9, 19)}]
    fig = figures.county_map(rows, geojson="geo:counties", all_fips=["04013"])
    frame = fig.frames[0].data[0]
    assert list(frame.locations) == ["04013"]
    status = fig.data[-1]
    assert status.colorbar.ticktext[frame.z[0] - 1] == "Model not stated"
    assert "model not stated" in frame.hovertext[0]


def test_every_model_colour_is_the_same_in_every_chart():
    charts = [figures.active_by_model(monthly_rows()), figures.signings_endings(monthly_rows()),
              figures.pending_by_model(review_rows()), figures.approvals_by_model(review_rows()),
              figures.top_states(monthly_rows())]
    for fig in charts:
        for model, trace in model_traces(fig):
            assert trace.marker.color == MODEL_COLORS[model]


@pytest.mark.parametrize("fn", [figures.active_by_model, figures.signings_endings, figures.pending_by_model,
                                figures.approvals_by_model, figures.median_days, figures.top_states,
                                figures.state_map, figures.county_map])
def test_empty_rows_give_a_titled_figure_not_an_error(fn):
    fig = fn([])
    assert fig.layout.title.text
    assert "Source:" in note_of(fig)


def test_panels_are_registered_per_page_with_their_queries():
    from dashboards.data import query_names

    keys = [p.key for p in figures.panels_for("index")]
    assert keys[:4] == ["active_by_model", "active_before_2021", "signings_endings", "pending_by_model"]
    names = set(query_names())
    for p in figures.PANELS.values():
        assert p.query in names, f"{p.key}: its query file exists"


def test_history_panel_shows_the_2017_rise_on_its_own_scale():
    rows = [
        {"month": "2017-01-01", "model": "JEM", "active": 36, "coverage": "observed"},
        {"month": "2017-02-01", "model": "JEM", "active": None, "coverage": "gap"},
        {"month": "2017-08-01", "model": "JEM", "active": 58, "coverage": "observed"},
        {"month": "2026-05-01", "model": "TFM", "active": 1162, "coverage": "observed"},
    ]
    fig = figures.active_before_2021(rows)
    xs = [x for trace in fig.data for x in trace.x]
    assert max(xs) < "2021-01-01"
    ys = [y for trace in fig.data for y in trace.y]
    assert 36 in ys and 58 in ys and 1162 not in ys
    assert None in ys  # the gap month stays a gap
    assert fig.layout.title.text and "before 2021" in fig.layout.title.text


def test_state_map_leaves_states_with_none_grey_and_says_when_a_month_is_unknown():
    rows = monthly_rows()
    zero = [{**r, "state": "CA", "active": 0 if r["active"] is not None else None} for r in rows if r["state"] == "TX"]
    fig = figures.state_map(rows + zero, geojson="geo:states")
    frames = {f.name: f for f in fig.frames}
    for frame in frames.values():
        assert "06" not in (frame.data[0].locations or ())  # California (06): zero agreements, so not coloured
    observed = [f for f in frames.values() if f.data[0].locations]
    blank = [f for f in frames.values() if not f.data[0].locations]
    assert observed and blank
    assert all("list of 2025-" in f.layout.title.subtitle.text for f in observed)
    assert all("no list captured this month" in f.layout.title.subtitle.text for f in blank)
