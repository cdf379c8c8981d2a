"""The column-mapping form: dropdowns when the loader is unsure which column is which."""

from __future__ import annotations

import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.loading import MappingProposal
from ascolto_core.loading.mapping import MAPPABLE_FIELDS
from ui.state import StateKeys


def mapping_state_key(file_id: str) -> str:
    """Where the confirmed mapping of one uploaded file is kept."""
    return f"{StateKeys.MAPPING_PREFIX}{file_id}"


def render_mapping_form(proposal: MappingProposal, file_id: str, lang: str) -> None:
    """Dropdowns canonical field -> source column, pre-filled with the loader's guess.

    On submit the mapping is stored under :func:`mapping_state_key` and the
    page reruns and loads the file with it.
    """
    chosen: dict[str, str | None] = dict(proposal.chosen)
    # The loader's form order (text and dates first), then anything it adds later.
    fields = [f for f in MAPPABLE_FIELDS if f in chosen] + [f for f in chosen if f not in MAPPABLE_FIELDS]
    none_label = t("app.mapping.none", lang)
    with st.form(key=f"mapping_form_{file_id}"):
        st.markdown(t("app.mapping.intro", lang))
        picks: dict[str, str | None] = {}
        grid = st.columns(2)
        for index, field in enumerate(fields):
            # Candidates first, then the other columns; None = "not in my file".
            options: list[str | None] = list(proposal.options(field))
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
