"""Loading raw files into the warehouse: archive → parse → decide identity → one transaction.

Every file goes the same way, whether it comes from a backfill folder or a spider's feed:

1. its bytes are archived (content-addressed) before anything parses them;
2. it is parsed outside the database (a large batch by one process per core); a bad file gets a
   one-line error naming it and the reason, is recorded in `load_errors` / `raw_files`, and the rest
   of the batch goes on;
3. the good snapshots of the batch, and the derived tables rebuilt from all snapshots, are written
   in **one transaction**: the batch lands whole or not at all.

Idempotent and order-independent: a snapshot is keyed by the sha256 of its file, so the same bytes
under any name are one snapshot (dated by the earliest date among its names), a file already loaded
by the same parser version is skipped without parsing, and every derived table is a pure function
of the loaded snapshots.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from flows import ice_html, ice_lists, ice_rosters, identity, snapshot_identity
from flows.config import raw_dir
from spiders.archive import RawArchive, Sighting
from warehouse.db import writer

LOADABLE_SUFFIXES = (".xlsx", ".csv", ".html", ".htm")
PARSER_VERSIONS = {"ice_workbook": ice_lists.PARSER_VERSION, "ice_list_csv": ice_lists.PARSER_VERSION,
                   "ice_roster_archive": ice_rosters.PARSER_VERSION,
                   "ice_html_roster": ice_html.PARSER_VERSION}
LIST_PARSERS = {"ice_workbook": ice_lists.parse_workbook, "ice_list_csv": ice_lists.parse_csv,
                "ice_html_roster": ice_html.parse_html_roster}


@dataclass
class Candidate:
    """A file to load: where its bytes are archived and how it was seen."""

    sighting: Sighting
    manifest: tuple[str, date] | None = None
    source_path: str = ""


@dataclass
class FileResult:
    """What happened to one file."""

    file_name: str
    sha256: str
    status: str  # loaded | unchanged | failed | duplicate
    error: str | None = None
    list_kind: str | None = None
    as_of: date | None = None
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    snapshots: int = 1


@dataclass
class LoadReport:
    """The outcome of one load: per-file results and totals."""

    results: list[FileResult] = field(default_factory=list)
    derived: bool = False
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why): files in a folder not loaded

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def loaded(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "loaded"]

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class ParsedSnapshot:
    """A snapshot ready to write."""

    snapshot_id: str
    sha256: str
    source: str
    list_kind: str
    as_of: date
    basis: str
    notes: list[str]
    header: str
    sheet_name: str | None
    rows: list[dict] | pa.Table  # dicts by column, or Arrow columns (`ice_lists.RECORD_FIELDS`)
    row_count: int
    names: list[tuple[str, str, date, str, str | None]]  # file_name, list_kind, as_of, basis, notes
    caption: str | None = None
    caption_count: int | None = None
    caption_date: date | None = None
    unknown_columns: list[str] = field(default_factory=list)  # named header cells the parser does not know
    other_lists: list[str] = field(default_factory=list)  # other sheets of the workbook holding a list
    kind_conflict: str | None = None  # the manifest or file name says the other list kind


ProgressFn = Callable[[str], None]


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _loadable(f: Path) -> bool:
    """Workbooks, and CSVs whose columns are a known roster (a folder's manifest.csv is not)."""
    return _why_not_loadable(f) is None


MANIFEST_COLUMNS = {"path", "list_kind", "as_of"}
_IGNORED = ""  # not loadable, and not worth a word: another kind of file, an editor's lock or hidden file


def _why_not_loadable(f: Path) -> str | None:
    """None for a file to load; else why not: `_IGNORED`, or a reason to tell (a CSV that is neither an
    ICE list nor a roster, or a manifest)."""
    if f.name.startswith(("~$", ".")) or f.suffix.lower() not in LOADABLE_SUFFIXES:
        return _IGNORED
    if f.suffix.lower() != ".csv":
        return None
    try:
        with f.open("rb") as fh:
            head = fh.read(CSV_HEAD)
    except OSError:
        return None  # found, and the load says why it cannot be read
    if head[:2] == b"PK" or csv_source(head) is not None:  # a workbook saved under a .csv name loads too
        return None
    first = head.decode("utf-8-sig", "replace").splitlines()[0] if head.strip() else ""
    columns = [c.strip().strip('"') for c in first.split(",")] if first.isprintable() else []
    if MANIFEST_COLUMNS <= {c.lower() for c in columns}:
        return "a manifest (path, list_kind, as_of), not a list or roster: pass it with --manifest to use it"
    shown = ", ".join(c[:30] for c in columns[:6]) + (", …" if len(columns) > 6 else "")
    return "not a list or roster file" + (f" (columns: {shown})" if columns else " (no CSV header)")


CSV_HEAD = 65536  # bytes of a CSV read to tell what it holds: the header is in its first lines


def csv_source(head: bytes) -> str | None:
    """What a CSV holds, from its first bytes: 'ice_roster_archive' (a roster, by its columns),
    'ice_list_csv' (an ICE list saved as CSV, by its header) or None (neither: a manifest, say)."""
    if ice_rosters.sniff(head) is not None:
        return "ice_roster_archive"
    try:
        rows = ice_lists.csv_rows(head)
    except ice_lists.ListError:  # not CSV at all
        return None
    return "ice_list_csv" if ice_lists.holds_list(rows) else None


def source_of(body: bytes, file_name: str) -> str:
    """Which parser a file needs: 'ice_workbook' (a zip, or anything else not below: it gets a clear
    error), 'ice_list_csv' (an ICE list saved as CSV), 'ice_roster_archive' (a roster CSV) or
    'ice_html_roster' (an archived 287(g) page)."""
    name = file_name.lower()
    if body[:2] == b"PK":
        return "ice_workbook"
    if name.endswith(".csv"):  # neither a roster nor a list: the roster parser says what is missing
        return csv_source(body[:CSV_HEAD]) or "ice_roster_archive"
    if name.endswith((".html", ".htm")) or (not name.endswith(".xlsx") and ice_html.looks_like_html(body)):
        return "ice_html_roster"
    return "ice_workbook"


def _readable(f: Path, errors: list[str]) -> bool:
    """Whether a found file can be opened; when not, a one-line error for it (the batch goes on)."""
    try:
        with f.open("rb"):
            return True
    except OSError as exc:
        errors.append(f"{f}: cannot read the file ({exc.strerror or type(exc).__name__})")
        return False


def find_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[str]]:
    """Every loadable file under the given files/folders (sorted), and one-line errors for bad paths."""
    found, errors, _ = scan_paths(paths)
    return found, errors


def scan_paths(paths: Iterable[Path | str], *, manifest: Path | str | None = None,
               ) -> tuple[list[Path], list[str], list[tuple[str, str]]]:
    """`find_files`, and the files of the folders that are not loaded with why, to tell in the summary:
    CSVs that are neither a list nor a roster, and manifests. A file named on its own is always loaded
    (and fails with its reason if it is no list); when a manifest is given, manifests are not told."""
    found: list[Path] = []
    errors: list[str] = []
    skipped: list[tuple[str, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(f for f in p.rglob("*") if f.is_file()):
                why = _why_not_loadable(f)
                if why is None:
                    found.append(f)
                elif why and not (manifest is not None and why.startswith("a manifest")):
                    skipped.append((str(f), why))
        elif p.is_file():
            found.append(p)
        else:
            errors.append(f"{p}: no such file or folder")
    return found, errors, skipped


def parse_candidate(body: bytes, cand: Candidate) -> list[ParsedSnapshot]:
    """Parse one archived file into its snapshot(s); raises ValueError (one line) for bad input."""
    source = source_of(body, cand.sighting.file_name)
    if source == "ice_roster_archive":
        return _parse_roster(body, cand)
    s = cand.sighting
    parsed = LIST_PARSERS[source](body)
    ident = snapshot_identity.decide(parsed, s.file_name, manifest=cand.manifest, fetched_at=_parse_time(s.fetched_at))
    rows = _cleaned_table(parsed, ident.as_of)
    notes = [*ident.notes, *parsed.notes]
    if parsed.unknown_columns:
        notes.append("unknown column(s) ignored: " + ", ".join(parsed.unknown_columns))
    notes += row_findings(rows)
    return [ParsedSnapshot(
        snapshot_id=s.sha256, sha256=s.sha256, source=source, list_kind=ident.list_kind,
        as_of=ident.as_of, basis=ident.basis, notes=notes, header=parsed.header, sheet_name=parsed.sheet_name,
        rows=rows, row_count=parsed.row_count, unknown_columns=list(parsed.unknown_columns),
        other_lists=list(parsed.other_lists), kind_conflict=ident.kind_conflict,
        names=[(s.file_name, ident.list_kind, ident.as_of, ident.basis, "; ".join(ident.notes) or None)],
    )]


def _parse_roster(body: bytes, cand: Candidate) -> list[ParsedSnapshot]:
    s = cand.sighting
    snaps = []
    for cap in ice_rosters.parse_roster(body):
        sid = f"{s.sha256}:{cap.part}"
        snaps.append(ParsedSnapshot(
            snapshot_id=sid, sha256=s.sha256, source="ice_roster_archive", list_kind="participating",
            as_of=cap.as_of, basis=cap.basis, notes=[*cap.notes, *row_findings(cap.rows)], header=cap.header,
            sheet_name=None,
            rows=_keyed(cap.rows), row_count=ice_rosters.roster_row_count(cap),
            names=[(s.file_name, "participating", cap.as_of, cap.basis, None)],
            caption=cap.caption, caption_count=cap.caption_count, caption_date=cap.caption_date,
        ))
    return snaps


# What a row printed that its cleaned record could not keep, read from the record's fields (the value as
# printed beside the cleaned one): the row is kept as printed, and the snapshot gets one note per kind
# saying how many rows and which, so that a load's summary shows it (the rows' own notes say more).
_ROW_FINDINGS = (
    ("state", "raw_state", None, "with a state not recognised, kept without a state"),
    ("signed", "raw_signed", None, "with a SIGNED date that could not be read (or is impossible), kept without SIGNED"),
    ("model", "raw_support_type", "UNKNOWN", "with a support type not recognised, kept with model UNKNOWN"),
)


def row_findings(rows: list[dict] | pa.Table) -> list[str]:
    """Notes on the rows whose printed STATE, SIGNED or SUPPORT TYPE could not be read (see _ROW_FINDINGS)."""
    if not isinstance(rows, pa.Table):
        rows = pa.table({c: pa.array([r.get(c) for r in rows], type=_ROW_TYPES.get(c, pa.string()))
                         for c in ("row_number", *(f for finding in _ROW_FINDINGS for f in finding[:2]))})
    notes = []
    for cleaned, printed, lost, what in _ROW_FINDINGS:
        unread = pc.is_null(rows[cleaned]) if lost is None else pc.equal(rows[cleaned], lost)
        mask = pc.and_(pc.fill_null(unread, False), pc.invert(pc.is_null(rows[printed])))
        hit = sorted(set(rows["row_number"].filter(mask).to_pylist()))
        if hit:
            where = ", ".join(map(str, hit[:5])) + (" …" if len(hit) > 5 else "")
            notes.append(f"{len(hit)} row(s) {what}: row(s) {where}")
    return notes


def _keyed(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["name_key"] = identity.name_key(r["agency_name"], r["state"])
    return rows


def load_paths(
    db_path: Path | str,
    paths: Iterable[Path | str],
    *,
    manifest: Path | str | None = None,
    raw_root: Path | str | None = None,
    progress: ProgressFn | None = None,
    source: str = "backfill",
) -> LoadReport:
    """Archive and load every file under `paths` (a backfill). See the module docstring."""
    from flows.quality import check_settings

    check_settings()  # a bad setting stops the load before the archive is written
    archive = RawArchive(raw_root or raw_dir())
    files, path_errors, skipped = scan_paths(paths, manifest=manifest)
    entries = snapshot_identity.read_manifest(manifest) if manifest else {}
    files = [f for f in files if _readable(f, path_errors)]
    candidates = []
    for f, (sighting, _) in zip(files, archive.put_files(files, source=source), strict=True):
        entry = entries.get(str(f.resolve())) or entries.get(f.name)
        candidates.append(Candidate(sighting=sighting, manifest=entry, source_path=str(f)))
    report = load_candidates(db_path, candidates, archive=archive, progress=progress)
    for err in path_errors:
        report.results.append(FileResult(file_name=err.split(":")[0], sha256="", status="failed", error=err))
    report.skipped = skipped
    return report


def load_sightings(
    db_path: Path | str, sightings: Iterable[Sighting], *, raw_root: Path | str | None = None,
    progress: ProgressFn | None = None,
) -> LoadReport:
    """Load files a spider already archived (from its feed)."""
    archive = RawArchive(raw_root or raw_dir())
    return load_candidates(db_path, [Candidate(sighting=s) for s in sightings], archive=archive, progress=progress)


PARALLEL_MIN_FILES = 12  # below this, starting worker processes costs more than it saves


def _parse_archived(archive: RawArchive, cand: Candidate) -> tuple[list[ParsedSnapshot] | None, str | None]:
    """Parse one archived file: its snapshots, or None and the one-line reason it is bad."""
    s = cand.sighting
    try:
        body = archive.read(s.sha256)
        if hashlib.sha256(body).hexdigest() != s.sha256:
            raise ValueError("archived bytes do not match their sha256")
        return parse_candidate(body, cand), None
    except (ice_lists.ListError, ValueError) as exc:
        return None, str(exc).splitlines()[0]


_worker_archive: RawArchive | None = None


def _init_worker(root: Path) -> None:
    global _worker_archive
    _worker_archive = RawArchive(root)
    gc.enable()  # the inherited heap is frozen (see `_collector_paused`): collections see the worker's own objects


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a load, and freeze what is already in memory.

    A load allocates hundreds of thousands of small objects (cells, rows, resolutions) next to large
    long-lived reference data; every full collection would walk all of it again, which costs more
    than a third of a large backfill. Loads make next to no reference cycles, so nothing is lost by
    leaving collection until the load ends. Frozen objects are also left alone by forked parse
    workers, whose own collections would otherwise touch, and so copy, every inherited page.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _parse_in_worker(cand: Candidate) -> tuple[list[ParsedSnapshot] | None, str | None]:
    return _parse_archived(_worker_archive, cand)


def cores() -> int:
    """The cores this process may run on: a large batch is parsed by one process per core."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _parse_all(archive: RawArchive, cands: list[Candidate]) -> Iterator[tuple[list[ParsedSnapshot] | None, str | None]]:
    """Parse outcomes in the candidates' order; a large batch is parsed by one process per core.

    Parsing is a pure function of the archived bytes, so where it runs changes nothing. Workers are
    forked (they inherit the loaded code and reference data, and never touch the database) and
    hand back each snapshot's rows as Arrow columns.
    """
    workers = min(cores(), len(cands) // 4)
    if len(cands) < PARALLEL_MIN_FILES or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (_parse_archived(archive, c) for c in cands)
        return
    # An executor rather than a Pool: a worker that dies (killed, out of memory) fails the load with
    # BrokenProcessPool before anything is written, where a Pool would wait for its result forever.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_init_worker, initargs=(archive.root,)) as pool:
        yield from pool.map(_parse_in_worker, cands, chunksize=2)


def load_candidates(
    db_path: Path | str,
    candidates: list[Candidate],
    *,
    archive: RawArchive,
    progress: ProgressFn | None = None,
) -> LoadReport:
    """Parse the candidates and write the good ones, with the derived tables, in one transaction."""
    from flows.quality import check_settings

    check_settings()  # before the warehouse is opened, not inside the transaction
    report = LoadReport()
    with _collector_paused(), writer(db_path) as con:
        # What is already loaded, by (file content, name): unchanged files are skipped without parsing.
        known = {
            (sha, name): (kind, as_of, basis, version, source)
            for sha, name, kind, as_of, basis, version, source in con.execute(
                """SELECT s.sha256, n.file_name, n.list_kind, n.as_of, n.as_of_basis, s.parser_version, s.source
                   FROM snapshot_names n JOIN snapshots s USING (snapshot_id)"""
            ).fetchall()
        }
        parsed: dict[str, ParsedSnapshot] = {}
        failures: list[tuple[Candidate, str]] = []

        def unchanged(cand: Candidate) -> bool:
            s = cand.sighting
            seen = known.get((s.sha256, s.file_name))
            up_to_date = seen is not None and seen[3] == PARSER_VERSIONS.get(seen[4])
            same_manifest = cand.manifest is None or (seen is not None and seen[2] == "manifest"
                                                      and seen[:2] == cand.manifest)
            return up_to_date and same_manifest

        with contextlib.closing(_parse_all(archive, [c for c in candidates if not unchanged(c)])) as outcomes:
            for cand in candidates:
                s = cand.sighting
                name = s.file_name
                if progress:
                    progress(name)
                if unchanged(cand):
                    report.results.append(FileResult(name, s.sha256, "unchanged"))
                    continue
                snaps, msg = next(outcomes)
                if snaps is None:
                    failures.append((cand, msg))
                    report.results.append(FileResult(name, s.sha256, "failed", error=f"{cand.source_path or name}: {msg}"))
                    continue
                status = "loaded"
                for snap in snaps:
                    if snap.snapshot_id in parsed:
                        parsed[snap.snapshot_id].names.extend(snap.names)
                        parsed[snap.snapshot_id].notes.append(f"same content also published as {name}")
                        status = "duplicate"
                    else:
                        parsed[snap.snapshot_id] = snap
                first = snaps[0]
                report.results.append(FileResult(
                    name, s.sha256, status, list_kind=first.list_kind, as_of=first.as_of,
                    rows=sum(x.row_count for x in snaps), notes=[n for x in snaps for n in x.notes],
                    snapshots=len(snaps)))
        con.execute("BEGIN TRANSACTION")
        try:
            _record_sightings(con, candidates, archive)
            for cand, msg in failures:
                _record_failure(con, cand, msg)
            _write_snapshots(con, list(parsed.values()), archive)
            from flows.quality import apply_gate  # hold back suspicious snapshots before derive

            apply_gate(con, list(parsed.values()), report=report)
            from flows import derive

            if parsed or derive.is_stale(con):  # new snapshots, or derive code changed since the last build
                derive.derive_all(con)
                report.derived = True
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return report


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, pa.Array], conflict: str = "") -> None:
    """Insert a batch of rows given as Arrow columns (one statement, whatever the batch size)."""
    con.register("_batch", pa.table(columns))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _batch {conflict}")
    finally:
        con.unregister("_batch")


def _record_sightings(con: duckdb.DuckDBPyConnection, candidates: list[Candidate], archive: RawArchive) -> None:
    """Add the candidates' files to `raw_files` and their sightings to `raw_file_sightings`, leaving
    out sightings already recorded (a re-run of the same backfill records nothing: its only writes
    would be no-ops, and building them cost a third of such a re-run)."""
    seen = [c.sighting for c in candidates]
    if not seen:
        return
    key = pa.table({
        "i": pa.array(range(len(seen)), pa.int32()), "sha256": pa.array([s.sha256 for s in seen]),
        "url": pa.array([s.url for s in seen]),
        "fetched_at": pa.array([_parse_time(s.fetched_at) for s in seen], type=pa.timestamp("us", tz="UTC")),
    })
    con.register("_seen", key)
    try:
        recorded = {i for (i,) in con.execute(
            """SELECT i FROM _seen s SEMI JOIN raw_file_sightings r
               ON r.sha256 = s.sha256 AND r.url = s.url AND r.fetched_at = s.fetched_at""").fetchall()}
    finally:
        con.unregister("_seen")
    new = [i for i in range(len(seen)) if i not in recorded]
    if not new:
        return
    seen, key = [seen[i] for i in new], key.take(pa.array(new, pa.int32()))
    shared = {"sha256": key["sha256"], "source": pa.array([s.source for s in seen]),
              "file_name": pa.array([s.file_name for s in seen]), "url": key["url"], "fetched_at": key["fetched_at"]}
    _insert(con, "raw_files", {
        **shared, "size": pa.array([s.size for s in seen], pa.int64()),
        "archive_path": pa.array([str(archive.object_path(s.sha256).relative_to(archive.root)) for s in seen]),
        "parse_status": pa.array(["pending"] * len(seen)),
    }, "ON CONFLICT DO NOTHING")
    _insert(con, "raw_file_sightings", {
        **shared, "http_status": pa.array([s.status for s in seen], pa.int32()),
        "headers": pa.array([json.dumps(s.headers) for s in seen]),
    }, "ON CONFLICT DO NOTHING")


def _record_failure(con: duckdb.DuckDBPyConnection, cand: Candidate, msg: str) -> None:
    s = cand.sighting
    loaded = con.execute("SELECT count(*) FROM snapshots WHERE sha256 = ?", [s.sha256]).fetchone()[0]
    if not loaded:
        con.execute("UPDATE raw_files SET parse_status = 'failed', parse_error = ? WHERE sha256 = ?", [msg, s.sha256])
    con.execute("INSERT INTO load_errors VALUES (?, ?, ?, now())", [s.sha256, s.file_name, msg])


_ROW_TYPES = {"row_number": pa.int32(), "signed": pa.date32()}


def _cleaned_table(parsed: ice_lists.ParsedList, as_of: date | None) -> pa.Table:
    """A parsed list's rows cleaned for `as_of` (`ice_lists.clean_columns`), as an Arrow table: compact
    to hand between processes."""
    return _record_table(ice_lists.clean_columns(parsed, as_of))


def _record_table(columns: dict[str, list]) -> pa.Table:
    """Cleaned rows, given by column, as an Arrow table of `ice_lists.RECORD_FIELDS`."""
    return pa.table({c: pa.array(columns[c], type=_ROW_TYPES.get(c, pa.string())) for c in ice_lists.RECORD_FIELDS})


def _rows_batch(snapshot_rows: list[tuple[str, list[dict] | pa.Table]]) -> pa.Table:
    """Every snapshot's cleaned rows in one Arrow table, with their snapshot_id: the batch for
    `snapshot_rows` (agency_id is filled by the derive). One concatenation and one id column for
    the batch, rather than a table per snapshot."""
    tables = [rows if isinstance(rows, pa.Table)
              else _record_table({c: [r.get(c) for r in rows] for c in ice_lists.RECORD_FIELDS})
              for _, rows in snapshot_rows]
    batch = pa.concat_tables(tables) if tables else _record_table(dict.fromkeys(ice_lists.RECORD_FIELDS, []))
    ids = [sid for (sid, _), table in zip(snapshot_rows, tables, strict=True) for _ in range(table.num_rows)]
    return batch.add_column(0, "snapshot_id", pa.array(ids, pa.string()))


ROW_GROUP_ROWS = 122_880  # DuckDB's row group: the unit it compresses and writes to disk


@contextlib.contextmanager
def _one_thread_if_small(con: duckdb.DuckDBPyConnection, rows: int) -> Iterator[None]:
    """Run DuckDB on one thread for the enclosed statements when `rows` fit in one row group.

    Such a batch stays in memory until the commit; inserting it from Arrow on one thread takes half
    the time it takes on two (the bundled sample's 26,652 rows, measured). A larger batch keeps every
    thread: DuckDB then compresses and writes full row groups as it inserts them, and the quality
    gate's scan that follows is several times faster on those (250,000 rows, measured).
    """
    if rows >= ROW_GROUP_ROWS:
        yield
        return
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(threads)}")


def _write_snapshots(con: duckdb.DuckDBPyConnection, snaps: list[ParsedSnapshot], archive: RawArchive) -> None:
    """Replace the given snapshots (names, rows and records) with the freshly parsed ones, in bulk."""
    if not snaps:
        return
    names = [(snap.snapshot_id, *name) for snap in snaps for name in snap.names]
    cols = ("snapshot_id", "file_name", "list_kind", "as_of", "as_of_basis", "notes")
    con.register("_names", pa.table({c: pa.array([n[i] for n in names], pa.date32() if c == "as_of" else pa.string())
                                     for i, c in enumerate(cols)}))
    try:
        con.execute("DELETE FROM snapshot_names WHERE (snapshot_id, file_name) IN (SELECT snapshot_id, file_name FROM _names)")
        con.execute("INSERT INTO snapshot_names BY NAME SELECT * FROM _names")
    finally:
        con.unregister("_names")
    # Each snapshot takes its date, kind and display name from the earliest-dated of its names (a
    # manifest entry first), old names included, so loading names in any order gives the same result.
    ids = pa.table({"snapshot_id": pa.array([s.snapshot_id for s in snaps])})
    con.register("_ids", ids)
    try:
        decided = {
            sid: (fname, kind, as_of, basis, sorted(all_names))
            for sid, fname, kind, as_of, basis, all_names in con.execute(
                """SELECT snapshot_id,
                          arg_min(file_name, (as_of_basis <> 'manifest', as_of, file_name)),
                          arg_min(list_kind, (as_of_basis <> 'manifest', as_of, file_name)),
                          arg_min(as_of, (as_of_basis <> 'manifest', as_of, file_name)),
                          arg_min(as_of_basis, (as_of_basis <> 'manifest', as_of, file_name)),
                          list(file_name)
                   FROM snapshot_names WHERE snapshot_id IN (SELECT snapshot_id FROM _ids) GROUP BY snapshot_id"""
            ).fetchall()
        }
        con.execute("DELETE FROM snapshot_rows WHERE snapshot_id IN (SELECT snapshot_id FROM _ids)")
        con.execute("DELETE FROM snapshots WHERE snapshot_id IN (SELECT snapshot_id FROM _ids)")
    finally:
        con.unregister("_ids")
    records = []
    all_rows: list[tuple[str, list[dict] | pa.Table]] = []
    for snap in snaps:
        file_name, list_kind, as_of, basis, all_names = decided[snap.snapshot_id]
        rows = snap.rows
        if as_of != snap.as_of and snap.source in LIST_PARSERS:
            # SIGNED cleaning depends on the as-of: redo it for the date decided across all names.
            rows = _cleaned_table(LIST_PARSERS[snap.source](archive.read(snap.sha256)), as_of)
        all_rows.append((snap.snapshot_id, rows))
        records.append((snap.snapshot_id, snap.sha256, snap.source, list_kind, as_of, basis, file_name, all_names,
                        snap.sheet_name, snap.header, snap.row_count, "; ".join(dict.fromkeys(snap.notes)) or None,
                        snap.caption, snap.caption_count, snap.caption_date, PARSER_VERSIONS[snap.source]))
    fields = ("snapshot_id", "sha256", "source", "list_kind", "as_of", "as_of_basis", "file_name", "file_names",
              "sheet_name", "header", "row_count", "quality_notes", "caption", "caption_count", "caption_date",
              "parser_version")
    types = {"as_of": pa.date32(), "caption_date": pa.date32(), "row_count": pa.int32(), "caption_count": pa.int32(),
             "file_names": pa.list_(pa.string())}
    con.register("_snaps", pa.table({f: pa.array([r[i] for r in records], types.get(f, pa.string()))
                                     for i, f in enumerate(fields)}))
    try:
        con.execute("INSERT INTO snapshots BY NAME SELECT *, 'published' AS status, now() AS loaded_at FROM _snaps")
    finally:
        con.unregister("_snaps")
    batch = _rows_batch(all_rows)
    con.register("_batch", batch)
    try:
        with _one_thread_if_small(con, batch.num_rows):
            # The key of snapshot_rows (migration 050 explains why it has no index), checked on the batch.
            repeated = con.execute("SELECT snapshot_id, row_number, model FROM _batch GROUP BY ALL "
                                   "HAVING count(*) > 1 ORDER BY ALL LIMIT 1").fetchone()
            if repeated:
                raise ValueError(f"snapshot {repeated[0]}: row {repeated[1]} ({repeated[2]}) would be written twice")
            con.execute("INSERT INTO snapshot_rows BY NAME SELECT * FROM _batch")
    finally:
        con.unregister("_batch")
    con.register("_shas", pa.table({"sha256": pa.array(sorted({s.sha256 for s in snaps}))}))
    try:
        con.execute("UPDATE raw_files SET parse_status = 'loaded', parse_error = NULL "
                    "WHERE sha256 IN (SELECT sha256 FROM _shas)")
    finally:
        con.unregister("_shas")
