"""Offline US geography for the sanctuary lists: states (USPS, FIPS, name) and county FIPS lookup.

Built on the `addfips` package's Census tables (shipped with the package, no network). Name
cleaning here is shared by the parsers, the place crosswalk and the resolver so one spelling rule
holds everywhere.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from importlib import resources

COUNTY_SUFFIXES = ("city and borough", "census area", "municipality", "county", "parish", "borough")


@cache
def states() -> dict[str, tuple[str, str]]:
    """USPS code → (state FIPS, state name) for the 50 states, DC and the territories."""
    out: dict[str, tuple[str, str]] = {}
    with resources.files("addfips").joinpath("data/states.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["postal"], (row["fips"], row["name"]))
    return out


@cache
def state_by_name() -> dict[str, str]:
    """Lower-case state name (and USPS code) → USPS code."""
    out: dict[str, str] = {}
    with resources.files("addfips").joinpath("data/states.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["name"].lower()] = row["postal"]
            out[row["postal"].lower()] = row["postal"]
    out["washington, d.c."] = "DC"
    out["washington dc"] = "DC"
    return out


def usps_for(name: str) -> str | None:
    """USPS code for a state name or code as printed, or None."""
    return state_by_name().get(clean_space(name).lower().rstrip("."))


@cache
def counties() -> list[tuple[str, str, str]]:
    """Every county or county equivalent (Census 2020 vintage): (state FIPS, 5-digit FIPS, name)."""
    with resources.files("addfips").joinpath("data/counties_2020.csv").open(encoding="utf-8") as fh:
        return [(r["statefp"], r["statefp"] + r["countyfp"], r["name"]) for r in csv.DictReader(fh)]


@cache
def county_names() -> dict[str, str]:
    """5-digit county FIPS → Census name."""
    return {fips: name for _, fips, name in counties()}


def clean_space(text: str) -> str:
    """Collapse whitespace (including non-breaking spaces) and strip."""
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces, `st.`/`ste.` spelled out."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"\bste\.?\s", "sainte ", text)
    text = re.sub(r"\bst\.?\s", "saint ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return clean_space(text)


def has_county_suffix(name: str) -> bool:
    """Does a printed name end like a county or county equivalent (County, Parish, Borough …)?"""
    folded = fold(re.sub(r"\(.*?\)", lambda m: m.group(0)[1:-1], name))
    return any(folded.endswith(" " + s) or folded == s for s in COUNTY_SUFFIXES)


def place_core(name: str) -> str:
    """The bare place name of a printed city entry: `City of Anchorage` → `Anchorage`.

    Drops the prefixes and suffixes the lists print (`City of`, `Town of`, `Village of`, `… City`
    where the city is not called that, `… Village`, `… Township`), and keeps the first half of a
    `New Orleans/Orleans (Parish)` pair.
    """
    name = clean_space(name)
    name = name.split("/")[0].strip()
    name = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    name = re.sub(r"^(city|town|village|township|borough|municipality) of\s+", "", name, flags=re.I)
    name = re.sub(r"\s+(village|township|town)$", "", name, flags=re.I)
    return clean_space(name)


def county_key(name: str) -> str:
    """Folded county name without its suffix: `Le Sueur County` → `le sueur`."""
    folded = fold(name)
    for suffix in COUNTY_SUFFIXES:
        if folded.endswith(" " + suffix):
            return folded[: -len(suffix) - 1]
    return folded
