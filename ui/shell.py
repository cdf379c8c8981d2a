"""What the router draws around every page: language switch, data bootstrap, engine, filters."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import LANGUAGES, t
from ascolto_core.workspace import is_workspace
from ui import data, workspaces
from ui.components import escape_markdown, filter_count_caption, literal_t, remembered_choice
from ui.filters import render_filters
from ui.format import fmt_int
from ui.state import PageContext, StateKeys, set_dataset

LANGUAGE_NAMES = {"it": "Italiano", "en": "English"}


def language_switch() -> str:
    """The it/en switch at the top of the sidebar; returns the chosen language."""
    return remembered_choice(
        "Lingua / Language",
        LANGUAGES,
        state_key=StateKeys.LANG,
        default=LANGUAGES[0],
        format_func=lambda code: LANGUAGE_NAMES.get(code, code),
        container=st.sidebar,
        label_visibility="collapsed",
    )


def run_analysis(raw: pl.DataFrame, *, key: str = "data", label: str, lang: str, report: Any = None) -> bool:
    """Analyse ``raw`` with a progress bar and make it the app's data; False (message shown) on failure.

    ``key`` is only a readable prefix ("demo", "upload", "fetch"): the caches shared by
    all sessions are keyed by a hash of the content itself (:func:`ui.data.content_key`).
    """
    content = f"{key.split(':', 1)[0]}:{data.content_key(raw)}"
    engine = str(st.session_state.get(StateKeys.ENGINE_CHOICE) or "auto")
    bar = st.progress(0.0, text=t("app.data.analysing", lang, n=fmt_int(raw.height, lang)))

    def progress(done: int, total: int) -> None:
        share = done / total if total else 1.0
        bar.progress(min(1.0, share), text=t("app.data.analysing_progress", lang, done=fmt_int(done, lang), total=fmt_int(total, lang)))

    try:
        result = data.analyse(raw, content, engine, progress)
    except AscoltoError as error:
        bar.empty()
        st.error(escape_markdown(error.message(lang)))
        return False
    bar.empty()
    set_dataset(
        raw=raw,
        mentions=result.mentions,
        key=f"{content}|{result.engine.label}",
        label=label,
        engine_info=result.engine,
        fallback=(result.fallback, dict(result.fallback_params)) if result.fallback else None,
        report=report,
    )
    # Whose listening this is: own posts kept apart, brands recognised (insights.summary.prepare).
    profile = data.profile_for(key)
    st.session_state[StateKeys.PROFILE] = profile
    st.session_state[StateKeys.MENTIONS] = data.prepare(result.mentions, profile)
    return True


DATA_ENV = "ASCOLTO_DATA"
WORKSPACE_ENV = "ASCOLTO_WORKSPACE"


def startup_data_path() -> Path | None:
    """What the app opens on at start-up, or None (the last used workspace, else the demo).

    ``$ASCOLTO_WORKSPACE`` (``make run WORKSPACE=DIR``) first, then ``$ASCOLTO_DATA``
    (``make run DATA=path``): either may name a workspace folder (a bare name is looked
    up in the workspaces folder) or a data file. The one place that reads the variables.
    """
    from ascolto_core.workspace import resolve_workspace_path

    for name in (WORKSPACE_ENV, DATA_ENV):
        value = os.environ.get(name, "").strip()
        if value:
            return resolve_workspace_path(value).expanduser()
    return None


def load_startup_file(path: Path, lang: str) -> None:
    """Load and analyse ``path`` as the session's data; any problem becomes a message on Dati, never a traceback."""
    shown = str(path)
    try:
        if not path.exists():
            raise FileNotFoundError(shown)
        if not path.is_file():
            st.session_state[StateKeys.LOAD_ERROR] = t("startup.not_a_file", lang, path=shown)
            return
        size = path.stat().st_size
        if size > data.max_upload_bytes():
            mb = f"{size / 1024 / 1024:.1f}".replace(".", "," if lang == "it" else ".")
            st.session_state[StateKeys.LOAD_ERROR] = t("startup.too_big", lang, path=shown, size=mb, mb=f"{data.max_upload_mb():g}")
            return
        content = path.read_bytes()
    except FileNotFoundError:
        st.session_state[StateKeys.LOAD_ERROR] = t("startup.not_found", lang, path=shown)
        return
    except OSError as error:
        st.session_state[StateKeys.LOAD_ERROR] = t("startup.unreadable", lang, path=shown, reason=error.strerror or type(error).__name__)
        return
    try:
        result = data.load_file(content, path.name, None, None)
    except AscoltoError as error:
        key = "startup.needs_mapping" if getattr(error, "proposal", None) is not None else "startup.refused"
        st.session_state[StateKeys.LOAD_ERROR] = t(key, lang, path=shown, reason=error.message(lang))
        return
    except Exception as error:  # noqa: BLE001 - a file named at start-up must never leave the app on a traceback
        st.session_state[StateKeys.LOAD_ERROR] = t("startup.unexpected", lang, name=path.name, error=type(error).__name__)
        return
    if not run_analysis(result.mentions, key="file", label=path.name, lang=lang, report=result.report):
        st.session_state[StateKeys.LOAD_ERROR] = t("startup.analysis_failed", lang, path=shown)


def ensure_dataset(lang: str) -> None:
    """Give every page data: the open workspace (re-read when it changed), else on first open the
    workspace or file named at start-up, the last used workspace, or the read-only demo."""
    if st.session_state.get(StateKeys.WORKSPACE):
        if workspaces.sync(lang):
            return
        problem = st.session_state.get(StateKeys.LOAD_ERROR)  # e.g. another tab deleted it
        _open_demo(lang)
        if problem:
            st.session_state[StateKeys.LOAD_ERROR] = problem
        return
    if st.session_state.get(StateKeys.MENTIONS) is not None or st.session_state.get(StateKeys.LOAD_ERROR):
        return
    startup = startup_data_path()
    if startup is not None:
        if workspaces.startup_workspace(startup):
            workspaces.sync(lang)
        elif startup.is_dir():
            st.session_state[StateKeys.LOAD_ERROR] = t("wsui.startup_not_workspace", lang, path=str(startup))
        else:
            load_startup_file(startup, lang)
        return
    last = workspaces.last_used()
    if last and last != workspaces.DEMO and is_workspace(last):
        workspaces.open_in_session(last)
        if workspaces.sync(lang):
            return
    _open_demo(lang)


def _open_demo(lang: str) -> None:
    try:
        workspaces.open_demo()
    except AscoltoError as error:
        st.session_state[StateKeys.LOAD_ERROR] = error.message(lang)
        return
    if not workspaces.sync(lang):
        st.session_state[StateKeys.LOAD_ERROR] = t("app.data.demo_failed", lang)


def dataset_label(lang: str) -> str:
    """The name of the data in use: a file name, or a catalogue key ("app.data.demo_label") shown translated."""
    label = str(st.session_state.get(StateKeys.DATASET_LABEL) or "")
    return t(label, lang) if label.startswith("app.") else label


def engine_caption(lang: str) -> None:
    """Which engine produced the results, always visible in the sidebar (and why, after a fallback)."""
    info = st.session_state.get(StateKeys.ENGINE_INFO)
    if info is None:
        return
    from ascolto_core.analysis import describe_engine

    path = workspaces.open_path()
    if path is None or workspaces.is_demo(path):  # another workspace is named by its own line
        st.sidebar.caption(literal_t("app.sidebar.dataset", lang, name=dataset_label(lang)))
    workspace_caption(lang)
    st.sidebar.caption(t("app.sidebar.engine", lang, engine=describe_engine(info, lang)))
    fallback = st.session_state.get(StateKeys.ENGINE_FALLBACK)
    if fallback:
        key, params = fallback
        st.sidebar.caption(":material/info: " + escape_markdown(t(key, lang, **params)))
    stale_warning(lang)


def workspace_caption(lang: str) -> None:
    """Which workspace is open, and whether it is read-only."""
    path = workspaces.open_path()
    if path is None:
        return
    if workspaces.is_demo(path):
        st.sidebar.caption(t("wsui.sidebar.demo", lang))
    else:
        st.sidebar.caption(literal_t("wsui.sidebar.workspace", lang, name=path.name))


def stale_warning(lang: str) -> None:
    """How many results come from an older engine or teaching (refreshed from Dati)."""
    try:
        stale, total = workspaces.stale_count()
    except AscoltoError:
        return
    if stale:
        st.sidebar.warning(t("wsui.stale.sidebar", lang, stale=fmt_int(stale, lang), total=fmt_int(total, lang)))


def build_context(lang: str) -> PageContext | None:
    """Draw the sidebar filters and compute the filtered mentions once for this run."""
    mentions = st.session_state.get(StateKeys.MENTIONS)
    if mentions is None:
        st.session_state.pop(StateKeys.CONTEXT, None)
        return None
    from ascolto_core.insights import apply_filter

    tz = workspaces.display_tz()
    dataset_key = str(st.session_state.get(StateKeys.DATASET_KEY) or "data")
    flt = render_filters(data.options(mentions, dataset_key, tz), lang)
    try:
        filtered = apply_filter(mentions, flt, tz)
    except AscoltoError as error:
        st.sidebar.error(escape_markdown(error.message(lang)))
        filtered = mentions.clear()
    context = PageContext(
        lang=lang,
        tz=tz,
        mentions=mentions,
        filtered=filtered,
        flt=flt,
        dataset_key=dataset_key,
        cache_key=f"{dataset_key}|{tz}|{flt!r}",
        office_hours=workspaces.office_hours(),
    )
    with st.sidebar:
        filter_count_caption(context.shown, context.total, lang)
    st.session_state[StateKeys.CONTEXT] = context
    return context


def page_context(title_key: str, *, need_rows: bool = True) -> PageContext:
    """Start a page: title, the "N menzioni su M" line, and stop politely when there is nothing to show."""
    lang = st.session_state.get(StateKeys.LANG, LANGUAGES[0])
    st.title(t(title_key, lang))
    context: PageContext | None = st.session_state.get(StateKeys.CONTEXT)
    if context is None:
        st.info(t("app.common.no_data", lang))
        st.page_link("pages/data.py", label=t("app.nav.data", lang), icon=":material/database:")
        st.stop()
    filter_count_caption(context.shown, context.total, lang)
    if need_rows and context.filtered.is_empty():
        st.info(t("app.common.no_match", lang))
        st.stop()
    return context
