"""Cleaning of single values from ICE's lists: text, states, models, agency types, counties, dates, URLs.

Each function takes a value exactly as printed and returns the cleaned value (or None), never
raising on odd input. The raw value is always kept beside the cleaned one by the caller, so every
correction made here can be seen and undone.

- text: NBSP and other odd spaces → space, curly quotes → straight, runs of spaces collapsed.
- state: full names in any case, typos (`PENNSLYVANIA`, `UTAHJ`, `WEST VIRIGINA`), USPS codes and
  AP abbreviations (`Mass.`, `N.C.`, `S. Dakota`) → USPS code, territories included.
- model: by keyword → JEM (jail), TFM (task force), WSO (warrant service), or the codes themselves;
  older `Jail & Task Force` → both.
- agency type: County / Municipality / State Agency / Tribal (typos like `Muncipality` included).
- county: `#N/A`, `N/A` → None; ICE's verified corrections applied (flows/reference/).
- signed: Excel dates and serials, ISO, US or month-name text → date; impossible years (`5025`)
  repaired with a note.
"""

from __future__ import annotations

import csv
import difflib
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import us

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'", "\u0060": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2013": "-", "\u2014": "-"})
_WHITESPACE = re.compile(r"\s+")
_COMPASS = re.compile(r"^([NSW])\.? ")  # N. Carolina, S Dakota, W. Virginia
_COMPASS_WORDS = {"N": "NORTH ", "S": "SOUTH ", "W": "WEST "}
_MODEL_CODES = re.compile(r"\b(jem|tfm|wso)\b")
_NOT_STATE_CHARS = re.compile(r"[^A-Z .,]")
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_US_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})$")
_MONTHS = {m: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for m in names}
_MONTH_FIRST = re.compile(r"^([a-z]+)\.? (\d{1,2}),? (\d{4})$", re.I)  # March 19, 2025 / Mar. 19 2025
_DAY_FIRST = re.compile(r"^(\d{1,2})[- ]([a-z]+)\.?[- ](\d{2,4})$", re.I)  # 19-Mar-2025 / 19 March 2025
_SERIAL_TEXT = re.compile(r"^(\d{5})(?:\.0+)?$")  # an Excel serial stored as text: 45735
_TYPED_URL = re.compile(r"https?://\S+")
_MISSING = {"", "#N/A", "N/A", "NA", "#NA", "NONE", "NULL", "-", "--", "#VALUE!", "#REF!"}


@lru_cache(maxsize=262144, typed=True)
def clean_text(value: object) -> str | None:
    """Normalise spaces and quotes; None for empty or missing markers."""
    if value is None:
        return None
    if value.__class__ is str and value.isascii() and value.isprintable() and "  " not in value and "`" not in value:
        text = value.strip()  # plain ASCII with single spaces (most cells, every URL): nothing to replace
    else:
        text = _SPACES.sub(" ", str(value).translate(_QUOTES)).strip()
    return None if text.upper() in _MISSING else text


# --- states -------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _state_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for st in us.states.STATES_AND_TERRITORIES + [us.states.DC]:
        names[st.name.upper()] = st.abbr
        names[st.abbr] = st.abbr
    for alias, code in (("WASHINGTON DC", "DC"), ("WASHINGTON, D.C", "DC"), ("D.C", "DC"),
                        ("NORTHERN MARIANA ISLANDS", "MP"), ("COMMONWEALTH OF THE NORTHERN MARIANA ISLANDS", "MP"),
                        ("CNMI", "MP"), ("US VIRGIN ISLANDS", "VI"), ("U.S. VIRGIN ISLANDS", "VI"),
                        ("UNITED STATES VIRGIN ISLANDS", "VI"), ("VIRGIN ISLANDS", "VI")):
        names[alias] = code
    for st in us.states.STATES_AND_TERRITORIES:  # AP style, as news and hand-made lists write them
        if st.ap_abbr:
            names.setdefault(st.ap_abbr.upper().rstrip("."), st.abbr)
    names["TEX"], names["WEST VA"] = "TX", "WV"
    return names


@lru_cache(maxsize=4096)
def state_code(value: object, *, fuzzy: bool = True) -> str | None:
    """USPS code for a state or territory as printed (any case, footnote stars, abbreviations, and
    with `fuzzy` typos too); the one state matcher of the project (ICE's lists, rosters, sanctuary
    lists and jurisdiction resolution all use it)."""
    text = clean_text(value)
    if not text:
        return None
    key = _NOT_STATE_CHARS.sub("", text.upper()).strip(" .,")
    key = _COMPASS.sub(lambda m: _COMPASS_WORDS[m.group(1)], _WHITESPACE.sub(" ", key))
    names = _state_names()
    if key in names:
        return names[key]
    if not fuzzy:
        return None
    close = difflib.get_close_matches(key, [n for n in names if len(n) > 2], n=1, cutoff=0.8)
    return names[close[0]] if close else None


@lru_cache(maxsize=64)
def state_name(code: str) -> str | None:
    """Full name for a USPS code."""
    st = us.states.lookup(code) if code else None
    return st.name if st else None


# --- models and types -----------------------------------------------------------------------------

MODELS = ("JEM", "TFM", "WSO")


@lru_cache(maxsize=4096)
def models(value: object) -> tuple[str, ...]:
    """Models named by a SUPPORT TYPE cell, by keyword; () when none is recognised."""
    text = (clean_text(value) or "").lower()
    codes = set(_MODEL_CODES.findall(text))  # JEM, TFM/WSO, `Warrant Service Officer (WSO)`
    found = []
    if "jail" in text or "jem" in codes:
        found.append("JEM")
    if "task" in text or "tfm" in codes:
        found.append("TFM")
    if "warrant" in text or "wso" in codes:
        found.append("WSO")
    return tuple(found)


@lru_cache(maxsize=4096)
def agency_type(value: object) -> str | None:
    """County | Municipality | State Agency | Tribal, or None."""
    text = (clean_text(value) or "").lower()
    if not text:
        return None
    if text.startswith("count"):
        return "County"
    if text.startswith(("munic", "munci", "city", "town", "village")):
        return "Municipality"
    if text.startswith("state"):
        return "State Agency"
    if text.startswith("trib"):
        return "Tribal"
    if text.startswith("feder"):
        return "Federal"
    return None


# --- counties --------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def county_fixes() -> dict[tuple[str, str], str]:
    """ICE's verified county corrections keyed by (USPS code, county as printed, lower case)."""
    fixes = {}
    with (REFERENCE_DIR / "ice_county_fixes.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = state_code(row["state"])
            fixes[(code, row["county"].strip().lower())] = row["county_fixed"].strip()
    return fixes


@lru_cache(maxsize=65536)
def county(value: object, state: str | None) -> tuple[str | None, str | None]:
    """Cleaned COUNTY and a note when a verified correction was applied."""
    text = clean_text(value)
    if not text:
        return None, None
    fixed = county_fixes().get((state, text.lower()))
    if fixed and fixed != text:
        return fixed, f"county '{text}' corrected to '{fixed}' (ICE verified fix)"
    return text, None


@lru_cache(maxsize=1)
def state_fixes() -> dict[tuple[str, str, str, date], str]:
    """Agreements ICE printed under the wrong state: (state, agency lower, model, signed) → right state."""
    fixes = {}
    with (REFERENCE_DIR / "ice_state_fixes.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for model in models(row["support_type"]):
                key = (state_code(row["state"]), row["agency"].strip().lower(), model, date.fromisoformat(row["signed"]))
                fixes[key] = state_code(row["state_fixed"])
    return fixes


def fixed_state(state: str | None, agency: str | None, model: str, signed: date | None) -> str | None:
    """The right state for an agreement ICE listed under the wrong one, else None."""
    if not (state and agency and signed):
        return None
    return state_fixes().get((state, agency.lower(), model, signed))


# --- agencies --------------------------------------------------------------------------------------

_FOOTNOTE = re.compile(r"[*†‡]+")
_ADDENDUM = re.compile(r"\s*\((?:addendum|amendment)\)\s*|\s+(?:addendum|amendment)$", re.I)


@lru_cache(maxsize=262144)
def agency_name(value: object) -> str | None:
    """Agency name with footnote marks and a stray '(Addendum)' (or a trailing 'Addendum') removed."""
    text = clean_text(value)
    if not text:
        return None
    text = _ADDENDUM.sub(" ", _FOOTNOTE.sub("", text)).strip(" ,;")
    return _WHITESPACE.sub(" ", text) or None


# --- dates -----------------------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
# No 287(g) list can print an earlier date (the program's first agreement was signed in 2002): a SIGNED
# or as-of date before it is a typo. Shared by the cleaning, the snapshot identity and the quality gate.
EARLIEST_LIST_DATE = date(2000, 1, 1)


def parse_date(value: object) -> date | None:
    """A date from an Excel date or serial (also as text), or text: ISO (`2025-03-19`, `2025/03/19`),
    US (`3/19/2025`, `3-19-25`, `3.19.2025`) or with the month's name (`March 19, 2025`,
    `19-Mar-2025`); None when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        if 1 <= value < 200000:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text = clean_text(value)
    if not text:
        return None
    if m := _ISO_DATE.match(text):
        y, mo, d = map(int, m.groups())
    elif m := _US_DATE.match(text):
        mo, d, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
    elif m := _MONTH_FIRST.match(text):
        mo, d, y = _MONTHS.get(m.group(1).lower(), 0), int(m.group(2)), int(m.group(3))
    elif m := _DAY_FIRST.match(text):
        d, mo, y = int(m.group(1)), _MONTHS.get(m.group(2).lower(), 0), int(m.group(3))
    elif (m := _SERIAL_TEXT.match(text)) and 36526 <= int(m.group(1)) <= 73050:  # 2000 … 2099
        return _EXCEL_EPOCH + timedelta(days=int(m.group(1)))
    else:
        return None
    if y < 100:
        y += 2000
    try:
        return date(y, mo, d)
    except ValueError:
        return None


@lru_cache(maxsize=262144, typed=True)
def signed_date(value: object, as_of: date | None) -> tuple[date | None, str | None]:
    """SIGNED as a date; a year no list could print (after the list's date, or before 2000) repaired.

    `5025-07-07` in a list of 2025 becomes 2025-07-07. Returns the date and a note when repaired.
    """
    parsed = parse_date(value)
    if parsed is None:
        return None, (f"SIGNED '{value}' is not a date" if clean_text(value) else None)
    if as_of is None or (EARLIEST_LIST_DATE <= parsed <= as_of):
        return parsed, None
    for year in (as_of.year, as_of.year - 1):
        if str(parsed.year)[-2:] == str(year)[-2:] or str(parsed.year)[-3:] == str(year)[-3:]:
            try:
                fixed = parsed.replace(year=year)
            except ValueError:
                continue
            if fixed <= as_of:
                return fixed, f"SIGNED year {parsed.year} impossible on {as_of}; read as {fixed}"
    return None, f"SIGNED {parsed} impossible on {as_of}; left empty"


# --- MOA links -------------------------------------------------------------------------------------

_WAYBACK = re.compile(r"^https?://web\.archive\.org/web/\d+[a-z_]*/", re.I)
# Microsoft's "Safe Links": ICE pasted links from Outlook, which wrap the real address (`?url=…&data=…`).
_SAFELINKS = re.compile(r"^https?://[\w.-]*safelinks\.protection\.outlook\.com/", re.I)
# A PDF's address copied from Chrome's PDF viewer (`chrome-extension://<id>/https:/www.ice.gov/…`),
# and the scheme's lost slash that comes with it (`https:/www.ice.gov/…`).
_PDF_VIEWER = re.compile(r"^chrome-extension://[a-z0-9]+/", re.I)
_ONE_SLASH = re.compile(r"^(https?):/(?=[^/])", re.I)


@lru_cache(maxsize=262144, typed=True)
def moa_url(hyperlink: str | None, text: object) -> str | None:
    """The MOA/addendum URL: the cell's hyperlink, else a URL typed in the cell; web-archive, Outlook
    Safe Links and Chrome PDF-viewer wrappers removed (the same PDF, however it was linked)."""
    candidate = clean_text(hyperlink) or None
    if not candidate:
        cell = clean_text(text) or ""
        m = _TYPED_URL.search(cell)
        candidate = m.group(0) if m else None
    if not candidate:
        return None
    if _SAFELINKS.match(candidate):
        wrapped = parse_qs(urlsplit(candidate).query).get("url")
        candidate = wrapped[0] if wrapped and wrapped[0].startswith(("http://", "https://")) else candidate
    return _ONE_SLASH.sub(r"\1://", _PDF_VIEWER.sub("", _WAYBACK.sub("", candidate)))
