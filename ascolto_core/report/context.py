"""What every section builder reads: the mentions, the chosen period's slice and its headline, computed once."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import polars as pl

from ascolto_core.insights import apply_filter, filter_options, headline, resolve_tz
from ascolto_core.insights.filters import MentionFilter
from ascolto_core.insights.kpis import Headline
from ascolto_core.insights.summary import prepare as prepare_mentions
from ascolto_core.profile import BrandProfile
from ascolto_core.report.model import ReportRequest, ReportSource
from ascolto_core.source import profile_with_options


@dataclass(frozen=True)
class ReportContext:
    """The inputs of every section, as the app's pages have them.

    Attributes:
        source: the analysed mentions and how they were made.
        request: what the user asked for.
        profile: the source's profile with the request's own accounts added.
        mentions: the source's mentions prepared with ``profile`` (``is_own``, brands, aspects):
            the app's ``ctx.mentions``.
        flt: the request's filter with open dates closed on the data period (as on the Panoramica page).
        current: the mentions that pass ``flt`` (the app's ``ctx.filtered``).
        head: :func:`ascolto_core.insights.headline` of the period against the previous one.
        tz: the display time zone.
        brand: the name on the cover and in the page header.
    """

    source: ReportSource
    request: ReportRequest
    profile: BrandProfile
    mentions: pl.DataFrame
    flt: MentionFilter
    current: pl.DataFrame
    head: Headline
    tz: str
    brand: str

    @property
    def lang(self) -> str:
        return self.request.lang

    @functools.cached_property
    def analysed(self) -> bool:
        """True when at least one mention of the period has a sentiment."""
        return self.current.height > 0 and self.current.get_column("sentiment").null_count() < self.current.height


def default_brand(source: ReportSource) -> str:
    """The profile's brand, else the most mentioned value of ``brand`` (ties: alphabetical), else the source's name."""
    if source.profile.brand:
        return source.profile.brand
    if "brand" in source.mentions.columns:
        counts = (
            source.mentions.get_column("brand").drop_nulls().value_counts().sort(["count", "brand"], descending=[True, False])
        )
        if counts.height:
            return str(counts.row(0)[0])
    return source.name


def prepare(source: ReportSource, request: ReportRequest) -> ReportContext:
    """Close the period on the data like the Panoramica page, filter once, compute the headline.

    Raises:
        AscoltoError: ``insights.bad_timezone`` / ``insights.search_too_long`` from the filter.
    """
    tz = resolve_tz(request.tz)
    profile = profile_with_options(source.profile, request.own_accounts)
    mentions = source.mentions
    if not source.prepared or profile != source.profile:
        # The shared preparation: own posts marked (insights.voice.mark_own), brands recognised, aspects.
        mentions = prepare_mentions(mentions, profile)
    flt = request.flt
    if flt.date_from is None and flt.date_to is None:
        # Same rule as the Panoramica page: no dates chosen means the whole data period.
        period = filter_options(mentions, tz)
        flt = flt.replace(date_from=period.date_min, date_to=period.date_max)
    current = apply_filter(mentions, flt, tz)
    return ReportContext(
        source=source,
        request=request,
        profile=profile,
        mentions=mentions,
        flt=flt,
        current=current,
        head=headline(mentions, flt, tz),
        tz=tz,
        brand=request.brand.strip() or default_brand(source),
    )
