"""Load the sanctuary sources into the warehouse: federal lists (every archived copy) and state laws.

`ingest(db_path, raw_root)` guarantees, in this order:
1. every source document is put in the raw archive (RawArchive.put) before anything parses it: the
   bundled pages in `sample/sanctuary/` (offline default), the copies the spiders archived
   (`dhs_sanctuary`, `doj_sanctuary`; crawled first when `live=True`), and the reviewed
   `state_laws.csv`;
2. each document is parsed by its list's parser; a document that fails is reported in one line
   (file and reason) and the batch goes on;
3. one transaction writes `policy_sources` (one row per distinct document, keyed by its digest),
   `sanctuary_entries` (every printed entry), rebuilds `sanctuary_listings` from all copies ever
   loaded (listing date, last sighting, withdrawal date when a later copy drops an entry; FIPS
   resolution) and `state_laws`, and fills `policy_geography` once. Loading the same documents
   again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import flows.config
from flows.jurisdictions import geography
from flows.sanctuary.parse_dhs import Entry
from flows.sanctuary.resolve import resolve_entry
from flows.sanctuary.sources import LISTS, ListSpec, date_in_name, spec_for_file, spec_for_url
from flows.sanctuary.state_laws import LAWS_CSV, read_state_laws
from spiders.archive import RawArchive
from spiders.wayback import capture_of
from warehouse.db import writer

SQL_DIR = Path(__file__).resolve().parent / "sql"
SAMPLE_SOURCE = "sample_sanctuary"
# A copy that shows the publisher's "not found" page instead of the list: every entry withdrawn.
REMOVED_RE = re.compile(r"page not found|404 - not found|<title>[^<]*not found", re.I)


@dataclass
class Document:
    """One copy of a list, archived, with the date it shows the list as of."""

    spec: ListSpec
    sha256: str
    body: bytes
    fetched_url: str
    as_of: date
    entries: list[Entry] | None = None
    error: str = ""
    removed: bool = False

    @property
    def source_id(self) -> str:
        return f"{self.spec.publisher}:{self.sha256[:16]}"


def _sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def collect(raw_root: Path, sample_dir: Path) -> tuple[list[Document], list[str]]:
    """Archive the bundled pages and gather every archived copy of a list (spider captures too)."""
    archive = RawArchive(raw_root)
    docs: dict[str, Document] = {}
    errors: list[str] = []
    for path in sorted(Path(sample_dir).glob("*.html")) if Path(sample_dir).is_dir() else []:
        spec = spec_for_file(path.name)
        if spec is None:
            continue
        body = path.read_bytes()
        sighting, _ = archive.put(body, source=SAMPLE_SOURCE, url=path.resolve().as_uri(), file_name=path.name)
        as_of = date_in_name(path.name) or spec.published_on
        docs.setdefault(sighting.sha256, Document(spec, sighting.sha256, body, sighting.url, as_of))
    spiders = {s.spider: s for s in LISTS.values()}
    for sighting in archive.sightings():
        spec = spiders.get(sighting.source)
        if spec is None or sighting.sha256 in docs:
            continue
        capture = capture_of(sighting.url)
        if capture:
            as_of, original = capture
        else:
            as_of, original = date.fromisoformat(sighting.fetched_at[:10]), sighting.url
        if spec_for_url(original) is not spec:
            continue  # the CDX listing and other pages the spider archived
        try:
            body = archive.read(sighting.sha256)
        except OSError as exc:
            errors.append(f"{sighting.file_name}: archived object unreadable ({exc})")
            continue
        docs[sighting.sha256] = Document(spec, sighting.sha256, body, sighting.url, as_of)
    for doc in docs.values():
        try:
            doc.entries = doc.spec.parse(doc.body)
        except Exception as exc:  # noqa: BLE001 - one bad document never stops the batch
            if REMOVED_RE.search(doc.body[:200_000].decode("utf-8", "replace")):
                doc.entries, doc.removed = [], True  # the publisher took the list down
                continue
            doc.error = f"{doc.fetched_url.rsplit('/', 1)[-1] or doc.sha256}: {exc}"
            errors.append(doc.error)
    return sorted(docs.values(), key=lambda d: (d.spec.list_id, d.as_of, d.sha256)), errors


def ingest(
    db_path: Path,
    raw_root: Path,
    *,
    live: bool = False,
    sample_dir: Path = flows.config.SAMPLE_DIR / "sanctuary",
    laws_csv: Path = LAWS_CSV,
) -> dict:
    """Archive, parse and load the sanctuary lists and state laws; returns a summary."""
    raw_root = Path(raw_root)
    errors: list[str] = []
    if live:
        from flows.crawl import crawl_each, crawl_errors

        errors += crawl_errors(crawl_each([spec.spider for spec in LISTS.values()], raw_root))
    docs, parse_errors = collect(raw_root, Path(sample_dir))
    errors += parse_errors
    laws = read_state_laws(laws_csv)
    laws_body = Path(laws_csv).read_bytes()
    laws_sighting, _ = RawArchive(raw_root).put(
        laws_body, source="reference", url=Path(laws_csv).resolve().as_uri(), file_name=Path(laws_csv).name
    )
    good = [d for d in docs if d.entries is not None]
    with writer(db_path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            before = _fingerprint(con)
            _write_documents(con, good)
            listings = _rebuild_listings(con)
            _write_laws(con, laws, laws_sighting.sha256)
            _fill_geography(con)
            changed = _fingerprint(con) != before
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    summary = {"documents": len(good), "errors": errors, "changed": changed, "laws": len(laws),
               "lists": {}, "raw_sha256": {d.source_id: d.sha256 for d in good}}
    for list_id, rows in listings.items():
        resolved = sum(1 for r in rows if not r["unresolved_reason"])
        summary["lists"][list_id] = {
            "copies": sum(1 for d in good if d.spec.list_id == list_id),
            "listings": len(rows),
            "resolved": resolved,
            "resolution_rate": round(resolved / len(rows), 4) if rows else None,
            "withdrawn": sum(1 for r in rows if r["withdrawn_on"]),
            "unresolved": [f"{r['state']} {r['level']} {r['name_as_printed']!r}: {r['unresolved_reason']}"
                           for r in rows if r["unresolved_reason"]],
        }
    return summary


def _bulk_insert(con, table: str, cols: list[str], rows: list[list]) -> None:
    """Insert many rows at once through a JSON-lines file (parameter binding is slow for thousands)."""
    if not rows:
        return
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = ?", [table]).fetchall())
    spec = ", ".join(f"'{c}': '{types[c]}'" for c in cols)
    with tempfile.TemporaryDirectory(prefix="sanctuary-") as tmp:
        path = Path(tmp) / "rows.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(dict(zip(cols, row, strict=True)), default=str) + "\n")
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} "
                    f"FROM read_json(?, format = 'newline_delimited', columns = {{{spec}}})", [str(path)])


ENTRY_COLS = ["source_id", "position", "state", "level", "name_as_printed", "section_label", "basis",
              "entry_key", "duplicate_of", "note"]


def _write_documents(con, docs: list[Document]) -> None:
    for doc in docs:
        con.execute(_sql("insert_source.sql"), {
            "source_id": doc.source_id, "list_id": doc.spec.list_id, "kind": "list",
            "publisher": doc.spec.publisher, "title": doc.spec.title, "published_on": doc.spec.published_on,
            "as_of": doc.as_of, "url": doc.spec.url, "fetched_url": doc.fetched_url, "raw_sha256": doc.sha256,
            "entry_count": len(doc.entries),
            "note": "page removed: the copy shows no list" if doc.removed else None,
        })
        con.execute("DELETE FROM sanctuary_entries WHERE source_id = ?", [doc.source_id])
        _bulk_insert(
            con, "sanctuary_entries", ENTRY_COLS,
            [[doc.source_id, e.position, e.state, e.level, e.name_as_printed, e.section_label, e.basis or None,
              e.key, e.duplicate_of, e.note or None] for e in doc.entries],
        )


def _rebuild_listings(con) -> dict[str, list[dict]]:
    """Derive sanctuary_listings from every copy of every list (deterministic: re-runs change nothing)."""
    out: dict[str, list[dict]] = {}
    con.execute("DELETE FROM sanctuary_listings")
    for spec in LISTS.values():
        rows = con.execute(_sql("list_entries.sql"), {"list_id": spec.list_id}).fetchall()
        copies = sorted(tuple(r) for r in con.execute(
            "SELECT as_of, source_id FROM policy_sources WHERE list_id = ?", [spec.list_id]).fetchall())
        if not rows:
            continue
        first_copy = copies[0]
        by_key: dict[str, dict] = {}
        for source_id, as_of, _pos, st, level, name, basis, key, note in rows:
            rec = by_key.get(key)
            if rec is None:
                res = resolve_entry(st, level, name)
                listed = spec.published_on if (as_of, source_id) == first_copy and spec.published_on <= as_of else as_of
                rec = by_key[key] = {
                    "list_id": spec.list_id, "entry_key": key, "source_id": source_id,
                    "last_source_id": source_id, "level": level, "state": st, "name_as_printed": name,
                    "state_fips": res.state_fips, "county_fips": res.county_fips, "place_name": res.place_name,
                    "basis": basis, "listed_on": listed, "last_seen_on": as_of, "withdrawn_on": None,
                    "withdrawn_source_id": None, "method": res.method, "confidence": res.confidence,
                    "unresolved_reason": res.reason or None, "note": note,
                }
            rec["last_seen_on"], rec["last_source_id"] = as_of, source_id
        for rec in by_key.values():
            later = [c for c in copies if c[0] > rec["last_seen_on"]]
            if later:
                rec["withdrawn_on"], rec["withdrawn_source_id"] = later[0]
        cols = list(next(iter(by_key.values())).keys())
        _bulk_insert(con, "sanctuary_listings", cols, [[rec[c] for c in cols] for rec in by_key.values()])
        out[spec.list_id] = list(by_key.values())
    return out


def _write_laws(con, laws, csv_sha256: str) -> None:
    for law in laws:
        con.execute(_sql("insert_source.sql"), {
            "source_id": law.law_id, "list_id": None, "kind": "law", "publisher": law.state,
            "title": law.name, "published_on": law.signed, "as_of": law.effective or law.signed,
            "url": law.source_url, "fetched_url": None, "raw_sha256": csv_sha256, "entry_count": None,
            "note": law.citation or None,
        })
    ids = [law.law_id for law in laws]
    con.execute("DELETE FROM policy_sources WHERE kind = 'law' AND NOT list_contains(?, source_id)", [ids])
    con.execute("DELETE FROM state_laws")
    _bulk_insert(
        con, "state_laws",
        ["law_id", "source_id", "state", "state_fips", "name", "citation", "signed", "effective", "repealed",
         "compliance_deadline", "direction", "binds", "source_url", "notes"],
        [[law.law_id, law.law_id, law.state, law.state_fips, law.name, law.citation or None, law.signed,
          law.effective, law.repealed, law.compliance_deadline, law.direction, law.binds or None, law.source_url,
          law.notes or None]
         for law in laws],
    )


def _fill_geography(con) -> None:
    """Every state and county: the jurisdictions area's table when loaded, else its reference files."""
    con.execute("DELETE FROM policy_geography")
    has_j = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'jurisdictions'"
    ).fetchone()[0]
    if has_j and con.execute("SELECT count(*) FROM jurisdictions WHERE level = 'county'").fetchone()[0]:
        con.execute(
            "INSERT INTO policy_geography SELECT state_fips, CASE WHEN level = 'county' THEN county_fips END, "
            "state, name, CASE WHEN level = 'county' THEN 'county' ELSE 'state' END FROM jurisdictions "
            "WHERE level IN ('state', 'territory', 'county')"
        )
        return
    rows = [[s["state_fips"], None, s["state"], s["name"], "state"] for s in geography.states()]
    rows += [[c["state_fips"], c["county_fips"], c["state"], c["name"], "county"] for c in geography.counties()]
    _bulk_insert(con, "policy_geography", ["state_fips", "county_fips", "state", "name", "level"], rows)


def _fingerprint(con) -> str:
    h = hashlib.sha256()
    for table, order in (("policy_sources", "source_id"), ("sanctuary_entries", "source_id, position"),
                         ("sanctuary_listings", "list_id, entry_key"), ("state_laws", "law_id")):
        cols = "*" if table != "policy_sources" else "* EXCLUDE (loaded_at)"
        for row in con.execute(f"SELECT {cols} FROM {table} ORDER BY {order}").fetchall():
            h.update(repr(row).encode())
    return h.hexdigest()
