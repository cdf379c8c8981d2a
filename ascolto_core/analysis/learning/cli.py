"""Sub-command ``drivers`` and the ``--learn`` part of ``evaluate``.

``drivers FILE [--top K] [--engine ...]`` analyses a file and prints the suspicious
drivers (see :mod:`.drivers`) as CSV on standard output, header ``term,posts,share,reason``,
most suspicious first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``drivers`` to the router's sub-parsers."""
    from ascolto_core.analysis.cli import ENGINE_CHOICES

    drivers = subparsers.add_parser(
        "drivers", help="list suspicious drivers (probable names or jargon) as CSV on stdout"
    )
    drivers.add_argument("file", type=Path, help="mentions file (anything the loader reads)")
    drivers.add_argument("--top", type=int, default=None, metavar="K", help="only the K most suspicious terms")
    drivers.add_argument("--engine", choices=ENGINE_CHOICES, default=None, help="default: config/analysis.yaml")
    drivers.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    drivers.set_defaults(func=run_drivers)


def run_drivers(args: argparse.Namespace) -> int:
    """``drivers``: CSV ``term,posts,share,reason`` on stdout, messages on stderr."""
    from ascolto_core.analysis.cli import _print_engine, read_mentions
    from ascolto_core.analysis.learning.drivers import suspicious_drivers
    from ascolto_core.analysis.pipeline import analyze_mentions

    if args.top is not None and args.top < 0:
        raise AscoltoError("learning.cli.bad_top", top=args.top)
    mentions, report_lines = read_mentions(args.file, args.lang)
    for line in report_lines:
        print(line, file=sys.stderr)
    result = analyze_mentions(mentions, engine=args.engine, use_cache=not args.no_cache)
    _print_engine(result, args.lang, stream=sys.stderr)
    table = suspicious_drivers(result.mentions, args.top)
    out = table.select("term", "posts", pl.col("share").round(4), "reason")
    sys.stdout.write(out.write_csv())
    if table.height == 0:
        print(t("learning.cli.no_suspicious", args.lang), file=sys.stderr)
    return 0


def print_learning_run(analysed: pl.DataFrame, gold: pl.Series, learn: int, seed: int, lang: str) -> int:
    """``evaluate --learn``: report on stdout, last line ``macro_f1=... base_macro_f1=... labelled= evaluated=``.

    Raises:
        AscoltoError: ``learning.cli.bad_learn`` when ``learn`` is negative or leaves nothing to score.
    """
    from ascolto_core.analysis.learning.simulate import simulate_learning

    if learn < 0 or learn >= analysed.height:
        raise AscoltoError("learning.cli.bad_learn", learn=learn, rows=analysed.height)
    run = simulate_learning(analysed, analysed, gold, learn, seed)
    quality = run.quality
    if quality.enough_labels:
        print(
            t(
                "learning.cli.cv",
                lang,
                labels=quality.labels,
                scored=quality.scored,
                base=f"{quality.base_macro_f1:.3f}",
                adapted=f"{quality.adapted_macro_f1:.3f}",
            ),
            file=sys.stderr,
        )
    print(t(quality.reason, lang, labels=quality.labels), file=sys.stderr)
    lines = run.adapted.lines()
    print("\n".join(lines[:-1]))
    print(run.summary_line())
    return 0
