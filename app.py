"""Ascolto: the Streamlit app. A router: page config, state, language, data, filters, pages."""

from __future__ import annotations

import streamlit as st

from ascolto_core.i18n import t
from ui.navigation import PAGE_SPECS, START_PAGE
from ui.shell import build_context, engine_caption, ensure_dataset, language_switch
from ui.state import init_state

st.set_page_config(page_title="Ascolto", page_icon=":material/hearing:", layout="wide")
init_state()
lang = language_switch()

navigation = st.navigation(
    [
        st.Page(
            spec.path,
            title=t(f"app.nav.{spec.name}", lang),
            icon=spec.icon,
            url_path=spec.slug,
            default=(spec.name == START_PAGE),
        )
        for spec in PAGE_SPECS
    ],
    expanded=True,  # every page in sight: Streamlit hides the 13th onwards behind "View more" otherwise
)
ensure_dataset(lang)
engine_caption(lang)
build_context(lang)
navigation.run()
