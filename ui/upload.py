"""The "Carica un file" tab of Dati: uploader, load report, column dialog, "Analizza"."""

from __future__ import annotations

import math

import streamlit as st

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ui import data, workspaces
from ui.components import escape_markdown, literal_lines, literal_t
from ui.format import fmt_int
from ui.mapping import mapping_state_key, render_mapping_form
from ui.shell import run_analysis
from ui.state import StateKeys
from ui.workspace_panel import render_read_only_offer

# Every format the loader reads (ascolto_core.loading.readers), by extension.
UPLOAD_TYPES: tuple[str, ...] = ("csv", "tsv", "txt", "xlsx", "xls", "json", "jsonl", "ndjson", "parquet", "pq")


def render_upload_tab(lang: str) -> None:
    """Uploader with the formats and limit in words; a refused file gets a sentence and the tab ends there.

    With a workspace open the file goes into it (load -> analyse what is new -> store);
    on the read-only demo the tab proposes a new workspace or a copy instead; with a
    file opened at start-up (no workspace) it replaces the session's data as before.
    Returns early instead of ``st.stop()``: the other tabs (e.g. "Cerca online") must
    still be drawn when the file in this one cannot be used.
    """
    path = workspaces.open_path()
    if path is not None and workspaces.is_read_only(path):
        render_read_only_offer(lang, "upload")
        return
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
    if upload is None:
        return
    content = upload.getvalue()
    file_id = data.file_key(content, upload.name)
    if len(content) > data.max_upload_bytes():
        size_mb = f"{len(content) / 1024 / 1024:.1f}".replace(".", "," if lang == "it" else ".")
        st.error(t("app.data.too_big", lang, mb=limit_mb, size=size_mb))
        return
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
        return
    except Exception as error:  # noqa: BLE001 - any file the user brings gets a sentence, never a traceback
        st.error(literal_t("startup.unexpected", lang, name=upload.name, error=type(error).__name__))
        return
    sheets = tuple(getattr(result.report, "sheets_available", ()) or ())
    if len(sheets) > 1:
        st.selectbox(t("app.data.sheet", lang), sheets, key=StateKeys.UPLOAD_SHEET)
    st.markdown(literal_lines(result.report.lines(lang)))
    with st.expander(t("app.mapping.fix", lang)):
        render_mapping_form(data.propose(content, upload.name, sheet), file_id, lang)
    n = fmt_int(result.mentions.height, lang)
    if path is not None:
        label = literal_t("wsui.add_file", lang, n=n, name=path.name)
        if st.button(label, key="analyse_upload", type="primary"):
            refused = result.report.empty_texts_dropped
            if workspaces.ingest(result.mentions, origin=upload.name, kind="upload", lang=lang, refused=refused, load=result.report):
                st.rerun()
        return
    if st.button(t("app.data.analyse", lang, n=n), key="analyse_upload", type="primary"):
        if run_analysis(result.mentions, key="upload", label=upload.name, lang=lang, report=result.report):
            st.rerun()


def render_fetch_tab(lang: str) -> None:
    """"Cerca online": the query form (pre-filled from the workspace's sources); results go into the workspace.

    On the read-only demo it proposes a new workspace or a copy; with no workspace
    open the results are merged into the session's data as before.
    """
    from ascolto_core.fetch import merge_mentions
    from ui.fetch_panel import render_fetch_panel

    path = workspaces.open_path()
    if path is not None and workspaces.is_read_only(path):
        render_read_only_offer(lang, "fetch")
        return
    if path is not None:
        workspace = workspaces.current_workspace()
        base = None
        if workspace is not None and workspace.settings().listening.get("sources"):
            base = workspace.settings().listening_query()
        fetched = render_fetch_panel(lang, base=base, existing=st.session_state.get(StateKeys.MENTIONS))
        if fetched is not None and fetched.height:
            if workspaces.ingest(fetched, origin=t("wsui.fetch_origin", "it"), kind="fetch", lang=lang):
                st.rerun()
        return
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
