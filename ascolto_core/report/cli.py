"""Sub-command ``report``: ``python -m ascolto_core report SOURCE -o FILE.pdf [--from DATE --to DATE] [--lang it|en]``.

SOURCE is a mentions file (anything the loader reads), a workspace folder or
``demo`` (:func:`ascolto_core.source.resolve_source`, shared with ``summary``):
a file is analysed as ``analyze`` does (result cache included); a workspace
brings its stored analysis, its brand profile, office hours, time zone, history
and labels. ``-o`` ending in ``.html`` writes the same report as one
self-contained HTML file.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import date, datetime
from pathlib import Path

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import LANGUAGES, t
from ascolto_core.insights.filters import MentionFilter

OUTPUT_SUFFIXES: tuple[str, ...] = (".pdf", ".html")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_day(value: str) -> date:
    """``2026-09-14`` or ``14/09/2026`` (also ``14-09-2026``, ``14.09.2026``) as a date.

    Raises:
        AscoltoError: ``report.bad_date``.
    """
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise AscoltoError("report.bad_date", value=value)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``report`` to the router's sub-parsers."""
    parser = subparsers.add_parser("report", help="write the client report (PDF or self-contained HTML)")
    parser.add_argument("source", help="mentions file (csv, xlsx, json, parquet...), workspace folder or 'demo'")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output file: .pdf or .html")
    parser.add_argument("--from", dest="date_from", default=None, help="first day (2026-09-01 or 01/09/2026)")
    parser.add_argument("--to", dest="date_to", default=None, help="last day (included)")
    # SUPPRESS: without the option, the router's own --lang (before the command) stays in force.
    parser.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help="language of the report")
    parser.add_argument("--brand", default="", help="the brand: on the cover, in the header and in the profile (default: the profile's, else the most mentioned)")
    parser.add_argument(
        "--own", "--own-account", dest="own_accounts", action="append", default=[],
        help="one more of the brand's own accounts (repeatable): its posts are kept out of the customers' mood",
    )
    parser.add_argument("--short-authors", action="store_true", help="shorten author names (Mario R.) for privacy")
    parser.add_argument("--engine", choices=("auto", "embedded", "transformers"), default=None, help="analysis engine")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """``report``: load and analyse SOURCE, build the report for the period, write it."""
    # Imported here: charts and templates are not needed by the other commands' start-up.
    from ascolto_core.report import ReportRequest, ReportSource, build_report, render_html, render_pdf
    from ascolto_core.source import profile_with_options, resolve_source

    lang = args.lang
    suffix = args.output.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise AscoltoError("report.bad_output", suffix=suffix or args.output.name)
    start = parse_day(args.date_from) if args.date_from else None
    end = parse_day(args.date_to) if args.date_to else None
    if start and end and start > end:
        raise AscoltoError("report.bad_range", start=args.date_from, end=args.date_to)
    resolved = resolve_source(args.source, lang=lang, engine=args.engine, use_cache=not args.no_cache)
    for line in resolved.load_lines:
        print(line, file=sys.stderr)
    source = ReportSource.of(resolved)
    source = dataclasses.replace(source, profile=profile_with_options(source.profile, args.own_accounts, args.brand))
    request = ReportRequest(
        flt=MentionFilter(date_from=start, date_to=end), lang=lang, brand=args.brand, short_authors=args.short_authors,
        tz=resolved.tz,
    )
    report = build_report(source, request)
    try:
        if suffix == ".html":
            args.output.write_text(render_html(report), encoding="utf-8")
            print(t("report.written_html", lang, path=args.output))
        else:
            pdf = render_pdf(report)
            args.output.write_bytes(pdf.data)
            print(t("report.written", lang, path=args.output, pages=pdf.pages))
    except OSError as error:
        raise AscoltoError("report.write_failed", path=args.output, reason=error.strerror or str(error)) from error
    return 0
