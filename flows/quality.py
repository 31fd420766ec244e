"""The quality gate: a freshly parsed snapshot is checked before the views may show it.

Runs inside the load's transaction (`warehouse.load.load_candidates` calls `apply_gate` after the
batch's snapshots are written and before the derived tables are rebuilt), so a held-back snapshot
never reaches `agreements`, the events, the views or the dashboards, and the decision lands
atomically with the load.

A snapshot is **quarantined** (`snapshots.status = 'quarantined'`, `raw_files.parse_status =
'quarantined'`, the reasons in `quality_notes` / `parse_error`, an alert raised) when:

- a participating list has more than `TRACKER_QUALITY_MAX_DROP` (default 0.30 = 30 %) fewer rows
  than the previous *published* participating list (by as-of date);
- its header has named columns the parser has never seen (`flows.ice_lists.HEADER_NAMES`);
- its as-of date lies in the future (after tomorrow) or before 2000;
- a SIGNED date lies after the as-of or before 2000 and the parser could not repair it;
- a participating list has no SIGNED date at all;
- its workbook holds more than one list (one sheet per model, both lists, an older list on a hidden
  sheet): only one sheet was read, and which one is the list is for a reviewer to say.

**Swapped lists** (the file name says participating, the content is pending, or the reverse) are
*not* quarantined: the parser reads a list by its content (SIGNED present or not), which is right in
every case we have seen (ICE's 2025-09-22 swap); quarantining would hide two correct lists. The
swap raises a `swapped_list` alert (feed, `tracker status`) instead, unless another rule fails.

A reviewer releases a held snapshot with `tracker quarantine release SHA`; the release is
remembered (`quarantine_releases`), so re-parsing it later does not quarantine it again.
The raw file and the snapshot's rows are always kept for inspection.
"""

from __future__ import annotations

import bisect
import math
import os
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from flows.config import SettingError
from flows.ledger import raise_alert
from flows.normalize import EARLIEST_LIST_DATE

DEFAULT_MAX_DROP = 0.30
MAX_DROP_VARIABLE = "TRACKER_QUALITY_MAX_DROP"
LIST_FILES = ["ice_workbook", "ice_list_csv"]  # the sources whose participating lists a drop is measured against


def max_drop() -> float:
    """The largest tolerated drop in agreements between consecutive participating lists (0..1), from
    TRACKER_QUALITY_MAX_DROP (unset or empty: 0.30). Anything but a fraction from 0 to 1 is a SettingError:
    `30` (meant as 30 %) or a typo must not quietly switch the rule off or back to its default."""
    text = os.environ.get(MAX_DROP_VARIABLE, "")
    if not text.strip():
        return DEFAULT_MAX_DROP
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:  # NaN fails too
        raise SettingError(f"{MAX_DROP_VARIABLE}={text!r}: must be a fraction between 0 and 1 (0.30 = 30 %)")
    return value


def check_settings() -> None:
    """Raise SettingError now if the gate's settings are unusable: called before a load archives or
    writes anything, so that a bad setting fails the load before it starts rather than inside it."""
    max_drop()


@dataclass
class Verdict:
    """Why a snapshot is held back (reasons) and what is merely worth an alert (warnings)."""

    snapshot_id: str
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    released: bool = False

    @property
    def quarantine(self) -> bool:
        return bool(self.reasons) and not self.released


# Per snapshot: rows with a SIGNED date, and rows whose SIGNED date the cleaning had to leave empty.
_ROW_STATS = """SELECT snapshot_id, count(signed), count(*) FILTER (WHERE notes LIKE '%impossible on%left empty%')
                FROM snapshot_rows"""


def _verdict(
    snapshot_id: str,
    kind: str,
    as_of: date,
    row_count: int,
    row_stats: tuple[int, int],
    prev: tuple | None,
    released: bool,
    *,
    unknown_columns: list[str] | None = None,
    sheet_name: str | None = None,
    other_lists: list[str] | None = None,
    kind_conflict: str | None = None,
    today: date | None = None,
    drop_limit: float | None = None,
) -> Verdict:
    """The rules, on the facts about one snapshot (`prev`: row_count, as_of, file_name of the list before;
    `other_lists`: the workbook's other sheets that hold a list; `kind_conflict`: how its manifest entry
    or file name contradicts the list kind its content shows)."""
    today = today or date.today()
    drop_limit = max_drop() if drop_limit is None else drop_limit
    verdict = Verdict(snapshot_id)
    if as_of > today + timedelta(days=1):
        verdict.reasons.append(f"as-of {as_of} is in the future")
    if as_of < EARLIEST_LIST_DATE:
        verdict.reasons.append(f"as-of {as_of} is before {EARLIEST_LIST_DATE.year}")
    if unknown_columns:
        verdict.reasons.append("header never seen before: unknown column(s) " + ", ".join(unknown_columns))
    with_signed, impossible = row_stats
    if impossible:
        verdict.reasons.append(f"{impossible} SIGNED date(s) after the as-of or before 2000 that could not be repaired")
    if kind == "participating":
        if not with_signed:
            verdict.reasons.append("participating list without any SIGNED date")
        if prev and prev[0] and row_count < (1 - drop_limit) * prev[0]:
            share = 1 - row_count / prev[0]
            verdict.reasons.append(
                f"{row_count} agreements vs {prev[0]} in the previous published list ({prev[1]}, {prev[2]}): "
                f"a drop of {share:.0%} (limit {drop_limit:.0%})")
    if kind_conflict:
        verdict.warnings.append(f"swapped list: {kind_conflict}")
    if other_lists:
        verdict.reasons.append(f"more than one list in the workbook: only sheet {sheet_name!r} was read; "
                               f"{', '.join(map(repr, other_lists))} hold(s) one too")
    verdict.released = released
    return verdict


class _PublishedLists:
    """The published participating ICE workbooks by (as_of, file_name), to find the list before a snapshot.

    Read once for a whole batch, whose snapshots are checked oldest first: lists quarantined meanwhile
    are dropped with `discard`. "Before" means an earlier as-of, or the same as-of and an earlier name.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.rows = sorted(con.execute(
            """SELECT as_of, file_name, snapshot_id, row_count FROM snapshots
               WHERE status = 'published' AND list_kind = 'participating' AND list_contains(?, source)
                 AND as_of IS NOT NULL AND file_name IS NOT NULL""", [LIST_FILES]).fetchall(), key=lambda r: r[:3])
        self.keys = [(r[0], r[1]) for r in self.rows]

    def before(self, snapshot_id: str, as_of: date | None, file_name: str | None) -> tuple | None:
        """(row_count, as_of, file_name) of the newest list strictly before (as_of, file_name), or None."""
        if as_of is None or file_name is None:
            return None
        i = bisect.bisect_left(self.keys, (as_of, file_name)) - 1
        while i >= 0 and self.rows[i][2] == snapshot_id:
            i -= 1
        if i < 0:
            return None
        found = self.rows[i]
        return found[3], found[0], found[1]

    def discard(self, snapshot_id: str) -> None:
        """Forget a list (it was just quarantined)."""
        for i, row in enumerate(self.rows):
            if row[2] == snapshot_id:
                del self.rows[i], self.keys[i]
                return


def quarantine(con: duckdb.DuckDBPyConnection, verdict: Verdict, source: str = "ice_287g") -> None:
    """Hold a snapshot back from the views, with its reasons, and raise an alert."""
    reason = "; ".join(verdict.reasons)
    sha = con.execute(
        """UPDATE snapshots SET status = 'quarantined',
               quality_notes = concat_ws('; ', quality_notes, 'QUARANTINED: ' || ?)
           WHERE snapshot_id = ? RETURNING sha256, file_name""", [reason, verdict.snapshot_id]).fetchone()
    con.execute("UPDATE raw_files SET parse_status = 'quarantined', parse_error = ? WHERE sha256 = ?",
                ["quarantined: " + reason, sha[0]])
    raise_alert(con, "quarantined", source, verdict.snapshot_id, f"{sha[1]} held back: {reason}")


QUARANTINE_NOTE = "QUARANTINED: "
GATED_SOURCES = ("ice_workbook", "ice_list_csv", "ice_html_roster")  # ICE's own lists (workbooks, archived pages); reviewed roster imports are not gated


def apply_gate(con: duckdb.DuckDBPyConnection, snaps: list, *, report=None, today: date | None = None) -> dict[str, Verdict]:
    """Check the batch's written snapshots (oldest first) and quarantine the failing ones.

    `snaps` are `warehouse.load.ParsedSnapshot`s; `report` (a LoadReport) gets a QUARANTINED note
    on each held-back file. Returns verdicts by snapshot id.
    """
    snaps = [s for s in snaps if s.source in GATED_SOURCES]
    if not snaps:
        return {}
    order = {sid: i for i, (sid,) in enumerate(con.execute(
        "SELECT snapshot_id FROM snapshots WHERE list_contains(?, snapshot_id) ORDER BY as_of, file_name",
        [[s.snapshot_id for s in snaps]]).fetchall())}
    # One pass over the rows for the whole batch (a query per snapshot would rescan the table each time),
    # and one read each of the snapshots' facts, the releases and the published lists before them.
    stats = {sid: (signed, impossible) for sid, signed, impossible in con.execute(
        _ROW_STATS + " WHERE list_contains(?, snapshot_id) GROUP BY snapshot_id", [list(order)]).fetchall()}
    facts = {sid: (kind, as_of, file_name, row_count) for sid, kind, as_of, file_name, row_count in con.execute(
        "SELECT snapshot_id, list_kind, as_of, file_name, row_count FROM snapshots WHERE list_contains(?, snapshot_id)",
        [list(order)]).fetchall()}
    released = {sid for (sid,) in con.execute(
        "SELECT snapshot_id FROM quarantine_releases WHERE list_contains(?, snapshot_id)", [list(order)]).fetchall()}
    published = _PublishedLists(con)
    verdicts: dict[str, Verdict] = {}
    for snap in sorted(snaps, key=lambda s: order.get(s.snapshot_id, 0)):
        kind, as_of, file_name, row_count = facts[snap.snapshot_id]
        prev = published.before(snap.snapshot_id, as_of, file_name) if kind == "participating" else None
        v = _verdict(snap.snapshot_id, kind, as_of, row_count, stats.get(snap.snapshot_id, (0, 0)), prev,
                     snap.snapshot_id in released, unknown_columns=snap.unknown_columns, sheet_name=snap.sheet_name,
                     other_lists=snap.other_lists, kind_conflict=snap.kind_conflict, today=today)
        if v.quarantine:
            quarantine(con, v)
            published.discard(snap.snapshot_id)
            for r in (report.results if report else []):
                if r.sha256 == snap.sha256 and r.status == "loaded":
                    r.notes.append(QUARANTINE_NOTE + "; ".join(v.reasons))
        elif v.reasons and v.released:
            con.execute("UPDATE snapshots SET quality_notes = concat_ws('; ', quality_notes, ?) WHERE snapshot_id = ?",
                        ["released by a reviewer despite: " + "; ".join(v.reasons), snap.snapshot_id])
        if v.warnings and not v.quarantine:
            for w in v.warnings:
                raise_alert(con, "swapped_list", "ice_287g", snap.snapshot_id, w)
        verdicts[snap.snapshot_id] = v
    return verdicts


def quarantined(report) -> list:
    """The file results of a LoadReport whose snapshot the gate held back."""
    return [r for r in report.results if any(n.startswith(QUARANTINE_NOTE) for n in r.notes)]


MIN_PREFIX = 8  # hex characters of a sha256 that name one raw file for a reviewer
_HEX = frozenset("0123456789abcdef")


class PrefixError(ValueError):
    """A sha256 prefix that names no single file (too short, not hex, or several files): one line."""


class NoMatch(LookupError):
    """A well-formed sha256 prefix that matches no file: one line."""


def file_prefix(text: str) -> str:
    """A raw file's sha256 prefix as typed, lower-cased: at least MIN_PREFIX hex characters, so that
    an empty or short prefix never names many files and nothing in it is a wildcard. Else PrefixError."""
    prefix = text.strip().lower()
    if len(prefix) < MIN_PREFIX or not set(prefix) <= _HEX:
        raise PrefixError(f"{text!r}: give at least {MIN_PREFIX} characters of the file's sha256 (0-9, a-f)")
    return prefix


def one_file(text: str, shas: set[str], what: str) -> str | None:
    """The one sha256 among those a prefix matched (None if none); PrefixError when it matched several,
    since a release or a re-parse is a decision about one file."""
    if len(shas) > 1:
        raise PrefixError(f"{text}: matches {len(shas)} {what}; give more of the sha256")
    return next(iter(shas), None)


def release(con: duckdb.DuckDBPyConnection, sha_or_id: str, reason: str | None = None) -> list[str]:
    """Publish quarantined snapshots of a raw file (sha256 or snapshot id prefix); caller commits.

    Returns the released snapshot ids (empty when nothing matched). Raises PrefixError for a prefix
    that is not at least 8 hex characters or that matches more than one raw file (`file_prefix`,
    `one_file`): a release is a reviewer's decision about one file.
    """
    prefix = file_prefix(sha_or_id)
    matches = con.execute(
        "SELECT snapshot_id, sha256 FROM snapshots WHERE status = 'quarantined' "
        "AND (starts_with(snapshot_id, ?) OR starts_with(sha256, ?))", [prefix, prefix]).fetchall()
    one_file(sha_or_id, {sha for _, sha in matches}, "quarantined files")
    ids = [sid for sid, _ in matches]
    for sid in ids:
        con.execute("INSERT OR REPLACE INTO quarantine_releases VALUES (?, now(), ?)", [sid, reason])
        sha = con.execute(
            """UPDATE snapshots SET status = 'published',
                   quality_notes = concat_ws('; ', quality_notes, 'released by a reviewer' || coalesce(': ' || ?, ''))
               WHERE snapshot_id = ? RETURNING sha256""", [reason, sid]).fetchone()[0]
        con.execute("UPDATE raw_files SET parse_status = 'loaded', parse_error = NULL WHERE sha256 = ?", [sha])
        raise_alert(con, "released", "ice_287g", sid, f"{sid[:12]} released from quarantine" + (f": {reason}" if reason else ""))
    return ids
