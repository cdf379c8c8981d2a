"""Sub-commands ``analyze`` and ``evaluate`` of ``python -m ascolto_core``.

``analyze INPUT -o OUTPUT [--engine ...] [--workspace DIR]`` reads any file the loader reads,
analyses it (progress bar on stderr) and writes the canonical table plus the
analysis columns as .csv, .parquet or .xlsx. CSV and Excel are written as the
app's downloads are (lists joined "a, b", times in the display zone, cells
that a spreadsheet would run as formulas neutralised); Parquet keeps types.

``evaluate FILE [--engine ...]`` compares the engine's sentiment with the
file's ``label`` column and prints per-class precision/recall/F1, the
confusion matrix and, as the last line of standard output, ``macro_f1=0.xxx``.
With ``--learn N [--seed S]`` it simulates teaching (see
:mod:`ascolto_core.analysis.learning.simulate`); the last line is then
``macro_f1=<adapted> base_macro_f1=<engine> labelled=<N> evaluated=<M>``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from ascolto_core.analysis.base import Engine
from ascolto_core.analysis.evaluation import evaluate_labels, normalise_labels
from ascolto_core.analysis.pipeline import AnalysisResult, analyze_mentions
from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.loading import load_mentions

ENGINE_CHOICES: tuple[str, ...] = ("auto", "embedded", "transformers")
OUTPUT_SUFFIXES: tuple[str, ...] = (".csv", ".parquet", ".xlsx")
# Written batch by batch (bounded memory); .xlsx is built whole (Excel holds ~1M rows anyway).
BATCHED_SUFFIXES: tuple[str, ...] = (".csv", ".parquet")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``analyze`` and ``evaluate`` to the router's sub-parsers."""
    analyze = subparsers.add_parser(
        "analyze", help="analyse a file of mentions (sentiment, emotion, drivers)"
    )
    analyze.add_argument(
        "input", type=_location, help="mentions file (csv, xlsx, json, parquet... anything the loader reads)"
    )
    analyze.add_argument(
        "-o", "--output", type=_location, required=True, help="output file: .csv, .parquet or .xlsx"
    )
    _common_options(analyze)
    analyze.add_argument(
        "--batch-rows",
        type=int,
        default=None,
        help="rows per batch for .csv/.parquet outputs (bounded memory; default 200000)",
    )
    analyze.add_argument(
        "--summary",
        type=Path,
        default=None,
        help="also write the daily summary (counts per day, touchpoint, brand, sentiment, emotion)",
    )
    analyze.add_argument(
        "--workspace",
        metavar="DIR",
        default=None,
        help="analyse with this workspace's vocabulary and adapted model (a folder, or a name in the workspaces folder)",
    )
    analyze.add_argument(
        "--spark",
        metavar="MASTER",
        default=None,
        help="run on Apache Spark (local[2], spark://host:7077...); Parquet or CSV files/folders",
    )
    analyze.set_defaults(func=run_analyze)

    evaluate = subparsers.add_parser(
        "evaluate", help="compare sentiment with a file's reference 'label' column"
    )
    evaluate.add_argument(
        "file", type=Path, help="file with 'text' and 'label' (negative/neutral/positive) columns"
    )
    evaluate.add_argument(
        "--learn",
        type=int,
        default=None,
        metavar="N",
        help="simulate a person labelling the N posts the teaching queue asks for, score the rest",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the teaching queue (with --learn)")
    _common_options(evaluate)
    evaluate.set_defaults(func=run_evaluate)


def _location(value: str) -> Path | str:
    """A local path, or a URL Spark reads (``s3://``, ``hdfs://``, ``dbfs:``...) kept as written (``Path`` would fold ``//``)."""
    return value if "://" in value or value.startswith("dbfs:") else Path(value)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINE_CHOICES,
        default=None,
        help="default: $ASCOLTO_ENGINE or config/analysis.yaml",
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_analyze(args: argparse.Namespace) -> int:
    """``analyze``: read, analyse, write; returns the exit code."""
    if getattr(args, "spark", None):
        return _run_on_spark(args)
    remote = next((str(p) for p in (args.input, args.output) if isinstance(p, str)), None)
    if remote is not None:  # only Spark reads and writes URLs
        raise AscoltoError("scale.remote_needs_spark", path=remote)
    suffix = args.output.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise AscoltoError("analysis.cli.bad_output", suffix=suffix or args.output.name)
    if suffix in BATCHED_SUFFIXES:
        return _run_in_batches(args)
    engine = _engine(args)
    mentions, report_lines = read_mentions(args.input, args.lang)
    for line in report_lines:
        print(line, file=sys.stderr)
    with _progress_bar(not args.no_progress) as progress:
        result = analyze_mentions(mentions, engine=engine, progress=progress, use_cache=not args.no_cache)
    _print_engine(result, args.lang)
    write_mentions(result.mentions, args.output)
    print(
        t(
            "analysis.cli.summary",
            args.lang,
            rows=result.mentions.height,
            distinct=result.distinct_texts,
            analysed=result.analysed,
            cached=result.from_cache,
        )
    )
    print(t("analysis.cli.written", args.lang, path=args.output))
    return 0


def _engine(args: argparse.Namespace) -> str | Engine | None:
    """``--engine``, or with ``--workspace`` the engine that workspace analyses with (its vocabulary, adapted model)."""
    workspace = getattr(args, "workspace", None)
    if workspace is None:
        return args.engine
    from ascolto_core.scale.engine_state import named_workspace_engine

    return named_workspace_engine(workspace, args.engine)


def _run_in_batches(args: argparse.Namespace) -> int:
    """``analyze`` to .csv/.parquet: batch by batch, memory bounded by ``--batch-rows``."""
    from ascolto_core.scale.batches import DEFAULT_BATCH_ROWS, analyze_file

    if not args.input.is_file() and not args.input.is_dir():
        raise AscoltoError(
            "analysis.cli.read_failed", path=args.input, reason=t("analysis.cli.no_such_file", args.lang)
        )
    batch_rows = args.batch_rows or DEFAULT_BATCH_ROWS
    engine = _engine(args)
    with _progress_bar(not args.no_progress, unit="row") as progress:
        run = analyze_file(
            args.input,
            args.output,
            batch_rows=batch_rows,
            engine=engine,
            progress=progress,
            use_cache=not args.no_cache,
            summary=args.summary,
        )
    for line in run.report.lines(args.lang):
        print(line, file=sys.stderr)
    if run.fallback is not None:
        message = t(run.fallback, args.lang, **dict(run.fallback_params))
        print(t("analysis.cli.fallback", args.lang, message=message))
    for note in run.notes:
        print(t(note, args.lang))
    if run.engine is not None:
        print(t("analysis.cli.engine_used", args.lang, label=run.engine.label))
    if run.batches > 1:
        print(t("scale.batches_done", args.lang, rows=run.rows, batches=run.batches, batch_rows=batch_rows))
    print(
        t(
            "analysis.cli.summary",
            args.lang,
            rows=run.rows,
            distinct=run.distinct_texts,
            analysed=run.analysed,
            cached=run.from_cache,
        )
    )
    if args.summary is not None:
        print(t("scale.summary_written", args.lang, rows=run.summary_rows, path=args.summary))
    print(t("analysis.cli.written", args.lang, path=args.output))
    return 0


def _run_on_spark(args: argparse.Namespace) -> int:
    """``analyze --spark MASTER``: the same analysis on Apache Spark (Parquet/CSV files or folders)."""
    from ascolto_core.scale.spark import analyze_on_spark

    run = analyze_on_spark(
        str(args.input),
        str(args.output),
        master=args.spark,
        engine=args.engine,
        summary=str(args.summary) if args.summary is not None else None,
        workspace=getattr(args, "workspace", None),
    )
    print(t("scale.spark_done", args.lang, rows=run.rows, master=run.master, path=run.output))
    if args.summary is not None:
        print(t("scale.summary_written", args.lang, rows=run.summary_rows, path=args.summary))
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    """``evaluate``: the report goes to stdout, its last line ``macro_f1=0.xxx``."""
    mentions, report_lines = read_mentions(args.file, args.lang)
    for line in report_lines:
        print(line, file=sys.stderr)
    if "label" not in mentions.columns or mentions["label"].null_count() == mentions.height:
        raise AscoltoError("analysis.cli.no_label_column")
    gold = normalise_labels(mentions["label"])
    labelled = gold.is_not_null()
    skipped = mentions.filter(~labelled)
    if skipped.height:
        # The loader may already have emptied labels it did not recognise (and said so).
        named = skipped["label"].cast(pl.String).drop_nulls().unique(maintain_order=True).head(3).to_list()
        examples = ", ".join(repr(value) for value in named) or "—"
        print(
            t("analysis.cli.skipped_labels", args.lang, count=skipped.height, examples=examples),
            file=sys.stderr,
        )
    if not labelled.any():
        raise AscoltoError("analysis.cli.no_labelled_rows")
    with _progress_bar(not args.no_progress) as progress:
        result = analyze_mentions(
            mentions.filter(labelled), engine=args.engine, progress=progress, use_cache=not args.no_cache
        )
    _print_engine(result, args.lang, stream=sys.stderr)
    if args.learn is not None:
        from ascolto_core.analysis.learning.cli import print_learning_run

        return print_learning_run(result.mentions, gold.filter(labelled), args.learn, args.seed, args.lang)
    evaluation = evaluate_labels(gold.filter(labelled), result.mentions["sentiment"])
    print("\n".join(evaluation.lines()))
    return 0


def _print_engine(result: AnalysisResult, lang: str, stream: object = None) -> None:
    out = stream or sys.stdout
    message = result.fallback_message(lang)
    if message:
        print(t("analysis.cli.fallback", lang, message=message), file=out)  # type: ignore[arg-type]
    for note in result.notes:
        print(t(note, lang), file=out)  # type: ignore[arg-type]
    print(t("analysis.cli.engine_used", lang, label=result.engine.label), file=out)  # type: ignore[arg-type]


@contextmanager
def _progress_bar(enabled: bool, unit: str = "text") -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    bars: list[tqdm] = []  # created on the first report, when the total is known

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False))
        bar = bars[0]
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        for bar in bars:
            bar.close()


def read_mentions(path: Path, lang: str = "it") -> tuple[pl.DataFrame, list[str]]:
    """The mentions in ``path`` (canonical table) and the loader's report lines.

    Raises:
        AscoltoError: from the loader, or ``analysis.cli.read_failed`` for a missing file.
    """
    if not path.is_file():
        raise AscoltoError("analysis.cli.read_failed", path=path, reason=t("analysis.cli.no_such_file", lang))
    loaded = load_mentions(path)
    return loaded.mentions, list(loaded.report.lines(lang))


def write_mentions(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` as csv, parquet or xlsx according to the suffix of ``path``.

    Raises:
        AscoltoError: ``analysis.cli.bad_output`` for other suffixes;
            ``analysis.cli.write_failed`` when the file cannot be written.
    """
    from ascolto_core.insights.export import WRITABLE_SUFFIXES, write_table

    suffix = path.suffix.lower()
    if suffix not in WRITABLE_SUFFIXES:
        raise AscoltoError("analysis.cli.bad_output", suffix=suffix)
    try:
        write_table(frame, path)
    except AscoltoError as error:
        if error.key != "spreadsheet.write_failed":
            raise
        raise AscoltoError("analysis.cli.write_failed", path=path, reason=error.params.get("reason", "")) from error
