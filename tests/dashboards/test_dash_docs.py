"""docs/dashboards.md names only dashboard queries and panels that exist (no warehouse needed)."""

from __future__ import annotations

import re
from pathlib import Path

from dashboards import data
from dashboards.figures import PANELS

DOC = Path(__file__).resolve().parents[2] / "docs" / "dashboards.md"


def test_every_query_and_panel_the_doc_names_exists():
    text = DOC.read_text(encoding="utf-8")
    queries = set(re.findall(r"\bdash_[a-z0-9_]+", text))  # `dash_<name>` and `dash_*` are placeholders
    assert queries and queries <= set(data.query_names()), queries - set(data.query_names())
    panels = set(re.findall(r'@panel\("([a-z0-9_]+)"', text))
    assert panels and panels <= set(PANELS), panels - set(PANELS)
