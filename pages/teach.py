"""Insegna: the labelling queue, the honest estimate, the vocabulary, suspicious drivers, what was taught as a file."""

from __future__ import annotations

import streamlit as st

from ascolto_core.i18n import t
from ui import teach_panel
from ui.shell import page_context
from ui.workspaces import current_workspace, version_key

ctx = page_context("app.nav.teach")  # the queue and the drivers follow the sidebar filters
lang = ctx.lang
path = teach_panel.writable_path()
if path is None:
    st.info(t("teachui.read_only", lang))
    st.page_link("pages/data.py", label=t("app.nav.data", lang), icon=":material/database:")
    st.stop()
for key in ("teach_notice", "teach_error"):
    message = st.session_state.pop(key, None)
    if message:
        (st.success if key == "teach_notice" else st.error)(message)

workspace = current_workspace()
assert workspace is not None  # writable_path() found it
labels = workspace.labels()
labels_revision = workspace.revisions()[1]
st.caption(t("teachui.intro", lang))

queue_tab, vocabulary_tab, drivers_tab, file_tab = st.tabs(
    [t(f"teachui.tabs.{name}", lang) for name in ("queue", "vocabulary", "drivers", "file")]
)
with queue_tab:
    judged = labels.filter(labels["sentiment"].is_not_null())["mention_id"].to_list()  # an emotion alone keeps the post
    excluded = tuple(sorted({*judged, *(st.session_state.get(teach_panel.SKIPPED) or [])}))
    posts = teach_panel.next_posts(ctx.filtered, ctx.cache_key, excluded)
    left, right = st.columns([3, 2], gap="large")
    with left:
        if posts.is_empty():
            st.success(t("teachui.queue.done", lang))
            teach_panel.undo_button(path, lang)
        else:
            teach_panel.render_queue_post(path, posts.row(0, named=True), lang)
    with right:
        teach_panel.render_estimate(path, version_key(workspace), labels_revision, labels.height, lang)
with vocabulary_tab:
    teach_panel.render_vocabulary(path, lang)
with drivers_tab:
    st.caption(t("teachui.drivers.intro", lang))
    teach_panel.render_drivers(path, ctx.filtered, ctx.cache_key, lang)
with file_tab:
    teach_panel.render_portable(path, lang)
    st.divider()
    st.caption(t("teachui.models.intro", lang))
    if st.button(t("teachui.models.download", lang), key="teach_models", icon=":material/cloud_download:"):
        teach_panel.download_models(lang)
