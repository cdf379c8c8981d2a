"""Workspaces: storage, dedup, settings, labels, vocabulary, state, migrations, export/import, staleness."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import polars as pl
import pytest
import yaml
from workspace_data import mentions_frame, write_mentions

from ascolto_core.config import PROJECT_ROOT
from ascolto_core.errors import AscoltoError
from ascolto_core.profile import BrandProfile, Competitor
from ascolto_core.schema import ANALYSIS_SCHEMA, MENTION_SCHEMA
from ascolto_core.workspace import (
    SCHEMA_VERSION,
    Workspace,
    WorkspaceSettings,
    add_file,
    add_mentions,
    refresh_analysis,
    staleness,
)
from ascolto_core.workspace.migrations import MIGRATIONS
from ascolto_core.workspace.portable import export_workspace, import_workspace
from ascolto_core.workspace.store import CATALOGUE_FILE, SEGMENTS_DIR


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.create(tmp_path / "ws", brand="Forno Brio")


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    from ascolto_core.schema import conform

    return conform(frame.with_columns(pl.col("created_at").str.to_datetime(time_zone="UTC")))


# -- creating and opening ----------------------------------------------------------------------


def test_a_new_workspace_is_empty_and_typed(workspace: Workspace) -> None:
    mentions = workspace.mentions()
    assert mentions.height == 0
    assert mentions.schema == pl.Schema({**MENTION_SCHEMA, **ANALYSIS_SCHEMA})
    assert workspace.settings().profile == BrandProfile("Forno Brio")
    assert workspace.schema_version == SCHEMA_VERSION
    assert workspace.info().to_dict() | {"path": None, "first": None} == {
        "mentions": 0,
        "brand": "Forno Brio",
        "schema_version": SCHEMA_VERSION,
        "loads": 0,
        "segments": 0,
        "labels": 0,
        "terms": 0,
        "first": None,
        "last": None,
        "read_only": False,
        "data_version": 0,
        "path": None,
    }


@pytest.mark.parametrize(
    ("prepare", "key"),
    [
        # A folder holding someone's files is never taken over.
        (lambda p: (p.mkdir(), (p / "tesi.docx").write_text("x")), "workspace.not_empty"),
        # A workspace is opened, not created twice.
        (lambda p: Workspace.create(p, brand="X"), "workspace.exists"),
        # A plain file where the folder should be.
        (lambda p: p.write_text("x"), "workspace.not_empty"),
    ],
)
def test_create_refuses_a_folder_that_holds_something(tmp_path: Path, prepare: object, key: str) -> None:
    target = tmp_path / "ws"
    prepare(target)  # type: ignore[operator]
    with pytest.raises(AscoltoError) as error:
        Workspace.create(target, brand="Forno Brio")
    assert error.value.key == key


def test_open_refuses_what_is_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(AscoltoError) as error:
        Workspace.open(tmp_path)
    assert error.value.key == "workspace.not_found"
    assert str(tmp_path) in str(error.value)


def test_data_survives_reopening(workspace: Workspace, tmp_path: Path) -> None:
    add_file(workspace, write_mentions(tmp_path / "a.csv", 30))
    again = Workspace.open(workspace.path)
    assert again.count() == 30
    assert sorted(again.mentions()["id"].to_list()) == sorted(f"p{i}" for i in range(30))
    assert again.mentions()["sentiment"].null_count() == 0


# -- deduplication -----------------------------------------------------------------------------


def test_loading_the_same_export_twice_adds_nothing(workspace: Workspace, tmp_path: Path) -> None:
    file = write_mentions(tmp_path / "a.csv", 40)
    first = add_file(workspace, file)
    second = add_file(workspace, file)
    assert (first.new, first.duplicates.total) == (40, 0)
    assert (second.new, second.duplicates.by_id, second.analysed) == (0, 40, 0)
    assert workspace.count() == 40
    assert workspace.history().filter(pl.col("kind") == "upload")["duplicates"].to_list() == [0, 40]


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        # Same id, everything else different: the source's own id decides.
        ({"text": "testo diverso", "url": "https://x.example/other", "author": "altro"}, "by_id"),
        # Another id, same post link (scheme, www, tracking and trailing slash do not matter).
        (
            {"id": "new-1", "url": "http://www.SOCIAL.example/p/0/?utm_source=tg", "text": "altro testo"},
            "by_url",
        ),
        # Another id and no link, same words by the same author the same (Italian) day; case and spaces do not matter.
        (
            {
                "id": "new-2",
                "url": None,
                "text": "IL CORNETTO  ottimo numero 0 p",
                "author": "@P-USER0",
                "created_at": "2026-01-10 21:59:00",
            },
            "by_text",
        ),
    ],
)
def test_duplicates_are_caught_by_id_url_and_text(
    workspace: Workspace, change: dict[str, object], rule: str
) -> None:
    add_mentions(workspace, _canonical(mentions_frame(1)), origin="first")
    again = mentions_frame(1).with_columns(pl.lit(v).alias(k) for k, v in change.items())
    report = add_mentions(workspace, _canonical(again), origin="second")
    assert report.new == 0
    assert getattr(report.duplicates, rule) == 1
    assert workspace.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        # Same text and author on another day is a new post.
        {"id": "n1", "url": None, "created_at": "2026-01-11 10:00:00"},
        # Same text and day by another author is a new post.
        {"id": "n2", "url": None, "author": "qualcun altro"},
        # Without an author, two identical short texts cannot be told apart: both kept.
        {"id": "n3", "url": None, "author": None},
        # A different path on the same site is a different post (paths keep their case).
        {"id": "n4", "url": "https://social.example/P/0", "text": "altro"},
    ],
)
def test_near_duplicates_are_kept(workspace: Workspace, change: dict[str, object]) -> None:
    base = mentions_frame(1)
    if change.get("author", "x") is None:
        base = base.with_columns(pl.lit(None, dtype=pl.String).alias("author"))
    add_mentions(workspace, _canonical(base), origin="first")
    again = base.with_columns(pl.lit(v).alias(k) for k, v in change.items())
    assert add_mentions(workspace, _canonical(again), origin="second").new == 1
    assert workspace.count() == 2


def test_duplicates_inside_one_batch_are_counted(workspace: Workspace) -> None:
    frame = mentions_frame(3)
    # The same post three times under three ids (say, from three exports merged into one file).
    repeated = frame.with_columns(
        pl.Series("id", ["a", "b", "c"]), pl.Series("url", [frame["url"][0]] * 3), pl.Series("text", [frame["text"][0]] * 3)
    )
    report = add_mentions(workspace, _canonical(repeated), origin="batch")
    assert (report.new, report.duplicates.by_url) == (1, 2)


def test_comments_sharing_their_threads_link_are_all_kept(workspace: Workspace) -> None:
    # Comment exports give every comment the post's link; a reply may carry it too.
    frame = mentions_frame(3)
    thread = frame.with_columns(pl.Series("id", ["a", "b", "c"]), pl.Series("url", [frame["url"][0]] * 3))
    assert add_mentions(workspace, _canonical(thread), origin="batch").new == 3
    reply = frame.head(1).with_columns(pl.lit("r").alias("id"), pl.lit("Grazie, risolto!").alias("text"), pl.lit("a").alias("reply_to"))
    assert add_mentions(workspace, _canonical(reply), origin="reply").new == 1


def test_only_new_mentions_are_analysed(workspace: Workspace, tmp_path: Path) -> None:
    add_file(workspace, write_mentions(tmp_path / "a.csv", 20))
    report = add_file(workspace, write_mentions(tmp_path / "b.csv", 30))  # p0..p29: 20 known
    assert (report.new, report.analysed, report.duplicates.by_id) == (10, 10, 20)


# -- settings ----------------------------------------------------------------------------------


def test_the_listening_example_is_valid_settings() -> None:
    data = yaml.safe_load((PROJECT_ROOT / "config" / "listening.example.yaml").read_text(encoding="utf-8"))
    settings = WorkspaceSettings.from_dict(
        {**data, "notify": ["json://localhost:9/hook"], "alerts": {"spike": {"min": 3}}}
    )
    assert settings.brand == "Forno Brio"
    assert settings.listening_query().hashtags == ("fornobrio",)
    assert WorkspaceSettings.from_dict(settings.to_dict()) == settings


def test_settings_round_trip_through_the_workspace(tmp_path: Path) -> None:
    data = {
        "brand": "Forno Brio",
        "aliases": ["fornobrio"],
        "competitors": [{"name": "Dolce Sosta", "aliases": ["dolcesosta"]}],
        "own_accounts": ["@fornobrio"],
        "office_hours": {
            "days": ["mon", "tue"],
            "open": "08:00",
            "close": "13:00",
            "closed_dates": ["2026-08-14"],
        },
        "notify": ["tgram://bot/chat"],
        "display_timezone": "Europe/Rome",
        "app_url": "https://ascolto.example.it",
    }
    workspace = Workspace.create(tmp_path / "ws", settings=data)
    settings = workspace.settings()
    assert settings.profile.competitors == (Competitor("Dolce Sosta", ("dolcesosta",)),)
    assert settings.office_hours["open"] == "08:00"
    assert settings.notify == ("tgram://bot/chat",)
    assert Workspace.open(workspace.path).settings() == settings


@pytest.mark.parametrize(
    ("data", "key", "named"),
    [
        # A typo is an error naming it, never a silently ignored setting.
        ({"brnad": "X"}, "workspace.settings_unknown", "brnad"),
        # Office hours are checked like config/insights.yaml.
        ({"office_hours": {"open": "25:99"}}, "insights.bad_office_hours", "25:99"),
        # A listening source with an unknown field.
        (
            {"sources": {"rss": [{"url": "https://x.example/feed", "colour": "red"}]}},
            "fetch.query.invalid",
            "colour",
        ),
        # Notification targets are Apprise URLs.
        ({"notify": ["mario@example.it"]}, "workspace.settings_invalid", "notify"),
        # Time zones are IANA names.
        ({"display_timezone": "Roma"}, "workspace.settings_invalid", "display_timezone"),
        # Alert rules are a mapping of rules.
        ({"alerts": ["spike"]}, "workspace.settings_invalid", "alerts"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(data: dict[str, object], key: str, named: str) -> None:
    with pytest.raises(AscoltoError) as error:
        WorkspaceSettings.from_dict(data)
    assert error.value.key == key
    assert named in error.value.message("en")


# -- labels, vocabulary, state, history --------------------------------------------------------


def test_labels_are_stored_replaced_and_removed(workspace: Workspace) -> None:
    add_mentions(workspace, _canonical(mentions_frame(3)), origin="x")
    workspace.set_label("p0", sentiment="negative")
    workspace.set_label("p1", emotion="joy", by="anna")
    workspace.set_label("p0", sentiment="positive", emotion="joy")
    labels = workspace.labels()
    assert labels.select("mention_id", "sentiment", "emotion", "labelled_by").sort("mention_id").rows() == [
        ("p0", "positive", "joy", None),
        ("p1", None, "joy", "anna"),
    ]
    assert labels["labelled_at"].dtype == pl.Datetime("us", "UTC")
    assert workspace.remove_label("p1") is True
    assert workspace.remove_label("p1") is False
    assert workspace.labels()["mention_id"].to_list() == ["p0"]


@pytest.mark.parametrize(
    ("args", "key"),
    [
        # Neither sentiment nor emotion.
        ({"mention_id": "p0"}, "workspace.label_empty"),
        # Not a sentiment of the schema.
        ({"mention_id": "p0", "sentiment": "angry"}, "workspace.label_invalid"),
        # A mention that is not in the workspace.
        ({"mention_id": "nope", "sentiment": "negative"}, "workspace.unknown_mention"),
    ],
)
def test_bad_labels_are_refused(workspace: Workspace, args: dict[str, str], key: str) -> None:
    add_mentions(workspace, _canonical(mentions_frame(1)), origin="x")
    with pytest.raises(AscoltoError) as error:
        workspace.set_label(**args)
    assert error.value.key == key


def test_vocabulary_terms(workspace: Workspace) -> None:
    assert workspace.set_term("  Dolce   Sosta ", "name") == "dolce sosta"
    workspace.set_term("buonissimo", "polarity", polarity=0.9)
    workspace.set_term("paura", "emotion", emotion="fear", polarity=-0.4)
    assert workspace.vocabulary().select("term", "kind", "polarity", "emotion").rows() == [
        ("buonissimo", "polarity", 0.9, None),
        ("dolce sosta", "name", 0.0, None),
        ("paura", "emotion", -0.4, "fear"),
    ]
    assert workspace.remove_term("DOLCE SOSTA") is True
    assert workspace.vocabulary()["term"].to_list() == ["buonissimo", "paura"]
    with pytest.raises(AscoltoError):
        workspace.set_term("x", "polarity", polarity=3)


def test_state_holds_json_values(workspace: Workspace) -> None:
    assert workspace.get_state("cursor:mastodon") is None
    workspace.set_state("cursor:mastodon", {"since_id": "1234", "seen": [1, 2]})
    assert workspace.get_state("cursor:mastodon") == {"since_id": "1234", "seen": [1, 2]}
    assert workspace.update_state("alerts_sent", lambda old: (old or 0) + 1) == 1
    assert workspace.update_state("alerts_sent", lambda old: (old or 0) + 1) == 2
    assert workspace.state_keys("cursor:") == ["cursor:mastodon"]
    workspace.set_state("cursor:mastodon", None)
    assert workspace.get_state("cursor:mastodon") is None
    with pytest.raises(TypeError):
        workspace.set_state("bad", object())


def test_events_go_into_the_history(workspace: Workspace) -> None:
    entry = workspace.record_event("source_failed", "mastodon:mastodon.uno", error="timeout")
    last = workspace.history().row(-1, named=True)
    assert (last["id"], last["kind"], last["origin"], json.loads(last["details"])) == (
        entry,
        "source_failed",
        "mastodon:mastodon.uno",
        {"error": "timeout"},
    )


# -- read-only, staleness, refresh -------------------------------------------------------------


def test_a_read_only_workspace_refuses_every_write(workspace: Workspace) -> None:
    workspace.mark_read_only()
    for write in (
        lambda: workspace.set_state("a", 1),
        lambda: workspace.set_term("a"),
        lambda: add_mentions(workspace, _canonical(mentions_frame(1)), origin="x"),
        lambda: workspace.set_settings({"brand": "Y"}),
    ):
        with pytest.raises(AscoltoError) as error:
            write()
        assert error.value.key == "workspace.read_only"


def test_teaching_makes_analyses_stale_until_refreshed(workspace: Workspace) -> None:
    add_mentions(workspace, _canonical(mentions_frame(12)), origin="x")
    assert staleness(workspace).stale == 0
    workspace.set_term("cornetto", "name")
    stale = staleness(workspace)
    assert (stale.stale, stale.by_teaching, stale.by_engine) == (12, 12, 0)
    before = workspace.data_version()
    assert refresh_analysis(workspace) == 12
    assert staleness(workspace).stale == 0
    assert workspace.count() == 12
    assert workspace.data_version() > before
    assert len(list((workspace.path / SEGMENTS_DIR).glob("*.parquet"))) == 1  # the old segment is gone


def test_another_engine_version_is_stale(workspace: Workspace) -> None:
    add_mentions(workspace, _canonical(mentions_frame(5)), origin="x")
    path = workspace.path / SEGMENTS_DIR / workspace.segment_files()[0]
    pl.read_parquet(path).with_columns(pl.lit("0.9").alias("analysis_version")).write_parquet(path)
    stale = staleness(workspace)
    assert (stale.stale, stale.by_engine) == (5, 5)
    assert any("0.9" in engine for engine in stale.engines)


# -- crash leftovers and migrations ------------------------------------------------------------


def test_unlisted_segments_are_garbage_removed_on_open(workspace: Workspace) -> None:
    add_mentions(workspace, _canonical(mentions_frame(2)), origin="x")
    folder = workspace.path / SEGMENTS_DIR
    mentions_frame(5).write_parquet(folder / "seg-orphan.parquet")  # renamed, but the commit never happened
    (folder / ".tmp-seg-half.parquet").write_bytes(b"PAR1 half written")
    reopened = Workspace.open(workspace.path)
    assert sorted(p.name for p in folder.iterdir()) == reopened.segment_files()
    assert reopened.count() == reopened.mentions().height == 2


def _create_version(path: Path, version: int) -> Workspace:
    """A workspace as version ``version`` of Ascolto created it (migrations 1..version)."""
    workspace = Workspace(path)
    (path / SEGMENTS_DIR).mkdir(parents=True)
    workspace._initialise(WorkspaceSettings.from_dict({"brand": "Forno Brio"}), upto=version)
    return workspace


def test_a_first_version_workspace_is_migrated_with_its_data(tmp_path: Path) -> None:
    old = _create_version(tmp_path / "v1", 1)
    with sqlite3.connect(old.catalogue_path) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "labels" not in tables and "state" not in tables  # really the first layout
    add_mentions(old, _canonical(mentions_frame(7)), origin="old upload")
    migrated = Workspace.open(old.path)
    assert migrated.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    assert migrated.count() == 7
    assert migrated.history()["kind"].to_list() == ["create", "fetch", "migrate"]
    migrated.set_label("p3", sentiment="negative")
    migrated.set_state("k", [1])
    assert (migrated.labels().height, migrated.get_state("k")) == (1, [1])


def test_a_workspace_from_a_newer_version_is_refused(workspace: Workspace) -> None:
    with sqlite3.connect(workspace.catalogue_path) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(AscoltoError) as error:
        Workspace.open(workspace.path)
    assert error.value.key == "workspace.too_new"
    assert "Update Ascolto" in error.value.message("en")


# -- export and import -------------------------------------------------------------------------


def test_export_then_import_gives_the_same_workspace(workspace: Workspace, tmp_path: Path) -> None:
    add_file(workspace, write_mentions(tmp_path / "a.csv", 25))
    add_file(workspace, write_mentions(tmp_path / "b.csv", 10, "q"))
    workspace.set_label("p1", sentiment="negative")
    workspace.set_term("cornetto", "name")
    workspace.set_state("cursor", {"a": 1})
    file = export_workspace(workspace, tmp_path / "out" / "forno.ascolto")
    copy = import_workspace(file, tmp_path / "copy")
    assert copy.mentions(internal=True).equals(workspace.mentions(internal=True))
    assert copy.settings() == workspace.settings()
    assert copy.labels().equals(workspace.labels())
    assert copy.vocabulary().equals(workspace.vocabulary())
    assert copy.history().equals(workspace.history())
    assert copy.get_state("cursor") == {"a": 1}
    assert copy.info().to_dict() | {"path": None} == workspace.info().to_dict() | {"path": None}


def test_an_exported_old_version_is_migrated_on_import(tmp_path: Path) -> None:
    old = _create_version(tmp_path / "v1", 1)
    add_mentions(old, _canonical(mentions_frame(3)), origin="x")
    copy = import_workspace(export_workspace(Workspace(old.path), tmp_path / "v1.ascolto"), tmp_path / "copy")
    assert (copy.schema_version, copy.count()) == (SCHEMA_VERSION, 3)


def _rewrite_manifest(file: Path, change: dict[str, object]) -> None:
    with zipfile.ZipFile(file) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["ascolto-workspace.json"]) | change
    members["ascolto-workspace.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(file, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)


@pytest.mark.parametrize(
    ("damage", "key"),
    [
        # A file from a newer Ascolto: refused before anything is written.
        (lambda f: _rewrite_manifest(f, {"schema_version": SCHEMA_VERSION + 1}), "workspace.file_too_new"),
        # Some other ZIP archive.
        (lambda f: f.write_bytes(b"PK\x05\x06" + b"\0" * 18), "workspace.not_a_workspace_file"),
        # Not even a ZIP.
        (lambda f: f.write_text("id,text\n1,ciao\n"), "workspace.not_a_workspace_file"),
        # A manifest that lists a file outside the workspace (path traversal).
        (
            lambda f: _rewrite_manifest(f, {"files": {CATALOGUE_FILE: "x", "../evil": "y"}}),
            "workspace.not_a_workspace_file",
        ),
        # A file whose content does not match the manifest.
        (lambda f: _rewrite_manifest(f, {"files": {CATALOGUE_FILE: "0" * 64}}), "workspace.file_damaged"),
    ],
)
def test_import_refuses_bad_files_and_leaves_nothing(
    workspace: Workspace, tmp_path: Path, damage: object, key: str
) -> None:
    file = export_workspace(workspace, tmp_path / "x.ascolto")
    damage(file)  # type: ignore[operator]
    target = tmp_path / "copy"
    with pytest.raises(AscoltoError) as error:
        import_workspace(file, target)
    assert error.value.key == key
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".copy")] == []


def test_the_demo_workspace_is_read_only_and_built_once(tmp_path: Path) -> None:
    from ascolto_core.datasets import load_demo
    from ascolto_core.workspace.demo import demo_workspace

    small = tmp_path / "demo.csv"
    pl.read_csv(
        PROJECT_ROOT / "ascolto_core" / "datasets" / "demo" / "mentions.csv", infer_schema=False
    ).head(60).write_csv(small)
    demo = demo_workspace(tmp_path / "demos", source=small)
    assert demo.read_only and demo.count() == load_demo(small).height == 60
    assert demo.settings().brand == "Forno Brio"
    again = demo_workspace(tmp_path / "demos", source=small)
    assert again.path == demo.path and again.data_version() == demo.data_version()
    with pytest.raises(AscoltoError):
        again.set_label(demo.mentions()["id"][0], sentiment="negative")


def test_many_small_batches_are_merged_without_losing_a_mention(workspace: Workspace) -> None:
    from ascolto_core.workspace.store import COMPACT_MAX_SMALL

    for batch in range(COMPACT_MAX_SMALL + 2):
        add_mentions(workspace, _canonical(mentions_frame(3, f"b{batch}-")), origin=f"round {batch}")
    assert len(workspace.segment_files()) < COMPACT_MAX_SMALL
    mentions = workspace.mentions(internal=True)
    assert mentions.height == workspace.count() == 3 * (COMPACT_MAX_SMALL + 2)
    assert mentions["id"].n_unique() == mentions.height
    assert mentions["load_id"].n_unique() == COMPACT_MAX_SMALL + 2  # each mention still knows its load
    assert sorted(p.name for p in (workspace.path / SEGMENTS_DIR).iterdir()) == sorted(
        workspace.segment_files()
    )


@pytest.mark.parametrize(
    "frame",
    [
        # A fetched batch with only id and text (no author, link or date): stored, nothing invented.
        pl.DataFrame({"id": ["f1", "f2"], "text": ["Buonissimo il pane", "Servizio lento"]}),
        # An empty batch: nothing stored, but the round is in the history.
        pl.DataFrame({"id": [], "text": []}, schema={"id": pl.String, "text": pl.String}),
    ],
)
def test_minimal_and_empty_batches(workspace: Workspace, frame: pl.DataFrame) -> None:
    report = add_mentions(workspace, frame, origin="mastodon:mastodon.uno", kind="fetch")
    assert report.new == workspace.count() == frame.height
    assert workspace.history().row(-1, named=True)["origin"] == "mastodon:mastodon.uno"
    assert workspace.mentions()["author"].null_count() == frame.height


def test_a_huge_text_is_stored_whole(workspace: Workspace) -> None:
    text = "Il pane è buono. " * 6000  # about 100,000 characters
    add_mentions(workspace, pl.DataFrame({"id": ["long"], "text": [text]}), origin="x")
    assert workspace.mentions()["text"][0] == text


def test_a_reader_that_listed_a_segment_just_replaced_reads_again(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_mentions(workspace, _canonical(mentions_frame(4)), origin="x")
    outdated = workspace.segment_files()
    workspace.set_term("cornetto", "name")
    refresh_analysis(workspace)  # replaces the segment and deletes the old file
    answers = iter([outdated])
    real = Workspace.segment_files
    monkeypatch.setattr(Workspace, "segment_files", lambda self: next(answers, None) or real(self))
    assert workspace.mentions().height == 4


def test_rename_and_delete(workspace: Workspace, tmp_path: Path) -> None:
    from ascolto_core.workspace import delete_workspace, list_workspaces, rename_workspace

    add_mentions(workspace, _canonical(mentions_frame(2)), origin="x")
    renamed = rename_workspace(workspace.path, "Cliente Rossi")
    assert Workspace.open(renamed).count() == 2
    assert list_workspaces(tmp_path) == [renamed]
    for bad in ("", "../fuori", ".nascosto"):
        with pytest.raises(AscoltoError):
            rename_workspace(renamed, bad)
    (renamed / "appunti.txt").write_text("mine")  # a person's own file in the folder
    delete_workspace(renamed)
    assert list_workspaces(tmp_path) == []
    assert [p.name for p in renamed.iterdir()] == ["appunti.txt"]


def test_the_data_is_plain_parquet_and_sqlite(workspace: Workspace, tmp_path: Path) -> None:
    import pyarrow.dataset as ds

    add_file(workspace, write_mentions(tmp_path / "a.csv", 12))
    add_mentions(workspace, pl.DataFrame({"id": ["z"], "text": ["Ottimo"], "colonna_mia": [7]}), origin="y")
    (workspace.path / SEGMENTS_DIR / ".tmp-seg-in-progress.parquet").write_bytes(
        b"half"
    )  # ignored by readers
    table = ds.dataset(workspace.path / SEGMENTS_DIR, format="parquet").to_table(columns=["id", "sentiment"])
    assert table.num_rows == 13
    with sqlite3.connect(workspace.catalogue_path) as con:
        loads = con.execute(
            "SELECT origin, new FROM history WHERE kind IN ('upload', 'fetch') ORDER BY id"
        ).fetchall()
    assert loads == [("a.csv", 12), ("y", 1)]


def test_an_id_reused_for_another_text_is_reported(workspace: Workspace) -> None:
    first = pl.DataFrame({"id": ["1", "2"], "text": ["Ottimo pane", "Cassiera gentile"]})
    add_mentions(workspace, first, origin="foglio-maggio.xlsx")
    # Another spreadsheet numbering its rows: same ids, other posts; one really is the same post.
    second = pl.DataFrame({"id": ["1", "2"], "text": ["Caffè freddo", "cassiera  GENTILE"]})
    report = add_mentions(workspace, second, origin="foglio-giugno.xlsx")
    assert (report.new, report.duplicates.by_id, report.id_conflicts) == (0, 2, 1)
    assert any("different text" in line for line in report.lines("en"))
    assert json.loads(workspace.history().row(-1, named=True)["details"])["id_conflicts"] == 1


def test_labels_and_terms_in_bulk(workspace: Workspace) -> None:
    add_mentions(workspace, _canonical(mentions_frame(3)), origin="x")
    labels = pl.DataFrame(
        {
            "mention_id": ["p0", "p2", "altrove-9"],
            "sentiment": ["negative", None, "positive"],
            "emotion": [None, "fear", None],
        }
    )
    assert workspace.set_labels(labels, by="import") == 2  # the mention of another workspace is skipped
    assert workspace.labels().select("mention_id", "sentiment", "emotion", "labelled_by").sort(
        "mention_id"
    ).rows() == [
        ("p0", "negative", None, "import"),
        ("p2", None, "fear", "import"),
    ]
    terms = pl.DataFrame(
        {"term": ["Dolce Sosta", "squisito"], "kind": ["name", "polarity"], "polarity": [None, 0.8]}
    )
    assert workspace.set_terms(terms) == 2
    assert workspace.vocabulary().select("term", "kind", "polarity").rows() == [
        ("dolce sosta", "name", 0.0),
        ("squisito", "polarity", 0.8),
    ]
    with pytest.raises(AscoltoError):  # one bad row: nothing stored
        workspace.set_terms(pl.DataFrame({"term": ["ok", ""], "kind": ["name", "name"]}))
    assert workspace.vocabulary().height == 2


def test_an_upload_takes_the_persons_column_choice(workspace: Workspace) -> None:
    upload = b"Commento;Nota interna\nPane ottimo;da girare al forno\nServizio lento;urgente\n"
    # The person says the text is in "Nota interna" (the app's mapping dialog).
    report = add_file(workspace, upload, filename="sondaggio.csv", mapping={"text": "Nota interna"})
    assert (report.new, report.origin) == (2, "sondaggio.csv")
    assert sorted(workspace.mentions()["text"].to_list()) == ["da girare al forno", "urgente"]


def test_a_date_only_export_matches_the_same_post_with_its_time(workspace: Workspace, tmp_path: Path) -> None:
    # The same review in two exports: one with the time, one with the day only (local midnight = 22:00 UTC the day before).
    (tmp_path / "a.csv").write_text(
        "testo,autore,data\nCornetto ottimo,Anna,2026-05-10 09:15\n", encoding="utf-8"
    )
    (tmp_path / "b.csv").write_text("testo,autore,data\nCornetto ottimo,Anna,2026-05-10\n", encoding="utf-8")
    add_file(workspace, tmp_path / "a.csv")
    report = add_file(workspace, tmp_path / "b.csv")
    assert (report.new, report.duplicates.by_text) == (0, 1)


def test_two_handles_on_one_folder_are_equal(workspace: Workspace) -> None:
    import pickle

    same = Workspace.open(workspace.path / ".." / workspace.path.name)
    assert same == workspace and hash(same) == hash(workspace)
    assert pickle.loads(pickle.dumps(workspace)) == workspace  # what Streamlit's cache hashes
    assert Workspace.open(workspace.path, read_only=True) != workspace


def test_a_damaged_catalogue_gives_a_message_not_a_traceback(workspace: Workspace) -> None:
    workspace.catalogue_path.write_bytes(b"this is not a database, it was overwritten by mistake" * 100)
    for leftover in workspace.path.glob(f"{CATALOGUE_FILE}-*"):
        leftover.unlink()
    with pytest.raises(AscoltoError) as error:
        Workspace.open(workspace.path)
    assert error.value.key == "workspace.damaged"


def test_office_hours_come_from_the_workspace_or_the_project_default() -> None:
    from ascolto_core.insights.hours import OfficeHours

    own = WorkspaceSettings.from_dict({"office_hours": {"days": ["sat", "sun"], "open": "10:00", "close": "14:00"}})
    assert own.office_hours_record().default.days != OfficeHours.from_config().default.days
    assert WorkspaceSettings().office_hours_record() == OfficeHours.from_config()
