"""Tiny local transformer models and shared fixtures for the analysis tests.

Random weights, real code paths.

A WordPiece tokenizer trained with ``tokenizers`` on a few sentences and a
BERT with a hidden size of 16, saved with ``save_pretrained`` to a folder, so
the engine loads them exactly as it loads a user's model (no hub involved).
A ``bias_towards`` label (+20 on its logit) makes the prediction deterministic (the classifier
bias dominates the random logits), which lets tests check label mapping.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

SENTENCES: tuple[str, ...] = (
    "il servizio è stato ottimo e veloce",
    "attesa lunghissima, personale scortese",
    "the staff was kind and the bread was great",
    "refund still not received after two weeks",
    "buongiorno, a che ora aprite domenica?",
    "pane buonissimo, torneremo sicuramente",
    "ordine arrivato in ritardo e rotto",
    "what time do you open on sunday?",
)

# Position limit of the tiny models: anything longer must be truncated by the engine.
MAX_POSITIONS = 64


def build_tokenizer(folder: Path) -> None:
    """Train a small WordPiece tokenizer and save it as a BERT fast tokenizer."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertTokenizerFast

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.train_from_iterator(
        SENTENCES, trainers.WordPieceTrainer(vocab_size=200, special_tokens=special)
    )
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", tokenizer.token_to_id("[CLS]")), ("[SEP]", tokenizer.token_to_id("[SEP]"))],
    )
    fast = BertTokenizerFast(tokenizer_object=tokenizer, model_max_length=MAX_POSITIONS - 2)
    fast.save_pretrained(folder)


def build_classifier(
    folder: Path, labels: list[str], *, bias_towards: str | None = None, seed: int = 0, unsure: bool = False
) -> Path:
    """Save a tiny random ``BertForSequenceClassification`` plus tokenizer in ``folder``.

    Args:
        folder: where to write (created).
        labels: the model's label names by class index (e.g. ``["negative", "neutral", "positive"]``).
        bias_towards: a label whose logit gets +20, so every text predicts it.
        seed: torch seed for the random weights.
        unsure: zero the classification head, so every text gets the same probability for
            each label (a model that is never sure of anything).
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    build_tokenizer(folder)
    vocab_size = BertTokenizerFast.from_pretrained(folder).vocab_size
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=MAX_POSITIONS,
        initializer_range=0.5,  # large random weights: different texts get clearly different outputs
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: index for index, label in enumerate(labels)},
    )
    model = BertForSequenceClassification(config)
    if unsure:
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.zero_()
    if bias_towards is not None:
        with torch.no_grad():
            model.classifier.bias.zero_()
            model.classifier.bias[labels.index(bias_towards)] = 20.0
    model.save_pretrained(folder)
    return folder


# ---------------------------------------------------------------- shared fixtures and doubles

PROJECT_CONFIG = Path(__file__).resolve().parent.parent / "config"


@dataclass(frozen=True)
class TinyModels:
    """Folders of the tiny models built once per test session."""

    sentiment: Path  # labels negative/neutral/positive, random weights (outputs vary by text)
    sentiment_positive: Path  # labels LABEL_0..2, biased to LABEL_2 (= positive through the config map)
    sentiment_stars: Path  # labels "1 star".."5 stars", biased to "1 star" (= negative)
    emotion_anger: Path  # labels anger/fear/joy/sadness, biased to anger
    emotion_unsure: Path  # labels anger/fear/joy/sadness, equal probabilities for every text


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> TinyModels:
    root = tmp_path_factory.mktemp("tiny-models")
    emotions = ["anger", "fear", "joy", "sadness"]
    return TinyModels(
        sentiment=build_classifier(root / "sentiment", ["negative", "neutral", "positive"]),
        sentiment_positive=build_classifier(
            root / "sentiment-pos", ["LABEL_0", "LABEL_1", "LABEL_2"], bias_towards="LABEL_2"
        ),
        sentiment_stars=build_classifier(
            root / "sentiment-stars",
            ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"],
            bias_towards="1 star",
        ),
        emotion_anger=build_classifier(root / "emotion-anger", emotions, bias_towards="anger"),
        emotion_unsure=build_classifier(root / "emotion-unsure", emotions, unsure=True),
    )


def clear_config_caches() -> None:
    """Forget cached config, catalogues and engines (after pointing ASCOLTO_CONFIG_DIR elsewhere)."""
    from ascolto_core.analysis.registry import forget_engines
    from ascolto_core.config import load_config
    from ascolto_core.i18n import catalogue

    load_config.cache_clear()
    catalogue.cache_clear()
    forget_engines()


@pytest.fixture
def analysis_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Path]]:
    """Write a config folder like a user's (project config + our ``analysis.yaml`` changes) and use it.

    Call it with ``engine=...`` and/or ``transformers={...}`` (merged over the project's block).
    """
    folder = tmp_path / "config"

    def configure(**changes: Any) -> Path:
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(PROJECT_CONFIG, folder)
        settings = yaml.safe_load((PROJECT_CONFIG / "analysis.yaml").read_text(encoding="utf-8")) or {}
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(settings.get(key), dict):
                settings[key] = {**settings[key], **value}
            else:
                settings[key] = value
        (folder / "analysis.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
        monkeypatch.setenv("ASCOLTO_CONFIG_DIR", str(folder))
        clear_config_caches()
        return folder

    yield configure
    monkeypatch.delenv("ASCOLTO_CONFIG_DIR", raising=False)
    clear_config_caches()


class CountingEngine:
    """Wraps an engine and records every text it is asked to analyse."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []

    @property
    def info(self) -> Any:
        return self.inner.info

    def analyze(self, texts: pl.Series, langs: pl.Series, progress: Any = None) -> pl.DataFrame | None:
        self.calls.append(texts.to_list())
        return self.inner.analyze(texts, langs, progress)

    @property
    def texts_analysed(self) -> int:
        return sum(len(call) for call in self.calls)


class StandInLexicon:
    """Throwaway stand-in for the embedded engine, used only while it is not in the tree."""

    def __init__(self) -> None:
        from ascolto_core.analysis.base import EngineInfo

        self.info = EngineInfo("embedded", "embedded", "stand-in")

    def analyze(self, texts: pl.Series, langs: pl.Series, progress: Any = None) -> pl.DataFrame:
        from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA

        rows = []
        for text in texts.fill_null("").to_list():
            lowered = text.lower()
            pos = [w for w in ("ottimo", "great") if w in lowered]
            neg = [w for w in ("scortese", "rude") if w in lowered]
            score = 0.8 if pos and not neg else -0.8 if neg and not pos else 0.0
            label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
            emotion = "joy" if score > 0 else "anger" if score < 0 else "none"
            rows.append((label, score, 0.8, emotion, 0.6, pos, neg))
        return pl.DataFrame(rows, schema=ENGINE_OUTPUT_SCHEMA, orient="row")


@pytest.fixture
def embedded_engine() -> Iterator[Any]:
    """The embedded engine as registered (the real one when present, else :class:`StandInLexicon`)."""
    from ascolto_core.analysis.registry import (
        EngineSpec,
        build_engine,
        engine_status,
        register_engine,
        registered_engines,
        reset_registry,
    )

    reset_registry()
    spec = next(spec for spec in registered_engines() if spec.name == "embedded")
    if engine_status(spec) is not None:
        stand_in = StandInLexicon()
        register_engine(
            EngineSpec("embedded", lambda s: stand_in.info, lambda s: None, lambda s: stand_in), replace=True
        )
    yield build_engine("embedded")
    reset_registry()
