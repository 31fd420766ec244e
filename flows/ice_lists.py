"""ICE's 287(g) lists (participating and pending agencies): from workbook bytes to clean rows.

The source: `https://www.ice.gov/identify-and-arrest/287g` links two workbooks that ICE overwrites
several times a week; before 2025-02-20 the page carried an HTML table, preserved as workbooks by an
archive project. Every era is read through one path:

- columns are found by header name (STATE, LAW ENFORCEMENT AGENCY, TYPE, COUNTY, SUPPORT TYPE,
  SIGNED, MOA, ADDENDUM), never by position; unnamed and blank columns are ignored, unknown named
  columns are reported;
- a data row is any row with an agency or a support type; blank formatted rows are skipped;
- each cell is cleaned by `flows.normalize`, the raw text kept beside it;
- MOA and ADDENDUM URLs come from the cells' hyperlinks (or a URL typed in the cell).

Guarantees: `parse_workbook` raises `ListError` (one line) for anything that is not a readable ICE
list: not a workbook, zip bomb, no recognisable header, no data rows. It never returns half a list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flows import normalize
from flows.xlsx import WorkbookError, read_first_sheet

PARSER_VERSION = "ice_lists/1"

# Header names seen in ICE's lists, by field. Matching is on upper-cased, space-collapsed text.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "state": ("STATE",),
    "agency": ("LAW ENFORCEMENT AGENCY", "AGENCY", "AGENCY NAME", "LAW ENFORCEMENT AGENCY NAME"),
    "type": ("TYPE", "AGENCY TYPE"),
    "county": ("COUNTY",),
    "support_type": ("SUPPORT TYPE", "MODEL", "287(G) MODEL"),
    "signed": ("SIGNED", "DATE SIGNED", "SIGNED DATE"),
    "moa": ("MOA",),
    "addendum": ("ADDENDUM",),
}
REQUIRED = ("state", "agency", "support_type")
_LOOKUP = {name: fld for fld, names in HEADER_NAMES.items() for name in names}


class ListError(ValueError):
    """The file is not a readable ICE list; the message is one line."""


@dataclass
class RawRow:
    """One data row as printed: cell text by field, hyperlinks, and its row number in the sheet."""

    row_number: int
    cells: dict[str, object]
    links: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedList:
    """A workbook read into raw rows, before the snapshot's date is known."""

    sheet_name: str
    header: str
    fields: tuple[str, ...]
    unknown_columns: list[str]
    rows: list[RawRow]

    @property
    def has_signed(self) -> bool:
        return "signed" in self.fields

    def signed_dates(self) -> list[date]:
        """SIGNED dates that parse and fall in a plausible range (year typos excluded)."""
        out = []
        for r in self.rows:
            d = normalize.parse_date(r.cells.get("signed"))
            if d and date(2000, 1, 1) <= d <= date(2100, 1, 1):
                out.append(d)
        return out


def _header_key(value: object) -> str:
    return " ".join(str(value or "").replace("\u00a0", " ").upper().split())


def _find_header(rows: list[list[object]]) -> tuple[int, dict[int, str], list[str]]:
    for i, row in enumerate(rows[:10]):
        cols = {}
        unknown = []
        for j, cell in enumerate(row):
            key = _header_key(cell)
            if not key:
                continue
            fld = _LOOKUP.get(key)
            if fld and fld not in cols.values():
                cols[j] = fld
            else:
                unknown.append(key)
        if all(f in cols.values() for f in REQUIRED):
            return i, cols, unknown
    raise ListError("no recognisable header (need STATE, LAW ENFORCEMENT AGENCY, SUPPORT TYPE in the first rows)")


def parse_workbook(body: bytes) -> ParsedList:
    """Read an ICE list workbook into raw rows by header name."""
    try:
        sheet = read_first_sheet(body)
    except WorkbookError as exc:
        raise ListError(str(exc)) from None
    if not sheet.rows:
        raise ListError("empty sheet")
    head, cols, unknown = _find_header(sheet.rows)
    rows: list[RawRow] = []
    for i in range(head + 1, len(sheet.rows)):
        values = sheet.rows[i]
        cells = {fld: values[j] if j < len(values) else None for j, fld in cols.items()}
        if not (normalize.clean_text(cells.get("agency")) or normalize.clean_text(cells.get("support_type"))):
            continue
        links = {}
        for j, fld in cols.items():
            if fld in ("moa", "addendum") and (i, j) in sheet.hyperlinks:
                links[fld] = sheet.hyperlinks[(i, j)]
        rows.append(RawRow(row_number=i + 1, cells=cells, links=links))
    if not rows:
        raise ListError("header found but no data rows")
    fields = tuple(fld for _, fld in sorted(cols.items()))
    header = "|".join(HEADER_NAMES[f][0] for f in fields)
    return ParsedList(sheet_name=sheet.name, header=header, fields=fields, unknown_columns=unknown, rows=rows)


def _raw(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_rows(parsed: ParsedList, as_of: date | None) -> list[dict]:
    """Clean every raw row into snapshot_rows records (one per model named in the row)."""
    out: list[dict] = []
    for r in parsed.rows:
        c = r.cells
        notes = []
        state = normalize.state_code(c.get("state"))
        if state is None and normalize.clean_text(c.get("state")):
            notes.append(f"state '{normalize.clean_text(c.get('state'))}' not recognised")
        county, county_note = normalize.county(c.get("county"), state)
        signed, signed_note = normalize.signed_date(c.get("signed"), as_of) if "signed" in c else (None, None)
        for note in (county_note, signed_note):
            if note:
                notes.append(note)
        models = normalize.models(c.get("support_type")) or ["UNKNOWN"]
        if models == ["UNKNOWN"]:
            notes.append(f"support type '{normalize.clean_text(c.get('support_type'))}' not recognised")
        base = {
            "row_number": r.row_number,
            "state": state,
            "agency_name": normalize.agency_name(c.get("agency")),
            "agency_type": normalize.agency_type(c.get("type")),
            "county": county,
            "signed": signed,
            "moa_url": normalize.moa_url(r.links.get("moa"), c.get("moa")),
            "addendum_url": normalize.moa_url(r.links.get("addendum"), c.get("addendum")),
            "notes": "; ".join(notes) or None,
            "raw_state": _raw(c.get("state")),
            "raw_agency": _raw(c.get("agency")),
            "raw_type": _raw(c.get("type")),
            "raw_county": _raw(c.get("county")),
            "raw_support_type": _raw(c.get("support_type")),
            "raw_signed": _raw(c.get("signed")),
            "raw_moa": _raw(c.get("moa")),
            "raw_addendum": _raw(c.get("addendum")),
        }
        for model in models:
            row = {**base, "model": model}
            moved = normalize.fixed_state(state, row["agency_name"], model, signed)
            if moved:
                row["state"] = moved
                row["notes"] = "; ".join(filter(None, [row["notes"], f"listed under {state}; moved to {moved} (ICE verified fix)"]))
            out.append(row)
    return out
