"""Opening the app on a file from the command line, the Dati page's uploader and tabs, the watcher.

``make run DATA=path`` sets ``ASCOLTO_DATA``; the app reads it once at start-up
(``ui.shell.startup_data_path``). A file that cannot be used gives a sentence on
Dati, never a traceback (issue 8, "Done when").
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from app_harness import APP, app_with_data, texts
from ascolto_core.i18n import t
from ui.components import escape_markdown
from ui.state import StateKeys

pytestmark = pytest.mark.timeout(600)

ROOT = Path(APP).parent
CSV = (
    "testo;data;canale\n"
    "Servizio lento e caffè freddo;14/09/2026 10:00;Instagram\n"
    "Cornetto ottimo, personale gentile;15/09/2026 11:00;Facebook\n"
).encode()


def open_app(monkeypatch: pytest.MonkeyPatch, value: str) -> AppTest:
    monkeypatch.setenv("ASCOLTO_DATA", value)
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_app_opens_on_the_file_named_in_ascolto_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "recensioni.csv"
    path.write_bytes(CSV)
    at = open_app(monkeypatch, str(path))
    captions = [c.value for c in at.sidebar.caption]
    assert "Dati: " + escape_markdown("recensioni.csv") in captions
    assert "**2** menzioni su 2" in captions
    assert escape_markdown("recensioni.csv") in texts(at), "the load report of the file is on Dati"


def test_a_parquet_file_opens_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "menzioni.parquet"
    pl.DataFrame({"text": ["Pane buonissimo", "Attesa lunga"], "date": ["2026-09-14", "2026-09-15"]}).write_parquet(path)
    at = open_app(monkeypatch, str(path))
    assert "**2** menzioni su 2" in [c.value for c in at.sidebar.caption]


BAD_FILES = {
    # A path that does not exist (a typo on the command line).
    "missing": (lambda tmp: tmp / "nessuno.csv", "non esiste"),
    # A folder instead of a file.
    "folder": (lambda tmp: tmp, "non è un file"),
    # A binary file that is no table at all.
    "garbage": (lambda tmp: _write(tmp / "rotto.xlsx", b"\x00\x01PK\x03\x04 not a zip"), "non è stato caricato"),
    # Only a header: nothing to analyse.
    "header only": (lambda tmp: _write(tmp / "vuoto.csv", b"testo;data\n"), "non è stato caricato"),
}


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_startup_file_gets_a_clear_message_on_dati(case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    make, words = case
    at = open_app(monkeypatch, str(make(tmp_path)))
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and words in warnings[0].replace("\\", ""), warnings
    assert "Traceback" not in texts(at)
    # The other pages say there is no data and point to Dati, without an exception box.
    at.switch_page("pages/overview.py").run()
    assert not at.exception and at.info[0].value == t("app.common.no_data", "it")


def test_the_startup_variable_is_read_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.shell import startup_data_path

    monkeypatch.delenv("ASCOLTO_DATA", raising=False)
    assert startup_data_path() is None
    monkeypatch.setenv("ASCOLTO_DATA", "  ")
    assert startup_data_path() is None  # blank (make run without DATA) means the demo
    monkeypatch.setenv("ASCOLTO_DATA", "~/x.csv")
    assert startup_data_path() == Path.home() / "x.csv"


def test_make_run_passes_data_and_turns_the_watcher_off() -> None:
    dry = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed-requirements", "run", "DATA=/tmp/mie menzioni.csv"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    assert 'ASCOLTO_DATA="/tmp/mie menzioni.csv"' in dry
    assert "--server.fileWatcherType none" in dry, "the watcher would flood the terminal (Inotify queue overflowed)"
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    # With WATCH=auto (development) the virtual environment and data folders are still never watched.
    assert {".venv", "data"} <= set(config["server"]["folderWatchBlacklist"])


def test_uploader_accepts_parquet_and_says_formats_and_limit_in_italian() -> None:
    at = app_with_data("pages/data.py")
    uploader = at.file_uploader(key=StateKeys.UPLOAD)
    assert {".parquet", ".csv", ".xlsx", ".json"} <= set(uploader.proto.type)
    assert "Formati accettati" in texts(at) and "Parquet" in texts(at) and "200 MB" in texts(at)
    assert uploader.proto.max_upload_size_mb == 200


def test_after_analysing_an_upload_the_user_stays_on_the_upload_tab() -> None:
    upload_tab = t("app.data.tab_upload", "it")
    at = app_with_data("pages/data.py")
    at.session_state[StateKeys.DATA_TAB] = upload_tab  # what a click on the tab does in the browser
    at.run()
    at.file_uploader(key=StateKeys.UPLOAD).set_value(("mie.csv", CSV, "text/csv")).run()
    at.button(key="analyse_upload").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "**2** menzioni su 2" in [c.value for c in at.sidebar.caption]
    assert at.session_state[StateKeys.DATA_TAB] == upload_tab


def test_a_refused_upload_leaves_the_other_tabs_usable() -> None:
    # The upload tab used to st.stop() the page: "Cerca online" then drew nothing.
    at = app_with_data("pages/data.py")
    at.file_uploader(key=StateKeys.UPLOAD).set_value(("rotto.xlsx", b"\x00\x01PK\x03\x04 not a zip", "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1
    assert t("fetch.panel.submit", "it") in [b.label for b in at.button], "the online search is still there"
