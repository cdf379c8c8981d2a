"""``python -m ascolto_core load INPUT [--sheet S] [--map field=column ...] [--output OUT]``.

Prints the load report; with ``--output`` also writes the canonical table
(``.parquet``, ``.csv`` or ``.xlsx``, through the one writer of ``insights.export``), for consultants with big exports and batch jobs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ascolto_core.i18n import t
from ascolto_core.errors import AscoltoError
from ascolto_core.insights.export import WRITABLE_SUFFIXES, write_table
from ascolto_core.loading import ColumnMapping, MappingNeeded, load_mentions


def _sheet(value: str) -> str | int:
    return int(value) if value.isdigit() else value


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``load`` sub-command."""
    parser = subparsers.add_parser("load", help=t("load.cli_help", "en"), description=t("load.cli_help", "en"))
    parser.add_argument("input", help="file to load (csv, tsv, xlsx, json, jsonl, parquet)")
    parser.add_argument("--sheet", type=_sheet, default=None, help="Excel sheet name or 0-based index")
    parser.add_argument(
        "--map",
        dest="mapping",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="choose the column of a field, e.g. --map text=Messaggio (repeatable; 'field=' means none)",
    )
    parser.add_argument("--max-mb", type=float, default=None, help="size limit in MB (default: config/app.yaml)")
    parser.add_argument("--output", type=Path, default=None, help="also write the canonical table (.parquet, .csv or .xlsx)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load ``args.input`` and print the report in ``args.lang``; 0 on success."""
    mapping = ColumnMapping.from_pairs(args.mapping) if args.mapping else None
    max_bytes = int(args.max_mb * 1024 * 1024) if args.max_mb is not None else None
    lang = getattr(args, "lang", "it")
    if args.output is not None and args.output.suffix.lower() not in WRITABLE_SUFFIXES:
        # Refused before the (possibly long) load, not after it.
        raise AscoltoError("spreadsheet.bad_suffix", suffix=args.output.suffix or args.output.name, suffixes=", ".join(WRITABLE_SUFFIXES))
    try:
        result = load_mentions(args.input, mapping=mapping, sheet=args.sheet, max_bytes=max_bytes)
    except MappingNeeded as needed:
        # Say which columns exist and how to choose, then fail like any user error.
        print(needed.message(lang), file=sys.stderr)
        columns = ", ".join(f"«{c}»" for c in needed.proposal.source_columns)
        print(t("load.cli_mapping_hint", lang, columns=columns), file=sys.stderr)
        return 2
    for line in result.report.lines(lang):
        print(line)
    if args.output is not None:
        output: Path = args.output
        # The one writer of files: formula neutralisation for .csv/.xlsx, the table as is for .parquet.
        write_table(result.mentions, output)
        print(t("load.cli_saved", lang, path=str(output)))
    return 0
