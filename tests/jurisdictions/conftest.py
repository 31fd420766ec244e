"""Fixtures of the jurisdictions tests: the real ICE workbooks of sample/, read by header name."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "sample" / "ice_287g"
COLUMNS = {"STATE": "state", "LAW ENFORCEMENT AGENCY": "agency", "TYPE": "type", "COUNTY": "county",
           "SUPPORT TYPE": "support"}


def read_workbook(path: Path) -> list[dict]:
    """Data rows of one ICE workbook as {state, agency, type, county, support} (raw text)."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = [re.sub(r"\s+", " ", str(h)).strip().upper() for h in sheet[0]]
    idx = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
    rows = []
    for number, cells in enumerate(sheet[1:], start=2):
        row = {}
        for key, i in idx.items():
            value = cells[i] if i < len(cells) else None
            row[key] = str(value).strip() or None if value not in (None, "") else None
        if row.get("agency"):
            row["row_number"] = number
            rows.append(row)
    return rows


@pytest.fixture(scope="session")
def workbook_rows() -> list[dict]:
    """Every data row of every bundled workbook, with the file's list kind and name."""
    out = []
    for path in sorted(SAMPLE.glob("*/*.xlsx")):
        for row in read_workbook(path):
            row["list_kind"] = path.parent.name
            row["file"] = path.name
            out.append(row)
    return out


@pytest.fixture(scope="session")
def make_agency_key():
    """The fixtures' agency identity function."""
    return agency_key


def agency_key(state: str | None, agency: str | None) -> str:
    """A simple agency identity for the fixtures: USPS code + letters of the name."""
    from flows.jurisdictions.resolve import state_code

    name = re.sub(r"[^a-z0-9]", "", (agency or "").lower().replace("\u2019", "'"))
    return f"{state_code(state) or state}:{name}"


@pytest.fixture(scope="session")
def workbook_agencies(workbook_rows) -> dict[str, dict]:
    """Distinct agencies of the workbooks: latest row's fields plus every COUNTY printed for them."""
    agencies: dict[str, dict] = {}
    counties: dict[str, list[str]] = defaultdict(list)
    rows_per: dict[str, int] = defaultdict(int)
    for row in workbook_rows:
        key = agency_key(row["state"], row["agency"])
        agencies[key] = row
        rows_per[key] += 1
        if row.get("county"):
            counties[key].append(row["county"])
    return {k: {**v, "counties": counties[k], "rows": rows_per[k]} for k, v in agencies.items()}
