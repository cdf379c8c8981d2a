"""The report as plain data: a cover and a list of sections, each built or omitted with a reason.

Section builders return these frozen records; the renderer turns them into
HTML (and the HTML into PDF). Everything shown is already a formatted string
in the report's language, so the template only lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import polars as pl

from ascolto_core.analysis.base import EngineInfo
from ascolto_core.analysis.keywords import TermIndex
from ascolto_core.insights.filters import MentionFilter
from ascolto_core.insights.hours import OfficeHours
from ascolto_core.loading.report import LoadReport
from ascolto_core.profile import BrandProfile
from ascolto_core.source import ResolvedSource, WorkspaceFacts


@dataclass(frozen=True)
class Figure:
    """A chart, already rendered: ``kind`` "svg" (markup) or "png" (a ``data:`` URI)."""

    kind: Literal["svg", "png"]
    content: str
    alt: str
    caption: str = ""


@dataclass(frozen=True)
class Table:
    """A small table of formatted cells; ``numeric[i]`` right-aligns column ``i``."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Quote:
    """A post quoted literally (``text`` may be cut at ``MAX_QUOTE_CHARS``, then ``cut`` is True)."""

    text: str
    author: str
    meta: str
    label: str = ""
    cut: bool = False


@dataclass(frozen=True)
class Kpi:
    """One headline number: its value now, before, and the change."""

    label: str
    value: str
    previous: str
    change: str
    tone: Literal["good", "bad", "neutral"] = "neutral"


@dataclass(frozen=True)
class Section:
    """A built section of the report, in reading order of its parts."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    quotes: tuple[Quote, ...] = ()
    notes: tuple[str, ...] = ()
    # Two tables side by side (e.g. negative and positive words) instead of one under the other.
    tables_side_by_side: bool = False
    # Tables before the charts: a long table can start on a page a chart would leave half empty.
    tables_first: bool = False


@dataclass(frozen=True)
class Omitted:
    """A section left out because its data is missing, and the one line that says why."""

    key: str
    title: str
    reason: str


@dataclass(frozen=True)
class Cover:
    """The first page: whose report, which period, from which data, made when."""

    brand: str
    title: str
    period: str
    comparison: str
    sources: tuple[str, ...]
    generated: str
    filters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """A whole report: the cover and the sections in order (built or omitted)."""

    lang: str
    brand: str
    cover: Cover
    sections: tuple[Section | Omitted, ...]
    page_label: str = "Pagina"
    of_label: str = "di"


@dataclass(frozen=True)
class ReportSource:
    """The analysed mentions a report is made from, and what is known about how they were made.

    Attributes:
        mentions: canonical table with the analysis columns.
        name: what the data is called on the cover (file name, "demo"...).
        engine: the engine that produced the analysis, if known.
        load_report: what loading dropped or could not read (duplicates, undated...), if known.
        fallback: the reason the requested engine did not run, already in words, if any.
        term_index: ``keywords.term_index`` of ``mentions`` when the caller has one (the app caches it),
            so the words section does not tokenise again.
        profile: whose listening it is (own accounts, brand, competitors): the workspace's or the demo's.
        prepared: ``mentions`` already went through ``insights.summary.prepare`` with ``profile``
            (the app's table); otherwise the report prepares them once.
        office_hours: the workspace's office hours (None: ``config/insights.yaml``).
        workspace: what the workspace records about its sources and labels (None for a file).
    """

    mentions: pl.DataFrame
    name: str
    engine: EngineInfo | None = None
    load_report: LoadReport | None = None
    fallback: str | None = None
    term_index: TermIndex | None = field(default=None, repr=False)
    profile: BrandProfile = field(default_factory=BrandProfile)
    prepared: bool = False
    office_hours: OfficeHours | None = None
    workspace: WorkspaceFacts | None = None

    @classmethod
    def of(cls, resolved: ResolvedSource) -> ReportSource:
        """The report's view of what :func:`ascolto_core.source.resolve_source` found."""
        return cls(
            mentions=resolved.mentions,
            name=resolved.name,
            engine=resolved.engine,
            load_report=resolved.load_report,
            fallback=resolved.fallback,
            profile=resolved.profile,
            office_hours=resolved.office_hours,
            workspace=resolved.workspace,
        )


@dataclass(frozen=True)
class ReportRequest:
    """What the user asked for: the filters (the app's sidebar or --from/--to), language and options.

    Attributes:
        flt: the filter; open dates mean the whole data period, as on the Panoramica page.
        lang: "it" or "en".
        brand: the name on the cover and in the header; empty = the most mentioned brand, else the source name.
        short_authors: print "Mario R." instead of "Mario Rossi" (privacy).
        own_accounts: more of the brand's own handles, added to the source's profile (``--own-account``);
            own posts are then marked by ``insights.voice.mark_own`` and kept out by ``flt.voice``.
        tz: display time zone (default from ``config/app.yaml``).
        today: the report's date on the cover (default: today).
    """

    flt: MentionFilter = field(default_factory=MentionFilter)
    lang: str = "it"
    brand: str = ""
    short_authors: bool = False
    own_accounts: tuple[str, ...] = ()
    tz: str | None = None
    today: date | None = None
