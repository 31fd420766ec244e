"""History back to 2007: roster captures as snapshots, one identity across eras, gaps as data."""

import csv
from collections import Counter
from datetime import date

from tests.conftest import REPO, SAMPLE

ROSTER = SAMPLE / "ice_287g_archive" / "pre2018-roster-long.csv"


def test_each_capture_is_a_snapshot_with_its_row_count(bundled_con):
    rows = list(csv.DictReader(ROSTER.open()))
    per_capture = Counter(r["capture_date"] for r in rows)
    jem = Counter(r["capture_date"] for r in rows if r["support_type"] == "Jail Enforcement")
    tfm = Counter(r["capture_date"] for r in rows if r["support_type"] == "Task Force")
    got = bundled_con.execute(
        "SELECT as_of, agreements, jem, tfm FROM snapshot_summary "
        "WHERE source = 'ice_roster_archive' AND unknown_model = 0 ORDER BY as_of").fetchall()
    assert len(got) == 33
    for as_of, n, j, t in got:
        key = as_of.isoformat()
        assert (n, j, t) == (per_capture[key], jem[key], tfm[key])
    counts = {a.isoformat(): n for a, n, _, _ in got}
    assert counts["2011-02-20"] == 71 and counts["2017-01-29"] == 36 and counts["2017-08-01"] == 58
    assert {counts[k] for k in counts if k.startswith(("2015-07", "2015-1", "2016-0", "2016-11"))} == {32}


def test_the_earliest_lists_have_no_model(bundled_con):
    got = bundled_con.execute(
        "SELECT as_of, agreements, agencies, unknown_model FROM snapshot_summary "
        "WHERE source = 'ice_roster_archive' AND unknown_model > 0 ORDER BY as_of").fetchall()
    assert got == [(date(2007, 9, 19), 28, 28, 28), (date(2008, 3, 10), 41, 41, 41)]


def test_caption_mismatches_are_reported(bundled_con):
    notes = bundled_con.execute(
        "SELECT as_of, caption_count, quality_notes FROM snapshots WHERE quality_notes LIKE 'caption says%' ORDER BY as_of"
    ).fetchall()
    assert [(a.isoformat(), c) for a, c, _ in notes] == [("2012-01-20", 69), ("2012-10-07", 63), ("2014-04-14", 36)]


def test_renames_keep_one_identity(bundled_con):
    def ids(state, *names):
        q = "SELECT DISTINCT agency_id FROM agency_names WHERE state = ? AND name_as_printed IN (" + ",".join("?" * len(names)) + ")"
        return {r[0] for r in bundled_con.execute(q, [state, *names]).fetchall()}

    assert len(ids("AZ", "City of Mesa Police Department", "Mesa Police Department")) == 1
    assert len(ids("TX", "Walker County Sheriff's Office", "Walker County Sheriff's Department")) == 1
    assert len(ids("VA", "Herndon Police", "Herndon Police Department")) == 1
    assert len(ids("NC", "Albermarle District Jail", "Albemarle District Jail")) == 1


def test_a_rename_in_the_next_list_keeps_the_agency(bundled_con):
    def ids(state, *keys):
        q = "SELECT name_key, agency_id FROM agency_names WHERE state = ? AND name_key IN (" + ",".join("?" * len(keys)) + ")"
        return dict(bundled_con.execute(q, [state, *keys]).fetchall())

    # same agreement (model and SIGNED) under a new name in ICE's next list: one agency, no ending
    boca = ids("FL", "boca raton police department", "boca raton police services department")
    assert set(boca.values()) == {"FL:boca-raton-police-department"}
    ended = bundled_con.execute("SELECT count(*) FROM agreements WHERE agency_id = 'FL:boca-raton-police-department' "
                        "AND status = 'ended'").fetchone()[0]
    assert ended == 0
    # ICE's one-day `Gulf County BOCC` row was followed by the county's Board and its Sheriff's Office,
    # listed side by side from then on: they stay two agencies
    gulf = ids("FL", "gulf county bocc", "gulf county board of county commissioners", "gulf county sheriffs office")
    assert gulf["gulf county bocc"] == gulf["gulf county board of county commissioners"] != gulf["gulf county sheriffs office"]
    # no agency is listed under two of its names in one list
    assert bundled_con.execute("SELECT count(*) FROM (SELECT snapshot_id, agency_id, model FROM snapshot_rows GROUP BY ALL "
                       "HAVING count(DISTINCT name_key) > 1)").fetchone()[0] == 0


def test_two_real_counties_with_alike_names_stay_two_agencies(bundled_con):
    # Harris County's JEM (2011-2017) and Harrison County's WSO (2025-) were never listed together and
    # their names are 97% alike; both counties exist, so they are two agencies, each in its own county.
    got = dict(bundled_con.execute(
        "SELECT name_key, agency_id FROM agency_names WHERE state = 'TX' AND name_key IN "
        "('harris county sheriffs office', 'harrison county sheriffs office')").fetchall())
    assert got == {"harris county sheriffs office": "TX:harris-county-sheriffs-office",
                   "harrison county sheriffs office": "TX:harrison-county-sheriffs-office"}
    # a typo that names no real county is still merged with the county it means
    assert dict(bundled_con.execute(
        "SELECT name_key, agency_id FROM agency_names WHERE state = 'GA' AND name_key IN "
        "('spalding county sheriffs office', 'spaulding county sheriffs office')").fetchall()) == {
        "spalding county sheriffs office": "GA:spaulding-county-sheriffs-office",
        "spaulding county sheriffs office": "GA:spaulding-county-sheriffs-office"}


def test_no_agency_active_in_2017_and_2021_is_split(bundled_con):
    # The same agreement (state, model, SIGNED) on 2017-08-01 and on 2021-01-13 belongs to one agency id.
    split = bundled_con.execute(
        """
        WITH a AS (SELECT r.agency_id, r.state, r.model, r.signed, r.agency_name FROM snapshot_rows r
                   JOIN snapshots s USING (snapshot_id) WHERE s.as_of = DATE '2017-08-01'),
             b AS (SELECT r.agency_id, r.state, r.model, r.signed, r.agency_name FROM snapshot_rows r
                   JOIN snapshots s USING (snapshot_id) WHERE s.as_of = DATE '2021-01-13')
        SELECT a.agency_name, b.agency_name FROM a JOIN b USING (state, model, signed)
        WHERE a.agency_id <> b.agency_id
          AND jaro_winkler_similarity(lower(a.agency_name), lower(b.agency_name)) > 0.8
        """).fetchall()
    assert split == []
    both = bundled_con.execute(
        """SELECT count(DISTINCT agency_id) FROM snapshot_rows r JOIN snapshots s USING (snapshot_id)
           WHERE s.as_of = DATE '2017-08-01' AND agency_id IN (
             SELECT agency_id FROM snapshot_rows JOIN snapshots USING (snapshot_id) WHERE as_of = DATE '2021-01-13')"""
    ).fetchone()[0]
    assert both >= 40


def test_task_force_agreements_that_ended_in_2012_2013_show_as_ended(bundled_con):
    ended = bundled_con.execute(
        "SELECT count(*), min(last_seen), max(last_seen) FROM agreements WHERE model = 'TFM' AND status = 'ended' "
        "AND last_seen < DATE '2014-01-01'").fetchone()
    assert ended[0] >= 20
    assert ended[1] >= date(2011, 2, 20) and ended[2] <= date(2013, 1, 18)
    last = bundled_con.execute("SELECT max(as_of) FROM snapshots WHERE as_of < DATE '2014-01-01' AND snapshot_id IN "
                       "(SELECT last_snapshot_id FROM agreements WHERE model = 'TFM')").fetchone()[0]
    assert last == date(2013, 1, 18)


def test_monthly_history_from_2007_with_gaps_flagged(bundled_con):
    months = bundled_con.execute(
        "SELECT month, sum(active_end_of_month), any_value(coverage) FROM monthly_agreements GROUP BY month ORDER BY month"
    ).fetchall()
    observed = [m for m, _, cov in months if cov == "observed"]
    assert observed[0] == date(2007, 9, 1)
    # the months before the first list are there for the signings ICE printed later: gaps, not zeros
    assert all(n is None and cov == "gap" for m, n, cov in months if m < observed[0])
    by = {m: (n, cov) for m, n, cov in months}
    for m in (date(2018, 6, 1), date(2019, 12, 1), date(2020, 12, 1)):
        assert by[m] == (None, "gap")
    assert by[date(2017, 1, 1)] == (36, "observed") and by[date(2017, 8, 1)] == (58, "observed")
    assert by[date(2021, 1, 1)][1] == "observed"


def test_a_list_without_models_does_not_end_agreements_when_the_model_appears(bundled_con):
    # 2008-03-10 (no model) is followed by the 2011-02-20 roster (models): agencies in both were not
    # "ended" in 2011; their UNKNOWN listing became one with a model.
    events = dict(bundled_con.execute(
        "SELECT event, count(*) FROM agreement_events WHERE model = 'UNKNOWN' AND as_of = DATE '2011-02-20' GROUP BY 1"
    ).fetchall())
    assert events.get("model_stated", 0) >= 25
    still_listed_but_ended = bundled_con.execute(
        """SELECT count(*) FROM agreement_events e WHERE e.model = 'UNKNOWN' AND e.event = 'ended'
           AND e.agency_id IN (SELECT agency_id FROM snapshot_rows WHERE snapshot_id = e.snapshot_id)"""
    ).fetchone()[0]
    assert still_listed_but_ended == 0


def _first_printed_signed_per_month() -> Counter:
    """Per month, the roster's agreements (state, agency, model as printed) by the first SIGNED it printed."""
    first: dict[tuple, str] = {}
    for r in sorted(csv.DictReader(ROSTER.open()), key=lambda r: r["capture_date"]):
        first.setdefault((r["state"], r["agency"].strip(), r["support_type"]), r["date_signed"])
    return Counter(d[:7] for d in first.values())


def test_a_month_counts_the_signings_that_began_listings_not_renewals(bundled_con):
    # ICE re-printed SIGNED when it renewed agreements in force (2013, 2016, 2019-2020): the renewal date
    # is not a signing. 2017's expansion and 2008's signings are where the roster first printed them.
    signed = dict(bundled_con.execute(
        "SELECT strftime(month, '%Y-%m'), sum(signed_in_month) FROM monthly_agreements GROUP BY 1").fetchall())
    roster = _first_printed_signed_per_month()
    for month in ("2008-07", "2017-06", "2017-07"):
        assert signed[month] == roster[month], month
    assert (signed["2017-06"], signed["2017-07"]) == (13, 4)
    # Etowah County's JEM, signed 2008-07-08, re-printed as 2016-06-08 and then 2020-06-09, is one signing
    assert bundled_con.execute(
        "SELECT list(signed) FROM agreement_periods WHERE agreement_id = 'AL:etowah-county-sheriffs-office:JEM'"
    ).fetchone()[0] == [date(2008, 7, 8)]
    # June 2020 counts only agreements first listed after it (the list of 2021-01-13), none in force before
    assert bundled_con.execute(
        "SELECT count(*) FROM agreement_periods WHERE date_trunc('month', signed) = DATE '2020-06-01' "
        "AND listed_from < DATE '2021-01-13'").fetchone()[0] == 0


def test_signings_before_the_first_list_are_counted(bundled_con):
    # FDLE (2002) and Maricopa (2007-02) signed before the first captured list (2007-09-19)
    early = dict(bundled_con.execute(
        "SELECT strftime(month, '%Y-%m'), sum(signed_in_month) FROM monthly_agreements "
        "WHERE month < DATE '2007-09-01' GROUP BY 1").fetchall())
    roster = _first_printed_signed_per_month()
    assert early["2002-07"] == roster["2002-07"] == 1
    assert early["2007-02"] == roster["2007-02"] == 4
    # every signing is in some month: none falls off either end of the series
    total = bundled_con.execute("SELECT sum(signed_in_month) FROM monthly_agreements").fetchone()[0]
    assert total == bundled_con.execute(
        "SELECT count(DISTINCT (agreement_id, signed)) FROM agreement_periods WHERE signed IS NOT NULL").fetchone()[0]


def test_a_corrected_signed_date_counts_and_a_relisting_with_the_same_date_is_one_signing(bundled_con):
    def periods(agreement_id):
        return bundled_con.execute("SELECT listed_from, signed FROM agreement_periods WHERE agreement_id = ? "
                                   "ORDER BY period", [agreement_id]).fetchall()

    # Tenaha PD, first listed 2026-01-30 as signed 2025-01-07, then printed 2026-01-07: ICE fixed the year
    assert periods("TX:tenaha-police-department:TFM") == [(date(2026, 1, 30), date(2026, 1, 7))]
    # Southside Place PD: listed 2025-06-27, dropped, back on 2026-03-27 with the same SIGNED: one signing
    southside = periods("TX:southside-place-police-department:TFM")
    assert [s for _, s in southside] == [date(2025, 6, 13)] * 2
    assert bundled_con.execute(
        "SELECT sum(signed_in_month) FROM monthly_agreements WHERE state = 'TX' AND model = 'TFM' "
        "AND month = DATE '2025-06-01'").fetchone()[0] == bundled_con.execute(
        "SELECT count(DISTINCT agreement_id) FROM agreement_periods WHERE state = 'TX' AND model = 'TFM' "
        "AND date_trunc('month', signed) = DATE '2025-06-01'").fetchone()[0]


def test_the_lists_without_a_model_count_in_the_state_county_and_map_views(bundled_con):
    # 2007-09-19 (28 agencies) and 2008-03-10 (41) printed no model: their agencies held agreements all the
    # same, so the month views count them (as agreements_unknown), not zero.
    listed = dict(bundled_con.execute(
        "SELECT date_trunc('month', as_of), agreements FROM snapshot_summary WHERE unknown_model > 0").fetchall())
    assert sorted(listed.values()) == [28, 41]
    for month, n in listed.items():
        states = bundled_con.execute(
            "SELECT sum(agreements_unknown), sum(agreements_jem + agreements_tfm + agreements_wso + agreements_unknown), "
            "sum(agencies), count(*) FILTER (WHERE any_active) FROM state_month_status WHERE month = ?", [month]).fetchone()
        assert states[:3] == (n, n, n) and states[3] > 10, month
        counties = bundled_con.execute(
            "SELECT sum(agreements_unknown), count(*) FILTER (WHERE any_active) FROM county_month_status WHERE month = ?",
            [month]).fetchone()
        covered = bundled_con.execute(
            "SELECT sum(counties_with_agreement) FROM coverage_month WHERE month = ?", [month]).fetchone()[0]
        assert counties[0] > 0 and counties[1] == covered > 0, month
        map_rows = bundled_con.execute(
            (REPO / "warehouse" / "queries" / "dash_map_counties.sql").read_text()).fetchall()
        cols = [d[0] for d in bundled_con.description]
        in_month = [dict(zip(cols, r, strict=True)) for r in map_rows if r[0] == month.date()]
        assert len([r for r in in_month if r["unknown"]]) == covered, month


def _agencies_on(con, as_of: str) -> dict[str, set[str]]:
    rows = con.execute("SELECT r.agency_id, r.model FROM snapshot_rows r JOIN snapshots s USING (snapshot_id) "
                       "WHERE s.as_of = ? AND s.list_kind = 'participating'", [as_of]).fetchall()
    out: dict[str, set[str]] = {}
    for agency, model in rows:
        out.setdefault(agency, set()).add(model)
    return out


def test_the_model_first_printed_in_2011_is_one_change_not_an_ending_and_a_listing(bundled_con):
    # Agencies on the 2008-03-10 list (no model) and on the 2011-02-20 roster (models): one model_stated
    # event each, carrying the model then printed; no `listed` event for their stated-model agreement.
    before, after = _agencies_on(bundled_con, "2008-03-10"), _agencies_on(bundled_con, "2011-02-20")
    continuing = set(before) & set(after)
    assert len(continuing) == 38
    events = bundled_con.execute(
        "SELECT agency_id, event, model, old_value, new_value FROM agreement_events WHERE as_of = DATE '2011-02-20'"
    ).fetchall()
    stated = {a: (m, old, new) for a, e, m, old, new in events if e == "model_stated"}
    assert set(stated) == continuing
    assert all(m == "UNKNOWN" and old == "UNKNOWN" and new == "+".join(sorted(after[a])) for a, (m, old, new) in stated.items())
    listed = {a for a, e, *_ in events if e == "listed"}
    assert listed == set(after) - continuing
    assert {a for a, e, *_ in events if e == "ended"} == set(before) - set(after)
    # the changes page and the feeds say the same: one row per agency, with the model ICE then printed
    rows = bundled_con.execute((REPO / "warehouse" / "queries" / "dash_events.sql").read_text()).fetchall()
    on_day = [r for r in rows if r[0] == date(2011, 2, 20)]
    assert sorted(r[1] for r in on_day if r[1] == "model_stated") == ["model_stated"] * 38
    assert {r[4] for r in on_day if r[1] == "model_stated"} == {"JEM", "TFM"}
    assert sum(r[1] == "listed" for r in on_day) == len(set(after) - continuing)
    alerts = bundled_con.execute(
        "SELECT title, detail FROM alert_events WHERE kind = 'agreement' AND happened_on = DATE '2011-02-20' "
        "AND title LIKE 'Maricopa County Sheriff%'").fetchall()
    assert alerts == [("Maricopa County Sheriff's Office (AZ): agreement listed without a model until now, listed as JEM",
                       "model: not stated -> JEM")]
    # its feed entry id is the one it had before its values were recorded (subscribers see nothing new)
    assert bundled_con.execute(
        "SELECT count(*) FROM alert_events WHERE event_id = md5('agreement|AZ:maricopa-county-sheriffs-office:UNKNOWN|"
        "model_stated|2011-02-20')").fetchone()[0] == 1
    # `tracker agency`: the listing without a model went on under JEM, it did not end
    history = bundled_con.execute("SELECT model, since, until, status, detail FROM agency_history('Maricopa County Sheriff')"
                                  ).fetchall()
    assert history[0] == ("UNKNOWN", date(2007, 9, 19), date(2011, 2, 20), "model stated", "then listed as JEM")
    assert history[1][:2] == ("JEM", date(2011, 2, 20))


def test_model_stated_does_not_depend_on_load_order(tmp_path):
    import duckdb

    from warehouse.load import load_paths

    files = [SAMPLE / "ice_287g_archive" / "historical-ice-lists.csv", ROSTER]
    got = []
    for name, order in (("a", files), ("b", files[::-1])):
        db = tmp_path / f"{name}.duckdb"
        for f in order:  # one file per load
            assert load_paths(db, [f], raw_root=tmp_path / "raw").ok
        con = duckdb.connect(str(db), read_only=True)
        got.append({t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall()))
                    for t in ("agreements", "agreement_periods", "agreement_events")})
        con.close()
    assert got[0] == got[1]
    assert sum("'model_stated'" in r for r in got[0]["agreement_events"]) == 38
