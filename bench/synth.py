"""Synthetic ICE-style workbooks and snapshot series, for benchmarks and fault tests.

`workbook(rows)` writes a minimal, valid .xlsx (inline strings, one sheet) that the real parser
reads like one of ICE's files; `series(...)` makes a dated sequence of participating lists whose
agencies come and go, so loads exercise identity, events and reviews like real data. Every string
goes through `xml.sax.saxutils.escape`. Deterministic for a given seed.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterable
from datetime import date, timedelta
from xml.sax.saxutils import escape

HEADER = ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA")
STATES = ("FLORIDA", "TEXAS", "GEORGIA", "ALABAMA", "NORTH CAROLINA", "SOUTH CAROLINA", "TENNESSEE", "LOUISIANA",
          "OKLAHOMA", "ARIZONA", "OHIO", "INDIANA", "MISSOURI", "ARKANSAS", "VIRGINIA", "UTAH", "IDAHO", "MONTANA",
          "WYOMING", "NEBRASKA", "KANSAS", "IOWA", "WEST VIRGINIA", "KENTUCKY", "MISSISSIPPI", "NEW HAMPSHIRE")
MODELS = ("Jail Enforcement Model", "Task Force Model", "Warrant Service Officer")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>')

_EMPTY_SST = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>')


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def sheet_xml(rows: Iterable[Iterable[object]], *, prolog: str = "") -> bytes:
    """Worksheet XML with inline-string cells (numbers stay numbers); `prolog` goes before <worksheet>."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', prolog,
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for r, row in enumerate(rows, start=1):
        out.append(f'<row r="{r}">')
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            ref = f"{_col(c)}{r}"
            if isinstance(value, int | float):
                out.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out).encode("utf-8")


def workbook(rows: Iterable[Iterable[object]], *, header: Iterable[str] = HEADER, sheet: bytes | None = None,
             extra_members: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx whose first sheet holds the header and rows (or the given sheet XML)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet if sheet is not None else sheet_xml([tuple(header), *rows]))
        members = {"xl/sharedStrings.xml": _EMPTY_SST, **(extra_members or {})}
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def agency_row(i: int, model: int, signed: date) -> tuple:
    """One participating-list row for synthetic agency number i."""
    state = STATES[i % len(STATES)]
    county = f"County{i // len(STATES)}"
    return (state, f"{county} County Sheriff's Office {i}", "County", f"{county} County", MODELS[model % 3],
            signed.isoformat(), "link")


def file_name(kind: str, as_of: date, suffix: str = "am") -> str:
    """An ICE-style file name: participatingAgencies05292025am.xlsx."""
    return f"{kind}Agencies{as_of:%m%d%Y}{suffix}.xlsx"


def series(n_snapshots: int, n_agreements: int, *, start: date = date(2025, 3, 3), step_days: int = 1,
           churn: float = 0.01, seed: int = 7) -> list[tuple[str, bytes]]:
    """A dated series of participating lists of about n_agreements rows each; ~churn of rows change per step."""
    rng = random.Random(seed)
    active = list(range(n_agreements))
    next_id = n_agreements
    signed = {i: start - timedelta(days=rng.randrange(30, 900)) for i in active}
    files = []
    for k in range(n_snapshots):
        as_of = start + timedelta(days=k * step_days)
        if k:
            for _ in range(max(1, int(len(active) * churn))):
                active.pop(rng.randrange(len(active)))
                active.append(next_id)
                signed[next_id] = as_of - timedelta(days=rng.randrange(1, 20))
                next_id += 1
        rows = [agency_row(i, i, signed[i]) for i in sorted(active)]
        suffix = "am" if k % 2 == 0 else "pm"
        files.append((file_name("participating", as_of, suffix), workbook(rows)))
    return files
