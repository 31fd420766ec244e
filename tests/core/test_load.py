"""The loader's guarantees: one transaction, idempotent, order-independent, bad input isolated."""

import hashlib
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from bench import synth
from tests.conftest import REPO, SAMPLE
from warehouse.load import load_paths

PART = SAMPLE / "ice_287g" / "participating"
PEND = SAMPLE / "ice_287g" / "pending"
SOME = [
    PART / "ParticipatingEntities-20250119192356.xlsx",
    PART / "participatingAgencies-20250221214937.xlsx",
    PART / "participatingAgencies-20250317231040.xlsx",
    PART / "participatingAgencies04302025pm.xlsx",
    PART / "participatingAgencies05292025am.xlsx",
    PEND / "pendingAgencies04302025pm.xlsx",
    PEND / "pendingAgencies05292025am.xlsx",
    PEND / "pendingAgencies05302025pm.xlsx",
]
DERIVED = ["agencies", "agency_names", "agreements", "agreement_periods", "agreement_events", "agreement_reviews"]
ALL_TABLES = ["raw_files", "snapshots", "snapshot_names", "snapshot_rows", *DERIVED]


def fingerprint(db, tables=ALL_TABLES) -> dict[str, str]:
    """A content hash of each table (order-insensitive), ignoring load timestamps."""
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for t in tables:
        cols = [c[0] for c in con.execute(f"DESCRIBE {t}").fetchall() if c[0] not in ("loaded_at",)]
        rows = sorted(map(repr, con.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall()))
        out[t] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    con.close()
    return out


def test_second_load_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    first = load_paths(db, SOME, raw_root=tmp_path / "raw")
    assert first.ok and len(first.loaded) == len(SOME)
    before = fingerprint(db)
    again = load_paths(db, SOME, raw_root=tmp_path / "raw")
    assert {r.status for r in again.results} == {"unchanged"}
    assert not again.derived
    assert fingerprint(db) == before


def test_a_rerun_writes_nothing_and_a_new_sighting_is_recorded(tmp_path, monkeypatch):
    """Sightings already in the warehouse are not written again; the same bytes seen at a new time are."""
    import os

    import warehouse.load

    folder = tmp_path / "in"
    folder.mkdir()
    for f in SOME[:2]:
        shutil.copy(f, folder)
    db = tmp_path / "w.duckdb"
    load_paths(db, [folder], raw_root=tmp_path / "raw")
    inserted: list[tuple[str, int]] = []
    insert = warehouse.load._insert

    def counting(con, table, columns, conflict=""):
        inserted.append((table, len(next(iter(columns.values())))))
        insert(con, table, columns, conflict)

    monkeypatch.setattr(warehouse.load, "_insert", counting)
    load_paths(db, [folder], raw_root=tmp_path / "raw")
    assert inserted == []
    touched = sorted(folder.iterdir())[0]
    os.utime(touched, (touched.stat().st_atime, touched.stat().st_mtime + 3600))
    load_paths(db, [folder], raw_root=tmp_path / "raw")
    assert inserted == [("raw_files", 1), ("raw_file_sightings", 1)]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), count(DISTINCT sha256) FROM raw_file_sightings").fetchone() == (3, 2)
    assert con.execute("SELECT count(*) FROM raw_files").fetchone() == (2,)
    con.close()


def test_changed_derive_code_rebuilds_the_derived_tables_at_the_next_load(tmp_path, monkeypatch):
    """A fixed derive rule reaches an existing warehouse at its next run, though no snapshot changed."""
    import flows.derive

    db = tmp_path / "w.duckdb"
    load_paths(db, SOME[:3], raw_root=tmp_path / "raw")
    con = duckdb.connect(str(db))
    con.execute("UPDATE agreements SET status = 'tampered'")  # what an older rule would have left behind
    con.close()
    again = load_paths(db, SOME[:3], raw_root=tmp_path / "raw")  # same code: nothing is rebuilt
    assert not again.derived
    monkeypatch.setattr(flows.derive, "signature", lambda: "code of a newer release")
    again = load_paths(db, SOME[:3], raw_root=tmp_path / "raw")
    assert again.derived and {r.status for r in again.results} == {"unchanged"}
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT DISTINCT status FROM agreements ORDER BY 1").fetchall() == [("active",), ("ended",)]
    assert con.execute("SELECT signature FROM derived_with").fetchall() == [("code of a newer release",)]
    con.close()
    assert not load_paths(db, SOME[:3], raw_root=tmp_path / "raw").derived


def test_loading_in_any_order_gives_the_same_warehouse(tmp_path):
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    load_paths(a, SOME, raw_root=tmp_path / "raw")
    for f in reversed(SOME):  # newest first, one file per load
        load_paths(b, [f], raw_root=tmp_path / "raw")
    assert fingerprint(a, ["snapshots", "snapshot_rows", *DERIVED]) == fingerprint(b, ["snapshots", "snapshot_rows", *DERIVED])


def test_same_content_in_either_name_order_is_dated_by_the_earliest(tmp_path):
    for order in (["pendingAgencies-20250228192630.xlsx", "pendingAgencies-20250221214937.xlsx"],
                  ["pendingAgencies-20250221214937.xlsx", "pendingAgencies-20250228192630.xlsx"]):
        db = tmp_path / f"{order[0]}.duckdb"
        for name in order:
            load_paths(db, [PEND / name], raw_root=tmp_path / "raw")
        con = duckdb.connect(str(db), read_only=True)
        rows = con.execute("SELECT file_name, as_of, len(file_names) FROM snapshots").fetchall()
        con.close()
        assert rows == [("pendingAgencies-20250221214937.xlsx", date(2025, 2, 21), 2)]


@pytest.fixture
def bad_batch(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(PART / "participatingAgencies04302025pm.xlsx", folder)
    good = (PART / "participatingAgencies05292025am.xlsx").read_bytes()
    (folder / "participatingAgencies05302025am.xlsx").write_bytes(good[: len(good) // 2])  # truncated
    (folder / "participatingAgencies06012025am.xlsx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)  # corrupt
    (folder / "participatingAgencies06022025am.xlsx").write_bytes(synth.workbook([["a", "b"]], header=["NAME", "CITY"]))
    (folder / "participatingAgencies06032025am.xlsx").write_bytes(synth.workbook([], sheet=synth.sheet_xml([])))  # empty sheet
    (folder / "participatingAgencies06042025am.xlsx").write_bytes(b"<html><body>Access denied</body></html>")
    (folder / "participatingAgencies06052025am.xlsx").write_bytes(  # 8 MiB of zeros packed into a few KiB
        synth.workbook([], extra_members={"xl/media/image1.bin": b"\0" * (8 * 1024 * 1024)}))
    return folder


def test_bad_files_fail_alone_with_one_line_errors(tmp_path, bad_batch):
    db = tmp_path / "w.duckdb"
    report = load_paths(db, [bad_batch], raw_root=tmp_path / "raw")
    assert not report.ok
    failed = {r.file_name: r.error for r in report.failed}
    assert len(failed) == 6
    expect = {
        "participatingAgencies05302025am.xlsx": "corrupt or truncated",
        "participatingAgencies06012025am.xlsx": "corrupt or truncated",
        "participatingAgencies06022025am.xlsx": "no recognisable header",
        "participatingAgencies06032025am.xlsx": "empty sheet",
        "participatingAgencies06042025am.xlsx": "not an xlsx",
        "participatingAgencies06052025am.xlsx": "zip bomb",
    }
    for name, reason in expect.items():
        assert name in failed[name] and reason in failed[name], failed[name]
        assert "\n" not in failed[name]
    con = duckdb.connect(str(db), read_only=True)
    # the good file loaded, nothing of the bad ones did, their raw bytes were kept
    assert con.execute("SELECT file_name FROM snapshots").fetchall() == [("participatingAgencies04302025pm.xlsx",)]
    statuses = dict(con.execute("SELECT file_name, parse_status FROM raw_files").fetchall())
    assert sum(1 for s in statuses.values() if s == "failed") == 6
    assert con.execute("SELECT count(*) FROM load_errors").fetchone()[0] == 6
    con.close()
    objects = list((tmp_path / "raw" / "objects").rglob("*"))
    assert sum(1 for p in objects if p.is_file()) == 7


def test_a_file_that_cannot_be_read_fails_alone(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    good = shutil.copy(SAMPLE / "ice_287g" / "pending" / "pendingAgencies05292025am.xlsx", folder)
    locked = shutil.copy(SAMPLE / "ice_287g" / "pending" / "pendingAgencies02272026am.xlsx", folder)
    real_open = Path.open

    def open_(self, *args, **kwargs):  # the tests run as root, which reads any file: refuse this one
        if self.name == Path(locked).name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    report = load_paths(tmp_path / "w.duckdb", [folder], raw_root=tmp_path / "raw")
    assert [r.error for r in report.failed] == [f"{locked}: cannot read the file (Permission denied)"]
    assert [r.file_name for r in report.loaded] == [Path(good).name]


def test_a_failing_derive_rolls_back_the_whole_batch(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    load_paths(db, SOME[:2], raw_root=tmp_path / "raw")
    before = fingerprint(db)

    def boom(con):
        raise RuntimeError("simulated crash during derive")

    import warehouse.derive_core

    monkeypatch.setattr(warehouse.derive_core, "derive", boom)
    with pytest.raises(RuntimeError):
        load_paths(db, SOME[2:], raw_root=tmp_path / "raw")
    assert fingerprint(db) == before


def test_a_batch_repeating_a_row_key_is_refused_whole(tmp_path, monkeypatch):
    """snapshot_rows has no index (migration 050): the loader checks the key on each batch instead."""
    import warehouse.load

    db = tmp_path / "w.duckdb"
    load_paths(db, SOME[:2], raw_root=tmp_path / "raw")
    before = fingerprint(db)
    clean = warehouse.load.ice_lists.clean_columns

    def twice(parsed, as_of):  # a (hypothetical) parser bug: the first row comes out twice
        cols = clean(parsed, as_of)
        return {f: [v[0], *v] for f, v in cols.items()}

    monkeypatch.setattr(warehouse.load.ice_lists, "clean_columns", twice)
    with pytest.raises(ValueError, match="would be written twice"):
        load_paths(db, SOME[2:4], raw_root=tmp_path / "raw")
    assert fingerprint(db) == before


def test_migration_050_keeps_every_row_of_an_indexed_snapshot_rows(tmp_path):
    from warehouse.db import migrate, migration_files

    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    for path in migration_files():
        if path.name < "050":  # the schema as it stood before
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations VALUES (?, now())", [path.name])
    con.execute("INSERT INTO snapshot_rows (snapshot_id, row_number, model, agency_name, signed) VALUES "
                "('s1', 2, 'TFM', 'A County Sheriff''s Office', DATE '2025-02-03'), ('s1', 3, 'JEM', 'B Police', NULL)")
    before = con.execute("SELECT * FROM snapshot_rows ORDER BY ALL").fetchall()
    assert "050_snapshot_rows_unindexed.sql" in migrate(con)
    assert con.execute("SELECT * FROM snapshot_rows ORDER BY ALL").fetchall() == before
    assert not con.execute("SELECT * FROM duckdb_constraints() WHERE table_name = 'snapshot_rows' "
                           "AND constraint_type = 'PRIMARY KEY'").fetchall()
    assert con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'snapshot_rows' "
                       "AND NOT is_nullable ORDER BY column_index").fetchall() == [("snapshot_id",), ("row_number",), ("model",)]
    assert con.execute("SELECT count(*) FROM snapshot_summary").fetchone() == (0,)  # views rebuilt over it
    con.close()


def test_the_writer_stores_text_without_fsst(tmp_path):
    """FSST's analysis took half of a backfill's commit; the writer's checkpoints store text by dictionary
    or plainly instead. Long distinct URLs are what FSST would otherwise be chosen for."""
    from warehouse.db import writer

    db = tmp_path / "w.duckdb"
    with writer(db) as con:
        con.execute("CREATE TABLE urls AS SELECT 'https://www.ice.gov/doc-library/287g/moa/' || i || "
                    "'-county-sheriffs-office-moa.pdf' AS url FROM range(60000) t(i)")
    con = duckdb.connect(str(db), read_only=True)
    used = {c for (c,) in con.execute("SELECT DISTINCT compression FROM pragma_storage_info('urls')").fetchall()}
    con.close()
    assert used and not {c for c in used if "FSST" in c.upper()}


def test_a_writer_commit_goes_into_the_database_file_not_the_log(tmp_path):
    """The load's data is written once, at its commit: no write-ahead log is left to replay at close."""
    from warehouse.db import writer

    db = tmp_path / "w.duckdb"
    wal = tmp_path / "w.duckdb.wal"
    with writer(db) as con:
        con.execute("BEGIN TRANSACTION")
        con.execute("CREATE TABLE urls AS SELECT 'https://www.ice.gov/' || i AS url FROM range(50000) t(i)")
        con.execute("COMMIT")
        assert not wal.exists() or wal.stat().st_size == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM urls").fetchone() == (50000,)
    con.close()


def test_times_are_stored_in_utc_whatever_the_machine_zone(tmp_path):
    """A load on a machine set to New York time stores the file's fetch time (its modification time)
    and the load time in UTC, as the archive's log and the data dictionary have them."""
    import os
    import subprocess
    import sys
    from datetime import UTC, datetime

    src = SAMPLE / "ice_287g" / "pending" / "pendingAgencies05292025am.xlsx"
    db = tmp_path / "w.duckdb"
    code = ("import sys; from warehouse.load import load_paths; "
            "load_paths(sys.argv[1], [sys.argv[2]], raw_root=sys.argv[3])")
    env = dict(os.environ, TZ="America/New_York", TRACKER_DATA_DIR=str(tmp_path / "data"))
    subprocess.run([sys.executable, "-c", code, str(db), str(src), str(tmp_path / "raw")], env=env, check=True,
                   cwd=REPO, timeout=300)
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    fetched, seen, loaded = con.execute(
        "SELECT r.fetched_at, f.fetched_at, s.loaded_at FROM raw_files r JOIN raw_file_sightings f USING (sha256) "
        "JOIN snapshots s USING (sha256)").fetchone()
    con.close()
    mtime = datetime.fromtimestamp(src.stat().st_mtime, UTC).replace(microsecond=0, tzinfo=None)
    assert fetched == seen == mtime
    assert abs((datetime.now(UTC).replace(tzinfo=None) - loaded).total_seconds()) < 600


def test_a_small_batch_goes_in_on_one_thread_and_the_setting_comes_back():
    from warehouse.load import ROW_GROUP_ROWS, _one_thread_if_small

    con = duckdb.connect()
    con.execute("SET threads = 2")
    threads = lambda: con.execute("SELECT current_setting('threads')").fetchone()[0]  # noqa: E731
    with _one_thread_if_small(con, 26_652):
        assert threads() == 1
    assert threads() == 2
    with pytest.raises(ValueError), _one_thread_if_small(con, 10):
        raise ValueError("refused batch")
    assert threads() == 2
    with _one_thread_if_small(con, ROW_GROUP_ROWS):  # a large batch keeps every thread
        assert threads() == 2
