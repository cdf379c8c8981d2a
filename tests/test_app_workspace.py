"""The app on workspaces: data kept across restarts and shared between tabs of one workspace, never across two.

Every test has its own workspaces folder (``ASCOLTO_WORKSPACES``, see conftest) and
analysis cache; the engine is the offline one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_harness import APP, PAGES, texts
from ascolto_core.i18n import t
from ascolto_core.workspace import Workspace, default_workspaces_dir, is_workspace
from ui.components import escape_markdown, literal_t
from ui.state import StateKeys
from ui.workspaces import version_key

pytestmark = pytest.mark.timeout(600)

CSV = (
    "testo;data;canale;autore\n"
    "Servizio lento e caffè freddo;14/09/2026 10:00;Instagram;anna\n"
    "Cornetto ottimo, personale gentile;15/09/2026 11:00;Facebook;bruno\n"
    "Ordine sbagliato, pessimo;15/09/2026 21:00;Email;carla\n"
).encode()
OTHER_CSV = "testo;data;canale\nSegreto di Bruno: pane raffermo;16/09/2026 09:00;Facebook\n".encode()


def captions(at: AppTest) -> list[str]:
    return [str(c.value) for c in at.sidebar.caption]


def count_caption(n: int) -> str:
    return f"**{n:,}** menzioni su {n:,}".replace(",", ".")


def open_app(workspace: Path | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> AppTest:
    """A new session (a new tab, or the app after a restart), on ``workspace`` via ``ASCOLTO_WORKSPACE``."""
    if workspace is not None and monkeypatch is not None:
        monkeypatch.setenv("ASCOLTO_WORKSPACE", str(workspace))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key=StateKeys.UPLOAD).set_value((name, content, "text/csv")).run()
    at.button(key="analyse_upload").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def client(tmp_path: Path) -> Path:
    return Workspace.create(tmp_path / "cliente", brand="Forno Brio").path


def test_an_upload_is_stored_and_a_restarted_app_still_has_it(client: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(client, monkeypatch)
    assert literal_t("wsui.sidebar.workspace", "it", name="cliente") in captions(at), "the sidebar says which workspace is open"
    assert count_caption(0) in captions(at)
    upload(at, "mie.csv", CSV)
    assert count_caption(3) in captions(at)
    report = texts(at)
    assert "3 menzioni nuove aggiunte su 3 arrivate" in report, "the load report says what the workspace kept"
    # A restart: a new session, nothing in memory, same workspace.
    again = open_app(client, monkeypatch)
    assert count_caption(3) in captions(again)
    assert Workspace.open(client).count() == 3
    # The same file twice adds nothing, and the report counts the duplicates.
    upload(again, "mie.csv", CSV)
    assert count_caption(3) in captions(again)
    assert escape_markdown("Già presenti (non aggiunte): 3") in texts(again)


def test_two_tabs_on_one_workspace_see_each_others_new_data_after_a_rerun(client: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = open_app(client, monkeypatch), open_app(client, monkeypatch)
    upload(first, "mie.csv", CSV)
    assert count_caption(0) in captions(second), "no rerun yet"
    second.run()
    assert count_caption(3) in captions(second)
    # And back: the second tab's search results reach the first.
    upload(second, "altro.csv", OTHER_CSV)
    first.switch_page("pages/posts.py").run()
    assert count_caption(4) in captions(first)
    assert "Segreto di Bruno" in texts(first)


def test_two_workspaces_never_see_each_others_data(tmp_path: Path) -> None:
    anna_ws = Workspace.create(tmp_path / "anna", brand="Bar Anna").path
    bruno_ws = Workspace.create(tmp_path / "bruno", brand="Bar Bruno").path
    anna, bruno = AppTest.from_file(APP, default_timeout=300), AppTest.from_file(APP, default_timeout=300)
    anna.session_state[StateKeys.WORKSPACE] = str(anna_ws)
    bruno.session_state[StateKeys.WORKSPACE] = str(bruno_ws)
    anna.run()
    bruno.run()
    upload(anna, "mie.csv", CSV)
    upload(bruno, "altro.csv", OTHER_CSV)
    anna.run()
    bruno.run()
    anna_texts = anna.session_state[StateKeys.MENTIONS]["text"].to_list()
    bruno_texts = bruno.session_state[StateKeys.MENTIONS]["text"].to_list()
    assert len(anna_texts) == 3 and len(bruno_texts) == 1
    assert not any("Bruno" in text for text in anna_texts)
    assert not any("caffè" in text for text in bruno_texts)
    assert anna.session_state[StateKeys.DATASET_KEY] != bruno.session_state[StateKeys.DATASET_KEY]


def test_every_page_works_on_a_workspace_empty_then_filled(client: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(client, monkeypatch)
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
    at.switch_page("pages/data.py").run()
    upload(at, "mie.csv", CSV)
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert count_caption(3) in captions(at), page


def test_the_demo_is_a_read_only_workspace_that_offers_a_copy() -> None:
    at = open_app()
    assert t("wsui.sidebar.demo", "it") in captions(at)
    assert StateKeys.UPLOAD not in [u.key for u in at.file_uploader], "no uploader on the read-only demo"
    assert t("wsui.read_only_add", "it") in texts(at)
    n = at.session_state[StateKeys.MENTIONS].height
    at.text_input(key="ws_offer_name_upload").set_value("mia-demo")
    at.button(key="ws_offer_copy_upload").click().run()
    assert not at.exception, [e.value for e in at.exception]
    copy = default_workspaces_dir() / "mia-demo"
    assert is_workspace(copy) and not Workspace.open(copy).read_only
    assert literal_t("wsui.sidebar.workspace", "it", name="mia-demo") in captions(at)
    assert count_caption(n) in captions(at)
    assert at.file_uploader(key=StateKeys.UPLOAD) is not None, "the copy takes uploads"


def test_the_last_used_workspace_opens_at_start(client: Path) -> None:
    at = open_app()  # the demo, then the person opens their workspace from the picker
    target = default_workspaces_dir() / "mio"
    Workspace.create(target, brand="Bar Sport")
    at.run()
    at.selectbox(key="ws_pick").set_value(str(target))
    at.button(key="ws_open").click().run()
    assert literal_t("wsui.sidebar.workspace", "it", name="mio") in captions(at)
    later = open_app()
    assert literal_t("wsui.sidebar.workspace", "it", name="mio") in captions(later)


@pytest.mark.parametrize(
    ("name", "created"),
    [
        ("forno-brio", True),  # a plain name: created in the workspaces folder and opened
        ("![x](pixel.png) **Bar**", True),  # Markdown in a name is allowed and shown literally, never rendered
        ("../fuori", False),  # a path trick: refused with a sentence, nothing created
        ("", False),  # no name at all
    ],
)
def test_create_a_workspace_from_the_picker(name: str, created: bool) -> None:
    at = open_app()
    at.text_input(key="ws_new_name").set_value(name)
    at.text_input(key="ws_new_brand").set_value("Forno Brio")
    at.button(key="ws_create").click().run()
    assert not at.exception, [e.value for e in at.exception]
    if created:
        assert Workspace.open(default_workspaces_dir() / name).settings().brand == "Forno Brio"
        assert literal_t("wsui.sidebar.workspace", "it", name=name) in captions(at)
        assert not any("![x](pixel.png)" in text for text in [*captions(at), *(m.value for m in at.markdown)])
    else:
        assert at.error and "non è un nome valido" in at.error[0].value
        assert t("wsui.sidebar.demo", "it") in captions(at)
        assert not (default_workspaces_dir().parent / "fuori").exists()


def test_rename_then_delete_with_confirmation(monkeypatch: pytest.MonkeyPatch) -> None:
    base = default_workspaces_dir()
    Workspace.create(base / "vecchio", brand="Bar")
    Workspace.create(base / "occupato", brand="Bar")
    at = open_app(base / "vecchio", monkeypatch)
    # A taken name is refused.
    at.text_input(key="ws_rename_to").set_value("occupato")
    at.button(key="ws_rename").click().run()
    assert at.error and is_workspace(base / "vecchio")
    at.text_input(key="ws_rename_to").set_value("nuovo")
    at.button(key="ws_rename").click().run()
    assert not at.exception and is_workspace(base / "nuovo") and not (base / "vecchio").exists()
    assert literal_t("wsui.sidebar.workspace", "it", name="nuovo") in captions(at)
    # Delete asks first; "Annulla" keeps it.
    at.button(key="ws_delete").click().run()
    assert any("Non si può annullare" in w.value for w in at.warning)
    at.button(key="ws_delete_no").click().run()
    assert is_workspace(base / "nuovo")
    at.button(key="ws_delete").click().run()
    at.button(key="ws_delete_yes").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not (base / "nuovo").exists()
    assert t("wsui.sidebar.demo", "it") in captions(at), "the demo opens after a deletion"


def test_another_tab_deleting_the_workspace_gives_a_sentence_not_a_traceback(client: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(client, monkeypatch)
    from ascolto_core.workspace import delete_workspace

    delete_workspace(client)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("non è uno spazio di lavoro" in w.value for w in at.warning)
    assert t("wsui.sidebar.demo", "it") in captions(at)


def test_export_then_import_gives_the_same_mentions(client: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(client, monkeypatch)
    upload(at, "mie.csv", CSV)
    at.button(key="ws_export").click().run()
    name, payload = at.session_state[StateKeys.WS_EXPORT][1:]
    assert name == "cliente.ascolto" and payload[:2] == b"PK"
    # Not a workspace file: a sentence naming the problem, nothing created.
    at.file_uploader(key="ws_import_file").set_value(("foto.ascolto", b"not a zip", "application/zip")).run()
    at.button(key="ws_import").click().run()
    assert at.error and "non è un file di spazio di lavoro" in at.error[0].value
    assert "/tmp" not in at.error[0].value and "ascolto-import" not in at.error[0].value, "no temporary path in the message"
    at.file_uploader(key="ws_import_file").set_value(("cliente.ascolto", payload, "application/zip")).run()
    at.text_input(key="ws_import_name").set_value("copia-cliente")
    at.button(key="ws_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    copy = Workspace.open(default_workspaces_dir() / "copia-cliente")
    original = Workspace.open(client)
    assert copy.mentions().sort("id").equals(original.mentions().sort("id"))
    assert literal_t("wsui.sidebar.workspace", "it", name="copia-cliente") in captions(at)


def test_results_of_an_older_analysis_are_flagged_and_refreshed(client: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(client, monkeypatch)
    upload(at, "mie.csv", CSV)
    assert not any("motore o" in str(w.value) for w in at.sidebar.warning)
    Workspace.open(client).set_term("cornetto", "polarity", polarity=0.9)  # teaching changed: 3 results are old
    at.run()
    warning = t("wsui.stale.sidebar", "it", stale=3, total=3)
    assert warning in [w.value for w in at.sidebar.warning]
    at.button(key="ws_refresh").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert warning not in [w.value for w in at.sidebar.warning]
    assert t("wsui.stale.done", "it", n=3) in texts(at)


def test_ascolto_data_naming_a_workspace_folder_opens_it(client: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASCOLTO_DATA", str(client))
    at = open_app()
    assert literal_t("wsui.sidebar.workspace", "it", name="cliente") in captions(at)


def test_startup_prefers_the_workspace_variable(client: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.shell import startup_data_path

    monkeypatch.setenv("ASCOLTO_DATA", "/tmp/x.csv")
    monkeypatch.setenv("ASCOLTO_WORKSPACE", str(client))
    assert startup_data_path() == client
    # A bare name is looked up in the workspaces folder.
    Workspace.create(default_workspaces_dir() / "forno", brand="Forno")
    monkeypatch.setenv("ASCOLTO_WORKSPACE", "forno")
    assert startup_data_path() == default_workspaces_dir() / "forno"


def test_make_run_passes_the_workspace() -> None:
    import subprocess

    dry = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed-requirements", "run", "WORKSPACE=/tmp/clienti/forno brio"],
        cwd=Path(APP).parent, capture_output=True, text=True, check=True,
    ).stdout
    assert 'ASCOLTO_WORKSPACE="/tmp/clienti/forno brio"' in dry


def test_the_cache_key_changes_with_new_data_and_with_a_recreated_workspace(tmp_path: Path) -> None:
    from workspace_data import write_mentions

    from ascolto_core.workspace import add_file, delete_workspace

    path = tmp_path / "ws"
    workspace = Workspace.create(path, brand="X")
    empty = version_key(workspace)
    add_file(workspace, write_mentions(tmp_path / "a.csv", 3, "a"))
    first = version_key(workspace)
    assert first != empty
    delete_workspace(path)
    again = Workspace.create(path, brand="X")
    add_file(again, write_mentions(tmp_path / "b.csv", 3, "b"))
    # Same path, same data version (1): still another key, so no stale cache entry is served.
    assert version_key(again) != first


def test_every_page_works_on_the_demo_workspace() -> None:
    at = open_app()
    n = at.session_state[StateKeys.MENTIONS].height
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        total = f"menzioni su {n:,}".replace(",", ".")  # own posts are counted apart: the total is every mention
        assert any(c.endswith(total) for c in captions(at)), page
        assert t("wsui.sidebar.demo", "it") in captions(at), page


def test_a_folder_that_is_no_workspace_at_start_gets_a_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "appunti.txt").write_text("non un workspace", encoding="utf-8")
    at = open_app(tmp_path, monkeypatch)
    assert any("non è un file di dati né uno spazio di lavoro" in w.value for w in at.warning)


def test_the_demo_workspace_holds_every_demo_mention_replies_included() -> None:
    # The brand's replies (linked to the post they answer) are not duplicates of the post.
    from ascolto_core.datasets import load_demo
    from ascolto_core.workspace.demo import demo_workspace

    assert demo_workspace().count() == load_demo().height
