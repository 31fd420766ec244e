"""The news load: idempotent, syndicated copies count once, FTS search, the signing → listing link."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.news.load import ingest
from spiders.archive import RawArchive
from tests.news.conftest import SAMPLE_NEWS

REPO = Path(__file__).resolve().parents[2]

STORY = """<html><head><title>{title}</title><meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="{day}T10:00:00Z">{canonical}</head><body>
<nav>Home | News | Sports | {outlet} Weather</nav><article><h1>{title}</h1>
<p>{lead}Commissioners in Example County voted 4-1 on Tuesday to approve a 287(g) agreement that lets trained jail
deputies screen people booked into the county jail for immigration status.</p>
<p>The sheriff told the board the agreement with U.S. Immigration and Customs Enforcement would cost the county
nothing beyond training time for six deputies.</p>
<p>Several residents spoke against the plan during nearly two hours of public comment, saying it would make
immigrant families afraid to call for help.</p>
<p>The agreement now goes to ICE for signature, and training could begin within weeks.</p></article>
<footer>{outlet} © 2025</footer></body></html>"""


def _story(outlet: str, lead: str = "", canonical: str = "") -> bytes:
    return STORY.format(title="Example County approves 287(g) agreement", outlet=outlet, day="2025-03-05",
                        lead=lead, canonical=canonical).encode()


def _syndicated_archive(root: Path) -> None:
    arch = RawArchive(root)
    arch.put(_story("Example Gazette", "EXAMPLE CITY, Texas — "), source="gdelt",
             url="https://gazette.example/news/2025/03/05/example-county-287g", file_name="a.html")
    arch.put(_story("Valley Herald", "(AP) — "), source="gdelt",
             url="https://herald.example/story/example-county-approves-287g?utm_source=wire", file_name="b.html")
    arch.put(_story("Metro Daily", "From the wire: "), source="google_news",
             url="https://metro.example/wire/12345.html", file_name="c.html")
    # the first copy again, under a tracking URL, pointing at its canonical link
    arch.put(_story("Example Gazette", "EXAMPLE CITY, Texas — ",
                    '<link rel="canonical" href="https://gazette.example/news/2025/03/05/example-county-287g">'),
             source="gdelt", url="https://gazette.example/news/2025/03/05/example-county-287g?fbclid=zz", file_name="d.html")


def test_syndicated_story_under_three_urls_counts_once(tmp_path):
    _syndicated_archive(tmp_path / "raw")
    db = tmp_path / "w.duckdb"
    summary = ingest(db, tmp_path / "raw", sample_dir=tmp_path / "no-sample")
    assert summary["articles"] == 3 and summary["originals"] == 1 and summary["duplicates"] == 2
    con = duckdb.connect(str(db))
    try:
        assert con.execute("SELECT sum(articles) FROM monthly_news WHERE event_kind = 'board_approved'").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM news_articles").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM documents WHERE status = 'duplicate'").fetchone()[0] == 1
        (month, state, kind, n), = con.execute(
            "SELECT * FROM monthly_news WHERE event_kind = 'board_approved'").fetchall()
        assert (month, state, n) == (date(2025, 3, 1), "TX", 1)
    finally:
        con.close()


def test_ingest_sample_is_idempotent_and_searchable(tmp_path):
    db, raw = tmp_path / "w.duckdb", tmp_path / "raw"
    first = ingest(db, raw, sample_dir=SAMPLE_NEWS)
    assert first["sample_imported"] == len((SAMPLE_NEWS / "manifest.csv").read_text().splitlines()) - 1
    tables = ("documents", "articles", "article_mentions", "article_events")

    def snapshot():
        con = duckdb.connect(str(db))
        try:
            return {t: sorted(map(str, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
        finally:
            con.close()

    before = snapshot()
    second = ingest(db, raw, sample_dir=SAMPLE_NEWS)
    assert second["sample_imported"] == 0
    assert snapshot() == before
    assert first["search_index"] == "built"

    from flows.news.search import search
    from warehouse.db import reader

    with reader(db) as con:
        hits = search(con, "Sweetwater task force")
    assert hits and "joins ICE task force" in hits[0]["title"]
    with reader(db) as con:  # every word must appear, unless any will do
        assert search(con, "Sweetwater Zanzibar") == []
        assert [h["title"] for h in search(con, "Sweetwater Zanzibar", every_word=False)] == [hits[0]["title"]]
    # the CLI, read-only, in a subprocess
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "search", "Smith County", "--db", str(db), "--json"],
                          capture_output=True, text=True, timeout=120, check=True, cwd=REPO)
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows and rows[0]["title"].startswith("Smith County")
    table = subprocess.run([sys.executable, "-m", "flows.cli", "search", "Smith County", "--db", str(db)],
                           capture_output=True, text=True, timeout=120, check=True, cwd=REPO)
    assert f"  {rows[0]['published_on']}  " in table.stdout  # the date as a date, not a strftime of '<10'
    as_csv = subprocess.run([sys.executable, "-m", "flows.cli", "search", "Smith County", "--db", str(db), "-f", "csv"],
                            capture_output=True, text=True, timeout=120, check=True, cwd=REPO)
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["title"] for r in parsed] == [r["title"] for r in rows] and parsed[0]["url"] == rows[0]["url"]


def test_a_search_index_that_cannot_be_built_is_an_error_and_the_articles_still_load(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.news.search import FtsUnavailable, search
    from warehouse.db import reader

    monkeypatch.setitem(sys.modules, "duckdb_extension_fts", None)  # the extension's package is missing
    summary = ingest(tmp_path / "w.duckdb", tmp_path / "raw", sample_dir=SAMPLE_NEWS)
    reason = "package duckdb-extension-fts is not installed"
    error = f"search index not built (`tracker search` will not work): {reason}"
    assert summary["errors"] == [error]
    assert summary["search_index"] == f"unavailable: {reason}" and summary["articles"] > 0
    # the command says so and exits 1
    args = ["news-ingest", "--db", str(tmp_path / "w.duckdb"), "--raw", str(tmp_path / "raw")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and f"error {error}" in result.output
    monkeypatch.undo()
    with reader(tmp_path / "w.duckdb") as con, pytest.raises(FtsUnavailable, match="tracker news-ingest"):
        search(con, "task force")


def test_malformed_documents_are_skipped_with_reason(tmp_path):
    raw = tmp_path / "raw"
    arch = RawArchive(raw)
    arch.put((REPO / "tests/fixtures/news/responses/entity_bomb.xml").read_bytes(), source="agency_news",
             url="https://example.org/feed.xml", file_name="feed.xml")
    arch.put(b"<html><body><div>menu only</div></body></html>", source="gdelt", url="https://example.org/a",
             file_name="a.html")
    summary = ingest(tmp_path / "w.duckdb", raw, sample_dir=tmp_path / "none")
    assert summary["skipped"] == 2 and summary["articles"] == 0
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    reasons = dict(con.execute("SELECT url, reason FROM documents").fetchall())
    con.close()
    assert "entit" in reasons["https://example.org/feed.xml"].lower()
    assert reasons["https://example.org/a"]


def test_signing_announced_then_listed_by_ice_gives_lag(tmp_path):
    try:
        from warehouse.load import load_paths
    except ImportError:
        pytest.skip("warehouse/load.py load_paths (the lead's ICE loader) does not exist yet")
    db, raw = tmp_path / "w.duckdb", tmp_path / "raw"
    ice = REPO / "sample" / "ice_287g"
    # Only the 2025 lists around the story are needed: keep the test fast.
    import csv

    rows = [r for r in csv.DictReader((ice / "manifest.csv").open()) if "2025-02-01" <= r["as_of"] <= "2025-07-31"]
    manifest = tmp_path / "manifest.csv"
    with manifest.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    report = load_paths(db, [ice / r["path"] for r in rows], manifest=manifest, raw_root=raw)
    assert report.ok
    ingest(db, raw, sample_dir=SAMPLE_NEWS)
    con = duckdb.connect(str(db))
    try:
        row = con.execute("""
            SELECT e.event_kind, e.agency_id, e.agreement_id, e.listed_on, e.lag_days
            FROM article_events e JOIN articles a USING (article_id)
            WHERE a.title LIKE 'Sheriff''s office joins ICE task force%'""").fetchone()
        smith = con.execute("""
            SELECT e.event_date, e.agreement_id, e.lag_days FROM article_events e JOIN articles a USING (article_id)
            WHERE a.title LIKE 'Smith County%' AND e.event_kind = 'signed_or_joined'""").fetchone()
    finally:
        con.close()
    assert row[0] == "signed_or_joined"
    assert row[2].startswith("WY:sweetwater-county-sheriff") and row[2].endswith(":TFM")
    assert row[3] == date(2025, 5, 29) and row[4] == 42
    assert smith == (date(2025, 2, 18), smith[1], -4) and smith[1].endswith(":TFM")


def test_a_live_crawl_that_fails_is_reported_and_the_archive_still_loads(tmp_path, network_down, monkeypatch, capfd):
    import flows.news.load as news

    # One spider that asks for something (dhs_news, two listing pages) and one with nothing to ask
    # (agency_news: every source row is disabled), which is not a failure.
    monkeypatch.setattr(news, "NEWS_SPIDERS", ("dhs_news", "agency_news"))
    news.import_sample(RawArchive(tmp_path / "raw"), SAMPLE_NEWS)  # articles archived by earlier crawls
    summary = ingest(tmp_path / "w.duckdb", tmp_path / "raw", live=True, sample_dir=SAMPLE_NEWS)
    (error,) = summary["errors"]
    assert error.startswith("crawl failed: dhs_news: 2 download(s) failed: https://www.dhs.gov/")
    assert "(DownloadConnectionRefusedError: Connection was refused" in error
    assert summary["spiders"]["agency_news"] == "ok" and summary["spiders"]["dhs_news"] in error
    assert summary["articles"] > 0  # what the archive holds is loaded all the same
    out, err = capfd.readouterr()
    assert "[scrapy" not in out + err
