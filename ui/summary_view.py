"""The aggregate summary of a dataset far larger than memory: opened on Dati (upload) or at start-up, drawn by Riepilogo.

The summary is small (counts per day, touchpoint, brand, sentiment, emotion); it lives in
the session beside the mentions and never replaces them. Every problem with a file is a
message in Italian (or English), never a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import polars as pl
import streamlit as st

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.scale.summary_insights import SUMMARY_SUFFIXES, read_summary_path, summary_from_files, summary_totals
from ui.components import escape_markdown, literal_t
from ui.format import fmt_date, fmt_int
from ui.state import StateKeys

SUMMARY_ENV = "ASCOLTO_SUMMARY"  # `make run SUMMARY=path`: a summary file or a folder of Parquet parts


@dataclass(frozen=True)
class OpenSummary:
    """The summary in use: what it is called (a file or folder name), its table, and whether start-up opened it."""

    name: str
    table: pl.DataFrame
    at_startup: bool = False


@st.cache_data(show_spinner=False, max_entries=4)
def _from_files(files: tuple[tuple[str, bytes], ...]) -> pl.DataFrame:
    return summary_from_files(files)


def _message(error: AscoltoError, lang: str) -> str:
    # File names come from the person: shown literally, never as Markdown.
    return literal_t(error.key, lang, **error.params)


def current_summary(lang: str) -> OpenSummary | None:
    """The open summary; on the first call of a session, the one named by ``$ASCOLTO_SUMMARY``."""
    if not st.session_state.get(StateKeys.SUMMARY_STARTUP):
        st.session_state[StateKeys.SUMMARY_STARTUP] = True
        path = os.environ.get(SUMMARY_ENV, "").strip()
        if path:
            try:
                table = read_summary_path(path)
            except AscoltoError as error:
                st.session_state[StateKeys.SUMMARY_ERROR] = literal_t(
                    "summary_view.startup_failed", lang, path=path, reason=error.message(lang)
                )
            except Exception as error:  # noqa: BLE001 - a path named at start-up never leaves a traceback
                st.session_state[StateKeys.SUMMARY_ERROR] = literal_t(
                    "summary_view.startup_failed", lang, path=path, reason=type(error).__name__
                )
            else:
                name = os.path.basename(os.path.normpath(path)) or path
                st.session_state[StateKeys.SUMMARY] = OpenSummary(name, table, at_startup=True)
    return st.session_state.get(StateKeys.SUMMARY)


def opened_line(opened: OpenSummary, lang: str) -> str:
    """"Riepilogo aperto: **name**, N menzioni dal ... al ..." (name shown literally)."""
    totals = summary_totals(opened.table)
    name = escape_markdown(opened.name)
    if totals.date_from is None:
        return t("summary_view.opened_undated", lang, name=name, n=fmt_int(totals.mentions, lang))
    return t(
        "summary_view.opened", lang, name=name, n=fmt_int(totals.mentions, lang),
        start=fmt_date(totals.date_from, lang), end=fmt_date(totals.date_to, lang),
    )


def render_open_notice(lang: str) -> None:
    """On Dati: the summary opened at start-up (or why it could not be), with the way to its page."""
    opened = current_summary(lang)
    problem = st.session_state.get(StateKeys.SUMMARY_ERROR)
    if problem:
        st.error(problem)
    if opened is not None and opened.at_startup:
        st.info(opened_line(opened, lang), icon=":material/summarize:")
        st.page_link("pages/summary.py", label=t("summary_view.to_page", lang), icon=":material/summarize:")


def _close() -> None:
    st.session_state.pop(StateKeys.SUMMARY, None)
    st.session_state.pop(StateKeys.SUMMARY_ERROR, None)
    st.session_state[StateKeys.SUMMARY_UPLOADS] = int(st.session_state.get(StateKeys.SUMMARY_UPLOADS, 0)) + 1


def render_summary_tab(lang: str) -> None:
    """The Dati tab that opens a summary: upload one file or all the Parquet parts of a Spark folder."""
    st.markdown(t("summary_view.tab_intro", lang))
    generation = int(st.session_state.get(StateKeys.SUMMARY_UPLOADS, 0))
    uploads = st.file_uploader(
        t("summary_view.upload", lang),
        type=[suffix.lstrip(".") for suffix in SUMMARY_SUFFIXES],
        accept_multiple_files=True,
        key=f"summary_upload_{generation}",
        help=t("summary_view.upload_help", lang),
    )
    if uploads:
        files = tuple(sorted((upload.name, upload.getvalue()) for upload in uploads))
        try:
            table = _from_files(files)
        except AscoltoError as error:
            st.error(_message(error, lang))
        except Exception as error:  # noqa: BLE001 - an uploaded file never leaves a traceback
            st.error(escape_markdown(t("summary_view.unreadable", lang, name=files[0][0], reason=type(error).__name__)))
        else:
            name = files[0][0] if len(files) == 1 else t("summary_view.files_label", lang, n=len(files))
            st.session_state[StateKeys.SUMMARY] = OpenSummary(name, table)
            st.session_state.pop(StateKeys.SUMMARY_ERROR, None)
    opened = st.session_state.get(StateKeys.SUMMARY)
    if opened is not None:
        st.success(opened_line(opened, lang))
        row = st.container(horizontal=True, vertical_alignment="center")
        with row:
            st.page_link("pages/summary.py", label=t("summary_view.to_page", lang), icon=":material/summarize:")
            st.button(t("summary_view.close", lang), key="summary_close", on_click=_close, icon=":material/close:")
