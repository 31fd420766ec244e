"""History back to 2007: roster captures as snapshots, one identity across eras, gaps as data."""

import csv
from collections import Counter
from datetime import date

from tests.conftest import SAMPLE

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
    assert months[0][0] == date(2007, 9, 1)
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
