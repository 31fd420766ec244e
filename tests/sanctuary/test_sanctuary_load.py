"""Loading the sanctuary lists and laws: counts, resolution, evidence, idempotence, withdrawals."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sanctuary_paths import DHS_HTML

from flows.sanctuary.load import ingest
from flows.sanctuary.resolve import resolve_entry
from flows.sanctuary.state_laws import StateLawError, read_state_laws
from spiders.archive import RawArchive
from warehouse.db import reader


def test_counts_and_resolution(loaded):
    db, _raw, summary = loaded
    dhs = summary["lists"]["dhs_sanctuary_jurisdictions"]
    doj = summary["lists"]["doj_sanctuary_jurisdictions"]
    assert dhs["listings"] == 605 and doj["listings"] == 35
    assert dhs["resolution_rate"] >= 0.98 and doj["resolution_rate"] >= 0.98
    assert summary["errors"] == [] and summary["laws"] == len(read_state_laws())
    with reader(db) as con:
        q = "SELECT level, count(*) FROM sanctuary_listings WHERE list_id = ? GROUP BY 1"
        assert dict(con.execute(q, ["dhs_sanctuary_jurisdictions"]).fetchall()) == {
            "state": 14, "county": 391, "city": 199, "local": 1}
        assert dict(con.execute(q, ["doj_sanctuary_jurisdictions"]).fetchall()) == {
            "state": 13, "county": 4, "city": 18}
        assert con.execute("SELECT count(DISTINCT state) FROM sanctuary_listings "
                           "WHERE list_id = 'dhs_sanctuary_jurisdictions'").fetchone()[0] == 36
        # every unresolved listing carries its reason
        assert con.execute("SELECT count(*) FROM sanctuary_listings WHERE (county_fips IS NULL AND level <> 'state' "
                           "OR state_fips IS NULL) AND unresolved_reason IS NULL").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM sanctuary_entries").fetchone()[0] == 606 + 35
        dates = con.execute("SELECT list_id, min(listed_on), max(listed_on) FROM sanctuary_listings GROUP BY 1 "
                            "ORDER BY 1").fetchall()
        assert [(d[0], str(d[1]), str(d[2])) for d in dates] == [
            ("dhs_sanctuary_jurisdictions", "2025-05-29", "2025-05-29"),
            ("doj_sanctuary_jurisdictions", "2025-08-05", "2025-08-05")]


@pytest.mark.parametrize(("state", "level", "name", "county"), [
    ("AK", "city", "City of Anchorage", "02020"),
    ("CO", "city", "Town of Vail", "08037"),
    ("NV", "city", "Las Vegas City", "32003"),
    ("LA", "city", "New Orleans/Orleans (Parish)", "22071"),
    ("KS", "city", "Lawrence", "20045"),
    ("KS", "county", "Douglas County", "20045"),
    ("GA", "county", "Athens-Clarke County", "13059"),
    ("VA", "county", "Richmond County", "51159"),
    ("VA", "city", "Richmond", "51760"),
    ("MD", "city", "Baltimore City", "24510"),
    ("DC", "local", "", "11001"),
])
def test_quirky_names_resolve(state, level, name, county):
    assert resolve_entry(state, level, name).county_fips == county


def test_named_overrides_csv_is_valid():
    from flows.jurisdictions import geography
    from flows.jurisdictions.resolve import NAMED_OVERRIDES_CSV, load_overrides

    counties = {c["county_fips"]: c["state"] for c in geography.counties()}
    overrides = load_overrides(NAMED_OVERRIDES_CSV, name_column="name")
    assert overrides
    for (state, _), ov in overrides.items():
        assert ov.level in ("county", "place") and ov.evidence and len(ov.evidence) > 30
        assert counties[ov.county_fips] == state, ov


def test_entries_the_tables_cannot_match_use_reviewed_rows_and_others_say_why():
    edmonston = resolve_entry("MD", "city", "Edmonston")  # not a USPS city (ZIP 20781 is Hyattsville)
    assert (edmonston.method, edmonston.county_fips, edmonston.place_name) == ("override", "24033", "Edmonston")
    assert resolve_entry("GA", "county", "Athens-Clarke County").method == "override"
    nowhere = resolve_entry("MD", "city", "Nowhereville")
    assert nowhere.county_fips is None and "USPS city" in nowhere.reason
    assert "unknown state" in resolve_entry("XX", "county", "Some County").reason


def test_each_listing_links_to_its_archived_document(loaded):
    db, raw, _ = loaded
    archive = RawArchive(raw)
    with reader(db) as con:
        shas = {r[0] for r in con.execute("SELECT first_raw_sha256 FROM sanctuary_listings_evidence").fetchall()}
    assert len(shas) == 2
    assert archive.read(next(iter(s for s in shas))) in (DHS_HTML.read_bytes(),
                                                         DHS_HTML.with_name("doj_sanctuary_2025-08-05.html").read_bytes())


def _dump(db: Path) -> dict:
    with reader(db) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("policy_sources", "sanctuary_entries", "sanctuary_listings", "state_laws")}


def test_loading_twice_changes_nothing(tmp_path, sample_dir):
    db, raw = tmp_path / "w.duckdb", tmp_path / "raw"
    first = ingest(db, raw, sample_dir=sample_dir)
    before = _dump(db)
    second = ingest(db, raw, sample_dir=sample_dir)
    assert first["changed"] is True and second["changed"] is False
    assert _dump(db) == before


def test_later_copy_that_drops_an_entry_records_the_withdrawal(tmp_path, sample_dir):
    db, raw = tmp_path / "w.duckdb", tmp_path / "raw"
    ingest(db, raw, sample_dir=sample_dir)
    later = DHS_HTML.read_bytes().replace(b"<li>Town of Vail</li>", b"", 1)
    (sample_dir / "dhs_sanctuary_2025-06-02.html").write_bytes(later)
    summary = ingest(db, raw, sample_dir=sample_dir)
    assert summary["lists"]["dhs_sanctuary_jurisdictions"]["withdrawn"] == 1
    with reader(db) as con:
        row = con.execute("SELECT name_as_printed, listed_on, last_seen_on, withdrawn_on FROM sanctuary_listings "
                          "WHERE withdrawn_on IS NOT NULL").fetchall()
        assert [(r[0], str(r[1]), str(r[2]), str(r[3])) for r in row] == [
            ("Town of Vail", "2025-05-29", "2025-05-29", "2025-06-02")]
        kept = con.execute("SELECT listed_on, last_seen_on FROM sanctuary_listings "
                           "WHERE name_as_printed = 'Boulder'").fetchone()
        assert (str(kept[0]), str(kept[1])) == ("2025-05-29", "2025-06-02")


def test_removed_page_withdraws_every_entry(tmp_path, sample_dir):
    db, raw = tmp_path / "w.duckdb", tmp_path / "raw"
    (sample_dir / "dhs_sanctuary_2025-06-13.html").write_bytes(
        b"<html><head><title>Page Not Found | Homeland Security</title></head><body><h1>Page Not Found</h1></body></html>")
    summary = ingest(db, raw, sample_dir=sample_dir)
    assert summary["errors"] == []
    assert summary["lists"]["dhs_sanctuary_jurisdictions"]["withdrawn"] == 605
    assert summary["lists"]["doj_sanctuary_jurisdictions"]["withdrawn"] == 0


def test_bad_document_is_reported_and_the_batch_goes_on(tmp_path, sample_dir):
    (sample_dir / "doj_sanctuary_2025-09-01.html").write_bytes(b"<html><body><p>An unrelated page</p></body></html>")
    summary = ingest(tmp_path / "w.duckdb", tmp_path / "raw", sample_dir=sample_dir)
    assert len(summary["errors"]) == 1 and "no STATES/COUNTIES/CITIES" in summary["errors"][0]
    assert summary["lists"]["dhs_sanctuary_jurisdictions"]["listings"] == 605


def test_an_unmatched_entry_loads_as_unresolved_and_the_rest_loads_too(tmp_path, sample_dir):
    from typer.testing import CliRunner

    from flows.cli import app

    doj = sample_dir / "doj_sanctuary_2025-08-05.html"
    doj.write_bytes(doj.read_bytes().replace(b"<li>Seattle, WA</li>", b"<li>Seattle, WA</li><li>Zzyzxville, WA</li>", 1))
    db = tmp_path / "w.duckdb"
    summary = ingest(db, tmp_path / "raw", sample_dir=sample_dir)
    assert summary["errors"] == []
    doj_summary = summary["lists"]["doj_sanctuary_jurisdictions"]
    assert (doj_summary["listings"], doj_summary["resolved"]) == (36, 35)
    (line,) = doj_summary["unresolved"]
    assert line.startswith("WA city 'Zzyzxville': ") and "\n" not in line
    assert summary["lists"]["dhs_sanctuary_jurisdictions"]["listings"] == 605
    with reader(db) as con:
        row = con.execute("SELECT method, county_fips, unresolved_reason FROM sanctuary_listings "
                          "WHERE name_as_printed = 'Zzyzxville'").fetchone()
    assert row[0] is None and row[1] is None and "Zzyzxville" in row[2]
    res = CliRunner().invoke(app, ["sanctuary", "unresolved", "--db", str(db)])
    assert res.exit_code == 0 and "Zzyzxville" in res.stdout


def test_a_later_copy_printing_states_otherwise_withdraws_nothing_and_an_odd_line_shows(tmp_path, sample_dir):
    doj = (sample_dir / "doj_sanctuary_2025-08-05.html").read_bytes()
    later = (doj.replace(b"<li>Hoboken, NJ</li>", b"<li>Hoboken, N.J.</li><li>Gotham</li>", 1)
                .replace(b"<li>Jersey City, NJ</li>", b"<li>Jersey City, New Jersey</li>", 1))
    (sample_dir / "doj_sanctuary_2025-09-01.html").write_bytes(later)
    summary = ingest(tmp_path / "w.duckdb", tmp_path / "raw", sample_dir=sample_dir)
    doj_summary = summary["lists"]["doj_sanctuary_jurisdictions"]
    assert summary["errors"] == [] and doj_summary["copies"] == 2
    assert doj_summary["withdrawn"] == 0  # Hoboken and Jersey City and every entry after them are still listed
    assert doj_summary["unresolved"] == [" city 'Gotham': printed as 'Gotham', with no state the parser could read"]
    with reader(tmp_path / "w.duckdb") as con:
        hoboken = con.execute("SELECT last_seen_on, withdrawn_on FROM sanctuary_listings "
                              "WHERE list_id = 'doj_sanctuary_jurisdictions' AND entry_key = 'NJ|city|hoboken'").fetchone()
        gotham = con.execute("SELECT state, listed_on, note FROM sanctuary_listings "
                             "WHERE name_as_printed = 'Gotham'").fetchone()
    assert (str(hoboken[0]), hoboken[1]) == ("2025-09-01", None)
    assert (gotham[0], str(gotham[1]), gotham[2]) == ("", "2025-09-01", "not read as 'Name, State'")


def test_migration_070_lets_an_existing_warehouse_keep_unresolved_listings(tmp_path):
    import duckdb

    from warehouse.db import migrate, migration_files

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    for mig in migration_files():
        if mig.name < "070":  # the schema as it stood before
            con.execute(mig.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations VALUES (?, now())", [mig.name])
    listing = ("doj_sanctuary_jurisdictions", "WA|city|{}", "DOJ:x", "DOJ:x", "city", "WA", "{}", "2025-08-05")
    insert = ("INSERT INTO sanctuary_listings (list_id, entry_key, source_id, last_source_id, level, state, "
              "name_as_printed, listed_on, last_seen_on, method) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    con.execute(insert, [*[v.format("seattle") for v in listing], "2025-08-05", "zip_city"])
    assert "070_sanctuary_unresolved_method.sql" in migrate(con)
    con.execute(insert, [*[v.format("zzyzxville") for v in listing], "2025-08-05", None])
    con.close()
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT entry_key, method FROM sanctuary_listings ORDER BY 1").fetchall() == [
        ("WA|city|seattle", "zip_city"), ("WA|city|zzyzxville", None)]
    con.close()


def test_archived_spider_captures_are_loaded(tmp_path):
    raw = tmp_path / "raw"
    RawArchive(raw).put(DHS_HTML.read_bytes(), source="dhs_sanctuary",
                        url="https://web.archive.org/web/20250531010203id_/https://www.dhs.gov/sanctuary-jurisdictions",
                        file_name="dhs_sanctuary_20250531010203.html")
    empty = tmp_path / "empty"
    empty.mkdir()
    summary = ingest(tmp_path / "w.duckdb", raw, sample_dir=empty)
    assert summary["lists"]["dhs_sanctuary_jurisdictions"]["listings"] == 605
    with reader(tmp_path / "w.duckdb") as con:
        assert str(con.execute("SELECT as_of FROM policy_sources WHERE list_id IS NOT NULL").fetchone()[0]) == "2025-05-31"


def test_state_laws_table_is_checked(tmp_path):
    laws = read_state_laws()
    by = {(law.state, law.direction) for law in laws}
    assert {("CA", "bans_287g"), ("IL", "bans_287g"), ("NJ", "bans_287g"), ("TX", "mandates_287g"),
            ("FL", "mandates_287g")} <= by
    sb8 = next(law for law in laws if law.state == "TX" and law.direction == "mandates_287g")
    assert str(sb8.compliance_deadline) == "2026-12-01"
    assert all(law.source_url.startswith("https://") for law in laws)
    bad = tmp_path / "laws.csv"
    shutil.copy(Path(__file__).resolve().parents[2] / "flows" / "reference" / "state_laws.csv", bad)
    bad.write_text(bad.read_text(encoding="utf-8").replace(",bans_287g,", ",forbids,", 1), encoding="utf-8")
    with pytest.raises(StateLawError, match="direction"):
        read_state_laws(bad)


def test_a_mandate_says_whom_it_binds(tmp_path):
    laws = {law.name: law for law in read_state_laws()}
    assert laws["SB 8 (89th Legislature) 287(g) agreements for sheriffs"].binds == "sheriff"
    assert {law.binds for law in laws.values() if law.state == "FL" and law.direction == "mandates_287g"} == {
        "sheriff;county_corrections"}
    real = (Path(__file__).resolve().parents[2] / "flows" / "reference" / "state_laws.csv").read_text(encoding="utf-8")
    bad = tmp_path / "laws.csv"
    for find, change, message in (
            (",mandates_287g,sheriff,", ",mandates_287g,,", "a mandate binds one or more of sheriff, county_corrections"),
            (",mandates_287g,sheriff,", ",mandates_287g,constable,", "a mandate binds one or more of"),
            (",bans_287g,,", ",bans_287g,sheriff,", "binds is only for a mandates_287g law")):
        bad.write_text(real.replace(find, change, 1), encoding="utf-8")
        with pytest.raises(StateLawError, match=message):
            read_state_laws(bad)


def test_a_live_crawl_that_fails_is_one_line_and_the_archive_still_loads(tmp_path, sample_dir, network_down, capfd):
    summary = ingest(tmp_path / "w.duckdb", tmp_path / "raw", live=True, sample_dir=sample_dir)
    dhs, doj = summary["errors"]
    assert dhs.startswith("crawl failed: dhs_sanctuary: 1 download(s) failed: https://web.archive.org/cdx/search/cdx?")
    assert doj.startswith("crawl failed: doj_sanctuary: 2 download(s) failed: ")  # the page and its captures
    assert "https://www.justice.gov/opa/pr/" in doj and "https://web.archive.org/cdx/search/cdx?" in doj
    for error in (dhs, doj):
        assert "(DownloadConnectionRefusedError: Connection was refused" in error
        assert error.endswith("; loading what is archived")
    # the copies already archived are loaded all the same
    assert {k: v["listings"] for k, v in summary["lists"].items()} == {
        "dhs_sanctuary_jurisdictions": 605, "doj_sanctuary_jurisdictions": 35}
    out, err = capfd.readouterr()
    assert "[scrapy" not in out + err  # Scrapy's log is in the crawl's log file, not on the terminal
    logs = list((Path(os.environ["TRACKER_DATA_DIR"]) / "feeds").glob("dhs_sanctuary-*.jsonl.log"))
    assert logs and "Gave up retrying" in max(logs, key=lambda p: p.stat().st_mtime).read_text()


def test_a_repeal_before_the_law_took_effect_is_refused(tmp_path):
    real = (Path(__file__).resolve().parents[2] / "flows" / "reference" / "state_laws.csv").read_text(encoding="utf-8")
    bad = tmp_path / "laws.csv"
    bad.write_text(real.replace(",2017-10-05,2018-01-01,,", ",2017-10-05,2018-01-01,2017-12-31,", 1), encoding="utf-8")
    with pytest.raises(StateLawError, match="laws.csv:3: repealed 2017-12-31 is before effective 2018-01-01"):
        read_state_laws(bad)
