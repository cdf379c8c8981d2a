"""Page re-render time after a filter change, with 100,000 analysed mentions loaded.

Builds 100,000 mentions by resampling the analysed demo (dates spread over the
demo period, fresh ids; each brand reply re-linked to a copy of its post, as
long after it as in the demo; own posts marked with the demo's profile), injects them into the app's session state under
AppTest, opens each page once, then changes a sidebar filter (touchpoints, then
back) and times the rerun of the page. AppTest adds its own overhead (it
serialises every element), so these are upper bounds of the server-side time.

Usage:
    .venv/bin/python benchmarks/bench_pages.py [--rows 100000] [--repeat 5]
Prints two lines per page: median and max seconds of the re-renders for a
narrow filter (a touchpoint pair) and for a near-full one (every touchpoint
but one of the smallest, so ~98% of the mentions stay). Every filter change uses
a selection not used before, so cached keyword and word-cloud results never
help: these are cold re-renders. The dataset's term index (tokenised once per
dataset, ``ui.data.term_index``) stays warm, as in the app: its one-off build
is printed first and is part of the first open of the first keyword page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ASCOLTO_ENGINE", "embedded")

import polars as pl  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ascolto_core.analysis import analyze_mentions  # noqa: E402
from ascolto_core.analysis.keywords import term_index  # noqa: E402
from ascolto_core.datasets import load_demo  # noqa: E402
from ui.navigation import PAGE_SPECS, START_PAGE  # noqa: E402
from ui.state import StateKeys  # noqa: E402

# Every page but the start page (it has no filtered view to re-render).
PAGES = tuple(spec.path for spec in PAGE_SPECS if spec.name != START_PAGE)


def big_mentions(rows: int, seed: int = 7) -> tuple[pl.DataFrame, object]:
    """``rows`` analysed mentions resampled from the demo, spread over its whole period."""
    result = analyze_mentions(load_demo())
    demo = result.mentions
    lo, hi = demo.get_column("created_at").min(), demo.get_column("created_at").max()
    span_us = int((hi - lo).total_seconds() * 1_000_000)
    sample = demo.sample(n=rows, with_replacement=True, seed=seed)
    offsets = pl.int_range(0, rows, eager=True).hash(seed) % max(span_us, 1)
    big = sample.with_columns(
        (pl.lit(lo) + pl.duration(microseconds=offsets)).alias("created_at"),
        pl.format("bench-{}", pl.int_range(0, rows)).alias("id"),
        pl.col("id").alias("_orig"),
    )
    return relink_replies(big, demo), result.engine


def relink_replies(big: pl.DataFrame, demo: pl.DataFrame) -> pl.DataFrame:
    """Point each resampled reply at a resampled copy of its post, as long after it as in the demo.

    Then mark the brand's own posts and recognise brands with the demo's profile, as the app does.
    """
    from ascolto_core.datasets import demo_profile
    from ascolto_core.insights.summary import prepare

    delay = demo.filter(pl.col("reply_to").is_not_null()).join(
        demo.select(pl.col("id").alias("reply_to"), pl.col("created_at").alias("_parent_at")), on="reply_to"
    ).select(pl.col("id").alias("_orig"), (pl.col("created_at") - pl.col("_parent_at")).alias("_delay"))
    first_copy = big.group_by("_orig").agg(pl.col("id").first().alias("_new_parent"), pl.col("created_at").first().alias("_new_parent_at"))
    linked = (
        big.join(delay, on="_orig", how="left", maintain_order="left")
        .join(first_copy.rename({"_orig": "reply_to"}), on="reply_to", how="left", maintain_order="left")
        .with_columns(
            pl.col("_new_parent").alias("reply_to"),
            pl.when(pl.col("_new_parent").is_not_null())
            .then(pl.col("_new_parent_at") + pl.col("_delay"))
            .otherwise(pl.col("created_at"))
            .alias("created_at"),
        )
        .drop("_orig", "_delay", "_new_parent", "_new_parent_at")
    )
    return prepare(linked, demo_profile())


def st_cache_clear() -> None:
    """Forget cached aggregations between pages (the dataset's filter options stay warm, as in the app)."""
    from ui import data

    for cached in (data.top_terms, data.distinctive_terms, data.cloud_png):
        cached.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", nargs="*", default=[], help="only pages whose path contains one of these")
    args = parser.parse_args()
    mentions, engine = big_mentions(args.rows)
    print(f"{mentions.height:,} mentions; {args.repeat} filter changes per page (AppTest)")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state[StateKeys.MENTIONS] = mentions
    at.session_state[StateKeys.DATASET_KEY] = f"bench-{args.rows}"
    at.session_state[StateKeys.DATASET_LABEL] = "bench"
    at.session_state[StateKeys.ENGINE_INFO] = engine
    from ascolto_core.datasets import demo_profile

    at.session_state[StateKeys.PROFILE] = demo_profile()  # own accounts and competitors, as for the demo
    at.run()
    # Each change is a filter not seen before, so no cached aggregation helps (cold re-render).
    touchpoints = mentions.get_column("touchpoint").value_counts(sort=True).get_column("touchpoint").to_list()
    narrow = [[touchpoints[i % len(touchpoints)], touchpoints[(i + 1) % len(touchpoints)]] for i in range(args.repeat)]
    # Near-full: drop one of the smallest touchpoints, a different one each time.
    smallest = touchpoints[::-1]
    near_full = [[tp for tp in touchpoints if tp != smallest[i % len(smallest)]] for i in range(args.repeat)]
    share = 1 - mentions.filter(pl.col("touchpoint") == smallest[0]).height / mentions.height
    print(f"near-full filter keeps ~{share:.0%} of the mentions")
    start = time.perf_counter()
    term_index(mentions)
    print(f"term index of the dataset (once per dataset): {time.perf_counter() - start:.3f} s")
    pages = [p for p in PAGES if not args.pages or any(name in p for name in args.pages)]
    for page in pages:
        st_cache_clear()
        start = time.perf_counter()
        at.switch_page(page).run()  # first open on all 100,000 mentions, nothing cached
        first_open = time.perf_counter() - start
        if at.exception:
            print(f"{page:24s} EXCEPTION: {at.exception[0].value[:200]}")
            continue
        print(f"{page:24s} first open, unfiltered: {first_open:.3f} s")
        for label, choices in (("narrow", narrow), ("near-full", near_full)):
            times = []
            for choice in choices:
                at.multiselect(key=StateKeys.F_TOUCHPOINTS).set_value(choice)
                start = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - start)
                at.multiselect(key=StateKeys.F_TOUCHPOINTS).set_value([])
                at.run()
            print(
                f"{'':24s} {label:9s} filter change: median {statistics.median(times):.3f} s,"
                f" max {max(times):.3f} s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
