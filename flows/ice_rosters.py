"""ICE's roster before the workbooks (2007–2017): long-format roster files, one snapshot per capture.

The source: archived captures of ICE's 287(g) pages, parsed by the Deportation Data Project
(UC Berkeley Law / UCLA) into two shapes, told apart by their columns:

- a long roster (`snapshot_ts`, `capture_date`, `caption`, `caption_n`, `content_asof`, `state`,
  `agency`, `support_type`, `date_signed`, `moa_file`): one row per agency x capture. Each capture
  becomes a snapshot dated by its capture time; the page's caption, its count and its date are kept
  beside it, and a caption count that differs from the rows is reported as a quality note.
- an agency list without a model (`capture`, `as_of`, `state`, `agency`): each list becomes a
  snapshot dated by the list's own as-of date; its agencies carry model UNKNOWN, never a guess.

Old model names map onto today's by the same keywords as the workbooks (`Jail Enforcement` → JEM,
`Task Force` → TFM). Rows keep their line number in the file, so each traces back to the raw file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flows import normalize

PARSER_VERSION = "ice_rosters/3"

# A roster is told by the columns that name its captures; each kind then needs the columns it is read
# from, and a file without one of them is refused with a one-line error naming it (a long roster without
# `date_signed` would otherwise load every agreement without its SIGNED date). `moa_file`, `caption`,
# `caption_n`, `content_asof` and `source` are read when present.
LONG_ROSTER = {"snapshot_ts", "capture_date"}
LONG_ROSTER_NEEDS = ("state", "agency", "support_type", "date_signed")
AGENCY_LIST = {"capture", "as_of"}
AGENCY_LIST_NEEDS = ("state", "agency")


class RosterError(ValueError):
    """The file is not a roster we know; the message is one line."""


@dataclass
class RosterCapture:
    """One capture of the roster: its date, caption and rows (already cleaned)."""

    part: str
    as_of: date
    basis: str
    caption: str | None
    caption_count: int | None
    caption_date: date | None
    rows: list[dict]
    notes: list[str] = field(default_factory=list)
    header: str = ""


def roster_kind(columns: set[str]) -> str | None:
    """'long_roster', 'agency_list' or None, from a CSV's column names (those naming its captures)."""
    if LONG_ROSTER <= columns:
        return "long_roster"
    if AGENCY_LIST <= columns:
        return "agency_list"
    return None


def missing_columns(kind: str, columns: set[str]) -> list[str]:
    """The columns a roster of `kind` is read from that `columns` lacks."""
    needs = LONG_ROSTER_NEEDS if kind == "long_roster" else AGENCY_LIST_NEEDS
    return [c for c in needs if c not in columns]


def sniff(head: bytes) -> str | None:
    """Roster kind of a CSV from its first bytes (for folder scans)."""
    first = head.decode("utf-8-sig", "replace").splitlines()[0] if head else ""
    columns = {c.strip().strip('"').lower() for c in first.split(",")}
    return roster_kind(columns)


def _row(line: int, state_raw: str, agency_raw: str, support: str | None, signed_raw: str | None,
         moa_raw: str | None, as_of: date) -> list[dict]:
    state = normalize.state_code(state_raw)
    notes = []
    if state is None:
        notes.append(f"state '{state_raw}' not recognised")
    signed, signed_note = normalize.signed_date(signed_raw, as_of) if signed_raw else (None, None)
    if signed_note:
        notes.append(signed_note)
    models = normalize.models(support) if support is not None else []
    base = {
        "row_number": line, "state": state, "agency_name": normalize.agency_name(agency_raw),
        "agency_type": None, "county": None, "signed": signed, "moa_url": None, "addendum_url": None,
        "raw_state": state_raw or None, "raw_agency": agency_raw or None, "raw_type": None, "raw_county": None,
        "raw_support_type": support or None, "raw_signed": signed_raw or None, "raw_moa": moa_raw or None,
        "raw_addendum": None,
    }
    if support is not None and not models:
        notes.append(f"support type '{support}' not recognised")
    return [{**base, "model": m, "notes": "; ".join(notes) or None} for m in (models or ["UNKNOWN"])]


def _date(text: str | None) -> date | None:
    return normalize.parse_date(text) if text else None


def parse_roster(body: bytes) -> list[RosterCapture]:
    """Read a roster CSV into one capture per snapshot (raises RosterError)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError("not a UTF-8 CSV roster") from None
    try:
        return _captures(text)
    except csv.Error as exc:  # bytes that are no CSV at all
        raise RosterError(f"not a readable CSV file ({exc})") from None


def _captures(text: str) -> list[RosterCapture]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
    kind = roster_kind(columns)
    if kind is None:
        raise RosterError("CSV columns match no known roster (need snapshot_ts/capture_date/state/agency/support_type/"
                          "date_signed or capture/as_of/state/agency)")
    missing = missing_columns(kind, columns)
    if missing:
        what = "long roster (snapshot_ts, capture_date)" if kind == "long_roster" else "agency list (capture, as_of)"
        raise RosterError(f"{what} without the column(s) it is read from: {', '.join(missing)}")
    captures: dict[str, RosterCapture] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not row.get("agency"):
            continue
        if kind == "long_roster":
            part = row["snapshot_ts"]
            cap = captures.get(part)
            if cap is None:
                as_of = _date(row["capture_date"]) or _date(part[:8] and f"{part[:4]}-{part[4:6]}-{part[6:8]}")
                if as_of is None:
                    raise RosterError(f"line {line}: capture date {row['capture_date']!r} is not a date")
                n = row.get("caption_n") or ""
                cap = captures[part] = RosterCapture(
                    part=part, as_of=as_of, basis="capture_time", caption=row.get("caption") or None,
                    caption_count=int(n) if n.isdigit() else None, caption_date=_date(row.get("content_asof")),
                    rows=[], header="STATE|AGENCY|SUPPORT TYPE|DATE SIGNED|MOA FILE",
                )
            cap.rows.extend(_row(line, row["state"], row["agency"], row["support_type"],
                                 row["date_signed"], row.get("moa_file"), cap.as_of))
        else:
            part = row["capture"]
            as_of = _date(row["as_of"])
            if as_of is None:
                raise RosterError(f"line {line}: as_of {row['as_of']!r} is not a date")
            key = f"{part}:{as_of.isoformat()}"
            cap = captures.get(key)
            if cap is None:
                cap = captures[key] = RosterCapture(
                    part=key, as_of=as_of, basis="list_date", caption=row.get("source") or None,
                    caption_count=None, caption_date=as_of, rows=[], header="STATE|AGENCY",
                    notes=["agency list without a model: agreements carry model UNKNOWN"],
                )
            state = row.get("state_abbr") or row["state"]
            cap.rows.extend(_row(line, state, row["agency"], None, None, None, as_of))
    if not captures:
        raise RosterError("roster has no data rows")
    for cap in captures.values():
        lines = len({r["row_number"] for r in cap.rows})
        if cap.caption_count is not None and cap.caption_count != lines:
            cap.notes.append(f"caption says {cap.caption_count} agreements but the capture lists {lines} rows")
    return sorted(captures.values(), key=lambda c: (c.as_of, c.part))


def roster_row_count(cap: RosterCapture) -> int:
    """Rows as printed in the capture (one per line of the file)."""
    return len({r["row_number"] for r in cap.rows})

