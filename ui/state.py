"""Every ``st.session_state`` key of the app, with its default, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import streamlit as st

from ascolto_core.i18n import DEFAULT_LANG


class StateKeys:
    """Names of the session-state entries (widget keys included) shared by app and pages."""

    LANG = "lang"
    # The data: raw canonical mentions, the analysed table and where they came from.
    RAW = "raw_mentions"
    MENTIONS = "mentions"
    DATASET_KEY = "dataset_key"  # identifies the data for caches ("demo", "upload:<sha>"...)
    DATASET_LABEL = "dataset_label"
    LOAD_REPORT = "load_report"
    ENGINE_INFO = "engine_info"
    ENGINE_FALLBACK = "engine_fallback"  # (i18n key, params) when the requested engine was not available
    ENGINE_CHOICE = "engine_choice"
    LOAD_ERROR = "load_error"  # message shown on the data page after a failed load
    WORKSPACE = "workspace_path"  # the open workspace's folder (str); absent for a file opened at start-up
    WS_PENDING_DELETE = "ws_pending_delete"  # the workspace whose deletion awaits confirmation
    WS_NOTICE = "ws_notice"  # one message for Dati after a rerun (created, renamed, imported...)
    WS_EXPORT = "ws_export_file"  # (file name, bytes) of the last prepared export
    PROFILE = "brand_profile"  # the BrandProfile of the data in use (own accounts, competitors)
    # Shared sidebar filters (widget keys).
    F_DATES = "f_dates"
    F_TOUCHPOINTS = "f_touchpoints"
    F_SENTIMENTS = "f_sentiments"
    F_EMOTIONS = "f_emotions"
    F_LANGS = "f_langs"
    F_BRANDS = "f_brands"
    F_SEARCH = "f_search"
    F_MIN_ENGAGEMENT = "f_min_engagement"
    F_VOICE = "f_voice"  # customers / the brand's own posts / all (insights.voice.VOICES)
    # What the router computed for the page of this run (a PageContext).
    CONTEXT = "page_context"
    # Page widgets.
    DATA_TAB = "data_tab"  # the active tab on Dati (demo / upload / fetch)
    UPLOAD = "upload_file"
    UPLOAD_SHEET = "upload_sheet"
    MAPPING_PREFIX = "mapping_"
    TIMELINE_FREQ = "timeline_freq"
    TIMELINE_SPLIT = "timeline_split"
    TIMELINE_CHART = "timeline_chart"
    TOUCHPOINT_PICK = "touchpoint_pick"
    WORDS_TOUCHPOINT = "words_touchpoint"
    WORDS_TERM = "words_term"
    WORDS_TABLE = "words_table"
    POST_ORDER = "post_order"
    POST_PAGE = "post_page"
    SERVICE_BY = "service_by"
    SERVICE_THREAD = "service_thread"
    COMPETITOR_FREQ = "competitor_freq"
    COMPETITOR_PICK = "competitor_pick"
    TOPIC_CELL = "topic_cell"
    TOPIC_PICK = "topic_pick"
    TOPIC_FREQ = "topic_freq"
    # The aggregate summary (Riepilogo): an OpenSummary, how it went at start-up, its widgets.
    SUMMARY = "summary_open"
    SUMMARY_STARTUP = "summary_startup_done"
    SUMMARY_ERROR = "summary_error"
    SUMMARY_UPLOADS = "summary_uploads"  # uploader generation: closing a summary empties the uploader
    SUMMARY_FREQ = "summary_freq"
    SUMMARY_SPLIT = "summary_split"


FILTER_KEYS: tuple[str, ...] = (
    StateKeys.F_DATES,
    StateKeys.F_TOUCHPOINTS,
    StateKeys.F_SENTIMENTS,
    StateKeys.F_EMOTIONS,
    StateKeys.F_LANGS,
    StateKeys.F_BRANDS,
    StateKeys.F_SEARCH,
    StateKeys.F_MIN_ENGAGEMENT,
    StateKeys.F_VOICE,
)

DEFAULTS: dict[str, Any] = {
    StateKeys.LANG: DEFAULT_LANG,
    StateKeys.TIMELINE_FREQ: "day",
    StateKeys.TIMELINE_SPLIT: "sentiment",
    StateKeys.POST_ORDER: "newest",
}


def init_state() -> None:
    """Put every default into ``st.session_state`` unless already set (e.g. by a test)."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value


def reset_filters() -> None:
    """Forget the sidebar filters (new data: their options and dates change)."""
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
    st.session_state.pop(StateKeys.TIMELINE_CHART, None)


def set_dataset(
    *,
    raw: pl.DataFrame,
    mentions: pl.DataFrame,
    key: str,
    label: str,
    engine_info: Any,
    fallback: tuple[str, dict[str, Any]] | None,
    report: Any = None,
    keep_filters: bool = False,
) -> None:
    """Make ``mentions`` the data every page shows, and reset the filters (unless ``keep_filters``).

    ``keep_filters``: new data of the same workspace (another tab added some) keeps the person's filters.
    """
    st.session_state[StateKeys.RAW] = raw
    st.session_state[StateKeys.MENTIONS] = mentions
    st.session_state[StateKeys.DATASET_KEY] = key
    st.session_state[StateKeys.DATASET_LABEL] = label
    st.session_state[StateKeys.ENGINE_INFO] = engine_info
    st.session_state[StateKeys.ENGINE_FALLBACK] = fallback
    st.session_state[StateKeys.LOAD_REPORT] = report
    st.session_state.pop(StateKeys.LOAD_ERROR, None)
    if not keep_filters:
        reset_filters()


@dataclass(frozen=True)
class PageContext:
    """What every page needs, computed once per run by the router.

    ``cache_key`` identifies data + filter for ``st.cache_data`` wrappers, so a
    cached aggregation never depends on a hidden input.
    """

    lang: str
    tz: str
    mentions: pl.DataFrame  # all analysed mentions
    filtered: pl.DataFrame  # what the sidebar filters leave
    flt: Any  # ascolto_core.insights.MentionFilter
    dataset_key: str
    cache_key: str
    office_hours: Any = None  # ascolto_core.insights.OfficeHours: the open workspace's, else the project's

    @property
    def total(self) -> int:
        return self.mentions.height

    @property
    def shown(self) -> int:
        return self.filtered.height
