"""Dati: choose the data (demo, upload, online search), see the load report, run the analysis."""

from __future__ import annotations

import importlib.util

import streamlit as st

from ascolto_core.i18n import t
from ui import data
from ui.format import fmt_int
from ui.components import escape_markdown, literal_lines, literal_t
from ui.shell import dataset_label, run_analysis
from ui.state import StateKeys
from ui.upload import render_upload_tab

lang = st.session_state.get(StateKeys.LANG, "it")
st.title(t("app.data.title", lang))
if st.session_state.get(StateKeys.LOAD_ERROR):
    st.warning(escape_markdown(st.session_state[StateKeys.LOAD_ERROR]))
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
has_fetch = importlib.util.find_spec("ui.fetch_panel") is not None
tab_names = ["demo", "upload"] + (["fetch"] if has_fetch else [])
# A keyed, stateful tab bar: after "Analizza" and the rerun the user stays on the tab they were using.
tab_labels = [t(f"app.data.tab_{n}", lang) for n in tab_names]
tabs = dict(zip(tab_names, st.tabs(tab_labels, key=StateKeys.DATA_TAB, on_change="rerun"), strict=True))

with tabs["demo"]:
    st.markdown(t("app.data.demo_intro", lang))
    if st.button(t("app.data.use_demo", lang), key="use_demo", type="primary"):
        if run_analysis(data.demo_mentions(), key=data.DEMO_KEY, label="app.data.demo_label", lang=lang):
            st.rerun()

with tabs["upload"]:
    render_upload_tab(lang)

if has_fetch:
    with tabs["fetch"]:
        from ascolto_core.fetch import merge_mentions
        from ui.fetch_panel import render_fetch_panel

        fetched = render_fetch_panel(lang)
        if fetched is not None and fetched.height:
            merged, added = merge_mentions(st.session_state.get(StateKeys.RAW), fetched)
            st.info(t("app.data.fetched", lang, n=fmt_int(added, lang)))
            digest = data.content_key(merged)
            # The panel may hand back the same result on later reruns: analyse each merge once.
            if st.session_state.get("fetch_digest") != digest:
                st.session_state["fetch_digest"] = digest
                if run_analysis(merged, key="fetch", label="app.data.fetched_label", lang=lang):
                    st.rerun()
