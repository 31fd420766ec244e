"""Paths of the sanctuary fixtures and real lists (imported by the sanctuary tests)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
FIX = HERE.parent / "fixtures" / "sanctuary"
REPO = HERE.parents[1]
DHS_HTML = FIX / "dhs_sanctuary_2025-05-29.html"
DOJ_HTML = FIX / "doj_sanctuary_2025-08-05.html"
DHS_CSV = REPO / "sample" / "sanctuary" / "dhs_sanctuary_jurisdictions_2025-05-29_parsed.csv"
DOJ_CSV = REPO / "sample" / "sanctuary" / "doj_sanctuary_jurisdictions_2025-08-05.csv"
