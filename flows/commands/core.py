"""CLI commands for the ICE lists: run, backfill, history, sql, agency, dashboards, serve."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.commands.common import DbOption, check_format, console, db_file, db_path, fail, render


def print_load_report(report, *, title: str = "Load summary") -> None:
    """A table of what a load did, with every failure, note and file of a folder not loaded on its own line."""
    counts: dict[str, int] = {}
    for r in report.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    table = Table(title=title, show_header=True)
    for col in ("files", "loaded", "same content as another file", "unchanged", "failed", "rows loaded", "skipped"):
        table.add_column(col, justify="right")
    table.add_row(
        str(len(report.results)), str(counts.get("loaded", 0)), str(counts.get("duplicate", 0)),
        str(counts.get("unchanged", 0)), str(counts.get("failed", 0)),
        str(sum(r.rows for r in report.results if r.status == "loaded")), str(len(report.skipped)),
    )
    console.print(table)
    for path, why in report.skipped:
        console.print(f"[yellow]skipped[/yellow] {path}: {why}", highlight=False, soft_wrap=True)
    for r in report.results:
        if r.status == "failed":
            console.print(f"[red]error[/red] {r.error}", highlight=False, soft_wrap=True)
        elif r.status == "loaded" and r.notes:
            for note in r.notes:
                console.print(f"[yellow]note[/yellow] {r.file_name}: {note}", highlight=False, soft_wrap=True)


def backfill(
    paths: list[Path] = typer.Argument(..., help="Files or folders of snapshots (searched recursively): ICE "
                                       "workbooks (.xlsx) or lists saved as .csv, roster files (.csv), archived "
                                       "287(g) pages (.html)."),
    manifest: Path | None = typer.Option(None, "--manifest", help="CSV path,list_kind,as_of overriding inference."),
    db: Path | None = DbOption,
) -> None:
    """Load an archive of historical snapshots through the same code as the pipeline."""
    from flows.ledger import recorded_run
    from flows.quality import check_settings
    from flows.snapshot_identity import read_manifest
    from warehouse.load import find_files, load_paths

    check_settings()  # a bad setting, like a bad manifest, stops the backfill before anything is written
    path = db_file(db)
    if manifest is not None:
        read_manifest(manifest)  # a bad manifest stops the backfill before the ledger or the archive is written
    # A folder's own manifest is an override, used only when named: the summary says so (skipped).
    files, _ = find_files(paths)
    if not files and all(p.is_dir() for p in paths):
        console.print("note: no loadable files (.xlsx, list or roster .csv, .html) under " + ", ".join(map(str, paths)),
                      highlight=False, soft_wrap=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("loading", total=len(files))

        def step(name: str) -> None:
            progress.update(task, advance=1, description=f"loading {name[:50]}")

        with recorded_run(path, "backfill", "backfill") as run:  # in the runs ledger, like every run
            report = load_paths(path, paths, manifest=manifest, progress=step)
            run.items_fetched = len(report.results)
            run.snapshots_loaded = len(report.loaded)
            run.errors += [r.error for r in report.failed]
    print_load_report(report, title=f"Backfill into {path}")
    if not report.ok:
        raise typer.Exit(code=1)


def history(
    since: str = typer.Option("20170801", "--since", help="First capture time to fetch (YYYYMMDD[hhmmss])."),
    until: str = typer.Option("20210131", "--until", help="Last capture time to fetch (YYYYMMDD[hhmmss])."),
    limit: int | None = typer.Option(None, "--limit", help="Fetch at most this many captures."),
    db: Path | None = DbOption,
) -> None:
    """Fill gaps in the history from web-archive captures of ICE's 287(g) page (needs network)."""
    from flows.config import feeds_dir, raw_dir
    from flows.crawl import run_spider
    from flows.pipeline import sightings_from_items
    from flows.quality import check_settings
    from warehouse.load import load_sightings

    check_settings()  # before the crawl, not after minutes of it
    feed = feeds_dir() / f"ice_287g_wayback-{since}-{until}.jsonl"
    args = {"since": since, "until": until, **({"limit": str(limit)} if limit else {})}
    console.print(f"listing archived captures of ICE's 287(g) page, {since} → {until} …")
    result = run_spider("ice_287g_wayback", live=True, raw_root=raw_dir(), feed_path=feed, spider_args=args)
    pages = [i for i in result.items if i.get("kind") == "roster_page"]
    console.print(f"{len(pages)} captures fetched and archived")
    report = load_sightings(db_path(db), sightings_from_items(pages), raw_root=raw_dir())
    print_load_report(report, title=f"Archived roster pages into {db_path(db)}")
    if not result.ok:
        console.print(f"[red]error[/red] crawl: {result.error}", highlight=False, soft_wrap=True)
    if not result.ok or not report.ok:
        raise typer.Exit(code=1)


def _sealed(con) -> None:
    """Shut the session's door to the file system: no COPY … TO, EXPORT, ATTACH, read_csv or INSTALL,
    and no SET to undo it. A read-only connection cannot change the warehouse, but COPY could still
    overwrite any file, the warehouse's own included."""
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def _statement(text: str) -> bool:
    """Whether the text holds SQL at all (not just spaces and semicolons)."""
    return bool(text.strip().strip(";").strip())


def sql(
    query: str | None = typer.Argument(None, help="SQL to run; omit for an interactive shell."),
    fmt: str = typer.Option("table", "--format", "-f", help="table | csv | json"),
    db: Path | None = DbOption,
) -> None:
    """Run ad hoc SQL on the warehouse, read-only (`tracker sql` alone opens a shell)."""
    import duckdb

    from warehouse.db import reader

    check_format(fmt)
    if query is not None and not _statement(query):
        raise fail("the query is empty", 2)
    with reader(db_path(db)) as con:
        _sealed(con)
        if query is None:
            _shell(con, fmt)
            return
        try:
            results = _results(con, query)
        except duckdb.Error as exc:
            raise fail(str(exc).splitlines()[0], 1) from None
        if fmt != "table" and len(results) > 1:
            raise fail(f"--format {fmt} prints one result, and {len(results)} statements returned rows: "
                       "run them one at a time", 2)
        for cols, rows in results:
            sys.stdout.write(render(cols, rows, fmt))


def agency(
    name: str = typer.Argument(..., help="Part of the agency's name, any case (e.g. 'Harris County')."),
    state: str | None = typer.Option(None, "--state", help="USPS code, e.g. TX."),
    fmt: str = typer.Option("table", "--format", "-f", help="table | csv | json"),
    db: Path | None = DbOption,
) -> None:
    """Everything the lists say about an agency: each agreement's listing periods and each application."""
    from warehouse.db import reader

    check_format(fmt)
    if not name.strip():
        raise fail("the name is empty", 2)
    # On screen the ids and MOA links would crowd the table out: they are in csv and json.
    columns = "*" if fmt != "table" else "state, agency_name, record, model, since, until, status, signed, " \
        "CASE WHEN record = 'application' OR status = 'model stated' THEN detail END AS note"
    with reader(db_path(db)) as con:
        cur = con.execute(f"SELECT {columns} FROM agency_history(?) WHERE ? IS NULL OR state = upper(?)",
                          [name.strip(), state, state])
        cols, rows = [d[0] for d in cur.description], cur.fetchall()
    if not rows:
        raise fail(f"no agency named like {name!r}" + (f" in {state.upper()}" if state else ""), 1)
    sys.stdout.write(render(cols, rows, fmt))


def _results(con, text: str) -> list[tuple[list[str], list[tuple]]]:
    """Run every statement in `text`, in order: the (columns, rows) of each one that returns rows."""
    results = []
    for statement in con.extract_statements(text):
        cur = con.execute(statement)
        if cur.description:
            results.append(([d[0] for d in cur.description], cur.fetchall()))
    return results


def _shell(con, fmt: str) -> None:
    """A small read-only SQL shell: statements end with ';', `.tables` lists tables, `.quit` leaves."""
    import duckdb

    try:
        import readline  # noqa: F401  (line editing and history)
    except ImportError:
        pass
    console.print("tracker sql (read-only). End statements with ';'. .tables lists tables and views, .quit leaves.")
    buffer = ""
    while True:
        try:
            line = input("sql> " if not buffer else "...> ")
        except EOFError:
            break
        if not buffer and line.strip() in (".quit", ".exit", "\\q"):
            break
        if not buffer and line.strip() == ".tables":
            line = "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1;"
        buffer += line + "\n"
        if not buffer.strip().endswith(";"):
            continue
        if not _statement(buffer):
            buffer = ""
            continue
        try:
            for cols, rows in _results(con, buffer):
                sys.stdout.write(render(cols, rows, fmt))
        except duckdb.Error as exc:
            console.print(f"[red]error[/red] {str(exc).splitlines()[0]}", highlight=False)
        buffer = ""


def run(
    live: bool = typer.Option(False, "--live", help="Crawl the web instead of replaying recorded responses."),
    sample: bool = typer.Option(True, "--sample/--no-sample", help="Also load the bundled archive of real snapshots."),
    site: Path | None = typer.Option(None, "--site", help="Where to write the dashboards (default data/site)."),
    wait: bool = typer.Option(False, "--wait", help="Wait for a run in progress instead of exiting with code 75."),
    db: Path | None = DbOption,
) -> None:
    """Run the whole pipeline once: crawl → archive → parse → load → dashboards."""
    from flows.ledger import run_lock
    from flows.pipeline import pipeline, print_summary
    from flows.quality import check_settings

    check_settings()  # before Prefect starts: one line, not a failed flow run
    path = db_file(db)
    if site is not None and site.exists() and not site.is_dir():
        raise fail(f"{site}: a file, not a folder for the dashboards (--site)", 2)
    with run_lock(path, wait=wait):  # checked before Prefect starts; the flow takes it again (re-entrant)
        summary = pipeline(live=live, include_sample=sample, db=str(path), site=str(site) if site else None,
                           wait_for_lock=wait)
    print_summary(summary)
    if summary.get("errors"):
        raise typer.Exit(code=1)


def dashboards(
    out_dir: Path | None = typer.Option(None, "--out", help="Folder for the static site (default data/site)."),
    serve: bool = typer.Option(False, "--serve", help="Start the interactive app instead of writing files."),
    port: int = typer.Option(8050, "--port", min=1, max=65535, help="Port for --serve."),
    db: Path | None = DbOption,
) -> None:
    """Write the static dashboards (or serve the interactive app)."""
    from flows.config import site_dir
    from warehouse.db import require

    if serve:
        from dashboards.app import serve_app

        serve_app(require(db_path(db)), port=port)
        return
    from dashboards.site import build_site

    path = build_site(db_path(db), out_dir or site_dir())
    console.print(f"dashboards written to {path}")


def serve_cmd(
    cron: str = typer.Option("0 */6 * * *", "--cron", help="Schedule of the ICE lists pipeline (cron, UTC)."),
    live: bool = typer.Option(True, "--live/--replay", help="Crawl the web (default) or replay recorded responses."),
) -> None:
    """Serve the pipeline on a schedule (Prefect deployments; Ctrl-C stops)."""
    from flows.serve import ServerError, serve_all

    try:
        serve_all(ice_cron=cron, live=live)
    except ValueError as exc:  # the schedule, checked before anything starts
        raise fail(str(exc), 2) from None
    except ServerError as exc:  # the local Prefect server (no PREFECT_API_URL) did not start
        raise fail(str(exc), 1) from None


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `tracker` app."""
    app.command()(run)
    app.command()(backfill)
    app.command()(history)
    app.command()(sql)
    app.command()(agency)
    app.command()(dashboards)
    app.command(name="serve")(serve_cmd)
