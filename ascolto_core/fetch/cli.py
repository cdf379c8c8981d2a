"""``python -m ascolto_core fetch --config FILE -o OUTPUT``.

If OUTPUT already exists its mentions are read first and the new ones are added to it,
so running the same query again only adds what is new. The per-source report goes to
standard output; the exit code is 0 when every source answered, 1 when at least one was
refused or failed (the output still holds everything that was fetched), 2 for a bad
query file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.schema import MENTION_SCHEMA, UTC_DATETIME, conform

FORMATS = (".csv", ".parquet")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("fetch", help=t("fetch.cli.help", "en"))
    parser.add_argument("--config", required=True, type=Path, help="listening query (YAML)")
    parser.add_argument("-o", "--output", required=True, type=Path, help="mentions file to create or extend (.csv, .parquet)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: the HTTP client is not needed to list the commands or run another one.
    from ascolto_core.fetch import fetch_mentions
    from ascolto_core.fetch.query import ListeningQuery

    lang = getattr(args, "lang", "it")
    output: Path = args.output
    if output.suffix.lower() not in FORMATS:
        raise AscoltoError("fetch.cli.bad_output", path=str(output))
    query = ListeningQuery.from_yaml(args.config)
    existing = read_mentions(output) if output.exists() else None
    result = fetch_mentions(query, existing=existing)
    write_mentions(result.mentions, output)
    for line in result.report.lines(lang):
        print(line)
    print(t("fetch.cli.wrote", lang, rows=result.mentions.height, path=str(output)))
    return 1 if result.report.problems else 0


def write_mentions(mentions: pl.DataFrame, path: Path) -> None:
    """Write mentions as CSV (UTF-8, ISO timestamps in UTC) or Parquet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        mentions.write_parquet(path)
        return
    from ascolto_core.insights.export import write_table

    # The one writer of spreadsheet files (formula neutralisation); UTC, as read_mentions reads it back.
    write_table(mentions, path, tz="UTC")


def read_mentions(path: Path) -> pl.DataFrame:
    """Read back a file written by :func:`write_mentions`.

    Raises:
        AscoltoError: ``fetch.cli.bad_existing`` when the file cannot be read as mentions.
    """
    try:
        if path.suffix.lower() == ".parquet":
            return conform(pl.read_parquet(path))
        frame = pl.read_csv(path, infer_schema=False)
        if "created_at" in frame.columns:
            frame = frame.with_columns(
                pl.col("created_at").str.to_datetime(time_zone="UTC", strict=False).cast(UTC_DATETIME)
            )
        casts = [
            pl.col(c).cast(dtype, strict=True)
            for c, dtype in MENTION_SCHEMA.items()
            if c in frame.columns and c != "created_at"
        ]
        return conform(frame.with_columns(casts))
    except (OSError, pl.exceptions.PolarsError) as error:
        raise AscoltoError("fetch.cli.bad_existing", path=str(path), problem=type(error).__name__) from None


