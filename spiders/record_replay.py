"""Write the recorded crawl under `sample/replay/` that offline runs replay (TRACKER_REPLAY_DIR).

Run from the repository root:  python -m spiders.record_replay [--out sample/replay]

The output is Scrapy's own FilesystemCacheStorage layout (`<out>/ice_287g/<fp[:2]>/<fingerprint>/…`),
written by Scrapy's `store_response` with the project's request fingerprinter, so a replayed crawl
finds exactly these entries. It holds four responses:

- `https://www.ice.gov/robots.txt`: a permissive robots file (reconstructed);
- `https://www.ice.gov/identify-and-arrest/287g`: the 287(g) page. **The HTML is a reconstruction**
  shaped like the real page (title, prose, a list of links whose text reads "Participating Agencies
  (updated …)" and "Pending Agencies"), not a capture of it;
- the two workbooks it links. **Their bodies are real ICE files**, copied byte for byte from
  `sample/ice_287g/participating/participatingAgencies05182026am.xlsx` and
  `sample/ice_287g/pending/pendingAgencies02272026am.xlsx`.

Every recorded response carries the header `X-Tracker-Replay: recorded by spiders.record_replay`, and
entry timestamps are fixed, so re-recording without changes leaves the files byte-identical.
"""

from __future__ import annotations

import argparse
import pickle
import shutil
from pathlib import Path

from scrapy import Request
from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.test import get_crawler

from flows.config import PROJECT_ROOT, SAMPLE_DIR
from spiders import settings as project_settings
from spiders.sources.ice_287g import PAGE_URL, Ice287gSpider

DEFAULT_OUT = SAMPLE_DIR / "replay"
RECORDED_AT = 1779148800.0  # 2026-05-19T00:00:00Z, the day after the newest bundled workbook
REPLAY_HEADER = {"X-Tracker-Replay": "recorded by spiders.record_replay"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DOCLIB = "https://www.ice.gov/doclib/about/offices/ero/287g/"
WORKBOOKS = {
    DOCLIB + "participatingAgencies05182026am.xlsx": SAMPLE_DIR
    / "ice_287g/participating/participatingAgencies05182026am.xlsx",
    DOCLIB + "pendingAgencies02272026am.xlsx": SAMPLE_DIR / "ice_287g/pending/pendingAgencies02272026am.xlsx",
}

ROBOTS_TXT = b"""# Reconstructed for the offline replay; not a capture of ice.gov's robots.txt.
User-agent: *
Disallow: /user/
Disallow: /search/
"""

PAGE_HTML = """<!DOCTYPE html>
<!-- RECONSTRUCTION for the tracker's offline replay (spiders/record_replay.py). This HTML is NOT a
     capture of ice.gov: it is shaped like the real 287(g) page (title, prose, a list of workbook
     links). The two workbooks it links ARE real ICE files, bundled under sample/ice_287g/. -->
<html lang="en">
<head>
<meta charset="utf-8">
<title>Delegation of Immigration Authority Section 287(g) Immigration and Nationality Act | ICE</title>
</head>
<body>
<main id="main-content">
<h1>Delegation of Immigration Authority Section 287(g) Immigration and Nationality Act</h1>
<p>The 287(g) program enables state and local law enforcement entities to enter into a partnership
with ICE, under a joint Memorandum of Agreement (MOA), in order to receive delegated authority for
immigration enforcement within their jurisdictions.</p>
<h2>Participating and Pending Agencies</h2>
<p>ICE has signed 287(g) agreements with law enforcement agencies in many states. The lists below
are updated regularly.</p>
<ul>
  <li><a href="https://www.ice.gov/doclib/about/offices/ero/287g/participatingAgencies05182026am.xlsx">Participating Agencies (updated May 18, 2026)</a> (Excel)</li>
  <li><a href="https://www.ice.gov/doclib/about/offices/ero/287g/pendingAgencies02272026am.xlsx">Pending Agencies</a> (Excel)</li>
</ul>
<h2>Models</h2>
<ul>
  <li><a href="/identify-and-arrest/287g#jem">Jail Enforcement Model</a></li>
  <li><a href="/identify-and-arrest/287g#tfm">Task Force Model</a></li>
  <li><a href="/identify-and-arrest/287g#wso">Warrant Service Officer</a></li>
</ul>
</main>
</body>
</html>
"""


def page_html() -> str:
    """The reconstructed 287(g) page the replay serves."""
    return PAGE_HTML


def _responses() -> list[tuple[Request, Response]]:
    robots = Request("https://www.ice.gov/robots.txt")
    page = Request(PAGE_URL)
    pairs: list[tuple[Request, Response]] = [
        (
            robots,
            TextResponse(
                robots.url,
                status=200,
                body=ROBOTS_TXT,
                headers={"Content-Type": "text/plain; charset=utf-8", **REPLAY_HEADER},
                request=robots,
            ),
        ),
        (
            page,
            HtmlResponse(
                page.url,
                status=200,
                body=PAGE_HTML.encode("utf-8"),
                headers={"Content-Type": "text/html; charset=UTF-8", **REPLAY_HEADER},
                request=page,
            ),
        ),
    ]
    for url, path in WORKBOOKS.items():
        req = Request(url, headers={"Referer": PAGE_URL})
        body = path.read_bytes()
        headers = {
            "Content-Type": XLSX_TYPE,
            "Content-Length": str(len(body)),
            **REPLAY_HEADER,
        }
        pairs.append((req, Response(url, status=200, body=body, headers=headers, request=req)))
    return pairs


def record(out: Path = DEFAULT_OUT) -> list[Path]:
    """(Re)write the replay cache under `out`; returns the entry directories written."""
    # Only the project's own settings: get_crawler supplies the reactor settings a test crawler needs.
    project = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    crawler = get_crawler(Ice287gSpider, {**project, "HTTPCACHE_DIR": str(out.resolve())})
    spider = Ice287gSpider.from_crawler(crawler)
    storage = FilesystemCacheStorage(crawler.settings)
    storage.open_spider(spider)
    spider_dir = out / spider.name
    if spider_dir.exists():
        shutil.rmtree(spider_dir)  # a re-record replaces the whole recording, stale entries included
    written = []
    for request, response in _responses():
        storage.store_response(spider, request, response)
        entry = Path(storage._get_request_path(spider, request))
        _fix_timestamp(entry)
        written.append(entry)
    return written


def _fix_timestamp(entry: Path) -> None:
    """Pin the entry's timestamp so that re-recording the same responses changes no byte."""
    meta = pickle.loads((entry / "pickled_meta").read_bytes())  # noqa: S301 - our own file
    meta["timestamp"] = RECORDED_AT
    (entry / "pickled_meta").write_bytes(pickle.dumps(meta, protocol=4))
    (entry / "meta").write_bytes(repr(meta).encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    """Command line: write the replay cache and list what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="cache directory (default sample/replay)"
    )
    args = parser.parse_args(argv)
    for entry in record(args.out):
        print(entry.relative_to(PROJECT_ROOT) if entry.is_relative_to(PROJECT_ROOT) else entry)


if __name__ == "__main__":
    main()
