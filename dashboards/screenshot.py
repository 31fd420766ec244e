"""Screenshots of the built site with Debian's headless Chromium (no browser download).

`python -m dashboards.screenshot [--site DIR] [--db FILE] [--out docs/img]` builds the site when asked
(`--db`), serves it on a loopback port, and saves `overview.png` and `map.png` (small PNGs for the README).
The helpers (`serve`, `browser`, `wait_for_charts`) are shared with the browser tests.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve a directory on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def browser(executable: Path = CHROMIUM):
    """Debian's Chromium driven by Playwright, with a fresh user-data dir; yields a browser context."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="tracker-chromium-")
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                profile, executable_path=str(executable), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1200, "height": 900})
            try:
                yield ctx
            finally:
                ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def wait_for_charts(page, timeout_ms: int = 20000) -> int:
    """Scroll every chart into view and wait until Plotly has drawn it; returns how many were drawn."""
    charts = page.locator(".chart[data-fig]")
    n = charts.count()
    for i in range(n):
        el = charts.nth(i)
        el.scroll_into_view_if_needed()
        el.locator(".main-svg").first.wait_for(state="attached", timeout=timeout_ms)
        page.wait_for_function("el => el.getAttribute('data-ready') === '1'", arg=el.element_handle(),
                               timeout=timeout_ms)
    page.evaluate("window.scrollTo(0, 0)")
    return n


def capture(site_dir: Path, out_dir: Path, width: int = 1100) -> list[Path]:
    """Save overview.png and map.png of a built site into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    with serve(site_dir) as base, browser() as ctx:
        page = ctx.new_page()
        page.set_viewport_size({"width": width, "height": 1500})
        for name, clip_h in (("index", 1500), ("map", 1250)):
            page.goto(base + f"{name}.html")
            wait_for_charts(page)
            target = out_dir / ("overview.png" if name == "index" else "map.png")
            page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": width, "height": clip_h})
            saved.append(target)
    return saved


def main(argv: list[str] | None = None) -> int:
    """Command line: build (optionally) and capture the README screenshots."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m dashboards.screenshot", description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, default=None, help="a built site (default: build one from --db)")
    ap.add_argument("--db", type=Path, default=None, help="warehouse to build the site from")
    ap.add_argument("--out", type=Path, default=Path("docs/img"))
    args = ap.parse_args(argv)
    site = args.site
    if site is None:
        from dashboards.site import build_site
        from flows.config import default_db

        site = Path(tempfile.mkdtemp(prefix="tracker-site-"))
        build_site(args.db or default_db(), site)
    for path in capture(site, args.out):
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
