"""Test isolation: never reach a model hub; never touch the user's cache."""

from __future__ import annotations

import os

# Set before anything imports transformers/huggingface_hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import pytest  # noqa: E402

# Tiny local transformer models and analysis fixtures (owner: analysis pipeline).
pytest_plugins = ["tiny_models"]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test gets its own analysis cache and forces the offline engine unless it opts in.
    monkeypatch.setenv("ASCOLTO_CACHE_DIR", str(tmp_path_factory.mktemp("ascolto-cache")))
    monkeypatch.setenv("ASCOLTO_ENGINE", "embedded")
    monkeypatch.delenv("ASCOLTO_DATA", raising=False)  # the app opens on the demo unless a test names a file
    monkeypatch.delenv("ASCOLTO_WORKSPACE", raising=False)
    # Workspaces (and the app's "last used" note) never go to the person's own data folder.
    monkeypatch.setenv("ASCOLTO_WORKSPACES", str(tmp_path_factory.mktemp("ascolto-workspaces")))
