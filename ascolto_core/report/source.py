"""Where a report's mentions come from: :func:`ascolto_core.source.resolve_source`, seen as a :class:`ReportSource`."""

from __future__ import annotations

import os
from collections.abc import Callable

from ascolto_core.report.model import ReportSource
from ascolto_core.source import DEMO_SOURCE, resolve_source


def load_report_source(
    spec: str | os.PathLike[str],
    *,
    lang: str = "it",
    engine: str | None = None,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ReportSource:
    """The demo, a mentions file or a workspace folder, analysed, as the report reads it.

    Raises:
        AscoltoError: as :func:`ascolto_core.source.resolve_source`.
    """
    return ReportSource.of(resolve_source(spec, lang=lang, engine=engine, use_cache=use_cache, progress=progress))


__all__ = ["DEMO_SOURCE", "load_report_source"]
