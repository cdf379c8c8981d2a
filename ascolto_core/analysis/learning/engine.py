"""The adapted engine: a base engine (embedded with the person's vocabulary, or transformers) plus the adapted model.

Registered through the same registry as the built-ins (:func:`register_adapted_engine`),
so the pipeline, the result cache and the UI treat it like any engine. Its model id
names the base engine and how many labels it rests on; its version is the digest of
what was taught, so new labels or words give new results rather than stale cached ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from ascolto_core.analysis.base import Engine, EngineInfo, ProgressCallback
from ascolto_core.analysis.learning.model import AdaptedModel, QualityEstimate
from ascolto_core.analysis.learning.simulate import training_frame
from ascolto_core.analysis.learning.taught import Taught
from ascolto_core.analysis.learning.vocabulary import VocabularyEngine, with_brand_names

ADAPTED_ENGINE = "adapted"


class AdaptedEngine:
    """Implements ``analysis.base.Engine``: base engine outputs, replaced where the model is better.

    Attributes:
        base: the engine whose reading the model starts from.
        model: the fitted :class:`AdaptedModel` (its estimates say where it is used).
    """

    def __init__(self, base: Engine, taught: Taught, seed: int = 0) -> None:
        self.base = base
        self.taught = taught
        labels = taught.labels
        analysis = base.analyze(labels["text"], labels["lang"].fill_null("other"))
        if analysis is None:
            raise RuntimeError(f"base engine {base.info.label} cannot run")
        frame = training_frame(labels, analysis, labels["sentiment"], labels["emotion"], labels["at_random"])
        self.model = AdaptedModel.fit(frame, seed)
        self._info: EngineInfo | None = None

    @classmethod
    def fitted(cls, base: Engine, model: AdaptedModel, info: EngineInfo) -> AdaptedEngine:
        """An adapted engine from a model fitted elsewhere, without the labels (a Spark executor gets the driver's).

        Args:
            base: the engine the model starts from, rebuilt as the driver's.
            model: the fitted model (its estimates say where it is used).
            info: the driver's engine info (name, model id and version of the results).
        """
        engine = cls.__new__(cls)
        engine.base, engine.model, engine._info = base, model, info
        engine.taught = None  # type: ignore[assignment]  # the labels stay on the driver
        return engine

    @property
    def info(self) -> EngineInfo:
        """``adapted`` · ``<base label> + N labels``, versioned by the taught content."""
        if self._info is not None:
            return self._info
        base = self.base.info
        return EngineInfo(
            name=ADAPTED_ENGINE,
            model_id=f"{base.label} + {self.taught.labels.height} labels",
            version=f"{base.version}+{self.taught.fingerprint()}",
        )

    @property
    def in_use(self) -> bool:
        """Whether the model replaces the engine for sentiment or emotion (its cross-validated rule)."""
        return any(estimate.in_use == ADAPTED_ENGINE for estimate in self.quality)

    @property
    def quality(self) -> tuple[QualityEstimate, QualityEstimate]:
        """The sentiment and emotion estimates (what is in use and why) for the app."""
        return self.model.sentiment_quality, self.model.emotion_quality

    def analyze(
        self, texts: pl.Series, langs: pl.Series, progress: ProgressCallback | None = None
    ) -> pl.DataFrame | None:
        """The base engine's outputs, with sentiment/emotion from the model where it is better."""
        analysis = self.base.analyze(texts, langs, progress)
        if analysis is None:
            return None
        return self.model.predict(texts.cast(pl.String).fill_null(""), analysis)


def base_engine(base: str, taught: Taught, brand_names: Iterable[str] = ()) -> Engine:
    """The engine the adapted model starts from.

    "embedded" reads with the person's vocabulary and the brand names as names; any
    other registered engine (e.g. "transformers") is built through the registry.
    """
    if base == "embedded":
        return VocabularyEngine(with_brand_names(taught.vocabulary, brand_names))
    from ascolto_core.analysis.registry import build_engine

    return build_engine(base)


def register_adapted_engine(
    taught: Taught,
    *,
    base: str = "embedded",
    brand_names: Iterable[str] = (),
    name: str = ADAPTED_ENGINE,
    seed: int = 0,
) -> None:
    """Register (or replace) the adapted engine ``name`` built from ``taught`` on top of ``base``.

    It never takes part in ``auto`` (negative priority): the app selects it by name
    once a workspace has labels or vocabulary.
    """
    from ascolto_core.analysis.registry import (
        EngineSpec,
        engine_status,
        register_engine,
        registered_engines,
    )

    names = tuple(brand_names)

    def check(settings: dict[str, Any]) -> str | None:
        spec = next((s for s in registered_engines() if s.name == base), None)
        if spec is None:
            return "analysis.fallback.check_failed"
        return engine_status(spec, settings)

    def factory(settings: dict[str, Any]) -> Engine:
        return AdaptedEngine(base_engine(base, taught, names), taught, seed)

    def describe(settings: dict[str, Any]) -> EngineInfo:
        return EngineInfo(
            name=name, model_id=f"{base} + {taught.labels.height} labels", version=taught.fingerprint()
        )

    register_engine(EngineSpec(name, describe, check, factory, auto_priority=-1), replace=True)
