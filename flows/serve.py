"""Scheduled runs: `tracker serve` serves one Prefect deployment per source family.

`serve()` runs in the foreground and starts flow runs on schedule in this process. It works with
Prefect's ephemeral API (nothing else to start) or against a standalone server when PREFECT_API_URL
points at one (`prefect server start`); see docs/operations.md for both.

Cadences (cron, UTC): ICE lists every 6 hours (ICE overwrites them several times a week), news
daily, sanctuary lists weekly (they change a few times a year). Scheduled ICE runs wait for the run
lock instead of failing when another run (a manual `tracker run`, a family flow) holds it.
"""

from __future__ import annotations

import signal

from prefect import serve

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
        serve(*deployments(ice_cron=ice_cron, live=live, news_cron=news_cron, sanctuary_cron=sanctuary_cron))
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
