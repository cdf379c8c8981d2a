"""The dashboard's numbers from a daily summary alone equal the insights on the mentions (issue 14).

One computation per number: every summary view is compared with ``==`` to the insights
function the pages run on the mentions themselves.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from ascolto_core.analysis.pipeline import analyze_mentions
from ascolto_core.errors import AscoltoError
from ascolto_core.insights import emotion_mix, headline, touchpoint_summary, volume_over_time
from ascolto_core.insights.competitors import brand_comparison
from ascolto_core.loading import load_mentions
from ascolto_core.scale.summary import combine_summaries, daily_summary
from ascolto_core.scale.summary_insights import (
    read_summary_path,
    summary_brands,
    summary_emotions,
    summary_from_files,
    summary_totals,
    summary_touchpoints,
    summary_volume,
)

DEMO_CSV = Path(__file__).resolve().parent.parent / "ascolto_core" / "datasets" / "demo" / "mentions.csv"


@pytest.fixture(scope="module")
def mentions() -> pl.DataFrame:
    analysed = analyze_mentions(load_mentions(DEMO_CSV).mentions, engine="embedded", use_cache=False).mentions
    brands = pl.Series(["Forno Brio", "Panificio Rivale", None])
    # Two brands and mentions naming none; one mention without a date.
    return analysed.with_columns(
        brands.gather(pl.int_range(analysed.height, eager=True) % 3).alias("brand"),
        pl.when(pl.int_range(pl.len()) == 5).then(None).otherwise(pl.col("created_at")).alias("created_at"),
    )


@pytest.fixture(scope="module")
def summary(mentions: pl.DataFrame) -> pl.DataFrame:
    return daily_summary(mentions)


@pytest.mark.parametrize("freq", ["day", "week", "month"])
@pytest.mark.parametrize("split", ["none", "sentiment", "touchpoint", "emotion", "brand"])
def test_timeline_from_the_summary_is_the_timeline_of_the_mentions(
    mentions: pl.DataFrame, summary: pl.DataFrame, freq: str, split: str
) -> None:
    assert summary_volume(summary, freq=freq, split=split).equals(volume_over_time(mentions, freq=freq, split=split))


def test_touchpoints_emotions_and_brands_equal_the_pages_figures(mentions: pl.DataFrame, summary: pl.DataFrame) -> None:
    assert summary_touchpoints(summary).equals(touchpoint_summary(mentions).drop("engagement"))
    for by in ("touchpoint", "sentiment", "brand", "none"):
        assert summary_emotions(summary, by).equals(emotion_mix(mentions, by)), by
    assert summary_brands(summary).equals(brand_comparison(mentions))


def test_totals_equal_the_headline_of_the_whole_period(mentions: pl.DataFrame, summary: pl.DataFrame) -> None:
    totals = summary_totals(summary)
    whole = headline(mentions).current
    assert (totals.mentions, totals.analysed, totals.undated) == (mentions.height, whole.analysed, 1)
    assert (totals.negative_share, totals.positive_share, totals.net_sentiment) == (
        whole.negative_share,
        whole.positive_share,
        whole.net_sentiment,
    )
    assert totals.dominant_emotion == whole.dominant_emotion
    assert (totals.date_from, totals.date_to) == (whole.date_from, whole.date_to)
    assert totals.questions == int(mentions["is_question"].sum())
    assert (totals.brands, totals.touchpoints) == (2, mentions["touchpoint"].fill_null("other").n_unique())


def test_a_summary_in_parts_reads_as_one(mentions: pl.DataFrame, summary: pl.DataFrame, tmp_path: Path) -> None:
    # Spark writes a folder of parts; a person may upload them all: counts add up.
    parts = [daily_summary(chunk) for chunk in mentions.iter_slices(97)]
    files = []
    for i, part in enumerate(parts):
        part.write_parquet(tmp_path / f"part-{i:05d}.parquet")
        buffer = io.BytesIO()
        part.write_parquet(buffer)
        files.append((f"part-{i:05d}.parquet", buffer.getvalue()))
    (tmp_path / "_SUCCESS").write_text("")
    assert summary_from_files(files).equals(summary)
    assert read_summary_path(tmp_path).equals(summary)
    summary.write_csv(tmp_path / "daily.csv")
    assert read_summary_path(tmp_path / "daily.csv").equals(summary)
    assert combine_summaries(parts).equals(summary)


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("daily.parquet", b"not parquet at all", "summary_view.unreadable"),  # damaged / foreign bytes
        ("mentions.csv", b"id,text,created_at\n1,ciao,2026-11-01\n", "summary_view.not_a_summary"),  # a mentions file
        ("notes.txt", b"hello", "summary_view.bad_suffix"),  # neither Parquet nor CSV
        ("daily.csv", b"", "summary_view.unreadable"),  # empty file
        (
            "daily.csv",
            b"day,touchpoint,brand,sentiment,emotion,mentions,questions\n2026-11-01,x,,positive,joy,many,0\n",
            "summary_view.unreadable",
        ),  # right columns, a count that is no number
    ],
)
def test_files_that_are_no_summary_get_a_message(name: str, content: bytes, key: str) -> None:
    with pytest.raises(AscoltoError) as raised:
        summary_from_files([(name, content)])
    assert raised.value.key == key
    assert name in raised.value.message("it")


def test_no_files_and_missing_paths_are_messages(tmp_path: Path) -> None:
    with pytest.raises(AscoltoError) as raised:
        summary_from_files([])
    assert raised.value.key == "summary_view.no_files"
    with pytest.raises(AscoltoError) as raised:
        read_summary_path(tmp_path / "nowhere.parquet")
    assert raised.value.key == "summary_view.not_found"
    with pytest.raises(AscoltoError) as raised:
        read_summary_path(tmp_path)  # an empty folder
    assert raised.value.key == "summary_view.no_files"


def test_an_empty_summary_gives_empty_views() -> None:
    # Guard: a summary with no rows (an empty input) draws nothing and counts zero.
    empty = daily_summary(pl.DataFrame({"text": []}, schema={"text": pl.String}))
    assert summary_volume(empty).is_empty() and summary_touchpoints(empty).is_empty()
    assert summary_emotions(empty).is_empty() and summary_brands(empty).is_empty()
    totals = summary_totals(empty)
    assert (totals.mentions, totals.date_from, totals.net_sentiment, totals.days) == (0, None, None, 0)
