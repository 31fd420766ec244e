"""Sanctuary policies: federal sanctuary lists (DHS 2025-05-29, DOJ 2025-08-05) and state laws.

Parsers turn archived pages into rows (`parse_dhs`, `parse_doj`), `resolve` matches names to FIPS
jurisdictions, `load.ingest` archives the documents, parses them and loads the warehouse in one
transaction. See docs/sanctuary.md.
"""
