"""Benchmark: one listening round over 10 local feeds with 500 new mentions each, on a workspace
that already holds 1,000,000 mentions.

Usage::

    .venv/bin/python benchmarks/bench_listen.py [--stored 1000000] [--sources 10] [--per-source 500] [--keep DIR]

The big workspace is written once (already analysed, straight through ``Workspace.append``
in segments of 100,000: building it is not what is measured). Then ``python -m ascolto_core
listen DIR --once`` runs in its own process against feeds served on 127.0.0.1; the wall time
and that process's peak resident memory (``ru_maxrss`` of the child) are printed, next to a
round on an empty workspace with the same feeds (the cost of fetching + analysing alone).
Target (issue 11): under 30 s and 1.5 GB.

Measured once (2026-11-28, shared 2-core machine, load average ~18)::

    round, empty workspace:               5.5 s   peak     304 MB   (5,000 new mentions)
    round, 1,000,000 stored mentions:    9.9 s   peak     304 MB   (5,000 new mentions)   CPU 2.9 s
    ratio big/empty: 1.81x time

(Equal peaks: most likely the analysis of the 5,000 new texts dominates; the dedup index of
the stored million is read and freed around it.) In an earlier, not side-by-side run, one
ingest per source instead of one per round took 46 s for the big workspace.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ascolto_core.schema import conform  # noqa: E402
from ascolto_core.workspace import Workspace, current_stamp  # noqa: E402

WORDS = ["pane", "cornetti", "servizio", "attesa", "prezzi", "torta", "cassiera", "pizza", "brioche", "caffè"]
MOODS = ["ottimo", "buonissimo", "pessimo", "delusione", "gentili", "scortese", "normale", "freddo"]


def stored_mentions(n: int, start: int, now: datetime, rng: np.random.Generator) -> pl.DataFrame:
    ids = np.arange(start, start + n)
    seconds = rng.integers(0, 365 * 86400, n)
    words = np.array(WORDS)[rng.integers(0, len(WORDS), n)]
    moods = np.array(MOODS)[rng.integers(0, len(MOODS), n)]
    frame = pl.DataFrame(
        {
            "id": [f"hist:{i}" for i in ids],
            "text": [f"Forno Brio {m} {w} n.{i}" for i, w, m in zip(ids, words, moods, strict=True)],
            "created_at": [now - timedelta(seconds=int(s)) for s in seconds],
            "source": "rss:storico",
            "touchpoint": "news",
            "likes": rng.integers(0, 30, n),
        }
    )
    sentiments = np.array(["positive", "neutral", "negative"])[rng.choice(3, n, p=[0.5, 0.35, 0.15])]
    return conform(frame).with_columns(
        pl.Series("sentiment", sentiments),
        pl.Series("sentiment_score", rng.uniform(-1, 1, n)),
        pl.lit(0.8).alias("sentiment_confidence"),
        pl.lit("neutral").alias("emotion"),
        pl.lit(0.5).alias("emotion_confidence"),
        pl.lit([], dtype=pl.List(pl.String)).alias("drivers_pos"),
        pl.lit([], dtype=pl.List(pl.String)).alias("drivers_neg"),
        pl.lit(False).alias("is_question"),
        pl.lit("embedded").alias("engine"),
    )


def build_workspace(folder: Path, stored: int, now: datetime) -> None:
    rng = np.random.default_rng(11)
    workspace = Workspace.create(folder, settings={"brand": "Forno Brio"})
    stamp = current_stamp(workspace, "embedded")
    for start in range(0, stored, 100_000):
        batch = stored_mentions(min(100_000, stored - start), start, now, rng)
        workspace.append(batch, stamp=stamp, kind="import", origin="bench")


def feed(source: int, per_source: int, now: datetime, base: str) -> bytes:
    rng = np.random.default_rng(source)
    items = []
    for i in range(per_source):
        when = now - timedelta(minutes=int(rng.integers(0, 600)))
        text = f"Forno Brio {MOODS[int(rng.integers(0, len(MOODS)))]} {WORDS[int(rng.integers(0, len(WORDS)))]}, fonte {source} post {i}"
        items.append(
            f"<item><title>{escape(text)}</title><link>{base}/s{source}/{i}</link><guid>s{source}-{i}</guid>"
            f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate></item>"
        )
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>bench</title>' + "".join(items) + "</channel></rss>").encode()


class Feeds:
    def __init__(self, sources: int, per_source: int, now: datetime) -> None:
        self.bodies: dict[str, bytes] = {}
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                body = bodies.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        host, port = self.httpd.server_address[:2]
        self.base = f"http://{host}:{port}"
        for s in range(sources):
            bodies[f"/feed{s}.xml"] = feed(s, per_source, now, self.base)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def settings(self, sources: int) -> dict:
        return {
            "brand_terms": ["Forno Brio"],
            "sources": {"rss": [{"url": f"{self.base}/feed{s}.xml", "name": f"feed{s}"} for s in range(sources)]},
            "limits": {"max_items": 500, "retries": 0},
            "alerts": {"jitter_seconds": 0},
        }


def timed_round(folder: Path) -> tuple[float, float, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "ASCOLTO_ENGINE": "embedded"}
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([sys.executable, "-m", "ascolto_core", "listen", str(folder), "--once"], env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak memory and CPU
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(err.read())
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, usage.ru_maxrss / 1024, out.read() + f"(process CPU {cpu:.1f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--per-source", type=int, default=500)
    parser.add_argument("--keep", type=Path, default=None, help="build the big workspace here (reused if present)")
    args = parser.parse_args()
    now = datetime.now(UTC)
    feeds = Feeds(args.sources, args.per_source, now)
    with tempfile.TemporaryDirectory(prefix="bench-listen-") as tmp:
        empty = Path(tmp) / "empty"
        Workspace.create(empty, settings={"brand": "Forno Brio", **feeds.settings(args.sources)})
        big = args.keep or Path(tmp) / "big"
        if not (big / "workspace.sqlite3").exists():
            started = time.perf_counter()
            build_workspace(big, args.stored, now)
            print(f"built {args.stored:,} stored mentions in {time.perf_counter() - started:.1f} s (not measured)")
        Workspace.open(big).set_settings({"brand": "Forno Brio", **feeds.settings(args.sources)})
        small_s, small_mb, _ = timed_round(empty)
        big_s, big_mb, out = timed_round(big)
        print(out.strip())
        total = args.sources * args.per_source
        print(f"round, empty workspace:            {small_s:6.1f} s   peak {small_mb:7.0f} MB   ({total:,} new mentions)")
        print(f"round, {args.stored:,} stored mentions: {big_s:6.1f} s   peak {big_mb:7.0f} MB   ({total:,} new mentions)")
        print(f"ratio big/empty: {big_s / small_s:.2f}x time; target < 30 s and < 1536 MB: {'met' if big_s < 30 and big_mb < 1536 else 'NOT met'}")
    feeds.httpd.shutdown()


if __name__ == "__main__":
    main()
