"""Turn an archived news page into an article: canonical URL, title, date, author, outlet, text.

Text and most metadata come from trafilatura (a maintained extractor); this module adds what news
about 287(g) needs on top:

- canonical URLs: `<link rel=canonical>` (or og:url) when the page gives one, then tracking
  parameters (utm_*, fbclid, gclid, …) stripped, host lower-cased, fragment and default port dropped;
- the published date, in order of trust: the page's own machine-readable date (meta tags, <time>),
  a printed date line ("Published 7:00 pm Sunday, February 23, 2025", ICE's run-together header
  "November 17, 2020Washington, DC, United States287g …"), the date in the URL path (/2025/04/17/),
  trafilatura's guess, the feed's date; `date_basis` says which one won;
- relative dates resolved against the article date ("signed Tuesday" in a Sunday 2025-02-23 story
  is 2025-02-18; "Feb. 18" takes the article's year);
- the dateline's state ("TYLER, Texas —", "Washington, DC, United States") for linking.

A page that yields no title or no text raises `ExtractError` with a one-line reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

from flows.dates import ymd

TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid|yclid|ref|ref_src|"
    r"cmpid|cmp|ito|itm_\w+|ocid|sr_share|smid|smtyp|partner|taid|cid|redirected|outputtype|amp)$",
    re.IGNORECASE,
)

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
               "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_MONTH_RE = (r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
             r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
PRINTED_DATE = re.compile(_MONTH_RE + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)", re.I)
MONTH_DAY = re.compile(_MONTH_RE + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?!,?\s*(?:19|20)\d\d)", re.I)
URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|-|$)")
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

STATE_NAMES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR", "guam": "GU",
}
# AP-style abbreviations used in datelines.
AP_STATES = {
    "ala.": "AL", "ariz.": "AZ", "ark.": "AR", "calif.": "CA", "colo.": "CO", "conn.": "CT", "del.": "DE",
    "fla.": "FL", "ga.": "GA", "ill.": "IL", "ind.": "IN", "kan.": "KS", "ky.": "KY", "la.": "LA", "md.": "MD",
    "mass.": "MA", "mich.": "MI", "minn.": "MN", "miss.": "MS", "mo.": "MO", "mont.": "MT", "neb.": "NE",
    "nev.": "NV", "n.h.": "NH", "n.j.": "NJ", "n.m.": "NM", "n.y.": "NY", "n.c.": "NC", "n.d.": "ND",
    "okla.": "OK", "ore.": "OR", "pa.": "PA", "r.i.": "RI", "s.c.": "SC", "s.d.": "SD", "tenn.": "TN",
    "tex.": "TX", "vt.": "VT", "va.": "VA", "wash.": "WA", "w.va.": "WV", "wis.": "WI", "wyo.": "WY",
    "d.c.": "DC", "dc": "DC",
}
USPS = set(STATE_NAMES.values())


class ExtractError(ValueError):
    """A document that is not a usable article; the message is the one-line reason."""


@dataclass
class Article:
    """An article as extracted from one archived page."""

    url: str
    canonical_url: str
    title: str
    published_on: date | None
    date_basis: str
    author: str | None
    outlet: str | None
    text: str
    sha256: str = ""
    source: str = ""
    dateline_state: str | None = None
    topics: list[str] = field(default_factory=list)

    @property
    def article_id(self) -> str:
        """Stable id: the first 16 hex digits of sha256(canonical URL)."""
        return article_id(self.canonical_url)


def article_id(canonical: str) -> str:
    """Stable article id for a canonical URL."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


# --- URLs ----------------------------------------------------------------------------------------

def canonical_url(url: str, page_canonical: str | None = None) -> str:
    """The URL that identifies a story: the page's canonical link if any, without tracking noise."""
    chosen = url
    if page_canonical and page_canonical.strip():
        cand = urljoin(url, page_canonical.strip())
        if urlsplit(cand).scheme in ("http", "https") and urlsplit(cand).netloc:
            chosen = cand
    parts = urlsplit(chosen.strip())
    scheme = (parts.scheme or "https").lower()
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if host.startswith("amp."):
        host = host[4:]
    if parts.port and not ((scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/+", "/", parts.path or "/")
    path = re.sub(r"/amp/?$", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=False) if not TRACKING_PARAMS.match(k))
    if scheme == "http":
        scheme = "https"  # one story, one key: http and https copies are the same page
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def date_from_url(url: str) -> date | None:
    """A date printed in the URL path (/2025/04/17/ or /2025-04-17-), if valid."""
    return ymd(URL_DATE.search(urlsplit(url).path))


# --- dates ---------------------------------------------------------------------------------------

def _month(name: str) -> int:
    n = name.lower().rstrip(".")
    return MONTHS.get(n) or _MONTH_ABBR[n[:4] if n.startswith("sept") else n[:3]]


def parse_printed_date(text: str) -> date | None:
    """The first 'Month D, YYYY' (any common spelling) in `text`, or an ISO date."""
    m = PRINTED_DATE.search(text or "")
    if m:
        try:
            return date(int(m.group("year")), _month(m.group("month")), int(m.group("day")))
        except (ValueError, KeyError):
            pass
    return ymd(re.search(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b", text or ""))


def parse_iso(value: str | None) -> date | None:
    """A date from an ISO-ish timestamp ('2025-02-23T19:00:00-06:00', '20250417T120000Z')."""
    if not value:
        return None
    v = value.strip()
    m = re.match(r"((?:19|20)\d\d)-?(\d\d)-?(\d\d)", v)
    return ymd(m) if m else parse_printed_date(v)


def resolve_relative(phrase: str, ref: date) -> date | None:
    """Absolute date for a relative mention in a story dated `ref`: weekday, yesterday, 'Feb. 18'."""
    p = phrase.lower()
    if re.search(r"\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b", p):
        return ref
    if re.search(r"\byesterday\b", p):
        return ref - timedelta(days=1)
    m = PRINTED_DATE.search(phrase)
    if m:
        return parse_printed_date(phrase)
    m = MONTH_DAY.search(phrase)
    if m:
        try:
            d = date(ref.year, _month(m.group("month")), int(m.group("day")))
        except (ValueError, KeyError):
            return None
        # A month-day later than a week after the story belongs to the previous year, unless said as future.
        if d > ref + timedelta(days=7) and not re.search(r"\b(?:will|next|scheduled|set to|expected)\b", p):
            d = date(ref.year - 1, d.month, d.day) if not (d.month == 2 and d.day == 29) else d
        return d
    for i, name in enumerate(WEEKDAYS):
        wm = re.search(r"\b(next|last|this|on)?\s*" + name + r"\b", p)
        if wm:
            # AP style: a bare weekday names a day within the past week (future if the verb is future).
            future = wm.group(1) == "next" or re.search(r"\b(?:will|is set to|are set to|scheduled|plans? to)\b", p)
            if future:
                delta = (i - ref.weekday()) % 7 or 7
                return ref + timedelta(days=delta)
            delta = (ref.weekday() - i) % 7
            if wm.group(1) == "last" and delta == 0:
                delta = 7
            return ref - timedelta(days=delta)
    return None


def event_date(sentence: str, published_on: date | None) -> date | None:
    """The date a sentence's event happened, from its own words, else None."""
    if published_on is None:
        return parse_printed_date(sentence)
    return resolve_relative(sentence, published_on)


# --- datelines and ICE headers -------------------------------------------------------------------

ICE_HEADER = re.compile(
    r"^\s*(?P<date>" + _MONTH_RE + r"\s+\d{1,2},\s+(?:19|20)\d\d)\s*(?P<dateline>.*?)\s*"
    r"(?P<topics>(?:287g|287\(g\)|Enforcement and Removal|Removal|Worksite|Detention|Partnership|Public Safety|"
    r"Management and Administration|Secure Communities|Immigration).*)?$",
    re.I | re.S,
)


def split_ice_header(text: str) -> tuple[date | None, str, str]:
    """Split ICE's run-together header 'November 17, 2020Washington, DC, United States287g …'."""
    m = ICE_HEADER.match(text or "")
    if not m:
        return None, "", ""
    return parse_printed_date(m.group("date")), (m.group("dateline") or "").strip(" ·|-"), (m.group("topics") or "").strip()


def state_from_place(place: str) -> str | None:
    """USPS code from a place text: 'Washington, DC, United States', 'TYLER, Texas', 'Rock Springs, Wyo.'."""
    if not place:
        return None
    parts = [p.strip().lower() for p in re.split(r",", place) if p.strip()]
    for part in reversed(parts):
        part = part.replace("united states", "").strip()
        if not part:
            continue
        if part in STATE_NAMES:
            return STATE_NAMES[part]
        if part in AP_STATES:
            return AP_STATES[part]
        if part.upper() in USPS and len(part) == 2:
            return part.upper()
    return None


DATELINE = re.compile(r"^\s*([A-Z][A-Za-z .'-]{1,40}?)(?:,\s*([A-Z][A-Za-z. ]{1,20}?))?\s*(?:\([A-Za-z .]+\)\s*)?[—–-]{1,2}\s")


def dateline_state(text: str) -> str | None:
    """The state of a body dateline ('TYLER, Texas — …', 'WASHINGTON – …' is DC) in the first lines."""
    for line in (text or "").splitlines()[:4]:
        m = DATELINE.match(line)
        if m and (m.group(1).isupper() or m.group(2)):
            break
    else:
        return None
    city, st = m.group(1), m.group(2)
    if st:
        return state_from_place(f"{city}, {st}")
    if city.strip().upper() == "WASHINGTON":
        return "DC"
    return None


# --- extraction ----------------------------------------------------------------------------------

def _meta(tree, *names: str) -> str | None:
    for n in names:
        for attr in ("property", "name", "itemprop"):
            vals = tree.xpath(f"//meta[@{attr}=$n]/@content", n=n)
            if vals and vals[0].strip():
                return vals[0].strip()
    return None


def extract_article(body: bytes | str, url: str, *, hints: dict | None = None) -> Article:
    """Extract an article from an HTML page; raises ExtractError with the reason when it is not one."""
    import trafilatura

    hints = hints or {}
    raw = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if not raw.strip():
        raise ExtractError("empty page")
    try:
        tree = lxml_html.fromstring(raw)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise ExtractError(f"unparseable HTML: {exc}") from exc
    canon_href = (tree.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href") or [None])[0] \
        or _meta(tree, "og:url")
    try:
        doc = trafilatura.extract(raw, url=url, output_format="json", with_metadata=True, include_comments=False,
                                  favor_precision=True, deduplicate=False)
    except Exception as exc:  # trafilatura raises assorted errors on hostile markup
        raise ExtractError(f"extractor failed: {type(exc).__name__}: {exc}") from exc
    meta = json.loads(doc) if doc else {}
    text = (meta.get("text") or meta.get("raw_text") or "").strip()
    if not text:
        # Short announcements fall under trafilatura's thresholds: take the main block's paragraphs.
        paras = [" ".join(p.text_content().split()) for p in tree.xpath("//article//p | //main//p")]
        text = "\n".join(p for p in paras if p)
    title = (_meta(tree, "og:title") or meta.get("title") or hints.get("title")
             or " ".join((tree.findtext(".//title") or "").split()))
    title = " ".join((title or "").split())
    if not title:
        raise ExtractError("no title")
    if len(text) < 80:
        raise ExtractError(f"no article text ({len(text)} characters)")

    # ICE header: date · dateline · topic tag, run together.
    header_el = tree.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' news-release-header ')]")
    ice_date, ice_dateline, ice_topics = (None, "", "")
    if header_el:
        ice_date, ice_dateline, ice_topics = split_ice_header(" ".join(header_el[0].text_content().split()))
        if not ice_date:
            parts = [" ".join(e.text_content().split()) for e in header_el[0].iterchildren()]
            ice_date = parse_printed_date(" ".join(parts))

    published, basis = None, ""
    for cand, why in (
        (parse_iso(_meta(tree, "article:published_time", "datePublished", "pubdate", "dc.date", "date",
                         "DC.date.issued", "sailthru.date", "parsely-pub-date")), "meta"),
        (parse_iso((tree.xpath("//time/@datetime") or [None])[0]), "time_tag"),
        (ice_date, "ice_header"),
        (_printed_date_line(tree), "printed"),
        (date_from_url(url), "url_path"),
        (parse_iso(meta.get("date")), "extractor"),
        (parse_iso(hints.get("published")), "feed"),
    ):
        if cand:
            published, basis = cand, why
            break

    outlet = meta.get("sitename") or _meta(tree, "og:site_name") or hints.get("outlet") or (urlsplit(url).hostname or "")
    if outlet.startswith("www."):
        outlet = outlet[4:]
    author = meta.get("author") or _meta(tree, "author", "article:author") or None
    if author:
        author = re.sub(r"^\s*by\s+", "", author, flags=re.I).strip() or None
    state = state_from_place(ice_dateline) if ice_dateline else None
    state = state or dateline_state(text) or hints.get("state")
    topics = [t.strip() for t in re.split(r"\s*[;|]\s*", ice_topics) if t.strip()] if ice_topics else []
    return Article(
        url=url,
        canonical_url=canonical_url(url, canon_href),
        title=title,
        published_on=published,
        date_basis=basis or "none",
        author=author,
        outlet=outlet or None,
        text=text,
        dateline_state=state,
        topics=topics,
    )


def _printed_date_line(tree) -> date | None:
    """A printed date near the top: 'Published 7:00 pm Sunday, February 23, 2025', 'By X on August 21, 2024'."""
    for xp in ("//*[contains(@class,'date') or contains(@class,'byline') or contains(@class,'published')"
               " or contains(@class,'dateline') or contains(@class,'meta')]",):
        for el in tree.xpath(xp)[:10]:
            d = parse_printed_date(" ".join(el.text_content().split()))
            if d:
                return d
    return None


def parse_datetime(value: str | None) -> datetime | None:
    """A timestamp string as a naive UTC datetime (fetch times are written in UTC)."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt.replace(tzinfo=None)
