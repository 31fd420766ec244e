"""Change alerts: Atom feeds of agreement and listing events, and optional JSON webhooks.

Feeds: `write_feeds(db, site)` writes `<site>/feeds/all.atom` (the whole country) and one
`<site>/feeds/<STATE>.atom` per state with events, from the `alert_events` view (agreement events,
new pending applications, sanctuary listings and withdrawals, data-quality alerts). Every feed is
built with ElementTree, so source text (agency names, values from ICE's files) is always escaped;
characters XML cannot carry are dropped, links are kept only when they are http(s), a state is
used in a file name only when it is two capital letters, and each file is written to a temporary
name and renamed into place (a reader never sees half a feed).

Webhooks: `send_webhooks(db)` POSTs new events as JSON to every URL in TRACKER_WEBHOOKS
(comma-separated) and in the webhooks file (TRACKER_WEBHOOKS_FILE, default `<data>/webhooks.txt`,
one URL a line). Each event goes to each URL once: what was delivered is remembered in
`alerts_sent`. A URL seen for the first time gets a baseline (the events that already exist are
marked, not sent), so configuring a webhook does not replay years of history. Delivery retries
with exponential backoff within a deadline (POST_DEADLINE, 60 s for a batch's POST and its retries:
a receiver that answers a byte at a time cannot hold a run); a URL that keeps failing is reported
and tried again next run, and never fails the load. The warehouse is never held open while talking
to the network: events are read, the connection closed, the POSTs made, then the deliveries
recorded in one short write.
Delivery is at least once (a crash between POST and record re-sends): receivers dedupe on `id`.
A delivery holds the run lock (`flows.ledger.run_lock`), so two never overlap and POST the same
events twice.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from flows.config import data_dir
from flows.files import write_atomic
from flows.ledger import run_lock
from warehouse.db import reader, require, writer

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 200        # newest entries in the country-wide feed
STATE_FEED_LIMIT = 50   # newest entries in each state's feed (readers poll; older entries stay in the site)
BATCH = 100
POST_DEADLINE = 60.0  # seconds one webhook delivery (a batch's POST and its retries) may take in all
log = logging.getLogger(__name__)

_STATE = re.compile(r"^[A-Z]{2}$")
# Characters XML 1.0 cannot carry at all (ElementTree would write them and produce a broken feed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("", ATOM_NS)


def _q(tag: str) -> str:
    return f"{{{ATOM_NS}}}{tag}"


def _text(value: object) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def _stamp(value: date | datetime | None) -> str:
    if value is None:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _safe_link(url: str | None) -> str | None:
    if url and re.match(r"^https?://[^\s<>\"]+$", url.strip(), re.I):
        return url.strip()
    return None


def read_events(db: Path | str, *, limit: int | None = None) -> list[dict]:
    """Every alert event, newest first (read-only)."""
    sql = "SELECT * FROM alert_events ORDER BY happened_on DESC, kind, title, event_id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    with reader(db) as con:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def build_feed(events: list[dict], *, feed_id: str, title: str, self_href: str) -> bytes:
    """An Atom document (bytes) for the given events (already sorted, newest first)."""
    feed = ET.Element(_q("feed"))
    ET.SubElement(feed, _q("id")).text = feed_id
    ET.SubElement(feed, _q("title")).text = _text(title)
    ET.SubElement(feed, _q("updated")).text = _stamp(events[0]["happened_on"] if events else None)
    ET.SubElement(ET.SubElement(feed, _q("author")), _q("name")).text = "287(g) tracker"
    ET.SubElement(feed, _q("link"), rel="self", href=self_href)
    for ev in events:
        entry = ET.SubElement(feed, _q("entry"))
        ET.SubElement(entry, _q("id")).text = f"urn:tracker-287g:event:{ev['event_id']}"
        ET.SubElement(entry, _q("title"), type="text").text = _text(ev["title"])
        ET.SubElement(entry, _q("updated")).text = _stamp(ev["happened_on"])
        ET.SubElement(entry, _q("category"), term=_text(ev["kind"]))
        ET.SubElement(entry, _q("category"), term=_text(ev["event"]))
        summary = " · ".join(_text(x) for x in (ev.get("detail"), ev.get("state"), ev.get("happened_on")) if x)
        ET.SubElement(entry, _q("summary"), type="text").text = summary
        link = _safe_link(ev.get("link"))
        if link:
            ET.SubElement(entry, _q("link"), rel="related", href=link)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)



def write_feeds(db: Path | str, site: Path | str, *, limit: int = FEED_LIMIT,
                state_limit: int = STATE_FEED_LIMIT) -> dict:
    """Write feeds/all.atom and feeds/<STATE>.atom under the site; returns {'all': n, 'states': k}."""
    events = read_events(db)
    out = Path(site) / "feeds"
    write_atomic(out / "all.atom", build_feed(events[:limit], feed_id="urn:tracker-287g:feed:all",
                                               title="287(g) tracker: changes, all states",
                                               self_href="all.atom"))
    by_state: dict[str, list[dict]] = {}
    for ev in events:
        st = ev.get("state") or ""
        if _STATE.match(st):
            by_state.setdefault(st, []).append(ev)
    for st, evs in by_state.items():
        write_atomic(out / f"{st}.atom", build_feed(evs[:state_limit], feed_id=f"urn:tracker-287g:feed:{st}",
                                                     title=f"287(g) tracker: changes in {st}",
                                                     self_href=f"{st}.atom"))
    return {"all": min(len(events), limit), "states": len(by_state), "dir": str(out)}


# ---------------------------------------------------------------------------------------------
# Webhooks


def webhook_urls() -> list[str]:
    """Configured webhook URLs (env TRACKER_WEBHOOKS, then the webhooks file), http(s) only, deduplicated."""
    raw = [u.strip() for u in os.environ.get("TRACKER_WEBHOOKS", "").split(",")]
    path = Path(os.environ.get("TRACKER_WEBHOOKS_FILE", data_dir() / "webhooks.txt"))
    if path.is_file():
        raw += [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    urls = [u for u in raw if u]
    bad = [u for u in urls if not re.match(r"^https?://", u, re.I)]
    for u in bad:
        log.warning("webhook %r ignored: only http(s) URLs are supported", u)
    return list(dict.fromkeys(u for u in urls if u not in bad))


def _jsonable(ev: dict) -> dict:
    return {"id": ev["event_id"], **{k: (v.isoformat() if isinstance(v, date) else v)
                                     for k, v in ev.items() if k != "event_id"}}


def post_json(url: str, payload: dict, *, retries: int = 3, backoff: float = 0.5, timeout: float = 10.0,
              deadline: float | None = None) -> str | None:
    """POST JSON with retries and exponential backoff, all within `deadline` seconds (POST_DEADLINE unless
    given); None on success (2xx), else the last error (one line).

    `timeout` bounds each wait for a read, not the whole answer: a receiver that trickles a byte every
    few seconds would hold the delivery (and the run) forever. So the POST runs in a daemon thread that
    is given up on at the deadline (it ends with the receiver's connection, or with the process)."""
    limit = POST_DEADLINE if deadline is None else deadline
    body = json.dumps(payload, default=str).encode("utf-8")
    outcome: list[str | None] = []

    def deliver() -> None:
        try:
            outcome.append(_post_with_retries(url, body, retries, backoff, timeout))
        except Exception as exc:  # whatever it is, it is this URL's failure, not a silent thread's
            outcome.append(f"{url}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")

    worker = threading.Thread(target=deliver, name=f"webhook POST {url}", daemon=True)
    worker.start()
    worker.join(limit)
    if not outcome:
        return f"{url}: no complete answer within {limit:g} s; gave up"
    return outcome[0]


def _post_with_retries(url: str, body: bytes, retries: int, backoff: float, timeout: float) -> str | None:
    """The POST and its retries (see post_json); None on success, else '<url>: <last error>'."""
    error = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        req = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "tracker-287g/alerts"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                if 200 <= resp.status < 300:
                    return None
                error = f"HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                break  # the receiver refuses this request: retrying will not help
        except (urllib.error.URLError, OSError, TimeoutError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    return f"{url}: {error}"


def send_webhooks(db: Path | str, urls: list[str] | None = None, *, retries: int = 3, backoff: float = 0.5,
                  timeout: float = 10.0, deadline: float | None = None) -> dict:
    """Deliver new events to every webhook once; never raises for delivery problems.

    Holds the run lock from reading what was sent to recording what it sent, so that two deliveries
    (two `tracker alerts`, or one beside a run) never POST the same events twice: RunLocked if another
    process holds it. The pipeline and family flows call this under their own lock (re-entrant)."""
    urls = webhook_urls() if urls is None else urls
    result: dict = {"urls": len(urls), "sent": 0, "baseline": 0, "errors": []}
    if not urls:
        return result
    with run_lock(require(db)):
        return _deliver(db, urls, result, retries=retries, backoff=backoff, timeout=timeout, deadline=deadline)


def _deliver(db: Path | str, urls: list[str], result: dict, **post) -> dict:
    """send_webhooks' work, under the run lock: read events and deliveries, POST, record (short writes)."""
    with reader(db) as con:
        cur = con.execute("SELECT * FROM alert_events ORDER BY happened_on, event_id")
        cols = [d[0] for d in cur.description]
        events = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        sent = {}
        for url, eid in con.execute("SELECT url, event_id FROM alerts_sent WHERE list_contains(?, url)", [urls]).fetchall():
            sent.setdefault(url, set()).add(eid)
    records: list[tuple[str, str, str]] = []  # (event_id, url, outcome)
    for url in urls:
        if url not in sent:
            records += [(ev["event_id"], url, "baseline") for ev in events]
            result["baseline"] += len(events)
            continue
        new = [ev for ev in events if ev["event_id"] not in sent[url]]
        for i in range(0, len(new), BATCH):
            chunk = new[i:i + BATCH]
            err = post_json(url, {"source": "tracker-287g", "events": [_jsonable(e) for e in chunk]}, **post)
            if err:
                result["errors"].append(err)  # reported once, by the caller (run summary, ledger, `tracker alerts`)
                break
            records += [(ev["event_id"], url, "sent") for ev in chunk]
            result["sent"] += len(chunk)
    if records:
        with writer(db) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.register("_sent", pa.table({"event_id": [r[0] for r in records], "url": [r[1] for r in records],
                                                 "outcome": [r[2] for r in records]}))
                con.execute("INSERT INTO alerts_sent SELECT event_id, url, now(), outcome FROM _sent ON CONFLICT DO NOTHING")
                con.unregister("_sent")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
    return result


def publish(db: Path | str, site: Path | str) -> dict:
    """Write the feeds and send webhooks; problems are returned as one-line errors, never raised."""
    out: dict = {"errors": []}
    try:
        out["feeds"] = write_feeds(db, site)
    except Exception as exc:  # a feed problem must not fail the run's load
        out["errors"].append(f"feeds: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    try:
        hooks = send_webhooks(db)
        out["webhooks"] = hooks
        out["errors"] += [f"webhook {e}" for e in hooks["errors"]]
    except Exception as exc:
        out["errors"].append(f"webhooks: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return out
