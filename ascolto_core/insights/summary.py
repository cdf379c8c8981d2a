"""The machine-readable summary of a brand's listening: the numbers the pages, the report and checks share.

Every figure comes from the same function a page calls (one computation per
number): customer mentions through the shared filter, responses from
:mod:`~ascolto_core.insights.responses`, share of voice from
:mod:`~ascolto_core.insights.competitors`, aspects from
:mod:`~ascolto_core.insights.aspects`.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ascolto_core.insights.aspects import annotate_aspects, aspect_summary
from ascolto_core.insights.competitors import recognise_brands, share_of_voice
from ascolto_core.insights.filters import MentionFilter, apply_filter
from ascolto_core.insights.responses import response_summary
from ascolto_core.insights.voice import mark_own, own_count
from ascolto_core.profile import BrandProfile


def prepare(frame: pl.DataFrame, profile: BrandProfile) -> pl.DataFrame:
    """An analysed table made ready for the views: own posts marked, brands recognised, aspects present."""
    data = recognise_brands(mark_own(frame, profile), profile)
    if "aspects" not in data.columns:
        data = annotate_aspects(data)
    return data


def summary(frame: pl.DataFrame, profile: BrandProfile, *, prepared: bool = False, tz: str | None = None) -> dict[str, Any]:
    """The ``summary`` JSON object of an analysed mentions table.

    Args:
        frame: the analysed table (``analysis.analyze_mentions(...).mentions``).
        profile: whose listening it is (own accounts, brand, competitors).
        prepared: ``frame`` already went through :func:`prepare` (the app's table).

    Returns:
        ``{"mentions", "customer_mentions", "own_posts", "responses": {...},
        "share_of_voice": {brand: share}, "aspects": {aspect: {"mentions", "net_sentiment",
        "negative_share"}}}``; shares sum to 1 over customer mentions with a brand.
    """
    data = frame if prepared else prepare(frame, profile)
    customers = apply_filter(data, MentionFilter(), tz)
    responses = response_summary(customers, replies=data, brand=profile.brand or None)
    voice = share_of_voice(customers)
    aspects = aspect_summary(customers)
    return {
        "mentions": data.height,
        "customer_mentions": customers.height,
        "own_posts": own_count(data),
        "responses": responses.as_dict(),
        "responses_missing": responses.missing,
        "share_of_voice": {row["brand"]: row["share"] for row in voice.iter_rows(named=True)},
        "aspects": {
            row["aspect"]: {
                "mentions": row["mentions"],
                "net_sentiment": row["net_sentiment"],
                "negative_share": row["negative_share"],
            }
            for row in aspects.iter_rows(named=True)
        },
    }
