"""The shared HTTP client: retries, Retry-After, timeouts, truncated bodies, error classes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ascolto_core.fetch.http import FetchClient, HttpPolicy, Secret, SourceError, parse_retry_after
from fetch_fixtures.server import FixtureServer, Reply, client, closed_port_url, server, sleeps  # noqa: F401

JSON_OK = Reply(body=b'{"ok": true}')


def test_429_waits_retry_after_then_succeeds(server: FixtureServer, client: FetchClient, sleeps: list[float]) -> None:
    server.route("GET", "/x", Reply(status=429, headers=(("Retry-After", "2"),), body=b"{}"), JSON_OK)
    data, _ = client.get_json(server.url("/x"))
    assert data == {"ok": True}
    assert sleeps == [2.0]  # the server's Retry-After, not our backoff


def test_429_with_a_long_retry_after_fails_at_once(server: FixtureServer, client: FetchClient, sleeps: list[float]) -> None:
    server.route("GET", "/x", Reply(status=429, headers=(("Retry-After", "3600"),)))
    with pytest.raises(SourceError) as caught:
        client.get_json(server.url("/x"))
    assert (caught.value.status, caught.value.key, caught.value.params) == (
        "failed",
        "fetch.error.rate_limited_long",
        {"seconds": 3600},
    )
    assert sleeps == [] and len(server.hits("/x")) == 1


def test_429_every_time_gives_up_after_the_retries(server: FixtureServer, client: FetchClient, sleeps: list[float]) -> None:
    server.route("GET", "/x", Reply(status=429))
    with pytest.raises(SourceError) as caught:
        client.get_json(server.url("/x"))
    assert caught.value.key == "fetch.error.rate_limited"
    assert len(server.hits("/x")) == 3  # first attempt + 2 retries
    assert sleeps == [0.01, 0.02]  # exponential backoff when there is no Retry-After


def test_500_then_200_recovers(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", "/x", Reply(status=500, body=b"oops"), JSON_OK)
    assert client.get_json(server.url("/x"))[0] == {"ok": True}


def test_500_every_time_is_a_failure(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", "/x", Reply(status=500, body=b"oops"))
    with pytest.raises(SourceError) as caught:
        client.get_bytes(server.url("/x"))
    assert (caught.value.status, caught.value.key, caught.value.params) == (
        "failed",
        "fetch.error.server_error",
        {"status": 500},
    )


def test_a_slow_server_times_out(server: FixtureServer, sleeps: list[float]) -> None:
    server.route("GET", "/slow", Reply(delay=0.6, body=b"{}"))
    with FetchClient(HttpPolicy(timeout=0.15, retries=1, backoff=0.01), sleep=sleeps.append) as quick:
        with pytest.raises(SourceError) as caught:
            quick.get_json(server.url("/slow"))
    assert caught.value.key == "fetch.error.timeout"
    assert len(server.hits("/slow")) == 2


def test_a_truncated_body_is_reported_as_such(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", "/cut", Reply(file="mastodon_search.json", truncate=True))
    with pytest.raises(SourceError) as caught:
        client.get_json(server.url("/cut"))
    assert caught.value.key == "fetch.error.truncated"


def test_invalid_json_is_malformed(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", "/bad", Reply(file="invalid.json"))
    with pytest.raises(SourceError) as caught:
        client.get_json(server.url("/bad"))
    assert (caught.value.status, caught.value.key) == ("failed", "fetch.error.malformed")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, ("refused", "fetch.error.login_needed")),  # login needed: never retried
        (403, ("refused", "fetch.error.login_needed")),  # forbidden without login
        (404, ("failed", "fetch.error.not_found")),  # wrong instance or feed address
        (400, ("failed", "fetch.error.http_error")),  # any other client error
    ],
)
def test_client_errors_are_classified_without_retrying(
    server: FixtureServer, client: FetchClient, status: int, expected: tuple[str, str]
) -> None:
    server.route("GET", "/x", Reply(status=status, body=b"{}"))
    with pytest.raises(SourceError) as caught:
        client.get_bytes(server.url("/x"))
    assert (caught.value.status, caught.value.key) == expected
    assert caught.value.http_status == status
    assert len(server.hits("/x")) == 1


def test_nobody_listening_is_unreachable(client: FetchClient) -> None:
    with pytest.raises(SourceError) as caught:
        client.get_bytes(closed_port_url() + "/feed")
    assert caught.value.key == "fetch.error.unreachable"


def test_an_oversized_body_is_refused(server: FixtureServer) -> None:
    server.route("GET", "/big", Reply(body=b"x" * 5000))
    with FetchClient(HttpPolicy(max_bytes=1000), sleep=lambda s: None) as small:
        with pytest.raises(SourceError) as caught:
            small.get_bytes(server.url("/big"))
    assert caught.value.key == "fetch.error.too_large"


def test_user_agent_is_sent(server: FixtureServer, client: FetchClient) -> None:
    server.route("GET", "/x", JSON_OK)
    client.get_json(server.url("/x"))
    assert server.hits("/x")[0].headers["user-agent"].startswith("python:ascolto")


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),  # delay-seconds
        ("Wed, 25 Nov 2026 10:00:30 GMT", 30.0),  # HTTP date, 30 s after "now"
        ("soon", None),  # nonsense: fall back to our backoff
        (None, None),  # absent
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    now = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == seconds


def test_secret_never_prints_its_value() -> None:
    secret = Secret("hunter2-app-password")
    assert "hunter2" not in repr(secret) + str(secret) + f"{secret}" + repr([secret])
    assert secret.reveal() == "hunter2-app-password"
