"""Re-parse archived raw files after a parser fix, through the normal loader.

`reprocess(db, shas)` rebuilds the candidates from the warehouse's own record of where each file was
seen (`raw_file_sightings`, plus manifest decisions kept in `snapshot_names`), marks their snapshots
stale, and hands them to `warehouse.load.load_candidates`: the same parse → quality gate → one
transaction (with derive) as any load. Files that failed before are tried again; files that now
fail keep their previous snapshot and get a new one-line error.

Marking stale is its own short write before the load: if the load then dies, the marker only means
the next load re-parses those files (which is what was asked), never a lost snapshot.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

from flows.config import raw_dir
from spiders.archive import RawArchive, Sighting
from warehouse.db import reader, writer

STALE = "stale:reprocess"


def _iso(ts) -> str:
    return ts.replace(tzinfo=UTC).isoformat() if ts is not None else ""


def find_candidates(db: Path | str, shas: list[str] | None = None) -> tuple[list, list[str]]:
    """Candidates for the given sha256s (or prefixes; None = every raw file), and one-line errors."""
    from warehouse.load import Candidate

    with reader(db) as con:
        if shas:
            matched: list[str] = []
            errors: list[str] = []
            for prefix in shas:
                found = [r[0] for r in con.execute(
                    "SELECT sha256 FROM raw_files WHERE sha256 LIKE ? || '%'", [prefix.lower()]).fetchall()]
                if len(found) != 1:
                    errors.append(f"{prefix}: {'no' if not found else 'more than one'} raw file matches")
                matched += found[:1]
        else:
            matched = [r[0] for r in con.execute("SELECT sha256 FROM raw_files ORDER BY sha256").fetchall()]
            errors = []
        rows = con.execute(
            """SELECT s.sha256, s.source, s.file_name, s.url, s.fetched_at, s.http_status, s.headers, f.size
               FROM raw_file_sightings s JOIN raw_files f USING (sha256)
               WHERE list_contains(?, s.sha256)
               QUALIFY row_number() OVER (PARTITION BY s.sha256, s.file_name ORDER BY s.fetched_at, s.url) = 1
               ORDER BY s.fetched_at, s.file_name""", [matched]).fetchall()
        manifest = {(sha, name): (kind, as_of) for sha, name, kind, as_of in con.execute(
            """SELECT s.sha256, n.file_name, n.list_kind, n.as_of FROM snapshot_names n JOIN snapshots s USING (snapshot_id)
               WHERE n.as_of_basis = 'manifest' AND list_contains(?, s.sha256)""", [matched]).fetchall()}
    cands = []
    for sha, source, name, url, fetched, status, headers, size in rows:
        sighting = Sighting(sha256=sha, source=source, url=url, file_name=name, fetched_at=_iso(fetched),
                            size=int(size or 0), status=status, headers=json.loads(headers) if headers else {})
        cands.append(Candidate(sighting=sighting, manifest=manifest.get((sha, name))))
    return cands, errors


def reprocess(db: Path | str, shas: list[str] | None = None, *, raw_root: Path | str | None = None,
              progress=None):
    """Re-parse and reload archived raw files; returns (LoadReport, one-line errors)."""
    from warehouse.load import load_candidates

    archive = RawArchive(raw_root or raw_dir())
    cands, errors = find_candidates(db, shas)
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
