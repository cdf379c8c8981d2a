"""The listening process: OS locks, signals, and the schedule of rounds.

Two ``flock`` locks in the workspace folder:

* ``listen.process.lock``: held by a running ``listen DIR`` for its whole life, so a second
  one on the same workspace refuses to start (and the app can tell "running");
* ``listen.round.lock``: held during each round, so a round never overlaps another one,
  even from ``listen DIR --once`` started by cron while the service runs.

SIGINT and SIGTERM set a stop flag: the current source and its write finish, no further
source starts, and the process exits; restarting resumes from the workspace state.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ascolto_core.errors import AscoltoError
from ascolto_core.listening import state
from ascolto_core.listening.config import ListeningRules
from ascolto_core.listening.round import RoundReport, run_round
from ascolto_core.workspace import Workspace

try:  # POSIX
    import fcntl

    def _try_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # Windows: a byte-range lock on the first byte behaves alike for our use
    import msvcrt

    def _try_lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            raise BlockingIOError from None

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]


logger = logging.getLogger(__name__)

PROCESS_LOCK = "listen.process.lock"
ROUND_LOCK = "listen.round.lock"
ROUND_LOCK_WAIT_S = 900.0  # a --once waits this long for a running round to finish
MIN_SLEEP_S = 1.0


@contextlib.contextmanager
def _flock(path: Path, *, wait: float | None, stop: threading.Event | None = None) -> Iterator[int]:
    """Hold an exclusive ``flock`` on ``path``; ``wait=None`` fails at once when another process holds it.

    Raises:
        BlockingIOError: the lock is held elsewhere (after ``wait`` seconds).
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + (wait or 0.0)
        while True:
            try:
                _try_lock(fd)
                break
            except BlockingIOError:
                if wait is None or time.monotonic() >= deadline or (stop is not None and stop.is_set()):
                    raise
                time.sleep(0.1)
        try:
            yield fd
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def is_locked(path: Path) -> bool:
    """Whether another process holds ``flock`` on ``path`` (a missing file is not locked)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        _try_lock(fd)
    except BlockingIOError:
        return True
    except OSError:
        return False
    else:
        _unlock(fd)
        return False
    finally:
        os.close(fd)


@contextlib.contextmanager
def round_lock(workspace: Workspace, *, wait: float | None = ROUND_LOCK_WAIT_S, stop: threading.Event | None = None) -> Iterator[None]:
    """Hold the workspace's round lock.

    Raises:
        AscoltoError: ``listening.round_busy`` when another round kept it for ``wait`` seconds.
    """
    try:
        with _flock(workspace.path / ROUND_LOCK, wait=wait, stop=stop):
            yield
    except BlockingIOError:
        raise AscoltoError("listening.round_busy", path=str(workspace.path)) from None


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGINT/SIGTERM into ``stop.set()`` for the duration (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        logger.info("listening: signal %s, stopping after the current source", signum)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def listen_once(workspace: Workspace, *, stop: threading.Event | None = None, **round_options: Any) -> RoundReport:
    """Exactly one round over every source, under the round lock."""
    with round_lock(workspace, stop=stop):
        return run_round(workspace, stop=stop, **round_options)


def due_sources(workspace: Workspace, now: datetime) -> list[str]:
    """Labels of the sources whose next read is due (never read counts as due)."""
    health = state.sources(workspace)
    labels = [spec.label for spec in workspace.settings().listening_query().sources]
    due = []
    for label in labels:
        when = state.parse(health.get(label, {}).get("next_due"))
        if when is None or when <= now:
            due.append(label)
    return due


def next_wake(workspace: Workspace, now: datetime) -> datetime:
    """The earliest next read among the sources (``now`` + interval when nothing is scheduled)."""
    health = state.sources(workspace)
    rules = ListeningRules.from_settings(workspace.settings().alerts)
    labels = [spec.label for spec in workspace.settings().listening_query().sources]
    times = [state.parse(health.get(label, {}).get("next_due")) for label in labels]
    known = [t for t in times if t is not None]
    if len(known) < len(labels):
        return now
    return min(known) if known else now + timedelta(minutes=rules.every_minutes)


def listen_forever(
    workspace: Workspace,
    *,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] | None = None,
    on_round: Callable[[RoundReport], None] | None = None,
    rng: random.Random | None = None,
    **round_options: Any,
) -> int:
    """Run rounds until ``stop`` is set: each due source is read, then the rules run.

    Returns:
        How many rounds ran.

    Raises:
        AscoltoError: ``listening.already_running`` when another process listens to this workspace.
    """
    stop = stop or threading.Event()
    clock = clock or (lambda: datetime.now(UTC))
    rng = rng or random.Random()
    rounds = 0
    try:
        with _flock(workspace.path / PROCESS_LOCK, wait=None):
            pid = os.getpid()
            workspace.update_state(state.ROUND, lambda r: {**(r or {}), "pid": pid, "process_started_at": state.iso(clock())})
            last_round: datetime | None = None
            while not stop.is_set():
                now = clock()
                due = due_sources(workspace, now)
                every = timedelta(minutes=ListeningRules.from_settings(workspace.settings().alerts).every_minutes)
                # Without due sources the rules still run every interval (uploads, failing-source hours).
                if due or last_round is None or now - last_round >= every:
                    try:
                        with round_lock(workspace, stop=stop):
                            report = run_round(workspace, only=due, stop=stop, clock=clock, rng=rng, **round_options)
                    except AscoltoError as error:
                        if error.key != "listening.round_busy":
                            raise
                        continue
                    rounds += 1
                    last_round = now
                    if on_round:
                        on_round(report)
                wake = min(next_wake(workspace, clock()), (last_round or clock()) + every)
                workspace.update_state(state.ROUND, lambda r, w=wake: {**(r or {}), "next_at": state.iso(w)})
                stop.wait(max((wake - clock()).total_seconds(), MIN_SLEEP_S))
            workspace.update_state(state.ROUND, lambda r: {**(r or {}), "next_at": None, "pid": None})
    except BlockingIOError:
        raise AscoltoError("listening.already_running", path=str(workspace.path)) from None
    return rounds
