"""Collapse duplicate articles: the same canonical URL, and syndicated copies of one story.

Syndicated copies (a wire story on three local sites, a press release reprinted) differ in URL,
boilerplate and a sentence or two. They are found with MinHash over word 5-shingles (128 seeded
hash functions, banded 32×4 for candidate pairs), then confirmed by the Jaccard estimate
(≥ NEAR_DUPLICATE_JACCARD). Within a group the earliest-published copy (then the shortest canonical
URL) is the original; the others point at it with `duplicate_of`. Deterministic for a given input.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

SHINGLE = 5
NUM_PERM = 128
BANDS = 32
NEAR_DUPLICATE_JACCARD = 0.6
_MERSENNE = (1 << 61) - 1
_MAX = (1 << 64) - 1


def _params(n: int) -> list[tuple[int, int]]:
    out = []
    for i in range(n):
        h = hashlib.blake2b(f"minhash-{i}".encode(), digest_size=16).digest()
        out.append((int.from_bytes(h[:8], "big") % _MERSENNE or 1, int.from_bytes(h[8:], "big") % _MERSENNE))
    return out


_PARAMS = _params(NUM_PERM)


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    """64-bit hashes of the word k-shingles of a text (lower-cased, punctuation dropped)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    if len(words) < k:
        words = words + [""] * (k - len(words))
    out = set()
    for i in range(len(words) - k + 1):
        g = " ".join(words[i: i + k]).encode()
        out.add(int.from_bytes(hashlib.blake2b(g, digest_size=8).digest(), "big"))
    return out


def minhash(sh: Iterable[int]) -> tuple[int, ...]:
    """MinHash signature of a shingle set."""
    items = list(sh)
    if not items:
        return tuple([_MAX] * NUM_PERM)
    return tuple(min((a * x + b) % _MERSENNE for x in items) for a, b in _PARAMS)


def jaccard_estimate(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of equal signature slots: an unbiased estimate of Jaccard similarity."""
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def jaccard(a: set[int], b: set[int]) -> float:
    """Exact Jaccard similarity of two shingle sets."""
    return len(a & b) / len(a | b) if a or b else 1.0


def group_duplicates(items: Sequence[tuple[str, str, str, date | None]]) -> dict[str, str]:
    """Map each duplicate's key to its original's key.

    `items` are (key, canonical_url, text, published_on). Same canonical URL → duplicate; text
    near-duplicates (MinHash candidates, exact Jaccard confirmed) → duplicate.
    """
    parent: dict[str, str] = {k: k for k, *_ in items}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_url: dict[str, str] = {}
    for key, url, _text, _d in items:
        if url in by_url:
            union(key, by_url[url])
        else:
            by_url[url] = key

    sets = {key: shingles(text) for key, _u, text, _d in items}
    sigs = {key: minhash(s) for key, s in sets.items()}
    rows = NUM_PERM // BANDS
    buckets: dict[tuple[int, tuple[int, ...]], list[str]] = defaultdict(list)
    for key, sig in sigs.items():
        for b in range(BANDS):
            buckets[(b, sig[b * rows:(b + 1) * rows])].append(key)
    checked: set[tuple[str, str]] = set()
    for keys in buckets.values():
        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                pair = (min(keys[i], keys[j]), max(keys[i], keys[j]))
                if pair in checked:
                    continue
                checked.add(pair)
                if jaccard(sets[pair[0]], sets[pair[1]]) >= NEAR_DUPLICATE_JACCARD:
                    union(*pair)

    groups: dict[str, list[tuple[str, str, date | None]]] = defaultdict(list)
    for key, url, _t, d in items:
        groups[find(key)].append((key, url, d))
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        original = min(members, key=lambda m: (m[2] or date.max, len(m[1]), m[1], m[0]))[0]
        for key, _u, _d in members:
            if key != original:
                out[key] = original
    return out
