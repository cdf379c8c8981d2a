"""Benchmark: ``distinctive_terms`` on 1,000,000 mentions (target: under 10 s, median of 3).

Usage::

    .venv/bin/python benchmarks/bench_keywords.py [--rows 1000000] [--repeat 3]

Mentions are recombinations of the demo posts' sentences (1-3 sentences each, plus
an occasional hashtag, @handle or emoji), with ``lang`` taken from the source post,
so the timing covers tokenising, lemmatising, stopword and brand removal, bigrams
and the weighted log-odds. The in-group is the mentions of one touchpoint-like
split (every third mention), as a page comparing groups would ask. Never built
from the evaluation sets.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_EXTRAS = ["", "", "", " #colazione", " #fornobrio", " @user", " 😍", " 😡", " !!!", " https://example.com/x"]


def build_mentions(rows: int, seed: int = 11) -> pl.DataFrame:
    """``rows`` mentions recombined from the demo posts' sentences, with their language."""
    from ascolto_core.datasets import load_demo

    demo = load_demo().filter(pl.col("lang").is_in(["it", "en"]))
    sentences: dict[str, list[str]] = {"it": [], "en": []}
    for text, lang in demo.select("text", "lang").iter_rows():
        sentences[lang].extend(p.strip() for p in re.split(r"(?<=[.!?])\s+", text) if len(p.strip()) > 3)
    rng = random.Random(seed)
    langs = [rng.choice(("it", "it", "it", "en")) for _ in range(rows)]
    texts = [
        " ".join(rng.choice(sentences[lang]) for _ in range(rng.choice((1, 1, 2, 3)))) + rng.choice(_EXTRAS)
        for lang in langs
    ]
    return pl.DataFrame({"text": texts, "lang": langs})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from ascolto_core.analysis.keywords import distinctive_terms

    mentions = build_mentions(args.rows)
    in_group = pl.Series([i % 3 == 0 for i in range(args.rows)])
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = distinctive_terms(mentions, in_group, n=20)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"distinctive_terms on {args.rows:,} mentions: median {median:.2f} s of {args.repeat} "
        f"({', '.join(f'{t:.2f}' for t in times)}); {args.rows / median:,.0f} mentions/s; target < 10 s: "
        f"{'OK' if median < 10 else 'MISSED'}"
    )
    print(result.head(5))


if __name__ == "__main__":
    main()
