"""The Allarmi page's "today so far" line: ``today_so_far_metric(window, lang)``.

The window comes from :func:`ascolto_core.listening.rules.today_so_far`, the computation the
listening round alerts on, so the evening notification and the page quote the same figure.
"""

from __future__ import annotations

import streamlit as st

from ascolto_core.i18n import t
from ascolto_core.insights.alerts import SpikeWindow
from ui.format import fmt_decimal, fmt_int, fmt_signed


def _count(value: float, lang: str, *, signed: bool = False) -> str:
    # A median of counts is often whole: "1", not "1,0"; otherwise one decimal ("1,5").
    if float(value).is_integer():
        return fmt_int(value, lang, signed=signed)
    return fmt_signed(value, lang, digits=1) if signed else fmt_decimal(value, lang)


def today_so_far_metric(window: SpikeWindow | None, lang: str) -> None:
    """A metric with today's negatives so far and a sentence comparing them with the usual for this hour."""
    if window is None or (window.mentions == 0 and not window.baseline):
        # Data that stops before today (an old export): nothing to compare yet.
        st.caption(t("listening.today.no_today", lang))
        return
    until = window.end.strftime("%H:%M")
    label = t("listening.today.label", lang, until=until)
    if window.baseline is None:
        st.metric(label, fmt_int(window.negative, lang), border=True)
        st.caption(t("listening.today.no_history", lang))
        return
    delta = window.negative - window.baseline
    st.metric(
        label,
        fmt_int(window.negative, lang),
        delta=t("listening.today.delta", lang, delta=_count(delta, lang, signed=True)) if delta else None,
        delta_color="inverse",  # more complaints than usual is bad news
        border=True,
    )
    verdict = "alert" if window.is_alert else "normal"
    text = t(f"listening.today.{verdict}", lang, until=until, n=fmt_int(window.negative, lang),
             base=_count(window.baseline, lang), days=fmt_int(window.history_days, lang))
    (st.warning if window.is_alert else st.caption)(text)
