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

import operator
from dataclasses import dataclass, field
from datetime import date

from flows import identity, normalize
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


@dataclass(slots=True)
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
        low, high = date(2000, 1, 1), date(2100, 1, 1)
        seen: dict[tuple[type, object], date | None] = {}  # most SIGNED values repeat within a list
        for r in self.rows:
            value = r.cells.get("signed")
            key = (type(value), value)
            d = seen[key] if key in seen else seen.setdefault(key, normalize.parse_date(value))
            if d and low <= d <= high:
                out.append(d)
        return out


def _header_key(value: object) -> str:
    return " ".join(str(value or "").replace("\u00a0", " ").upper().split())


def match_header(cells: list[object]) -> tuple[dict[int, str], list[str]] | None:
    """Fields by column index for a header row (and the named cells it does not know), or None when
    the row lacks a required field. Shared by every layout of ICE's lists (workbooks, HTML tables)."""
    cols: dict[int, str] = {}
    unknown = []
    for j, cell in enumerate(cells):
        key = _header_key(cell)
        if not key:
            continue
        fld = _LOOKUP.get(key)
        if fld and fld not in cols.values():
            cols[j] = fld
        else:
            unknown.append(key)
    return (cols, unknown) if all(f in cols.values() for f in REQUIRED) else None


def header_signature(cols: dict[int, str]) -> tuple[tuple[str, ...], str]:
    """The recognised fields in column order and the header text stored for the snapshot."""
    fields = tuple(fld for _, fld in sorted(cols.items()))
    return fields, "|".join(HEADER_NAMES[f][0] for f in fields)


def _find_header(rows: list[list[object]]) -> tuple[int, dict[int, str], list[str]]:
    for i, row in enumerate(rows[:10]):
        found = match_header(row)
        if found:
            return i, *found
    raise ListError("no recognisable header (need STATE, LAW ENFORCEMENT AGENCY, SUPPORT TYPE in the first rows)")


def cols_of(cols: dict[int, str], fld: str) -> int:
    """The column index of a field in a header mapping."""
    return next(j for j, f in cols.items() if f == fld)


def parse_workbook(body: bytes) -> ParsedList:
    """Read an ICE list workbook into raw rows by header name."""
    try:
        sheet = read_first_sheet(body, hyperlinks=False)
    except WorkbookError as exc:
        raise ListError(str(exc)) from None
    if not sheet.rows:
        raise ListError("empty sheet")
    head, cols, unknown = _find_header(sheet.rows)
    # Only the MOA and ADDENDUM columns' hyperlinks are ever used: read just those (or none).
    link_cols = {j: fld for j, fld in cols.items() if fld in ("moa", "addendum")}
    hyperlinks = sheet.read_links(link_cols) if link_cols else {}
    items = list(cols.items())
    names = tuple(fld for _, fld in items)
    positions = [j for j, _ in items]
    width = max(positions) + 1
    pick = operator.itemgetter(*positions)
    if len(positions) == 1:  # itemgetter of one index returns the value, not a tuple
        pick = (lambda get: lambda values: (get(values),))(pick)
    agency_col, support_col = cols_of(cols, "agency"), cols_of(cols, "support_type")
    clean_text = normalize.clean_text
    rows: list[RawRow] = []
    all_rows = sheet.rows
    for i in range(head + 1, len(all_rows)):
        values = all_rows[i]
        n = len(values)
        if not ((agency_col < n and clean_text(values[agency_col]))
                or (support_col < n and clean_text(values[support_col]))):
            continue
        cells = dict(zip(names, pick(values) if n >= width else [values[j] if j < n else None for j in positions], strict=True))
        links = {}
        if hyperlinks:
            for j, fld in link_cols.items():
                url = hyperlinks.get((i, j))
                if url is not None:
                    links[fld] = url
        rows.append(RawRow(i + 1, cells, links))
    if not rows:
        raise ListError("header found but no data rows")
    fields, header = header_signature(cols)
    return ParsedList(sheet_name=sheet.name, header=header, fields=fields, unknown_columns=unknown, rows=rows)


def _raw(value: object) -> str | None:
    if value.__class__ is str:  # the common case, first
        return value or None
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# The cleaned record of a row, as a tuple in this order (the columns of `snapshot_rows` a parser fills).
RECORD_FIELDS = (
    "row_number", "model", "state", "agency_name", "name_key", "agency_type", "county", "signed", "moa_url",
    "addendum_url", "notes", "raw_state", "raw_agency", "raw_type", "raw_county", "raw_support_type", "raw_signed",
    "raw_moa", "raw_addendum",
)
_VALUE_FIELDS = ("state", "agency", "type", "county", "support_type", "moa", "addendum")

# Cleaning a row depends only on its printed values, except for SIGNED (which depends on the list's
# date) and the MOA links (cached on their own: archived copies make them differ list after list).
# The rest is cleaned once per distinct row, and ICE's lists repeat most rows snapshot after
# snapshot. Keys carry the values' types, so 1, 1.0 and True never share an entry.
_BASE_CACHE: dict[tuple, tuple] = {}
_BASE_CACHE_MAX = 50_000


def _clean_base(values: tuple) -> tuple:
    """What a row's record takes from STATE, AGENCY, TYPE, COUNTY and SUPPORT TYPE."""
    st, ag, ty, co, su = values
    pre = []
    state = normalize.state_code(st)
    if state is None and normalize.clean_text(st):
        pre.append(f"state '{normalize.clean_text(st)}' not recognised")
    county, county_note = normalize.county(co, state)
    if county_note:
        pre.append(county_note)
    post = []
    models = normalize.models(su) or ("UNKNOWN",)
    if models == ("UNKNOWN",):
        post.append(f"support type '{normalize.clean_text(su)}' not recognised")
    agency_name = normalize.agency_name(ag)
    return (state, agency_name, identity.name_key(agency_name, state), normalize.agency_type(ty), county,
            tuple(pre), tuple(post), models, _raw(st), _raw(ag), _raw(ty), _raw(co), _raw(su))


def clean_records(parsed: ParsedList, as_of: date | None) -> list[tuple]:
    """Clean every raw row into record tuples (`RECORD_FIELDS`), one per model named in the row."""
    out: list[tuple] = []
    cache = _BASE_CACHE
    if len(cache) > _BASE_CACHE_MAX:
        cache.clear()
    signed_date, fixed_state, name_key, moa_url = (normalize.signed_date, normalize.fixed_state, identity.name_key,
                                                    normalize.moa_url)
    for r in parsed.rows:
        c = r.cells
        get = c.get
        values = (get("state"), get("agency"), get("type"), get("county"), get("support_type"))
        key = (values, tuple(map(type, values)))
        base = cache.get(key)
        if base is None:
            base = cache[key] = _clean_base(values)
        (state, agency_name, key_name, agency_type, county, pre, post, models,
         raw_state, raw_agency, raw_type, raw_county, raw_support) = base
        links = r.links
        moa_value, addendum_value = get("moa"), get("addendum")
        moa = moa_url(links.get("moa") if links else None, moa_value)
        addendum = moa_url(links.get("addendum") if links else None, addendum_value)
        signed_value = get("signed")
        if "signed" in c:
            signed, signed_note = signed_date(signed_value, as_of)
        else:
            signed, signed_note = None, None
        if signed_note:
            notes = "; ".join((*pre, signed_note, *post))
        else:
            notes = "; ".join(pre + post) if (pre or post) else None
        raw_signed, raw_moa, raw_addendum = _raw(signed_value), _raw(moa_value), _raw(addendum_value)
        for model in models:
            row_state, row_notes, row_key = state, notes, key_name
            moved = fixed_state(state, agency_name, model, signed) if signed is not None else None
            if moved:
                row_state = moved
                row_notes = "; ".join(filter(None, [notes, f"listed under {state}; moved to {moved} (ICE verified fix)"]))
                row_key = name_key(agency_name, moved)
            out.append((r.row_number, model, row_state, agency_name, row_key, agency_type, county, signed, moa,
                        addendum, row_notes, raw_state, raw_agency, raw_type, raw_county, raw_support, raw_signed,
                        raw_moa, raw_addendum))
    return out


_DICT_FIELDS = tuple(f for f in RECORD_FIELDS if f != "name_key")


def clean_rows(parsed: ParsedList, as_of: date | None) -> list[dict]:
    """Clean every raw row into snapshot_rows records (one per model named in the row)."""
    return [{"row_number": rec[0], "state": rec[2], "agency_name": rec[3], "agency_type": rec[5], "county": rec[6],
             "signed": rec[7], "moa_url": rec[8], "addendum_url": rec[9], "notes": rec[10], "raw_state": rec[11],
             "raw_agency": rec[12], "raw_type": rec[13], "raw_county": rec[14], "raw_support_type": rec[15],
             "raw_signed": rec[16], "raw_moa": rec[17], "raw_addendum": rec[18], "model": rec[1]}
            for rec in clean_records(parsed, as_of)]
