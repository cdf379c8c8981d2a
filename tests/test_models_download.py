"""``models download`` against a fake Hugging Face hub on 127.0.0.1 serving the tiny test models.

The fake hub answers the endpoints ``snapshot_download`` calls (repo info, recursive tree,
HEAD/GET ``resolve`` with Range); it can cut the weights transfer halfway once, to check
that the download resumes with a Range request. The command runs in a subprocess so
``HF_ENDPOINT``/``HF_HOME`` (read by huggingface_hub at import) point at the fake hub and a
temporary cache; no test reaches any other address.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tiny_models import PROJECT_CONFIG, build_classifier

ROOT = Path(__file__).resolve().parent.parent
COMMIT = "0123456789abcdef0123456789abcdef01234567"
SENTIMENT_REPO = "ascolto-test/tiny-sentiment"
EMOTION_REPO = "ascolto-test/tiny-emotion"


@dataclass
class FakeHub:
    """Repos (id -> folder), a request log, and files whose first GET is cut halfway."""

    repos: dict[str, Path]
    cut_once: set[str] = field(default_factory=set)
    log: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, range header)

    def files(self, repo: str) -> dict[str, Path]:
        folder = self.repos[repo]
        return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            return

        def _send_json(self, payload: object) -> None:
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _not_found(self) -> None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.send_header("X-Error-Code", "RepoNotFound")
            self.end_headers()

        def _route(self, method: str) -> None:
            path = self.path.split("?", 1)[0]
            hub.log.append((method, path, self.headers.get("Range", "")))
            parts = path.strip("/").split("/")
            if parts[:2] == ["api", "models"] and len(parts) >= 6:
                repo = "/".join(parts[2:4])
                if repo not in hub.repos:
                    return self._not_found()
                files = hub.files(repo)
                if parts[4] == "revision":
                    return self._send_json(
                        {"id": repo, "sha": COMMIT, "siblings": [{"rfilename": name} for name in files]}
                    )
                if parts[4] == "tree":
                    return self._send_json(
                        [
                            {
                                "type": "file",
                                "path": name,
                                "size": file.stat().st_size,
                                "oid": hashlib.sha1(file.read_bytes()).hexdigest(),
                            }
                            for name, file in files.items()
                        ]
                    )
            if len(parts) >= 5 and parts[2] == "resolve":
                repo = "/".join(parts[:2])
                name = "/".join(parts[4:])
                if repo not in hub.repos or name not in hub.files(repo):
                    return self._not_found()
                data = hub.files(repo)[name].read_bytes()
                start = 0
                ranged = self.headers.get("Range", "")
                if ranged.startswith("bytes="):
                    start = int(ranged[6:].split("-")[0])
                self.send_response(206 if start else 200)
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
                self.send_header("Content-Length", str(len(data) - start))
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                if method == "HEAD":
                    return None
                key = f"{repo}/{name}"
                if key in hub.cut_once and not start:
                    hub.cut_once.discard(key)
                    self.wfile.write(data[: len(data) - 65_536])
                    self.wfile.flush()
                    self.close_connection = True  # the client sees a truncated body
                    return None
                self.wfile.write(data[start:])
                return None
            return self._not_found()

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            self._route("GET")

        def do_HEAD(self) -> None:  # noqa: N802 - http.server API
            self._route("HEAD")

    return Handler


@pytest.fixture(scope="module")
def hub_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hub-models")
    sentiment = build_classifier(root / "sentiment", ["negative", "neutral", "positive"])
    _pad_weights(sentiment / "model.safetensors")
    return {
        SENTIMENT_REPO: sentiment,
        EMOTION_REPO: build_classifier(root / "emotion", ["anger", "fear", "joy", "sadness"]),
    }


def _pad_weights(path: Path) -> None:
    """Grow the weights past huggingface_hub's 10 MB download chunk with an unused tensor.

    A transfer can only resume from a chunk already written; a 30 kB file is one chunk.
    """
    import torch
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(path))
    tensors["ascolto_test_padding"] = torch.zeros(3_000_000, dtype=torch.float32)
    save_file(tensors, str(path), metadata={"format": "pt"})


@pytest.fixture
def fake_hub(hub_models: dict[str, Path]) -> Iterator[tuple[FakeHub, str]]:
    hub = FakeHub(dict(hub_models))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hub, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, sentiment: str, emotion: str | None) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(PROJECT_CONFIG, folder)
    settings = yaml.safe_load((PROJECT_CONFIG / "analysis.yaml").read_text(encoding="utf-8"))
    settings["transformers"] = {**settings["transformers"], "sentiment_model": sentiment, "emotion_model": emotion}
    (folder / "analysis.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return folder


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ascolto_core", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _env(tmp_path: Path, endpoint: str, config: Path, *, offline: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "ASCOLTO_"))}
    env.update(
        HF_ENDPOINT=endpoint,
        HF_HOME=str(tmp_path / "hf-home"),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_XET="1",
        ASCOLTO_CONFIG_DIR=str(config),
        ASCOLTO_CACHE_DIR=str(tmp_path / "results"),
        NO_PROXY="127.0.0.1",
        no_proxy="127.0.0.1",
    )
    if offline:
        env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def test_download_resumes_verifies_and_auto_uses_models_offline(
    fake_hub: tuple[FakeHub, str], tmp_path: Path
) -> None:
    hub, endpoint = fake_hub
    config = _config(tmp_path, SENTIMENT_REPO, EMOTION_REPO)
    # The weights of the sentiment model are cut halfway on the first attempt.
    hub.cut_once.add(f"{SENTIMENT_REPO}/model.safetensors")

    done = _run(["models", "download", "--no-progress"], _env(tmp_path, endpoint, config, offline=False))

    assert done.returncode == 0, done.stderr
    assert SENTIMENT_REPO in done.stdout and EMOTION_REPO in done.stdout
    # Resumed: the second GET of the weights asked only for what was missing (a Range).
    weights = f"{SENTIMENT_REPO}/resolve/{COMMIT}/model.safetensors"
    ranges = [r for m, p, r in hub.log if m == "GET" and p.endswith(weights)]
    size = (hub.repos[SENTIMENT_REPO] / "model.safetensors").stat().st_size
    assert len(ranges) == 2 and ranges[0] == "", done.stderr
    assert ranges[1].startswith("bytes=") and 0 < int(ranges[1][6:].split("-")[0]) < size
    cached = next((tmp_path / "hf-home").rglob("model.safetensors"))
    assert cached.read_bytes() in {
        (hub.repos[repo] / "model.safetensors").read_bytes() for repo in hub.repos
    }

    # Offline afterwards: "auto" picks the transformers engine from the cache, no hub request.
    requests_before = len(hub.log)
    sample = tmp_path / "posts.csv"
    sample.write_text("text\nservizio ottimo\npessimo ritardo\n", encoding="utf-8")
    analysed = _run(
        ["analyze", str(sample), "-o", str(tmp_path / "out.csv"), "--engine", "auto", "--no-progress"],
        _env(tmp_path, endpoint, config, offline=True),
    )
    assert analysed.returncode == 0, analysed.stderr
    assert "transformers" in analysed.stdout + analysed.stderr
    assert len(hub.log) == requests_before


def test_second_download_fetches_nothing_again(fake_hub: tuple[FakeHub, str], tmp_path: Path) -> None:
    hub, endpoint = fake_hub
    config = _config(tmp_path, SENTIMENT_REPO, None)
    env = _env(tmp_path, endpoint, config, offline=False)
    assert _run(["models", "download", "--no-progress"], env).returncode == 0
    hub.log.clear()

    again = _run(["models", "download", "--no-progress"], env)

    assert again.returncode == 0, again.stderr
    assert [p for m, p, _ in hub.log if m == "GET" and "/resolve/" in p] == []


@pytest.mark.parametrize(
    ("sentiment", "offline", "expected"),
    [
        # A repo the hub does not have: a clear failure, exit code 1, no traceback.
        ("ascolto-test/missing", False, "ascolto-test/missing"),
        # Offline mode: says so instead of hanging or failing obscurely.
        (SENTIMENT_REPO, True, "offline"),
    ],
)
def test_download_failures_are_explained(
    fake_hub: tuple[FakeHub, str], tmp_path: Path, sentiment: str, offline: bool, expected: str
) -> None:
    _, endpoint = fake_hub
    config = _config(tmp_path, sentiment, None)

    failed = _run(["--lang", "en", "models", "download", "--no-progress"], _env(tmp_path, endpoint, config, offline=offline))

    assert failed.returncode == 1
    assert expected in failed.stderr
    assert "Traceback" not in failed.stderr
