"""Reference geography of the United States, built offline from installed packages.

Sources (no network, ever):
- `plotly-geo` ships the Census Bureau's 2016 cartographic boundary shapefiles (1:500k) for states
  and counties: FIPS, name, legal/statistical area description (LSAD), land and water area (ALAND,
  AWATER in m²) and the shapes.
- `addfips` ships the Census county list (2020 vintage) with full names ("Acadia Parish",
  "Virginia Beach city") and the state table.
- `us` gives state metadata (USPS code, name, territory or not).

Guarantees:
- `states()` has 50 states + DC (level `state`) and PR, GU, MP, VI, AS (level `territory`).
- `counties()` has every county and county equivalent that has a shape (3,233: parishes, boroughs,
  census areas, independent cities, Puerto Rico's municipios, the island areas), each with a
  5-digit FIPS, and every one of them has a feature in `county_geojson()`.
- GeoJSON is simplified (shapely, per feature) and rounded to 3 decimals (~100 m); the county file
  stays under 2 MB. Features carry `id` = FIPS, so Plotly maps need no `featureidkey`.
- Generated artifacts are cached under `<data dir>/reference/jurisdictions-<key>/`, keyed by the
  packages' versions and `BUILD_VERSION`; a change of either builds a fresh set. Nothing generated
  is committed.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

BUILD_VERSION = "1"
SIMPLIFY_TOLERANCE = 0.012  # degrees; ~1 km, invisible at national and state zoom
COORD_DECIMALS = 3
TERRITORIES = ("PR", "GU", "MP", "VI", "AS")

# Census LSAD codes → the word that follows the name, where addfips has no name for a FIPS.
_LSAD_SUFFIX = {
    "03": "City and Borough", "04": "Borough", "05": "Census Area", "06": "County", "07": "District",
    "10": "Island", "12": "Municipality", "13": "Municipio", "15": "Parish", "25": "city",
}

COUNTY_FIELDS = ("county_fips", "state_fips", "state", "name", "short_name", "lsad", "aland", "awater")
STATE_FIELDS = ("state_fips", "state", "name", "level", "aland", "awater")


def _package_dir(module: str) -> Path:
    import importlib

    return Path(importlib.import_module(module).__file__).resolve().parent


def _shapefile_dir() -> Path:
    return _package_dir("_plotly_geo") / "package_data"


def reference_key() -> str:
    """Cache key: the versions of the packages the reference is built from, and our build version."""
    parts = [f"{dist}{metadata.version(dist)}" for dist in ("addfips", "plotly-geo", "us", "shapely")]
    return "-".join(parts) + f"-b{BUILD_VERSION}"


def cache_dir() -> Path:
    """Where this version of the generated reference lives."""
    from flows.config import data_dir

    return data_dir() / "reference" / f"jurisdictions-{reference_key()}"


# --- reading the packages ------------------------------------------------------------------------


def _addfips_names() -> dict[str, str]:
    path = _package_dir("addfips") / "data" / "counties_2020.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["statefp"] + r["countyfp"]: r["name"] for r in csv.DictReader(fh)}


def _usps_by_fips() -> dict[str, str]:
    path = _package_dir("addfips") / "data" / "states.csv"
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out.setdefault(r["fips"], r["postal"])
    return out


def _rounded(geom):
    import numpy as np
    import shapely

    return shapely.transform(geom, lambda xy: np.round(xy, COORD_DECIMALS))


def _simplified(geom):
    import shapely

    small = _rounded(geom.simplify(SIMPLIFY_TOLERANCE, preserve_topology=True))
    if small.is_empty or not small.is_valid:
        # Tiny islands can vanish or self-touch after rounding: keep them, just rounded.
        small = shapely.make_valid(_rounded(geom))
    return small


def _feature_collection(rows: list[dict], shapes: dict[str, object], key: str, props: tuple[str, ...]) -> dict:
    from shapely.geometry import mapping

    features = []
    for row in rows:
        geom = shapes[row[key]]
        features.append({
            "type": "Feature",
            "id": row[key],
            "properties": {p: row[p] for p in props},
            "geometry": mapping(_simplified(geom)),
        })
    return {"type": "FeatureCollection", "features": features}


def build(target: Path | None = None) -> Path:
    """Build states.csv, counties.csv and the two GeoJSON files into `target` (atomically)."""
    import shapefile
    from shapely.geometry import shape

    target = target or cache_dir()
    usps = _usps_by_fips()
    names = _addfips_names()

    reader = shapefile.Reader(str(_shapefile_dir() / "cb_2016_us_state_500k"))
    state_rows, state_shapes = [], {}
    for rec, shp in zip(reader.records(), reader.shapes(), strict=True):
        code = rec["STUSPS"]
        state_rows.append({
            "state_fips": rec["GEOID"], "state": code, "name": rec["NAME"],
            "level": "territory" if code in TERRITORIES else "state",
            "aland": int(rec["ALAND"]), "awater": int(rec["AWATER"]),
        })
        state_shapes[rec["GEOID"]] = shape(shp.__geo_interface__)
    reader.close()
    state_rows.sort(key=lambda r: r["state_fips"])

    reader = shapefile.Reader(str(_shapefile_dir() / "cb_2016_us_county_500k"))
    county_rows, county_shapes = [], {}
    for rec, shp in zip(reader.records(), reader.shapes(), strict=True):
        fips = rec["GEOID"]
        suffix = _LSAD_SUFFIX.get(rec["LSAD"], "")
        full = names.get(fips) or (f"{rec['NAME']} {suffix}".strip())
        county_rows.append({
            "county_fips": fips, "state_fips": rec["STATEFP"], "state": usps[rec["STATEFP"]],
            "name": full, "short_name": rec["NAME"], "lsad": suffix or rec["LSAD"],
            "aland": int(rec["ALAND"]), "awater": int(rec["AWATER"]),
        })
        county_shapes[fips] = shape(shp.__geo_interface__)
    reader.close()
    county_rows.sort(key=lambda r: r["county_fips"])

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    for file_name, rows, fields in (("states.csv", state_rows, STATE_FIELDS),
                                    ("counties.csv", county_rows, COUNTY_FIELDS)):
        with (tmp / file_name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    for file_name, fc in (
        ("counties.geojson", _feature_collection(county_rows, county_shapes, "county_fips", ("name", "state"))),
        ("states.geojson", _feature_collection(state_rows, state_shapes, "state_fips", ("name", "state"))),
    ):
        (tmp / file_name).write_text(json.dumps(fc, separators=(",", ":")), encoding="utf-8")
    try:
        os.replace(tmp, target)
    except OSError:
        # Another process built the same version first: theirs is as good as ours.
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return target


def ensure_built() -> Path:
    """The cache directory for this version, built on first use."""
    target = cache_dir()
    if not (target / "states.geojson").exists():
        build(target)
    return target


# --- public accessors ----------------------------------------------------------------------------


def _read_csv(name: str, ints: tuple[str, ...]) -> list[dict]:
    with (ensure_built() / name).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for key in ints:
            row[key] = int(row[key])
    return rows


@lru_cache(maxsize=1)
def _states_cached(key: str) -> tuple[dict, ...]:
    return tuple(_read_csv("states.csv", ("aland", "awater")))


@lru_cache(maxsize=1)
def _counties_cached(key: str) -> tuple[dict, ...]:
    return tuple(_read_csv("counties.csv", ("aland", "awater")))


def states() -> list[dict]:
    """States, DC and territories: state_fips, state (USPS), name, level, aland, awater (m²)."""
    return [dict(r) for r in _states_cached(str(cache_dir()))]


def counties() -> list[dict]:
    """Every county and equivalent: county_fips, state_fips, state, name, short_name, lsad, aland, awater."""
    return [dict(r) for r in _counties_cached(str(cache_dir()))]


def county_geojson_path() -> Path:
    """Path of the simplified county GeoJSON (for the site to copy)."""
    return ensure_built() / "counties.geojson"


def state_geojson_path() -> Path:
    """Path of the simplified state GeoJSON."""
    return ensure_built() / "states.geojson"


def county_geojson() -> dict:
    """Simplified county shapes; feature `id` = 5-digit FIPS, properties name and state."""
    return json.loads(county_geojson_path().read_text(encoding="utf-8"))


def state_geojson() -> dict:
    """Simplified state and territory shapes; feature `id` = 2-digit FIPS."""
    return json.loads(state_geojson_path().read_text(encoding="utf-8"))


def load_reference(con) -> bool:
    """Fill the `jurisdictions` table's states and counties when missing or built from other versions.

    Places are added by the derive step (only those an agency needs). Returns True if it (re)loaded.
    """
    key = reference_key()
    current = con.execute(
        "SELECT count(*), min(source), max(source) FROM jurisdictions WHERE level IN ('state', 'territory', 'county')"
    ).fetchone()
    if current[0] and current[1] == current[2] == key:
        return False
    con.execute("DELETE FROM jurisdictions WHERE level IN ('state', 'territory', 'county')")
    base = ensure_built()
    con.execute(
        """
        INSERT INTO jurisdictions (jurisdiction_id, level, state, state_fips, county_fips, name, short_name,
                                   lsad, land_area_m2, water_area_m2, source)
        SELECT 'state:' || state_fips, level, state, state_fips, NULL, name, name, NULL, aland, awater, $key
        FROM read_csv($states, all_varchar = true, header = true)
        UNION ALL
        SELECT 'county:' || county_fips, 'county', state, state_fips, county_fips, name, short_name, lsad,
               aland, awater, $key
        FROM read_csv($counties, all_varchar = true, header = true)
        """,
        {"key": key, "states": str(base / "states.csv"), "counties": str(base / "counties.csv")},
    )
    return True
