"""A workspace's engine as data: vocabulary, brand names and adapted model shipped to Spark executors (issue 14).

No Spark here (fast): the state pickles, rebuilds the very engine the workspace analyses
with, and ``analyze --workspace`` reads with it locally. The Spark parity test is in
``tests/test_scale_spark.py``. Labelled data is SYNTHETIC (``tests/test_learning.py``'s invented words).
"""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from test_learning import synthetic_posts

from ascolto_core.analysis.learning.engine import AdaptedEngine
from ascolto_core.analysis.learning.vocabulary import VocabularyEngine
from ascolto_core.analysis.pipeline import analyze_mentions
from ascolto_core.analysis.registry import reset_registry
from ascolto_core.cli import main
from ascolto_core.errors import AscoltoError
from ascolto_core.loading import load_mentions
from ascolto_core.schema import conform
from ascolto_core.scale import engine_state as states
from ascolto_core.workspace import Workspace, add_mentions
from ascolto_core.workspace.ingest import workspace_engine

LABELLED = 120


def taught_workspace(folder: Path, n: int = 300) -> tuple[Workspace, pl.DataFrame]:
    """A workspace with vocabulary and 120 labels in the brand's own words (adapted model in use), and its posts."""
    posts = synthetic_posts(n, seed=7).with_columns(
        pl.format("m{}", pl.int_range(pl.len())).alias("id"),
        pl.lit(datetime(2026, 11, 1, 9, tzinfo=UTC)).alias("created_at"),
    )
    workspace = Workspace.create(folder, brand="Forno Brio")
    add_mentions(workspace, conform(posts.drop("label")), origin="synthetic.csv", kind="upload", engine="embedded")
    workspace.set_term("la buona merenda", "name")  # a product: "buona" inside says nothing
    workspace.set_term("pacco", "polarity", polarity=-0.8)  # the person's word, not the lexicon's
    labels = posts.head(LABELLED).select(
        pl.col("id").alias("mention_id"), pl.col("label").alias("sentiment"), pl.lit(None, dtype=pl.String).alias("emotion")
    )
    workspace.set_labels(labels)
    return workspace, posts


def new_posts(n: int = 200) -> pl.DataFrame:
    """Posts the workspace has not seen, in its language (a file to analyse with its engine)."""
    return synthetic_posts(n, seed=21).drop("label").with_columns(
        pl.format("new{}", pl.int_range(pl.len())).alias("id"),
        pl.datetime(2026, 11, 2, 10, time_zone="UTC").alias("created_at"),
    )


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    reset_registry()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    reset_registry()
    return taught_workspace(tmp_path_factory.mktemp("scale-ws") / "ws")[0]


def test_the_workspace_engine_travels_as_data_and_comes_back_the_same(workspace: Workspace) -> None:
    engine = workspace_engine(workspace, "embedded")
    assert isinstance(engine, AdaptedEngine) and engine.in_use
    assert isinstance(engine.base, VocabularyEngine)

    state = states.workspace_state(workspace.path, "embedded")
    shipped = pickle.loads(pickle.dumps(state))  # what a broadcast does

    # Data only: the base lexicon and the entries, the fitted model and its info; no path, no labels.
    assert (state.kind, sorted(state.payload)) == ("adapted", ["base", "info", "model"])
    base = state.payload["base"]
    assert (base.kind, sorted(base.payload)) == ("vocabulary", ["entries", "lexicon"])
    assert {"la buona merenda", "pacco", "forno brio"} <= {entry.term for entry in base.payload["entries"]}
    assert str(workspace.path) not in repr(state.payload["info"])
    assert shipped.fingerprint == state.fingerprint

    rebuilt = states.engine_from_state(shipped)
    assert rebuilt.info == engine.info
    posts = new_posts()
    expected = analyze_mentions(posts, engine=engine, use_cache=False).mentions
    got = analyze_mentions(posts, engine=rebuilt, use_cache=False).mentions
    assert got.equals(expected)
    # The person's word reads as they said, also where the model is not used.
    pacco = states.engine_from_state(base).analyze(pl.Series(["il pacco"]), pl.Series(["it"]))
    assert pacco is not None and pacco["sentiment"].to_list() == ["negative"]


def test_engine_states_are_built_once_per_process(workspace: Workspace) -> None:
    state = states.workspace_state(workspace.path, "embedded")
    first = states.engine_from_state(state)
    # A second copy of the same state (the next batch's broadcast value) reuses the engine.
    assert states.engine_from_state(pickle.loads(pickle.dumps(state))) is first
    assert states.build_count(state.fingerprint) == 1
    assert states.build_count(state.payload["base"].fingerprint) == 1


def test_the_plain_engine_keeps_its_state() -> None:
    # Without a workspace the embedded engine ships its lexicon, as before; the same state from its instance.
    assert states.engine_state("embedded").kind == "embedded"
    from ascolto_core.analysis.embedded import EmbeddedEngine

    assert states.engine_state_of(EmbeddedEngine()).fingerprint == states.engine_state("embedded").fingerprint


def test_a_workspace_without_labels_ships_its_vocabulary_only(tmp_path: Path) -> None:
    # Few labels: no model to ship, the vocabulary engine (brand name as a name) travels.
    Workspace.create(tmp_path / "plain", brand="Forno Brio")
    state = states.workspace_state(tmp_path / "plain", "embedded")
    assert state.kind == "vocabulary"
    assert [entry.term for entry in state.payload["entries"]] == ["forno brio"]


def test_an_unknown_workspace_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AscoltoError) as raised:
        states.workspace_state(tmp_path / "nowhere")
    assert raised.value.key == "workspace.not_found"


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])  # batched writer, whole-file writer
def test_local_analyze_with_workspace_reads_with_its_engine(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    source = tmp_path / "new.csv"
    new_posts().write_csv(source)
    output = tmp_path / f"out{suffix}"
    code = main(
        ["analyze", str(source), "-o", str(output), "--workspace", str(workspace.path), "--engine", "embedded",
         "--no-progress", "--no-cache"]
    )
    assert code == 0
    assert "adapted" in capsys.readouterr().out
    expected = analyze_mentions(
        load_mentions(source).mentions, engine=workspace_engine(workspace, "embedded"), use_cache=False
    ).mentions
    if suffix == ".parquet":
        got = pl.read_parquet(output)
        assert got.select(expected.columns).equals(expected)
    else:
        got = pl.read_excel(output)
        assert got["sentiment"].to_list() == expected["sentiment"].to_list()
        assert got["engine"].to_list() == expected["engine"].to_list()
        assert expected["engine"][0].startswith("adapted")


def test_analyze_with_a_missing_workspace_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "new.csv"
    new_posts(5).write_csv(source)
    code = main(["analyze", str(source), "-o", str(tmp_path / "o.parquet"), "--workspace", str(tmp_path / "no")])
    assert code != 0
    assert "Traceback" not in capsys.readouterr().err


def test_cluster_addresses_stay_whole_and_need_spark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "s3://bucket/x" must reach Spark as written (a Path would fold it into "s3:/bucket/x").
    import argparse

    from ascolto_core.analysis.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["analyze", "s3://bucket/mentions/", "-o", "hdfs://host/out", "--spark", "local[2]"])
    assert (args.input, args.output) == ("s3://bucket/mentions/", "hdfs://host/out")
    # Without --spark an address is a clear message, not a missing local file.
    assert main(["analyze", "s3://bucket/mentions/", "-o", str(tmp_path / "o.parquet")]) != 0
    assert "--spark" in capsys.readouterr().err
