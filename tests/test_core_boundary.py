"""The core library is pure: importing it never imports Streamlit."""

from __future__ import annotations

import subprocess
import sys


def test_core_does_not_import_streamlit() -> None:
    code = "import sys, ascolto_core, ascolto_core.schema; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_conform_adds_missing_columns_and_keeps_extras() -> None:
    import polars as pl

    from ascolto_core.schema import MENTION_SCHEMA, conform

    frame = conform(pl.DataFrame({"text": ["ciao"], "colonna_utente": [1]}))
    assert frame.columns == [*MENTION_SCHEMA, "colonna_utente"]
    assert frame["text"].to_list() == ["ciao"]
    assert frame["created_at"].dtype == pl.Datetime("us", "UTC")


def test_i18n_falls_back_to_italian_and_shows_unknown_keys() -> None:
    from ascolto_core.i18n import t

    assert t("touchpoint.store", "it") == "Negozio"
    assert t("touchpoint.store", "en") == "Shop"
    assert t("touchpoint.store", "xx") == "Negozio"
    assert t("no.such.key", "en") == "no.such.key"
