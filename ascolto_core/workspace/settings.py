"""A workspace's settings: who it listens for, when someone answers, where to fetch, whom to tell.

:class:`WorkspaceSettings` is a validated frozen record, built from one flat
YAML/JSON mapping (the file ``workspace create --settings FILE.yaml`` takes)::

    brand: Forno Brio                 # BrandProfile: brand, aliases, competitors, own_accounts
    aliases: [fornobrio]
    competitors: [Panificio Rossi]
    own_accounts: ["@fornobrio"]
    office_hours: {...}               # same shape as config/insights.yaml office_hours
    brand_terms: [...]                # listening query, same format as config/listening.example.yaml:
    hashtags: [...]                   #   brand_terms, hashtags, excluded_terms, languages, sources, limits
    excluded_terms: [...]
    languages: [it, en]
    sources: {...}
    limits: {...}
    notify: ["mailto://...", ...]     # Apprise URLs
    alerts: {...}                     # alert rules (checked loosely; the listening rules read them)
    display_timezone: Europe/Rome
    app_url: https://ascolto.example.it

Every key is optional; an unknown key is an error naming it, so a typo never
silently disables a feature.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ascolto_core.errors import AscoltoError
from ascolto_core.profile import BrandProfile

PROFILE_KEYS: tuple[str, ...] = ("brand", "aliases", "competitors", "own_accounts")
LISTENING_KEYS: tuple[str, ...] = (
    "brand_terms",
    "hashtags",
    "excluded_terms",
    "languages",
    "sources",
    "limits",
)
OTHER_KEYS: tuple[str, ...] = ("office_hours", "notify", "alerts", "display_timezone", "app_url")
SETTINGS_KEYS: tuple[str, ...] = (*PROFILE_KEYS, *LISTENING_KEYS, *OTHER_KEYS)
DEFAULT_TIMEZONE = "Europe/Rome"


def _plain(value: Any) -> Any:
    """A deep copy made of dicts, lists and scalars only (what JSON and YAML hold)."""
    return copy.deepcopy(value)


@dataclass(frozen=True)
class WorkspaceSettings:
    """A workspace's validated settings.

    Attributes:
        profile: the brand, its aliases, competitors and own accounts.
        office_hours: the ``office_hours`` section (shape of ``config/insights.yaml``);
            empty means "use the project's default".
        listening: the listening query's fields (``brand_terms``, ``hashtags``,
            ``excluded_terms``, ``languages``, ``sources``, ``limits``) as plain data;
            :meth:`listening_query` gives the parsed query.
        notify: Apprise URLs of the notification targets.
        alerts: alert rules as plain data (the listening rules validate their own fields).
        display_timezone: IANA time zone in which times are shown.
        app_url: the app's address, for links in notifications (``None`` when unknown).
    """

    profile: BrandProfile = field(default_factory=BrandProfile)
    office_hours: Mapping[str, Any] = field(default_factory=dict)
    listening: Mapping[str, Any] = field(default_factory=dict)
    notify: tuple[str, ...] = ()
    alerts: Mapping[str, Any] = field(default_factory=dict)
    display_timezone: str = DEFAULT_TIMEZONE
    app_url: str | None = None

    @property
    def brand(self) -> str:
        """The brand's display name (may be empty)."""
        return self.profile.brand

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> WorkspaceSettings:
        """Validate a flat settings mapping (see the module docstring).

        Raises:
            AscoltoError: ``workspace.settings_unknown`` for unknown keys,
                ``workspace.settings_invalid`` naming the field that is wrong, or the
                profile's, office hours' or listening query's own message.
        """
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise AscoltoError(
                "workspace.settings_invalid",
                field="(top level)",
                problem=f"expected a mapping, got {type(data).__name__}",
            )
        unknown = sorted(str(k) for k in data if k not in SETTINGS_KEYS)
        if unknown:
            raise AscoltoError(
                "workspace.settings_unknown", keys=", ".join(unknown), allowed=", ".join(SETTINGS_KEYS)
            )
        profile = BrandProfile.from_dict({k: data[k] for k in PROFILE_KEYS if k in data})
        office_hours = data.get("office_hours") or {}
        if not isinstance(office_hours, Mapping):
            raise AscoltoError(
                "workspace.settings_invalid",
                field="office_hours",
                problem=f"expected a mapping, got {type(office_hours).__name__}",
            )
        if office_hours:
            from ascolto_core.insights.hours import OfficeHours

            OfficeHours.from_config({"office_hours": dict(office_hours)})
        listening = {k: _plain(data[k]) for k in LISTENING_KEYS if data.get(k) is not None}
        settings = cls(
            profile=profile,
            office_hours=_plain(dict(office_hours)),
            listening=listening,
            notify=_urls(data.get("notify")),
            alerts=_alerts(data.get("alerts")),
            display_timezone=_timezone(data.get("display_timezone")),
            app_url=_app_url(data.get("app_url")),
        )
        settings.listening_query()  # validates sources, limits and terms
        return settings

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> WorkspaceSettings:
        """Read and validate a settings file.

        Raises:
            AscoltoError: ``workspace.settings_not_found``, ``workspace.settings_bad_yaml``
                or any validation message of :meth:`from_dict`.
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise AscoltoError("workspace.settings_not_found", path=str(file)) from None
        except (OSError, UnicodeDecodeError) as error:
            raise AscoltoError(
                "workspace.settings_bad_yaml", path=str(file), problem=type(error).__name__
            ) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise AscoltoError(
                "workspace.settings_bad_yaml", path=str(file), problem=str(error).splitlines()[0]
            ) from None
        return cls.from_dict(data or {})

    def to_dict(self) -> dict[str, Any]:
        """Plain data; ``from_dict(to_dict())`` gives equal settings."""
        data: dict[str, Any] = dict(self.profile.to_dict())
        data.update(_plain(dict(self.listening)))
        data["office_hours"] = _plain(dict(self.office_hours))
        data["notify"] = list(self.notify)
        data["alerts"] = _plain(dict(self.alerts))
        data["display_timezone"] = self.display_timezone
        data["app_url"] = self.app_url
        return data

    def with_brand(self, brand: str) -> WorkspaceSettings:
        """The same settings with another brand name (aliases and competitors kept)."""
        data = self.to_dict()
        data["brand"] = brand
        return WorkspaceSettings.from_dict(data)

    def office_hours_record(self) -> Any:
        """The parsed office hours (:class:`ascolto_core.insights.hours.OfficeHours`);
        the project's ``config/insights.yaml`` ones when the workspace sets none."""
        from ascolto_core.insights.hours import OfficeHours

        return (
            OfficeHours.from_config({"office_hours": _plain(dict(self.office_hours))})
            if self.office_hours
            else OfficeHours.from_config()
        )

    def listening_query(self) -> Any:
        """The listening query (:class:`ascolto_core.fetch.query.ListeningQuery`), brand filled from the profile.

        Raises:
            AscoltoError: ``fetch.query.invalid`` naming the wrong field.
        """
        from ascolto_core.fetch.query import ListeningQuery

        return ListeningQuery.from_dict({"brand": self.profile.brand or None, **_plain(dict(self.listening))})


def _urls(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AscoltoError(
            "workspace.settings_invalid", field="notify", problem="expected a list of Apprise URLs"
        )
    urls = tuple(dict.fromkeys(v.strip() for v in value if v.strip()))
    for url in urls:
        if "://" not in url:
            raise AscoltoError(
                "workspace.settings_invalid", field="notify", problem=f"not an Apprise URL: {url[:40]}"
            )
    return urls


def _alerts(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise AscoltoError(
            "workspace.settings_invalid", field="alerts", problem="expected a mapping of rule names"
        )
    return _plain(dict(value))


def _timezone(value: Any) -> str:
    if value is None or value == "":
        return DEFAULT_TIMEZONE
    if not isinstance(value, str):
        raise AscoltoError(
            "workspace.settings_invalid", field="display_timezone", problem="expected a time zone name"
        )
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise AscoltoError(
            "workspace.settings_invalid", field="display_timezone", problem=f"unknown time zone {value}"
        ) from None
    return value


def _app_url(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip().startswith(("http://", "https://")):
        raise AscoltoError(
            "workspace.settings_invalid", field="app_url", problem="expected an http(s) address"
        )
    return value.strip()
