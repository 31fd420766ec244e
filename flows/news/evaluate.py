"""Measure the event classifier on a labelled CSV of sentences (columns: sentence, event_kind).

`evaluate(path)` returns per-class precision, recall and support; `main()` prints the table that
`make bench` shows. The default set is tests/fixtures/news/labelled_sentences.csv.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from flows.config import PROJECT_ROOT
from flows.news.classify import EVENT_KINDS, classify_text

DEFAULT_SET = PROJECT_ROOT / "tests" / "fixtures" / "news" / "labelled_sentences.csv"


def predictions(path: Path | str = DEFAULT_SET) -> list[tuple[str, str, str]]:
    """(sentence, gold kind, predicted kind) for every row of a labelled CSV."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"sentence", "event_kind"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: a labelled set needs the column(s) {', '.join(sorted(missing))}")
        rows = list(reader)
    if not rows:
        raise ValueError(f"{path}: no labelled rows")
    return [(r["sentence"], r["event_kind"], classify_text(r["sentence"]).event_kind) for r in rows]


def evaluate(path: Path | str = DEFAULT_SET) -> dict[str, dict[str, float]]:
    """Per-class precision, recall and support (plus 'accuracy' under key '_overall')."""
    preds = predictions(path)
    out: dict[str, dict[str, float]] = {}
    for kind in EVENT_KINDS:
        tp = sum(1 for _, g, p in preds if g == kind and p == kind)
        fp = sum(1 for _, g, p in preds if g != kind and p == kind)
        fn = sum(1 for _, g, p in preds if g == kind and p != kind)
        out[kind] = {
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "support": float(tp + fn),
            "predicted": float(tp + fp),
        }
    correct = sum(1 for _, g, p in preds if g == p)
    out["_overall"] = {"accuracy": correct / len(preds) if preds else 0.0, "support": float(len(preds))}
    return out


def main(argv: list[str] | None = None) -> int:
    """Print precision and recall per event kind for a labelled set (default: the committed one)."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_SET
    result = evaluate(path)
    print(f"news event classifier on {path.name}")
    print(f"{'event_kind':<28}{'precision':>10}{'recall':>8}{'support':>9}{'predicted':>11}")
    for kind in EVENT_KINDS:
        r = result[kind]
        print(f"{kind:<28}{r['precision']:>10.2f}{r['recall']:>8.2f}{int(r['support']):>9}{int(r['predicted']):>11}")
    o = result["_overall"]
    print(f"{'accuracy':<28}{o['accuracy']:>10.2f}{'':>8}{int(o['support']):>9}")
    if "-v" in args or "--errors" in args:
        for s, g, p in predictions(path):
            if g != p:
                print(f"  gold={g:<26} pred={p:<26} {s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
