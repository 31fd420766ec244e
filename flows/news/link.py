"""Link articles to agencies, jurisdictions and ICE's listings.

Mentions found in the text: "X County Sheriff's Office" (and Department, Jail, Commissioners Court …),
"Sheriff of X County", "X Police Department", state agencies ("Montana Highway Patrol", "Florida
Department of Corrections"), and bare "X County". Each mention's state comes from the text right after
it ("Smith County, Texas"), else the article's dateline/outlet/source state. Jurisdictions are resolved
through `flows.jurisdictions.resolve` when that module exists (the adapter `resolve_jurisdiction` is
the only place that knows its interface); until then a fallback fills level and state only.

Agency mentions are matched to the core `agencies` table by state and normalised name. An event that
announces a signing (signed_or_joined, board_approved, applied_or_considering) is matched to the
agreement whose ICE listing (`agreement_events.event = 'listed'`) falls within LISTING_WINDOW days of
the article (from LEAD_DAYS before it to LISTING_WINDOW after); the lag is listed_on − published_on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flows.news.extract import AP_STATES, STATE_NAMES

LISTING_WINDOW = 120  # days after the article within which ICE's listing is taken as the same agreement
LEAD_DAYS = 30  # ICE sometimes lists before the local story runs
SIGNING_KINDS = ("signed_or_joined", "board_approved", "applied_or_considering")

_NAME = r"(?:[A-Z][a-zA-Z.'-]+(?:\s(?:[A-Z][a-zA-Z.'-]+|de|la|del|of))*?)"
_STATE_ALT = "|".join(sorted((re.escape(s.title()) for s in STATE_NAMES), key=len, reverse=True))
_AP_ALT = "|".join(re.escape(s.title() if len(s) > 3 else s.upper()) for s in AP_STATES)
_AFTER_STATE = re.compile(r"^,?\s*(?:(" + _STATE_ALT + r")|(" + _AP_ALT + r")|([A-Z]{2}))\b")
_APOS = "['\u2019]"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("agency", re.compile(
        r"\b(" + _NAME + r")\s+(County|Parish)\s+(Sheriff" + _APOS + r"?s?" + _APOS + r"?\s+(?:Office|Department)|"
        r"Jail|Detention Center|Commissioners(?:" + _APOS + r")?\s+Court|Board of (?:Supervisors|Commissioners)|"
        r"Commission|Corrections|Department of Corrections)\b")),
    ("agency", re.compile(r"\bSheriff of (" + _NAME + r") (County|Parish)\b")),
    ("agency", re.compile(r"\b(" + _NAME + r") (Police Department|Police|Department of Public Safety)\b")),
    ("state_agency", re.compile(
        r"\b(" + _STATE_ALT + r") (Highway Patrol|State Police|Department of Corrections|"
        r"Department of Public Safety|National Guard|State Patrol|Department of Law Enforcement)\b")),
    ("county", re.compile(r"\b(" + _NAME + r") (County|Parish)\b")),
]
_STOP_NAMES = {"The", "A", "An", "Every", "Each", "This", "That", "Our", "Its", "Their", "One", "Local", "Under",
               "Sheriff", "County", "State", "City", "New", "Many", "Several", "Some", "All", "Other", "In", "On",
               "ICE", "U.S.", "Federal"}


@dataclass
class Mention:
    """One agency or jurisdiction named in an article."""

    position: int
    mention: str
    mention_kind: str
    agency_name: str | None
    county: str | None
    place: str | None
    state: str | None
    level: str | None = None
    county_fips: str | None = None
    resolved_by: str = "fallback"
    agency_id: str | None = None


def _trim_name(name: str) -> str:
    words = name.split()
    while words and (words[0] in _STOP_NAMES or words[0].lower() in ("the", "of")):
        words = words[1:]
    return " ".join(words)


def _state_after(text: str, end: int) -> str | None:
    m = _AFTER_STATE.match(text[end:end + 25])
    if not m:
        return None
    if m.group(1):
        return STATE_NAMES.get(m.group(1).lower())
    if m.group(2):
        return AP_STATES.get(m.group(2).lower())
    code = m.group(3)
    return code if code in set(STATE_NAMES.values()) else None


def _state_line_prefix(text: str, start: int) -> str | None:
    """A state named at the head of the mention's line ('Georgia – On Oct. 6, the X County …')."""
    line_start = text.rfind("\n", 0, start) + 1
    m = re.match(r"\s*(?:[-*\u2022]\s*)?(" + _STATE_ALT + r")\s*[\u2013\u2014:-]", text[line_start:start])
    return STATE_NAMES.get(m.group(1).lower()) if m else None


def find_mentions(text: str, default_state: str | None = None) -> list[Mention]:
    """Agency and jurisdiction mentions, longest first at each position, no overlaps.

    A mention's state: the state written right after it, else a state heading its line, else
    `default_state` (the article's dateline or source state; a Washington, DC dateline is ICE's
    headquarters, not the agencies' state, so it is not used).
    """
    if default_state == "DC":
        default_state = None
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for kind, pat in PATTERNS:
        for m in pat.finditer(text):
            s, e = m.span()
            if any(a < e and s < b for a, b in taken):
                continue
            raw_name = _trim_name(m.group(1))
            if not raw_name or raw_name in _STOP_NAMES:
                continue
            s = s + m.group(0).find(raw_name) if raw_name in m.group(0) else s
            state = _state_after(text, e) or _state_line_prefix(text, s) or default_state
            county = place = agency = None
            suffix = m.group(2)
            if kind == "agency" and pat.pattern.startswith(r"\bSheriff of"):
                county = f"{raw_name} {suffix}"
                agency = f"{county} Sheriff's Office"
            elif kind == "agency" and suffix in ("County", "Parish"):
                county = f"{raw_name} {suffix}"
                org = re.sub(r"\s+", " ", m.group(3).replace("\u2019", "'"))
                org = re.sub(r"^Sheriff'?s?'?\s+", "Sheriff's ", org)
                agency = f"{county} {org}"
            elif kind == "agency":
                place = raw_name
                agency = f"{raw_name} {'Police Department' if suffix == 'Police' else suffix}"
            elif kind == "state_agency":
                state = STATE_NAMES.get(raw_name.lower(), state)
                agency = f"{raw_name} {suffix}"
            else:
                county = f"{raw_name} {suffix}"
            found.append(Mention(s, text[s:e], kind, agency, county, place, state))
            taken.append((s, e))
    found.sort(key=lambda x: x.position)
    return found


def resolve_jurisdiction(mention: Mention) -> Mention:
    """Fill level, county FIPS and place with the jurisdictions resolver (the only place that calls it).

    Uses `flows.jurisdictions.resolve.resolve(state, name, agency_type, county)` → `Resolution`
    (level, county_fips, county_name, place_name, reason). Without that module, or when it cannot
    resolve the mention, a fallback fills the level from the mention's form.
    """
    level = "state" if mention.mention_kind == "state_agency" else ("county" if mention.county else "place")
    mention.level = level
    if not mention.state:
        return mention
    try:
        from flows.jurisdictions.resolve import resolve  # owned by the jurisdictions engineer
    except ImportError:
        return mention
    agency_type = "County" if mention.county else ("State Agency" if level == "state" else "Municipality")
    try:
        res = resolve(mention.state, mention.agency_name or mention.county or mention.place or "", agency_type,
                      mention.county)
    except Exception:  # a resolver problem must not stop a news load
        return mention
    if getattr(res, "reason", None) is None and getattr(res, "level", None):
        mention.level = res.level
        mention.county_fips = getattr(res, "county_fips", None)
        mention.place = getattr(res, "place_name", None) or mention.place
        mention.resolved_by = "jurisdictions_resolver"
    return mention


def name_key(name: str) -> str:
    """Comparable agency name: lower-case, apostrophes and punctuation dropped, 'dept' → 'department'."""
    t = name.lower().replace("\u2019", "'").replace("'s", "s").replace("'", "")
    t = re.sub(r"\bdept\b\.?", "department", t)
    t = re.sub(r"\bsheriffs?\b", "sheriff", t)
    t = re.sub(r"[^a-z0-9]+", " ", t)
    return " ".join(t.split())


def match_listing(candidates: list[tuple[str, str, str, date]], published_on: date | None,
                  model_hint: str | None = None) -> tuple[str, str, date, int] | None:
    """Pick the ICE listing of an announced agreement.

    `candidates` are (agreement_id, agency_id, model, listed_on). Keeps listings from LEAD_DAYS before
    to LISTING_WINDOW days after the article; prefers the model the text names, then the nearest.
    Returns (agreement_id, agency_id, listed_on, lag_days) or None.
    """
    if published_on is None:
        return None
    best = None
    for agreement_id, agency_id, model, listed_on in candidates:
        lag = (listed_on - published_on).days
        if not -LEAD_DAYS <= lag <= LISTING_WINDOW:
            continue
        rank = (0 if model_hint and model == model_hint else 1, abs(lag))
        if best is None or rank < best[0]:
            best = (rank, (agreement_id, agency_id, listed_on, lag))
    return best[1] if best else None


def model_hint(text: str) -> str | None:
    """The 287(g) model a sentence names: TFM, JEM or WSO."""
    t = text.lower()
    if "task force" in t:
        return "TFM"
    if "jail enforcement" in t or "jail model" in t:
        return "JEM"
    if "warrant service" in t:
        return "WSO"
    return None
