"""Jurisdictions: US geography built offline from packages, and every agency resolved to it.

- `geography`: states, territories and counties (FIPS, names, land area) and simplified GeoJSON,
  built from `addfips`, `plotly-geo` (Census cartographic boundaries) and `us`; cached under the
  data directory, keyed by the packages' versions.
- `places`: a USPS city → county table from the `zipcodes` package, the offline place gazetteer.
- `resolve`: a pure function from an agency as ICE prints it to a `Resolution` (level, FIPS, method,
  confidence, or the reason it could not be resolved).
- `derive`: the derive step that writes `agency_jurisdiction_facts` inside every load.
- `report`: the resolution rate and the unresolved agencies, for the CLI and the pipeline summary.
"""
