"""analyze_mentions: columns and order, languages, de-duplication, cache, fallback, odd input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny_models import CountingEngine

from ascolto_core.analysis import AnalysisResult, analyze_mentions, available_engines, describe_engine
from ascolto_core.analysis.base import EngineInfo
from ascolto_core.analysis.registry import EngineSpec, register_engine
from ascolto_core.errors import AscoltoError
from ascolto_core.insights.aspects import ASPECT_COLUMNS
from ascolto_core.schema import ANALYSIS_SCHEMA, EMOTIONS, SENTIMENTS, conform


@pytest.fixture
def counting(embedded_engine: Any) -> CountingEngine:
    """The embedded engine, wrapped to count what it analyses, registered under its own name."""
    engine = CountingEngine(embedded_engine)
    register_engine(
        EngineSpec("embedded", lambda s: engine.info, lambda s: None, lambda s: engine), replace=True
    )
    return engine


def mentions(texts: list[str | None], langs: list[str | None] | None = None) -> pl.DataFrame:
    frame = pl.DataFrame(
        {"text": texts, "lang": langs or [None] * len(texts)}, schema={"text": pl.String, "lang": pl.String}
    )
    return conform(frame)


def test_adds_analysis_columns_after_the_input_ones(counting: CountingEngine) -> None:
    frame = mentions(["Pane ottimo!", "Personale scortese, a che ora aprite?"], ["it", "it"]).with_columns(
        pl.Series("colonna_utente", [1, 2])
    )
    result = analyze_mentions(frame)
    # Aspects (issue 12) come last: topics and their own sentiment, as columns of the analysed table.
    assert result.mentions.columns == [*frame.columns, *ANALYSIS_SCHEMA, *ASPECT_COLUMNS]
    assert result.mentions.schema == {**frame.schema, **ANALYSIS_SCHEMA, **ASPECT_COLUMNS}
    assert result.mentions.drop([*ANALYSIS_SCHEMA, *ASPECT_COLUMNS]).equals(frame)
    assert result.mentions["is_question"].to_list() == [False, True]
    assert result.mentions["engine"].to_list() == [counting.info.label] * 2
    assert set(result.mentions["sentiment"].to_list()) <= set(SENTIMENTS)
    assert set(result.mentions["emotion"].to_list()) <= set(EMOTIONS)


def test_language_is_filled_only_where_missing(counting: CountingEngine) -> None:
    frame = mentions(
        [
            "Il servizio è stato davvero ottimo, grazie a tutti",
            "The staff was really kind and the bread was great",
            "ciao",
        ],
        [None, None, "fr"],
    )
    result = analyze_mentions(frame)
    # Detected where null; a language the user's file gave ("fr") is kept as it was.
    assert result.mentions["lang"].to_list() == ["it", "en", "fr"]


def test_texts_left_to_py3langid_are_analysed_like_the_others(counting: CountingEngine) -> None:
    texts = [
        "Il pane di oggi era davvero buono",  # the vote decides: analysed in the first batch
        "Mi piace :)",  # the vote cannot tell: py3langid says Italian, analysed afterwards
        "Mi piace :)",  # a repeat of a pending text: analysed once
        "Una certezza.",  # pending too
        "Una certezza.",  # the same text with its language given: the two batches share one result
    ]
    frame = mentions(texts, [None, None, None, None, "it"])
    seen: list[tuple[int, int]] = []
    result = analyze_mentions(frame, progress=lambda d, t: seen.append((d, t)))
    assert result.mentions["lang"].to_list() == ["it", "it", "it", "it", "it"]
    # Same results as when every language was given from the start.
    given = analyze_mentions(mentions(texts, ["it"] * 5), use_cache=False)
    assert result.mentions.equals(given.mentions)
    assert (result.distinct_texts, result.analysed, result.from_cache) == (3, 3, 0)
    assert counting.texts_analysed == 6  # 3 here, 3 again without the cache
    assert seen[-1] == (3, 3)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_identical_texts_are_analysed_once(counting: CountingEngine) -> None:
    frame = mentions(["pane ottimo", "pane ottimo", "attesa infinita", "pane ottimo", None, ""], ["it"] * 6)
    result = analyze_mentions(frame)
    # Three distinct (text, language) pairs: "pane ottimo", "attesa infinita" and "" (null counts as "").
    assert counting.texts_analysed == 3
    assert (result.distinct_texts, result.analysed, result.from_cache) == (3, 3, 0)
    assert result.mentions.height == 6
    rows = result.mentions["sentiment"].to_list()
    assert rows[0] == rows[1] == rows[3]


def test_second_run_comes_from_the_cache(counting: CountingEngine) -> None:
    frame = mentions(["pane ottimo", "personale scortese", "ok"], ["it", "it", "it"])
    first = analyze_mentions(frame)
    calls_after_first = counting.texts_analysed
    second = analyze_mentions(frame)
    assert calls_after_first == 3
    assert counting.texts_analysed == 3  # the engine was not called again
    assert (second.from_cache, second.analysed) == (3, 0)
    assert second.mentions.equals(first.mentions)
    # One new text: only that one is analysed.
    third = analyze_mentions(pl.concat([frame, mentions(["nuovo messaggio"], ["it"])]))
    assert (third.from_cache, third.analysed) == (3, 1)
    assert counting.calls[-1] == ["nuovo messaggio"]


def test_aspects_of_known_texts_come_from_the_cache(
    counting: CountingEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ascolto_core.insights import aspects

    read: list[int] = []
    original = aspects.annotate_aspects

    def counted(frame: pl.DataFrame, *args: Any, **kwargs: Any) -> pl.DataFrame:
        read.append(frame.height)
        return original(frame, *args, **kwargs)

    monkeypatch.setattr(aspects, "annotate_aspects", counted)
    frame = mentions(["Il personale scortese, prezzi alti", "Il cornetto era buonissimo", "ok"], ["it"] * 3)
    first = analyze_mentions(frame)
    assert read == [3]
    second = analyze_mentions(frame)
    assert read == [3]  # every text's aspects were known
    assert second.mentions.equals(first.mentions)
    assert first.mentions["aspects"][0].len() >= 2
    # A new text: only its aspects are read.
    analyze_mentions(pl.concat([frame, mentions(["Cassa lentissima"], ["it"])]))
    assert read == [3, 1]


def test_another_taxonomy_reads_the_aspects_again() -> None:
    from ascolto_core.insights.aspects import AspectTaxonomy, aspects_cache_info, default_taxonomy

    mine = AspectTaxonomy.from_dict({"aspects": {"parking": {"it": ["parcheggio"], "en": ["parking"]}}})
    assert aspects_cache_info(mine) != aspects_cache_info(default_taxonomy())
    assert aspects_cache_info() == aspects_cache_info(default_taxonomy())


def test_cache_can_be_bypassed_and_redirected(counting: CountingEngine, tmp_path: Path) -> None:
    frame = mentions(["pane ottimo"], ["it"])
    analyze_mentions(frame, cache_dir=tmp_path)
    assert analyze_mentions(frame, cache_dir=tmp_path).from_cache == 1
    assert analyze_mentions(frame, use_cache=False).analysed == 1
    assert (
        analyze_mentions(frame).from_cache == 0
    )  # the default location (ASCOLTO_CACHE_DIR) is another cache


def test_unusable_cache_still_analyses_and_says_so(counting: CountingEngine, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = analyze_mentions(mentions(["pane ottimo"], ["it"]), cache_dir=blocker / "cache")
    assert result.analysed == 1
    assert result.notes == ("analysis.cache_unavailable",)


@pytest.mark.parametrize(
    "failing",
    [
        "store",  # results cannot be saved (disk full): the analysis still completes
        "store_languages",  # detected languages cannot be saved
    ],
)
def test_a_cache_that_cannot_be_written_is_a_note(
    counting: CountingEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, failing: str
) -> None:
    from ascolto_core.analysis.cache import CacheUnavailable, ResultCache

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise CacheUnavailable("database or disk is full")

    monkeypatch.setattr(ResultCache, failing, refuse)
    result = analyze_mentions(mentions(["Il pane di oggi era davvero buono", "Brave!"]), cache_dir=tmp_path)
    assert result.analysed == 2
    assert result.mentions["sentiment"].null_count() == 0
    assert result.notes == ("analysis.cache_unavailable",)


def test_progress_reaches_the_total(counting: CountingEngine) -> None:
    seen: list[tuple[int, int]] = []
    analyze_mentions(
        mentions([f"messaggio {i}" for i in range(5)], ["it"] * 5), progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (5, 5)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_empty_table(counting: CountingEngine) -> None:
    result = analyze_mentions(mentions([]))
    assert result.mentions.is_empty()
    assert result.mentions.schema == {**mentions([]).schema, **ANALYSIS_SCHEMA, **ASPECT_COLUMNS}
    assert (result.analysed, result.from_cache, counting.calls) == (0, 0, [])


def test_existing_analysis_columns_are_replaced(counting: CountingEngine) -> None:
    analysed = analyze_mentions(mentions(["pane ottimo"], ["it"])).mentions
    again = analyze_mentions(analysed.with_columns(pl.lit("vecchio").alias("sentiment")))
    assert again.mentions.columns == analysed.columns
    assert again.mentions["sentiment"].to_list() == analysed["sentiment"].to_list()


@pytest.mark.parametrize(
    ("call", "key"),
    [
        # a file with no text column
        (lambda: analyze_mentions(pl.DataFrame({"messaggio": ["ciao"]})), "analysis.no_text_column"),
        # an engine nobody registered
        (lambda: analyze_mentions(mentions(["ciao"]), engine="gpt"), "analysis.unknown_engine"),
    ],
)
def test_user_errors_are_ascolto_errors(counting: CountingEngine, call: Any, key: str) -> None:
    with pytest.raises(AscoltoError) as raised:
        call()
    assert raised.value.key == key


def test_not_a_frame_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expected polars.DataFrame, got list"):
        analyze_mentions(["ciao"])  # type: ignore[arg-type]


class BrokenEngine:
    """An engine that crashes, or answers with the wrong number of rows."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.info = EngineInfo("broken", "broken", "1")

    def analyze(self, texts: pl.Series, langs: pl.Series, progress: Any = None) -> pl.DataFrame | None:
        if self.mode == "raise":
            raise RuntimeError("boom")
        if self.mode == "none":
            return None
        return pl.DataFrame({"sentiment": ["neutral"]})


@pytest.mark.parametrize(
    "mode",
    [
        "raise",  # an engine that raises mid-analysis
        "none",  # an engine that says "I cannot run here"
        "short",  # an engine that returns fewer rows than texts
    ],
)
def test_a_failing_engine_falls_back_to_embedded(counting: CountingEngine, mode: str) -> None:
    broken = BrokenEngine(mode)
    register_engine(
        EngineSpec("broken", lambda s: broken.info, lambda s: None, lambda s: broken, auto_priority=-1)
    )
    result = analyze_mentions(mentions(["pane ottimo", "ciao"], ["it", "it"]), engine="broken")
    assert (result.engine, result.requested, result.fallback) == (
        counting.info,
        "broken",
        "analysis.fallback.run_failed",
    )
    assert result.mentions["engine"].to_list() == [counting.info.label] * 2
    assert "broken" in (result.fallback_message("it") or "")


def test_environment_overrides_config(
    counting: CountingEngine, analysis_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysis_config(engine="transformers", transformers={"sentiment_model": "no-such-org/no-such-model"})
    monkeypatch.setenv("ASCOLTO_ENGINE", "embedded")
    assert analyze_mentions(mentions(["ciao"])).fallback is None
    monkeypatch.delenv("ASCOLTO_ENGINE")
    result = analyze_mentions(mentions(["ciao"]))
    assert (result.requested, result.engine.name, result.fallback) == (
        "transformers",
        "embedded",
        "analysis.fallback.model_not_local",
    )


def test_engines_on_offer_and_their_description(counting: CountingEngine, analysis_config: Any) -> None:
    analysis_config(transformers={"sentiment_model": "no-such-org/no-such-model"})
    assert [info.name for info in available_engines()] == ["embedded"]
    assert "offline" in describe_engine(counting.info, "en")
    assert describe_engine(EngineInfo("plugin", "m", "3"), "en") == "Engine plugin · m (version 3)."


ODD_TEXTS = [
    "",  # empty
    "😡😡😡🔥",  # emoji only
    "https://example.com/pagina?id=1",  # only a URL
    "a" * 100_000,  # 100,000 characters
    "Servizio pessimo but the bread was great 👍",  # mixed languages
    "\x00\x01\x02\t\r\n",  # control characters
    "\u202eevil\u200b zero width",  # bidi and zero-width characters
    "????!!!!",  # punctuation only
]


def test_odd_texts_get_defined_results(counting: CountingEngine) -> None:
    result: AnalysisResult = analyze_mentions(mentions(ODD_TEXTS))
    frame = result.mentions
    assert frame.height == len(ODD_TEXTS)
    assert frame.select(pl.col(list(ANALYSIS_SCHEMA)).null_count()).sum_horizontal().item() == 0
    assert frame["sentiment_score"].is_between(-1, 1).all()
    assert frame["sentiment_confidence"].is_between(0, 1).all()
    assert frame["lang"].null_count() == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(st.none(), st.text(max_size=300)), min_size=1, max_size=8))
def test_any_text_gets_a_row(counting: CountingEngine, texts: list[str | None]) -> None:
    frame = analyze_mentions(mentions(texts), use_cache=False).mentions
    assert frame.height == len(texts)
    assert frame["sentiment"].is_in(list(SENTIMENTS)).all()
    assert frame["emotion"].is_in(list(EMOTIONS)).all()


def test_languages_are_detected_once_per_text_and_remembered(
    counting: CountingEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ascolto_core.analysis import language

    real = language.vote_languages
    asked: list[list[str]] = []

    def spy(texts: pl.Series) -> pl.Series:
        asked.append(texts.to_list())
        return real(texts)

    monkeypatch.setattr(language, "vote_languages", spy)
    frame = mentions(
        [
            "Il pane di oggi era davvero buono",
            "Il pane di oggi era davvero buono",
            "The bread was really good today",
        ]
    )
    first = analyze_mentions(frame)
    second = analyze_mentions(frame)
    assert asked == [["Il pane di oggi era davvero buono", "The bread was really good today"]]
    assert first.mentions["lang"].to_list() == second.mentions["lang"].to_list() == ["it", "it", "en"]
