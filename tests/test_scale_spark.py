"""Spark parity: ``analyze --spark local[2]`` gives the rows the local ``analyze`` gives.

One SparkSession for the module (it takes ~10 s to start) on 127.0.0.1, small data.
Skipped, with the reason, only where pyspark or Java is missing (``make java`` installs Java).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ascolto_core.analysis.pipeline import analyze_mentions
from ascolto_core.datasets.synth import synthesize
from ascolto_core.loading import load_mentions
from ascolto_core.scale.summary import daily_summary, read_summary

pyspark = pytest.importorskip("pyspark", reason="pyspark not installed (pip install -r requirements.txt)")

from ascolto_core.scale import spark as spark_scale

if not spark_scale.java_available():
    pytest.skip(
        "Java not installed: run `make java` (Debian openjdk-17-jre-headless)", allow_module_level=True
    )

DEMO_CSV = Path(__file__).resolve().parent.parent / "ascolto_core" / "datasets" / "demo" / "mentions.csv"


@pytest.fixture(scope="module")
def spark():
    session = spark_scale.spark_session("local[2]", app_name="ascolto-test")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def posts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 3,000 recombined posts without ids or languages (detected per batch), 30 repeated at the end.
    folder = tmp_path_factory.mktemp("spark-input")
    frame = synthesize(3_000, seed=11).drop("id", "lang")
    path = folder / "posts.csv"
    pl.concat([frame, frame.head(30)]).write_csv(path)
    return path


def _local(path: Path) -> pl.DataFrame:
    return analyze_mentions(load_mentions(path).mentions, engine="embedded", use_cache=False).mentions


def test_spark_rows_equal_local_analyze(spark, posts: Path, tmp_path: Path) -> None:
    expected = _local(posts)
    run = spark_scale.analyze_on_spark(
        str(posts),
        str(tmp_path / "out"),
        master="local[2]",
        engine="embedded",
        summary=str(tmp_path / "daily.parquet"),
        spark=spark,
    )
    got = pl.read_parquet(tmp_path / "out" / "*.parquet")
    assert run.rows == expected.height == 3_000
    assert got.select(expected.columns).equals(expected)
    # The dashboard's daily summary computed on Spark is the local one.
    assert read_summary(tmp_path / "daily.parquet").equals(daily_summary(expected))


def test_spark_parquet_input_and_csv_output(spark, tmp_path: Path) -> None:
    # The workspace's format in (Parquet), the app's download layout out (lists joined "a, b").
    mentions = load_mentions(DEMO_CSV).mentions
    # A text a spreadsheet would run as a formula is neutralised in the CSV, as in every file Ascolto writes.
    mentions = mentions.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("=HYPERLINK(\"http://x\")")).otherwise(pl.col("text")).alias("text")
    )
    mentions.write_parquet(tmp_path / "demo.parquet")
    expected = analyze_mentions(mentions, engine="embedded", use_cache=False).mentions
    spark_scale.analyze_on_spark(
        str(tmp_path / "demo.parquet"), str(tmp_path / "out.csv"), engine="embedded", spark=spark
    )
    got = pl.read_csv(tmp_path / "out.csv" / "*.csv", infer_schema=False)
    assert got.height == expected.height
    assert got["id"].to_list() == expected["id"].to_list()
    assert got["sentiment"].to_list() == expected["sentiment"].to_list()
    joined = expected["drivers_neg"].list.join(", ").to_list()
    assert [value or "" for value in got["drivers_neg"].to_list()] == joined
    assert got["text"][0] == "'=HYPERLINK(\"http://x\")"
    assert [value or "" for value in got["aspects"].to_list()] == expected["aspects"].list.join(", ").to_list()


def test_engine_state_reaches_executors_once_per_worker(spark) -> None:
    # Many batches, few builds: each Python worker builds the engine from the broadcast state once.
    from ascolto_core.scale.engine_state import engine_state

    shipped = spark.sparkContext.broadcast(engine_state("embedded"))

    def builds(batches):
        import pyarrow as pa

        from ascolto_core.scale.engine_state import built_states, engine_from_state

        for batch in batches:
            engine_from_state(shipped.value)
            yield pa.RecordBatch.from_pydict({"built": [len(built_states())] * batch.num_rows})

    frame = spark.range(0, 20_000, numPartitions=2).repartition(2)
    counts = frame.mapInArrow(builds, "built long").toArrow().column("built").to_pylist()
    assert len(counts) == 20_000
    assert max(counts) == 1


@pytest.fixture(scope="module")
def taught(tmp_path_factory: pytest.TempPathFactory):
    # A workspace whose vocabulary and 120 labels put the adapted model in use (tests/test_scale_workspace.py).
    from test_scale_workspace import taught_workspace

    from ascolto_core.analysis.registry import reset_registry

    reset_registry()
    return taught_workspace(tmp_path_factory.mktemp("spark-ws") / "ws")[0]


def test_spark_with_a_workspace_equals_the_local_workspace_engine(spark, taught, tmp_path: Path) -> None:
    from test_scale_workspace import new_posts

    from ascolto_core.workspace.ingest import workspace_engine

    source = tmp_path / "new.parquet"
    new_posts(600).write_parquet(source)
    engine = workspace_engine(taught, "embedded")
    assert engine.info.name == "adapted" and engine.in_use
    expected = analyze_mentions(load_mentions(source).mentions, engine=engine, use_cache=False).mentions

    # Through the command line (the module's session is the one Spark hands back), then spark-submit's script.
    from ascolto_core.cli import main
    from ascolto_core.scale import submit

    workspace = ["--workspace", str(taught.path), "--engine", "embedded"]
    assert main(["analyze", str(source), "-o", str(tmp_path / "cli"), "--spark", "local[2]", *workspace]) == 0
    assert submit.main([str(source), str(tmp_path / "submitted"), *workspace]) == 0
    for out in ("cli", "submitted"):
        got = pl.read_parquet(tmp_path / out / "*.parquet")
        assert got.select(expected.columns).equals(expected), out


def test_workspace_state_is_built_once_per_worker_not_per_batch(spark, taught) -> None:
    # Small Arrow batches: every worker sees many, and builds the adapted engine (and its base) once.
    from ascolto_core.scale.engine_state import workspace_state

    state = workspace_state(taught.path, "embedded")
    shipped = spark.sparkContext.broadcast(state)

    def builds(batches):
        import os

        import pyarrow as pa

        from ascolto_core.scale.engine_state import build_count, engine_from_state

        for batch in batches:
            engine_from_state(shipped.value)
            counts = (build_count(shipped.value.fingerprint), build_count(shipped.value.payload["base"].fingerprint))
            yield pa.RecordBatch.from_pydict(
                {"pid": [os.getpid()], "adapted": [counts[0]], "base": [counts[1]], "rows": [batch.num_rows]}
            )

    previous = spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch")
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "100")
    try:
        frame = spark.range(0, 2_000, numPartitions=2)
        seen = pl.from_arrow(frame.mapInArrow(builds, "pid long, adapted long, base long, rows long").toArrow())
    finally:
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", previous)
    assert seen["rows"].sum() == 2_000
    per_worker = seen.group_by("pid").agg(pl.len().alias("batches"))
    assert per_worker["batches"].max() > 1  # many batches per worker...
    assert (seen["adapted"].unique().to_list(), seen["base"].unique().to_list()) == ([1], [1])  # ...one build
