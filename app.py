"""Ascolto: the Streamlit app. A router: page config, state, language, data, filters, pages."""

from __future__ import annotations

import streamlit as st

from ascolto_core.i18n import t
from ui.shell import build_context, engine_caption, ensure_dataset, language_switch
from ui.state import init_state

st.set_page_config(page_title="Ascolto", page_icon=":material/hearing:", layout="wide")
init_state()
lang = language_switch()

PAGES = (
    ("pages/data.py", "data", ":material/database:", "dati"),
    ("pages/overview.py", "overview", ":material/dashboard:", "panoramica"),
    ("pages/timeline.py", "timeline", ":material/timeline:", "andamento"),
    ("pages/touchpoints.py", "touchpoints", ":material/hub:", "touchpoint"),
    ("pages/words.py", "words", ":material/cloud:", "parole"),
    ("pages/posts.py", "posts", ":material/forum:", "post"),
    ("pages/hours.py", "hours", ":material/schedule:", "orari"),
    ("pages/alerts.py", "alerts", ":material/notifications_active:", "allarmi"),
    ("pages/export.py", "export", ":material/download:", "esporta"),
)
navigation = st.navigation(
    [
        st.Page(path, title=t(f"app.nav.{name}", lang), icon=icon, url_path=slug, default=(name == "data"))
        for path, name, icon, slug in PAGES
    ]
)
ensure_dataset(lang)
engine_caption(lang)
build_context(lang)
navigation.run()
