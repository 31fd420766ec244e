"""Atom feeds escape source text and stay valid; webhooks deliver each new event once, with retries."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import threading
import xml.etree.ElementTree as ET
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flows.alerts import send_webhooks, write_feeds
from tests.ops.conftest import rows_for, write_list
from warehouse.db import reader
from warehouse.load import load_paths

A = "{http://www.w3.org/2005/Atom}"
EVIL = "Sheriff <script>alert('x')</script> & \"Co\" ]]> \x07bell"


def _load(data, *lists):
    db = data / "warehouse.duckdb"
    for as_of, rows in lists:
        load_paths(db, [write_list(data / f"in-{as_of}", as_of, rows)])
    return db


def test_feeds_escape_script_and_drop_unsafe_links(data):
    rows = rows_for(5)
    rows[0] = ("FLORIDA", EVIL, "County", "Evil County", "Task Force Model", "2025-01-10", "link")
    db = _load(data, (date(2025, 3, 3), rows))
    site = data / "site"
    result = write_feeds(db, site)
    assert result["all"] > 0 and result["states"] >= 1
    body = (site / "feeds" / "all.atom").read_bytes()
    assert b"<script" not in body and b"\x07" not in body
    feed = ET.fromstring(body)  # well-formed despite the hostile text
    titles = [e.findtext(f"{A}title") for e in feed.iter(f"{A}entry")]
    assert any("<script>alert('x')</script> & \"Co\" ]]>" in t for t in titles)  # text survives, escaped
    florida = ET.fromstring((site / "feeds" / "FL.atom").read_bytes())
    assert all(e.findtext(f"{A}id").startswith("urn:tracker-287g:event:") for e in florida.iter(f"{A}entry"))
    assert len({e.findtext(f"{A}id") for e in feed.iter(f"{A}entry")}) == len(titles)


def test_feed_build_never_writes_raw_markup_or_javascript_links():
    from flows.alerts import build_feed

    events = [{"event_id": "1", "kind": "agreement", "event": "listed", "state": "FL", "happened_on": date(2025, 1, 1),
               "title": "<b onmouseover=x>hi</b>", "detail": "a\x00b", "link": "javascript:alert(1)"},
              {"event_id": "2", "kind": "agreement", "event": "listed", "state": "../../etc", "happened_on": date(2025, 1, 1),
               "title": "ok", "detail": None, "link": "https://www.ice.gov/doclib/287gMOA/a.pdf"}]
    body = build_feed(events, feed_id="urn:x", title="t", self_href="all.atom")
    assert b"<b onmouseover" not in body and b"javascript:" not in body and b"\x00" not in body
    links = [e.get("href") for e in ET.fromstring(body).iter(f"{A}link")]
    assert "https://www.ice.gov/doclib/287gMOA/a.pdf" in links


def test_state_feed_names_are_never_paths(data, monkeypatch):
    import flows.alerts as alerts

    db = _load(data, (date(2025, 3, 3), rows_for(3)))
    real = alerts.read_events
    monkeypatch.setattr(alerts, "read_events", lambda db, **kw: [
        {**real(db)[0], "state": "../../pwned"}, *real(db)])
    write_feeds(db, data / "site")
    assert not (data / "pwned.atom").exists()
    names = sorted(p.name for p in (data / "site" / "feeds").iterdir())
    assert "all.atom" in names and all(len(n) == len("FL.atom") for n in names if n != "all.atom")
    assert not list(data.rglob("*pwned*"))


class _Receiver:
    """A loopback webhook receiver in a thread: `answer(body)` gives each POST's status; `url`, `close()`."""

    def __init__(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                status = receiver.answer(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, body: bytes) -> int:
        raise NotImplementedError

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Hook(_Receiver):
    """Answers with the scripted statuses in turn, records the JSON bodies it accepted."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.bodies: list[dict] = []
        super().__init__()

    def answer(self, body: bytes) -> int:
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if status == 200:
            self.bodies.append(json.loads(body))
        return status


@pytest.fixture
def hook():
    made = []

    def make(*statuses):
        made.append(Hook(statuses or (200,)))
        return made[-1]

    yield make
    for h in made:
        h.close()


def test_webhook_gets_each_new_event_once(data, hook, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    receiver = hook(200)
    db = _load(data, (date(2025, 3, 3), rows_for(10)))
    monkeypatch.setenv("TRACKER_WEBHOOKS", receiver.url)
    first = send_webhooks(db)
    assert first["baseline"] > 0 and first["sent"] == 0 and receiver.bodies == []  # no history replay
    _load(data, (date(2025, 3, 10), rows_for(12)))  # two agreements listed
    second = send_webhooks(db)
    assert second["sent"] == 2 and not second["errors"]
    events = receiver.bodies[0]["events"]
    assert {e["event"] for e in events} == {"listed"} and all(e["id"] and e["title"] for e in events)
    assert send_webhooks(db)["sent"] == 0  # sent once
    assert len(receiver.bodies) == 1


def test_webhook_retries_with_backoff_then_delivers(data, hook, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(var, raising=False)
    receiver = hook(500, 503, 200)
    db = _load(data, (date(2025, 3, 3), rows_for(10)))
    send_webhooks(db, [receiver.url])
    _load(data, (date(2025, 3, 10), rows_for(11)))
    result = send_webhooks(db, [receiver.url], retries=3, backoff=0.01)
    assert result["sent"] == 1 and not result["errors"]
    assert len(receiver.bodies) == 1


def test_a_failing_webhook_never_fails_and_is_retried_next_run(data, hook, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(var, raising=False)
    receiver = hook(500)
    dead = "http://127.0.0.1:9/hook"  # nothing listens on the discard port
    db = _load(data, (date(2025, 3, 3), rows_for(10)))
    send_webhooks(db, [receiver.url, dead])
    _load(data, (date(2025, 3, 10), rows_for(11)))
    result = send_webhooks(db, [receiver.url, dead], retries=2, backoff=0.01)
    assert result["sent"] == 0 and len(result["errors"]) == 2
    assert any("HTTP 500" in e for e in result["errors"])
    receiver.statuses = [200]
    assert send_webhooks(db, [receiver.url], retries=0)["sent"] == 1  # remembered as not delivered


def test_publish_reports_webhook_problems_instead_of_raising(data, monkeypatch):
    from flows.alerts import publish

    db = _load(data, (date(2025, 3, 3), rows_for(3)))
    (data / "hooks.txt").write_text("# comment\nftp://nope\nhttp://127.0.0.1:9/x\n")
    monkeypatch.setenv("TRACKER_WEBHOOKS_FILE", str(data / "hooks.txt"))
    out = publish(db, data / "site")
    assert out["feeds"]["all"] > 0 and out["webhooks"]["urls"] == 1


class Trickle:
    """A loopback receiver that answers one byte at a time, a fifth of a second apart (each read is quick,
    the answer never complete), for at most `seconds`."""

    def __init__(self, seconds: float = 10.0):
        self.done = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/hook"
        self.seconds = seconds
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        with contextlib.suppress(OSError):
            while not self.done.is_set():
                conn, _ = self.server.accept()
                threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn):
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            for _ in range(int(self.seconds / 0.2)):
                conn.sendall(b"H")
                if self.done.wait(0.2):
                    break

    def close(self):
        self.done.set()
        self.server.close()


def test_a_receiver_that_trickles_its_answer_cannot_hold_the_delivery(data, hook, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    slow, good = Trickle(), hook(200)
    try:
        db = _load(data, (date(2025, 3, 3), rows_for(10)))
        first_events = send_webhooks(db, [slow.url, good.url])["baseline"] // 2
        _load(data, (date(2025, 3, 10), rows_for(11)))
        result = send_webhooks(db, [slow.url, good.url], retries=1, backoff=0.01, deadline=1.0)
    finally:
        slow.close()
    assert result["errors"] == [f"{slow.url}: no complete answer within 1 s; gave up"]
    assert result["sent"] == 1 and len(good.bodies) == 1  # the other receiver still got its event
    with reader(db) as con:  # not recorded as delivered to the slow one: it is tried again next run
        assert con.execute("SELECT outcome, count(*) FROM alerts_sent WHERE url = ? GROUP BY 1",
                           [slow.url]).fetchall() == [("baseline", first_events)]


class HeldHook(_Receiver):
    """A loopback receiver that holds the first POST until `release` is set (later ones are answered at
    once), and records every body it gets."""

    def __init__(self):
        self.first_arrived, self.release = threading.Event(), threading.Event()
        self.bodies: list[dict] = []
        super().__init__()

    def answer(self, body: bytes) -> int:
        self.bodies.append(json.loads(body))
        if len(self.bodies) == 1:
            self.first_arrived.set()
            self.release.wait(60)
        return 200

    def close(self):
        self.release.set()
        super().close()


def test_two_alerts_at_once_never_post_the_same_events_twice(data, monkeypatch):
    """Each `tracker alerts` read what was sent, POSTed, then recorded: two at once sent everything twice."""
    from tests.ops.conftest import PY, REPO, env_for

    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    receiver = HeldHook()
    db = _load(data, (date(2025, 3, 3), rows_for(10)))
    send_webhooks(db, [receiver.url])  # baseline
    _load(data, (date(2025, 3, 10), rows_for(12)))
    cmd = [PY, "-m", "flows.cli", "alerts", "--db", str(db), "--site", str(data / "site")]
    env = env_for(data, TRACKER_WEBHOOKS=receiver.url)
    first = subprocess.Popen(cmd, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert receiver.first_arrived.wait(60)  # the first delivery is in its POST
        second = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
        lines = [ln for ln in second.stderr.splitlines() if ln.strip()]
        assert second.returncode == 75 and len(lines) == 1, second.stderr
        assert lines[0].startswith("error another run is in progress") and lines[0].endswith("or pass --wait")
        waiting = subprocess.Popen([*cmd, "--wait"], cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    finally:
        receiver.release.set()
    assert first.wait(60) == 0, first.stderr.read()
    assert waiting.wait(60) == 0, waiting.stderr.read()  # waited its turn, then found nothing new to send
    receiver.close()
    assert len(receiver.bodies) == 1 and len(receiver.bodies[0]["events"]) == 2


def test_a_failed_webhook_is_reported_once(data, hook):
    """It was printed twice: a logged warning, then the command's error line."""
    from tests.ops.conftest import PY, REPO, env_for

    refusing = hook(400)  # refused for good: no retries to wait for
    db = _load(data, (date(2025, 3, 3), rows_for(10)))
    send_webhooks(db, [refusing.url])  # baseline
    _load(data, (date(2025, 3, 10), rows_for(11)))
    res = subprocess.run([PY, "-m", "flows.cli", "alerts", "--db", str(db), "--site", str(data / "site")], cwd=REPO,
                         env=env_for(data, TRACKER_WEBHOOKS=refusing.url), capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert res.stderr.count(refusing.url) == 1, res.stderr
    assert f"error webhook {refusing.url}: HTTP 400" in res.stderr


def test_alerts_on_a_warehouse_it_cannot_read_is_one_error_line_and_no_summary(data, hook, monkeypatch):
    """It printed `feeds: 0 events in all.atom …` before the error, as if it had worked."""
    from typer.testing import CliRunner

    from flows.cli import app

    bad = data / "bad.duckdb"
    bad.write_bytes(b"not a DuckDB file at all" * 100)
    monkeypatch.setenv("TRACKER_WEBHOOKS", hook(200).url)
    result = CliRunner().invoke(app, ["alerts", "--db", str(bad), "--site", str(data / "site")])
    assert result.exit_code == 1
    [line] = [ln for ln in result.output.splitlines() if ln.strip()]
    assert line.startswith("error warehouse I/O error") and str(bad) in line, result.output
