"""Re-parse archived raw files after a parser fix, through the normal loader.

`reprocess(db, shas)` takes sha256s or prefixes of at least 8 hex characters, each naming one raw file
(the rule of `tracker quarantine release`, `flows.quality.file_prefix`; a prefix that is too short,
matches several files or none stops it before anything is touched), rebuilds the candidates from the
warehouse's own record of where each file was seen (`raw_file_sightings`, plus manifest decisions
kept in `snapshot_names`), marks their snapshots stale, and hands them to
`warehouse.load.load_candidates`: the same parse → quality gate → one transaction (with derive) as
any load. Files that failed before are tried again; files that now
fail keep their previous snapshot and get a new one-line error.

Marking stale is its own short write before the load: if the load then dies, the marker only means
the next load re-parses those files (which is what was asked), never a lost snapshot.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

from flows.config import raw_dir
from flows.quality import NoMatch, file_prefix, one_file
from spiders.archive import RawArchive, Sighting
from warehouse.db import reader, writer

STALE = "stale:reprocess"


def _iso(ts) -> str:
    return ts.replace(tzinfo=UTC).isoformat() if ts is not None else ""


def resolve(db: Path | str, prefixes: list[str]) -> list[str]:
    """The sha256 of the one raw file each prefix names (`quality.file_prefix` and `one_file`, the rules of
    `tracker quarantine release`). Raises before anything is reprocessed: PrefixError for a prefix shorter
    than 8 hex characters or matching several files, NoMatch for one that matches none."""
    with reader(db) as con:
        return list(dict.fromkeys(_resolve_one(con, text) for text in prefixes))


def _resolve_one(con, text: str) -> str:
    prefix = file_prefix(text)
    shas = {sha for (sha,) in con.execute("SELECT sha256 FROM raw_files WHERE starts_with(sha256, ?)", [prefix]).fetchall()}
    sha = one_file(text, shas, "raw files")
    if sha is None:
        raise NoMatch(f"{text}: no raw file matches")
    return sha


def find_candidates(db: Path | str, shas: list[str] | None = None) -> list:
    """Candidates for the given sha256s (None = every raw file), from where each file was seen."""
    from warehouse.load import Candidate

    with reader(db) as con:
        if shas is None:
            shas = [r[0] for r in con.execute("SELECT sha256 FROM raw_files ORDER BY sha256").fetchall()]
        rows = con.execute(
            """SELECT s.sha256, s.source, s.file_name, s.url, s.fetched_at, s.http_status, s.headers, f.size
               FROM raw_file_sightings s JOIN raw_files f USING (sha256)
               WHERE list_contains(?, s.sha256)
               QUALIFY row_number() OVER (PARTITION BY s.sha256, s.file_name ORDER BY s.fetched_at, s.url) = 1
               ORDER BY s.fetched_at, s.file_name""", [shas]).fetchall()
        manifest = {(sha, name): (kind, as_of) for sha, name, kind, as_of in con.execute(
            """SELECT s.sha256, n.file_name, n.list_kind, n.as_of FROM snapshot_names n JOIN snapshots s USING (snapshot_id)
               WHERE n.as_of_basis = 'manifest' AND list_contains(?, s.sha256)""", [shas]).fetchall()}
    cands = []
    for sha, source, name, url, fetched, status, headers, size in rows:
        sighting = Sighting(sha256=sha, source=source, url=url, file_name=name, fetched_at=_iso(fetched),
                            size=int(size or 0), status=status, headers=json.loads(headers) if headers else {})
        cands.append(Candidate(sighting=sighting, manifest=manifest.get((sha, name))))
    return cands


def reprocess(db: Path | str, shas: list[str] | None = None, *, raw_root: Path | str | None = None,
              progress=None):
    """Re-parse and reload archived raw files, named by sha256 or a unique prefix (None = every one);
    returns (LoadReport, one-line errors). A bad, ambiguous or unmatched prefix raises (`resolve`)
    before anything is marked or loaded."""
    from warehouse.load import load_candidates

    archive = RawArchive(raw_root or raw_dir())
    cands = find_candidates(db, None if shas is None else resolve(db, shas))
    errors: list[str] = []
    present = []
    for c in cands:
        if archive.object_path(c.sighting.sha256).exists():
            present.append(c)
        else:
            errors.append(f"{c.sighting.file_name}: raw file {c.sighting.sha256[:12]} is missing from the archive "
                          f"{archive.root}")
    if not present:
        from warehouse.load import LoadReport

        return LoadReport(), errors
    with writer(db) as con:
        con.execute("UPDATE snapshots SET parser_version = ? WHERE list_contains(?, sha256)",
                    [STALE, sorted({c.sighting.sha256 for c in present})])
    return load_candidates(db, present, archive=archive, progress=progress), errors
