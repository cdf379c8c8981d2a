"""One registry for every sentiment/emotion engine, built-ins included.

Built-in engines register through :func:`register_engine` exactly as an
extension would (as Datasette's plugins do). Each registration carries a
capability check that says, without loading anything heavy, whether the engine
can run on this machine; :func:`resolve_engine` turns the user's choice
("auto", "embedded", "transformers" or a plugin name) into an engine instance
plus, when the request could not be honoured, the i18n key of the reason.

Choice order: the ``engine`` argument, else ``$ASCOLTO_ENGINE``, else
``config/analysis.yaml: engine``, else ``"auto"``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ascolto_core.analysis.base import Engine, EngineInfo
from ascolto_core.config import load_config
from ascolto_core.errors import AscoltoError

AUTO = "auto"
FALLBACK_ENGINE = "embedded"
ENV_ENGINE = "ASCOLTO_ENGINE"

# check(settings) -> None when the engine can run here, else the i18n key of the reason.
CapabilityCheck = Callable[[dict[str, Any]], "str | None"]
# factory(settings) -> a ready engine (may load models; called only after the check passed).
EngineFactory = Callable[[dict[str, Any]], Engine]
# describe(settings) -> the EngineInfo the factory would build (cheap, loads nothing).
EngineDescriber = Callable[[dict[str, Any]], EngineInfo]


@dataclass(frozen=True)
class EngineSpec:
    """How to find out about, check and build one engine.

    Attributes:
        name: the value users write in ``engine:`` (e.g. ``"transformers"``).
        describe: returns the engine's ``EngineInfo`` from the settings without loading it.
        check: capability check; ``None`` = available, else an i18n key saying why not.
        factory: builds the engine; only called when ``check`` returned ``None``.
        auto_priority: ``auto`` tries registered engines from the highest priority down;
            a negative priority keeps an engine out of ``auto``.
        subject: optional; names what an unavailability is about (e.g. the one missing
            model) for the fallback message; default: the engine's model id.
    """

    name: str
    describe: EngineDescriber
    check: CapabilityCheck
    factory: EngineFactory
    auto_priority: int = 0
    subject: Callable[[dict[str, Any]], str] | None = None


@dataclass(frozen=True)
class EngineChoice:
    """The outcome of :func:`resolve_engine`.

    Attributes:
        engine: the engine to run.
        requested: what was asked for ("auto", "transformers", ...).
        fallback: i18n key of the reason the request was not honoured, else ``None``.
            ``auto`` picking embedded because no model is installed is not a fallback.
        fallback_params: parameters for the fallback message.
    """

    engine: Engine
    requested: str
    fallback: str | None = None
    fallback_params: tuple[tuple[str, str], ...] = ()


_REGISTRY: dict[str, EngineSpec] = {}
# Built engines, keyed by (name, frozen settings), so models load once per process.
_INSTANCES: dict[tuple[str, str], Engine] = {}
# Streamlit serves sessions from threads: build each engine (and load its models) only once.
_BUILD_LOCK = threading.RLock()


def register_engine(spec: EngineSpec, *, replace: bool = False) -> None:
    """Add an engine to the registry.

    Raises:
        ValueError: if the name is "auto", empty, or already registered and ``replace`` is false.
    """
    if not spec.name or spec.name == AUTO:
        raise ValueError(f"invalid engine name: {spec.name!r}")
    if spec.name in _REGISTRY and not replace:
        raise ValueError(f"engine {spec.name!r} is already registered")
    _REGISTRY[spec.name] = spec
    for key in [key for key in _INSTANCES if key[0] == spec.name]:
        del _INSTANCES[key]


def unregister_engine(name: str) -> None:
    """Remove an engine (tests and plugins); unknown names are ignored."""
    _REGISTRY.pop(name, None)
    for key in [key for key in _INSTANCES if key[0] == name]:
        del _INSTANCES[key]


def registered_engines() -> tuple[EngineSpec, ...]:
    """Every registered engine, highest ``auto`` priority first."""
    _ensure_builtins()
    return tuple(sorted(_REGISTRY.values(), key=lambda spec: -spec.auto_priority))


def engine_settings() -> dict[str, Any]:
    """The ``config/analysis.yaml`` mapping (a fresh shallow copy)."""
    return dict(load_config("analysis"))


def requested_engine(engine: str | None = None) -> str:
    """The user's choice: argument, else ``$ASCOLTO_ENGINE``, else config, else ``"auto"``."""
    choice = engine or os.environ.get(ENV_ENGINE) or engine_settings().get("engine") or AUTO
    return str(choice).strip().lower()


def engine_status(spec: EngineSpec, settings: dict[str, Any] | None = None) -> str | None:
    """Run ``spec``'s capability check; a check that crashes counts as unavailable."""
    try:
        return spec.check(engine_settings() if settings is None else settings)
    except Exception:  # noqa: BLE001 - a broken plugin check must not break analysis
        return "analysis.fallback.check_failed"


def build_engine(name: str, settings: dict[str, Any] | None = None) -> Engine:
    """The (cached) engine instance called ``name``.

    Raises:
        AscoltoError: ``analysis.unknown_engine`` if no engine has that name.
    """
    _ensure_builtins()
    settings = engine_settings() if settings is None else settings
    spec = _REGISTRY.get(name)
    if spec is None:
        raise AscoltoError("analysis.unknown_engine", name=name, known=", ".join(sorted(_REGISTRY)))
    key = (name, repr(sorted(settings.items(), key=lambda item: item[0])))
    with _BUILD_LOCK:
        if key not in _INSTANCES:
            _INSTANCES[key] = spec.factory(settings)
        return _INSTANCES[key]


def resolve_engine(engine: str | None = None) -> EngineChoice:
    """Choose the engine to run for ``engine`` (see module docstring for the order).

    Never loads a model it will not use and never touches the network unless
    the config allows downloads.

    Raises:
        AscoltoError: ``analysis.unknown_engine`` for a name nobody registered;
            ``analysis.no_engine`` if not even the fallback engine can run.
    """
    _ensure_builtins()
    requested = requested_engine(engine)
    settings = engine_settings()
    if requested == AUTO:
        for spec in registered_engines():
            if spec.auto_priority >= 0 and engine_status(spec, settings) is None:
                return EngineChoice(build_engine(spec.name, settings), requested)
        raise AscoltoError("analysis.no_engine")
    spec = _REGISTRY.get(requested)
    if spec is None:
        raise AscoltoError(
            "analysis.unknown_engine", name=requested, known=", ".join(["auto", *sorted(_REGISTRY)])
        )
    reason = engine_status(spec, settings)
    if reason is None:
        return EngineChoice(build_engine(spec.name, settings), requested)
    return fallback_choice(requested, reason, describe_model(spec, settings))


def fallback_choice(requested: str, reason: str, model: str = "") -> EngineChoice:
    """The fallback engine, carrying ``reason`` (an i18n key) and the model concerned.

    Raises:
        AscoltoError: ``analysis.no_engine`` if the fallback engine cannot run either.
    """
    _ensure_builtins()
    spec = _REGISTRY.get(FALLBACK_ENGINE)
    if spec is None or engine_status(spec) is not None:
        raise AscoltoError("analysis.no_engine")
    return EngineChoice(
        build_engine(FALLBACK_ENGINE), requested, reason, (("model", model), ("engine", requested))
    )


def describe_model(spec: EngineSpec, settings: dict[str, Any]) -> str:
    """The model id an engine would use, for messages ("" if even that fails)."""
    try:
        return spec.subject(settings) if spec.subject is not None else spec.describe(settings).model_id
    except Exception:  # noqa: BLE001 - only used to word a message
        return ""


_BUILTINS_REGISTERED = False


def _embedded_check(settings: dict[str, Any]) -> str | None:
    try:
        from ascolto_core.analysis.embedded import EmbeddedEngine  # noqa: F401
    except ImportError:
        return "analysis.fallback.embedded_missing"
    return None


def _embedded_factory(settings: dict[str, Any]) -> Engine:
    from ascolto_core.analysis.embedded import EmbeddedEngine

    return EmbeddedEngine()


def _embedded_describe(settings: dict[str, Any]) -> EngineInfo:
    return _embedded_factory(settings).info


def _transformers_check(settings: dict[str, Any]) -> str | None:
    from ascolto_core.analysis import transformer

    return transformer.check_available(transformer.TransformerSettings.from_config(settings))


def _transformers_subject(settings: dict[str, Any]) -> str:
    from ascolto_core.analysis import transformer

    return transformer.unavailable_model(transformer.TransformerSettings.from_config(settings))


def _transformers_factory(settings: dict[str, Any]) -> Engine:
    from ascolto_core.analysis import transformer

    return transformer.TransformersEngine(transformer.TransformerSettings.from_config(settings))


def _transformers_describe(settings: dict[str, Any]) -> EngineInfo:
    from ascolto_core.analysis import transformer

    return transformer.TransformerSettings.from_config(settings).info


BUILTIN_ENGINES: tuple[EngineSpec, ...] = (
    # Transformers first: "auto" prefers a real model whenever one is installed locally.
    EngineSpec(
        "transformers",
        _transformers_describe,
        _transformers_check,
        _transformers_factory,
        10,
        _transformers_subject,
    ),
    EngineSpec("embedded", _embedded_describe, _embedded_check, _embedded_factory, auto_priority=0),
)


def _ensure_builtins() -> None:
    # Built-ins go through register_engine like any plugin; a name already taken
    # (a test double or a plugin registered earlier) is left alone.
    global _BUILTINS_REGISTERED
    if _BUILTINS_REGISTERED:
        return
    _BUILTINS_REGISTERED = True
    for spec in BUILTIN_ENGINES:
        if spec.name not in _REGISTRY:
            register_engine(spec)


def reset_registry() -> None:
    """Forget plugins and built engines and register the built-ins again (tests use this)."""
    global _BUILTINS_REGISTERED
    _REGISTRY.clear()
    _INSTANCES.clear()
    _BUILTINS_REGISTERED = False
    _ensure_builtins()


def forget_engines() -> None:
    """Drop built engine instances (e.g. after the configuration changed); registrations stay."""
    _INSTANCES.clear()
