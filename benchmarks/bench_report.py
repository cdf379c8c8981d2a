"""Benchmark: the client report for 100,000 mentions (target < 20 s).

Run: ``.venv/bin/python benchmarks/bench_report.py [--rows 100000] [--repeat 3]``

Data: ``ascolto_core.datasets.synth`` (the demo recombined over three years),
analysed once with the embedded engine in a fresh cache (timed apart: the
app's button and a workspace already have analysed mentions). Then, median
of ``--repeat`` runs: each section builder, the whole ``build_report``, the
HTML and the PDF, for the whole period and for the last 30 days; and once the
end-to-end command ``report FILE -o out.pdf`` on the synthetic CSV (load +
analysis from a warm cache + report).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ascolto_core.analysis import analyze_mentions  # noqa: E402
from ascolto_core.datasets import demo_profile  # noqa: E402
from ascolto_core.datasets.synth import synthesize, write  # noqa: E402
from ascolto_core.insights import MentionFilter, filter_options  # noqa: E402
from ascolto_core.report import ReportRequest, ReportSource, build_report, render_html, render_pdf  # noqa: E402
from ascolto_core.report.context import prepare  # noqa: E402
from ascolto_core.report.sections import SECTION_BUILDERS  # noqa: E402

TARGET_S = 20.0


def _median_s(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-report-"))
    os.environ["ASCOLTO_CACHE_DIR"] = str(workdir / "cache")

    raw = synthesize(args.rows)
    start = time.perf_counter()
    result = analyze_mentions(raw, engine="embedded")
    analysis_s = time.perf_counter() - start
    # The synthetic data recombine the demo: its profile marks own posts, brands and competitors.
    source = ReportSource(result.mentions, "synth", engine=result.engine, profile=demo_profile())
    last = filter_options(source.mentions).date_max
    periods = {
        "whole period (3 years)": MentionFilter(),
        "last 30 days": MentionFilter(date_from=last - timedelta(days=29), date_to=last),
    }
    print(f"{args.rows:,} mentions; analysis (embedded, cold cache, once): {analysis_s:.2f} s")
    for name, flt in periods.items():
        request = ReportRequest(flt=flt)
        ctx = prepare(source, request)
        print(f"\n## {name}: {ctx.current.height:,} mentions in the period")
        print(f"{'step':<34}{'median s':>10}")
        print(f"{'prepare (profile, filter, headline)':<34}{_median_s(lambda: prepare(source, request), args.repeat):>10.3f}")
        for key, builder in SECTION_BUILDERS:
            print(f"{'  section ' + key:<34}{_median_s(lambda builder=builder: builder(ctx), args.repeat):>10.3f}")
        report = build_report(source, request)
        html = render_html(report)
        steps: dict[str, Callable[[], object]] = {
            "build_report": lambda: build_report(source, request),
            "render_html": lambda: render_html(report),
            "render_pdf (WeasyPrint)": lambda: render_pdf(report),
            "total: build + PDF": lambda: render_pdf(build_report(source, request)),
        }
        for step, run in steps.items():
            print(f"{step:<34}{_median_s(run, args.repeat):>10.3f}")
        print(f"{'HTML size':<34}{len(html.encode()) / 1024:>9.0f} KB; PDF pages: {render_pdf(report).pages}")

    csv = workdir / "synth.csv"
    write(raw, csv)
    from ascolto_core.cli import main as cli

    start = time.perf_counter()
    code = cli(["report", str(csv), "-o", str(workdir / "out.pdf"), "--engine", "embedded"])
    end_to_end = time.perf_counter() - start
    verdict = "met" if end_to_end < TARGET_S else "NOT met"
    print(f"\nreport command on the CSV (load + analysis, warm cache + report + PDF): {end_to_end:.2f} s "
          f"(exit {code}); target < {TARGET_S:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
