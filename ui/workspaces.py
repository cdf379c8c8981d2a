"""The session's open workspace: which one, its analysed mentions, the last one used, adding data to it.

The session holds only the workspace's path (``StateKeys.WORKSPACE``); the
mentions are read from disk through :func:`ui.data.workspace_mentions`, cached
by the path and a version key that changes whenever another tab or process
adds data, so two tabs on one workspace see each other's data after a rerun and
two on different workspaces never share an entry.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.workspace import (
    IngestReport,
    Workspace,
    add_mentions,
    default_workspaces_dir,
    is_workspace,
)
from ui import data
from ui.components import escape_markdown
from ui.format import fmt_int
from ui.state import StateKeys, reset_filters, set_dataset

DEMO = ":demo:"  # the remembered "last used" value for the read-only demo
LAST_USED_FILE = ".last-workspace"  # in the workspaces folder: a dot-file is never listed as a workspace


def engine_choice() -> str | None:
    """The engine the person chose on Dati (``None`` = the configured one)."""
    choice = str(st.session_state.get(StateKeys.ENGINE_CHOICE) or "auto")
    return None if choice == "auto" else choice


def demo_path() -> Path:
    """The demo workspace (built from the demo dataset on first use, then reused)."""
    from ascolto_core.workspace.demo import demo_workspace

    return demo_workspace().path


def is_demo(path: str | Path) -> bool:
    """True for the read-only demo workspace the app builds (not for a writable copy of it)."""
    from ascolto_core.workspace.demo import default_demo_parent

    return Path(path).parent == default_demo_parent()


def open_path() -> Path | None:
    """The workspace this session has open, or ``None`` (a file opened at start-up, test data)."""
    value = st.session_state.get(StateKeys.WORKSPACE)
    return Path(value) if value else None


def current_workspace() -> Workspace | None:
    """The open workspace (opened read-only when it is the demo), or ``None``."""
    path = open_path()
    if path is None:
        return None
    return Workspace.open(path, read_only=True)


def is_read_only(path: str | Path) -> bool:
    """True for the demo and any workspace marked read-only (its own flag, read from the catalogue)."""
    return is_demo(path) or Workspace(Path(path)).read_only


def writable_workspace() -> Workspace | None:
    """The open workspace for writing, or ``None`` when none is open or it is read-only (the demo)."""
    path = open_path()
    if path is None or is_demo(path):
        return None
    workspace = Workspace.open(path)
    return None if workspace.read_only else workspace


def last_used() -> str | None:
    """The workspace opened last on this machine (a path or :data:`DEMO`), if any."""
    try:
        value = (default_workspaces_dir() / LAST_USED_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return value or None


def remember(path: str | Path) -> None:
    """Note ``path`` as the last used workspace (the demo as :data:`DEMO`); a failure to write is harmless."""
    value = DEMO if is_demo(path) else str(Path(path).resolve())
    folder = default_workspaces_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / LAST_USED_FILE).write_text(value, encoding="utf-8")
    except OSError:
        pass


def version_key(workspace: Workspace) -> str:
    """A cache key for the workspace's current data: path, data version and segment files.

    The segment names make a workspace deleted and created again at the same path
    (data version restarting at 1) a different key.
    """
    segments = hashlib.sha256("\x1f".join(workspace.segment_files()).encode()).hexdigest()[:12]
    return f"ws:{workspace.path.resolve()}:{workspace.data_version()}:{segments}"


def open_in_session(path: str | Path, *, remember_it: bool = True) -> None:
    """Make ``path`` the session's workspace; its data is read on this run by :func:`sync`."""
    st.session_state[StateKeys.WORKSPACE] = str(Path(path))
    st.session_state.pop(StateKeys.DATASET_KEY, None)
    st.session_state.pop(StateKeys.LOAD_REPORT, None)
    st.session_state.pop(StateKeys.LOAD_ERROR, None)
    reset_filters()
    if remember_it:
        remember(path)


def open_demo() -> None:
    """Open the read-only demo workspace (building it the first time)."""
    open_in_session(demo_path())


def _engine() -> tuple[Any, tuple[str, dict[str, str]] | None]:
    from ascolto_core.analysis.registry import resolve_engine

    choice = resolve_engine(engine_choice())
    fallback = (choice.fallback, dict(choice.fallback_params)) if choice.fallback else None
    return choice.engine.info, fallback


def sync(lang: str) -> bool:
    """Read the open workspace's mentions when they changed since this session last looked.

    Returns False (and forgets the workspace, with a message on Dati) when it can no
    longer be opened, e.g. another tab deleted it.
    """
    path = open_path()
    if path is None:
        return False
    try:
        workspace = Workspace.open(path, read_only=True)
        profile = workspace_profile(workspace)
        profile_key = hashlib.sha256(json.dumps(profile.to_dict(), sort_keys=True).encode()).hexdigest()[:12]
        key = f"{version_key(workspace)}|p{profile_key}|l{workspace.revisions()[1]}"  # labels win: a correction is a new entry
        info, fallback = _engine()  # the engine chosen now: new data is analysed by it, older results are flagged
        if st.session_state.get(StateKeys.DATASET_KEY) == key and st.session_state.get(StateKeys.MENTIONS) is not None:
            st.session_state[StateKeys.ENGINE_INFO] = info
            st.session_state[StateKeys.ENGINE_FALLBACK] = fallback
            return True
        mentions = data.workspace_mentions(str(path), key, profile, profile_key)
    except AscoltoError as error:
        st.session_state.pop(StateKeys.WORKSPACE, None)
        st.session_state[StateKeys.MENTIONS] = None
        st.session_state[StateKeys.LOAD_ERROR] = error.message(lang)
        return False
    same_workspace = str(st.session_state.get(StateKeys.DATASET_KEY) or "").startswith(f"ws:{workspace.path.resolve()}:")
    if same_workspace:
        _widen_full_date_range(lang)
    report = st.session_state.get(StateKeys.LOAD_REPORT)
    set_dataset(
        raw=mentions,
        mentions=mentions,
        key=key,
        label="app.data.demo_label" if is_demo(path) else workspace.name,
        engine_info=info,
        fallback=fallback,
        report=report,
        keep_filters=same_workspace,
    )
    st.session_state[StateKeys.PROFILE] = profile  # whose listening this is (own posts, brands)
    return True


def workspace_profile(workspace: Workspace) -> Any:
    """The brand profile of ``workspace``: its settings' one; the demo's own for the demo (as before workspaces)."""
    if is_demo(workspace.path):
        from ascolto_core.datasets import demo_profile

        return demo_profile()
    return workspace.settings().profile


def office_hours() -> Any:
    """The open workspace's office hours and holidays (its settings), else the project's (``config/insights.yaml``).

    Raises:
        AscoltoError: the project's office hours cannot be read (a workspace's were validated when saved).
    """
    from ascolto_core.insights import OfficeHours

    try:
        workspace = current_workspace()
        if workspace is not None:
            return workspace.settings().office_hours_record()
    except AscoltoError:
        pass
    return OfficeHours.from_config()


def display_tz() -> str:
    """The open workspace's display time zone (its settings), else the app's (``config/app.yaml``)."""
    try:
        workspace = current_workspace()
        if workspace is not None:
            return workspace.settings().display_timezone
    except AscoltoError:
        pass
    return data.display_tz()


def _widen_full_date_range(lang: str) -> None:
    """New data in the same workspace: a date filter that covered everything keeps covering everything."""
    old = st.session_state.get(StateKeys.MENTIONS)
    held = st.session_state.get(StateKeys.F_DATES)
    if old is None or held is None:
        return
    options = data.options(old, str(st.session_state.get(StateKeys.DATASET_KEY)), display_tz())
    if tuple(held) == (options.date_min, options.date_max):
        st.session_state.pop(StateKeys.F_DATES, None)


def ingest(frame: pl.DataFrame, *, origin: str, kind: str, lang: str, refused: int = 0, load: Any = None) -> IngestReport | None:
    """Analyse what is new in ``frame`` and store it in the open workspace, with a progress bar.

    The report (new, duplicates by rule, refused) is kept for Dati; ``None`` (message
    shown) when the workspace is read-only or the analysis fails.
    """
    try:
        workspace = writable_workspace()
        if workspace is None:
            st.warning(t("wsui.read_only_add", lang))
            return None
        bar = st.progress(0.0, text=t("app.data.analysing", lang, n=fmt_int(frame.height, lang)))

        def progress(done: int, total: int) -> None:
            share = done / total if total else 1.0
            bar.progress(min(1.0, share), text=t("app.data.analysing_progress", lang, done=fmt_int(done, lang), total=fmt_int(total, lang)))

        report = add_mentions(workspace, frame, origin=origin, kind=kind, engine=engine_choice(), progress=progress, refused=refused, load=load)
        bar.empty()
    except AscoltoError as error:
        st.error(escape_markdown(error.message(lang)))
        return None
    st.session_state[StateKeys.LOAD_REPORT] = report
    # Numbers only (no file name): shown as Markdown above the picker after the rerun.
    d = report.duplicates
    st.session_state[StateKeys.WS_NOTICE] = "  \n".join(
        (
            t("workspace.report_added", lang, new=fmt_int(report.new, lang), received=fmt_int(report.received, lang)),
            t("workspace.report_duplicates", lang, n=d.total, by_id=d.by_id, by_url=d.by_url, by_text=d.by_text),
        )
    )
    return report


def stale_count() -> tuple[int, int]:
    """``(stale, total)`` mentions of the open workspace compared with the engine chosen now."""
    workspace = current_workspace()
    if workspace is None:
        return 0, 0
    found = data.workspace_staleness(str(workspace.path), version_key(workspace), engine_choice(), workspace.revisions())
    return found.stale, found.total


def startup_workspace(path: Path) -> bool:
    """Open ``path`` when it is a workspace folder (``make run WORKSPACE=DIR``); False otherwise."""
    if not is_workspace(path):
        return False
    open_in_session(path)
    return True


def render_staleness(lang: str) -> None:
    """On Dati: how many results come from an older engine or teaching, and a button to redo them."""
    try:
        stale, total = stale_count()
    except AscoltoError:
        return
    if not stale:
        return
    st.warning(t("wsui.stale.body", lang, stale=fmt_int(stale, lang), total=fmt_int(total, lang)))
    path = open_path()
    if path is not None and is_read_only(path):
        st.caption(t("wsui.stale.demo", lang))
        return
    if st.button(t("wsui.stale.refresh", lang), key="ws_refresh", icon=":material/refresh:"):
        from ascolto_core.workspace import refresh_analysis

        workspace = writable_workspace()
        if workspace is None:
            return
        try:
            with st.spinner(t("wsui.stale.running", lang)):
                redone = refresh_analysis(workspace, engine=engine_choice())
        except AscoltoError as error:
            st.error(escape_markdown(error.message(lang)))
            return
        st.session_state[StateKeys.WS_NOTICE] = t("wsui.stale.done", lang, n=fmt_int(redone, lang))
        st.rerun()
