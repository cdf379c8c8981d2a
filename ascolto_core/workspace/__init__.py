"""Workspaces: one brand's listening kept on disk, safe across restarts, processes and crashes.

Public API (names are stable; the app, ``listen`` and the teaching page use them)::

    ws = Workspace.create(DIR, brand="Forno Brio", settings={...})   # or create_workspace(...)
    ws = Workspace.open(DIR)                                          # or open_workspace(...)
    add_file(ws, path_or_bytes, filename=...) -> IngestReport        # load -> analyse new -> store
    add_mentions(ws, frame, origin="mastodon:...", kind="fetch")     # for already loaded mentions
    ws.mentions() -> pl.DataFrame          ws.scan_mentions() -> pl.LazyFrame     ws.data_version()
    ws.settings() -> WorkspaceSettings     ws.set_settings(...)
    ws.get_state(key) / set_state(key, value) / update_state(key, fn)     (JSON values, atomic)
    ws.history() -> pl.DataFrame           ws.record_event(kind, origin, **details)
    ws.labels() / set_label(id, sentiment=, emotion=) / set_labels(frame) / remove_label(id)
    ws.vocabulary() / set_term(term, kind, polarity=, emotion=) / set_terms(frame) / remove_term(term)
    ws.revisions() -> (vocabulary_revision, labels_revision)   (bumped by every change)
    staleness(ws) -> Staleness             refresh_analysis(ws)
    export_workspace(ws_or_dir, FILE)      import_workspace(FILE, DIR)
    rename_workspace(path, name) / delete_workspace(path) / list_workspaces() / default_workspaces_dir()
    demo_workspace() -> Workspace (read-only, built from the demo dataset; ascolto_core.workspace.demo)

Storage: a SQLite catalogue (WAL) plus append-only Parquet segments; see
:mod:`ascolto_core.workspace.store` and the README.
"""

from __future__ import annotations

import os
from pathlib import Path

from ascolto_core.workspace.dedup import DuplicateCounts
from ascolto_core.workspace.demo import demo_workspace
from ascolto_core.workspace.ingest import (
    IngestReport,
    add_file,
    add_files,
    add_mentions,
    current_stamp,
    refresh_analysis,
    staleness,
)
from ascolto_core.workspace.migrations import SCHEMA_VERSION
from ascolto_core.workspace.portable import export_workspace, import_workspace
from ascolto_core.workspace.settings import SETTINGS_KEYS, WorkspaceSettings
from ascolto_core.workspace.store import (
    AnalysisStamp,
    Staleness,
    Workspace,
    WorkspaceInfo,
    is_workspace,
)

ENV_WORKSPACES = "ASCOLTO_WORKSPACES"

__all__ = [
    "ENV_WORKSPACES",
    "SCHEMA_VERSION",
    "SETTINGS_KEYS",
    "AnalysisStamp",
    "DuplicateCounts",
    "IngestReport",
    "Staleness",
    "Workspace",
    "WorkspaceInfo",
    "WorkspaceSettings",
    "add_file",
    "add_files",
    "add_mentions",
    "create_workspace",
    "current_stamp",
    "default_workspaces_dir",
    "delete_workspace",
    "demo_workspace",
    "export_workspace",
    "import_workspace",
    "is_workspace",
    "list_workspaces",
    "open_workspace",
    "refresh_analysis",
    "rename_workspace",
    "resolve_workspace_path",
    "staleness",
]


def default_workspaces_dir() -> Path:
    """Where workspaces live by default: ``$ASCOLTO_WORKSPACES``, else the per-user data folder."""
    configured = os.environ.get(ENV_WORKSPACES)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ascolto", appauthor=False)) / "workspaces"


def resolve_workspace_path(name_or_path: str | os.PathLike[str]) -> Path:
    """A path as given; a bare name that is not a folder here is looked up in :func:`default_workspaces_dir`."""
    path = Path(name_or_path).expanduser()
    text = str(name_or_path)
    if path.exists() or os.sep in text or "/" in text or path.is_absolute():
        return path
    candidate = default_workspaces_dir() / text
    return candidate if candidate.exists() else path


def list_workspaces(folder: str | os.PathLike[str] | None = None) -> list[Path]:
    """The workspaces in ``folder`` (default :func:`default_workspaces_dir`), sorted by name."""
    base = Path(folder) if folder is not None else default_workspaces_dir()
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if is_workspace(p))


def rename_workspace(path: str | os.PathLike[str], new_name: str) -> Path:
    """Rename a workspace folder in place (same parent). Returns the new path.

    Stop the ``listen`` process of this workspace first: it keeps the old path.

    Raises:
        AscoltoError: ``workspace.not_found``; ``workspace.bad_name`` for an empty name, one
            with a path separator or a leading dot; ``workspace.exists`` when the name is taken.
    """
    from ascolto_core.errors import AscoltoError

    source = Path(path)
    if not is_workspace(source):
        raise AscoltoError("workspace.not_found", path=str(source))
    name = new_name.strip()
    if not name or "/" in name or os.sep in name or name.startswith(".") or name in ("..",):
        raise AscoltoError("workspace.bad_name", name=new_name)
    target = source.parent / name
    if target.exists():
        raise AscoltoError("workspace.exists", path=str(target))
    source.rename(target)
    return target


def delete_workspace(path: str | os.PathLike[str]) -> None:
    """Delete a workspace: its catalogue and segments, then the folder if nothing else is in it.

    Files that are not the workspace's (a person's notes put in the folder) are left alone.

    Raises:
        AscoltoError: ``workspace.not_found``; ``workspace.read_only`` for the demo.
    """
    import shutil

    from ascolto_core.errors import AscoltoError
    from ascolto_core.workspace.store import CATALOGUE_FILE, SEGMENTS_DIR

    folder = Path(path)
    workspace = Workspace.open(folder, read_only=True)
    if workspace.info().read_only:
        raise AscoltoError("workspace.read_only", path=str(folder))
    # The catalogue first: from then on the folder is no workspace, whatever happens next.
    for suffix in ("", "-wal", "-shm", "-journal"):
        (folder / f"{CATALOGUE_FILE}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(folder / SEGMENTS_DIR, ignore_errors=True)
    try:
        folder.rmdir()
    except OSError:
        pass  # something of the person's is still there


def create_workspace(
    path: str | os.PathLike[str], *, brand: str | None = None, settings: object = None
) -> Workspace:
    """:meth:`Workspace.create` (see there)."""
    return Workspace.create(path, brand=brand, settings=settings)  # type: ignore[arg-type]


def open_workspace(path: str | os.PathLike[str], *, read_only: bool = False) -> Workspace:
    """:meth:`Workspace.open` (see there)."""
    return Workspace.open(path, read_only=read_only)
