"""Credentials never show up in reports, reprs, logs, exports or CLI output, on success or failure."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

from ascolto_core.cli import main
from ascolto_core.fetch import ListeningQuery, fetch_mentions
from ascolto_core.fetch.cli import write_mentions
from ascolto_core.fetch.http import FetchClient
from fetch_fixtures.server import FixtureServer, Reply, client, server, sleeps  # noqa: F401

SECRETS = {
    "TEST_BSKY_PASSWORD": "bsky-app-pw-1234-5678",
    "TEST_MASTODON_TOKEN": "mastodon-token-zzz999",
    "TEST_REDDIT_ID": "reddit-client-id-777",
    "TEST_REDDIT_SECRET": "reddit-secret-abc-xyz",
}


def query_data(server: FixtureServer) -> dict:
    return {
        "brand_terms": ["Forno Brio"],
        "hashtags": ["fornobrio"],
        "sources": {
            "mastodon": {"instance": server.base, "token_env": "TEST_MASTODON_TOKEN"},
            "bluesky": {
                "handle": "forno-brio.bsky.social",
                "password_env": "TEST_BSKY_PASSWORD",
                "base_url": server.url("/xrpc"),
                "public_url": server.url("/xrpc"),
            },
            "reddit": {
                "client_id_env": "TEST_REDDIT_ID",
                "client_secret_env": "TEST_REDDIT_SECRET",
                "auth_url": server.base,
                "api_url": server.url("/oauth"),
            },
        },
        "limits": {"retries": 0},
    }


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def assert_no_secret(text: str) -> None:
    for value in SECRETS.values():
        assert value not in text


@pytest.mark.parametrize(
    ("outcome", "statuses"),
    [
        ("success", ["ok", "ok", "ok"]),  # every login works
        ("refused", ["refused", "refused", "refused"]),  # every login refused
        ("half_way", ["failed", "failed", "refused"]),  # logins work, then the services break
    ],
)
def test_secrets_appear_in_no_output(
    server: FixtureServer,
    client: FetchClient,
    credentials: None,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    outcome: str,
    statuses: list[str],
) -> None:
    ok = outcome != "refused"
    server.route("GET", "/api/v1/timelines/tag/fornobrio", Reply(file="mastodon_tag_page1.json") if ok else Reply(status=401))
    server.route("GET", "/api/v2/search", Reply(file="mastodon_search.json") if outcome == "success" else Reply(status=500))
    server.route("POST", "/xrpc/com.atproto.server.createSession", Reply(file="bluesky_session.json") if ok else Reply(status=401, file="bluesky_error_401.json"))
    server.route("GET", "/xrpc/app.bsky.feed.searchPosts", Reply(file="bluesky_search_page2.json") if outcome == "success" else Reply(file="invalid.json"))
    server.route("POST", "/api/v1/access_token", Reply(file="reddit_token.json") if ok else Reply(status=401))
    server.route("GET", "/oauth/search", Reply(file="reddit_listing_page2.json") if outcome == "success" else Reply(status=403))
    caplog.set_level(logging.DEBUG)
    query = ListeningQuery.from_dict(query_data(server))
    result = fetch_mentions(query, client=client)
    assert [s.status for s in result.report.sources] == statuses
    out = tmp_path / "out.csv"
    write_mentions(result.mentions, out)
    config = tmp_path / "q.yaml"
    config.write_text(yaml.safe_dump(query_data(server)), encoding="utf-8")
    main(["fetch", "--config", str(config), "-o", str(tmp_path / "cli.csv")])
    cli_output = capsys.readouterr()
    texts = [
        *result.report.lines("it"),
        *result.report.lines("en"),
        repr(result),
        repr(query),
        repr(result.report),
        out.read_text(encoding="utf-8"),
        (tmp_path / "cli.csv").read_text(encoding="utf-8"),
        cli_output.out,
        cli_output.err,
        caplog.text,
    ]
    assert_no_secret("\n".join(texts))
    # The secrets were really used (the test is not vacuous).
    assert server.hits("/api/v1/access_token")[0].headers["authorization"].startswith("Basic ")
    assert b"bsky-app-pw-1234-5678" in server.hits("/xrpc/com.atproto.server.createSession")[0].body
