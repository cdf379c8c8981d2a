"""Where a report's mentions come from: one function, so a workspace directory can be added later."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ascolto_core.analysis.pipeline import analyze_mentions
from ascolto_core.errors import AscoltoError
from ascolto_core.report.model import ReportSource

# The name that means the bundled demo dataset (Forno Brio) on the command line.
DEMO_SOURCE = "demo"


def resolve_source(
    spec: str | Path,
    *,
    lang: str = "it",
    engine: str | None = None,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ReportSource:
    """Load and analyse the mentions named by ``spec``: ``"demo"`` or a file the loader reads.

    Raises:
        AscoltoError: ``report.no_source`` when the path does not exist; loader and
            analysis errors as they are (messages in the user's language).
    """
    from ascolto_core.loading import load_mentions

    load_report = None
    if str(spec) == DEMO_SOURCE and not Path(spec).exists():
        from ascolto_core.datasets import load_demo

        raw, name = load_demo(), DEMO_SOURCE
    else:
        path = Path(spec)
        if not path.is_file():
            raise AscoltoError("report.no_source", path=str(path))
        loaded = load_mentions(path)
        raw, name, load_report = loaded.mentions, path.name, loaded.report
    result = analyze_mentions(raw, engine=engine, progress=progress, use_cache=use_cache)
    return ReportSource(
        mentions=result.mentions,
        name=name,
        engine=result.engine,
        load_report=load_report,
        fallback=result.fallback_message(lang),
    )
