"""Post: the mentions behind any selection, newest / most amplified / most negative first, paginated."""

from __future__ import annotations

import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights import page_of, sort_posts
from ui.components import post_cards, remembered_choice
from ui.format import fmt_int
from ui.shell import page_context
from ui.state import StateKeys

PAGE_SIZE = 20

ctx = page_context("app.posts.title")
lang = ctx.lang
order = remembered_choice(
    t("app.posts.order", lang), ("newest", "amplified", "negative"), state_key=StateKeys.POST_ORDER,
    default="newest", format_func=lambda o: t(f"app.posts.order_{o}", lang),
)
pages = max(1, -(-ctx.shown // PAGE_SIZE))
# A new filter may leave fewer pages than the one we were on.
if int(st.session_state.get(StateKeys.POST_PAGE) or 1) > pages:
    st.session_state[StateKeys.POST_PAGE] = 1
current = int(st.session_state.get(StateKeys.POST_PAGE) or 1)
page = page_of(sort_posts(ctx.filtered, order), current, PAGE_SIZE)
first = (page.page - 1) * PAGE_SIZE + 1
st.caption(
    t("app.posts.range", lang, first=fmt_int(first, lang), last=fmt_int(first + page.rows.height - 1, lang), total=fmt_int(page.total, lang))
)
post_cards(page.rows.iter_rows(named=True), lang, ctx.tz)
if page.pages > 1:
    st.pagination(page.pages, key=StateKeys.POST_PAGE, max_visible_pages=9)
