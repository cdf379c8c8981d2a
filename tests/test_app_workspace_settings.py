"""The settings form on Dati: what a person types is validated in Italian, saved only when right, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_harness import APP, texts
from ascolto_core.i18n import t
from ascolto_core.workspace import Workspace
from ui.settings_form import flatten, mask_secret_url, set_path

pytestmark = pytest.mark.timeout(600)

SECRET_TARGET = "mailto://anna:Segretissima42@posta.example.org"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, Path]:
    path = Workspace.create(
        tmp_path / "bar-sport",
        brand="Bar Sport",
        settings={"alerts": {"spike": {"min_negatives": 4, "enabled": True}, "every_minutes": 15}, "notify": [SECRET_TARGET]},
    ).path
    monkeypatch.setenv("ASCOLTO_WORKSPACE", str(path))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, path


def save(at: AppTest) -> AppTest:
    at.button(key="FormSubmitter:ws_settings_form-" + t("wsui.settings.save", "it")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_valid_form_is_saved_and_keeps_what_it_does_not_show(app: tuple[AppTest, Path]) -> None:
    at, path = app
    at.text_area(key="ws_set_aliases").set_value("barsport\n@barsport\n")
    at.text_area(key="ws_set_competitors").set_value("Caffè Roma, caffe roma\nBar Centrale")
    at.text_area(key="ws_set_own").set_value("@barsport")
    at.multiselect(key="ws_set_days").set_value(["mon", "tue", "sat"])
    at.text_input(key="ws_set_open").set_value("07:30")
    at.text_area(key="ws_set_closed").set_value("2026-08-14")
    at.selectbox(key="ws_set_tz").set_value("Europe/London")
    at.text_area(key="ws_set_rss").set_value("https://news.example.it/rss.xml")
    at.text_input(key="ws_set_mastodon").set_value("mastodon.uno")
    at.text_area(key="ws_set_hashtags").set_value("#barsport")
    at.text_input(key="ws_set_bluesky").set_value("bar-sport.bsky.social")
    at.text_area(key="ws_set_reddit").set_value("r/bologna")
    at.number_input(key="ws_alert_spike.min_negatives").set_value(7)
    at.text_area(key="ws_set_notify_new").set_value("tgram://123456:ABCDEF/987")
    save(at)
    assert t("wsui.settings.saved", "it") in [s.value for s in at.success]
    settings = Workspace.open(path).settings()
    data = settings.to_dict()
    assert data["aliases"] == ["barsport", "@barsport"]
    assert data["competitors"] == [{"name": "Caffè Roma", "aliases": ["caffe roma"]}, {"name": "Bar Centrale", "aliases": []}]
    assert data["office_hours"]["days"] == ["mon", "tue", "sat"] and data["office_hours"]["open"] == "07:30"
    assert data["office_hours"]["closed_dates"] == ["2026-08-14"]
    assert settings.display_timezone == "Europe/London"
    assert data["hashtags"] == ["barsport"]
    query = settings.listening_query()
    assert {s.kind for s in query.sources} == {"rss", "mastodon", "bluesky", "reddit"}
    # The alert rules: the edited threshold changed, the others (unknown to the form) kept.
    assert data["alerts"] == {"spike": {"min_negatives": 7, "enabled": True}, "every_minutes": 15}
    assert data["notify"] == [SECRET_TARGET, "tgram://123456:ABCDEF/987"]
    # The display time zone of the workspace is the one pages use.
    assert at.session_state["page_context"].tz == "Europe/London"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        # No brand name.
        ("ws_set_brand", "  ", "Indica il nome della marca."),
        # A time written the Italian way with a dot.
        ("ws_set_open", "9.00", "«9.00» non è un orario: scrivilo come 09:00."),
        # A closed day that is not a date.
        ("ws_set_closed", "ferragosto", "«ferragosto» non è una data"),
        # A feed address without http(s).
        ("ws_set_rss", "news.example.it/rss", "non è l'indirizzo di un feed"),
        # A Mastodon "server" with spaces.
        ("ws_set_mastodon", "mastodon uno", "non è il nome di un server Mastodon"),
        # A subreddit with a space.
        ("ws_set_reddit", "bologna centro", "non è il nome di un subreddit"),
        # A notification target that is not an Apprise URL.
        ("ws_set_notify_new", "anna@example.org", "non è un indirizzo Apprise"),
    ],
)
def test_a_wrong_field_gets_an_italian_sentence_and_nothing_is_saved(app: tuple[AppTest, Path], key: str, value: str, message: str) -> None:
    at, path = app
    before = Workspace.open(path).settings()
    widget = at.text_area(key=key) if key in {"ws_set_closed", "ws_set_rss", "ws_set_reddit", "ws_set_notify_new"} else at.text_input(key=key)
    widget.set_value(value)
    save(at)
    assert at.error, "the form says what is wrong"
    assert message in at.error[0].value.replace("\\", "")
    assert t("wsui.settings.not_saved", "it") in at.error[0].value
    assert Workspace.open(path).settings() == before


def test_opening_after_closing_is_refused(app: tuple[AppTest, Path]) -> None:
    at, _ = app
    at.text_input(key="ws_set_open").set_value("19:00")
    save(at)
    assert t("wsui.settings.err_order", "it") in at.error[0].value


def test_notification_secrets_are_never_shown(app: tuple[AppTest, Path]) -> None:
    at, _ = app
    everything = texts(at) + " ".join(str(c.label) for c in at.checkbox) + " ".join(str(a.value) for a in at.text_area)
    assert "Segretissima42" not in everything and "anna" not in everything
    assert any("mailto://" in str(c.label).replace("\\", "").replace("\u2060", "") for c in at.checkbox), "the target is listed (masked) with a remove box"
    # Removing it.
    next(c for c in at.checkbox if "mailto://" in str(c.label).replace("\\", "").replace("\u2060", "")).check()
    save(at)
    assert Workspace.open(app[1]).settings().notify == ()


def test_the_demo_settings_are_shown_but_cannot_be_saved(tmp_path: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert t("wsui.settings.read_only", "it") in texts(at)
    assert at.text_input(key="ws_set_brand").value == "Forno Brio"
    assert at.button(key="FormSubmitter:ws_settings_form-" + t("wsui.settings.save", "it")).disabled


@pytest.mark.parametrize(
    ("url", "hidden"),
    [
        ("mailto://anna:pw123@gmail.com", "pw123"),  # password in the user part
        ("tgram://123456:ABCDEF/987", "ABCDEF"),  # a bot token in the host part
        ("discord://webhook_id/webhook_token", "webhook_token"),  # token in the path
    ],
)
def test_masked_targets_hide_the_secret_part(url: str, hidden: str) -> None:
    shown = mask_secret_url(url)
    assert hidden not in shown and shown.startswith(url.split("://")[0] + "://")


def test_alert_paths_round_trip() -> None:
    rules = {"spike": {"min_negatives": 4, "z": 3.5}, "digest": "off", "source_minutes": {}}
    flat = flatten(rules)
    assert flat == {"spike.min_negatives": 4, "spike.z": 3.5, "digest": "off"}
    rebuilt: dict = {"source_minutes": {}}
    for path, value in flat.items():
        set_path(rebuilt, path, value)
    assert rebuilt == rules


def test_the_workspaces_office_hours_are_the_ones_orari_uses(app: tuple[AppTest, Path], tmp_path: Path) -> None:
    # A bar open every day until late: its own hours, not the project's 9-18 Monday to Friday.
    at, path = app
    workspace = Workspace.open(path)
    hours = {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "open": "07:00", "close": "23:00"}
    workspace.set_settings({**workspace.settings().to_dict(), "office_hours": hours})
    csv = tmp_path / "bar.csv"
    csv.write_text("testo,data\nServizio lento stasera,2026-11-21 21:30\nCaffè ottimo,2026-11-22 08:15\n", encoding="utf-8")
    from ascolto_core.workspace import add_file

    add_file(workspace, csv)
    at.switch_page("pages/hours.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "07:00" in shown and "23:00" in shown
    assert "09:00" not in shown
