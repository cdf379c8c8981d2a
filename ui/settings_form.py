"""The workspace's settings as a form (never YAML by hand), validated field by field in the person's language.

The form edits the fields a person sets (brand, aliases, competitors, own accounts,
office hours and holidays, display time zone, sources, notification targets, alert
thresholds) and keeps everything else of the stored settings as it was (listening
limits, credentials' variable names, per-touchpoint hours...). The result goes
through :class:`ascolto_core.workspace.WorkspaceSettings` like the CLI's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import available_timezones

import streamlit as st

from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.insights.hours import WEEKDAYS
from ascolto_core.workspace import WorkspaceSettings
from ui import workspaces
from ui.components import escape_markdown, literal_t
from ui.state import StateKeys

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
_HOST = re.compile(r"^(https?://)?[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?/?$")
_HANDLE = re.compile(r"^@?[A-Za-z0-9.-]+$")
_SUBREDDIT = re.compile(r"^[A-Za-z0-9_]{2,21}$")


def lines(text: str) -> list[str]:
    """The non-empty, trimmed lines of a text area, each once, in order."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def mask_secret_url(url: str) -> str:
    """An Apprise URL shown without its secrets: the scheme and a hint, never tokens or passwords."""
    scheme, _, rest = url.partition("://")
    host = rest.split("@", 1)[-1] if "@" in rest else ""
    hint = host.split("/", 1)[0].split("?", 1)[0] if host else ""
    return f"{scheme}://…{'@' + hint if hint else ''} ({len(url)})"


def flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Scalar leaves of a nested mapping by dotted path ("spike.min_negatives" -> 4)."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, path + "."))
        elif isinstance(value, bool | int | float | str) or value is None:
            out[path] = value
    return out


def competitor(line: str) -> dict[str, Any]:
    """One line of the competitors box, "Name, alias, alias", as the profile's ``{"name", "aliases"}``."""
    parts = [p.strip() for p in line.split(",") if p.strip()]
    return {"name": parts[0], "aliases": parts[1:]} if parts else {"name": line.strip(), "aliases": []}


def set_path(mapping: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted ``path`` in a nested dict, creating sections on the way."""
    *parents, leaf = path.split(".")
    node = mapping
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[leaf] = value


def _sources(current: Mapping[str, Any], rss: list[str], instance: str, handle: str, subreddits: list[str]) -> dict[str, Any]:
    """The ``sources`` section: the form's values, keeping the other fields of each kind's first entry."""

    def first(kind: str) -> dict[str, Any]:
        value = current.get(kind)
        if isinstance(value, list):
            value = value[0] if value else {}
        return dict(value) if isinstance(value, Mapping) else {}

    out = {k: v for k, v in current.items() if k not in ("rss", "mastodon", "bluesky", "reddit")}
    known_rss = {}
    for entry in current.get("rss") or []:
        if isinstance(entry, Mapping) and entry.get("url"):
            known_rss[str(entry["url"])] = dict(entry)
    if rss:
        out["rss"] = [known_rss.get(url, {"url": url}) for url in rss]
    if instance:
        out["mastodon"] = [{**first("mastodon"), "instance": instance}]
    if handle:
        out["bluesky"] = {**first("bluesky"), "handle": handle.lstrip("@")}
    if subreddits:
        out["reddit"] = {**first("reddit"), "subreddits": subreddits}
    return out


def check_fields(values: Mapping[str, Any], lang: str) -> list[str]:
    """Italian (or English) sentences for every field the person must fix; empty when all is well."""
    problems: list[str] = []
    if not str(values["brand"]).strip():
        problems.append(t("wsui.settings.err_brand", lang))
    for name in ("open", "close"):
        if not _TIME.match(values[name]):
            problems.append(literal_t("wsui.settings.err_time", lang, value=values[name]))
    if _TIME.match(values["open"]) and _TIME.match(values["close"]) and values["open"] >= values["close"]:
        problems.append(t("wsui.settings.err_order", lang))
    if not values["days"]:
        problems.append(t("wsui.settings.err_days", lang))
    for day in values["closed_dates"]:
        try:
            date.fromisoformat(day)
        except ValueError:
            problems.append(literal_t("wsui.settings.err_date", lang, value=day))
    for url in values["rss"]:
        if not url.startswith(("http://", "https://")):
            problems.append(literal_t("wsui.settings.err_rss", lang, value=url))
    if values["instance"] and not _HOST.match(values["instance"]):
        problems.append(literal_t("wsui.settings.err_instance", lang, value=values["instance"]))
    if values["handle"] and not _HANDLE.match(values["handle"]):
        problems.append(literal_t("wsui.settings.err_handle", lang, value=values["handle"]))
    for name in values["subreddits"]:
        if not _SUBREDDIT.match(name):
            problems.append(literal_t("wsui.settings.err_subreddit", lang, value=name))
    for url in values["notify_new"]:
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", url):
            # Never echo a whole target back: it may hold a password or token.
            problems.append(literal_t("wsui.settings.err_notify", lang, value=mask_secret_url(url) if "://" in url else url[:12] + "…"))
    return problems


def build_settings(current: WorkspaceSettings, values: Mapping[str, Any]) -> WorkspaceSettings:
    """The new settings: ``current`` with the form's ``values`` in place (validated by ``WorkspaceSettings``).

    Raises:
        AscoltoError: a validation message of :meth:`WorkspaceSettings.from_dict`.
    """
    data = current.to_dict()
    data.update(
        brand=values["brand"].strip(),
        aliases=values["aliases"],
        competitors=[competitor(line) for line in values["competitors"]],
        own_accounts=values["own_accounts"],
        display_timezone=values["timezone"],
        hashtags=[h.lstrip("#") for h in values["hashtags"]],
        notify=[*values["notify_kept"], *values["notify_new"]],
    )
    hours = dict(data.get("office_hours") or {})
    hours.update(
        days=list(values["days"]),
        open=values["open"],
        close=values["close"],
        holidays_country=values["country"].strip().upper() or None,
        closed_dates=values["closed_dates"],
    )
    data["office_hours"] = hours
    data["sources"] = _sources(dict(data.get("sources") or {}), values["rss"], values["instance"], values["handle"], values["subreddits"])
    alerts = dict(data.get("alerts") or {})
    for path, value in values["alerts"].items():
        set_path(alerts, path, value)
    data["alerts"] = alerts
    return WorkspaceSettings.from_dict(data)


def _alert_inputs(alerts: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A widget per scalar threshold of the ``alerts`` section, whatever rules it holds, plus one new entry."""
    chosen: dict[str, Any] = {}
    leaves = flatten(alerts)
    if not leaves:
        st.caption(t("wsui.settings.alerts_empty", lang))
    for path, value in leaves.items():
        key = f"ws_alert_{path}"
        if isinstance(value, bool):
            chosen[path] = st.checkbox(path, value=value, key=key)
        elif isinstance(value, int):
            chosen[path] = int(st.number_input(path, value=value, step=1, key=key))
        elif isinstance(value, float):
            chosen[path] = float(st.number_input(path, value=value, key=key, format="%g"))
        else:
            chosen[path] = st.text_input(path, value="" if value is None else str(value), key=key)
    left, right = st.columns(2)
    new_path = left.text_input(t("wsui.settings.alert_new", lang), key="ws_alert_new_path", help=t("wsui.settings.alert_new_help", lang))
    new_value = right.number_input(t("wsui.settings.alert_new_value", lang), value=0.0, key="ws_alert_new_value", format="%g")
    if new_path.strip():
        number = float(new_value)
        chosen[new_path.strip()] = int(number) if number.is_integer() else number
    return chosen


def _first_source(sources: Mapping[str, Any], kind: str, field: str) -> Any:
    """``field`` of the first ``kind`` source (a kind may hold one mapping or a list of them)."""
    value = sources.get(kind)
    if isinstance(value, list):
        value = value[0] if value else {}
    return value.get(field) if isinstance(value, Mapping) else None


def _brand_section(current: WorkspaceSettings, lang: str) -> dict[str, Any]:
    profile = current.profile
    st.markdown(t("wsui.settings.brand_title", lang))
    brand = st.text_input(t("wsui.settings.brand", lang), value=profile.brand, key="ws_set_brand")
    c1, c2, c3 = st.columns(3)
    aliases = c1.text_area(t("wsui.settings.aliases", lang), "\n".join(profile.aliases), key="ws_set_aliases")
    competitors = "\n".join(", ".join(c.names) for c in profile.competitors)
    competitors = c2.text_area(t("wsui.settings.competitors", lang), competitors, key="ws_set_competitors")
    own = c3.text_area(t("wsui.settings.own_accounts", lang), "\n".join(profile.own_accounts), key="ws_set_own")
    return {"brand": brand, "aliases": lines(aliases), "competitors": lines(competitors), "own_accounts": lines(own)}


def _hours_section(current: WorkspaceSettings, lang: str) -> dict[str, Any]:
    hours = dict(current.office_hours)
    st.markdown(t("wsui.settings.hours_title", lang))
    days = st.multiselect(
        t("wsui.settings.days", lang),
        list(WEEKDAYS),
        default=[d for d in hours.get("days", WEEKDAYS[:5]) if d in WEEKDAYS],
        format_func=lambda d: t(f"wsui.day.{d}", lang),
        key="ws_set_days",
    )
    c1, c2, c3 = st.columns(3)
    opens = c1.text_input(t("wsui.settings.open", lang), str(hours.get("open", "09:00")), key="ws_set_open")
    closes = c2.text_input(t("wsui.settings.close", lang), str(hours.get("close", "18:00")), key="ws_set_close")
    country = c3.text_input(t("wsui.settings.country", lang), str(hours.get("holidays_country") or "IT"), key="ws_set_country")
    closed = "\n".join(map(str, hours.get("closed_dates") or []))
    closed = st.text_area(t("wsui.settings.closed_dates", lang), closed, key="ws_set_closed")
    zones = sorted(available_timezones())
    index = zones.index(current.display_timezone) if current.display_timezone in zones else 0
    zone = st.selectbox(t("wsui.settings.timezone", lang), zones, index=index, key="ws_set_tz")
    return {
        "days": days, "open": opens.strip(), "close": closes.strip(), "country": country,
        "closed_dates": lines(closed), "timezone": zone,
    }


def _sources_section(current: WorkspaceSettings, lang: str) -> dict[str, Any]:
    listening = dict(current.listening)
    sources = dict(listening.get("sources") or {})
    rss_now = [str(e.get("url")) for e in (sources.get("rss") or []) if isinstance(e, Mapping) and e.get("url")]
    st.markdown(t("wsui.settings.sources_title", lang))
    rss = st.text_area(t("wsui.settings.rss", lang), "\n".join(rss_now), key="ws_set_rss")
    c1, c2 = st.columns(2)
    instance = str(_first_source(sources, "mastodon", "instance") or "")
    instance = c1.text_input(t("wsui.settings.mastodon", lang), instance, key="ws_set_mastodon")
    hashtags = c2.text_area(t("wsui.settings.hashtags", lang), "\n".join(listening.get("hashtags") or []), key="ws_set_hashtags")
    c1, c2 = st.columns(2)
    handle = c1.text_input(t("wsui.settings.bluesky", lang), str(_first_source(sources, "bluesky", "handle") or ""), key="ws_set_bluesky")
    subreddits = "\n".join(_first_source(sources, "reddit", "subreddits") or [])
    subreddits = c2.text_area(t("wsui.settings.reddit", lang), subreddits, key="ws_set_reddit")
    return {
        "rss": lines(rss), "instance": instance.strip(), "hashtags": lines(hashtags), "handle": handle.strip(),
        "subreddits": [name.removeprefix("r/") for name in lines(subreddits)],
    }


def _notify_section(current: WorkspaceSettings, lang: str) -> dict[str, Any]:
    st.markdown(t("wsui.settings.notify_title", lang))
    kept = []
    for i, url in enumerate(current.notify):
        # Only a masked form is ever sent to the browser: the URL holds passwords and tokens.
        label = literal_t("wsui.settings.notify_remove", lang, target=mask_secret_url(url))
        if not st.checkbox(label, key=f"ws_set_notify_rm_{i}"):
            kept.append(url)
    help_text = t("wsui.settings.notify_help", lang)
    new_targets = st.text_area(t("wsui.settings.notify_new", lang), "", key="ws_set_notify_new", help=help_text)
    return {"notify_kept": kept, "notify_new": lines(new_targets)}


def render_settings_form(lang: str) -> None:
    """The settings of the open workspace as a form; saved only when every field is valid."""
    workspace = workspaces.current_workspace()
    if workspace is None:
        st.info(t("wsui.settings.no_workspace", lang))
        return
    read_only = workspaces.is_read_only(workspace.path)
    if read_only:
        st.info(t("wsui.settings.read_only", lang))
    current = workspace.settings()
    with st.form("ws_settings_form"):
        values = _brand_section(current, lang)
        values |= _hours_section(current, lang)
        values |= _sources_section(current, lang)
        values |= _notify_section(current, lang)
        st.markdown(t("wsui.settings.alerts_title", lang))
        values["alerts"] = _alert_inputs(current.alerts, lang)
        submitted = st.form_submit_button(t("wsui.settings.save", lang), type="primary", disabled=read_only)
    if not submitted or read_only:
        return
    problems = check_fields(values, lang)
    if problems:
        st.error(t("wsui.settings.not_saved", lang) + "\n\n" + "\n".join(f"- {p}" for p in problems))
        return
    try:
        settings = build_settings(current, values)
        target = workspaces.writable_workspace()
        if target is None:
            st.info(t("wsui.settings.read_only", lang))
            return
        target.set_settings(settings)
    except AscoltoError as error:
        st.error(t("wsui.settings.not_saved", lang) + "\n\n" + escape_markdown(error.message(lang)))
        return
    # Rerun: the pages' time zone and the form itself then show what was stored.
    st.session_state[StateKeys.WS_NOTICE] = t("wsui.settings.saved", lang)
    st.rerun()
