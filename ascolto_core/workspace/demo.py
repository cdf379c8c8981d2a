"""The demo workspace: the demo dataset (Forno Brio) as a read-only workspace the app opens at start.

Built once per machine into the per-user cache folder and reused; rebuilt
when the demo data or the engine that would analyse it changes (the folder's
name carries a fingerprint of both, so two processes building at once never
clash: each builds aside and the first to finish wins).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path

from ascolto_core.datasets import DEMO_PATH, load_demo
from ascolto_core.workspace.ingest import add_mentions, current_stamp
from ascolto_core.workspace.store import Workspace, is_workspace

DEMO_BRAND = "Forno Brio"
DEMO_SETTINGS: dict[str, object] = {
    "brand": DEMO_BRAND,
    "aliases": ["fornobrio", "@fornobrio", "#fornobrio"],
    "competitors": ["Panificio Rossi"],
    "brand_terms": ["Forno Brio", "fornobrio"],
    "hashtags": ["fornobrio"],
    "languages": ["it", "en"],
}


def default_demo_parent() -> Path:
    """Where demo workspaces are built: ``$ASCOLTO_CACHE_DIR`` or the per-user cache folder."""
    from ascolto_core.analysis.cache import default_cache_dir

    return default_cache_dir() / "demo-workspaces"


def _fingerprint(source: Path, engine: str | None) -> str:
    digest = hashlib.sha256(source.read_bytes())
    from ascolto_core.analysis.registry import resolve_engine

    info = resolve_engine(engine).engine.info
    digest.update(f"\x1f{info.name}\x1f{info.model_id}\x1f{info.version}".encode())
    return digest.hexdigest()[:16]


def demo_workspace(
    parent: str | os.PathLike[str] | None = None, *, engine: str | None = None, source: Path = DEMO_PATH
) -> Workspace:
    """The read-only demo workspace, built from the demo dataset when missing or outdated.

    Args:
        parent: folder that holds demo workspaces (default :func:`default_demo_parent`).
        engine: analysis engine (default: the configured one).
        source: the demo CSV (tests pass a smaller one).

    Raises:
        AscoltoError: ``datasets.demo_missing`` when the demo CSV is absent; analysis errors.
    """
    base = Path(parent) if parent is not None else default_demo_parent()
    final = base / f"demo-{_fingerprint(Path(source), engine)}"
    if is_workspace(final):
        return Workspace.open(final, read_only=True)
    base.mkdir(parents=True, exist_ok=True)
    staging = base / f".building-{uuid.uuid4().hex[:8]}"
    try:
        workspace = Workspace.create(staging, brand=DEMO_BRAND, settings=DEMO_SETTINGS)
        add_mentions(workspace, load_demo(source), origin=Path(source).name, kind="demo", engine=engine)
        workspace.mark_read_only()
        try:
            os.rename(staging, final)
        except OSError:
            if not is_workspace(final):  # not a lost race: a real problem
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for old in base.glob("demo-*"):  # outdated builds
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    return Workspace.open(final, read_only=True)


__all__ = ["DEMO_BRAND", "current_stamp", "default_demo_parent", "demo_workspace"]
