"""The raw archive: every fetched or imported file, byte for byte, addressed by its sha256.

Layout under the archive root (default `data/raw/`):

    objects/ab/abcdef…<64 hex>      the bytes, exactly as received, written once, never changed
    fetches.jsonl                   one JSON line per sighting: sha256, source, url, file_name,
                                    fetched_at (UTC ISO), HTTP status and headers, size

Guarantees: an object is written to a temporary file, flushed to disk and linked into place, so a
crash never leaves a half-written object under its final name; an existing object is never
rewritten; nothing in the pipeline deletes from the archive. The same bytes fetched twice are stored
once and sighted twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath


@dataclass(frozen=True)
class Sighting:
    """One time a file was seen: where it came from and when."""

    sha256: str
    source: str
    url: str
    file_name: str
    fetched_at: str
    size: int
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def safe_file_name(name: str) -> str:
    """The base name of a URL path or file path, stripped of directories and control characters.

    File names come from remote servers; they must never steer where anything is written.
    """
    base = PurePosixPath(PureWindowsPath(name).as_posix()).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in "\\/:")
    base = base.strip().lstrip(".")
    return base[:200] or "unnamed"


def utc_now() -> str:
    """Current UTC time as an ISO-8601 string with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class RawArchive:
    """Content-addressed, append-only store of raw files."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._logged: set[tuple[str, str, str]] | None = None

    @property
    def log_path(self) -> Path:
        return self.root / "fetches.jsonl"

    def object_path(self, sha256: str) -> Path:
        """Where the bytes with this digest live."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / "objects" / sha256[:2] / sha256

    def put(
        self,
        body: bytes,
        *,
        source: str,
        url: str,
        file_name: str,
        fetched_at: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[Sighting, bool]:
        """Store `body` (once) and record this sighting. Returns the sighting and whether it was new."""
        digest, is_new = self._store(body)
        return self._sight(digest, len(body), source=source, url=url, file_name=file_name, fetched_at=fetched_at,
                           status=status, headers=headers), is_new

    def _sight(self, digest: str, size: int, *, source: str, url: str, file_name: str, fetched_at: str | None,
               status: int | None = None, headers: dict[str, str] | None = None) -> Sighting:
        """Record one sighting of stored bytes (the file name made safe, the time now unless given)."""
        sighting = Sighting(sha256=digest, source=source, url=url, file_name=safe_file_name(file_name),
                            fetched_at=fetched_at or utc_now(), size=size, status=status, headers=dict(headers or {}))
        self._append(sighting)
        return sighting

    def _store(self, body: bytes) -> tuple[str, bool]:
        """Write the bytes under their digest unless they are there already: (digest, whether new)."""
        digest = hashlib.sha256(body).hexdigest()
        target = self.object_path(digest)
        if target.exists():
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o444)
            try:  # a hard link never replaces: whoever stores the same bytes first wins, the others stop
                os.link(tmp, target)
            except FileExistsError:
                return digest, False
            except OSError:  # a filesystem without hard links
                if target.exists():
                    return digest, False
                os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return digest, True

    def put_file(self, path: Path | str, *, source: str = "backfill") -> tuple[Sighting, bool]:
        """Archive a local file, with its modification time as the fetch time."""
        return self.put_files([path], source=source)[0]

    def put_files(self, paths: Iterable[Path | str], *, source: str = "backfill",
                  workers: int = 4) -> list[tuple[Sighting, bool]]:
        """Archive local files, each with its modification time as the fetch time.

        The bytes are stored by a few threads at once (each durable write waits on the disk, not the
        CPU); the sightings are logged in the order of `paths`, after every file is stored.
        """
        def read_and_store(p: Path) -> tuple[Path, str, int, str, bool]:
            mtime = datetime.fromtimestamp(p.stat().st_mtime, UTC).replace(microsecond=0).isoformat()
            body = p.read_bytes()
            return (p, mtime, len(body), *self._store(body))

        files = [Path(p) for p in paths]
        if len(files) > 1:
            with ThreadPoolExecutor(workers) as pool:
                stored = list(pool.map(read_and_store, files))
        else:
            stored = [read_and_store(p) for p in files]
        return [(self._sight(digest, size, source=source, url=p.resolve().as_uri(), file_name=p.name, fetched_at=mtime),
                 is_new) for p, mtime, size, digest, is_new in stored]

    def _append(self, sighting: Sighting) -> None:
        """Log a sighting once: the same file seen at the same URL and time is not logged again."""
        if self._logged is None:
            self._logged = {(s.sha256, s.url, s.fetched_at) for s in self.sightings()}
        key = (sighting.sha256, sighting.url, sighting.fetched_at)
        if key in self._logged:
            return
        self._logged.add(key)
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(sighting), sort_keys=True) + "\n"
        # O_APPEND keeps concurrent writers' lines whole (each line is one small write).
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def read(self, sha256: str) -> bytes:
        """The archived bytes for a digest."""
        return self.object_path(sha256).read_bytes()

    def sightings(self) -> Iterator[Sighting]:
        """Every recorded sighting, oldest first. Lines cut short by a crash are skipped."""
        if not self.log_path.exists():
            return
        with self.log_path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    yield Sighting(**json.loads(line))
                except (ValueError, TypeError):
                    continue
