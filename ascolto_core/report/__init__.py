"""The client report: built from the insights functions only, rendered as one HTML file or an A4 PDF.

``build_report(source, request)`` makes a :class:`Report` record (cover and
sections, each built or omitted with a reason); ``render_html`` and
``render_pdf`` lay it out. ``load_report_source`` loads and analyses what the
command line names. See :mod:`ascolto_core.report.sections` for the list of
section builders and how to add one.
"""

from __future__ import annotations

from ascolto_core.report.build import build_report
from ascolto_core.report.model import Cover, Figure, Kpi, Omitted, Quote, Report, ReportRequest, ReportSource, Section, Table
from ascolto_core.report.render import RenderedPdf, html_to_pdf, render_html, render_pdf
from ascolto_core.report.sections import SECTION_BUILDERS, register_section, short_author
from ascolto_core.report.source import DEMO_SOURCE, load_report_source

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
