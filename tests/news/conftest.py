"""Helpers for the news tests: fake responses built from saved files (no network, no reactor)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse

NEWS_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "news"
RESPONSES = NEWS_FIXTURES / "responses"
SAMPLE_NEWS = Path(__file__).resolve().parents[2] / "sample" / "news"


def fake_response(url: str, path: Path, *, kind: str = "html", cb_kwargs: dict | None = None):
    """A response for `url` with the saved body of `path`, attached to a Request."""
    body = path.read_bytes()
    request = Request(url, cb_kwargs=cb_kwargs or {})
    cls = {"html": HtmlResponse, "xml": XmlResponse, "text": TextResponse}[kind]
    return cls(url=url, body=body, request=request, encoding="utf-8", status=200,
               headers={"Content-Type": {"html": "text/html", "xml": "application/rss+xml",
                                         "text": "application/json"}[kind]})


@pytest.fixture
def responses_dir() -> Path:
    return RESPONSES
