"""Esporta → Report: the client report of the current filters, as PDF or one HTML file, built on click."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.profile import BrandProfile
from ascolto_core.report import ReportRequest, ReportSource, build_report, render_html, render_pdf
from ui.shell import dataset_label
from ui.state import PageContext, StateKeys


def report_source(lang: str, ctx: PageContext, profile: BrandProfile | None) -> ReportSource:
    """The app's analysed data and what is known about it (engine, load report, profile), as the report reads it.

    ``ctx.mentions`` were prepared with ``profile`` by the app (own posts marked, brands recognised),
    so the report reads them as they are; without a profile the report prepares them itself.
    """
    fallback = st.session_state.get(StateKeys.ENGINE_FALLBACK)
    return ReportSource(
        mentions=ctx.mentions,
        name=dataset_label(lang),
        engine=st.session_state.get(StateKeys.ENGINE_INFO),
        load_report=st.session_state.get(StateKeys.LOAD_REPORT),
        fallback=t(fallback[0], lang, **fallback[1]) if fallback else None,
        profile=profile or BrandProfile(),
        prepared=profile is not None,
        office_hours=ctx.office_hours,
    )


def report_downloads(ctx: PageContext, profile: BrandProfile | None = None) -> None:
    """Two download buttons (PDF, HTML) for the report of the sidebar's filters, and the privacy option.

    Args:
        ctx: the page's context (filtered data, filter, language, time zone).
        profile: the open workspace's (or the demo's) brand profile, ``st.session_state[StateKeys.PROFILE]``.
    """
    lang = ctx.lang
    st.subheader(t("report.button.title", lang))
    short = st.checkbox(t("report.button.short_authors", lang), key="report_short_authors")
    source = report_source(lang, ctx, profile)
    request = ReportRequest(flt=ctx.flt, lang=lang, short_authors=short, tz=ctx.tz)
    stamp = date.today().strftime("%Y%m%d")
    buttons = st.container(horizontal=True)
    # Built only when clicked (callables run on demand): a few seconds, not on every rerun.
    buttons.download_button(
        t("report.button.label", lang), type="primary", data=lambda: render_pdf(build_report(source, request)).data,
        file_name=f"ascolto_rapporto_{stamp}.pdf", mime="application/pdf", icon=":material/picture_as_pdf:",
        key="export_report_pdf", on_click="ignore",
    )
    buttons.download_button(
        t("report.button.html", lang), data=lambda: render_html(build_report(source, request)).encode("utf-8"),
        file_name=f"ascolto_rapporto_{stamp}.html", mime="text/html", icon=":material/html:",
        key="export_report_html", on_click="ignore",
    )
    st.caption(t("report.button.help", lang))
