"""Running the Streamlit app under ``AppTest`` with a known dataset in session state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from app_data import ENGINE, analysed_mentions
from ui.data import content_key
from ui.navigation import PAGE_SPECS
from ui.state import StateKeys

APP = str(Path(__file__).resolve().parent.parent / "app.py")
# Every page the router shows, start page first.
PAGES: tuple[str, ...] = tuple(spec.path for spec in PAGE_SPECS)


def app_with_data(page: str | None = None, *, run: bool = True, **state: Any) -> AppTest:
    """The app with the small analysed table injected (no demo load, no engine), on ``page``."""
    at = AppTest.from_file(APP, default_timeout=180)
    mentions = state.get(StateKeys.MENTIONS)
    if mentions is None:
        mentions = analysed_mentions()
    at.session_state[StateKeys.MENTIONS] = mentions
    # Like the app (ui.shell.run_analysis): shared caches are keyed by the content, never a fixed name.
    at.session_state[StateKeys.DATASET_KEY] = "test:" + content_key(mentions)
    at.session_state[StateKeys.DATASET_LABEL] = "test data"
    at.session_state[StateKeys.ENGINE_INFO] = ENGINE
    for key, value in state.items():
        at.session_state[key] = value
    if not run:
        return at
    # The router (app.py) must run first: switching before the first run would run the page alone.
    at.run()
    if page is not None and page != "pages/data.py":
        at.switch_page(page).run()
    return at


def texts(at: AppTest) -> str:
    """Everything a user reads on the page (main area and sidebar), as one string."""
    parts: list[str] = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        parts += [str(element.value) for element in getattr(at, kind)]
    parts += [str(e.label) for e in at.expander]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    return "\n".join(parts)
