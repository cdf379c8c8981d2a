"""Dati: the open workspace (picker), its data (demo, upload, online search), settings and load report."""

from __future__ import annotations

import importlib.util

import streamlit as st

from ascolto_core.i18n import t
from ui import summary_view, workspaces
from ui.components import escape_markdown, literal_lines, literal_t
from ui.format import fmt_int
from ui.settings_form import render_settings_form
from ui.shell import dataset_label
from ui.state import StateKeys
from ui.upload import render_fetch_tab, render_upload_tab
from ui.workspace_panel import render_listening_block, render_workspace_panel

lang = st.session_state.get(StateKeys.LANG, "it")
st.title(t("app.data.title", lang))
if st.session_state.get(StateKeys.LOAD_ERROR):
    st.warning(escape_markdown(st.session_state[StateKeys.LOAD_ERROR]))
summary_view.render_open_notice(lang)
render_workspace_panel(lang)
mentions = st.session_state.get(StateKeys.MENTIONS)
if mentions is not None:
    st.success(
        literal_t("app.data.current", lang, name=dataset_label(lang), n=fmt_int(mentions.height, lang))
    )
    report = st.session_state.get(StateKeys.LOAD_REPORT)
    if report is not None:
        with st.expander(t("app.data.report", lang)):
            st.markdown(literal_lines(report.lines(lang)))

st.selectbox(
    t("app.data.engine", lang),
    ("auto", "embedded", "transformers"),
    key=StateKeys.ENGINE_CHOICE,
    format_func=lambda e: t(f"app.data.engine_{e}", lang),
    help=t("app.data.engine_help", lang),
)
workspaces.render_staleness(lang)
has_fetch = importlib.util.find_spec("ui.fetch_panel") is not None
tab_names = ["demo", "upload"] + (["fetch"] if has_fetch else []) + ["settings", "summary"]
# A keyed, stateful tab bar: after "Analizza" and the rerun the user stays on the tab they were using.
own_labels = {"settings": "wsui.tab_settings", "summary": "summary_view.tab"}
tab_labels = [t(own_labels.get(n, f"app.data.tab_{n}"), lang) for n in tab_names]
tabs = dict(zip(tab_names, st.tabs(tab_labels, key=StateKeys.DATA_TAB, on_change="rerun"), strict=True))

with tabs["demo"]:
    st.markdown(t("app.data.demo_intro", lang))
    if st.button(t("app.data.use_demo", lang), key="use_demo", type="primary"):
        workspaces.open_demo()
        st.rerun()

with tabs["upload"]:
    render_upload_tab(lang)

if has_fetch:
    with tabs["fetch"]:
        render_fetch_tab(lang)

with tabs["settings"]:
    render_settings_form(lang)
    render_listening_block(lang)

with tabs["summary"]:
    summary_view.render_summary_tab(lang)
