"""Full-text search over articles with DuckDB's FTS extension, loaded offline.

The extension comes from the PyPI package `duckdb-extension-fts` (pinned with duckdb 1.5.5): its file
sits inside the installed package and is installed from that path (`INSTALL '<path>'; LOAD fts`), so
nothing is downloaded. The BM25 index (schema `fts_main_articles`) is rebuilt after every news load.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parent / "sql"


class FtsUnavailable(RuntimeError):
    """The FTS extension file could not be found or loaded."""


def extension_path() -> Path:
    """The fts.duckdb_extension file shipped by the duckdb-extension-fts package for this DuckDB."""
    try:
        import duckdb_extension_fts
    except ImportError as exc:
        raise FtsUnavailable("package duckdb-extension-fts is not installed") from exc
    root = Path(duckdb_extension_fts.__file__).resolve().parent
    version = "v" + duckdb.__version__
    exact = root / "extensions" / version / "fts.duckdb_extension"
    if exact.exists():
        return exact
    found = sorted(root.rglob("fts.duckdb_extension"))
    if not found:
        raise FtsUnavailable(f"no fts.duckdb_extension inside {root}")
    return found[-1]


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Install the FTS extension from the package file and load it (no network)."""
    path = extension_path()
    try:
        con.execute(f"INSTALL '{path.as_posix()}'")
        con.execute("LOAD fts")
    except duckdb.Error:
        try:
            con.execute(f"LOAD '{path.as_posix()}'")  # a read-only or sandboxed home: load the file directly
        except duckdb.Error as exc:
            raise FtsUnavailable(f"cannot load {path}: {exc}") from exc


def build_index(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the article index."""
    load_fts(con)
    con.execute((SQL_DIR / "build_fts.sql").read_text(encoding="utf-8"))


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20, *, every_word: bool = True) -> list[dict]:
    """Original articles holding every word of `query` (or any of them), best BM25 score first."""
    load_fts(con)
    try:
        cur = con.execute((SQL_DIR / "search.sql").read_text(encoding="utf-8"), [query, limit, int(every_word)])
    except duckdb.CatalogException as exc:
        raise FtsUnavailable(
            "no search index yet: load the news first (`tracker news-ingest`, or `tracker run`)") from exc
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
