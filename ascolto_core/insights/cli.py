"""``python -m ascolto_core summary SOURCE [--own HANDLE ...] [--brand NAME] [--competitor NAME ...]``.

SOURCE is a mentions file, a workspace folder or ``demo``
(:func:`ascolto_core.source.resolve_source`, shared with ``report``); a
workspace brings its profile and time zone, the options add to them.
Prints ONE JSON object on stdout (the loader's report goes to stderr): the
same figures the pages show, from :func:`ascolto_core.insights.summary.summary`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ascolto_core.errors import AscoltoError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``summary`` to the router's sub-parsers."""
    parser = subparsers.add_parser("summary", help="print the listening summary of a file as one JSON object")
    parser.add_argument("source", type=Path, help="mentions file (anything the loader reads), workspace folder or 'demo'")
    parser.add_argument("--own", action="append", default=[], metavar="HANDLE", help="the brand's own account (repeatable)")
    parser.add_argument("--brand", default=None, metavar="NAME", help="the brand's name")
    parser.add_argument("--competitor", action="append", default=[], metavar="NAME", help="a competitor (repeatable)")
    parser.add_argument("--engine", choices=("auto", "embedded", "transformers"), default=None)
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    parser.set_defaults(func=run_summary)


def run_summary(args: argparse.Namespace) -> int:
    """``summary``: load, analyse, summarise; one JSON object on stdout."""
    from ascolto_core.insights.summary import summary
    from ascolto_core.source import profile_with_options, resolve_source

    resolved = resolve_source(args.source, lang=args.lang, engine=args.engine, use_cache=not args.no_cache)
    for line in resolved.load_lines:
        print(line, file=sys.stderr)
    if resolved.mentions.is_empty():
        raise AscoltoError("service.summary_empty", path=str(args.source))
    profile = profile_with_options(resolved.profile, args.own, args.brand, args.competitor)
    print(json.dumps(summary(resolved.mentions, profile, tz=resolved.tz), ensure_ascii=False))
    return 0
