"""Date helpers shared by the areas (news extraction, sanctuary file names)."""

from __future__ import annotations

import re
from datetime import date


def ymd(match: re.Match[str] | None) -> date | None:
    """The date in a regex match's groups 1-3 (year, month, day); None without a match or for no such day."""
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
