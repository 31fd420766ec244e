"""Scheduled runs: `tracker serve` serves one Prefect deployment per source family.

`serve()` runs in the foreground and starts flow runs on schedule in this process. It works with
Prefect's ephemeral API (nothing else to start) or against a standalone server when PREFECT_API_URL
points at one (`prefect server start`). Cadences: ICE lists every 6 hours by default.
"""

from __future__ import annotations

from prefect import serve

from flows.pipeline import pipeline


def deployments(ice_cron: str = "0 */6 * * *", live: bool = True) -> list:
    """The deployments `tracker serve` serves."""
    return [
        pipeline.to_deployment(
            name="ice-lists",
            cron=ice_cron,
            parameters={"live": live, "include_sample": False},
            description="Crawl ICE's 287(g) page and workbooks, load the warehouse, rebuild the dashboards.",
            tags=["ice", "287g"],
        ),
    ]


def serve_all(ice_cron: str = "0 */6 * * *", live: bool = True) -> None:
    """Serve every deployment until interrupted."""
    serve(*deployments(ice_cron=ice_cron, live=live))
