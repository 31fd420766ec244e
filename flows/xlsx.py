"""Safe, fast reading of .xlsx workbooks: cell values via python-calamine, hyperlinks from the sheet XML.

Calamine reads values in milliseconds but drops hyperlinks; ICE keeps MOA URLs only in the cells'
hyperlinks, so those are read straight from the zip: the sheet's `<hyperlinks>` element and its
`_rels` file. Both are scanned with regular expressions over bytes, which never expands XML
entities.

Guarantees: a file that is not a zip, a truncated or corrupt zip, a zip bomb (too large once
unpacked, or an absurd compression ratio) or a workbook without sheets raises `WorkbookError`
with a one-line reason, before any cell is read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape

import python_calamine

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 2000


class WorkbookError(ValueError):
    """The bytes are not a workbook we can read safely; the message is one line."""


@dataclass
class Sheet:
    """A worksheet: rows of values from A1 (absolute positions), and hyperlinks by column."""

    name: str
    rows: list[list[object]]
    hyperlinks: dict[int, dict[int, str]] = field(default_factory=dict)  # col0 -> {row0: URL}
    zf: zipfile.ZipFile | None = field(default=None, repr=False)
    sheet_path: str = ""
    hidden: bool = False

    def read_links(self, columns: Iterable[int]) -> dict[int, dict[int, str]]:
        """Hyperlinks of the given columns only (0-based), kept in `hyperlinks`."""
        if self.zf is not None:
            self.hyperlinks = read_hyperlinks(self.zf, self.sheet_path, columns)
        return self.hyperlinks

    def read_formula_links(self, columns: Iterable[int]) -> dict[int, dict[int, str]]:
        """URLs of `=HYPERLINK("url", "text")` formulas in the given columns (0-based), by column then
        row: a copy re-made in another spreadsheet program may link its cells that way."""
        return read_formula_links(self.zf, self.sheet_path, columns) if self.zf is not None else {}


def check_zip(body: bytes) -> zipfile.ZipFile:
    """Open the bytes as a zip, refusing non-zips, corrupt archives and zip bombs."""
    if not body:
        raise WorkbookError("empty file (0 bytes)")
    if not body.startswith(b"PK\x03\x04"):
        raise WorkbookError("not an xlsx workbook (no zip signature)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(body))
        members = zf.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise WorkbookError(f"corrupt or truncated xlsx ({exc})") from None
    if len(members) > MAX_MEMBERS:
        raise WorkbookError(f"refused: {len(members)} zip members")
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise WorkbookError(f"refused as a zip bomb: {total} bytes once unpacked")
    for m in members:
        if m.compress_size and m.file_size / m.compress_size > MAX_RATIO and m.file_size > 1024 * 1024:
            raise WorkbookError(f"refused as a zip bomb: {m.filename} compresses {m.file_size // m.compress_size}:1")
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise WorkbookError("not an xlsx workbook (no xl/workbook.xml)")
    return zf


_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1] if k != b"r:id" else "rid": unescape(v.decode("utf-8", "replace"))
            for k, v in _ATTR.findall(tag)}


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """The zip path of every sheet, by sheet name (the names calamine reports)."""
    tags = re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", zf.read("xl/workbook.xml"))
    if not tags:
        raise WorkbookError("workbook has no sheets")
    try:
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        rels = b""
    targets = _relationship_targets(rels)
    paths = {}
    for i, tag in enumerate(tags, start=1):
        attrs = _attrs(tag)
        rid = attrs.get("rid") or attrs.get("id") or ""
        target = _target_url(targets.get(rid.encode(), b"")).lstrip("/")
        path = (target if target.startswith("xl/") else "xl/" + target) if target else f"xl/worksheets/sheet{i}.xml"
        paths.setdefault(attrs.get("name", ""), path)
    return paths


_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)")
_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    """0-based column of its letters (A → 0)."""
    col = _COLUMNS.get(letters)
    if col is None:
        col = 0
        for ch in letters:
            col = col * 26 + (ord(ch) - 64)
        col = _COLUMNS[letters] = col - 1
    return col


def _cell_position(ref: str) -> tuple[int, int] | None:
    m = _CELL_REF.match(ref)
    if not m:
        return None
    return int(m.group(2)) - 1, _column(m.group(1))


# Targeted attribute patterns: hyperlink sheets hold tens of thousands of these tags.
# Both attributes of a tag in one pass, in either order (the lookaheads stay inside the tag).
_REL_ID_TARGET = re.compile(rb'<(?:\w+:)?Relationship\b(?=[^>]*?\bId="([^"]*)")(?=[^>]*?\bTarget="([^"]*)")[^>]*>')
_LINK_REF_RID = re.compile(rb'<(?:\w+:)?hyperlink\b(?=[^>]*?\bref="([^"]*)")(?=[^>]*?\br:id="([^"]*)")[^>]*>')
# Excel writes both the way these match, several times faster; used when they catch every tag.
_REL_ID_TARGET_USUAL = re.compile(rb'<Relationship Id="([^"]*)" Type="[^"]*" Target="([^"]*)"')
_LINK_REF_RID_USUAL = re.compile(rb'<hyperlink ref="([^"]*)" r:id="([^"]*)"')


def _tag_attributes(data: bytes, tag: bytes, usual: re.Pattern, general: re.Pattern) -> list[tuple[bytes, bytes]]:
    """The two attributes of every `tag` element: by the usual layout's pattern when it caught every
    occurrence of the tag name (a plural name, like `hyperlinks`, is the container), else by the
    general one (any attribute order, namespace prefixes)."""
    found = usual.findall(data)
    if len(found) == data.count(tag) - data.count(tag + b"s"):
        return found
    return general.findall(data)


def _relationship_targets(rels: bytes) -> dict[bytes, bytes]:
    """Every relationship's Target in a `_rels` part, by Id (undecoded: see `_target_url`)."""
    return dict(_tag_attributes(rels, b"Relationship", _REL_ID_TARGET_USUAL, _REL_ID_TARGET))


@lru_cache(maxsize=65536)
def _target_url(target: bytes) -> str:
    """A relationship's Target as text (the same MOA URLs recur in every list)."""
    return unescape(target.decode("utf-8", "replace"))


def read_hyperlinks(
    zf: zipfile.ZipFile, sheet_path: str, columns: Iterable[int] | None = None
) -> dict[int, dict[int, str]]:
    """External hyperlinks of a sheet, by column then row ({col0: {row0: URL}}); only in `columns`
    (0-based) when given."""
    # An external hyperlink needs a target in the sheet's _rels part: read that small part first,
    # and leave the (large) sheet XML alone when it holds no targets.
    folder, _, base = sheet_path.rpartition("/")
    try:
        rels = zf.read(f"{folder}/_rels/{base}.rels")
    except KeyError:
        return {}
    targets = _relationship_targets(rels)
    if not any(targets.values()):
        return {}
    wanted = None if columns is None else set(columns)
    if wanted is not None and not wanted:
        return {}
    try:
        xml = zf.read(sheet_path)
    except KeyError:
        return {}
    start = xml.find(b"<hyperlinks")
    if start < 0:
        return {}
    block = xml[start: xml.find(b"</hyperlinks>", start) + 13]
    urls: dict[bytes, str] = {}  # decoded on first use: a sheet's rels can hold thousands of targets
    links: dict[int, dict[int, str]] = {}
    column_of: dict[bytes, int | None] = {}  # a ref's letters -> its column, None when not wanted
    for ref_attr, rid in _tag_attributes(block, b"hyperlink", _LINK_REF_RID_USUAL, _LINK_REF_RID):
        url = urls.get(rid)
        if url is None:
            target = targets.get(rid)
            if not target:
                continue
            url = urls[rid] = _target_url(target)
        letters = ref_attr.rstrip(b"0123456789")
        if letters.isalpha() and len(letters) < len(ref_attr):  # the common case: a single cell, like F240
            if letters in column_of:
                col = column_of[letters]
            else:
                col = column_of[letters] = _wanted_column(letters.decode("ascii"), wanted)
            if col is not None:
                links.setdefault(col, {})[int(ref_attr[len(letters):]) - 1] = url
            continue
        for ref in ref_attr.decode("ascii", "replace").split():
            first, _, last = ref.partition(":")
            p0 = _cell_position(first)
            p1 = _cell_position(last) if last else p0
            if p0 and p1:
                for c in range(p0[1], p1[1] + 1):
                    if wanted is not None and c not in wanted:
                        continue
                    for r in range(p0[0], p1[0] + 1):
                        links.setdefault(c, {})[r] = url
    return links


_HYPERLINK_FORMULA = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="\$?([A-Z]{1,3})\$?(\d+)"[^>]*>\s*<(?:\w+:)?f\b[^>]*>\s*=?\s*HYPERLINK\(\s*'
    rb'(?:"|&quot;)([^"&]*(?:&amp;[^"&]*)*)(?:"|&quot;)', re.I)


def read_formula_links(zf: zipfile.ZipFile, sheet_path: str, columns: Iterable[int]) -> dict[int, dict[int, str]]:
    """`HYPERLINK("url", …)` formulas of a sheet, by column then row ({col0: {row0: URL}}), only in
    `columns`; a formula building its URL from other cells is not read."""
    wanted = set(columns)
    try:
        xml = zf.read(sheet_path)
    except KeyError:
        return {}
    if not wanted or b"HYPERLINK(" not in xml.upper():
        return {}
    links: dict[int, dict[int, str]] = {}
    for letters, row, url in _HYPERLINK_FORMULA.findall(xml):
        col = _wanted_column(letters.decode("ascii"), wanted)
        if col is not None and url:
            links.setdefault(col, {})[int(row) - 1] = unescape(url.decode("utf-8", "replace"))
    return links


def _wanted_column(letters: str, wanted: set[int] | None) -> int | None:
    """0-based column of a cell reference's letters, or None when it is not among `wanted`."""
    if len(letters) > 3 or not letters.isupper():
        return None
    col = _column(letters)
    return col if wanted is None or col in wanted else None


def read_sheets(body: bytes, *, hyperlinks: bool = True, limit: int = 10) -> Iterator[Sheet]:
    """Values and hyperlinks of the workbook's sheets (at most `limit`), each read when the caller asks
    for it: ICE's lists are the first sheet, a cover or notes sheet may come first one day. Visible
    sheets come first, in order, then hidden ones (an older copy of a list may be kept out of sight).

    With `hyperlinks=False` the links are left for `Sheet.read_links` (only the columns a caller needs).
    """
    zf = check_zip(body)
    paths = _sheet_paths(zf)
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(body))
        if not wb.sheet_names:
            raise WorkbookError("workbook has no sheets")
        visible = python_calamine.SheetVisibleEnum.Visible
        hidden = [m.visible != visible for m in wb.sheets_metadata]
        hidden += [False] * (len(wb.sheet_names) - len(hidden))
    except WorkbookError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken parts
        raise _unreadable(exc) from None
    for index in sorted(range(min(len(wb.sheet_names), limit)), key=lambda i: (hidden[i], i)):
        try:
            sheet = wb.get_sheet_by_index(index)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges
        except Exception as exc:
            raise _unreadable(exc) from None
        if merged:
            _fill_down(rows, merged)
        path = paths.get(sheet.name, f"xl/worksheets/sheet{index + 1}.xml")
        yield Sheet(name=sheet.name, rows=rows, hyperlinks=read_hyperlinks(zf, path) if hyperlinks else {},
                    zf=zf, sheet_path=path, hidden=hidden[index])


def _fill_down(rows: list[list[object]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Give every cell of a cell merged down one column (a state or an agency printed once over its
    rows) the merged value. Merges across columns are titles or footers and are left alone."""
    for (r0, c0), (r1, c1) in merged:
        if c0 != c1 or r1 <= r0 or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if c0 >= len(row):
                row.extend([""] * (c0 + 1 - len(row)))
            row[c0] = value


def _unreadable(exc: Exception) -> WorkbookError:
    return WorkbookError(f"unreadable xlsx ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})")
