"""Sentiment and emotion with Hugging Face ``transformers`` models.

Models come from ``config/analysis.yaml`` (``transformers:`` block): a Hugging
Face id that must already be in the local cache, or a local folder written by
``save_pretrained``. Nothing is downloaded unless ``allow_download: true``, so
an offline laptop never hangs. Each model is loaded once per process and
reused (the UI additionally wraps the engine in ``st.cache_resource``).

How the numbers are made:

* sentiment: the model's label probabilities are summed into ours through
  ``sentiment_labels`` (so 5-star models work too); label = most probable,
  ``sentiment_score`` = p(positive) - p(negative), ``sentiment_confidence`` =
  the winning probability.
* emotion: the same with ``emotion_labels``; when the best emotion is below
  ``emotion_min_confidence`` the post gets ``none`` (confidence = 1 - that
  probability). Texts in languages outside ``emotion_langs`` (the default
  emotion model is Italian only) take their emotion from the embedded engine.
* drivers: transformer models do not explain themselves. We show the embedded
  lexicon's cues that agree with the model's label (positive cues for a
  positive post, negative cues for a negative one, none for neutral); they are
  lexicon cues, not model attributions, and the UI should say so.

Texts are tokenised once, sorted by length so each batch pads little, run under
``torch.inference_mode`` (GPU when available) and put back in input order.
Anything longer than the model's limit is truncated.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA, EngineInfo, ProgressCallback
from ascolto_core.schema import EMOTIONS, SENTIMENTS

log = logging.getLogger(__name__)

ENGINE_NAME = "transformers"
# Bump when the code would turn the same model output into different results.
ENGINE_VERSION = "1"

DEFAULT_SENTIMENT_MODEL = "cardiffnlp/twitter-xlm-roberta-base-sentiment-multilingual"
DEFAULT_EMOTION_MODEL = "MilaNLProc/feel-it-italian-emotion"
DEFAULT_SENTIMENT_LABELS: dict[str, str] = {
    "negative": "negative",
    "neutral": "neutral",
    "positive": "positive",
    "label_0": "negative",
    "label_1": "neutral",
    "label_2": "positive",
}
DEFAULT_EMOTION_LABELS: dict[str, str] = {emotion: emotion for emotion in EMOTIONS}


@dataclass(frozen=True)
class TransformerSettings:
    """The ``transformers:`` block of ``config/analysis.yaml``, validated.

    Attributes:
        sentiment_model: Hugging Face id (must be cached locally) or local folder.
        emotion_model: the same for emotions; ``None`` = emotions from the embedded engine.
        emotion_langs: languages the emotion model handles.
        emotion_min_confidence: below this the top emotion becomes ``none``.
        allow_download: may the models be downloaded when missing (default no).
        batch_size: texts per forward pass.
        max_length: maximum tokens per text (the model's own limit also applies).
        device: "auto", "cpu", "cuda", "cuda:N" or "mps".
        sentiment_labels: model label (lower case) -> one of ``SENTIMENTS``.
        emotion_labels: model label (lower case) -> one of ``EMOTIONS``.
    """

    sentiment_model: str = DEFAULT_SENTIMENT_MODEL
    emotion_model: str | None = DEFAULT_EMOTION_MODEL
    emotion_langs: tuple[str, ...] = ("it",)
    emotion_min_confidence: float = 0.5
    allow_download: bool = False
    batch_size: int = 32
    max_length: int = 512
    device: str = "auto"
    sentiment_labels: tuple[tuple[str, str], ...] = tuple(DEFAULT_SENTIMENT_LABELS.items())
    emotion_labels: tuple[tuple[str, str], ...] = tuple(DEFAULT_EMOTION_LABELS.items())

    @classmethod
    def from_config(cls, analysis_config: Mapping[str, Any]) -> TransformerSettings:
        """Settings from the whole ``analysis`` config mapping (missing keys -> defaults).

        Raises:
            TypeError: if a block is not a mapping.
            ValueError: if a value is malformed or a label maps outside our labels.
        """
        block = analysis_config.get("transformers") or {}
        if not isinstance(block, Mapping):
            raise TypeError(f"analysis.yaml: 'transformers' must be a mapping, got {type(block).__name__}")
        emotion_model = block.get("emotion_model", DEFAULT_EMOTION_MODEL)
        settings = cls(
            sentiment_model=str(block.get("sentiment_model") or DEFAULT_SENTIMENT_MODEL),
            emotion_model=str(emotion_model) if emotion_model else None,
            emotion_langs=tuple(str(lang).lower() for lang in block.get("emotion_langs", ("it",)) or ()),
            emotion_min_confidence=float(block.get("emotion_min_confidence", 0.5)),
            allow_download=bool(block.get("allow_download", False)),
            batch_size=max(1, int(block.get("batch_size", 32))),
            max_length=max(8, int(block.get("max_length", 512))),
            device=str(block.get("device", "auto")),
            sentiment_labels=_label_map(block.get("sentiment_labels"), DEFAULT_SENTIMENT_LABELS, SENTIMENTS),
            emotion_labels=_label_map(block.get("emotion_labels"), DEFAULT_EMOTION_LABELS, EMOTIONS),
        )
        return settings

    @property
    def model_id(self) -> str:
        """Both model ids, as shown to the user and used in the cache key."""
        return (
            self.sentiment_model
            if not self.emotion_model
            else f"{self.sentiment_model} + {self.emotion_model}"
        )

    @property
    def info(self) -> EngineInfo:
        """Engine identity; the version changes when settings that shape the output change."""
        shaping = repr(
            (
                ENGINE_VERSION,
                self.emotion_langs,
                self.emotion_min_confidence,
                self.max_length,
                self.sentiment_labels,
                self.emotion_labels,
                [model_fingerprint(model) for model in self.models],
            )
        )
        digest = hashlib.blake2b(shaping.encode("utf-8"), digest_size=6).hexdigest()
        return EngineInfo(ENGINE_NAME, self.model_id, f"{ENGINE_VERSION}-{digest}")

    @property
    def models(self) -> tuple[str, ...]:
        """The model ids/folders this engine needs."""
        return (
            (self.sentiment_model,) if not self.emotion_model else (self.sentiment_model, self.emotion_model)
        )


def _label_map(raw: Any, default: dict[str, str], allowed: Sequence[str]) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return tuple(default.items())
    if not isinstance(raw, Mapping):
        raise TypeError(f"analysis.yaml: label map must be a mapping, got {type(raw).__name__}")
    pairs = []
    for model_label, ours in raw.items():
        if str(ours) not in allowed:
            raise ValueError(
                f"analysis.yaml: label {model_label!r} maps to {ours!r}, expected one of {list(allowed)}"
            )
        pairs.append((str(model_label).strip().lower(), str(ours)))
    return tuple(pairs)


# ---------------------------------------------------------------- availability


def is_local_folder(model: str) -> bool:
    """True when ``model`` names an existing folder (rather than a hub id)."""
    return Path(model).expanduser().is_dir()


def local_config_path(model: str) -> Path | None:
    """Path of the model's ``config.json`` on this machine (folder or HF cache), else ``None``.

    Never touches the network; an invalid hub id is simply "not local".
    """
    if is_local_folder(model):
        path = Path(model).expanduser() / "config.json"
        return path if path.is_file() else None
    try:
        from huggingface_hub import constants

        # No folder for this model in the hub cache: not local, without importing the download
        # machinery (a fifth of a second at every start of the app or of a command).
        if not (Path(constants.HF_HUB_CACHE) / f"models--{model.replace('/', '--')}").is_dir():
            return None
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(model, "config.json")
    except Exception:  # noqa: BLE001 - invalid repo id, unreadable cache...
        return None
    return Path(found) if isinstance(found, str) else None


def model_fingerprint(model: str) -> str:
    """What identifies the exact weights: the cache snapshot, or the folder's file dates."""
    config = local_config_path(model)
    if config is None:
        return "remote"
    if is_local_folder(model):
        stamps = sorted(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in config.parent.iterdir() if p.is_file()
        )
        return hashlib.blake2b(repr(stamps).encode("utf-8"), digest_size=6).hexdigest()
    return config.parent.name  # the snapshot folder is named after the commit


def _downloads_allowed(settings: TransformerSettings) -> bool:
    offline = any(
        os.environ.get(var, "").strip().lower() in {"1", "true", "yes", "on"}
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )
    return settings.allow_download and not offline


def _model_labels(config_path: Path) -> list[str]:
    import json

    config = json.loads(config_path.read_text(encoding="utf-8"))
    id2label = config.get("id2label") or {}
    return [str(id2label[key]) for key in sorted(id2label, key=lambda key: int(key))]


def unavailable_model(settings: TransformerSettings) -> str:
    """The first configured model that is not usable here (for messages), else all model ids."""
    for model in settings.models:
        if local_config_path(model) is None and not _downloads_allowed(settings):
            return model
    return settings.model_id


def check_available(settings: TransformerSettings) -> str | None:
    """Can this engine run here? ``None`` if yes, else the i18n key of the reason.

    Cheap: reads at most each model's ``config.json``; loads no weights and
    never touches the network.
    """
    # find_spec, not import: importing torch costs seconds, even when no model is installed.
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None:
        return "analysis.fallback.transformers_missing"
    for model, labels in (
        (settings.sentiment_model, settings.sentiment_labels),
        (settings.emotion_model, settings.emotion_labels),
    ):
        if not model:
            continue
        config = local_config_path(model)
        if config is None:
            if is_local_folder(model):
                return "analysis.fallback.model_folder_invalid"
            if _downloads_allowed(settings):
                continue
            return "analysis.fallback.model_not_local"
        try:
            model_labels = _model_labels(config)
        except (OSError, ValueError):
            return "analysis.fallback.model_folder_invalid"
        known = dict(labels)
        if not model_labels or any(label.strip().lower() not in known for label in model_labels):
            return "analysis.fallback.unmapped_labels"
    return None


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class LoadedClassifier:
    """A tokenizer and a sequence-classification model, ready to run."""

    tokenizer: Any
    model: Any
    device: str
    max_length: int
    labels: tuple[str, ...] = field(default=())  # model labels, lower case, by class index


def resolve_device(device: str) -> str:
    """``auto`` -> ``cuda`` when torch sees a GPU, else ``cpu``; other values pass through."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@functools.lru_cache(maxsize=4)
def load_classifier(model: str, *, local_files_only: bool, device: str, max_length: int) -> LoadedClassifier:
    """Load (once per process) a tokenizer and model for sequence classification.

    Raises:
        OSError, ValueError: if the files are missing or not a classification model
            (the engine turns this into a fallback, never a crash).
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model, local_files_only=local_files_only)
    network = AutoModelForSequenceClassification.from_pretrained(model, local_files_only=local_files_only)
    network.eval()
    network.to(device)
    limits = [max_length]
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < 100_000:
        limits.append(tokenizer_limit)
    positions = getattr(network.config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        # RoBERTa-style models reserve two positions for padding offsets.
        limits.append(positions - 2)
    id2label = network.config.id2label
    labels = tuple(str(id2label[index]).strip().lower() for index in range(network.config.num_labels))
    return LoadedClassifier(tokenizer, network, device, min(limits), labels)


# ---------------------------------------------------------------- inference


def _valid_utf8(text: str) -> str:
    # Lone surrogates (from broken files) would make the Rust tokenizer raise.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def predict_probabilities(
    classifier: LoadedClassifier,
    texts: Sequence[str],
    batch_size: int,
    on_batch: Any = None,
) -> Any:
    """Class probabilities (a ``torch.Tensor`` of shape ``(len(texts), n_labels)``) in input order.

    Texts are sorted by token count so each batch pads little, then results
    are written back at their original positions. ``on_batch(n)`` is called
    after each batch with its size.
    """
    import torch

    n_labels = len(classifier.labels)
    probabilities = torch.zeros((len(texts), n_labels), dtype=torch.float32)
    if not texts:
        return probabilities
    encoded = classifier.tokenizer(
        [_valid_utf8(text) for text in texts],
        truncation=True,
        max_length=classifier.max_length,
        padding=False,
    )
    keys = [key for key in ("input_ids", "attention_mask", "token_type_ids") if key in encoded]
    order = sorted(range(len(texts)), key=lambda index: len(encoded["input_ids"][index]))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            indices = order[start : start + batch_size]
            features = [{key: encoded[key][index] for key in keys} for index in indices]
            batch = classifier.tokenizer.pad(features, padding=True, return_tensors="pt")
            batch = {key: value.to(classifier.device) for key, value in batch.items()}
            logits = classifier.model(**batch).logits
            probabilities[torch.tensor(indices)] = torch.softmax(logits.float(), dim=-1).cpu()
            if on_batch is not None:
                on_batch(len(indices))
    return probabilities


def _projection(model_labels: Sequence[str], label_map: Mapping[str, str], ours: Sequence[str]) -> Any:
    """Matrix summing model-label probabilities into ours (unmapped labels raise KeyError)."""
    import torch

    matrix = torch.zeros((len(model_labels), len(ours)), dtype=torch.float32)
    for row, label in enumerate(model_labels):
        matrix[row, ours.index(label_map[label])] = 1.0
    return matrix


class TransformersEngine:
    """Sentiment and emotion from Hugging Face models (see module docstring).

    ``analyze`` returns ``None`` (so the pipeline falls back to the embedded
    engine) when a model cannot be loaded; ``failure`` then holds the i18n key.
    """

    def __init__(self, settings: TransformerSettings | None = None) -> None:
        self.settings = settings or TransformerSettings()
        self.failure: str | None = None
        base = self.settings.info
        lexicon = _embedded_engine()
        # Drivers and non-Italian emotions come from the embedded engine: its version is part of ours.
        version = (
            base.version if lexicon is None else f"{base.version}+{lexicon.info.name}-{lexicon.info.version}"
        )
        self._info = EngineInfo(base.name, base.model_id, version)

    @property
    def info(self) -> EngineInfo:
        return self._info

    def _load(self, model: str) -> LoadedClassifier:
        return load_classifier(
            model,
            local_files_only=not _downloads_allowed(self.settings),
            device=resolve_device(self.settings.device),
            max_length=self.settings.max_length,
        )

    def analyze(
        self, texts: pl.Series, langs: pl.Series, progress: ProgressCallback | None = None
    ) -> pl.DataFrame | None:
        """Analyse ``texts``; ``None`` when the models cannot be loaded or run here."""
        settings = self.settings
        text_list = texts.cast(pl.String).fill_null("").to_list()
        lang_list = langs.cast(pl.String).fill_null("other").str.to_lowercase().to_list()
        try:
            sentiment_model = self._load(settings.sentiment_model)
            emotion_model = self._load(settings.emotion_model) if settings.emotion_model else None
        except Exception as error:  # noqa: BLE001 - missing/corrupt files, unsupported architecture...
            log.warning("transformers engine cannot load its models: %s", error)
            self.failure = "analysis.fallback.load_failed"
            return None
        lexicon = _embedded_engine()
        use_emotion_model = [
            emotion_model is not None and lang in settings.emotion_langs for lang in lang_list
        ]
        if emotion_model is not None and lexicon is None:
            use_emotion_model = [True] * len(text_list)
        emotion_texts = [text for text, chosen in zip(text_list, use_emotion_model, strict=True) if chosen]
        total = len(text_list) + len(emotion_texts)
        done = 0

        def on_batch(size: int) -> None:
            nonlocal done
            done += size
            if progress is not None:
                progress(done, total)

        try:
            sentiment_probs = predict_probabilities(sentiment_model, text_list, settings.batch_size, on_batch)
            sentiment_probs = sentiment_probs @ _projection(
                sentiment_model.labels, dict(settings.sentiment_labels), SENTIMENTS
            )
            emotion_probs = None
            if emotion_model is not None and emotion_texts:
                emotion_probs = predict_probabilities(
                    emotion_model, emotion_texts, settings.batch_size, on_batch
                )
                emotion_probs = emotion_probs @ _projection(
                    emotion_model.labels, dict(settings.emotion_labels), EMOTIONS
                )
        except Exception as error:  # noqa: BLE001 - out of memory, label map mismatch...
            log.warning("transformers engine failed while running: %s", error)
            self.failure = "analysis.fallback.run_failed"
            return None
        self.failure = None

        best_sentiment = sentiment_probs.max(dim=-1)
        frame = pl.DataFrame(
            {
                "sentiment": [SENTIMENTS[index] for index in best_sentiment.indices.tolist()],
                "sentiment_score": (sentiment_probs[:, 2] - sentiment_probs[:, 0]).clamp(-1.0, 1.0).tolist(),
                "sentiment_confidence": best_sentiment.values.clamp(0.0, 1.0).tolist(),
            },
            schema={
                name: ENGINE_OUTPUT_SCHEMA[name]
                for name in ("sentiment", "sentiment_score", "sentiment_confidence")
            },
        )
        cues = None
        if lexicon is not None:
            try:
                cues = lexicon.analyze(
                    texts.cast(pl.String).fill_null(""), pl.Series(lang_list, dtype=pl.String)
                )
            except Exception as error:  # noqa: BLE001 - drivers are a bonus; keep the model's results
                log.warning("embedded cues unavailable: %s", error)
        emotions, emotion_confidences = self._emotions(emotion_probs, use_emotion_model, cues, len(text_list))
        frame = frame.with_columns(
            pl.Series("emotion", emotions, dtype=pl.String),
            pl.Series("emotion_confidence", emotion_confidences, dtype=pl.Float64),
        )
        if cues is not None:
            frame = frame.with_columns(
                pl.when(pl.col("sentiment") == "positive")
                .then(cues["drivers_pos"])
                .otherwise(pl.lit([], dtype=pl.List(pl.String)))
                .alias("drivers_pos"),
                pl.when(pl.col("sentiment") == "negative")
                .then(cues["drivers_neg"])
                .otherwise(pl.lit([], dtype=pl.List(pl.String)))
                .alias("drivers_neg"),
            )
        else:
            frame = frame.with_columns(
                pl.lit([], dtype=pl.List(pl.String)).alias("drivers_pos"),
                pl.lit([], dtype=pl.List(pl.String)).alias("drivers_neg"),
            )
        return frame.select([pl.col(name).cast(dtype) for name, dtype in ENGINE_OUTPUT_SCHEMA.items()])

    def _emotions(
        self,
        emotion_probs: Any,
        use_emotion_model: list[bool],
        cues: pl.DataFrame | None,
        n: int,
    ) -> tuple[list[str], list[float]]:
        emotions = ["none"] * n
        confidences = [0.0] * n
        if cues is not None:
            emotions = cues["emotion"].to_list()
            confidences = cues["emotion_confidence"].to_list()
        if emotion_probs is None:
            return emotions, confidences
        best = emotion_probs.max(dim=-1)
        model_rows = iter(zip(best.indices.tolist(), best.values.tolist(), strict=True))
        threshold = self.settings.emotion_min_confidence
        for position, chosen in enumerate(use_emotion_model):
            if not chosen:
                continue
            index, probability = next(model_rows)
            emotion = EMOTIONS[index]
            if emotion != "none" and probability < threshold:
                emotions[position], confidences[position] = "none", 1.0 - probability
            else:
                emotions[position], confidences[position] = emotion, probability
        return emotions, confidences


def _embedded_engine() -> Any:
    """The embedded engine for drivers and non-Italian emotions, or ``None`` if absent."""
    try:
        from ascolto_core.analysis.registry import build_engine, engine_status, registered_engines

        spec = next((spec for spec in registered_engines() if spec.name == "embedded"), None)
        if spec is None or engine_status(spec) is not None:
            return None
        return build_engine("embedded")
    except Exception:  # noqa: BLE001 - drivers are a bonus; never fail the model's results for them
        return None
