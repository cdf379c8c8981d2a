"""One HTTP client for every connector: timeouts, bounded retries, ``Retry-After``, error classes.

Connectors never call :mod:`httpx` directly: they use :class:`FetchClient`, which

* puts a timeout on every request and a size cap on every body;
* retries timeouts, dropped connections, truncated bodies, 5xx and 429 a bounded
  number of times with exponential backoff, honouring ``Retry-After`` on 429/503
  (capped, and through an injectable ``sleep`` so tests do not wait);
* turns every failure into a :class:`SourceError` carrying a status
  (``"refused"`` for 401/403, ``"failed"`` for the rest) and an i18n key, so the
  fetch report can tell "login needed" from "server down" from "a quiet day".

Credentials travel only in headers or POST bodies (never URLs) and are wrapped in
:class:`Secret`, whose ``repr``/``str`` never show the value.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

logger = logging.getLogger(__name__)

SourceStatus = Literal["ok", "nothing_new", "refused", "failed"]
ErrorStatus = Literal["refused", "failed"]

DEFAULT_USER_AGENT = "python:ascolto:0.1 (brand listening for small businesses)"


class Secret:
    """A credential value that never prints itself (``repr``, ``str``, f-strings, logs)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"expected str, got {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        """The actual value, to be put in a header or POST body only."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


class SourceError(Exception):
    """A source could not be read; ``key``/``params`` render the reason in the user's language.

    Args:
        status: ``"refused"`` (the service said no: login, permissions) or ``"failed"``.
        key: i18n key under ``fetch.*``.
        http_status: the HTTP status when the failure was an HTTP answer.
        params: placeholders for the message; never secrets.
    """

    def __init__(self, status: ErrorStatus, key: str, /, *, http_status: int | None = None, **params: Any) -> None:
        self.status: ErrorStatus = status
        self.key = key
        self.http_status = http_status
        self.params = params
        super().__init__(f"{status}: {key} {params}")


@dataclass(frozen=True)
class HttpPolicy:
    """How patient the client is.

    Attributes:
        timeout: seconds for connect/read/write/pool of one request.
        retries: extra attempts after the first one (timeouts, 5xx, 429, dropped connections).
        backoff: first wait between attempts in seconds; doubles each retry.
        max_retry_after: the longest ``Retry-After`` we accept to wait, in seconds; a longer
            one fails the source at once ("rate limited, try again later").
        max_bytes: largest body accepted.
        user_agent: sent on every request (Reddit and Mastodon ask for a descriptive one).
    """

    timeout: float = 15.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 60.0
    max_bytes: int = 20_000_000
    user_agent: str = DEFAULT_USER_AGENT

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"timeout must be > 0, got {self.timeout}")
        if self.retries < 0:
            raise ValueError(f"retries must be >= 0, got {self.retries}")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class _Attempt:
    """What went wrong on the last attempt (for the final error when retries run out)."""

    key: str = "fetch.error.unreachable"
    http_status: int | None = None
    params: dict[str, Any] = field(default_factory=dict)


class FetchClient:
    """A small wrapper around :class:`httpx.Client` with the project's failure policy.

    Args:
        policy: timeouts, retries and limits.
        sleep: called with seconds to wait between attempts (tests pass a recorder).
        transport: an optional :mod:`httpx` transport (tests may use ``httpx.MockTransport``).
    """

    def __init__(
        self,
        policy: HttpPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.policy = policy or HttpPolicy()
        self._sleep = sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.policy.timeout),
            headers={"User-Agent": self.policy.user_agent},
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> FetchClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        auth: tuple[str, str] | None = None,
    ) -> tuple[httpx.Response, bytes]:
        """Send a request and return the response with its complete body.

        Raises:
            SourceError: ``refused`` on 401/403; ``failed`` on 404, other 4xx, 5xx or 429
                after the retries, timeouts, unreachable hosts, truncated or oversized bodies.
        """
        last = _Attempt()
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            wait: float | None = None
            try:
                with self._client.stream(
                    method, url, params=params, headers=headers, data=data, json=json, auth=auth
                ) as response:
                    status = response.status_code
                    if status in (429, 503) or status >= 500:
                        retry_after = parse_retry_after(response.headers.get("Retry-After"))
                        if status == 429:
                            last = _Attempt("fetch.error.rate_limited", status)
                        else:
                            last = _Attempt("fetch.error.server_error", status, {"status": status})
                        if retry_after is not None and retry_after > self.policy.max_retry_after:
                            raise SourceError(
                                "failed",
                                "fetch.error.rate_limited_long",
                                http_status=status,
                                seconds=int(retry_after),
                            )
                        wait = retry_after
                    elif status in (401, 403):
                        raise SourceError("refused", "fetch.error.login_needed", http_status=status, status=status)
                    elif status in (404, 410):
                        raise SourceError("failed", "fetch.error.not_found", http_status=status, status=status)
                    elif status >= 400:
                        raise SourceError("failed", "fetch.error.http_error", http_status=status, status=status)
                    else:
                        return response, self._read_body(response)
            except httpx.TimeoutException:
                last = _Attempt("fetch.error.timeout", None, {"seconds": self.policy.timeout})
            except httpx.RemoteProtocolError:
                # The server closed the connection mid-answer: a truncated body.
                last = _Attempt("fetch.error.truncated")
            except httpx.TransportError as error:
                last = _Attempt("fetch.error.unreachable", None, {"reason": type(error).__name__})
            except httpx.InvalidURL:
                raise SourceError("failed", "fetch.error.bad_url", url=url) from None
            if attempt + 1 < attempts:
                delay = wait if wait is not None else self.policy.backoff * (2**attempt)
                logger.info("retrying %s %s in %.1fs (%s)", method, _safe_url(url), delay, last.key)
                self._sleep(delay)
        raise SourceError("failed", last.key, http_status=last.http_status, **last.params)

    def _read_body(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.policy.max_bytes:
                raise SourceError("failed", "fetch.error.too_large", megabytes=self.policy.max_bytes // 1_000_000)
            chunks.append(chunk)
        return b"".join(chunks)

    def get_bytes(self, url: str, **kwargs: Any) -> bytes:
        """GET ``url`` and return the body (see :meth:`request` for errors)."""
        return self.request("GET", url, **kwargs)[1]

    def get_json(self, url: str, **kwargs: Any) -> tuple[Any, httpx.Response]:
        """GET ``url`` and decode JSON; a body that is not JSON is ``fetch.error.malformed``."""
        response, body = self.request("GET", url, **kwargs)
        return decode_json(body), response

    def post_json(self, url: str, **kwargs: Any) -> Any:
        """POST and decode a JSON answer (see :meth:`request`)."""
        return decode_json(self.request("POST", url, **kwargs)[1])


def decode_json(body: bytes) -> Any:
    """Decode a JSON body.

    Raises:
        SourceError: ``failed`` / ``fetch.error.malformed`` when the body is not valid JSON.
    """
    import json

    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise SourceError("failed", "fetch.error.malformed", what="JSON") from None


def _safe_url(url: str) -> str:
    # Log only scheme, host and path: query strings may carry search terms of a client.
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}{parsed.path}"
