"""Continuous listening: rounds of fetch -> analyse new -> store -> alert rules -> notify.

    report = run_round(workspace)                       # one round (the caller holds the round lock)
    listen_once(workspace)                              # ``listen DIR --once``: lock + one round
    listen_forever(workspace, stop=event)               # ``listen DIR``: one process per workspace
    listening_status(workspace) -> ListeningStatus      # for the app: running, rounds, sources, alerts

Modules: ``config`` (rules in ``settings.alerts``), ``rules`` (what is alarming now), ``notify``
(Apprise, messages), ``digest``, ``round``, ``runner`` (locks, signals, schedule), ``status``,
``state`` (keys in the workspace state), ``cli``, ``demo``.
"""

from __future__ import annotations

from ascolto_core.listening.config import ListeningRules
from ascolto_core.listening.round import RoundReport, SourceResult, run_round
from ascolto_core.listening.runner import listen_forever, listen_once
from ascolto_core.listening.status import ListeningStatus, listening_status

__all__ = [
    "ListeningRules",
    "ListeningStatus",
    "RoundReport",
    "SourceResult",
    "listen_forever",
    "listen_once",
    "listening_status",
    "run_round",
]
