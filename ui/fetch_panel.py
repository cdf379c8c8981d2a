"""The "Cerca online" block of the data page: query form, progress per source, report.

``render_fetch_panel(lang)`` returns the newly fetched mentions on the run where the
user pressed "Cerca" (``None`` otherwise); the page merges them into its data with
:func:`ascolto_core.fetch.merge_mentions`. Credentials come from Streamlit secrets or
the environment (names in the query file); the Bluesky app password typed here is used
for this search only and never written anywhere.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from ascolto_core.config import config_dir
from ascolto_core.errors import AscoltoError
from ascolto_core.fetch import FetchProgress, fetch_mentions
from ascolto_core.fetch.query import (
    BlueskySource,
    ListeningQuery,
    MastodonSource,
    RedditSource,
    RssSource,
    SourceSpec,
)
from ascolto_core.i18n import t
from ui.components import escape_markdown, literal_t

KINDS: tuple[str, ...] = ("rss", "mastodon", "bluesky", "reddit")
REPORT_KEY = "fetch_panel_report"
EXISTING_KEY = "raw_mentions"  # ui.state.StateKeys.RAW: the data the page currently holds


def default_query_path() -> Path:
    """``config/listening.yaml`` when the user made one, else the shipped example."""
    own = config_dir() / "listening.yaml"
    return own if own.exists() else config_dir() / "listening.example.yaml"


def render_fetch_panel(
    lang: str,
    *,
    query_path: str | os.PathLike[str] | None = None,
    existing: pl.DataFrame | None = None,
    base: ListeningQuery | None = None,
) -> pl.DataFrame | None:
    """Draw the form; on "Cerca" fetch every chosen source and return the new mentions.

    Args:
        lang: UI language.
        query_path: the query file pre-filling the form (default: :func:`default_query_path`).
        existing: the current mentions, so the report counts only what is really new
            (default: the page's raw mentions in session state, if any).
        base: the query pre-filling the form (a workspace's sources); overrides ``query_path``.
    """
    st.subheader(t("fetch.panel.title", lang))
    st.caption(t("fetch.panel.intro", lang))
    if base is None:
        try:
            base = ListeningQuery.from_yaml(query_path or default_query_path())
        except AscoltoError as error:
            st.warning(escape_markdown(error.message(lang)))
            base = ListeningQuery()
    form = _form(base, lang)
    if form is None:
        _show_report(lang, st.session_state.get(REPORT_KEY))
        return None
    query, typed_password = form
    if not query.sources:
        st.warning(t("fetch.panel.no_sources", lang))
        return None
    secrets = _streamlit_secrets(query)
    for spec in query.sources:
        if isinstance(spec, BlueskySource) and typed_password and spec.password_env:
            secrets[spec.password_env] = typed_password
    if existing is None:
        existing = st.session_state.get(EXISTING_KEY)
    with st.status(t("fetch.panel.running", lang), expanded=True) as status:
        bar = st.progress(0.0)

        def on_progress(event: FetchProgress) -> None:
            if event.report is None:
                status.update(label=literal_t("fetch.panel.source_running", lang, source=event.source))
                return
            for line in event.report.lines(lang):
                # Source names, URLs and server messages come from outside: shown literally.
                (st.error if event.report.problem else st.markdown)(escape_markdown(line))
            bar.progress((event.index + 1) / event.total)

        result = fetch_mentions(query, existing=existing, progress=on_progress, secrets=secrets)
        problems = len(result.report.problems)
        label = (
            t("fetch.panel.done_problems", lang, count=problems)
            if problems
            else t("fetch.panel.done", lang, added=result.report.added)
        )
        status.update(label=label, state="error" if problems else "complete", expanded=bool(problems))
    st.session_state[REPORT_KEY] = result.report
    return result.new


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _form(base: ListeningQuery, lang: str) -> tuple[ListeningQuery, str] | None:
    """The query form; ``(query, typed app password)`` when submitted, else ``None``."""
    by_kind: dict[str, list[SourceSpec]] = {kind: [s for s in base.sources if s.kind == kind] for kind in KINDS}
    with st.form("fetch_panel_form"):
        brand = st.text_input(t("fetch.panel.brand", lang), value=base.brand or "", key="fetch_brand")
        left, right = st.columns(2)
        terms = left.text_area(t("fetch.panel.brand_terms", lang), "\n".join(base.brand_terms), key="fetch_terms")
        hashtags = right.text_area(t("fetch.panel.hashtags", lang), "\n".join(base.hashtags), key="fetch_hashtags")
        excluded = st.text_area(t("fetch.panel.excluded", lang), "\n".join(base.excluded_terms), key="fetch_excluded")
        chosen = st.multiselect(
            t("fetch.panel.sources", lang),
            options=list(KINDS),
            default=[k for k in KINDS if by_kind[k]],
            format_func=lambda kind: t(f"fetch.panel.source_{kind}", lang),
            key="fetch_sources",
        )
        rss_urls = st.text_area(
            t("fetch.panel.rss_urls", lang), "\n".join(s.url for s in by_kind["rss"]), key="fetch_rss"
        )
        first_mastodon = by_kind["mastodon"][0] if by_kind["mastodon"] else None
        instance = st.text_input(
            t("fetch.panel.mastodon_instance", lang),
            value=first_mastodon.instance if first_mastodon else "",
            key="fetch_mastodon",
        )
        left, right = st.columns(2)
        first_bluesky = by_kind["bluesky"][0] if by_kind["bluesky"] else None
        handle = left.text_input(
            t("fetch.panel.bluesky_handle", lang),
            value=(first_bluesky.handle or "") if first_bluesky else "",
            key="fetch_bluesky_handle",
        )
        # No session-state key: the typed app password is not exposed to the rest of the app.
        password = right.text_input(t("fetch.panel.bluesky_password", lang), type="password")
        first_reddit = by_kind["reddit"][0] if by_kind["reddit"] else None
        subreddits = st.text_area(
            t("fetch.panel.subreddits", lang),
            "\n".join(first_reddit.subreddits) if first_reddit else "",
            key="fetch_subreddits",
        )
        submitted = st.form_submit_button(t("fetch.panel.submit", lang), type="primary")
    if not submitted:
        return None
    sources: list[SourceSpec] = []
    if "rss" in chosen:
        known = {s.url: s for s in by_kind["rss"]}
        sources += [known.get(url, RssSource(url=url)) for url in _lines(rss_urls)]
    if "mastodon" in chosen and instance.strip():
        spec = first_mastodon or MastodonSource(instance=instance.strip())
        sources.append(replace(spec, instance=instance.strip()))
    if "bluesky" in chosen:
        spec = first_bluesky or BlueskySource()
        sources.append(replace(spec, handle=handle.strip() or spec.handle))
    if "reddit" in chosen:
        spec = first_reddit or RedditSource()
        sources.append(replace(spec, subreddits=tuple(s.removeprefix("r/") for s in _lines(subreddits))))
    query = replace(
        base,
        brand=brand.strip() or None,
        brand_terms=_lines(terms),
        hashtags=tuple(h.lstrip("#") for h in _lines(hashtags)),
        excluded_terms=_lines(excluded),
        sources=tuple(sources),
    )
    return query, password


def _streamlit_secrets(query: ListeningQuery) -> dict[str, str]:
    """Credential values named in the query, from ``.streamlit/secrets.toml`` when present."""
    names: list[str] = []
    for spec in query.sources:
        for attr in ("token_env", "password_env", "handle_env", "client_id_env", "client_secret_env"):
            name: Any = getattr(spec, attr, None)
            if name:
                names.append(name)
    found: dict[str, str] = {}
    try:
        for name in names:
            if name in st.secrets:
                found[name] = str(st.secrets[name])
    except Exception:  # noqa: BLE001 - no secrets file is the normal case, whatever Streamlit raises for it
        return {}
    return found


def _show_report(lang: str, report: Any) -> None:
    if report is None:
        return
    with st.expander(t("fetch.panel.last_report", lang), expanded=bool(report.problems)):
        for line in report.lines(lang):
            st.text(line)
