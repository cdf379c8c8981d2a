"""Dati: choose the data (demo, upload, online search), see the load report, run the analysis."""

from __future__ import annotations

import importlib.util
import math

import streamlit as st

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ui import data
from ui.format import fmt_int
from ui.mapping import mapping_state_key, render_mapping_form
from ui.components import escape_markdown, literal_lines, literal_t
from ui.shell import dataset_label, run_analysis
from ui.state import StateKeys

# Every format the loader reads (ascolto_core.loading.readers), by extension.
UPLOAD_TYPES = ("csv", "tsv", "txt", "xlsx", "xls", "json", "jsonl", "ndjson", "parquet", "pq")

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
    limit_mb = f"{data.max_upload_mb():g}"
    upload = st.file_uploader(
        t("app.data.upload", lang, mb=limit_mb),
        type=list(UPLOAD_TYPES),
        key=StateKeys.UPLOAD,
        help=t("app.data.upload_help", lang),
        max_upload_size=max(1, math.ceil(data.max_upload_mb())),
    )
    # Streamlit's drop zone speaks English and cannot be translated: say the same in Italian beside it.
    st.caption(t("upload.accepted", lang, mb=limit_mb))
    if upload is not None:
        content = upload.getvalue()
        file_id = data.file_key(content, upload.name)
        if len(content) > data.max_upload_bytes():
            size_mb = f"{len(content) / 1024 / 1024:.1f}".replace(".", "," if lang == "it" else ".")
            st.error(t("app.data.too_big", lang, mb=limit_mb, size=size_mb))
            st.stop()
        mapping = st.session_state.get(mapping_state_key(file_id))
        sheet = st.session_state.get(StateKeys.UPLOAD_SHEET)
        try:
            result = data.load_file(content, upload.name, mapping, sheet)
        except AscoltoError as error:
            proposal = getattr(error, "proposal", None)
            if proposal is None:
                st.error(escape_markdown(error.message(lang)))
            else:
                st.warning(escape_markdown(error.message(lang)))
                render_mapping_form(proposal, file_id, lang)
            st.stop()
        except Exception as error:  # noqa: BLE001 - any file the user brings gets a sentence, never a traceback
            st.error(literal_t("startup.unexpected", lang, name=upload.name, error=type(error).__name__))
            st.stop()
        sheets = tuple(getattr(result.report, "sheets_available", ()) or ())
        if len(sheets) > 1:
            st.selectbox(t("app.data.sheet", lang), sheets, key=StateKeys.UPLOAD_SHEET)
        st.markdown(literal_lines(result.report.lines(lang)))
        with st.expander(t("app.mapping.fix", lang)):
            render_mapping_form(data.propose(content, upload.name, sheet), file_id, lang)
        if st.button(t("app.data.analyse", lang, n=fmt_int(result.mentions.height, lang)), key="analyse_upload", type="primary"):
            if run_analysis(result.mentions, key="upload", label=upload.name, lang=lang, report=result.report):
                st.rerun()

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
