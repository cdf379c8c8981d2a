"""What a command's SOURCE names: the demo, a mentions file or a workspace folder, loaded and analysed.

One function for every command that reads "SOURCE" (``report``, ``summary``):
:func:`resolve_source` returns the analysed mentions and whose listening they
are (:class:`~ascolto_core.profile.BrandProfile`, office hours, time zone),
plus what the report's method section tells about a workspace (its history of
loads and fetches, the listening sources' health, the labels it holds).

* ``demo`` (or the demo's CSV): the demo mentions and the demo profile;
* a file: loaded like ``analyze`` does (the loader's report kept), empty profile;
* a workspace folder: its stored mentions with their stored analysis, and its settings.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.profile import BrandProfile, Competitor

if TYPE_CHECKING:
    from ascolto_core.analysis.base import EngineInfo
    from ascolto_core.insights.hours import OfficeHours
    from ascolto_core.loading.report import LoadReport

# The name that means the bundled demo dataset (Forno Brio) on the command line.
DEMO_SOURCE = "demo"


@dataclass(frozen=True)
class WorkspaceFacts:
    """What a workspace knows about where its mentions came from, for the report's method section.

    Attributes:
        name: the workspace folder's name.
        history: ``Workspace.history()``: loads, fetches, listening failures and recoveries (UTC ``at``).
        sources: ``listening_status(...).sources``: one row per configured source and its last health.
        labels: the person's label corrections (``Workspace.labels()``: mention_id, sentiment, emotion, ...).
    """

    name: str
    history: pl.DataFrame = field(repr=False)
    sources: pl.DataFrame = field(repr=False)
    labels: pl.DataFrame = field(repr=False, default_factory=lambda: pl.DataFrame(schema={"mention_id": pl.String, "sentiment": pl.String}))


@dataclass(frozen=True)
class ResolvedSource:
    """The analysed mentions a SOURCE names, and whose listening they are.

    Attributes:
        mentions: canonical table with the analysis columns (not yet marked with the profile:
            callers may add accounts or competitors first, then ``insights.summary.prepare``).
        name: what the data is called (file name, "demo", the workspace's name).
        profile: the brand profile (workspace settings, demo profile, or empty for a file).
        office_hours: the workspace's office hours; None = the project's ``config/insights.yaml``.
        tz: the workspace's display time zone; None = the project's default.
        engine: the engine that produced the analysis (the most frequent stamp of a workspace).
        load_report: what loading a file dropped or could not read (files only).
        load_lines: the loader's report in words (files only).
        fallback: why the requested engine did not run, in words, if it did not.
        workspace: what the workspace records about sources and labels (workspaces only).
    """

    mentions: pl.DataFrame
    name: str
    profile: BrandProfile = field(default_factory=BrandProfile)
    office_hours: OfficeHours | None = None
    tz: str | None = None
    engine: EngineInfo | None = None
    load_report: LoadReport | None = None
    load_lines: tuple[str, ...] = ()
    fallback: str | None = None
    workspace: WorkspaceFacts | None = None


def profile_with_options(
    profile: BrandProfile, own: list[str] | tuple[str, ...] = (), brand: str | None = None,
    competitors: list[str] | tuple[str, ...] = (),
) -> BrandProfile:
    """``profile`` with the command line's own accounts and competitors added and the brand replaced when given."""
    known = {c.name for c in profile.competitors}
    extra = tuple(Competitor(name.strip()) for name in competitors if name.strip() and name.strip() not in known)
    return BrandProfile(
        brand=(brand or "").strip() or profile.brand,
        aliases=profile.aliases,
        competitors=profile.competitors + extra,
        own_accounts=tuple(dict.fromkeys((*profile.own_accounts, *(o.strip() for o in own if o.strip())))),
    )


def _is_demo(spec: str | os.PathLike[str]) -> bool:
    from ascolto_core.datasets import DEMO_PATH

    path = Path(spec)
    if str(spec) == DEMO_SOURCE and not path.exists():
        return True
    return path.is_file() and path.resolve() == DEMO_PATH.resolve()


def _stamp_engine(workspace: object) -> EngineInfo | None:
    """The engine that analysed most of a workspace's mentions (from the stored analysis stamps)."""
    from ascolto_core.analysis.base import EngineInfo

    stamps = workspace.collect(  # type: ignore[attr-defined]
        lambda: workspace.scan_mentions(internal=True)  # type: ignore[attr-defined]
        .select("analysis_engine", "analysis_model", "analysis_version")
        .drop_nulls("analysis_engine")
    )
    if stamps.is_empty():
        return None
    (engine, model, version), _ = Counter(stamps.iter_rows()).most_common(1)[0]
    return EngineInfo(name=str(engine), model_id=str(model or engine), version=str(version or ""))


def _from_workspace(path: Path) -> ResolvedSource:
    from ascolto_core.listening.status import listening_status
    from ascolto_core.workspace import Workspace

    workspace = Workspace.open(path, read_only=True)
    settings = workspace.settings()
    facts = WorkspaceFacts(
        name=workspace.name,
        history=workspace.history(),
        sources=listening_status(workspace).sources,
        labels=workspace.labels(),
    )
    return ResolvedSource(
        mentions=workspace.mentions(),
        name=workspace.name,
        profile=settings.profile,
        office_hours=settings.office_hours_record(),
        tz=settings.display_timezone,
        engine=_stamp_engine(workspace),
        workspace=facts,
    )


def resolve_source(
    spec: str | os.PathLike[str],
    *,
    lang: str = "it",
    engine: str | None = None,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ResolvedSource:
    """Load and analyse what ``spec`` names: ``"demo"``, a mentions file, or a workspace folder.

    A workspace's mentions keep their stored analysis (``engine`` does not apply:
    ``workspace refresh`` re-analyses them); a file is analysed like ``analyze``
    does, result cache included.

    Raises:
        AscoltoError: ``source.not_found`` (nothing at that path), ``source.not_workspace``
            (a folder that is no workspace); loader, workspace and analysis errors as they are.
    """
    from ascolto_core.workspace import is_workspace

    path = Path(spec)
    if path.is_dir():
        if not is_workspace(path):
            raise AscoltoError("source.not_workspace", path=str(path))
        return _from_workspace(path)
    from ascolto_core.analysis.pipeline import analyze_mentions

    if _is_demo(spec):
        from ascolto_core.datasets import demo_profile, load_demo

        raw, name, profile, load_report = load_demo(), DEMO_SOURCE, demo_profile(), None
    else:
        if not path.is_file():
            raise AscoltoError("source.not_found", path=str(path))
        from ascolto_core.loading import load_mentions

        loaded = load_mentions(path)
        raw, name, profile, load_report = loaded.mentions, path.name, BrandProfile(), loaded.report
    result = analyze_mentions(raw, engine=engine, progress=progress, use_cache=use_cache)
    return ResolvedSource(
        mentions=result.mentions,
        name=name,
        profile=profile,
        engine=result.engine,
        load_report=load_report,
        load_lines=tuple(load_report.lines(lang)) if load_report is not None else (),
        fallback=result.fallback_message(lang),
    )


__all__ = ["DEMO_SOURCE", "ResolvedSource", "WorkspaceFacts", "profile_with_options", "resolve_source"]
