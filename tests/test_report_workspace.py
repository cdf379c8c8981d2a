"""SOURCE as a workspace folder for ``report`` and ``summary`` (one resolution), and the report's service sections.

A small workspace is built in each test: settings with the brand, its own
account, a competitor, office hours and time zone; one file with reply links;
a listening failure in its history and one label correction.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import markupsafe
import polars as pl
import pytest

from ascolto_core.cli import main
from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.insights import MentionFilter, apply_filter
from ascolto_core.insights.competitors import brand_comparison
from ascolto_core.insights.responses import response_summary
from ascolto_core.insights.summary import prepare
from ascolto_core.report import Omitted, ReportRequest, ReportSource, Section, build_report, load_report_source
from ascolto_core.report.sections import fmt_minutes
from ascolto_core.source import resolve_source
from ascolto_core.workspace import Workspace, add_file

SETTINGS = {
    "brand": "Bar Centrale",
    "own_accounts": ["@barcentrale"],
    "competitors": ["Caffè Roma"],
    "display_timezone": "Europe/Rome",
    "office_hours": {"days": ["mon", "tue", "wed", "thu", "fri"], "open": "08:00", "close": "12:00"},
}
ROWS = (
    # id, text, date (UTC), author, reply to
    ("1", "Servizio lentissimo al Bar Centrale, caffè freddo", "2026-09-07 08:00", "@mario", ""),
    ("2", "Ci dispiace, ti scriviamo in privato", "2026-09-07 08:30", "@barcentrale", "1"),
    ("3", "A che ora aprite domenica?", "2026-09-12 18:00", "@giulia", ""),
    ("4", "Il cornetto del Bar Centrale è ottimo", "2026-09-08 09:00", "@anna", ""),
    ("5", "Da Caffè Roma il personale è scortese", "2026-09-09 10:00", "@luca", ""),
    ("6", "Il prezzo del Bar Centrale è troppo caro", "2026-09-10 20:00", "@sara", ""),
    ("7", "Grazie per la segnalazione, rimediamo", "2026-09-11 09:00", "@barcentrale", "6"),
)


def _csv(path: Path) -> Path:
    lines = ["id,testo,data,autore,in_reply_to_status_id"] + [f'{i},"{x}",{d},{a},{r}' for i, x, d, a, r in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def workspace_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bar-centrale"
    workspace = Workspace.create(folder, settings=SETTINGS)
    add_file(workspace, _csv(tmp_path / "export.csv"), engine="embedded")
    workspace.record_event("listen_failure", "mastodon:bar", status="http_error")
    workspace.set_label("4", sentiment="positive")
    # As if the workspace had been listening during the data's weeks: its history moved into September.
    with sqlite3.connect(workspace.catalogue_path) as con:
        con.execute("UPDATE history SET at = '2026-09-09T10:00:00+00:00'")
    return folder


def test_resolve_source_reads_mentions_profile_office_hours_and_history_of_a_workspace(workspace_dir: Path) -> None:
    resolved = resolve_source(workspace_dir)
    assert resolved.mentions.height == len(ROWS)
    assert (resolved.profile.brand, resolved.profile.own_accounts) == ("Bar Centrale", ("@barcentrale",))
    assert resolved.tz == "Europe/Rome" and resolved.office_hours is not None
    assert resolved.office_hours.default.close_minute == 12 * 60
    assert resolved.engine is not None and resolved.engine.name == "embedded"
    facts = resolved.workspace
    assert facts is not None and facts.name == "bar-centrale" and facts.labels["mention_id"].to_list() == ["4"]
    assert "listen_failure" in facts.history["kind"].to_list()


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda tmp: tmp / "missing.csv", "source.not_found"),  # nothing there: named, not a traceback
        (lambda tmp: tmp, "source.not_workspace"),  # a folder that holds no workspace
    ],
)
def test_resolve_source_refuses_what_is_neither_a_file_nor_a_workspace(make, key: str, tmp_path: Path) -> None:  # noqa: ANN001
    with pytest.raises(AscoltoError) as caught:
        resolve_source(make(tmp_path))
    assert caught.value.key == key


def test_summary_of_a_workspace_uses_its_profile(workspace_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(workspace_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    # Own posts from the workspace's own account, competitors from its settings: no option needed.
    assert (data["customer_mentions"], data["own_posts"]) == (5, 2)
    assert set(data["share_of_voice"]) == {"Bar Centrale", "Caffè Roma"}
    assert data["responses"]["answered"] == 2


def test_report_of_a_workspace_lists_its_sources_failures_and_labels(workspace_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rapporto.html"
    assert main(["report", str(workspace_dir), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    source = load_report_source(workspace_dir)
    report = build_report(source, ReportRequest(tz="Europe/Rome"))
    built = {item.key: item for item in report.sections}
    method = built["method"]
    assert isinstance(method, Section)
    assert t("report.method.ws_labels", "it", n="1") in method.paragraphs
    # The person's label of "4" (positive) is the reference the quality line is measured on.
    agrees = source.mentions.filter(pl.col("id") == "4")["sentiment"].item() == "positive"
    assert t("report.method.quality_labels", "it", n="1", accuracy="100%" if agrees else "0%", f1=method.paragraphs[1].split("F1 macro ")[1].rstrip(").")) in method.paragraphs
    assert any("mastodon:bar" in line and "export.csv" not in line for line in method.paragraphs)
    assert any("export.csv" in line and "bar-centrale" in line for line in method.paragraphs)
    assert report.cover.brand == "Bar Centrale"
    # The workspace's brand and own account make the service and competitor sections possible.
    assert isinstance(built["responses"], Section) and isinstance(built["competitors"], Section)
    # The command writes the same lines (the HTML escapes apostrophes).
    assert all(str(markupsafe.escape(line)) in html for line in method.paragraphs)


def test_report_response_figures_are_the_service_page_figures(workspace_dir: Path) -> None:
    source = load_report_source(workspace_dir)
    built = {item.key: item for item in build_report(source, ReportRequest(tz="Europe/Rome")).sections}
    mentions = prepare(source.mentions, source.profile)
    customers = apply_filter(mentions, MentionFilter(), "Europe/Rome")
    summary = response_summary(customers, replies=mentions, brand="Bar Centrale")
    section = built["responses"]
    assert isinstance(section, Section)
    assert [k.value for k in section.kpis] == [
        str(summary.answerable), f"{round(summary.answered_share * 100)}%",
        fmt_minutes(summary.median_first_response_minutes, "it"), fmt_minutes(summary.p90_first_response_minutes, "it"),
        str(summary.unanswered),
    ]
    # The question of Saturday evening is still waiting: quoted, oldest first.
    assert [q.text for q in section.quotes] == ["A che ora aprite domenica?"]
    comparison = brand_comparison(customers)
    competitors = built["competitors"]
    assert isinstance(competitors, Section)
    assert [row[0] for row in competitors.tables[0].rows] == comparison["brand"].to_list()


def test_a_report_without_own_accounts_omits_response_times_with_the_reason(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": ["1", "2"], "text": ["Pessimo", "Scusaci"], "reply_to": [None, "1"]})
    source = ReportSource(frame.with_columns(pl.lit("negative").alias("sentiment")), "t")
    built = {item.key: item for item in build_report(source).sections}
    assert built["responses"] == Omitted("responses", t("report.responses.title", "it"), t("report.responses.no_own_posts", "it"))


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (None, "–"),  # nothing answered
        (0.4, "0 min"),  # under a minute rounds down
        (45, "45 min"),
        (60, "1 h"),
        (135, "2 h 15 min"),
        (49 * 60, "2 g 1 h"),  # beyond two days: days and hours
        (72 * 60, "3 g"),
    ],
)
def test_fmt_minutes(minutes: float | None, text: str) -> None:
    assert fmt_minutes(minutes, "it") == text
