"""Golden counts: every bundled real snapshot reproduces its expected counts, and the published figures
are reproduced through the views."""

import csv
import hashlib
from datetime import date

import duckdb
import pytest

from tests.conftest import FIXTURES, SAMPLE

METRICS = list(csv.DictReader((FIXTURES / "ice_287g" / "snapshot_metrics.csv").open()))


@pytest.fixture(scope="module")
def summary(bundled_con):
    cols = ["file_name", "sha256", "list_kind", "as_of", "agreements", "agencies", "states", "jem", "tfm", "wso",
            "file_names"]
    rows = bundled_con.execute(f"SELECT {', '.join(cols)} FROM snapshot_summary WHERE source = 'ice_workbook'").fetchall()
    return {r[1]: dict(zip(cols, r, strict=True)) for r in rows}


@pytest.fixture(scope="module")
def row_facts(bundled_con):
    """Per snapshot: rows in Florida and Texas (after state cleaning), earliest and latest SIGNED, and
    the SIGNED dates read in another year (from the rows' notes)."""
    return {sid: rest for sid, *rest in bundled_con.execute(
        "SELECT snapshot_id, count(*) FILTER (WHERE state = 'FL'), count(*) FILTER (WHERE state = 'TX'), "
        "min(signed), max(signed), list(signed) FILTER (WHERE notes LIKE '%SIGNED year%read as%') "
        "FROM snapshot_rows GROUP BY snapshot_id").fetchall()}


def _sha(rel: str) -> str:
    return hashlib.sha256((SAMPLE / "ice_287g" / rel).read_bytes()).hexdigest()


@pytest.mark.parametrize("m", METRICS, ids=[m["file"].split("/")[-1] for m in METRICS])
def test_snapshot_summary_matches_expected_counts(summary, m):
    got = summary[_sha(m["file"])]
    assert got["list_kind"] == m["list_kind"]
    assert got["as_of"] == date.fromisoformat(m["as_of"])
    assert (got["agreements"], got["jem"], got["tfm"], got["wso"]) == (
        int(m["agreements"]), int(m["jem"]), int(m["tfm"]), int(m["wso"]))
    assert got["states"] <= int(m["states_raw"])  # typo fixing can only merge states
    assert m["file"].split("/")[-1] in got["file_names"]


@pytest.mark.parametrize("m", METRICS, ids=[m["file"].split("/")[-1] for m in METRICS])
def test_state_and_signed_cleaning_match_expected(row_facts, m):
    fl, tx, signed_min, signed_max, repaired = row_facts[_sha(m["file"])]
    assert (fl, tx) == (int(m["fl"]), int(m["tx"]))
    if not m["signed_max"]:  # pending lists have no SIGNED
        assert signed_min is signed_max is None
        return
    assert signed_min == date.fromisoformat(m["signed_min"])
    printed_max, as_of = date.fromisoformat(m["signed_max"]), date.fromisoformat(m["as_of"])
    # A year no list could print (5025-07-07 in a list of July 2025) is read in the list's year.
    expected_max = printed_max if printed_max <= as_of else printed_max.replace(year=as_of.year)
    assert signed_max == expected_max
    if printed_max > as_of:
        assert expected_max in repaired


def test_same_content_under_two_names_is_one_snapshot(summary):
    a, b = _sha("pending/pendingAgencies-20250221214937.xlsx"), _sha("pending/pendingAgencies-20250228192630.xlsx")
    assert a == b
    assert summary[a]["file_name"] == "pendingAgencies-20250221214937.xlsx"
    assert sorted(summary[a]["file_names"]) == ["pendingAgencies-20250221214937.xlsx", "pendingAgencies-20250228192630.xlsx"]


def test_end_of_2024_135_agreements_in_21_states(bundled_con):
    total, states = bundled_con.execute(
        "SELECT sum(active_end_of_month), count(DISTINCT state) FILTER (WHERE active_end_of_month > 0) "
        "FROM monthly_agreements WHERE month = DATE '2024-12-01'").fetchone()
    assert (total, states) == (135, 21)


def test_2025_05_29_published_figures(bundled_con):
    by_model = dict(bundled_con.execute(
        "SELECT model, sum(active_end_of_month) FROM monthly_agreements WHERE month = DATE '2025-05-01' GROUP BY 1"
    ).fetchall())
    assert {k: by_model[k] for k in ("JEM", "TFM", "WSO")} == {"JEM": 100, "TFM": 307, "WSO": 228}
    assert sum(by_model.values()) == 635
    rows, states = bundled_con.execute("SELECT count(*), count(DISTINCT state) FROM agreements_as_of('2025-05-30')").fetchone()
    assert (rows, states) == (635, 40)
    pending = dict(bundled_con.execute("SELECT model, count(*) FROM pending_as_of('2025-05-29') GROUP BY 1").fetchall())
    assert pending == {"JEM": 7, "TFM": 43, "WSO": 18}


def test_duplicate_rows_collapse_to_one_agreement(bundled_con):
    # 2025-05-29 lists City of St. Cloud PD and St. Cloud PD (TFM) twice: ICE's count keeps both rows.
    distinct = bundled_con.execute(
        "SELECT sum(distinct_agreements_end_of_month) FROM monthly_agreements WHERE month = DATE '2025-05-01'"
    ).fetchone()[0]
    assert distinct == 634


def test_every_row_traces_back_to_a_raw_file(bundled_con):
    orphans = bundled_con.execute(
        "SELECT count(*) FROM snapshot_rows r LEFT JOIN snapshots s USING (snapshot_id) "
        "LEFT JOIN raw_files f ON f.sha256 = s.sha256 WHERE f.sha256 IS NULL").fetchone()[0]
    assert orphans == 0


def test_one_agreement_per_agency_and_model(bundled_con):
    assert bundled_con.execute("SELECT count(*) - count(DISTINCT (agency_id, model)) FROM agreements").fetchone()[0] == 0


def test_moa_urls_come_from_hyperlinks(bundled_con):
    # ICE's cells say 'link'; the URL lives only in the cell's hyperlink.
    linked, with_url, ice_pdf = bundled_con.execute(
        "SELECT count(*), count(moa_url), count(*) FILTER (WHERE moa_url LIKE 'https://www.ice.gov/doclib/287gMOA/%') "
        "FROM snapshot_rows JOIN snapshots USING (snapshot_id) "
        "WHERE file_name = 'participatingAgencies05292025am.xlsx' AND lower(trim(raw_moa)) = 'link'").fetchone()
    assert linked > 400
    assert with_url == linked
    assert ice_pdf / linked > 0.95


def test_signed_year_typo_repaired(bundled_con):
    signed = bundled_con.execute(
        "SELECT raw_signed, signed, notes FROM snapshot_rows JOIN snapshots USING (snapshot_id) "
        "WHERE file_name = 'participatingAgencies07112025am.xlsx' AND raw_signed LIKE '5025%'").fetchall()
    assert signed and all(s[1] == date(2025, 7, 7) and "5025" in s[2] for s in signed)


def test_inference_without_manifest_agrees_with_expected_as_of(tmp_path):
    """Without the manifest, the name family and content guards give the expected list kind and as-of for
    every file but two whose expected date comes from an identical file published under an earlier name
    that is not bundled (documented in the README)."""
    from warehouse.load import load_paths

    db = tmp_path / "w.duckdb"
    load_paths(db, [SAMPLE / "ice_287g"], raw_root=tmp_path / "raw")
    bundled_con = duckdb.connect(str(db), read_only=True)
    got = {r[0]: (r[1], r[2]) for r in bundled_con.execute("SELECT sha256, list_kind, as_of FROM snapshot_summary").fetchall()}
    bundled_con.close()
    known_exceptions = {"participatingAgencies-20250228192630.xlsx", "participatingAgencies12312025am.xlsx"}
    for m in METRICS:
        name = m["file"].split("/")[-1]
        kind, as_of = got[_sha(m["file"])]
        assert kind == m["list_kind"], name
        if name not in known_exceptions:
            assert as_of == date.fromisoformat(m["as_of"]), name
