"""A scripted HTTP server on 127.0.0.1 for real subprocess crawls: each path plays a list of behaviours.

A route is a list of actions, consumed one per request; the last one repeats. Actions:
`("ok", body, content_type)`, `("ok_unsized", body, content_type)` (no Content-Length, body until
close), `("status", code)`, `("sleep", seconds)` (answers nothing until the client gave up),
`("drop",)` (closes the connection without a response), `("redirect", location)` (302). Unknown paths
get 404.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class ScriptedServer:
    """The routes, a log of requested paths, and the base URL once started."""

    def __init__(self):
        self.routes: dict[str, list[tuple]] = {}
        self.hits: list[str] = []
        self.lock = threading.Lock()
        self.base = ""

    def route(self, path: str, *actions: tuple) -> None:
        self.routes[path] = list(actions)

    def count(self, path: str) -> int:
        with self.lock:
            return self.hits.count(path)

    def next_action(self, path: str) -> tuple | None:
        with self.lock:
            self.hits.append(path)
            actions = self.routes.get(path)
            if not actions:
                return None
            return actions.pop(0) if len(actions) > 1 else actions[0]


def _handler(script: ScriptedServer):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            action = script.next_action(self.path)
            if action is None:
                self._send(404, b"not found", "text/plain")
            elif action[0] == "ok":
                self._send(200, action[1], action[2])
            elif action[0] == "ok_unsized":
                self.send_response(200)
                self.send_header("Content-Type", action[2])
                self.end_headers()
                self.wfile.write(action[1])
                self.close_connection = True
            elif action[0] == "status":
                self._send(action[1], f"error {action[1]}".encode(), "text/plain")
            elif action[0] == "sleep":
                time.sleep(action[1])
                self.close_connection = True
            elif action[0] == "redirect":
                self.send_response(302)
                self.send_header("Location", action[1])
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif action[0] == "drop":
                self.close_connection = True  # no status line, no headers: the socket just closes
            else:
                raise AssertionError(f"unknown action {action!r}")

        def _send(self, status: int, body: bytes, ctype: str):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
            pass

    return Handler


@pytest.fixture
def loopback():
    """A started ScriptedServer on an ephemeral 127.0.0.1 port, stopped after the test."""
    script = ScriptedServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True  # a sleeping handler must not hold up shutdown
    server.block_on_close = False
    script.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield script
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """Loopback crawls must not be routed through a proxy from the environment."""
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
