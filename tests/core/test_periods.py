"""Listing periods (agreement_periods): in force on a day, across the gaps of re-listed agreements."""

from datetime import date

IN_FORCE = "listed_from <= ? AND (ended_on IS NULL OR ended_on > ?)"


def test_periods_in_force_on_each_list_date_are_that_lists_agreements(bundled_con):
    dates = [d for (d,) in bundled_con.execute(
        "SELECT DISTINCT as_of FROM snapshots WHERE list_kind = 'participating' AND status = 'published' ORDER BY 1"
    ).fetchall()]
    assert len(dates) > 100
    for d in dates:
        periods = set(bundled_con.execute(f"SELECT agency_id, model FROM agreement_periods WHERE {IN_FORCE}",
                                          [d, d]).fetchall())
        listed = set(bundled_con.execute("SELECT agency_id, model FROM agreements_as_of(?)", [d]).fetchall())
        assert periods == listed, d


def test_published_figure_at_the_end_of_2024_through_the_periods(bundled_con):
    d = date(2024, 12, 31)
    assert bundled_con.execute(f"SELECT count(*), count(DISTINCT state) FROM agreement_periods WHERE {IN_FORCE}",
                               [d, d]).fetchone() == (135, 21)


def test_a_relisted_agreement_has_one_period_per_listing(bundled_con):
    rows = bundled_con.execute(
        """SELECT a.agreement_id, a.times_listed, count(p.period), min(p.listed_from) = a.first_seen,
                  max(p.last_listed) = a.last_seen, arg_max_null(p.ended_on, p.period) IS NOT DISTINCT FROM a.ended_on
           FROM agreements a JOIN agreement_periods p USING (agreement_id)
           GROUP BY a.agreement_id, a.times_listed, a.first_seen, a.last_seen, a.ended_on""").fetchall()
    assert len(rows) == bundled_con.execute("SELECT count(*) FROM agreements").fetchone()[0]
    assert all(times == n and first and last and ended for _, times, n, first, last, ended in rows)
    assert sum(1 for r in rows if r[1] > 1) > 0


def test_list_kind_is_read_in_any_case(bundled_con):
    assert bundled_con.execute("SELECT count(*) FROM list_as_of('Pending', DATE '2025-05-29')").fetchone()[0] == 68


def test_agency_exits_are_agencies_without_an_active_agreement(bundled_con):
    exits = dict(bundled_con.execute("SELECT agency_id, exited_on FROM agency_exits").fetchall())
    assert exits["TX:harris-county-sheriffs-office"] == date(2017, 3, 5)  # JEM 2011 → 2017
    assert "FL:okaloosa-county-sheriffs-office" not in exits  # its WSO moved to the county's corrections; TFM stays
    active = {a for (a,) in bundled_con.execute("SELECT DISTINCT agency_id FROM agreements WHERE status = 'active'").fetchall()}
    every = {a for (a,) in bundled_con.execute("SELECT DISTINCT agency_id FROM agreements").fetchall()}
    assert set(exits) == every - active and len(exits) > 50


def test_a_day_inside_a_capture_gap_is_flagged_not_silently_carried(bundled_con):
    # 2017-08-01 -> 2021-01-13 has no capture: a day inside it gets the list of 2017-08-01, flagged
    assert bundled_con.execute("SELECT DISTINCT list_as_of, in_gap FROM agreements_as_of('2020-09-30')").fetchall() == [
        (date(2017, 8, 1), True)]
    assert bundled_con.execute("SELECT DISTINCT in_gap FROM agreements_as_of('2017-08-15')").fetchall() == [(False,)]
    assert bundled_con.execute("SELECT DISTINCT in_gap FROM agreements_as_of('2021-01-05')").fetchall() == [(True,)]
    assert bundled_con.execute("SELECT DISTINCT in_gap FROM pending_as_of('2025-05-30')").fetchall() == [(False,)]
    # on every list date the list itself is read: never a gap
    assert bundled_con.execute(
        "SELECT count(*) FROM snapshots s, LATERAL (SELECT * FROM list_as_of(s.list_kind, s.as_of)) l "
        "WHERE s.status = 'published' AND l.in_gap").fetchone()[0] == 0


def test_previous_list_bounds_when_a_period_began(bundled_con):
    rows = bundled_con.execute(
        """SELECT p.previous_list, (SELECT max(as_of) FROM snapshots s WHERE s.status = 'published'
                                     AND s.list_kind = 'participating' AND s.as_of < p.listed_from)
           FROM agreement_periods p""").fetchall()
    assert all(prev == expected for prev, expected in rows)
    assert sum(prev is None for prev, _ in rows) == 28  # the first list's agreements (2007-09-19)


def test_the_periods_tell_what_is_known_on_a_day_inside_a_gap(bundled_con):
    # On 2020-09-30 the in-force rule carries 2017-08-01 forward (58). The periods say which of those
    # were listed again after the gap, which ended in it, and which began in it: together with the
    # SIGNED dates, the agreements the list of 2021-01-13 shows as signed by then.
    d = date(2020, 9, 30)
    assert bundled_con.execute(f"SELECT count(*) FROM agreement_periods WHERE {IN_FORCE}", [d, d]).fetchone()[0] == 58

    def agreements(where: str) -> set:
        return set(bundled_con.execute(f"SELECT agency_id, model FROM agreement_periods WHERE {where}",
                                       [d] * where.count("?")).fetchall())

    listed_around = agreements("listed_from <= ? AND ? <= last_listed")
    may_have_ended = agreements("last_listed < ? AND (ended_on IS NULL OR ? < ended_on)")
    may_have_begun = agreements("previous_list < ? AND ? < listed_from AND signed <= ?")
    assert len(listed_around) + len(may_have_ended) == 58 and len(may_have_ended) == 12
    signed_by_then = set(bundled_con.execute(
        "SELECT agency_id, model FROM agreements_as_of('2021-01-13') WHERE signed <= ?", [d]).fetchall())
    assert listed_around | may_have_begun == signed_by_then
