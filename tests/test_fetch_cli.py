"""``python -m ascolto_core fetch --config FILE -o OUTPUT`` end to end (127.0.0.1 only)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import yaml

from ascolto_core.cli import main
from ascolto_core.config import PROJECT_ROOT
from ascolto_core.fetch.cli import read_mentions
from fetch_fixtures.server import FixtureServer, Reply, closed_port_url, server  # noqa: F401


def write_query(path: Path, sources: dict) -> Path:
    data = {
        "brand": "Forno Brio",
        "brand_terms": ["Forno Brio"],
        "hashtags": ["fornobrio"],
        "sources": sources,
        "limits": {"timeout_seconds": 2, "retries": 0},
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_fetch_twice_into_the_same_file(server: FixtureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str) -> None:
    server.route("GET", "/api/v1/timelines/tag/fornobrio", Reply(file="mastodon_tag_page1.json"))
    server.route("GET", "/feed", Reply(file="google_alerts.xml", content_type="application/atom+xml"))
    config = write_query(tmp_path / "q.yaml", {"rss": {"url": server.url("/feed")}, "mastodon": {"instance": server.base}})
    out = tmp_path / f"mentions{suffix}"
    assert main(["--lang", "en", "fetch", "--config", str(config), "-o", str(out)]) == 0
    first = capsys.readouterr().out
    assert "4 new mentions added from 2 sources" in first and f"Wrote 4 mentions to {out}" in first
    saved = read_mentions(out)
    assert saved.height == 4
    assert saved.filter(pl.col("id") == "mastodon:127.0.0.1:113500000000000003")["created_at"].to_list() == [
        datetime(2026, 11, 20, 8, 15, 30, tzinfo=UTC)
    ]
    assert main(["--lang", "en", "fetch", "--config", str(config), "-o", str(out)]) == 0
    second = capsys.readouterr().out
    assert "0 new mentions added" in second and second.count("nothing new") == 2
    assert read_mentions(out).equals(saved)


def test_unreachable_sources_fail_cleanly_without_traceback(tmp_path: Path) -> None:
    dead = closed_port_url()
    config = write_query(
        tmp_path / "q.yaml",
        {
            "rss": {"url": dead + "/feed"},
            "mastodon": {"instance": dead},
            "bluesky": {"public_url": dead + "/xrpc", "base_url": dead + "/xrpc", "password_env": "NO_SUCH_ENV_9"},
            "reddit": {"rss_url": dead, "auth_url": dead, "api_url": dead, "client_id_env": "NO_SUCH_ENV_8"},
        },
    )
    out = tmp_path / "out.csv"
    done = subprocess.run(
        [sys.executable, "-m", "ascolto_core", "fetch", "--config", str(config), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.count("NON RIUSCITO: servizio non raggiungibile") == 4  # one clear line per source
    assert out.exists()  # an empty but valid file: nothing fetched, nothing lost


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config", "missing.yaml", "-o", "out.csv"], "File della ricerca non trovato"),  # no such file
        (["--config", "{example}", "-o", "out.xlsx"], "Formato di uscita non supportato"),  # unsupported output
    ],
)
def test_user_errors_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    example = str(PROJECT_ROOT / "config" / "listening.example.yaml")
    argv = ["fetch", *(a.replace("{example}", example) if a.startswith("{") else str(tmp_path / a) if a.endswith((".yaml", ".csv", ".xlsx")) else a for a in args)]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_an_unreadable_existing_output_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.parquet"
    out.write_bytes(b"not parquet")
    config = write_query(tmp_path / "q.yaml", {})
    assert main(["fetch", "--config", str(config), "-o", str(out)]) == 2
    assert "Non riesco a leggere le menzioni esistenti" in capsys.readouterr().err
