"""The adapted model applied to a workspace's stored results (issue 10, point 3).

Labelled data is SYNTHETIC (tests/test_learning.py's generator of invented brand words),
never the shared evaluation files.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from test_learning import synthetic_posts

from ascolto_core.analysis.learning.engine import AdaptedEngine
from ascolto_core.analysis.registry import reset_registry
from ascolto_core.schema import conform
from ascolto_core.workspace import Workspace, add_mentions, refresh_analysis, staleness
from ascolto_core.workspace.ingest import teaching_quality, workspace_engine

LABELLED = 120


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    reset_registry()


def _workspace(tmp_path: Path, posts: pl.DataFrame) -> Workspace:
    workspace = Workspace.create(tmp_path / "ws", brand="Forno Brio")
    mentions = posts.with_columns(
        pl.format("m{}", pl.int_range(pl.len())).alias("id"),
        pl.lit(datetime(2026, 11, 1, tzinfo=UTC)).alias("created_at"),
    )
    add_mentions(workspace, conform(mentions.drop("label")), origin="synthetic.csv", kind="upload", engine="embedded")
    return workspace


def _label(workspace: Workspace, labels: pl.DataFrame) -> None:
    workspace.set_labels(labels.select("mention_id", "sentiment", pl.lit(None, dtype=pl.String).alias("emotion")))


def test_labels_in_the_brands_own_language_switch_the_workspace_to_the_adapted_model(tmp_path: Path) -> None:
    posts = synthetic_posts(300, seed=7)
    workspace = _workspace(tmp_path, posts)
    before = workspace.mentions().sort("id")
    truth = before.select("id").join(
        posts.with_columns(pl.format("m{}", pl.int_range(pl.len())).alias("id")).select("id", "label"), on="id", maintain_order="left"
    )
    assert staleness(workspace, "embedded").stale == 0
    labelled = truth.head(LABELLED).rename({"id": "mention_id", "label": "sentiment"})

    _label(workspace, labelled)
    engine = workspace_engine(workspace, "embedded")

    # The person's words decide: cross-validation says the model wins, so it reads the workspace.
    assert isinstance(engine, AdaptedEngine) and engine.info.name == "adapted"
    sentiment, _ = teaching_quality(workspace, "embedded")
    assert (sentiment.in_use, sentiment.reason) == ("adapted", "learning.quality.adapted_better")
    # Trained once per teaching revision, not on every call.
    assert workspace_engine(workspace, "embedded") is engine
    # The stored results were read by the engine alone: all of them are stale "by teaching".
    stale = staleness(workspace, "embedded")
    assert (stale.stale, stale.total) == (300, 300)

    assert refresh_analysis(workspace, engine="embedded") == 300

    after = workspace.mentions().sort("id")
    unseen = truth.slice(LABELLED)["label"]  # posts the person never labelled
    hits_before = (before["sentiment"].slice(LABELLED) == unseen).mean()
    hits_after = (after["sentiment"].slice(LABELLED) == unseen).mean()
    assert hits_after >= hits_before + 0.3
    fresh = staleness(workspace, "embedded")
    assert fresh.stale == 0
    assert [stamp.split()[0] for stamp in fresh.engines] == ["adapted"]


def test_labels_that_agree_with_the_engine_keep_the_engine(tmp_path: Path) -> None:
    # Teaching never makes things worse: nothing to gain, nothing changes, nothing goes stale.
    texts = ["ottimo servizio, grazie", "pessimo, una vergogna", "aprite domenica alle 9"] * 20
    posts = pl.DataFrame({"text": [f"{text} {i}" for i, text in enumerate(texts)], "lang": "it", "label": ""})
    workspace = _workspace(tmp_path, posts)
    stored = workspace.mentions()

    _label(workspace, stored.select(pl.col("id").alias("mention_id"), "sentiment"))

    assert workspace_engine(workspace, "embedded").info.name == "embedded"
    sentiment, _ = teaching_quality(workspace, "embedded")
    assert (sentiment.in_use, sentiment.reason) == ("engine", "learning.quality.engine_better")
    assert staleness(workspace, "embedded").stale == 0


def test_too_few_labels_train_nothing_and_say_so(tmp_path: Path) -> None:
    # Guard: 5 labels cannot be cross-validated; the engine stays and the estimate says why.
    posts = synthetic_posts(40, seed=2)
    workspace = _workspace(tmp_path, posts)
    stored = workspace.mentions().head(5)

    _label(workspace, stored.select(pl.col("id").alias("mention_id"), "sentiment"))

    assert workspace_engine(workspace, "embedded").info.name == "embedded"
    assert [(q.labels, q.in_use, q.reason) for q in teaching_quality(workspace, "embedded")] == [
        (5, "engine", "learning.quality.too_few"),
        (0, "engine", "learning.quality.too_few"),
    ]


def test_insegna_says_the_adapted_model_reads_the_posts_and_offers_the_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from app_harness import APP, texts
    from ascolto_core.i18n import t

    posts = synthetic_posts(200, seed=7)
    workspace = _workspace(tmp_path, posts)
    ids = workspace.mentions().select("id")
    truth = ids.join(
        posts.with_columns(pl.format("m{}", pl.int_range(pl.len())).alias("id")).select("id", "label"), on="id"
    )
    _label(workspace, truth.head(LABELLED).rename({"id": "mention_id", "label": "sentiment"}))
    monkeypatch.setenv("ASCOLTO_WORKSPACE", str(workspace.path))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page("pages/teach.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    shown = texts(at)
    assert t("teachui.estimate.reason_adapted_better", "it", labels=LABELLED) in shown
    assert t("teachui.estimate.stale", "it", n=200) in shown
    at.button(key="teach_estimate_apply").click()
    at.run()

    assert not at.exception, [e.value for e in at.exception]
    assert staleness(workspace).stale == 0
    assert t("teachui.vocabulary.applied", "it", n=200) in texts(at)
    assert t("teachui.estimate.stale", "it", n=200) not in texts(at)
