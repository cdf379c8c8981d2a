"""Post cards and other small widgets that show untrusted text safely.

Post texts, authors and URLs come from strangers: they are rendered as
Markdown with every ASCII punctuation character backslash-escaped (CommonMark
allows escaping any of them), never with ``unsafe_allow_html``, and only
``http``/``https`` URLs become links.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import streamlit as st

import polars as pl

from ascolto_core.i18n import t
from ui.charts import emotion_mix_chart, localise, sentiment_mix_chart
from ui.format import category_name, fmt_date, fmt_datetime, fmt_int

_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp|mailto|xmpp):|\bwww\.|@")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MAX_CHARS = 2_000
# Characters kept as they are in a link target; everything else (spaces, brackets, quotes) is %-encoded.
_URL_SAFE = ":/?#&=%+@,;~!$.-_"  # a card shows the start of very long texts

SENTIMENT_BADGE: dict[str, str] = {"negative": "red", "neutral": "gray", "positive": "green"}
EMOTION_ICON: dict[str, str] = {
    "joy": ":material/sentiment_satisfied:",
    "anger": ":material/sentiment_extremely_dissatisfied:",
    "fear": ":material/warning:",
    "sadness": ":material/sentiment_dissatisfied:",
    "none": ":material/sentiment_neutral:",
}


def escape_markdown(text: str) -> str:
    """Make untrusted ``text`` display literally in ``st.markdown``.

    Escapes every ASCII punctuation (so no link, image, HTML, heading, list,
    LaTeX ``$`` or ``:colour[...]`` directive can be formed), breaks bare URLs and
    e-mail addresses with an invisible word joiner (no autolink), strips control
    characters, and keeps line breaks as hard breaks.
    """
    cleaned = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    # GitHub-flavoured autolinks (http://…, www.…, name@host) survive backslashes: an invisible
    # word joiner inside the pattern keeps them plain text.
    cleaned = _AUTOLINK.sub(lambda match: match.group(0)[:-1] + WORD_JOINER + match.group(0)[-1], cleaned)
    escaped = _MD_SPECIAL.sub(r"\\\1", cleaned)
    # Leading spaces would make an indented code block; newlines become hard breaks.
    return "  \n".join(line.lstrip() for line in escaped.split("\n"))


def literal_t(key: str, lang: str, /, **params: Any) -> str:
    """Catalogue sentence ``key`` (our own Markdown) with every parameter shown literally.

    Use it whenever a parameter can come from a user's file or a fetched post (file
    names, column headers, terms, touchpoints, authors): the sentence keeps its bold
    words, the parameter can never form a link, an image or a directive.
    """
    return t(key, lang, **{name: escape_markdown(str(value)) for name, value in params.items()})


def literal_lines(lines: Iterable[str]) -> str:
    """A Markdown bullet list whose items (report lines that quote the user's file) show literally."""
    return "\n".join(f"- {escape_markdown(str(line))}" for line in lines)


def safe_url(url: Any) -> str | None:
    """``url`` if it is a well-formed http(s) link without spaces or control characters, else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(c.isspace() for c in url) or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _driver_pattern(term: str) -> str:
    # Drivers may be lemmas ("lento") while the text has a form ("lenta"): allow a short ending.
    words = [re.escape(w) for w in term.lower().split()]
    if not words:
        return ""
    last = words[-1]
    if len(term.split()[-1]) >= 5:
        words[-1] = re.escape(term.split()[-1].lower()[:-1]) + r"\w{0,3}"
    else:
        words[-1] = last
    return r"\b" + r"\s+".join(words) + r"\b"


def highlight_drivers(text: str, positive: Iterable[str] = (), negative: Iterable[str] = ()) -> str:
    """Escaped Markdown of ``text`` with the engine's driver terms highlighted.

    Words that pushed the post down get a red background, words that pushed it
    up a green one. Matching is case-insensitive and tolerant to a short
    inflection ending; terms not found in the text are simply not highlighted.
    """
    if len(text) > _MAX_CHARS:
        text = text[:_MAX_CHARS] + "…"
    spans: list[tuple[int, int, str]] = []
    for colour, terms in (("red", negative), ("green", positive)):
        for term in terms or ():
            pattern = _driver_pattern(str(term))
            if not pattern:
                continue
            for match in re.finditer(pattern, text, flags=re.IGNORECASE):
                spans.append((match.start(), match.end(), colour))
    spans.sort()
    pieces: list[str] = []
    cursor = 0
    for start, end, colour in spans:
        if start < cursor:  # overlapping match: the first one wins
            continue
        pieces.append(escape_markdown(text[cursor:start]))
        pieces.append(f":{colour}-background[{escape_markdown(text[start:end])}]")
        cursor = end
    pieces.append(escape_markdown(text[cursor:]))
    return "".join(pieces)


def _engagement(row: Mapping[str, Any]) -> int:
    return sum(int(row.get(c) or 0) for c in ("likes", "shares", "comments"))


def markdown_link(label: str, url: str) -> str:
    """A Markdown link to a :func:`safe_url` URL; characters that could end the link are percent-encoded."""
    return f"[{escape_markdown(label)}]({quote(url, safe=_URL_SAFE)})"


def post_card(row: Mapping[str, Any], lang: str, tz: str) -> None:
    """One mention as a bordered card: badges and meta line, highlighted text, drivers, safe link."""
    with st.container(border=True):
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            sentiment = row.get("sentiment")
            if sentiment:
                st.badge(category_name("sentiment", sentiment, lang), color=SENTIMENT_BADGE.get(sentiment, "gray"))
            emotion = row.get("emotion")
            if emotion and emotion != "none":
                st.badge(category_name("emotion", emotion, lang), icon=EMOTION_ICON.get(emotion), color="violet")
            if row.get("person_label"):
                st.badge(t("teachui.correct.by_you", lang), icon=":material/person_check:", color="blue")
            if row.get("is_question"):
                st.badge(t("app.post.question", lang), icon=":material/help:", color="orange")
            created = row.get("created_at")
            # A day-only date (time_known False) is shown without the midnight it was stored at.
            day_only = isinstance(created, datetime) and created.tzinfo is not None and row.get("time_known") is False
            shown = fmt_date(created.astimezone(ZoneInfo(tz)), lang) if day_only else None
            parts = [
                shown or (fmt_datetime(created, lang, tz) if isinstance(created, datetime) else t("app.common.no_date", lang)),
                category_name("touchpoint", row.get("touchpoint"), lang),
            ]
            if row.get("author"):
                parts.append(str(row["author"]))
            engagement = _engagement(row)
            if engagement:
                key = "app.post.engagement_one" if engagement == 1 else "app.post.engagement"
                parts.append(t(key, lang, n=fmt_int(engagement, lang)))
            meta = escape_markdown(" · ".join(parts))
            url = safe_url(row.get("url"))
            if url:
                meta += " · " + markdown_link(t("app.post.open", lang), url) + " :material/open_in_new:"
            st.caption(meta)
        st.markdown(highlight_drivers(str(row.get("text") or ""), row.get("drivers_pos") or (), row.get("drivers_neg") or ()))
        drivers = [*(row.get("drivers_neg") or ()), *(row.get("drivers_pos") or ())]
        if drivers:
            st.caption(escape_markdown(t("app.post.drivers", lang) + ": " + ", ".join(str(d) for d in drivers)))
        from ui.teach_panel import correction_controls  # lazily: teach_panel reads the open workspace

        correction_controls(row, lang)


def post_cards(rows: Iterable[Mapping[str, Any]], lang: str, tz: str) -> None:
    """Several cards in order."""
    for row in rows:
        post_card(row, lang, tz)


def touchpoint_mix_columns(
    touchpoints: pl.DataFrame, emotions: pl.DataFrame, lang: str, *, titles: tuple[str, str]
) -> None:
    """Sentiment mix (left) and emotion mix (right) per touchpoint, in ``touchpoints``' order.

    Args:
        touchpoints: ``touchpoint_summary``'s frame (or the summary's), worst mood first.
        emotions: ``emotion_mix(..., "touchpoint")``'s frame.
        titles: i18n keys of the two subheaders.
    """
    left, right = st.columns(2)
    with left:
        st.subheader(t(titles[0], lang))
        st.altair_chart(localise(sentiment_mix_chart(touchpoints, lang), lang))
    with right:
        st.subheader(t(titles[1], lang))
        order = touchpoints.get_column("touchpoint").to_list()
        st.altair_chart(localise(emotion_mix_chart(emotions, lang, order=order), lang))


def filter_count_caption(shown: int, total: int, lang: str) -> None:
    """The "N menzioni su M" line every page shows."""
    st.caption(t("app.filters.count", lang, shown=fmt_int(shown, lang), total=fmt_int(total, lang)))


def remembered_choice(
    label: str,
    options: Sequence[str],
    *,
    state_key: str,
    default: str,
    format_func: Callable[[str], str],
    container: Any = None,
    label_visibility: str = "visible",
) -> str:
    """A segmented control whose choice survives page changes and is never None.

    The choice lives under ``state_key`` (what tests and other code read);
    the widget itself uses ``<state_key>_widget``. A widget whose value was
    seeded through session state can come back as None from the browser after
    another widget changes, so the remembered value is the source of truth.
    """
    remembered = st.session_state.get(state_key)
    if remembered not in options:
        remembered = default
    target = container if container is not None else st
    picked = target.segmented_control(
        label,
        list(options),
        default=remembered,
        key=f"{state_key}_widget",
        format_func=format_func,
        required=True,
        label_visibility=label_visibility,
    )
    value = picked if picked in options else remembered
    st.session_state[state_key] = value
    return value
