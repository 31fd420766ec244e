"""Scheduled runs: `tracker serve` serves one Prefect deployment per source family.

`serve()` runs in the foreground and starts flow runs on schedule in this process. Runs are put on
the schedule by a Prefect server's scheduler service, which Prefect's ephemeral API does not run
("Cannot schedule flows on an ephemeral server"): with no PREFECT_API_URL configured, `tracker serve`
therefore starts its own `prefect server start` on a free loopback port (state in PREFECT_HOME, log in
`server.log` there), serves against it, and stops it when it stops. With PREFECT_API_URL pointing at
a standalone server, that server schedules the runs. See docs/operations.md for both.

Cadences (cron, UTC): ICE lists every 6 hours (ICE overwrites them several times a week), news
daily, sanctuary lists weekly (they change a few times a year). Scheduled ICE runs wait for the run
lock instead of failing when another run (a manual `tracker run`, a family flow) holds it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from prefect import serve
from prefect.settings import get_current_settings

from flows.families import news, sanctuary_lists
from flows.pipeline import pipeline

ICE_CRON = "0 */6 * * *"
NEWS_CRON = "30 5 * * *"
SANCTUARY_CRON = "0 7 * * 1"


def deployments(ice_cron: str = ICE_CRON, live: bool = True, news_cron: str = NEWS_CRON,
                sanctuary_cron: str = SANCTUARY_CRON) -> list:
    """The deployments `tracker serve` serves: one per source family."""
    return [
        pipeline.to_deployment(
            name="ice-lists",
            cron=ice_cron,
            parameters={"live": live, "include_sample": False, "wait_for_lock": True, "families": False},
            description="Crawl ICE's 287(g) page and workbooks, load the warehouse, rebuild the dashboards and feeds.",
            tags=["ice", "287g"],
        ),
        news.to_deployment(
            name="news",
            cron=news_cron,
            parameters={"live": live},
            description="Collect 287(g) news, classify events, load them; refresh the feeds.",
            tags=["news"],
        ),
        sanctuary_lists.to_deployment(
            name="sanctuary-lists",
            cron=sanctuary_cron,
            parameters={"live": live},
            description="Re-read the sanctuary jurisdiction lists and state laws; refresh the feeds.",
            tags=["sanctuary"],
        ),
    ]


def check_cron(cron: str) -> str:
    """The cron expression, or ValueError naming it when Prefect would not accept it."""
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron, timezone="UTC")
    except Exception:  # pydantic's ValidationError: one line is enough
        raise ValueError(f"--cron {cron!r} is not a cron expression (five fields, like '0 */6 * * *')") from None
    return cron


def serve_all(ice_cron: str = ICE_CRON, live: bool = True, news_cron: str = NEWS_CRON,
              sanctuary_cron: str = SANCTUARY_CRON) -> None:
    """Serve every deployment until interrupted, after saying what runs when."""
    for name, cron in (("ice-lists", check_cron(ice_cron)), ("news", check_cron(news_cron)),
                       ("sanctuary-lists", check_cron(sanctuary_cron))):
        print(f"schedule: {name} at '{cron}' (UTC), {'live' if live else 'replayed'}", flush=True)
    # A service manager stops us with SIGTERM: take the same way out as Ctrl-C, which Prefect's serve
    # handles (it stops polling and returns) instead of dying while its API connections are torn down.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with _scheduling_api():
            serve(*deployments(ice_cron=ice_cron, live=live, news_cron=news_cron, sanctuary_cron=sanctuary_cron))
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("stopped", flush=True)


class ServerError(RuntimeError):
    """The local Prefect server did not come up; the message is one line."""


@contextlib.contextmanager
def _scheduling_api() -> Iterator[None]:
    """A Prefect API whose scheduler puts runs on the schedule: the configured one, else a local server."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = get_current_settings().api.url
    if configured:
        print(f"prefect: serving against {configured}", flush=True)
        yield
        return
    with local_server() as url, temporary_settings(updates={PREFECT_API_URL: url}):
        previous = os.environ.get("PREFECT_API_URL")
        os.environ["PREFECT_API_URL"] = url  # the flow runs' own processes talk to the same server
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = previous


@contextlib.contextmanager
def local_server(timeout: float | None = None) -> Iterator[str]:
    """Run `prefect server start` (scheduler on, UI on) on a free loopback port until the block ends;
    yields its API URL. Raises ServerError when it exits or is not healthy within `timeout` seconds."""
    settings = get_current_settings()  # Prefect's own: PREFECT_HOME, its temporary server's start-up limit
    home = Path(settings.home).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "server.log"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    if timeout is None:  # the limit Prefect gives its own temporary server (flows.config sets 120 s)
        timeout = float(settings.server.ephemeral.startup_timeout_seconds)
    print(f"prefect: starting a local server with its scheduler at {url.removesuffix('/api')} "
          f"(log: {log_path}; up to {timeout:.0f} s)", flush=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port),
             "--scheduler", "--analytics-off"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_healthy(url, proc, timeout, log_path)
        yield url
    finally:
        _stop(proc)


def _wait_until_healthy(url: str, proc: subprocess.Popen, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"the local Prefect server exited with status {proc.returncode} (see {log_path})")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        time.sleep(0.5)
    raise ServerError(f"the local Prefect server did not answer within {timeout:.0f} s (see {log_path}; "
                      "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS sets the limit)")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and whatever it started (its process group): SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
