"""Event classification: precision on the labelled set, tricky cases, and the `tracker classify` CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from flows.news.classify import EVENT_KINDS, classify_text
from flows.news.evaluate import DEFAULT_SET, evaluate
from tests.news.conftest import NEWS_FIXTURES


def test_labelled_set_is_big_and_uses_every_kind():
    import csv

    rows = list(csv.DictReader(DEFAULT_SET.open(encoding="utf-8")))
    assert len(rows) >= 80
    assert {r["event_kind"] for r in rows} == set(EVENT_KINDS)


@pytest.mark.parametrize("path", [DEFAULT_SET, NEWS_FIXTURES / "heldout_sentences.csv"])
def test_precision_signed_and_ended(path):
    result = evaluate(path)
    assert result["signed_or_joined"]["precision"] >= 0.9
    assert result["ended_or_withdrawn"]["precision"] >= 0.9
    assert result["_overall"]["accuracy"] >= 0.85


@pytest.mark.parametrize("text, kind", [
    ("The sheriff declined to comment on the agreement with ICE.", "other"),
    ("Smith County Commissioners Court approves 287(g) pact", "board_approved"),
    ("County Judge signs order on jail staffing under ICE agreement", "signed_or_joined"),
    ("The county will consider joining 287(g) next month.", "applied_or_considering"),
    ("Sheriff did not end the 287(g) agreement.", "other"),
    ("Sheriff joined by ICE officials at briefing on 287(g) training", "other"),
])
def test_tricky_sentences(text, kind):
    assert classify_text(text).event_kind == kind


def test_classify_cli_reads_stdin_and_prints_json_lines():
    lines = "Sheriff terminates jail's 287(g) agreement with ICE\n\nGovernor signs bill requiring sheriffs to join 287(g)\n"
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "classify"], input=lines, capture_output=True,
                          text=True, timeout=120, check=True)
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["event_kind"] for o in out] == ["ended_or_withdrawn", "state_law"]
    for o in out:
        assert set(o) == {"text", "event_kind", "confidence", "span"}
        assert 0 < o["confidence"] <= 1 and o["span"] in o["text"]
