"""Writing published files (pages, CSVs, feeds) so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> bool:
    """Write `data` to `path` through a temporary file and a rename; unchanged content is left alone.

    Returns whether the file was written. Readers (a web server, a feed reader) see the old file or
    the new one, never a mix; an unchanged file keeps its modification time.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    body = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and path.stat().st_size == len(body) and path.read_bytes() == body:
        return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
