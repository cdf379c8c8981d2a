"""The transformers engine, run for real on tiny local models built by the tests (no hub)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from tiny_models import TinyModels

from ascolto_core.analysis import analyze_mentions
from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA
from ascolto_core.analysis.transformer import TransformersEngine, TransformerSettings, check_available
from ascolto_core.config import load_config


def engine_for(sentiment: Path, emotion: Path | None, **extra: object) -> TransformersEngine:
    # The project's config (label maps...) with these models, as a user would edit it.
    project = load_config("analysis").get("transformers", {})
    block = {
        **project,
        "sentiment_model": str(sentiment),
        "emotion_model": str(emotion) if emotion else None,
        **extra,
    }
    return TransformersEngine(TransformerSettings.from_config({"transformers": block}))


def run(engine: TransformersEngine, texts: list[str], langs: list[str] | None = None) -> pl.DataFrame:
    result = engine.analyze(
        pl.Series(texts, dtype=pl.String), pl.Series(langs or ["it"] * len(texts), dtype=pl.String)
    )
    assert result is not None
    return result


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # LABEL_2 is "positive" through the config's label map
        ("sentiment_positive", "positive"),
        # a 5-star model: "1 star" counts as negative
        ("sentiment_stars", "negative"),
    ],
)
def test_model_labels_are_mapped_to_ours(
    tiny_models: TinyModels, embedded_engine: object, model: str, expected: str
) -> None:
    engine = engine_for(getattr(tiny_models, model), tiny_models.emotion_anger, emotion_langs=["it", "en"])
    result = run(engine, ["il pane era buono", "the staff was kind"])
    assert result["sentiment"].to_list() == [expected, expected]
    assert result["emotion"].to_list() == ["anger", "anger"]
    sign = 1 if expected == "positive" else -1
    assert all(sign * score > 0.99 for score in result["sentiment_score"].to_list())
    assert all(confidence > 0.99 for confidence in result["sentiment_confidence"].to_list())
    assert result.schema == ENGINE_OUTPUT_SCHEMA


def test_batches_sorted_by_length_come_back_in_input_order(tiny_models: TinyModels) -> None:
    texts = [
        "ordine arrivato in ritardo e rotto, nessuno risponde al telefono da giorni",
        "ok",
        "il servizio è stato ottimo e veloce",
        "refund still not received after two weeks",
        "buongiorno",
        "pane buonissimo, torneremo sicuramente, grazie a tutto il personale gentilissimo",
        "",
    ]
    one_by_one = run(engine_for(tiny_models.sentiment, None, batch_size=1), texts)
    batched = run(engine_for(tiny_models.sentiment, None, batch_size=3), texts)
    # Same scores per text whatever the batching, and texts really differ (the check can fail).
    assert batched["sentiment_score"].to_list() == pytest.approx(
        one_by_one["sentiment_score"].to_list(), abs=1e-4
    )
    assert batched["sentiment_score"].n_unique() > 3


@pytest.mark.parametrize(
    "text",
    [
        "pane " * 1000,  # a 5,000-character post: longer than the model's 62-token limit
        "x" * 100_000,  # one enormous "word"
        "",  # empty
        "😡😡😡",  # emoji only
        "https://example.com/a?b=c",  # only a URL
        "riga\x00con\x07controlli\u202e",  # control characters
    ],
)
def test_odd_text_gets_a_result_not_an_exception(tiny_models: TinyModels, text: str) -> None:
    result = run(engine_for(tiny_models.sentiment_positive, tiny_models.emotion_anger), [text, "ciao"])
    assert result.height == 2
    assert result["sentiment"].to_list() == ["positive", "positive"]


def test_lone_surrogates_do_not_break_the_tokenizer(tiny_models: TinyModels) -> None:
    from ascolto_core.analysis.transformer import LoadedClassifier, load_classifier, predict_probabilities

    classifier: LoadedClassifier = load_classifier(
        str(tiny_models.sentiment), local_files_only=True, device="cpu", max_length=512
    )
    # Polars cannot even hold such a string; a Python caller can.
    probabilities = predict_probabilities(classifier, ["bad \udcff byte", "ok"], batch_size=2)
    assert tuple(probabilities.shape) == (2, 3)


def test_low_emotion_probability_means_none(tiny_models: TinyModels) -> None:
    # A 4-emotion model that gives each emotion 25% is never 99% sure: with a 0.99 threshold every text is "none".
    # (A random model was used before: with large random weights it was sometimes 99% sure.)
    engine = engine_for(tiny_models.sentiment, tiny_models.emotion_unsure, emotion_min_confidence=0.99)
    result = run(engine, ["il servizio è stato ottimo", "attesa lunghissima"])
    assert result["emotion"].to_list() == ["none", "none"]
    assert all(0.0 < c <= 0.75 for c in result["emotion_confidence"].to_list())


def test_emotion_model_only_for_its_languages(tiny_models: TinyModels, embedded_engine: object) -> None:
    # The default emotion model is Italian: an English text takes the embedded engine's emotion.
    engine = engine_for(tiny_models.sentiment_positive, tiny_models.emotion_anger, emotion_langs=["it"])
    texts = ["il pane era buono", "the staff was great"]
    result = run(engine, texts, ["it", "en"])
    lexicon = embedded_engine.analyze(pl.Series(texts), pl.Series(["it", "en"]))  # type: ignore[attr-defined]
    assert result["emotion"].to_list() == ["anger", lexicon["emotion"][1]]


def test_drivers_are_lexicon_cues_that_agree_with_the_label(
    tiny_models: TinyModels, embedded_engine: object
) -> None:
    # The model says positive: only positive cues are shown, negative ones would contradict it.
    engine = engine_for(tiny_models.sentiment_positive, None)
    texts = ["personale scortese ma pane ottimo"]
    lexicon = embedded_engine.analyze(pl.Series(texts), pl.Series(["it"]))  # type: ignore[attr-defined]
    result = run(engine, texts)
    assert result["drivers_pos"].to_list() == lexicon["drivers_pos"].to_list()
    assert result["drivers_neg"].to_list() == [[]]


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        # a hub id that is not in the local cache, with HF_HUB_OFFLINE=1
        ({"sentiment_model": "no-such-org/no-such-model"}, "analysis.fallback.model_not_local"),
        # not even a valid hub id
        ({"sentiment_model": "not a model id!"}, "analysis.fallback.model_not_local"),
        # downloads allowed in config, but the machine is offline (HF_HUB_OFFLINE=1)
        (
            {"sentiment_model": "no-such-org/no-such-model", "allow_download": True},
            "analysis.fallback.model_not_local",
        ),
    ],
)
def test_unavailable_models_are_reported_without_network(block: dict[str, object], reason: str) -> None:
    settings = TransformerSettings.from_config({"transformers": {**block, "emotion_model": None}})
    assert check_available(settings) == reason


def test_unmapped_model_labels_are_reported(tiny_models: TinyModels) -> None:
    # The stars model with a sentiment map that only knows negative/neutral/positive.
    block = {
        "sentiment_model": str(tiny_models.sentiment_stars),
        "emotion_model": None,
        "sentiment_labels": {"negative": "negative"},
    }
    assert (
        check_available(TransformerSettings.from_config({"transformers": block}))
        == "analysis.fallback.unmapped_labels"
    )


def test_label_map_to_an_unknown_label_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="maps to 'happy'"):
        TransformerSettings.from_config({"transformers": {"sentiment_labels": {"LABEL_2": "happy"}}})


def test_auto_uses_transformers_when_the_local_model_exists(
    tiny_models: TinyModels, analysis_config: object, embedded_engine: object
) -> None:
    analysis_config(  # type: ignore[operator]
        engine="auto",
        transformers={
            "sentiment_model": str(tiny_models.sentiment_positive),
            "emotion_model": str(tiny_models.emotion_anger),
        },
    )
    mentions = pl.DataFrame({"text": ["il pane era buono", "the staff was kind"], "lang": ["it", "en"]})
    result = analyze_mentions(mentions, engine="auto")
    assert result.engine.name == "transformers"
    assert result.fallback is None
    assert result.mentions["sentiment"].to_list() == ["positive", "positive"]
    assert set(result.mentions["engine"].to_list()) == {result.engine.label}
    assert str(tiny_models.sentiment_positive) in result.engine.label


@pytest.mark.parametrize(
    ("model_id", "reason"),
    [
        # unknown hub id, offline
        ("no-such-org/no-such-model", "analysis.fallback.model_not_local"),
        # a folder without config.json
        ("EMPTY_FOLDER", "analysis.fallback.model_folder_invalid"),
        # config.json present but no weights: found only when loading
        ("NO_WEIGHTS", "analysis.fallback.load_failed"),
    ],
)
def test_requested_transformers_falls_back_to_embedded_with_the_reason(
    tmp_path: Path,
    tiny_models: TinyModels,
    analysis_config: object,
    embedded_engine: object,
    model_id: str,
    reason: str,
) -> None:
    if model_id == "EMPTY_FOLDER":
        (tmp_path / "empty").mkdir()
        model_id = str(tmp_path / "empty")
    elif model_id == "NO_WEIGHTS":
        (tmp_path / "broken").mkdir()
        (tmp_path / "broken" / "config.json").write_text((tiny_models.sentiment / "config.json").read_text())
        model_id = str(tmp_path / "broken")
    analysis_config(transformers={"sentiment_model": model_id, "emotion_model": None})  # type: ignore[operator]
    result = analyze_mentions(
        pl.DataFrame({"text": ["pane ottimo", "personale scortese"]}), engine="transformers"
    )
    assert result.engine.name == "embedded"
    assert result.fallback == reason
    assert model_id in (result.fallback_message("en") or "")
    assert (
        result.mentions["sentiment"].to_list()
        == embedded_engine.analyze(  # type: ignore[attr-defined]
            pl.Series(["pane ottimo", "personale scortese"]), result.mentions["lang"]
        )["sentiment"].to_list()
    )


def test_auto_without_a_local_model_is_embedded_and_not_a_fallback(
    analysis_config: object, embedded_engine: object
) -> None:
    analysis_config(engine="auto", transformers={"sentiment_model": "no-such-org/no-such-model"})  # type: ignore[operator]
    result = analyze_mentions(pl.DataFrame({"text": ["ciao"]}), engine=None)
    # conftest sets ASCOLTO_ENGINE=embedded; the config says auto: the environment wins.
    assert result.requested == "embedded"
    result = analyze_mentions(pl.DataFrame({"text": ["ciao"]}), engine="auto")
    assert (result.engine.name, result.fallback) == ("embedded", None)


def test_choosing_auto_without_a_model_does_not_import_torch(tmp_path: Path) -> None:
    # Importing torch costs seconds: a laptop without models must not pay it on every start.
    import os
    import subprocess
    import sys

    code = (
        "import sys, polars as pl\n"
        "from ascolto_core.analysis import analyze_mentions\n"
        "result = analyze_mentions(pl.DataFrame({'text': ['ciao']}), engine='auto', use_cache=False)\n"
        "print(result.engine.name, 'torch' in sys.modules)\n"
    )
    config = tmp_path / "config"
    config.mkdir()
    (config / "analysis.yaml").write_text("transformers:\n  sentiment_model: no-such-org/no-such-model\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASCOLTO_CONFIG_DIR": str(config)}
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=120,
        check=True,
    )
    assert done.stdout.split() == ["embedded", "False"]


def test_a_model_in_the_hub_cache_is_found_and_a_missing_one_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hub cache's layout (models--org--name/snapshots/<commit>/config.json): a model downloaded
    # once with `python -m ascolto_core models download` is local; one never downloaded is not.
    from huggingface_hub import constants

    from ascolto_core.analysis.transformer import local_config_path

    repo = tmp_path / "models--acme--sentiment-it"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("abc123")
    snapshot = repo / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    assert local_config_path("acme/sentiment-it") == snapshot / "config.json"
    assert local_config_path("acme/never-downloaded") is None
