"""One HTTP client for every connector: timeouts, bounded retries, ``Retry-After``, error classes.

Connectors never call :mod:`httpx` directly: they use :class:`FetchClient`, which

* puts a timeout on every request and a size cap on every body;
* retries timeouts, dropped connections, truncated bodies, 5xx and 429 a bounded
  number of times with exponential backoff, honouring ``Retry-After`` on 429/503
  (capped, and through an injectable ``sleep`` so tests do not wait);
* turns every failure into a :class:`SourceError` carrying a status
  (``"refused"`` for 401/403, ``"failed"`` for the rest) and an i18n key, so the
  fetch report can tell "login needed" from "server down" from "a quiet day".

Credentials travel only in headers or POST bodies (never URLs), are wrapped in
:class:`Secret`, whose ``repr``/``str`` never show the value, and are bound to one origin
by a :class:`Credential`: the client refuses to send them anywhere else, whether the
other address comes from a pagination link, a cursor URL or a redirect (checked on every
hop). Each source also has a total deadline (:meth:`FetchClient.deadline`), because
httpx timeouts are per read and a server trickling one byte at a time never trips them.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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


# Headers that carry a credential: only a Credential may set them (see FetchClient.request).
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})

# Request extension naming the origin a request's credential belongs to (kept across redirects).
_ORIGIN_EXTENSION = "ascolto_credential_origin"


def origin_of(url: str | httpx.URL) -> str:
    """``scheme://host:port`` of a URL, default ports made explicit (RFC 6454 origin)."""
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    port = parsed.port or {"http": 80, "https": 443}.get(parsed.scheme, 0)
    return f"{parsed.scheme}://{parsed.host}:{port}"


@dataclass(frozen=True)
class Credential:
    """A credential bound to the one origin it was configured for.

    Attributes:
        origin: from :func:`origin_of`; the client sends the request only there.
        headers: header name -> secret value (``Authorization: Bearer ...``); may be empty
            when the secret travels in the request body (a login form).
    """

    origin: str
    headers: tuple[tuple[str, Secret], ...] = ()

    @classmethod
    def bearer(cls, url: str, token: Secret | str, *, scheme: str = "Bearer") -> Credential:
        """``Authorization: Bearer <token>`` for the origin of ``url``."""
        value = token.reveal() if isinstance(token, Secret) else token
        return cls(origin_of(url), (("Authorization", Secret(f"{scheme} {value}")),))

    @classmethod
    def basic(cls, url: str, user: Secret | str, password: Secret | str) -> Credential:
        """HTTP Basic authentication for the origin of ``url``."""
        pair = ":".join(v.reveal() if isinstance(v, Secret) else v for v in (user, password))
        header = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        return cls(origin_of(url), (("Authorization", Secret(header)),))

    @classmethod
    def in_body(cls, url: str) -> Credential:
        """The request body carries a secret (a login): bind the body to the origin of ``url``."""
        return cls(origin_of(url))


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
        deadline: total seconds one source may take (every page, retry and wait included);
            see :meth:`FetchClient.deadline`.
        max_redirects: redirects followed for one request before giving up (loops).
        user_agent: sent on every request (Reddit and Mastodon ask for a descriptive one).
    """

    timeout: float = 15.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 60.0
    max_bytes: int = 20_000_000
    deadline: float = 60.0
    max_redirects: int = 10
    user_agent: str = DEFAULT_USER_AGENT

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"timeout must be > 0, got {self.timeout}")
        if self.retries < 0:
            raise ValueError(f"retries must be >= 0, got {self.retries}")
        if self.deadline <= 0 or self.max_bytes <= 0:
            raise ValueError(f"deadline and max_bytes must be > 0, got {self.deadline}, {self.max_bytes}")


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
        self._ends_at: float | None = None  # monotonic time when the current source's deadline passes
        self._deadline_seconds = self.policy.deadline
        self._max_bytes = self.policy.max_bytes
        # Sockets this client opened (from httpcore's trace), cut when a deadline passes mid-read.
        self._sockets: list[socket.socket] = []
        self._sockets_lock = threading.Lock()
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.policy.timeout),
            headers={"User-Agent": self.policy.user_agent},
            follow_redirects=True,
            max_redirects=self.policy.max_redirects,
            transport=transport,
            event_hooks={"request": [_keep_credential_at_home]},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> FetchClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def deadline(self, seconds: float | None = None, *, max_bytes: int | None = None) -> Iterator[None]:
        """Bound everything done inside the block (one source) to ``seconds`` in total.

        Args:
            seconds: defaults to ``policy.deadline``. Past it, the request in flight fails with
                ``fetch.error.deadline`` (a watchdog cuts its connection even while headers
                trickle in), and so do the next request and any retry wait that would outlive it.
            max_bytes: the largest body inside the block (defaults to ``policy.max_bytes``).
        """
        previous = (self._ends_at, self._deadline_seconds, self._max_bytes)
        self._deadline_seconds = self.policy.deadline if seconds is None else seconds
        self._max_bytes = self.policy.max_bytes if max_bytes is None else max_bytes
        self._ends_at = time.monotonic() + self._deadline_seconds
        try:
            yield
        finally:
            self._ends_at, self._deadline_seconds, self._max_bytes = previous

    def _remaining(self) -> float | None:
        return None if self._ends_at is None else self._ends_at - time.monotonic()

    def _check_deadline(self) -> None:
        remaining = self._remaining()
        if remaining is not None and remaining <= 0:
            raise self._deadline_passed()

    def _deadline_passed(self) -> SourceError:
        return SourceError("failed", "fetch.error.deadline", seconds=_seconds(self._deadline_seconds))

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        credential: Credential | None = None,
    ) -> tuple[httpx.Response, bytes]:
        """Send a request and return the response with its complete body.

        Args:
            credential: the credential to send; the request (and every redirect hop) must
                stay on ``credential.origin``, or it is refused before anything is sent.
            headers: plain headers; credential headers (``Authorization``, ``Cookie``) are
                only accepted through ``credential``, so none can travel unbound.

        Raises:
            SourceError: ``refused`` on 401/403 and when a credential would leave its origin
                (``fetch.error.foreign_origin`` / ``fetch.error.foreign_redirect``); ``failed`` on
                404, other 4xx, 5xx or 429 after the retries, timeouts, the source's deadline,
                redirect loops, unreachable hosts, truncated or oversized bodies.
            ValueError: a credential header passed in ``headers`` (a programming error).
        """
        if headers and any(name.lower() in _CREDENTIAL_HEADERS for name in headers):
            raise ValueError("credential headers must be passed as credential=Credential(...)")
        all_headers = dict(headers or {})
        extensions: dict[str, Any] = {"trace": self._trace}
        if credential is not None:
            target = origin_of(httpx.URL(url))
            if target != credential.origin:
                raise SourceError("refused", "fetch.error.foreign_origin", host=_host(url))
            all_headers.update((name, secret.reveal()) for name, secret in credential.headers)
            extensions[_ORIGIN_EXTENSION] = credential.origin
        last = _Attempt()
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            self._check_deadline()
            wait: float | None = None
            watchdog = self._watchdog()
            try:
                with self._client.stream(
                    method,
                    url,
                    params=params,
                    headers=all_headers,
                    data=data,
                    json=json,
                    extensions=extensions,
                    timeout=self._timeout(),
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
                self._check_deadline()  # the read timeout was cut to what was left of the deadline
                last = _Attempt("fetch.error.timeout", None, {"seconds": _seconds(self.policy.timeout)})
            except httpx.TooManyRedirects:
                raise SourceError("failed", "fetch.error.redirect_loop", count=self.policy.max_redirects) from None
            except httpx.RemoteProtocolError:
                self._check_deadline()  # the watchdog cut the connection
                # The server closed the connection mid-answer: a truncated body.
                last = _Attempt("fetch.error.truncated")
            except httpx.TransportError as error:
                self._check_deadline()
                last = _Attempt("fetch.error.unreachable", None, {"reason": type(error).__name__})
            except httpx.InvalidURL:
                raise SourceError("failed", "fetch.error.bad_url", url=url) from None
            finally:
                if watchdog is not None:
                    watchdog.cancel()
            if attempt + 1 < attempts:
                delay = wait if wait is not None else self.policy.backoff * (2**attempt)
                remaining = self._remaining()
                if remaining is not None and delay >= remaining:
                    # Waiting would outlive the source's deadline: say so now instead.
                    raise self._deadline_passed()
                logger.info("retrying %s %s in %.1fs (%s)", method, _safe_url(url), delay, last.key)
                self._sleep(delay)
        raise SourceError("failed", last.key, http_status=last.http_status, **last.params)

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        # httpcore reports each new connection (and its TLS wrapper): remember its socket.
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._sockets_lock:
                self._sockets = [s for s in self._sockets if s.fileno() != -1] + [sock]

    def _watchdog(self) -> threading.Timer | None:
        """A timer that cuts this client's connections when the deadline passes.

        A server trickling its status line or headers one byte at a time keeps every read
        within its timeout; shutting the socket down wakes the blocked read, and the request
        then fails with ``fetch.error.deadline``.
        """
        remaining = self._remaining()
        if remaining is None:
            return None
        timer = threading.Timer(max(0.0, remaining), self._cut_connections)
        timer.daemon = True
        timer.start()
        return timer

    def _cut_connections(self) -> None:
        with self._sockets_lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                # The plain socket method: SSLSocket.shutdown would also drop its TLS state
                # under the reading thread's feet.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed

    def _timeout(self) -> httpx.Timeout:
        # Never wait for one read longer than what is left of the source's deadline.
        remaining = self._remaining()
        seconds = self.policy.timeout if remaining is None else max(0.01, min(self.policy.timeout, remaining))
        return httpx.Timeout(seconds)

    def _too_large(self) -> SourceError:
        return SourceError("failed", "fetch.error.too_large", megabytes=_megabytes(self._max_bytes))

    def _read_body(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise self._too_large()  # refused before reading a byte of it
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise self._too_large()
            self._check_deadline()  # a trickling body never trips a per-read timeout
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
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise SourceError("failed", "fetch.error.malformed", what="JSON") from None


def _keep_credential_at_home(request: httpx.Request) -> None:
    """httpx request hook (every hop, redirects included): a credentialed request stays on its origin.

    httpx already drops ``Authorization`` on a cross-origin redirect, but a 307/308 resends
    the body (a login's password) and a same-host downgrade to http would expose the rest;
    so any hop away from the credential's origin is refused before it is sent.
    """
    origin = request.extensions.get(_ORIGIN_EXTENSION)
    if origin is not None and origin_of(request.url) != origin:
        raise SourceError("refused", "fetch.error.foreign_redirect", host=request.url.host)


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except httpx.InvalidURL:
        return url


def _seconds(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 1)


def _megabytes(value: int) -> int | float:
    megabytes = float(f"{value / 1_000_000:.3g}")
    return int(megabytes) if megabytes.is_integer() else megabytes


def _safe_url(url: str) -> str:
    # Log only scheme, host and path: query strings may carry search terms of a client.
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}{parsed.path}"
