"""Which list a file is, and the date it describes: from its name, checked against its content.

ICE's file names carry the list and a date in many spellings (`participatingAgencies05292025am`,
`287gParticipatingAgencies091526pm`, `ParticipatingAgency091826am`, `… copy`, `…_b`, a time
appended, `090022025` for 2025-09-02; renamed copies may write `2025-05-29` or `5-29-25`); archive
captures carry a capture timestamp (`ParticipatingEntities-20210131051047`). Names lie, so the
content decides:

- list kind: a participating list always has SIGNED, a pending list never does (ICE once published
  each under the other's name). The content wins; the disagreement is noted.
- as-of: a manifest entry if given; else the name's date (or capture time); else the fetch time;
  else the newest SIGNED date. Digits that read two ways (`1012026`: 1/01 or 10/1) take the reading
  the content agrees with. An as-of earlier than the newest SIGNED date is a typo: the year is
  corrected (or the newest SIGNED date used) and the correction noted, unless only one or two rows
  are signed later, which are SIGNED typos rather than a wrong name. One in the future is kept, and
  the quality gate holds the snapshot back for review.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from flows import normalize
from flows.ice_lists import ParsedList


@dataclass
class NameHints:
    """What a file name claims."""

    list_kind: str | None
    as_of: date | None
    basis: str | None  # file_name | capture_time
    note: str | None = None
    other_dates: tuple[date, ...] = ()  # the same digits read another way, less usual first


@dataclass
class Identity:
    """The decided list kind and as-of date, with how they were decided."""

    list_kind: str
    as_of: date
    basis: str
    notes: list[str] = field(default_factory=list)
    kind_conflict: str | None = None  # the manifest or file name names the other list kind than the content


FIRST_LIST_DATE = date(2005, 1, 1)  # no 287(g) list is older (the earliest archived roster: 2007)


def _kind_from_name(lower: str) -> str | None:
    if "pending" in lower:
        return "pending"
    if "particip" in lower or "entities" in lower:
        return "participating"
    return None


def _dates_from_digits(digits: str) -> list[date]:
    """Every reading of a run of digits as a plausible date, ICE's usual first: MMDDYYYY (else
    YYYYMMDD), MMDDYY, MDDYYYY and MMDYYYY, and the malformed MM0DDYYYY ICE once published."""
    candidates: list[tuple[int, int, int]] = []
    if len(digits) == 8:
        candidates.append((int(digits[4:]), int(digits[:2]), int(digits[2:4])))
        candidates.append((int(digits[:4]), int(digits[4:6]), int(digits[6:])))
    elif len(digits) == 6:
        candidates.append((2000 + int(digits[4:]), int(digits[:2]), int(digits[2:4])))
    elif len(digits) == 9:
        candidates.append((int(digits[5:]), int(digits[:2]), int(digits[2:5])))
    elif len(digits) == 7:
        candidates.append((int(digits[3:]), int(digits[:1]), int(digits[1:3])))
        candidates.append((int(digits[3:]), int(digits[:2]), int(digits[2:3])))
    readings: list[date] = []
    for y, m, d in candidates:
        try:
            reading = date(y, m, d)
        except ValueError:
            continue
        if reading >= FIRST_LIST_DATE and reading not in readings:
            readings.append(reading)
    return readings


def hints_from_name(file_name: str) -> NameHints:
    """List kind and date claimed by a file name."""
    stem = Path(file_name).stem
    lower = stem.lower()
    kind = _kind_from_name(lower)
    m = re.search(r"-(\d{14})(?!\d)", stem) or re.search(r"(?<!\d)(20\d{12})(?!\d)", stem)
    if m:
        ts = m.group(1)
        try:
            return NameHints(kind, date(int(ts[:4]), int(ts[4:6]), int(ts[6:8])), "capture_time")
        except ValueError:
            pass
    # ICE's own names: the first digit run after the list word (a leading '287g' is not a date); a
    # date written before the list word (`2026-06-01_participatingAgencies`) when none comes after.
    anchor = max(lower.find("agenc"), lower.find("particip"), lower.find("pending"), 0)
    not_a_date = None
    for text in (stem[anchor:], stem[:anchor]):
        for run in re.finditer(r"\d{6,9}", text):
            readings = _dates_from_digits(run.group(0))
            if readings:
                return NameHints(kind, readings[0], "file_name", other_dates=tuple(readings[1:]))
            not_a_date = not_a_date or run.group(0)
        separated = _separated_date(text)
        if separated:
            return NameHints(kind, separated, "file_name")
    return NameHints(kind, None, None, not_a_date and f"date digits '{not_a_date}' in the file name are not a date")


# Dates written with separators, as people rename downloads: 2025-05-29, 05-29-2025, 5_29_25, 5.29.25.
_NAME_ISO_DATE = re.compile(r"(?<!\d)(?P<date>20\d{2}[-_.]\d{1,2}[-_.]\d{1,2})(?!\d)")
_NAME_US_DATE = re.compile(r"(?<!\d)(?P<date>\d{1,2}[-_.]\d{1,2}[-_.](?:\d{4}|(?P<yy>\d{2})))(?!\d)"
                           r"(?P<ampm>\s*[AaPp][Mm]\b)?")
_NAME_SEPARATORS = str.maketrans("_.", "--")
_NAME_MONTH_DATE = re.compile(r"(?<![a-z])(?P<month>[a-z]{3,9})\.?[\s_-]*(?P<day>\d{1,2})(?:st|nd|rd|th)?,?[\s_-]*"
                              r"(?P<year>20\d{2})(?!\d)", re.I)  # June 1 2026, Jun_1_2026


def _separated_date(text: str) -> date | None:
    """The first separated date in a name (ISO, else US order), read by `normalize.parse_date`; a
    clock time like `12.15.07 AM` (as macOS appends to a saved copy) is not one."""
    iso = (m["date"] for m in _NAME_ISO_DATE.finditer(text))
    us = (m["date"] for m in _NAME_US_DATE.finditer(text)
          if not (m["yy"] and "." in m["date"] and m["ampm"] and m["ampm"][0].isspace()))  # HH.MM.SS AM
    for written in (*iso, *us):
        parsed = normalize.parse_date(written.translate(_NAME_SEPARATORS))
        if parsed:
            return parsed
    for m in _NAME_MONTH_DATE.finditer(text):
        parsed = normalize.parse_date(f"{m['month']} {m['day']}, {m['year']}")
        if parsed:
            return parsed
    return None


def decide(
    parsed: ParsedList,
    file_name: str,
    *,
    manifest: tuple[str, date] | None = None,
    fetched_at: datetime | None = None,
    today: date | None = None,
) -> Identity:
    """List kind and as-of for a parsed list, from manifest, name, fetch time and content."""
    hints = hints_from_name(file_name)
    notes = [hints.note] if hints.note else []
    # SIGNED dates make a participating list. A SIGNED column without any date is a pending list when
    # the name says so; else a participating list, which the quality gate holds back for having none.
    signed_column = "signed" in parsed.fields and hints.list_kind != "pending"
    content_kind = "participating" if parsed.has_signed or signed_column else "pending"
    conflict = None  # how the manifest or the name disagrees with the content, if it does
    if manifest:
        kind, as_of = manifest
        if kind != content_kind:
            conflict = f"manifest says {kind} but the content is a {content_kind} list"
            notes.append(conflict)
        return Identity(kind, as_of, "manifest", notes, conflict)
    if hints.list_kind and hints.list_kind != content_kind:
        conflict = (f"file name says {hints.list_kind} but the content is a {content_kind} list "
                    f"({'with' if parsed.has_signed else 'without'} SIGNED dates): read as {content_kind}")
        notes.append(conflict)
    # A file time outside [FIRST_LIST_DATE, tomorrow] is no fetch time (zip tools stamp 1980-01-01).
    # A name's date in the future is left for the quality gate to hold back (flows/quality.py).
    today = today or date.today()
    fetched = fetched_at.date() if fetched_at else None
    fetched = fetched if fetched and FIRST_LIST_DATE <= fetched <= today + timedelta(days=1) else None
    ceiling = fetched or today
    signed = [d for d in parsed.signed_dates() if d <= ceiling]
    newest = max(signed) if signed else None
    if hints.as_of:
        as_of, basis = hints.as_of, hints.basis or "file_name"
        fits = [d for d in hints.other_dates if newest and as_of < newest <= d <= ceiling]
        if fits:
            notes.append(f"the file name's date reads as {as_of} or {fits[0]}: read as {fits[0]}, "
                         f"which the newest SIGNED {newest} agrees with")
            as_of = fits[0]
    elif fetched:
        as_of, basis = fetched, "fetch_time"
    elif newest:
        as_of, basis = newest, "newest_signed"
    else:
        raise ValueError("no date in the file name, no fetch time and no SIGNED dates: as-of unknown")
    later = [d for d in signed if d > as_of]
    if later and len(later) <= 2 and len(later) * 20 < len(signed):
        notes.append(f"{len(later)} SIGNED date(s) after the list's date {as_of} (latest {max(later)}): "
                     f"SIGNED typos, the {basis.replace('_', ' ')} date is kept")
    elif newest and as_of < newest:
        corrected = None
        for year in (newest.year, newest.year + 1):
            try:
                candidate = as_of.replace(year=year)
            except ValueError:
                continue
            if newest <= candidate <= ceiling:
                corrected = candidate
                break
        fixed = corrected or newest
        notes.append(f"as-of {as_of} from the {basis.replace('_', ' ')} is before the newest SIGNED {newest}: read as {fixed}")
        as_of, basis = fixed, f"{basis}_corrected"
    return Identity(content_kind, as_of, basis, notes, conflict)


class ManifestError(ValueError):
    """A manifest that cannot be used; the message is one line naming the file (and row)."""


def read_manifest(path: Path | str) -> dict[str, tuple[str, date]]:
    """Manifest CSV `path,list_kind,as_of` → {resolved path or base name: (list_kind, as_of)}.

    Raises ManifestError for a missing column or a row without a path, a known list kind or an ISO
    date: a manifest is an override, so a wrong one stops the load before anything is archived."""
    manifest_path = Path(path)
    entries: dict[str, tuple[str, date]] = {}
    try:
        fh = manifest_path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ManifestError(f"{manifest_path}: cannot read the manifest ({exc.strerror or exc})") from None
    with fh:
        reader = csv.DictReader(fh)
        missing = {"path", "list_kind", "as_of"} - set(reader.fieldnames or [])
        if missing:
            raise ManifestError(f"{manifest_path}: manifest lacks column(s) {', '.join(sorted(missing))}")
        for n, row in enumerate(reader, start=2):
            kind = (row["list_kind"] or "").strip().lower()
            if kind not in ("participating", "pending"):
                raise ManifestError(f"{manifest_path}:{n}: list_kind must be participating or pending, not {kind!r}")
            try:
                as_of = date.fromisoformat((row["as_of"] or "").strip())
            except ValueError:
                raise ManifestError(f"{manifest_path}:{n}: as_of {row['as_of']!r} is not YYYY-MM-DD") from None
            rel = (row["path"] or "").strip()
            if not rel:
                raise ManifestError(f"{manifest_path}:{n}: the path is empty")
            entries[str((manifest_path.parent / rel).resolve())] = (kind, as_of)
            entries.setdefault(Path(rel).name, (kind, as_of))
    return entries
