"""The engine state shipped to Spark executors once, and the engine rebuilt from it once per worker.

A driver builds an :class:`EngineState` (picklable: the engine's name and the
data it needs, e.g. the embedded engine's lexicon), broadcasts it once, and each
executor's Python worker calls :func:`engine_from_state` on every batch: the
engine is built on the first call and memoised by the state's fingerprint, so
the lexicon (and later a workspace's vocabulary or an adapted model) is
deserialised and prepared once per worker process, never per batch.

New kinds of state (the teaching issue's adapted model, a workspace's own
vocabulary) register a builder with :func:`register_state_builder`; the builder
receives the payload and returns an ``analysis.base.Engine``.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ascolto_core.analysis.base import Engine

# payload -> engine; keyed by the state's ``kind``.
StateBuilder = Callable[[Mapping[str, Any]], Engine]

_BUILDERS: dict[str, StateBuilder] = {}
_BUILT: dict[str, Engine] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class EngineState:
    """Everything an executor needs to rebuild the driver's engine, picklable.

    Attributes:
        kind: how to rebuild it: ``"embedded"`` (payload ``lexicon``) or ``"registry"``
            (payload ``name``: the executor resolves that engine from its own registry,
            e.g. a transformer model installed on every node), or a kind registered
            with :func:`register_state_builder`.
        payload: the data, e.g. ``{"lexicon": Lexicon}``; must pickle.
        fingerprint: identifies the state (the memo key on the executors).
    """

    kind: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    fingerprint: str = ""


def register_state_builder(kind: str, builder: StateBuilder) -> None:
    """Let :func:`engine_from_state` rebuild states of ``kind`` (e.g. an adapted model)."""
    _BUILDERS[kind] = builder


def engine_state(engine: str | None = None) -> EngineState:
    """The state of the engine the driver would use for ``engine`` ("embedded", "auto", a name...).

    The embedded engine ships its lexicon (so every executor scores with exactly the
    driver's lexicon, even if its own files differ); any other engine ships its name.
    """
    from ascolto_core.analysis.registry import resolve_engine

    choice = resolve_engine(engine)
    info = choice.engine.info
    if info.name == "embedded":
        lexicon = choice.engine.lexicon  # type: ignore[attr-defined]
        return _with_fingerprint(EngineState("embedded", {"lexicon": lexicon}))
    return _with_fingerprint(EngineState("registry", {"name": info.name}))


def _with_fingerprint(state: EngineState) -> EngineState:
    digest = hashlib.blake2b(pickle.dumps((state.kind, dict(state.payload))), digest_size=12).hexdigest()
    return EngineState(state.kind, state.payload, f"{state.kind}-{digest}")


def engine_from_state(state: EngineState) -> Engine:
    """The engine ``state`` describes, built once per process and then reused.

    Raises:
        KeyError: for a ``kind`` nobody registered a builder for.
    """
    key = state.fingerprint or f"{state.kind}-{id(state)}"
    with _LOCK:
        built = _BUILT.get(key)
        if built is None:
            built = _build(state)
            _BUILT[key] = built
        return built


def built_states() -> tuple[str, ...]:
    """Fingerprints of the engines built in this process (how often a worker built one)."""
    return tuple(_BUILT)


def _build(state: EngineState) -> Engine:
    if state.kind == "embedded":
        from ascolto_core.analysis.embedded import EmbeddedEngine

        return EmbeddedEngine(lexicon=state.payload["lexicon"])
    if state.kind == "registry":
        from ascolto_core.analysis.registry import resolve_engine

        return resolve_engine(str(state.payload["name"])).engine
    return _BUILDERS[state.kind](state.payload)
