"""Sentiment, emotion, language and question analysis of mentions.

Public entry point: :func:`analyze_mentions` (see :mod:`.pipeline`). Engines
plug in through :mod:`.registry` (built-ins "embedded" and "transformers" use
the same mechanism); :func:`available_engines` and :func:`describe_engine` feed
the UI's engine picker and the "which engine produced these numbers" line.

Columns added to the canonical table (``ANALYSIS_SCHEMA``): ``sentiment``
(negative/neutral/positive), ``sentiment_score`` [-1, 1], ``sentiment_confidence``
[0, 1], ``emotion`` (joy/anger/fear/sadness/none), ``emotion_confidence``,
``drivers_pos`` / ``drivers_neg`` (terms behind the mood), ``is_question`` and
``engine`` (the label of the engine that produced the row).
"""

from __future__ import annotations

from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA, Engine, EngineInfo, ProgressCallback
from ascolto_core.analysis.pipeline import AnalysisResult, analyze_mentions
from ascolto_core.analysis.registry import (
    EngineSpec,
    engine_status,
    register_engine,
    registered_engines,
    resolve_engine,
    unregister_engine,
)
from ascolto_core.i18n import t

__all__ = [
    "ENGINE_OUTPUT_SCHEMA",
    "AnalysisResult",
    "Engine",
    "EngineInfo",
    "EngineSpec",
    "ProgressCallback",
    "analyze_mentions",
    "available_engines",
    "describe_engine",
    "register_engine",
    "registered_engines",
    "resolve_engine",
    "unregister_engine",
]


def available_engines() -> list[EngineInfo]:
    """The engines that can run on this machine now, ``auto``'s preferred one first.

    Cheap: runs each engine's capability check and describes it; loads no model.
    """
    engines = []
    for spec in registered_engines():
        if engine_status(spec) is None:
            try:
                from ascolto_core.analysis.registry import engine_settings

                engines.append(spec.describe(engine_settings()))
            except Exception:  # noqa: BLE001, S112 - a plugin that cannot describe itself is not offered
                continue
    return engines


def describe_engine(info: EngineInfo, lang: str = "it") -> str:
    """One sentence for the UI saying which engine produced the numbers.

    Known engines have their own wording (``analysis.engine.<name>``); others
    get a generic sentence with their label.
    """
    key = f"analysis.engine.{info.name}"
    text = t(key, lang, model=info.model_id, label=info.label, version=info.version)
    if text == key:
        return t("analysis.engine.other", lang, label=info.label, version=info.version)
    return text
