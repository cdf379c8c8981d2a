"""Demo: a local feed scripts three calm weeks, then an evening spike; a local receiver gets the alert.

    python -m ascolto_core.listening.demo            (or: make listen-demo)

Everything runs on 127.0.0.1 in a temporary folder: a feed server for the fictional bakery
"Forno Brio", a JSON webhook receiver (the Apprise target ``json://127.0.0.1:PORT/hook``),
and a fresh workspace. Three rounds: calm (no alert), spike (one notification arrives),
same spike again (nothing: each alert is sent once). The tests use the same script.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

CALM_NEGATIVE = "Al Forno Brio oggi attesa lunga e pane un po' bruciato, peccato."
CALM_POSITIVE = ("Forno Brio: ottimo pane, buonissimo, grazie!", "Forno Brio sempre gentili, brioche perfette.")
SPIKE_NEGATIVES = (
    "Pessimo servizio al Forno Brio, pane bruciato e personale scortese.",
    "Forno Brio oggi: cornetti freddi e attesa infinita, che delusione.",
    "Mai più al Forno Brio, pessima esperienza e prezzi assurdi.",
    "Forno Brio: pizza bruciata e cassiera scortese, vergognoso.",
    "Delusione totale al Forno Brio, pane vecchio e servizio pessimo.",
    "Forno Brio, ordine sbagliato e nessuna scusa. Pessimo.",
    "Al Forno Brio trattati malissimo oggi, terribile.",
)


@dataclass(frozen=True)
class Post:
    """One scripted post of the demo feed."""

    id: str
    text: str
    created_at: datetime
    author: str


def scripted_posts(now: datetime, *, days: int = 21, spike: bool = False) -> list[Post]:
    """Calm history of ``days`` days before ``now``; with ``spike`` also 7 complaints in the last 14 minutes.

    Each calm day has one negative 30 minutes before that day's same clock time and two
    positives two hours before it, so "today so far" and "the last hours" both have a
    baseline of one negative.
    """
    posts: list[Post] = []
    for day in range(days, 0, -1):
        moment = now - timedelta(days=day)
        posts.append(Post(f"calm-{day}-neg", CALM_NEGATIVE, moment - timedelta(minutes=30), f"cliente{day}"))
        for i, text in enumerate(CALM_POSITIVE):
            posts.append(Post(f"calm-{day}-pos{i}", text, moment - timedelta(hours=2, minutes=i), f"fan{day}{i}"))
    if spike:
        for i, text in enumerate(SPIKE_NEGATIVES):
            posts.append(Post(f"spike-{i}", text, now - timedelta(minutes=2 * i + 1), f"deluso{i}"))
    return posts


def rss_feed(posts: list[Post], base: str) -> bytes:
    """An RSS 2.0 document with ``posts`` (newest first), links under ``base``."""
    items = []
    for post in sorted(posts, key=lambda p: p.created_at, reverse=True):
        items.append(
            "<item>"
            f"<title>{escape(post.text)}</title>"
            f"<link>{escape(base)}/p/{escape(post.id)}</link>"
            f"<guid isPermaLink=\"false\">{escape(post.id)}</guid>"
            f"<author>{escape(post.author)}</author>"
            f"<pubDate>{format_datetime(post.created_at.astimezone(UTC), usegmt=True)}</pubDate>"
            "</item>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Recensioni Bologna</title><link>{escape(base)}/</link><language>it</language>"
        + "".join(items)
        + "</channel></rss>"
    )
    return body.encode("utf-8")


class DemoServer:
    """A feed at ``/feed.xml`` (whatever :attr:`posts` holds now) and a receiver recording POSTs to ``/hook``."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.received: list[dict[str, Any]] = []
        self.fail_feed = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path != "/feed.xml" or server.fail_feed:
                    self.send_error(503 if server.fail_feed else 404)
                    return
                payload = rss_feed(server.posts, server.base)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    server.received.append(json.loads(body))
                except ValueError:
                    server.received.append({"raw": body.decode("utf-8", "replace")})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def hook(self) -> str:
        """The Apprise JSON target of the receiver."""
        return self.base.replace("http://", "json://") + "/hook"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def demo_settings(server: DemoServer, *, app_url: str | None = "http://localhost:8501") -> dict[str, Any]:
    """Workspace settings: the demo feed as the only source, the receiver as the only target."""
    return {
        "brand": "Forno Brio",
        "brand_terms": ["Forno Brio"],
        "sources": {"rss": [{"url": server.base + "/feed.xml", "name": "Recensioni Bologna"}]},
        "limits": {"retries": 0, "timeout_seconds": 5, "deadline_seconds": 20},
        "notify": [server.hook],
        "app_url": app_url,
        "alerts": {"jitter_seconds": 0},
    }


def evening(tz: str = "Europe/Rome") -> datetime:
    """Now, or 21:00 today when it is too early in the day for a "today so far" demo."""
    now = datetime.now(ZoneInfo(tz))
    return now if now.hour >= 2 else now.replace(hour=21, minute=0, second=0, microsecond=0)


def main() -> int:
    from ascolto_core.listening.round import run_round
    from ascolto_core.workspace import Workspace

    server = DemoServer()
    try:
        with tempfile.TemporaryDirectory(prefix="ascolto-listen-demo-") as folder:
            workspace = Workspace.create(Path(folder) / "forno-brio", settings=demo_settings(server))
            now = evening()
            steps = (("1) tre settimane tranquille", False), ("2) in poche ore arrivano sette lamentele", True), ("3) giro successivo, stesso picco", True))
            for label, spike in steps:
                server.posts = scripted_posts(now, spike=spike)
                before = len(server.received)
                print(f"\n== {label} ==")
                report = run_round(workspace, now=now)
                for line in report.lines("it"):
                    print(line)
                arrived = server.received[before:]
                print(f"   notifiche arrivate al ricevitore: {len(arrived)}")
                for message in arrived:
                    print("   ---")
                    print("   " + str(message.get("title", "")))
                    for line in str(message.get("message", "")).splitlines():
                        print("   " + line)
                now += timedelta(minutes=1)
            ok = len(server.received) == 1
            print("\nDemo riuscita: un allarme, una sola volta." if ok else "\nDemo NON riuscita.")
            return 0 if ok else 1
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
