"""ICE's 287(g) lists (participating and pending agencies): from workbook bytes to clean rows.

The source: `https://www.ice.gov/identify-and-arrest/287g` links two workbooks that ICE overwrites
several times a week; before 2025-02-20 the page carried an HTML table, preserved as workbooks by an
archive project. Every era is read through one path:

- columns are found by header name (STATE, LAW ENFORCEMENT AGENCY, TYPE, COUNTY, SUPPORT TYPE,
  SIGNED, MOA, ADDENDUM; asides like `(LEA)`, `:` or `*` ignored), never by position; unnamed and
  blank columns are ignored, unknown named columns are reported;
- a data row is any row with an agency or a support type; blank formatted rows are skipped, and so
  are a header printed again and lines with neither a state nor a model (totals, source lines),
  with a note;
- each cell is cleaned by `flows.normalize`, the raw text kept beside it;
- MOA and ADDENDUM URLs come from the cells' hyperlinks (else `HYPERLINK()` formulas, or a URL
  typed in the cell).

The same list saved as CSV is read by `parse_csv` through the same path (without hyperlinks).

Guarantees: `parse_workbook` and `parse_csv` raise `ListError` (one line) for anything that is not a
readable ICE list: not a workbook, zip bomb, no recognisable header, no data rows. They never return
half a list.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from flows import identity, normalize
from flows.xlsx import Sheet, WorkbookError, read_sheets

PARSER_VERSION = "ice_lists/5"  # /5: snapshots note rows whose STATE, SIGNED or SUPPORT TYPE could not be read

# Header names seen in ICE's lists, by field. Matching is on upper-cased, space-collapsed text.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "state": ("STATE",),
    "agency": ("LAW ENFORCEMENT AGENCY", "AGENCY", "AGENCY NAME", "LAW ENFORCEMENT AGENCY NAME"),
    "type": ("TYPE", "AGENCY TYPE"),
    "county": ("COUNTY",),
    "support_type": ("SUPPORT TYPE", "MODEL", "287(G) MODEL"),
    "signed": ("SIGNED", "DATE SIGNED", "SIGNED DATE", "SIGNED ON", "MOA SIGNED", "DATE MOA SIGNED",
               "AGREEMENT DATE", "DATE OF AGREEMENT"),
    "moa": ("MOA", "MOA LINK", "MEMORANDUM OF AGREEMENT"),
    "addendum": ("ADDENDUM", "ADDENDUM LINK"),
}
REQUIRED = ("state", "agency", "support_type")
HEADER_ROWS = 20  # the header is looked for in this many rows from the top (titles and notes may come first)
_LOOKUP = {name: fld for fld, names in HEADER_NAMES.items() for name in names}
_ASIDE = re.compile(r"\([^)]*\)|[^A-Z0-9 ]")  # `AGENCY (LEA)`, `SIGNED:`, `SUPPORT TYPE*`
_LOOSE_LOOKUP = {" ".join(_ASIDE.sub(" ", name).split()): fld for name, fld in _LOOKUP.items()}


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
    """A list read into raw cells, by column, before the snapshot's date is known.

    `columns[field]` holds the cell values of every data row in file order (aligned with
    `row_numbers`); `links[field]` the hyperlink of each row's MOA / ADDENDUM cell (None when the
    cell has none). Columns, not row objects: a backfill reads hundreds of thousands of rows.
    """

    sheet_name: str
    header: str
    fields: tuple[str, ...]
    unknown_columns: list[str]
    row_numbers: list[int]
    columns: dict[str, list[object]]
    links: dict[str, list[str | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what reading the sheet set aside, for the snapshot
    other_lists: list[str] = field(default_factory=list)  # other sheets of the workbook that hold a list too

    @classmethod
    def from_rows(cls, sheet_name: str, header: str, fields: tuple[str, ...], unknown_columns: list[str],
                  rows: list[RawRow]) -> ParsedList:
        """Build a list from row objects (HTML tables, tests)."""
        links = {f: [r.links.get(f) for r in rows] for f in ("moa", "addendum") if any(f in r.links for r in rows)}
        return cls(sheet_name, header, fields, unknown_columns, [r.row_number for r in rows],
                   {f: [r.cells.get(f) for r in rows] for f in fields}, links)

    @property
    def rows(self) -> list[RawRow]:
        """The data rows as row objects (a view for tests and inspection)."""
        out = []
        for i, number in enumerate(self.row_numbers):
            links = {f: col[i] for f, col in self.links.items() if col[i] is not None}
            out.append(RawRow(number, {f: col[i] for f, col in self.columns.items()}, links))
        return out

    @property
    def row_count(self) -> int:
        """Data rows, as ICE printed them."""
        return len(self.row_numbers)

    @property
    def has_signed(self) -> bool:
        """Whether the list prints SIGNED dates (a participating list does, a pending list never does,
        though it may carry an empty SIGNED column)."""
        return any(normalize.parse_date(v) for v in self.columns.get("signed", ()) if v is not None)

    def signed_dates(self) -> list[date]:
        """SIGNED dates that parse and fall in a plausible range (year typos excluded)."""
        out = []
        low, high = normalize.EARLIEST_LIST_DATE, date(2100, 1, 1)
        seen: dict[tuple[type, object], date | None] = {}  # most SIGNED values repeat within a list
        for value in self.columns.get("signed", ()):
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
        fld = _LOOKUP.get(key) or _LOOSE_LOOKUP.get(" ".join(_ASIDE.sub(" ", key).split()))
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
    for i, row in enumerate(rows[:HEADER_ROWS]):
        found = match_header(row)
        if found:
            return i, *found
    raise ListError(f"no recognisable header (need STATE, LAW ENFORCEMENT AGENCY, SUPPORT TYPE in the first "
                    f"{HEADER_ROWS} rows)")


def cols_of(cols: dict[int, str], fld: str) -> int:
    """The column index of a field in a header mapping."""
    return next(j for j, f in cols.items() if f == fld)


def _list_sheet(body: bytes) -> tuple[Sheet, int, dict[int, str], list[str], list[str]]:
    """The sheet that holds the list, with its header row, fields by column and unknown header cells,
    and the names of the other sheets that hold a list too. With several, the longest visible one (a
    cover sheet may carry a header-like row; a hidden sheet may keep an older list); when no sheet
    holds a list, the first sheet's reason (empty, or no recognisable header)."""
    first_error, found = None, []
    try:
        for sheet in read_sheets(body, hyperlinks=False):  # visible sheets first
            try:
                if not sheet.rows:
                    raise ListError("empty sheet")
                found.append((sheet, *_find_header(sheet.rows)))
            except ListError as exc:
                first_error = first_error or exc
    except WorkbookError as exc:
        raise ListError(str(exc)) from None
    if not found:
        raise first_error or ListError("workbook has no sheets")
    pool = [f for f in found if not f[0].hidden] or found
    best = max(pool, key=lambda f: len(f[0].rows) - f[1])
    return (*best, [f[0].name for f in found if f is not best])


def parse_workbook(body: bytes) -> ParsedList:
    """Read an ICE list workbook into raw cells by header name (from the sheet holding the list)."""
    sheet, head, cols, unknown, other_lists = _list_sheet(body)
    notes = []
    if sheet.hidden:
        notes.append(f"list read from the hidden sheet {sheet.name!r} (no visible sheet holds one)")
    if other_lists:
        notes.append(f"only sheet {sheet.name!r} was read; {', '.join(map(repr, other_lists))} hold(s) a list too "
                     "(save each list as its own file to load it)")
    parsed = _read_list(sheet.rows, head, cols, unknown, sheet.name, notes, sheet)
    parsed.other_lists = other_lists
    return parsed


def parse_csv(body: bytes) -> ParsedList:
    """Read an ICE list saved as CSV (a copy exported from a spreadsheet) by the same header names. A
    CSV keeps no hyperlinks: MOA links are read only where the URL itself is in the cell."""
    rows = csv_rows(body)
    if not any(any(cell for cell in row) for row in rows):
        raise ListError("empty CSV file")
    head, cols, unknown = _find_header(rows)
    return _read_list(rows, head, cols, unknown, "csv", [], None)


def csv_rows(body: bytes) -> list[list[object]]:
    """The cells of a CSV file (UTF-8, with or without a byte-order mark; else Windows-1252, as Excel
    saves it), empty cells as None."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = body.decode("cp1252", "replace")
    try:
        return [[cell if cell.strip() else None for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ListError(f"not a readable CSV file ({exc})") from None


def holds_list(rows: list[list[object]]) -> bool:
    """Whether the first rows of a table hold an ICE list header."""
    try:
        _find_header(rows)
    except ListError:
        return False
    return True


def _read_list(rows: list[list[object]], head: int, cols: dict[int, str], unknown: list[str], sheet_name: str,
               notes: list[str], sheet: Sheet | None) -> ParsedList:
    """The data rows under the header, by field, with the MOA and ADDENDUM hyperlinks of `sheet`."""
    body_rows = rows[head + 1:]
    width = max(cols) + 1
    if any(len(values) < width for values in body_rows):  # ragged rows: missing cells read as None
        body_rows = [values + [None] * (width - len(values)) if len(values) < width else values for values in body_rows]
    # A data row names an agency or a support type; blank formatted rows are skipped.
    clean_text = normalize.clean_text
    agency_col, support_col = cols_of(cols, "agency"), cols_of(cols, "support_type")
    agency = [values[agency_col] for values in body_rows]
    support = [values[support_col] for values in body_rows]
    keep = [i for i, (a, s) in enumerate(zip(agency, support, strict=True)) if clean_text(a) or clean_text(s)]
    keep, set_aside = _set_aside(body_rows, keep, cols, head)
    notes = [*set_aside, *notes]
    if not keep:
        raise ListError("header found but no data rows")
    kept = [body_rows[i] for i in keep] if len(keep) < len(body_rows) else body_rows
    columns = {fld: [values[j] for values in kept] for j, fld in sorted(cols.items())}
    # Only the MOA and ADDENDUM columns' hyperlinks are ever used: read just those (or none).
    link_cols = {j: fld for j, fld in cols.items() if fld in ("moa", "addendum")}
    links = {}
    if link_cols and sheet is not None:
        by_column = sheet.read_links(link_cols)
        # A column of labels (`link`) with no hyperlink behind any: perhaps HYPERLINK() formulas.
        unlinked = [j for j in link_cols if not by_column.get(j) and _labels_only(values[j] for values in kept)]
        if unlinked:
            by_column.update(sheet.read_formula_links(unlinked))
        first = head + 1  # 0-based sheet row of body_rows[0]
        for j, fld in link_cols.items():
            found = by_column.get(j)
            if found:
                links[fld] = list(map(found.get, [first + i for i in keep]))
    fields, header = header_signature(cols)
    return ParsedList(sheet_name=sheet_name, header=header, fields=fields, unknown_columns=unknown,
                      row_numbers=[head + 2 + i for i in keep], columns=columns, links=links, notes=notes)


def _labels_only(cells) -> bool:
    """Whether a column holds text but no URL typed out (the cells' hyperlinks would carry them)."""
    texts = {c for c in cells if isinstance(c, str) and c.strip()}
    return bool(texts) and not any("://" in t for t in texts)


def _set_aside(body_rows: list[list[object]], keep: list[int], cols: dict[int, str], head: int,
               ) -> tuple[list[int], list[str]]:
    """The kept rows without those that are no agreement, and a note naming them: the header printed
    again (pages pasted together), and a line with neither a state nor a model (a total or a source
    line under the table). Every real list prints a state on every row."""
    state_col, support_col = cols_of(cols, "state"), cols_of(cols, "support_type")
    kind_of: dict[object, str] = {}  # by STATE cell (a few dozen distinct values): state | header | other
    dropped = []
    for i in keep:
        values = body_rows[i]
        state = values[state_col]
        kind = kind_of.get(state)
        if kind is None:
            kind = kind_of[state] = ("state" if normalize.state_code(state) else
                                     "header" if _LOOKUP.get(_header_key(state)) == "state" else "other")
        if kind == "state":
            continue
        if (kind == "other" and not normalize.models(values[support_col])) or (kind == "header" and match_header(values)):
            dropped.append(i)
    if not dropped:
        return keep, []
    gone = set(dropped)
    lines = ", ".join(str(head + 2 + i) for i in dropped[:5]) + (" …" if len(dropped) > 5 else "")
    return [i for i in keep if i not in gone], [
        f"{len(dropped)} row(s) set aside as no agreement (a repeated header, or no state and no model): row(s) {lines}"]


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

# Cleaning a row depends only on its printed values, except for SIGNED (which depends on the list's
# date) and the MOA links (cached on their own: archived copies make them differ list after list).
# The rest is cleaned once per distinct row, and ICE's lists repeat most rows snapshot after
# snapshot. Text values are their own cache key; a list with other types (numbers, dates) in those
# columns keys its rows with the types too, so 1, 1.0 and True never share an entry.
_BASE_CACHE: dict[tuple, tuple] = {}
_BASE_CACHE_MAX = 50_000
_BASE_FIELDS = ("state", "agency", "type", "county", "support_type")
_TEXT_TYPES = frozenset({str, type(None)})


@lru_cache(maxsize=1)
def _state_fix_agencies() -> frozenset[tuple[str, str]]:
    """(state, agency lower) of the agreements ICE listed under a wrong state."""
    return frozenset((state, agency) for state, agency, _, _ in normalize.state_fixes())


def _clean_base(values: tuple) -> tuple:
    """What a row's record takes from STATE, AGENCY, TYPE, COUNTY and SUPPORT TYPE: state,
    agency name, name key, type, county, notes before and after SIGNED's, models, the five raw
    texts, the notes joined, and whether a verified state fix may apply."""
    st, ag, ty, co, su = values
    pre = []
    state = normalize.state_code(st)
    if state is None and normalize.clean_text(st):
        pre.append(f"state '{normalize.clean_text(st)}' not recognised")
    elif state and normalize.state_code(st, fuzzy=False) is None:  # a typo: PENNSLYVANIA, WEST VIRIGINIA
        pre.append(f"state '{normalize.clean_text(st)}' read as {state}")
    county, county_note = normalize.county(co, state)
    if county_note:
        pre.append(county_note)
    post = []
    models = normalize.models(su) or ("UNKNOWN",)
    if models == ("UNKNOWN",):
        post.append(f"support type '{normalize.clean_text(su)}' not recognised")
    agency_name = normalize.agency_name(ag)
    fixable = bool(state and agency_name) and (state, agency_name.lower()) in _state_fix_agencies()
    return (state, agency_name, identity.name_key(agency_name, state), normalize.agency_type(ty), county,
            tuple(pre), tuple(post), models, _raw(st), _raw(ag), _raw(ty), _raw(co), _raw(su),
            "; ".join(pre + post) or None, fixable)


def _bases(columns: list[list[object]]) -> list[tuple]:
    """The cleaned base (`_clean_base`) of every row, from the shared cache where it was seen before."""
    cache = _BASE_CACHE
    if len(cache) > _BASE_CACHE_MAX:
        cache.clear()
    rows = list(zip(*columns, strict=True))
    keys = rows if all(set(map(type, col)) <= _TEXT_TYPES for col in columns) else [
        (values, tuple(map(type, values))) for values in rows]
    get = cache.get
    out = []
    for key, values in zip(keys, rows, strict=True):
        base = get(key)
        if base is None:
            base = cache[key] = _clean_base(values)
        out.append(base)
    return out


def clean_columns(parsed: ParsedList, as_of: date | None) -> dict[str, list]:
    """Clean every raw row into `RECORD_FIELDS` columns, one record per model named in the row.

    A row naming two models gives two records; an agreement ICE listed under the wrong state (a
    verified fix) is moved, with a note saying so.
    """
    n = len(parsed.row_numbers)
    blank: list[object] = [None] * n
    column = parsed.columns.get
    bases = _bases([column(f, blank) for f in _BASE_FIELDS])
    (state, agency_name, name_key, agency_type, county, pre, post, models, raw_state, raw_agency, raw_type,
     raw_county, raw_support, base_notes, fixable) = map(list, zip(*bases, strict=True)) if n else [[]] * 15
    if "signed" in parsed.columns:  # SIGNED depends on the list's date; its values repeat, clean each once
        signed_keys = list(zip(parsed.columns["signed"], map(type, parsed.columns["signed"]), strict=True))
        cleaned = {k: (*normalize.signed_date(k[0], as_of), _raw(k[0])) for k in set(signed_keys)}
        signed, signed_note, raw_signed = (map(list, zip(*map(cleaned.__getitem__, signed_keys), strict=True))
                                           if n else ([], [], []))
    else:
        signed, signed_note, raw_signed = blank, blank, blank
    moa_text, addendum_text = column("moa", blank), column("addendum", blank)
    moa = list(map(normalize.moa_url, parsed.links.get("moa", blank), moa_text))
    addendum = list(map(normalize.moa_url, parsed.links.get("addendum", blank), addendum_text))
    notes = [base if extra is None else "; ".join((*before, extra, *after))
             for base, extra, before, after in zip(base_notes, signed_note, pre, post, strict=True)]
    if all(len(m) == 1 for m in models) and not any(fixable):  # the usual list: one record per row, as printed
        out = {"model": [m[0] for m in models], "state": state, "name_key": name_key, "notes": notes}
        source = range(n)
    else:
        out, source = _expand(models, fixable, state, agency_name, name_key, signed, notes)
    per_row = {
        "row_number": parsed.row_numbers, "agency_name": agency_name, "agency_type": agency_type, "county": county,
        "signed": signed, "moa_url": moa, "addendum_url": addendum, "raw_state": raw_state, "raw_agency": raw_agency,
        "raw_type": raw_type, "raw_county": raw_county, "raw_support_type": raw_support, "raw_signed": raw_signed,
        "raw_moa": list(map(_raw, moa_text)), "raw_addendum": list(map(_raw, addendum_text)),
    }
    expanded = len(source) != n
    out.update({f: [values[i] for i in source] if expanded else values for f, values in per_row.items()})
    return {f: out[f] for f in RECORD_FIELDS}


def _expand(models: list[tuple[str, ...]], fixable: list[bool], state: list, agency_name: list, name_key: list,
            signed: list, notes: list) -> tuple[dict[str, list], list[int]]:
    """Records of rows that name several models (one each) or that a verified state fix moves: the
    per-record columns, and the row each record comes from."""
    source, model_out, state_out, key_out, notes_out = [], [], [], [], []
    for i in range(len(models)):
        note = notes[i]
        for model in models[i]:
            row_state, row_notes, row_key = state[i], note, name_key[i]
            moved = normalize.fixed_state(row_state, agency_name[i], model, signed[i]) if fixable[i] else None
            if moved:
                row_notes = "; ".join(filter(None, [note, f"listed under {row_state}; moved to {moved} (ICE verified fix)"]))
                row_state, row_key = moved, identity.name_key(agency_name[i], moved)
            source.append(i)
            model_out.append(model)
            state_out.append(row_state)
            key_out.append(row_key)
            notes_out.append(row_notes)
    return {"model": model_out, "state": state_out, "name_key": key_out, "notes": notes_out}, source
