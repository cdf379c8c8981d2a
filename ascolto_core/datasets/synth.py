"""Scale generator for benchmarks: N mentions recombined from the demo data.

``python -m ascolto_core.datasets.synth --rows 1000000 -o benchmarks/out/synth_1m.csv``

Rows are sampled (with replacement) from the demo, spread over a longer time
range with jitter, and about a fifth of them get a spliced text: the first
sentence of one post followed by the rest of another post with the same
language and reference sentiment, so texts are not all exact copies and the
reference labels stay meaningful. Ids are new (``synth-00000001``...).
Everything is vectorised (NumPy indices, Polars expressions); the output is CSV
or Parquet by extension. Never commit the generated files.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from ascolto_core.datasets import load_demo
from ascolto_core.errors import AscoltoError
from ascolto_core.schema import MENTION_SCHEMA

DEFAULT_SEED = 7
# The synthetic history ends where the demo ends and reaches this many days back.
DEFAULT_SPAN_DAYS = 3 * 365
SPLICE_SHARE = 0.2
# A sentence ends at . ! ? … followed by a space; the first one is kept from post A.
_FIRST_SENTENCE = r"^(.+?[.!?…]+)\s+\S"
_AFTER_FIRST_SENTENCE = r"^.+?[.!?…]+\s+"


def synthesize(
    rows: int,
    *,
    seed: int = DEFAULT_SEED,
    span_days: int = DEFAULT_SPAN_DAYS,
    demo: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``rows`` canonical mentions recombined from ``demo`` (the shipped demo by default).

    Raises:
        AscoltoError: ``datasets.synth_rows`` when ``rows`` < 1.
    """
    if rows < 1:
        raise AscoltoError("datasets.synth_rows", rows=rows)
    base = load_demo() if demo is None else demo
    rng = np.random.default_rng(seed)
    n = base.height
    pick = rng.integers(0, n, rows)

    # Partner rows for splicing come from the same (lang, label) group, so the label still holds.
    group_key = base.select(pl.concat_str(pl.col("lang").fill_null("?"), pl.col("label").fill_null("?"))).to_series()
    group_codes = group_key.cast(pl.Categorical).to_physical().to_numpy()
    partner = pick.copy()
    for code in np.unique(group_codes):
        members = np.flatnonzero(group_codes == code)
        in_group = np.flatnonzero(group_codes[pick] == code)
        partner[in_group] = members[rng.integers(0, members.size, in_group.size)]
    splice = rng.random(rows) < SPLICE_SHARE

    # Shift each row by whole days back in time (keeps the hour-of-day rhythm) plus minutes of jitter.
    shift_us = (rng.integers(0, span_days, rows) * 86_400 + rng.integers(-1800, 1800, rows)) * 1_000_000
    engagement_factor = rng.lognormal(0.0, 0.5, rows)

    sampled = base.select(list(MENTION_SCHEMA)).gather(pick)
    partner_text = base["text"].gather(partner)
    frame = sampled.with_columns(
        pl.Series("_partner", partner_text),
        pl.Series("_splice", splice),
        pl.Series("_shift", shift_us, dtype=pl.Int64()).cast(pl.Duration("us")),
        pl.Series("_factor", engagement_factor),
    )
    head = pl.col("text").str.extract(_FIRST_SENTENCE, 1)
    tail = pl.col("_partner").str.replace(_AFTER_FIRST_SENTENCE, "")
    spliced = pl.when(pl.col("_splice") & head.is_not_null()).then(pl.concat_str(head, pl.lit(" "), tail))
    frame = frame.with_columns(
        pl.format("synth-{}", pl.int_range(1, rows + 1, dtype=pl.Int64()).cast(pl.String()).str.zfill(8)).alias("id"),
        spliced.otherwise(pl.col("text")).alias("text"),
        (pl.col("created_at") - pl.col("_shift")).alias("created_at"),
        *((pl.col(c).cast(pl.Float64()) * pl.col("_factor")).round(0).cast(pl.Int64()).alias(c)
          for c in ("likes", "shares", "comments", "reach")),
    )
    return frame.drop("_partner", "_splice", "_shift", "_factor").sort("created_at")


def write(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` as CSV or Parquet depending on the extension.

    Raises:
        AscoltoError: ``datasets.synth_format`` for another extension.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise AscoltoError("datasets.synth_format", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ascolto_core.datasets.synth", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="number of mentions to write")
    parser.add_argument("-o", "--output", type=Path, default=Path("benchmarks/out/synth.csv"), help=".csv or .parquet")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--span-days", type=int, default=DEFAULT_SPAN_DAYS, help="days of history to spread over")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        frame = synthesize(args.rows, seed=args.seed, span_days=args.span_days)
        write(frame, args.output)
    except AscoltoError as error:
        print(error.message("en"), file=sys.stderr)
        return 2
    print(f"wrote {frame.height} rows to {args.output} in {time.perf_counter() - started:.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
