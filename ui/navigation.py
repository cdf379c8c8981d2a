"""The app's pages, in sidebar order: one registry for the router, the page tests and the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """One page: its script, catalogue name (``app.nav.<name>``), icon and URL path."""

    path: str
    name: str
    icon: str
    slug: str


PAGE_SPECS: tuple[PageSpec, ...] = (
    PageSpec("pages/data.py", "data", ":material/database:", "dati"),
    PageSpec("pages/overview.py", "overview", ":material/dashboard:", "panoramica"),
    PageSpec("pages/timeline.py", "timeline", ":material/timeline:", "andamento"),
    PageSpec("pages/touchpoints.py", "touchpoints", ":material/hub:", "touchpoint"),
    PageSpec("pages/words.py", "words", ":material/cloud:", "parole"),
    PageSpec("pages/posts.py", "posts", ":material/forum:", "post"),
    PageSpec("pages/hours.py", "hours", ":material/schedule:", "orari"),
    PageSpec("pages/alerts.py", "alerts", ":material/notifications_active:", "allarmi"),
    PageSpec("pages/service.py", "service", ":material/support_agent:", "servizio-clienti"),
    PageSpec("pages/competitors.py", "competitors", ":material/compare_arrows:", "concorrenti"),
    PageSpec("pages/topics.py", "topics", ":material/category:", "temi"),
    PageSpec("pages/teach.py", "teach", ":material/school:", "insegna"),
    PageSpec("pages/export.py", "export", ":material/download:", "esporta"),
    PageSpec("pages/summary.py", "summary", ":material/summarize:", "riepilogo"),
)
START_PAGE = "data"
