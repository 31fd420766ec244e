"""Scrapy settings shared by every spider: polite by default, bounded, reproducible.

Live crawls obey robots.txt, identify themselves, throttle themselves and retry transient errors.
Set TRACKER_REPLAY_DIR to replay recorded responses from Scrapy's HTTP cache instead of the network
(`tracker run` does this unless `--live`).
"""

from __future__ import annotations

import os

BOT_NAME = "tracker287g"
SPIDER_MODULES = ["spiders.sources"]
NEWSPIDER_MODULE = "spiders.sources"

USER_AGENT = os.environ.get(
    "TRACKER_USER_AGENT",
    "tracker-287g/0.1 (+https://github.com/tracker-287g/tracker; public-interest research crawler)",
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
# Retries of a failed download (TRACKER_CRAWL_RETRIES=0 fails at once: a run known to be offline).
RETRY_TIMES = int(os.environ.get("TRACKER_CRAWL_RETRIES", "3"))
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 opens a localhost HTTP control port per crawl by default; our crawls need no remote control.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = os.environ.get("TRACKER_SCRAPY_LOG_LEVEL", "INFO")
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

ITEM_PIPELINES = {"spiders.pipelines.ArchivePipeline": 500}
# Final stats as JSON for the process that started the crawl (flows/crawl.py); off unless a path is set.
EXTENSIONS = {"spiders.extensions.StatsDump": 900}
# Final download failures of every spider, for the same one-line error (just inside RetryMiddleware, 550).
DOWNLOADER_MIDDLEWARES = {"spiders.extensions.FailedDownloads": 540}

TRACKER_RAW_DIR = os.environ.get("TRACKER_RAW_DIR", "")
TRACKER_STATS_PATH = os.environ.get("TRACKER_STATS_PATH", "")

# Replay: recorded responses in Scrapy's HTTP cache, no network at all.
_replay = os.environ.get("TRACKER_REPLAY_DIR")
if _replay:
    HTTPCACHE_ENABLED = True
    # Absolute: Scrapy resolves a relative HTTPCACHE_DIR inside the project's .scrapy/ directory.
    HTTPCACHE_DIR = os.path.abspath(_replay)
    HTTPCACHE_EXPIRATION_SECS = 0
    HTTPCACHE_IGNORE_MISSING = True
    HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.FilesystemCacheStorage"
    HTTPCACHE_POLICY = "scrapy.extensions.httpcache.DummyPolicy"
    AUTOTHROTTLE_ENABLED = False
    DOWNLOAD_DELAY = 0
    RETRY_ENABLED = False
