"""The client report: built from the insights functions only, rendered as one HTML file or an A4 PDF.

``build_report(source, request)`` makes a :class:`Report` record (cover and
sections, each built or omitted with a reason); ``render_html`` and
``render_pdf`` lay it out. ``load_report_source`` loads and analyses what the
command line names. See :mod:`ascolto_core.report.sections` for the list of
section builders and how to add one.
"""

from __future__ import annotations

import importlib
from typing import Any

# Name -> module that defines it. Imported on first use (PEP 562): the command line imports
# ``ascolto_core.report.cli`` to list its commands, and must not pay for Altair and WeasyPrint
# (half a second) when the command run is another one.
_WHERE = {
    "build_report": "build",
    **dict.fromkeys(
        ("Cover", "Figure", "Kpi", "Omitted", "Quote", "Report", "ReportRequest", "ReportSource", "Section", "Table"),
        "model",
    ),
    **dict.fromkeys(("RenderedPdf", "html_to_pdf", "render_html", "render_pdf"), "render"),
    **dict.fromkeys(("SECTION_BUILDERS", "register_section", "short_author"), "sections"),
    **dict.fromkeys(("DEMO_SOURCE", "load_report_source"), "source"),
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEMO_SOURCE",
    "SECTION_BUILDERS",
    "Cover",
    "Figure",
    "Kpi",
    "Omitted",
    "Quote",
    "RenderedPdf",
    "Report",
    "ReportRequest",
    "ReportSource",
    "Section",
    "Table",
    "build_report",
    "html_to_pdf",
    "register_section",
    "render_html",
    "render_pdf",
    "load_report_source",
    "short_author",
]
