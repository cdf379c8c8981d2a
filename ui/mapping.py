"""The column-mapping form: dropdowns when the loader is unsure which column is which."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ascolto_core.i18n import t
from ui.state import StateKeys

# Fields a user is most likely to need to fix, first; the rest follow.
FIRST_FIELDS: tuple[str, ...] = ("text", "created_at", "touchpoint", "author", "url")


def mapping_state_key(file_id: str) -> str:
    """Where the confirmed mapping of one uploaded file is kept."""
    return f"{StateKeys.MAPPING_PREFIX}{file_id}"


def render_mapping_form(proposal: Any, file_id: str, lang: str) -> None:
    """Dropdowns canonical field -> source column, pre-filled with the loader's guess.

    On submit the mapping is stored under :func:`mapping_state_key` and the
    page reruns and loads the file with it.
    """
    columns: tuple[str, ...] = tuple(proposal.source_columns)
    chosen: dict[str, str | None] = dict(proposal.chosen)
    fields = [f for f in FIRST_FIELDS if f in chosen] + [f for f in chosen if f not in FIRST_FIELDS]
    for problem in getattr(proposal, "problems", ()) or ():
        st.warning(problem.message(lang) if hasattr(problem, "message") else str(problem))
    none_label = t("app.mapping.none", lang)
    with st.form(key=f"mapping_form_{file_id}"):
        st.markdown(t("app.mapping.intro", lang))
        picks: dict[str, str | None] = {}
        grid = st.columns(2)
        for index, field in enumerate(fields):
            options: list[str | None] = [None, *columns]
            current = chosen.get(field)
            picks[field] = grid[index % 2].selectbox(
                t(f"app.mapping.field.{field}", lang),
                options,
                index=options.index(current) if current in options else 0,
                format_func=lambda c: none_label if c is None else str(c),
                key=f"map_{file_id}_{field}",
            )
        if st.form_submit_button(t("app.mapping.submit", lang), type="primary"):
            st.session_state[mapping_state_key(file_id)] = tuple(sorted(picks.items()))
            st.rerun()
