"""The shared sidebar filters: same widgets on every page, values kept in session state."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights import FilterOptions, MentionFilter
from ascolto_core.insights.voice import DEFAULT_VOICE, VOICES
from ui.format import category_name, fmt_int
from ui.state import StateKeys


def _seed(key: str, value: object) -> None:
    # Widgets read their value from state; seeding avoids passing a default too (Streamlit warns).
    if key not in st.session_state:
        st.session_state[key] = value


def _keep_valid(key: str, options: tuple[str, ...]) -> None:
    # New data may not contain a value chosen before: drop it instead of erroring.
    chosen = st.session_state.get(key) or []
    st.session_state[key] = [v for v in chosen if v in options]


def clamp_dates(value: object, lo: date, hi: date) -> tuple[date, date]:
    """A (from, to) pair inside [lo, hi] from whatever the date widget holds (1 or 2 dates)."""
    if isinstance(value, date):
        value = (value,)
    days = [d for d in (value or ()) if isinstance(d, date)]
    if not days:
        return lo, hi
    start, end = days[0], days[-1] if len(days) > 1 else hi
    start, end = min(max(start, lo), hi), min(max(end, lo), hi)
    return (start, end) if start <= end else (end, start)


def set_date_range(start: date, end: date) -> None:
    """Narrow the shared date filter (used by the timeline's interval selection)."""
    st.session_state[StateKeys.F_DATES] = (start, end)


def reset_date_range() -> None:
    """Back to the whole period of the data."""
    st.session_state.pop(StateKeys.F_DATES, None)


def render_filters(options: FilterOptions, lang: str) -> MentionFilter:
    """Draw the sidebar filters for ``options`` and return what they select.

    A date range covering the whole data is returned as "no date filter", so
    undated mentions still count when the user did not choose dates.
    """
    st.sidebar.subheader(t("app.filters.title", lang))
    date_from = date_to = None
    if options.date_min is not None and options.date_max is not None:
        lo, hi = options.date_min, options.date_max
        held = st.session_state.get(StateKeys.F_DATES)
        # A half-made pick (one date so far) is left alone; anything else is clamped to the data.
        if not (isinstance(held, tuple) and len(held) == 1):
            st.session_state[StateKeys.F_DATES] = clamp_dates(held, lo, hi)
        st.sidebar.date_input(
            t("app.filters.dates", lang),
            min_value=lo,
            max_value=hi,
            key=StateKeys.F_DATES,
            format="DD/MM/YYYY" if lang == "it" else "YYYY-MM-DD",
            help=t("app.filters.dates_help", lang),
        )
        chosen = clamp_dates(st.session_state.get(StateKeys.F_DATES), lo, hi)
        if chosen != (lo, hi):
            date_from, date_to = chosen
        if date_from is not None:
            st.sidebar.button(
                t("app.filters.all_dates", lang), on_click=reset_date_range, key="f_dates_reset", icon=":material/undo:"
            )

    def multiselect(key: str, label: str, values: tuple[str, ...], area: str | None) -> tuple[str, ...]:
        _keep_valid(key, values)
        if not values:
            return ()
        if area == "brand":
            fmt = str
        elif area is None:  # post languages: ISO codes shown as names ("it" -> "italiano")
            fmt = lambda v: category_name("app.langname", v, lang)  # noqa: E731
        else:
            fmt = lambda v: category_name(area, v, lang)  # noqa: E731
        # No built-in "Select all" entry: it is English-only text in an Italian sidebar.
        picked = st.sidebar.multiselect(
            label, values, key=key, format_func=fmt, placeholder=t("app.filters.all", lang), select_all=False
        )
        return tuple(picked)

    touchpoints = multiselect(StateKeys.F_TOUCHPOINTS, t("app.filters.touchpoints", lang), options.touchpoints, "touchpoint")
    sentiments = multiselect(StateKeys.F_SENTIMENTS, t("app.filters.sentiments", lang), options.sentiments, "sentiment")
    emotions = multiselect(StateKeys.F_EMOTIONS, t("app.filters.emotions", lang), options.emotions, "emotion")
    langs = multiselect(StateKeys.F_LANGS, t("app.filters.langs", lang), options.langs, None)
    brands = multiselect(StateKeys.F_BRANDS, t("app.filters.brands", lang), options.brands, "brand")
    voice = voice_choice(options, lang)
    _seed(StateKeys.F_SEARCH, "")
    search = st.sidebar.text_input(
        t("app.filters.search", lang), key=StateKeys.F_SEARCH, help=t("app.filters.search_help", lang), max_chars=500
    )
    _seed(StateKeys.F_MIN_ENGAGEMENT, 0)
    min_engagement = st.sidebar.number_input(
        t("app.filters.min_engagement", lang),
        min_value=0,
        step=1,
        key=StateKeys.F_MIN_ENGAGEMENT,
        help=t("app.filters.min_engagement_help", lang),
    )
    return MentionFilter(
        date_from=date_from,
        date_to=date_to,
        touchpoints=touchpoints,
        sentiments=sentiments,
        emotions=emotions,
        langs=langs,
        brands=brands,
        search=search.strip(),
        min_engagement=int(min_engagement or 0),
        voice=voice,
    )


def voice_choice(options: FilterOptions, lang: str) -> str:
    """Whose posts the pages show: customers (default), the brand's own, or all; only when the data has own posts."""
    if options.own_posts == 0:
        st.session_state.pop(StateKeys.F_VOICE, None)
        return DEFAULT_VOICE
    if st.session_state.get(StateKeys.F_VOICE) not in VOICES:
        st.session_state[StateKeys.F_VOICE] = DEFAULT_VOICE
    picked = st.sidebar.radio(
        t("service.voice.label", lang),
        VOICES,
        key=StateKeys.F_VOICE,
        format_func=lambda v: t(f"service.voice.{v}", lang),
        help=t("service.voice.help", lang),
    )
    st.sidebar.caption(t("service.voice.own_count", lang, n=fmt_int(options.own_posts, lang)))
    return str(picked)
