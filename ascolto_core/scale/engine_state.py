"""The engine state shipped to Spark executors once, and the engine rebuilt from it once per worker.

A driver builds an :class:`EngineState` (picklable: the engine's name and the
data it needs, e.g. the embedded engine's lexicon), broadcasts it once, and each
executor's Python worker calls :func:`engine_from_state` on every batch: the
engine is built on the first call and memoised by the state's fingerprint, so
the lexicon (and later a workspace's vocabulary or an adapted model) is
deserialised and prepared once per worker process, never per batch.

A workspace's engine (:func:`workspace_state`) travels as data too: the base
lexicon and the workspace's vocabulary entries (kind ``"vocabulary"``), and the
adapted model fitted on the driver with the state of its base engine (kind
``"adapted"``); executors never open the workspace (they cannot see the driver's
disk) and never retrain. Those kinds are registered with
:func:`register_state_builder`, the mechanism any other kind uses: the builder
receives the payload and returns an ``analysis.base.Engine``.
"""

from __future__ import annotations

import hashlib
import pickle
import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ascolto_core.analysis.base import Engine

# payload -> engine; keyed by the state's ``kind``.
StateBuilder = Callable[[Mapping[str, Any]], Engine]

_BUILDERS: dict[str, StateBuilder] = {}
_BUILT: dict[str, Engine] = {}
_BUILDS: Counter[str] = Counter()  # fingerprint -> engines built in this process (the tests read it)
_LOCK = threading.RLock()  # re-entrant: an adapted state builds its base state inside


@dataclass(frozen=True)
class EngineState:
    """Everything an executor needs to rebuild the driver's engine, picklable.

    Attributes:
        kind: how to rebuild it: ``"embedded"`` (payload ``lexicon``) or ``"registry"``
            (payload ``name``: the executor resolves that engine from its own registry,
            e.g. a transformer model installed on every node), ``"vocabulary"`` (payload
            ``lexicon``, ``entries``), ``"adapted"`` (payload ``base``: an EngineState,
            ``model``: the fitted AdaptedModel, ``info``), or a kind registered with
            :func:`register_state_builder`.
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


def engine_state_of(engine: Engine) -> EngineState:
    """The state of an engine the driver built: what an executor needs to rebuild exactly it.

    - the adapted engine (teaching) ships its fitted model, its info and the state of its base;
    - the embedded engine reading with a vocabulary ships the plain lexicon and the entries;
    - the embedded engine ships its lexicon; any other engine its registry name.
    """
    from ascolto_core.analysis.embedded import EmbeddedEngine
    from ascolto_core.analysis.learning.engine import AdaptedEngine
    from ascolto_core.analysis.learning.vocabulary import VocabularyEngine

    if isinstance(engine, AdaptedEngine):
        payload = {"base": engine_state_of(engine.base), "model": engine.model, "info": engine.info}
        return _with_fingerprint(EngineState("adapted", payload))
    if isinstance(engine, VocabularyEngine):
        from ascolto_core.analysis.embedded.lexicon import load_lexicon

        payload = {"lexicon": load_lexicon(), "entries": engine.entries}
        return _with_fingerprint(EngineState("vocabulary", payload))
    if isinstance(engine, EmbeddedEngine):
        return _with_fingerprint(EngineState("embedded", {"lexicon": engine.lexicon}))
    return _with_fingerprint(EngineState("registry", {"name": engine.info.name}))


def named_workspace_engine(workspace: str | os.PathLike[str], engine: str | None = None) -> Engine:
    """The engine that analyses the workspace ``workspace`` (a folder, or a name in the workspaces folder).

    Opened read-only: ``workspace_engine`` (its vocabulary, brand names and, when the labels
    make it better, the adapted model trained on them) on top of ``engine``. What
    ``analyze --workspace`` uses locally and on Spark.

    Raises:
        AscoltoError: ``workspace.not_found`` / ``workspace.too_new``.
    """
    from ascolto_core.workspace import Workspace, resolve_workspace_path
    from ascolto_core.workspace.ingest import workspace_engine

    opened = Workspace.open(resolve_workspace_path(workspace), read_only=True)
    return workspace_engine(opened, engine)


def workspace_state(workspace: str | os.PathLike[str], engine: str | None = None) -> EngineState:
    """The state of :func:`named_workspace_engine`: data only, so executors never open the workspace.

    Raises:
        AscoltoError: ``workspace.not_found`` / ``workspace.too_new``.
    """
    return engine_state_of(named_workspace_engine(workspace, engine))


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
            _BUILDS[key] += 1
        return built


def built_states() -> tuple[str, ...]:
    """Fingerprints of the engines built in this process."""
    return tuple(_BUILT)


def build_count(fingerprint: str) -> int:
    """How many times this process built the engine of ``fingerprint`` (1 once it is in use)."""
    return _BUILDS[fingerprint]


def _build(state: EngineState) -> Engine:
    if state.kind == "embedded":
        from ascolto_core.analysis.embedded import EmbeddedEngine

        return EmbeddedEngine(lexicon=state.payload["lexicon"])
    if state.kind == "registry":
        from ascolto_core.analysis.registry import resolve_engine

        return resolve_engine(str(state.payload["name"])).engine
    return _BUILDERS[state.kind](state.payload)


def _vocabulary_engine(payload: Mapping[str, Any]) -> Engine:
    from ascolto_core.analysis.learning.vocabulary import VocabularyEngine

    return VocabularyEngine(payload["entries"], lexicon=payload["lexicon"])


def _adapted_engine(payload: Mapping[str, Any]) -> Engine:
    from ascolto_core.analysis.learning.engine import AdaptedEngine

    # The base is memoised too: a worker running two adapted states over one vocabulary builds it once.
    base = engine_from_state(payload["base"])
    return AdaptedEngine.fitted(base, payload["model"], payload["info"])


register_state_builder("vocabulary", _vocabulary_engine)
register_state_builder("adapted", _adapted_engine)
