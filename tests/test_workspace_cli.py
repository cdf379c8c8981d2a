"""``python -m ascolto_core workspace ...``: the exact command forms and output lines automated checks use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from workspace_data import write_mentions

from ascolto_core.cli import main
from ascolto_core.config import PROJECT_ROOT
from ascolto_core.workspace import SCHEMA_VERSION, Workspace


def _run(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "ASCOLTO_ENGINE": "embedded"}
    return subprocess.run(
        [sys.executable, "-m", "ascolto_core", *args],
        check=False,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_create_add_info_export_import_in_real_processes(tmp_path: Path) -> None:
    target = tmp_path / "forno"
    created = _run("workspace", "create", str(target), "--brand", "Forno Brio")
    assert created.returncode == 0, created.stderr
    first = write_mentions(tmp_path / "a.csv", 40)
    second = write_mentions(tmp_path / "b.csv", 30, start=20)  # 20 of them already in a.csv
    added = _run("workspace", "add", str(target), str(first), str(second))
    assert added.returncode == 0, added.stderr
    assert "40 menzioni nuove aggiunte su 40 arrivate" in added.stdout
    assert "10 menzioni nuove aggiunte su 30 arrivate" in added.stdout
    assert "per id 20" in added.stdout

    info = _run("workspace", "info", str(target))
    assert info.returncode == 0, info.stderr
    last = json.loads(info.stdout.strip().splitlines()[-1])
    assert {k: last[k] for k in ("mentions", "brand", "schema_version", "loads")} == {
        "mentions": 50,
        "brand": "Forno Brio",
        "schema_version": SCHEMA_VERSION,
        "loads": 2,
    }
    assert len(info.stdout.strip().splitlines()) > 1  # a human summary comes first

    exported = _run("workspace", "export", str(target), "-o", str(tmp_path / "forno.ascolto"))
    assert exported.returncode == 0, exported.stderr
    imported = _run("workspace", "import", str(tmp_path / "forno.ascolto"), str(tmp_path / "copy"))
    assert imported.returncode == 0, imported.stderr
    copy_info = json.loads(_run("workspace", "info", str(tmp_path / "copy")).stdout.strip().splitlines()[-1])
    assert copy_info | {"path": None} == last | {"path": None}


def test_adding_the_same_file_twice_adds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_mentions(tmp_path / "a.csv", 15)
    assert main(["workspace", "create", str(tmp_path / "ws"), "--brand", "Forno Brio"]) == 0
    assert main(["workspace", "add", str(tmp_path / "ws"), str(file)]) == 0
    assert main(["--lang", "en", "workspace", "add", str(tmp_path / "ws"), str(file)]) == 0
    out = capsys.readouterr().out
    assert "Workspace: 0 new mentions added out of 15 received." in out
    assert "Already there (not added): 15 — by id 15, by link 0, by text+author+day 0." in out
    assert Workspace.open(tmp_path / "ws").count() == 15


def test_create_takes_a_settings_file(tmp_path: Path) -> None:
    settings = yaml.safe_load(
        (PROJECT_ROOT / "config" / "listening.example.yaml").read_text(encoding="utf-8")
    )
    settings |= {"notify": ["ntfy://ascolto-test"], "office_hours": {"open": "08:00", "close": "20:00"}}
    file = tmp_path / "settings.yaml"
    file.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    assert (
        main(["workspace", "create", str(tmp_path / "ws"), "--brand", "Brio Due", "--settings", str(file)])
        == 0
    )
    stored = Workspace.open(tmp_path / "ws").settings()
    assert stored.brand == "Brio Due"  # --brand wins over the file's brand
    assert stored.notify == ("ntfy://ascolto-test",)
    assert stored.listening["hashtags"] == ["fornobrio"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # A folder with other files is never turned into a workspace.
        (["workspace", "create", "{full}", "--brand", "X"], "contiene già altri file"),
        # Adding to something that is not a workspace.
        (["workspace", "add", "{full}", "{file}"], "non è uno spazio di lavoro"),
        # A settings file with a typo.
        (["workspace", "create", "{empty}", "--brand", "X", "--settings", "{bad_settings}"], "brnad"),
        # Importing a file that is not an exported workspace.
        (["workspace", "import", "{file}", "{empty}"], "non è un file di spazio di lavoro"),
        # A file that cannot be loaded.
        (["workspace", "add", "{ws}", "{missing}"], "missing.csv"),
        # No brand on the command line and none in settings.
        (["workspace", "create", "{empty}"], "--brand"),
    ],
)
def test_user_errors_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    bad = tmp_path / "bad.yaml"
    bad.write_text("brnad: X\n")
    Workspace.create(tmp_path / "ws", brand="X")
    names = {
        "full": full,
        "file": write_mentions(tmp_path / "a.csv", 3),
        "empty": tmp_path / "empty",
        "bad_settings": bad,
        "ws": tmp_path / "ws",
        "missing": tmp_path / "missing.csv",
    }
    assert main([a.format(**{k: str(v) for k, v in names.items()}) for a in args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert (full / "notes.txt").read_text() == "mine"


def test_a_bare_name_lives_in_the_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASCOLTO_WORKSPACES", str(tmp_path / "all"))
    monkeypatch.chdir(tmp_path)
    assert main(["workspace", "create", "cliente-rossi", "--brand", "Rossi"]) == 0
    assert Workspace.open(tmp_path / "all" / "cliente-rossi").settings().brand == "Rossi"
    assert main(["workspace", "add", "cliente-rossi", str(write_mentions(tmp_path / "a.csv", 4))]) == 0
    assert Workspace.open(tmp_path / "all" / "cliente-rossi").count() == 4
