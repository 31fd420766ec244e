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
