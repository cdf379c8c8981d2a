"""User-facing errors: a catalogue key plus parameters, rendered in the user's language."""

from __future__ import annotations

from typing import Any

from ascolto_core.i18n import DEFAULT_LANG, t


class AscoltoError(Exception):
    """An error caused by the user's input or environment, with a clear message.

    ``key`` names a message in ``config/i18n/<lang>/*.yaml``; ``params`` fill
    its placeholders. ``str(error)`` is the Italian message; the app calls
    :meth:`message` with the chosen language.
    """

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message(DEFAULT_LANG))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t(self.key, lang, **self.params)
