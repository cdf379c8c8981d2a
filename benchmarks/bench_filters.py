"""Benchmark: shared filter + every page aggregation of ascolto_core.insights on 100,000 mentions.

Run: ``.venv/bin/python benchmarks/bench_filters.py [--rows 100000] [--repeat 5]``

Prints the median (of ``--repeat`` runs) of each step and of the total a page
re-render costs after a filter change (the UI's rendering is measured by U2).
Data: ``synthetic_mentions`` (analysed, 200 days, 8 touchpoints), reproducible.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl  # noqa: E402

from ascolto_core import insights  # noqa: E402
from ascolto_core.insights.sample import synthetic_mentions  # noqa: E402

TZ = "Europe/Rome"


def _median_ms(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    mentions = synthetic_mentions(args.rows, seed=42)
    flt = insights.MentionFilter(
        date_from=date(2026, 6, 1),
        date_to=date(2026, 10, 31),
        touchpoints=("facebook", "instagram", "google_reviews", "email"),
        search="caffe",
    )
    office = insights.OfficeHours.from_config()
    alerts = insights.AlertConfig.from_config()
    filtered = insights.apply_filter(mentions, flt, TZ)

    # Work done on every re-render after a filter change (pages read ``filtered``).
    render_steps: dict[str, Callable[[], object]] = {
        "apply_filter (dates+touchpoints+search)": lambda: insights.apply_filter(mentions, flt, TZ),
        "headline (current + previous period)": lambda: insights.headline(mentions, flt, TZ),
        "needs_attention": lambda: insights.needs_attention(filtered, 3),
        "sort_posts amplified + page_of": lambda: insights.page_of(
            insights.sort_posts(filtered, "amplified"), 2, 20
        ),
        "volume_over_time day x touchpoint": lambda: insights.volume_over_time(
            filtered, freq="day", split="touchpoint", tz=TZ
        ),
        "spike_periods day": lambda: insights.spike_periods(filtered, freq="day", tz=TZ, cfg=alerts),
        "touchpoint_summary": lambda: insights.touchpoint_summary(filtered),
        "emotion_mix by touchpoint": lambda: insights.emotion_mix(filtered, by="touchpoint"),
        "hour_weekday_counts": lambda: insights.hour_weekday_counts(filtered, TZ),
        "off_hours_by_touchpoint": lambda: insights.off_hours_by_touchpoint(filtered, office, TZ),
        "negative_spike_days": lambda: insights.negative_spike_days(filtered, alerts, TZ),
        "amplified_negative": lambda: insights.amplified_negative(filtered, 10),
    }
    # Work done once per dataset or on request, not on each filter change.
    other_steps: dict[str, Callable[[], object]] = {
        "filter_options (once per dataset)": lambda: insights.filter_options(mentions, TZ),
        "apply_filter, no filter": lambda: insights.apply_filter(mentions, insights.MentionFilter(), TZ),
        # Worst case: the search alone folds all 100,000 texts.
        "apply_filter, search only (worst case)": lambda: insights.apply_filter(
            mentions, insights.MentionFilter(search='"caffe freddo"'), TZ
        ),
        "headline, search only (worst case)": lambda: insights.headline(
            mentions, insights.MentionFilter(search="perche"), TZ
        ),
        "export_csv of the filtered rows (on click)": lambda: insights.export_csv(filtered, tz=TZ),
    }

    # Warm-up: first calls pay for imports and the holiday calendar.
    for step in (*render_steps.values(), *other_steps.values()):
        step()

    print(f"{args.rows:,} mentions, {filtered.height:,} after the filter; median of {args.repeat} runs (ms)")
    total_runs = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for step in render_steps.values():
            step()
        total_runs.append((time.perf_counter() - start) * 1000)
    for name, step in render_steps.items():
        print(f"  {name:<45} {_median_ms(step, args.repeat):8.1f}")
    print(f"  {'TOTAL per filter change (all views above)':<45} {statistics.median(total_runs):8.1f}")
    for name, step in other_steps.items():
        print(f"  {name:<45} {_median_ms(step, args.repeat):8.1f}")
    print(f"polars {pl.__version__}, threads {pl.thread_pool_size()}")


if __name__ == "__main__":
    main()
