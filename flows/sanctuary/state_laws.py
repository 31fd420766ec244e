"""The reviewed state-law table (`flows/reference/state_laws.csv`): read and check it.

One row per law or binding directive, with its direction (`bans_287g`, `limits_cooperation`,
`requires_cooperation`, `mandates_287g`), its dates and a source URL. A mandate also says whom it
binds (`binds`, `;`-separated, as the law words it): `sheriff` (the county sheriff's office) and/or
`county_corrections` (the county's own jail or corrections agency, Florida's "chief correctional
officer operating a county detention facility"); other county agencies (constables, attorneys,
county police) never satisfy a mandate. A date left blank was not
verified; such a law is listed but never counted as in force: a law is in force from its `effective`
date (never from its signing date alone) until the day before its `repealed` date, if any. Bad rows
raise `StateLawError` naming the line and the reason.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flows.jurisdictions.resolve import state_fips

LAWS_CSV = Path(__file__).resolve().parents[1] / "reference" / "state_laws.csv"
DIRECTIONS = ("bans_287g", "limits_cooperation", "requires_cooperation", "mandates_287g")
BOUND_AGENCIES = ("sheriff", "county_corrections")
FIELDS = ["state", "name", "citation", "signed", "effective", "repealed", "compliance_deadline", "direction",
          "binds", "source_url", "notes"]


class StateLawError(ValueError):
    """A row of the state-law table is not usable."""


@dataclass(frozen=True)
class StateLaw:
    """One state law as reviewed."""

    law_id: str
    state: str
    state_fips: str
    name: str
    citation: str
    signed: date | None
    effective: date | None
    repealed: date | None
    compliance_deadline: date | None
    direction: str
    binds: str
    source_url: str
    notes: str


def read_state_laws(path: Path = LAWS_CSV) -> list[StateLaw]:
    """Every law in the table, checked."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != FIELDS:
            raise StateLawError(f"{path.name}: header must be {','.join(FIELDS)}")
        out, ids = [], set()
        for line, row in enumerate(reader, start=2):
            where = f"{path.name}:{line}"
            st = row["state"].strip().upper()
            fips = state_fips(st)
            if fips is None:
                raise StateLawError(f"{where}: unknown state {st!r}")
            if row["direction"] not in DIRECTIONS:
                raise StateLawError(f"{where}: direction must be one of {', '.join(DIRECTIONS)}")
            binds = _binds(row["binds"], row["direction"], where)
            if not row["source_url"].startswith(("https://", "http://")):
                raise StateLawError(f"{where}: every law needs a source URL")
            effective, repealed = _date(row["effective"], where), _date(row["repealed"], where)
            if repealed and effective and repealed < effective:
                raise StateLawError(f"{where}: repealed {repealed} is before effective {effective}")
            law_id = f"{st}:{re.sub(r'[^a-z0-9]+', '-', row['name'].lower()).strip('-')[:60]}"
            if law_id in ids:
                raise StateLawError(f"{where}: duplicate law {law_id}")
            ids.add(law_id)
            out.append(StateLaw(
                law_id, st, fips, row["name"].strip(), row["citation"].strip(),
                _date(row["signed"], where), effective, repealed,
                _date(row["compliance_deadline"], where), row["direction"], binds, row["source_url"].strip(),
                row["notes"].strip(),
            ))
    return out


def _date(text: str, where: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise StateLawError(f"{where}: {text!r} is not a yyyy-mm-dd date") from exc


def _binds(text: str, direction: str, where: str) -> str:
    """Whom a mandate binds, checked: required for a mandate, blank otherwise."""
    kinds = [k.strip() for k in (text or "").split(";") if k.strip()]
    if direction != "mandates_287g":
        if kinds:
            raise StateLawError(f"{where}: binds is only for a mandates_287g law")
        return ""
    if not kinds or any(k not in BOUND_AGENCIES for k in kinds):
        raise StateLawError(f"{where}: a mandate binds one or more of {', '.join(BOUND_AGENCIES)}, "
                            "';'-separated")
    return ";".join(kinds)
