"""Benchmark: the adapted model retrains on 2,000 labels (target < 5 s) and re-scores 100,000 mentions (target < 10 s).

Usage::

    .venv/bin/python benchmarks/bench_learning.py [--labels 2000] [--rows 100000] [--repeat 3]

Mentions are the demo posts' sentences recombined (as ``bench_keywords.py`` builds them);
the "person's" labels are the embedded engine's, a fifth of them changed at random, so the
learner has something to learn (timing only: no quality is measured here). The base
engine's pass is timed apart: in the app it is already cached when the person retrains.

Timed, median of ``--repeat``:

* ``retrain``: fit the vectorisers and the sentiment model on the labels (what a click
  on "retrain" costs once the estimate is known);
* ``retrain + estimate``: the same plus the 5-fold cross-validation that decides use;
* ``re-score``: features + prediction + drivers for every mention.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def timed(repeat: int, run: object) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=2_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from bench_keywords import build_mentions

    from ascolto_core.analysis.embedded.engine import EmbeddedEngine
    from ascolto_core.analysis.learning.model import AdaptedModel
    from ascolto_core.analysis.learning.simulate import training_frame
    from ascolto_core.schema import SENTIMENTS

    mentions = build_mentions(args.rows, seed=5)
    engine = EmbeddedEngine()
    start = time.perf_counter()
    analysis = engine.analyze(mentions["text"], mentions["lang"])
    base_seconds = time.perf_counter() - start

    rng = random.Random(3)
    labelled_idx = rng.sample(range(args.rows), args.labels)
    person = [None] * args.rows
    for i in labelled_idx:
        label = analysis["sentiment"][i]
        person[i] = rng.choice(SENTIMENTS) if rng.random() < 0.2 else label
    frame = training_frame(mentions, analysis, pl.Series(person, dtype=pl.String))

    distinct = mentions["text"].n_unique()
    print(f"labels={args.labels} rows={args.rows} distinct_texts={distinct} repeat={args.repeat} (median seconds)", flush=True)
    print(f"{'step':<22}{'seconds':>10}{'target':>10}", flush=True)
    print(f"{'base engine pass':<22}{base_seconds:>10.2f}{'-':>10}", flush=True)
    fit_s, model = timed(args.repeat, lambda: AdaptedModel.fit(frame, estimate=False))
    print(f"{'retrain':<22}{fit_s:>10.2f}{'5':>10}", flush=True)
    score_s, scored = timed(args.repeat, lambda: model.predict(mentions["text"], analysis))  # type: ignore[union-attr]
    print(f"{'re-score':<22}{score_s:>10.2f}{'10':>10}", flush=True)
    cv_s, _ = timed(args.repeat, lambda: AdaptedModel.fit(frame, estimate=True))
    print(f"{'retrain + estimate':<22}{cv_s:>10.2f}{'-':>10}", flush=True)
    assert scored.height == args.rows  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
