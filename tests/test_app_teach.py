"""Teaching from the app: corrections on post cards, the Insegna queue, vocabulary, suspicious drivers, the teaching file.

Every test has its own workspace (``ASCOLTO_WORKSPACE``) and analysis cache; the
engine is the offline one and nothing reaches the model hub.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from app_harness import APP, texts
from ascolto_core.i18n import t
from ascolto_core.schema import conform
from ascolto_core.workspace import Workspace, add_mentions
from ascolto_core.workspace.taught_io import export_taught, import_taught
from ui.state import StateKeys

pytestmark = pytest.mark.timeout(600)


_FRIENDS = ("Anna", "Bruno", "Carla", "Dario", "Elena", "Fabio", "Giulia", "Luca", "Marta", "Nico")
_THINGS = ("il caffè", "la pizza", "il gelato")


def _mentions() -> pl.DataFrame:
    """30 posts naming a place called "Buona Sosta" and nothing else, 10 plainly negative ones."""
    n_place, n_bad = 30, 10
    frame = pl.DataFrame(
        {
            "id": [f"m{i}" for i in range(n_place + n_bad)],
            "text": [f"Oggi alla Buona Sosta con {_FRIENDS[i % 10]} per {_THINGS[i // 10]}" for i in range(n_place)]
            + [f"Servizio pessimo e {_THINGS[i % 3]} freddo, lo dice {_FRIENDS[i]}" for i in range(n_bad)],
            "author": [f"user{i}" for i in range(n_place + n_bad)],
            "created_at": [f"2026-09-{10 + i % 18} 10:{i:02d}:00" for i in range(n_place + n_bad)],
            "source": ["Instagram"] * (n_place + n_bad),
        }
    )
    return conform(frame.with_columns(pl.col("created_at").str.to_datetime(time_zone="UTC")))


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    workspace = Workspace.create(tmp_path / "bar", brand="Bar Sport")
    add_mentions(workspace, _mentions(), origin="test.csv", kind="upload")
    monkeypatch.setenv("ASCOLTO_WORKSPACE", str(workspace.path))
    return workspace.path


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(page: str) -> AppTest:
    at = run(AppTest.from_file(APP, default_timeout=300))
    at.switch_page(page)
    return run(at)


def test_a_correction_on_a_post_card_is_stored_and_wins_on_post_and_kpis(client: Path) -> None:
    at = open_page("pages/posts.py")
    before = at.session_state[StateKeys.MENTIONS]
    negatives = before.filter(pl.col("sentiment") == "negative").height
    shown = {b.key.split("_")[1] for b in at.button if (b.key or "").startswith("fix_")}
    target = before.filter((pl.col("sentiment") != "negative") & pl.col("id").is_in(list(shown)))["id"][0]
    at.button(key=f"fix_{target}_0_s_negative").click()
    run(at)
    assert Workspace.open(client).labels().select("mention_id", "sentiment").rows() == [(target, "negative")]
    after = at.session_state[StateKeys.MENTIONS]
    assert after.filter(pl.col("id") == target)["sentiment"].item() == "negative"
    assert after.filter(pl.col("sentiment") == "negative").height == negatives + 1  # every KPI reads this frame
    assert any(t("teachui.correct.by_you", "it") in str(m.value) for m in at.markdown)  # the card says whose label it is
    # The emotion keeps the sentiment given before (one label, both halves).
    at.button(key=f"fix_{target}_0_e_anger").click()
    run(at)
    assert Workspace.open(client).labels().select("sentiment", "emotion").rows() == [("negative", "anger")]


def test_the_queue_labels_advance_and_undo(client: Path) -> None:
    at = open_page("pages/teach.py")
    assert t("teachui.estimate.too_few", "it", target=t("teachui.estimate.sentiment", "it"), n=0) in texts(at)
    shown = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert len(shown) == 1  # one post at a time
    at.button(key="teach_s_positive").click()
    run(at)
    labels = Workspace.open(client).labels()
    assert labels.height == 1 and labels["sentiment"][0] == "positive"
    next_shown = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert next_shown != shown  # the queue moved on
    shown = next_shown
    at.button(key="teach_e_sadness").click()  # an emotion alone keeps the post on screen
    run(at)
    assert [m.value for m in at.markdown if m.value.startswith("### ")] == shown
    at.button(key="teach_s_negative").click()
    run(at)
    assert Workspace.open(client).labels().select("sentiment", "emotion").drop_nulls().height == 1  # one post with both halves
    at.button(key="teach_undo").click()
    run(at)
    assert Workspace.open(client).labels().height == 1
    assert "**1** etichette date finora." in texts(at)


def test_a_name_in_the_vocabulary_neutralises_the_term(client: Path) -> None:
    positives = Workspace.open(client).mentions().filter(pl.col("text").str.contains("Buona Sosta"))["sentiment"]
    assert (positives == "positive").sum() > 0  # "buona" reads as praise before teaching
    at = open_page("pages/teach.py")
    at.text_input(key="teach_vocab_term").input("Buona Sosta")
    at.selectbox(key="teach_vocab_kind").select("name")
    at.button(key="FormSubmitter:teach_vocab_form-" + t("teachui.vocabulary.add", "it")).click()
    run(at)
    assert Workspace.open(client).vocabulary()["term"].to_list() == ["buona sosta"]
    at.button(key="teach_vocab_apply").click()
    run(at)
    after = at.session_state[StateKeys.MENTIONS].filter(pl.col("text").str.contains("Buona Sosta"))
    assert (after["sentiment"] == "positive").sum() == 0
    assert all("buona" not in " ".join(d) for d in after["drivers_pos"].to_list())


def test_suspicious_drivers_list_the_planted_term_and_right_dismisses_it(client: Path) -> None:
    at = open_page("pages/teach.py")
    keys = [b.key for b in at.button if (b.key or "").startswith("teach_drv_ok_")]
    assert "teach_drv_ok_buona" in keys, keys
    at.button(key="teach_drv_ok_buona").click()
    run(at)
    assert "teach_drv_ok_buona" not in [b.key for b in at.button]
    assert Workspace.open(client).get_state("teach.dismissed_drivers") == ["buona"]


def test_what_was_taught_round_trips_through_a_file(client: Path, tmp_path: Path) -> None:
    source = Workspace.open(client)
    source.set_label("m1", sentiment="neutral", emotion="none")
    source.set_term("buona sosta", kind="name")
    source.set_term("raffermo", kind="polarity", polarity=-1.0)
    file = tmp_path / "taught.json"
    export_taught(source, file)
    other = Workspace.create(tmp_path / "other", brand="Altro")
    add_mentions(other, _mentions(), origin="test.csv", kind="upload")
    assert import_taught(other, file) == (1, 2)
    assert other.labels().select("mention_id", "sentiment", "emotion").rows() == [("m1", "neutral", "none")]
    assert other.vocabulary().select("term", "kind", "polarity").rows() == [("buona sosta", "name", 0.0), ("raffermo", "polarity", -1.0)]


def test_the_read_only_demo_offers_no_corrections(tmp_path: Path) -> None:
    at = run(AppTest.from_file(APP, default_timeout=300))
    at.switch_page("pages/posts.py")
    run(at)
    assert not [b.key for b in at.button if (b.key or "").startswith("fix_")]
    assert t("teachui.correct.read_only", "it") in texts(at)
    at.switch_page("pages/teach.py")
    run(at)
    assert t("teachui.read_only", "it") in texts(at)


def test_a_teaching_file_uploaded_on_insegna_is_adopted(client: Path, tmp_path: Path) -> None:
    source = Workspace.create(tmp_path / "consulente", brand="Altro")
    add_mentions(source, _mentions(), origin="test.csv", kind="upload")
    source.set_label("m2", sentiment="negative")
    source.set_term("buona sosta", kind="name")
    file = tmp_path / "taught.json"
    export_taught(source, file)
    at = open_page("pages/teach.py")
    at.file_uploader(key="teach_import").set_value(("taught.json", file.read_bytes(), "application/json"))
    run(at)
    at.button(key="teach_import_go").click()
    run(at)
    assert t("teachui.portable.imported", "it", labels=1, terms=1) in texts(at)
    assert Workspace.open(client).labels()["mention_id"].to_list() == ["m2"]


def test_a_file_that_is_not_a_teaching_file_gets_a_sentence(client: Path) -> None:
    at = open_page("pages/teach.py")
    at.file_uploader(key="teach_import").set_value(("taught.json", b'{"format": "altro"}', "application/json"))
    run(at)
    at.button(key="teach_import_go").click()
    run(at)
    errors = [e.value for e in at.error]
    assert errors and "taught\\.json" in errors[0] and "/tmp" not in errors[0]  # a sentence naming the file, no traceback
    assert Workspace.open(client).labels().is_empty()


def test_downloading_models_offline_says_there_is_no_connection(client: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # never the real hub
    at = open_page("pages/teach.py")
    at.button(key="teach_models").click()
    run(at)
    assert t("teachui.models.offline", "it") in [w.value for w in at.warning]


@pytest.mark.parametrize(
    ("settings", "positive"),
    [
        ({}, True),  # no profile: "buona" in the place's name reads as praise
        ({"brand": "Buona Sosta"}, False),  # the brand's own name is a name by default
        ({"brand": "Bar Sport", "competitors": [{"name": "Buona Sosta"}]}, False),  # so is a competitor's
    ],
)
def test_brand_and_competitor_names_are_names_by_default(tmp_path: Path, settings: dict[str, object], positive: bool) -> None:
    workspace = Workspace.create(tmp_path / "w", settings=settings)
    add_mentions(workspace, _mentions(), origin="test.csv", kind="upload")
    place = workspace.mentions().filter(pl.col("text").str.contains("Buona Sosta"))
    assert ((place["sentiment"] == "positive").sum() > 0) is positive
