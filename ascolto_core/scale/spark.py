"""The same analysis on Apache Spark, through Arrow batches (``DataFrame.mapInArrow``).

The driver reads the input (Parquet file or folder, CSV file or folder), chooses
the column mapping once from the header exactly as the loader does, and
broadcasts the engine state (:mod:`ascolto_core.scale.engine_state`) once. Each
executor's Python worker turns every Arrow batch into a Polars frame and runs
:func:`ascolto_core.scale.batches.analyze_batch` (the loader's ``build_mentions``
and ``analyze_mentions``: the code the local ``analyze`` runs), with the engine
rebuilt from the broadcast state once per worker. Duplicates across batches are
then removed as the loader does (same ``id``, first in file order kept) and rows
are written in file order.

:func:`summarize_on_spark` computes the dashboard's daily summary with the same
:func:`ascolto_core.scale.summary.daily_summary` per batch, summed by Spark.

Requires ``pyspark`` and Java 17+; nothing else in ``ascolto_core`` imports this module.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.loading import MappingNeeded
from ascolto_core.loading.mapping import propose
from ascolto_core.scale.batches import BatchPlan, analyze_batch, display_tz
from ascolto_core.scale.engine_state import EngineState, engine_from_state, engine_state, workspace_state
from ascolto_core.scale.summary import SUMMARY_KEYS, SUMMARY_SCHEMA, combine_summaries, daily_summary

ORDER_COLUMN = "__ascolto_order"
# Rows per Arrow batch handed to a Python worker (Spark's default is 10,000).
ARROW_BATCH_ROWS = 50_000


@dataclass(frozen=True)
class SparkRun:
    """What :func:`analyze_on_spark` did: ``rows`` written to ``output`` on ``master``."""

    rows: int
    output: str
    master: str
    summary_rows: int | None = None


def spark_session(master: str = "local[2]", app_name: str = "ascolto") -> Any:
    """A SparkSession for ``master`` with Arrow on, UTC session time and Parquet timestamps in µs.

    Raises:
        AscoltoError: ``scale.spark_missing`` without pyspark; ``scale.spark_no_java`` without Java.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise AscoltoError("scale.spark_missing", reason=str(error)) from error
    if not java_available():
        raise AscoltoError("scale.spark_no_java")
    if master.startswith("local"):
        _local_workers_like_driver()
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH_ROWS))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.python.worker.reuse", "true")
    )
    if master.startswith("local"):
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4")
        )
    return builder.getOrCreate()


def _local_workers_like_driver() -> None:
    """Local Python workers run this interpreter and import this very ``ascolto_core``."""
    import sys

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    root = str(Path(__file__).resolve().parents[2])
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if root not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, *paths) if p)


def java_available() -> bool:
    """Whether a ``java`` Spark can start is on this machine (``$JAVA_HOME`` or ``PATH``)."""
    import shutil

    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").exists():
        return True
    return shutil.which("java") is not None


def read_input(spark: Any, path: str) -> Any:
    """A Spark DataFrame of ``path``: Parquet (file or folder) as typed, CSV with every column as text.

    Raises:
        AscoltoError: ``scale.spark_bad_input`` for other formats.
    """
    kind = _kind(path)
    if kind == "parquet":
        return spark.read.parquet(path)
    if kind == "csv":
        # As the loader: every column as text; quoted cells may span lines.
        return (
            spark.read.option("header", "true")
            .option("inferSchema", "false")
            .option("multiLine", "true")
            .option("escape", '"')
            .option("encoding", "UTF-8")
            .csv(path)
        )
    raise AscoltoError("scale.spark_bad_input", path=path)


def _kind(path: str) -> str | None:
    local = Path(path)
    if local.is_dir():
        names = [
            p.suffix.lower() for p in local.rglob("*") if p.is_file() and not p.name.startswith(("_", "."))
        ]
        if ".parquet" in names:
            return "parquet"
        return "csv" if ".csv" in names else None
    suffix = Path(path.rstrip("/")).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    # A remote folder (s3://, gs://, dbfs:/...) without a suffix: Parquet, the workspace format.
    return "parquet" if "://" in path or path.startswith("dbfs:") else None


def plan_for(columns: list[str], tz: str | None = None) -> BatchPlan:
    """The batch plan for a table with ``columns`` (the loader's mapping rules).

    Raises:
        MappingNeeded: when the columns are unclear.
    """
    proposal = propose([c for c in columns if c != ORDER_COLUMN])
    if not proposal.is_sure:
        raise MappingNeeded(proposal)
    return BatchPlan(dict(proposal.chosen), tz or display_tz(), ",")


def analyzed_frame(
    spark: Any, frame: Any, *, engine: str | None = None, state: EngineState | None = None
) -> Any:
    """``frame`` (the file's own columns) analysed on Spark: canonical + analysis columns, file order.

    Args:
        spark: the session.
        frame: a Spark DataFrame as :func:`read_input` returns it.
        engine: the engine the driver resolves and ships (default as the local ``analyze``).
        state: engine state to ship instead (e.g. a workspace's adapted model).
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    ordered = frame.withColumn(ORDER_COLUMN, F.monotonically_increasing_id())
    plan = plan_for(frame.columns)
    shipped = spark.sparkContext.broadcast(state or engine_state(engine))
    sample = _sample_output(ordered, plan, shipped.value)
    arrow_schema = _portable_schema(sample)

    def analyse_batches(batches: Iterator[Any]) -> Iterator[Any]:
        worker_engine = engine_from_state(shipped.value)  # built once per Python worker
        for batch in batches:
            result = analyze_batch(pl.from_arrow(batch), plan, worker_engine)  # type: ignore[arg-type]
            yield from result.to_arrow().cast(arrow_schema).to_batches()

    analysed = ordered.mapInArrow(analyse_batches, _spark_schema(arrow_schema))
    first = Window.partitionBy("id").orderBy(ORDER_COLUMN)
    return (
        analysed.withColumn("__first", F.row_number().over(first))
        .filter(F.col("__first") == 1)
        .drop("__first")
        .orderBy(ORDER_COLUMN)
        .drop(ORDER_COLUMN)
    )


def _sample_output(ordered: Any, plan: BatchPlan, state: EngineState) -> pl.DataFrame:
    """The local analysis of the first rows: it fixes the output schema Spark must be told."""
    sample = pl.from_arrow(ordered.limit(50).toArrow())
    return analyze_batch(sample, plan, engine_from_state(state))  # type: ignore[arg-type]


def _portable_schema(frame: pl.DataFrame) -> Any:
    """The Arrow schema of ``frame`` with plain string/list types Spark understands."""
    import pyarrow as pa

    def plain(dtype: Any) -> Any:
        if pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
            return pa.string()
        if pa.types.is_large_list(dtype) or pa.types.is_list(dtype) or pa.types.is_list_view(dtype):
            return pa.list_(plain(dtype.value_type))
        if pa.types.is_unsigned_integer(dtype):
            return pa.int64()
        if pa.types.is_null(dtype):
            return pa.string()
        return dtype

    schema = frame.to_arrow().schema
    return pa.schema([pa.field(f.name, plain(f.type)) for f in schema])


def _spark_schema(arrow_schema: Any) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema)


def summarize_on_spark(analysed: Any, tz: str | None = None) -> pl.DataFrame:
    """The daily summary of an analysed Spark DataFrame, as a (small) Polars frame.

    Each executor runs :func:`daily_summary` on its Arrow batches; Spark sums them.
    """
    from pyspark.sql import functions as F

    zone = tz or display_tz()
    needed = [
        c
        for c in ("created_at", "touchpoint", "brand", "sentiment", "emotion", "is_question")
        if c in analysed.columns
    ]
    schema = _portable_schema(pl.DataFrame(schema=SUMMARY_SCHEMA))

    def summarize_batches(batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            part = daily_summary(pl.from_arrow(batch), zone)  # type: ignore[arg-type]
            yield from part.to_arrow().cast(schema).to_batches()

    partial = analysed.select(*needed).mapInArrow(summarize_batches, _spark_schema(schema))
    total = partial.groupBy(*SUMMARY_KEYS).agg(
        F.sum("mentions").cast("long").alias("mentions"), F.sum("questions").cast("long").alias("questions")
    )
    return combine_summaries([pl.from_arrow(total.toArrow())])  # type: ignore[list-item]


def write_output(analysed: Any, output: str) -> None:
    """Parquet folder (default) or CSV folder (``.csv`` suffix: as the app's download, lists joined "a, b"
    and every text cell a spreadsheet would run as a formula neutralised with a leading ``'``)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, StringType

    from ascolto_core.insights.export import FORMULA_TRIGGERS, PLAIN_NUMBER

    if output.rstrip("/").lower().endswith(".csv"):
        runs = "^[" + "".join({"\t": r"\t", "\r": r"\r", "-": r"\-", "+": r"\+"}.get(c, c) for c in FORMULA_TRIGGERS) + "]"

        def flat(field: Any) -> Any:
            column = F.col(field.name)
            if isinstance(field.dataType, ArrayType):
                column = F.array_join(column.cast("array<string>"), ", ")
            elif not isinstance(field.dataType, StringType):
                return column.alias(field.name)
            risky = column.rlike(runs) & ~column.rlike(PLAIN_NUMBER)
            return F.when(risky, F.concat(F.lit("'"), column)).otherwise(column).alias(field.name)

        flat_frame = analysed.select(*(flat(field) for field in analysed.schema.fields))
        flat_frame.write.mode("overwrite").option("header", "true").option("escape", '"').csv(output)
        return
    analysed.write.mode("overwrite").parquet(output)


def analyze_on_spark(
    input_path: str,
    output: str,
    *,
    master: str = "local[2]",
    engine: str | None = None,
    summary: str | None = None,
    spark: Any = None,
    workspace: str | os.PathLike[str] | None = None,
) -> SparkRun:
    """``analyze`` on Spark: read ``input_path``, analyse, write ``output`` (and the daily summary).

    Args:
        workspace: a workspace folder (or name) the driver reads: its vocabulary and adapted
            model analyse the rows, as ``workspace_engine`` does locally; executors get them as
            data (:func:`ascolto_core.scale.engine_state.workspace_state`), once per executor.

    Raises:
        AscoltoError: ``scale.*`` when Spark cannot run; ``load.*``/``analysis.*`` as locally;
            ``workspace.*`` for a workspace that cannot be opened.
        MappingNeeded: when the columns are unclear.
    """
    from ascolto_core.scale.summary import write_summary

    if "://" not in input_path and not input_path.startswith("dbfs:") and not Path(input_path).exists():
        raise AscoltoError("load.not_found", path=input_path)
    # Before Spark starts: a wrong workspace fails in a second, not after the session is up.
    state = workspace_state(workspace, engine) if workspace is not None else None
    session = spark or spark_session(master)
    try:
        analysed = analyzed_frame(session, read_input(session, input_path), engine=engine, state=state)
        write_output(analysed, output)
        written = read_input(session, output)
        rows = int(written.count())
        summary_rows = None
        if summary is not None:
            table = summarize_on_spark(written)
            write_summary(table, Path(summary))
            summary_rows = table.height
    except AscoltoError:
        raise
    except Exception as error:  # Spark and Py4J raise many types; the person gets one clear line
        if type(error).__module__.split(".")[0] not in ("pyspark", "py4j"):
            raise
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
        raise AscoltoError("scale.spark_failed", reason=reason) from error
    return SparkRun(rows=rows, output=output, master=master, summary_rows=summary_rows)
