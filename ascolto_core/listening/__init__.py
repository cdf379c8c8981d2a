"""Continuous listening: rounds of fetch -> analyse new -> store -> alert rules -> notify.

    report = run_round(workspace)                  # one round (``listen DIR --once``)
    listen(DIR)                                    # rounds forever, one process per workspace
    listening_status(workspace) -> ListeningStatus # for the app: running, rounds, sources, alerts
"""

from __future__ import annotations

from ascolto_core.listening.config import ListeningRules
from ascolto_core.listening.round import RoundReport, SourceResult, run_round

__all__ = ["ListeningRules", "RoundReport", "SourceResult", "run_round"]
