"""Report -> one self-contained HTML file (Jinja2, autoescaped) -> PDF (WeasyPrint, no network).

Untrusted text (posts, authors, file and brand names) only ever reaches the
HTML through Jinja2's autoescaping, so it renders as text and cannot open a
tag, a style or a script. The PDF is made from that HTML with a URL fetcher
that refuses everything except inline ``data:`` URIs: nothing is fetched,
whatever a post contains. Fonts are the system's (DejaVu Sans, Open Sans,
Noto Color Emoji from Debian), embedded in the PDF as subsets.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.report.model import Omitted, Report, Section

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every {{ value }} is escaped, whatever the file extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _figure_markup(kind: str, content: str) -> markupsafe.Markup:
    """Charts are our own vl-convert output (SVG) or a data URI: the only markup not escaped.

    SVG text labels come from category names and translations, which vl-convert
    escapes as XML; a data URI is escaped as an attribute value.
    """
    if kind == "svg":
        return markupsafe.Markup(content)
    return markupsafe.Markup('<img src="{}" alt="">').format(content)


def render_html(report: Report) -> str:
    """The report as one HTML document: CSS inline, charts inline, no external reference."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        css=markupsafe.Markup(css),
        figure=_figure_markup,
        is_section=lambda item: isinstance(item, Section),
        is_omitted=lambda item: isinstance(item, Omitted),
        quote_cut=t("report.quote_cut", report.lang),
        sources_title=t("report.sources", report.lang),
    )


class RefusedFetch(Exception):
    """Raised for any URL that is not an inline ``data:`` URI."""


def _fetcher_class() -> Any:
    from weasyprint import URLFetcher

    class InlineOnlyFetcher(URLFetcher):  # type: ignore[misc, valid-type]
        """WeasyPrint's fetcher limited to ``data:`` URIs; every other URL is refused and remembered."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                self.refused.append(url)
                raise RefusedFetch(url)
            return super().fetch(url, headers)

    return InlineOnlyFetcher


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered PDF and its number of pages."""

    data: bytes
    pages: int


def html_to_pdf(html: str, *, refused: list[str] | None = None) -> RenderedPdf:
    """The PDF of an HTML document, fetching nothing (``refused`` collects the URLs turned away).

    Raises:
        AscoltoError: ``report.no_pdf_engine`` when WeasyPrint or its system libraries are missing.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango missing from the system
        raise AscoltoError("report.no_pdf_engine", reason=str(error)) from None
    fetcher = _fetcher_class()()
    try:
        # base_url None: a relative reference resolves to nothing, so nothing on disk is read either.
        document = weasyprint.HTML(string=html, url_fetcher=fetcher, base_url=None).render()
        return RenderedPdf(data=document.write_pdf(), pages=len(document.pages))
    finally:
        if refused is not None:
            refused.extend(fetcher.refused)


def render_pdf(report: Report, *, refused: list[str] | None = None) -> RenderedPdf:
    """The report as an A4 PDF (page numbers, brand in the header) and its page count."""
    return html_to_pdf(render_html(report), refused=refused)
