"""The quality gate holds suspicious snapshots back from the views; reviewers release; reprocess re-parses."""

from __future__ import annotations

from datetime import date, timedelta

from typer.testing import CliRunner

from bench import synth
from flows.cli import app
from tests.ops.conftest import rows_for, write_list
from warehouse.db import reader
from warehouse.load import load_paths

D1, D2, D3 = date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17)


def _status(db, as_of):
    with reader(db) as con:
        return con.execute(
            """SELECT s.status, f.parse_status, f.parse_error, s.quality_notes, s.row_count,
                      (SELECT count(*) FROM snapshot_rows r WHERE r.snapshot_id = s.snapshot_id)
               FROM snapshots s JOIN raw_files f USING (sha256) WHERE s.as_of = ?""", [as_of]).fetchone()


def _latest_published(db):
    with reader(db) as con:
        return con.execute("SELECT max(list_as_of), count(*) FROM agreements_as_of(DATE '2030-01-01')").fetchone()


def _alerts(db, kind):
    with reader(db) as con:
        return [r[0] for r in con.execute("SELECT message FROM alerts WHERE kind = ?", [kind]).fetchall()]


def _baseline(data):
    db = data / "warehouse.duckdb"
    inbox = data / "in"
    write_list(inbox, D1, rows_for(100))
    write_list(inbox, D2, rows_for(100, signed=date(2025, 1, 16)))  # other bytes than D1
    assert load_paths(db, [inbox]).ok
    return db, inbox


def test_a_big_drop_is_quarantined_kept_and_hidden_from_the_views(data):
    db, inbox = _baseline(data)
    path = write_list(data / "in2", D3, rows_for(60))  # 40 % fewer agreements than the previous list
    report = load_paths(db, [path])
    assert report.ok
    status, parse_status, parse_error, notes, row_count, rows = _status(db, D3)
    assert status == "quarantined" and parse_status == "quarantined"
    assert "a drop of 40%" in parse_error and "QUARANTINED" in notes
    assert row_count == 60 and rows == 60  # the rows stay for inspection
    assert any("held back" in m for m in _alerts(db, "quarantined"))
    assert _latest_published(db) == (D2, 100)  # the views still show the last good list
    with reader(db) as con:
        assert con.execute("SELECT count(*) FROM agreements WHERE status = 'ended'").fetchone()[0] == 0
        sha = con.execute("SELECT sha256 FROM snapshots WHERE as_of = ?", [D3]).fetchone()[0]
    assert (data / "raw" / "objects" / sha[:2] / sha).exists()  # the raw file is kept
    assert any(n.startswith("QUARANTINED") for n in report.results[0].notes)


def test_the_drop_limit_is_configurable(data, monkeypatch):
    db, _ = _baseline(data)
    monkeypatch.setenv("TRACKER_QUALITY_MAX_DROP", "0.5")
    load_paths(db, [write_list(data / "in2", D3, rows_for(60))])
    assert _status(db, D3)[0] == "published"


def test_a_small_drop_passes(data):
    db, _ = _baseline(data)
    load_paths(db, [write_list(data / "in2", D3, rows_for(75))])
    assert _status(db, D3)[0] == "published"
    assert _latest_published(db) == (D3, 75)


def test_unknown_header_is_quarantined(data):
    db, _ = _baseline(data)
    header = (*synth.HEADER, "DETENTION CAPACITY")
    rows = [(*r, "120") for r in rows_for(100)]
    load_paths(db, [write_list(data / "in2", D3, rows, header=header)])
    status, _, parse_error, *_ = _status(db, D3)
    assert status == "quarantined"
    assert "header never seen before" in parse_error and "DETENTION CAPACITY" in parse_error


def test_future_as_of_is_quarantined(data):
    db, _ = _baseline(data)
    future = date.today() + timedelta(days=400)
    load_paths(db, [write_list(data / "in2", future, rows_for(100))])
    status, _, parse_error, *_ = _status(db, future)
    assert status == "quarantined" and "in the future" in parse_error


def test_as_of_before_2000_is_quarantined(data):
    db = data / "warehouse.duckdb"
    path = write_list(data / "in", D1, rows_for(50, signed=date(1998, 5, 1)))
    manifest = data / "manifest.csv"
    manifest.write_text(f"path,list_kind,as_of\n{path.name},participating,1999-06-30\n")
    load_paths(db, [path], manifest=manifest)
    status, _, parse_error, *_ = _status(db, date(1999, 6, 30))
    assert status == "quarantined" and "before 2000" in parse_error


def test_signed_after_the_as_of_that_cannot_be_repaired_is_quarantined(data):
    db, _ = _baseline(data)
    rows = rows_for(100)
    rows[5] = (*rows[5][:5], "2031-04-01", "link")  # no year repair makes 2031 fit a list of 2025-03-17
    load_paths(db, [write_list(data / "in2", D3, rows)])
    status, _, parse_error, *_ = _status(db, D3)
    assert status == "quarantined" and "could not be repaired" in parse_error


def test_participating_list_without_signed_dates_is_quarantined(data):
    db, _ = _baseline(data)
    rows = [(*r[:5], "", "link") for r in rows_for(100)]
    load_paths(db, [write_list(data / "in2", D3, rows)])
    status, _, parse_error, *_ = _status(db, D3)
    assert status == "quarantined" and "without any SIGNED date" in parse_error


def test_swapped_list_is_published_by_content_with_an_alert(data):
    db, _ = _baseline(data)
    pending_header = ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE")
    rows = [r[:5] for r in rows_for(20, start=500)]
    load_paths(db, [write_list(data / "in2", D3, rows, header=pending_header)])  # named participating
    with reader(db) as con:
        kind, status = con.execute("SELECT list_kind, status FROM snapshots WHERE as_of = ?", [D3]).fetchone()
    assert (kind, status) == ("pending", "published")
    assert any("file name says participating" in m for m in _alerts(db, "swapped_list"))
    assert _latest_published(db) == (D2, 100)  # the participating series is not disturbed


def test_a_manifest_contradicting_the_content_raises_an_alert_not_a_quarantine(data):
    """The manifest decides the kind (a reviewer's word), but its contradiction with the content is
    reported, from the identity's own finding rather than from the wording of a note."""
    db, _ = _baseline(data)
    path = write_list(data / "in2", D3, rows_for(100, start=0))  # a participating list, with SIGNED dates
    manifest = data / "manifest.csv"
    manifest.write_text(f"path,list_kind,as_of\n{path.name},pending,{D3}\n")
    assert load_paths(db, [path], manifest=manifest).ok
    with reader(db) as con:
        kind, status = con.execute("SELECT list_kind, status FROM snapshots WHERE as_of = ?", [D3]).fetchone()
    assert (kind, status) == ("pending", "published")
    assert _alerts(db, "swapped_list") == ["swapped list: manifest says pending but the content is a participating list"]


def test_real_sample_passes_the_gate(data):
    """None of the bundled real snapshots trips the gate (ICE's quirks are not quality failures)."""
    from flows.config import SAMPLE_DIR

    db = data / "warehouse.duckdb"
    load_paths(db, [SAMPLE_DIR / "ice_287g"], manifest=SAMPLE_DIR / "ice_287g" / "manifest.csv")
    with reader(db) as con:
        assert con.execute("SELECT count(*) FROM snapshots WHERE status <> 'published'").fetchone()[0] == 0


def test_release_publishes_and_sticks_through_reprocess(data):
    db, _ = _baseline(data)
    load_paths(db, [write_list(data / "in2", D3, rows_for(50))])
    with reader(db) as con:
        sha = con.execute("SELECT sha256 FROM snapshots WHERE as_of = ?", [D3]).fetchone()[0]
    runner = CliRunner()
    listed = runner.invoke(app, ["quarantine", "list", "--db", str(db)])
    assert listed.exit_code == 0 and sha[:16] in listed.output and "drop of 50%" in listed.output
    released = runner.invoke(app, ["quarantine", "release", sha[:12], "--reason", "ICE really ended them", "--db", str(db)])
    assert released.exit_code == 0, released.output
    assert _status(db, D3)[:2] == ("published", "loaded")
    assert _latest_published(db) == (D3, 50)
    with reader(db) as con:
        assert con.execute("SELECT count(*) FROM agreements WHERE status = 'ended'").fetchone()[0] == 50
    again = runner.invoke(app, ["reprocess", sha, "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert _status(db, D3)[0] == "published"  # the reviewer's release is remembered
    missing = runner.invoke(app, ["quarantine", "release", "ffffffff", "--db", str(db)])
    assert missing.exit_code == 1 and "no quarantined snapshot matches" in missing.output
    for short in ("", "%", sha[:4]):  # an empty or short prefix (LIKE wildcards included) never releases all
        refused = runner.invoke(app, ["quarantine", "release", short, "--db", str(db)])
        assert refused.exit_code == 2 and "at least 8 characters" in refused.output
    nowhere = runner.invoke(app, ["quarantine", "release", sha[:12], "--db", str(db.parent / "typo.duckdb")])
    assert nowhere.exit_code == 1 and not (db.parent / "typo.duckdb").exists()  # a mistyped --db creates nothing


def test_reprocess_reparses_archived_files_after_a_fix(data, monkeypatch):
    db, _ = _baseline(data)
    load_paths(db, [write_list(data / "in2", D3, rows_for(50))])
    assert _status(db, D3)[0] == "quarantined"
    monkeypatch.setenv("TRACKER_QUALITY_MAX_DROP", "0.9")  # stands in for a parser/rule fix
    runner = CliRunner()
    result = runner.invoke(app, ["reprocess", "--all", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert _status(db, D3)[0] == "published"
    with reader(db) as con:
        versions = {r[0] for r in con.execute("SELECT DISTINCT parser_version FROM snapshots").fetchall()}
        runs = con.execute("SELECT flow, status FROM runs").fetchall()
    assert "stale:reprocess" not in versions
    assert ("reprocess", "ok") in runs
    assert runner.invoke(app, ["reprocess", "--db", str(db)]).exit_code == 2


def test_a_drop_limit_that_is_not_a_fraction_stops_the_load_before_anything_is_written(data, monkeypatch):
    """`30` (meant as 30 %) used to be clamped to 1.0, which switched the drop rule off; `abc` quietly
    meant the default. Either is now one line naming the variable and the accepted form, exit 2."""
    import pytest

    from flows.config import SettingError
    from flows.quality import max_drop
    from tests.ops.conftest import table_checksums

    db, _ = _baseline(data)
    before = table_checksums(db)
    archived = sorted((data / "raw").rglob("*"))
    path = write_list(data / "in2", D3, rows_for(10))  # a 90 % drop the gate must not let through
    runner = CliRunner()
    for bad in ("30", "abc", "-0.1", "nan"):
        monkeypatch.setenv("TRACKER_QUALITY_MAX_DROP", bad)
        with pytest.raises(SettingError, match=rf"^TRACKER_QUALITY_MAX_DROP='{bad}': must be a fraction between 0 and 1"):
            max_drop()
        with pytest.raises(SettingError):
            load_paths(db, [path])
        result = runner.invoke(app, ["backfill", str(path), "--db", str(db)])
        assert result.exit_code == 2, (bad, result.output)
        lines = [ln for ln in result.output.splitlines() if ln.strip()]
        assert lines == [f"error TRACKER_QUALITY_MAX_DROP='{bad}': must be a fraction between 0 and 1 (0.30 = 30 %)"]
    assert table_checksums(db) == before  # not even a `runs` row
    assert sorted((data / "raw").rglob("*")) == archived  # nor an archived file
    for fine, expected in (("0.5", 0.5), ("1", 1.0), ("0", 0.0), ("", 0.30)):
        monkeypatch.setenv("TRACKER_QUALITY_MAX_DROP", fine)
        assert max_drop() == expected


def test_reprocess_names_files_as_a_release_does_and_an_unclear_name_reprocesses_nothing(data):
    """`reprocess a` used to say "more than one raw file matches", exit 1, and re-parse one of them anyway;
    `%` and `_` were LIKE wildcards. The prefix rule is now the release's: at least 8 hex characters, a
    prefix as it is, and one file or nothing at all."""
    from tests.ops.conftest import table_checksums
    from warehouse.db import writer

    db, _ = _baseline(data)
    with reader(db) as con:
        sha = con.execute("SELECT sha256 FROM snapshots WHERE as_of = ?", [D1]).fetchone()[0]
    with writer(db) as con:  # two more files sharing the first 8 characters (sha256 collisions are out of reach)
        for tail in ("0", "1"):
            con.execute("INSERT INTO raw_files VALUES (?, 1, 'test', 'x.xlsx', NULL, NULL, 'x', 'failed', 'test')",
                        [sha[:8] + tail * 56])
    before = table_checksums(db)
    runner = CliRunner()
    cases = [(["a"], 2, "at least 8 characters"), (["%%%%%%%%"], 2, "at least 8 characters"),
             (["________"], 2, "at least 8 characters"), ([sha[:8]], 2, f"{sha[:8]}: matches 3 raw files"),
             ([sha[:12], sha[:8]], 2, "matches 3 raw files"),  # one unclear name stops the others too
             ([sha[:12], "abcdef0123"], 1, "abcdef0123: no raw file matches")]
    for names, code, message in cases:
        result = runner.invoke(app, ["reprocess", *names, "--db", str(db)])
        [line] = [ln for ln in result.output.splitlines() if ln.strip()]
        assert result.exit_code == code and line.startswith("error ") and message in line, (names, result.output)
        assert table_checksums(db) == before, names  # nothing marked, loaded or even recorded
    refused = runner.invoke(app, ["quarantine", "release", "%%%%%%%%", "--db", str(db)])
    assert refused.exit_code == 2 and "at least 8 characters" in refused.output  # the same rule
    done = runner.invoke(app, ["reprocess", sha[:8].upper() + sha[8:12], "--db", str(db)])
    assert done.exit_code == 0, done.output
    with reader(db) as con:
        assert con.execute("SELECT flow, status FROM runs").fetchall() == [("reprocess", "ok")]
