"""``python -m ascolto_core summary SOURCE [--own HANDLE ...] [--brand NAME] [--competitor NAME ...]``.

Prints ONE JSON object on stdout (the loader's report goes to stderr): the
same figures the pages show, from :func:`ascolto_core.insights.summary.summary`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.profile import BrandProfile, Competitor


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``summary`` to the router's sub-parsers."""
    parser = subparsers.add_parser("summary", help="print the listening summary of a file as one JSON object")
    parser.add_argument("source", type=Path, help="mentions file (anything the loader reads)")
    parser.add_argument("--own", action="append", default=[], metavar="HANDLE", help="the brand's own account (repeatable)")
    parser.add_argument("--brand", default=None, metavar="NAME", help="the brand's name")
    parser.add_argument("--competitor", action="append", default=[], metavar="NAME", help="a competitor (repeatable)")
    parser.add_argument("--engine", choices=("auto", "embedded", "transformers"), default=None)
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    parser.set_defaults(func=run_summary)


def resolve_source(source: Path, lang: str = "it") -> tuple[pl.DataFrame, BrandProfile, list[str]]:
    """The mentions of ``source``, the profile stored with it, and the loader's report lines.

    A file has the empty profile, except the shipped demo, whose profile lives beside it.
    (Workspaces will add: a directory -> its mentions and its settings' profile.)

    Raises:
        AscoltoError: the file cannot be read (message names why).
    """
    from ascolto_core.analysis.cli import read_mentions
    from ascolto_core.datasets import DEMO_PATH, demo_profile, load_demo

    if source.resolve() == DEMO_PATH.resolve():
        return load_demo(), demo_profile(), []
    mentions, lines = read_mentions(source, lang)
    return mentions, BrandProfile(), lines


def profile_with_options(profile: BrandProfile, own: list[str], brand: str | None, competitors: list[str]) -> BrandProfile:
    """``profile`` with the command line's accounts, brand and competitors added (the brand replaced)."""
    known = {c.name for c in profile.competitors}
    extra = tuple(Competitor(name.strip()) for name in competitors if name.strip() and name.strip() not in known)
    return BrandProfile(
        brand=(brand or "").strip() or profile.brand,
        aliases=profile.aliases,
        competitors=profile.competitors + extra,
        own_accounts=tuple(dict.fromkeys((*profile.own_accounts, *(o.strip() for o in own if o.strip())))),
    )


def run_summary(args: argparse.Namespace) -> int:
    """``summary``: load, analyse, summarise; one JSON object on stdout."""
    from ascolto_core.analysis import analyze_mentions
    from ascolto_core.insights.summary import summary

    mentions, profile, lines = resolve_source(args.source, args.lang)
    for line in lines:
        print(line, file=sys.stderr)
    profile = profile_with_options(profile, args.own, args.brand, args.competitor)
    if mentions.is_empty():
        raise AscoltoError("service.summary_empty", path=str(args.source))
    result = analyze_mentions(mentions, engine=args.engine, use_cache=not args.no_cache)
    print(json.dumps(summary(result.mentions, profile), ensure_ascii=False))
    return 0
