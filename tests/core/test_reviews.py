"""Applications under review (agreement_reviews) and the monthly review figures, on the bundled history."""

from datetime import date


def test_outcomes_are_consistent(bundled_con):
    bad = bundled_con.execute(
        """SELECT review_id FROM agreement_reviews
           WHERE (outcome = 'approved') <> (approved_on IS NOT NULL) OR (outcome = 'approved') <> (days_to_approval IS NOT NULL)
              OR (listed_instead IS NOT NULL AND outcome <> 'dropped')
              OR days_to_approval < 0 OR outcome NOT IN ('approved', 'dropped', 'open')
              OR approved_on < first_seen_pending - INTERVAL 31 DAY""").fetchall()
    assert bad == []


def test_an_application_approved_before_the_pending_list_caught_up_is_approved(bundled_con):
    # Dickens County's WSO entered the participating list of 2025-06-27 and still showed as pending on
    # 2025-06-30; Galveston County's TFM, listed 2025-07-30, was pending on 07-31 and 08-29.
    got = bundled_con.execute(
        """SELECT agency_id, model, first_seen_pending, outcome, approved_on, days_to_approval
           FROM agreement_reviews WHERE agency_id IN ('TX:dickens-county-sheriffs-office',
                                                      'TX:galveston-county-sheriffs-office') ORDER BY 1""").fetchall()
    assert got == [
        ("TX:dickens-county-sheriffs-office", "WSO", date(2025, 6, 30), "approved", date(2025, 6, 27), 0),
        ("TX:galveston-county-sheriffs-office", "TFM", date(2025, 7, 31), "approved", date(2025, 7, 30), 0),
    ]


def test_approvals_after_the_last_pending_list_are_counted_in_their_month(bundled_con):
    last_pending = bundled_con.execute("SELECT max(as_of) FROM snapshots WHERE list_kind = 'pending'").fetchone()[0]
    assert last_pending == date(2026, 2, 27)
    march = bundled_con.execute("SELECT model, pending_end_of_month, approved_in_month, coverage FROM monthly_reviews "
                        "WHERE month = DATE '2026-03-01' ORDER BY model").fetchall()
    # Franklin County (AR) TFM and WSO, approved on the participating list of 2026-03-27
    assert march == [("JEM", None, 0, "gap"), ("TFM", None, 1, "gap"), ("WSO", None, 1, "gap")]
    total = bundled_con.execute("SELECT sum(approved_in_month) FROM monthly_reviews").fetchone()[0]
    assert total == bundled_con.execute("SELECT count(*) FROM agreement_reviews WHERE outcome = 'approved'").fetchone()[0]


def test_a_dropped_application_names_the_model_approved_instead(bundled_con):
    # Orange County (FL) was pending WSO on 2025-02-21 and listed TFM on 02-26; Beggs PD (OK) pending
    # JEM and WSO on 2025-09-30, listed TFM on 10-31; St. Charles Parish (LA) listed WSO on 2025-07-30,
    # one day before the pending list showed its TFM application.
    got = bundled_con.execute(
        """SELECT agency_id, model, listed_instead FROM agreement_reviews WHERE outcome = 'dropped'
           AND agency_id IN ('FL:orange-county-sheriffs-office', 'OK:beggs-police-department',
                             'LA:st-charles-parish-sheriffs-office', 'TX:san-jacinto-county-sheriffs-office')
           ORDER BY 1, 2""").fetchall()
    assert got == [("FL:orange-county-sheriffs-office", "WSO", "TFM"),
                   ("LA:st-charles-parish-sheriffs-office", "TFM", "WSO"),
                   ("OK:beggs-police-department", "JEM", "TFM"), ("OK:beggs-police-department", "WSO", "TFM"),
                   # its TFM came six months after the JEM application left the list: not instead of it
                   ("TX:san-jacinto-county-sheriffs-office", "JEM", None)]
