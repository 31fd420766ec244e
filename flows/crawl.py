"""Run one Scrapy spider in a subprocess and report what it fetched and what went wrong.

`run_spider` starts `python -m scrapy crawl NAME -O FEED:jsonlines` from the project root (never an
in-process CrawlerProcess: the Twisted reactor cannot restart), replaying the recorded HTTP cache
(`sample/replay/` or `replay_dir`) unless `live`. Bodies go to the raw archive under `raw_root`
(TRACKER_RAW_DIR); the feed lists them; the spider's final stats arrive as JSON through
`spiders.extensions.StatsDump` (TRACKER_STATS_PATH, written next to the feed as `<feed>.stats.json`,
with the crawl log as `<feed>.log`).

Guarantee: a crawl that went wrong never looks like a success. `CrawlResult.error` is a one-line
reason, and `ok` is false, when the process exits non-zero, times out, dies before writing its
stats, scrapes no item (unless the caller says an empty crawl is normal: news with nothing new),
finds a page without the links it expects (`tracker/missing_links`), or any download fails for good
or is refused (`tracker/failed_urls`, dropped items, logged errors). Scrapy's own log never reaches
the caller's terminal: it is in the log file the error names.
The crawl runs in a session of its own; if the caller is interrupted while it waits (Ctrl-C, a
cancelled task), the crawl's whole process group is stopped (SIGTERM, then SIGKILL after
`STOP_GRACE` seconds) before the interruption goes on, so no crawl outlives the run that started it.
No Prefect here: the caller wraps this in a task.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.config import PROJECT_ROOT, SAMPLE_DIR, feeds_dir
from spiders.extensions import FAILED_URLS, MISSING_LINKS

DEFAULT_REPLAY_DIR = SAMPLE_DIR / "replay"
STOP_GRACE = 5.0  # seconds an interrupted crawl has to stop on SIGTERM before it is killed
log = logging.getLogger(__name__)
_LOG_TAIL_LINES = 40


@dataclass
class CrawlResult:
    """What one crawl produced: feed items, the stats that matter, and a one-line error if it failed."""

    spider: str
    returncode: int | None
    items: list[dict[str, Any]]
    feed_path: Path
    stats_path: Path
    log_path: Path
    stats: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def items_scraped(self) -> int:
        return int(self.stats.get("item_scraped_count", 0))

    @property
    def items_dropped(self) -> int:
        return int(self.stats.get("item_dropped_count", 0))

    @property
    def responses_by_status(self) -> dict[int, int]:
        """Downloaded responses counted by HTTP status (retried attempts included)."""
        prefix = "downloader/response_status_count/"
        return {int(k[len(prefix) :]): int(v) for k, v in self.stats.items() if k.startswith(prefix)}

    @property
    def retries(self) -> int:
        return int(self.stats.get("retry/count", 0))

    @property
    def retries_given_up(self) -> int:
        return int(self.stats.get("retry/max_reached", 0))

    @property
    def download_exceptions(self) -> dict[str, int]:
        """Download exceptions (timeouts, dropped connections …) counted by type."""
        prefix = "downloader/exception_type_count/"
        return {k[len(prefix) :]: int(v) for k, v in self.stats.items() if k.startswith(prefix)}

    @property
    def errors_logged(self) -> int:
        return int(self.stats.get("log_count/ERROR", 0)) + int(self.stats.get("log_count/CRITICAL", 0))

    @property
    def finish_reason(self) -> str:
        return str(self.stats.get("finish_reason", ""))

    @property
    def failed_urls(self) -> list[str]:
        """'URL (reason)' for every download that failed for good or whose body was refused."""
        return list(self.stats.get(FAILED_URLS, []))

    @property
    def missing_links(self) -> list[str]:
        return list(self.stats.get(MISSING_LINKS, []))


def _setting_arg(value: Any) -> str:
    """A settings value as `scrapy -s` understands it (lists comma-joined, dicts as JSON)."""
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _read_feed(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            items.append(json.loads(line))
    return items


def _log_tail(path: Path) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-_LOG_TAIL_LINES:])


def _is_error(line: str) -> bool:
    """Whether a Scrapy log line was logged at ERROR or CRITICAL level."""
    return " ERROR: " in line or " CRITICAL: " in line


def _last_error_line(log: str) -> str:
    """The last logged ERROR/CRITICAL line, else the log's last line (a traceback's exception)."""
    lines = [" ".join(line.split()) for line in log.splitlines() if line.strip()]
    for line in reversed(lines):
        if _is_error(line):
            return line[:300]
    return lines[-1][:300] if lines else ""


def _last_logged_error(path: Path) -> str:
    """The last ERROR/CRITICAL line of a whole crawl log ('' if none): the final stats dump that ends
    the log is longer than its tail."""
    last = ""
    if path.exists():
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in filter(_is_error, fh):
                last = line
    return " ".join(last.split())[:300]


def stamped_feed(name: str, feed_dir: Path | None = None) -> Path:
    """A new feed path for one crawl of `name`: `<feed dir>/<name>-<UTC time>.jsonl` (the feeds
    directory of the data dir unless given), so every crawl keeps its own feed, stats and log."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(feed_dir or feeds_dir()) / f"{name}-{stamp}.jsonl"


def _diagnose(result: CrawlResult, timed_out: float | None, expect_items: bool = True) -> str:
    """The one-line reason a crawl failed, or '' when it did what it should."""
    name = result.spider
    if timed_out is not None:
        return f"{name}: timed out after {timed_out:g} s (killed); see {result.log_path}"
    problems: list[str] = []
    if result.returncode != 0:
        last = _last_error_line(_log_tail(result.log_path))
        problems.append(f"scrapy exited with code {result.returncode}" + (f": {last}" if last else ""))
    if not result.stats:
        problems.append("no final stats written (crashed before the spider closed?)")
    if result.missing_links:
        problems.append(f"expected links missing from the page: {', '.join(result.missing_links)}")
    failed = result.failed_urls
    if failed:
        problems.append(f"{len(failed)} download(s) failed: {'; '.join(failed)}")
    if result.items_dropped:
        problems.append(f"{result.items_dropped} item(s) dropped by the pipeline")
    if expect_items and result.stats and not result.items:
        problems.append(f"no items scraped (finish_reason={result.finish_reason or '?'})")
    if not problems and result.errors_logged:
        last = _last_logged_error(result.log_path)
        problems.append(f"{result.errors_logged} error(s) logged" + (f", the last: {last}" if last else "")
                        + f"; see {result.log_path}")
    if result.finish_reason and result.finish_reason != "finished" and not problems:
        problems.append(f"finish_reason={result.finish_reason}")
    return f"{name}: " + "; ".join(problems) if problems else ""


def _stop_group(proc: subprocess.Popen, *, grace: float) -> int:
    """Stop a crawl's process group: SIGTERM (Scrapy closes its spider), then SIGKILL for whatever is
    still there after `grace` seconds. Returns the crawl's exit code."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # also anything the crawl started that outlived it
    return proc.wait()


def run_spider(
    name: str,
    *,
    live: bool,
    raw_root: Path,
    feed_path: Path,
    replay_dir: Path | None = None,
    extra_settings: dict[str, Any] | None = None,
    spider_args: dict[str, str] | None = None,
    timeout: float = 600,
    expect_items: bool = True,
) -> CrawlResult:
    """Crawl `name` in a subprocess (replaying the recorded cache unless `live`) and report on it.

    `expect_items=False` for spiders that may rightly find nothing new (news): an empty crawl is
    then not an error, while failed downloads and logged errors still are."""
    feed_path = Path(feed_path).resolve()
    raw_root = Path(raw_root).resolve()
    feed_path.parent.mkdir(parents=True, exist_ok=True)
    stats_path = feed_path.with_name(feed_path.name + ".stats.json")
    log_path = feed_path.with_name(feed_path.name + ".log")
    for stale in (feed_path, stats_path):
        stale.unlink(missing_ok=True)  # never read a previous run's output as this run's

    env = dict(os.environ)
    env["TRACKER_RAW_DIR"] = str(raw_root)
    env.pop("SCRAPY_SETTINGS_MODULE", None)  # scrapy.cfg in the project root decides
    if live:
        env.pop("TRACKER_REPLAY_DIR", None)
    else:
        env["TRACKER_REPLAY_DIR"] = str(Path(replay_dir or DEFAULT_REPLAY_DIR).resolve())

    cmd = [sys.executable, "-m", "scrapy", "crawl", name, "-O", f"{feed_path}:jsonlines"]
    cmd += ["-s", f"TRACKER_STATS_PATH={stats_path}"]
    for key, value in (extra_settings or {}).items():
        cmd += ["-s", f"{key}={_setting_arg(value)}"]
    for key, value in (spider_args or {}).items():
        cmd += ["-a", f"{key}={value}"]

    timed_out = None
    with log_path.open("wb") as log:
        # A session of its own, so a timeout or an interruption stops the crawl and anything it started
        # (and Ctrl-C in the terminal reaches only this process, which then stops the crawl itself).
        proc = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = timeout
            returncode = _stop_group(proc, grace=0)
        except BaseException:  # Ctrl-C, a cancelled task: never leave the crawl running on its own
            _stop_group(proc, grace=STOP_GRACE)
            raise

    stats: dict[str, Any] = {}
    if stats_path.exists():
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
    result = CrawlResult(
        spider=name,
        returncode=returncode,
        items=_read_feed(feed_path),
        feed_path=feed_path,
        stats_path=stats_path,
        log_path=log_path,
        stats=stats,
    )
    result.error = _diagnose(result, timed_out, expect_items)
    return result


def crawl_each(names: list[str] | tuple[str, ...], raw_root: Path, *, expect_items: bool = True) -> dict[str, str]:
    """Crawl each spider live, one after another (`run_spider`, a stamped feed each): 'ok' or its
    one-line error, by spider, each failure logged when it happens. For the source families whose
    load goes on with what is archived."""
    outcome = {}
    for name in names:
        result = run_spider(name, live=True, raw_root=Path(raw_root), feed_path=stamped_feed(name),
                            expect_items=expect_items)
        outcome[name] = "ok" if result.ok else result.error
        if not result.ok:  # as it happens: a family's crawls can take minutes
            log.error("crawl failed: %s", result.error)
    return outcome


def crawl_errors(outcome: dict[str, str]) -> list[str]:
    """The summary lines of the crawls in `crawl_each`'s outcome that failed."""
    return [f"crawl failed: {reason}; loading what is archived" for reason in outcome.values() if reason != "ok"]
