"""CLI commands for the news area: classify, search, news-ingest, news-bench."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `tracker` app."""

    @app.command("classify")
    def classify_cmd() -> None:
        """Classify lines of text from stdin: one JSON object per line (text, event_kind, confidence, span)."""
        from flows.news.classify import classify_text

        for line in sys.stdin:
            text = line.rstrip("\n")
            if not text.strip():
                continue
            ev = classify_text(text)
            print(json.dumps({"text": text, "event_kind": ev.event_kind, "confidence": ev.confidence,
                              "span": ev.span}, ensure_ascii=False), flush=True)

    @app.command("search")
    def search_cmd(
        query: str = typer.Argument(..., help="words to find in article titles and text"),
        limit: int = typer.Option(20, min=1, help="most results"),
        db: Path = typer.Option(None, help="warehouse file (default: TRACKER_DB or data/warehouse.duckdb)"),
        fmt: str = typer.Option("table", "--format", "-f", help="table | csv | json (one object per line)"),
        as_json: bool = typer.Option(False, "--json", hidden=True, help="the same as --format json"),
        any_word: bool = typer.Option(False, "--any", help="match articles with any of the words, not all"),
    ) -> None:
        """Full-text search over news articles (BM25, originals only): articles holding every word."""
        from flows.commands.common import check_format, fail, render
        from flows.config import default_db
        from flows.news.search import FtsUnavailable, search
        from warehouse.db import reader

        fmt = "json" if as_json else check_format(fmt)
        try:
            with reader(db or default_db()) as con:
                rows = search(con, query, limit, every_word=not any_word)
        except FtsUnavailable as exc:  # a missing warehouse is cli_errors' (flows.cli), like everywhere
            raise fail(str(exc), 1) from None
        if rows and fmt != "table":
            typer.echo(render(list(rows[0]), [tuple(r.values()) for r in rows], fmt), nl=False)
        elif rows:  # two lines a hit: score, date, outlet and title, then the address
            for r in rows:
                published = str(r["published_on"] or "")  # a date's own format spec is strftime's
                typer.echo(f"{r['score']:>7}  {published:<10}  {(r['outlet'] or '')[:24]:<24}  "
                           f"{r['title']}\n         {r['url']}")
        if not rows:
            typer.echo("no matches", err=True)

    @app.command("news-ingest")
    def ingest_cmd(
        db: Path = typer.Option(None, help="warehouse file"),
        raw: Path = typer.Option(None, help="raw archive root"),
        live: bool = typer.Option(False, help="crawl the news spiders first (network)"),
    ) -> None:
        """Load archived news (and the bundled sample unless --live) into the warehouse."""
        from flows.config import default_db, raw_dir
        from flows.news.load import ingest

        summary = ingest(db or default_db(), raw or raw_dir(), live=live)
        typer.echo(json.dumps(summary, default=str, indent=1))
        for error in summary["errors"]:
            typer.echo(f"error {error}", err=True)
        if summary["errors"]:
            raise typer.Exit(1)

    @app.command("news-bench")
    def bench_cmd(path: Path = typer.Argument(None, help="labelled CSV (sentence,event_kind)")) -> None:
        """Precision and recall of the event classifier per kind."""
        from flows.commands.common import fail
        from flows.news.evaluate import main

        try:
            main([str(path)] if path else [])
        except ValueError as exc:  # the file's columns or rows
            raise fail(str(exc), 2) from None
