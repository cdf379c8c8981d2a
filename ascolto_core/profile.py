"""Who is listening: the brand, its aliases, its competitors and its own accounts.

A :class:`BrandProfile` is part of a workspace's settings and is what the
own-voice, competitor and aspect views, the listening rules and the report
read to know whose mentions they look at. It is plain data (frozen, built from
and written to YAML/JSON dicts) so every layer can take it as an argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ascolto_core.errors import AscoltoError


def _names(value: Any, *, what: str) -> tuple[str, ...]:
    """A tuple of distinct non-empty names from a string, a list of strings or None."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise AscoltoError("profile.bad_list", what=what, got=type(value).__name__)
    names: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise AscoltoError("profile.bad_list", what=what, got=type(item).__name__)
        name = item.strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)


@dataclass(frozen=True)
class Competitor:
    """A competing brand and the other ways customers write its name."""

    name: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The name first, then the aliases."""
        return (self.name, *[a for a in self.aliases if a != self.name])


@dataclass(frozen=True)
class BrandProfile:
    """The brand a workspace listens for.

    Attributes:
        brand: the brand's display name ("Forno Brio"); empty when unknown.
        aliases: other spellings, handles and hashtags customers use ("fornobrio", "@fornobrio").
        competitors: the brands to compare with.
        own_accounts: the brand's own handles, page names and e-mail senders; posts whose
            author is one of them are the brand's own voice, not a customer's.
    """

    brand: str = ""
    aliases: tuple[str, ...] = ()
    competitors: tuple[Competitor, ...] = ()
    own_accounts: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The brand name first, then its aliases (empty when no brand is set)."""
        return tuple(n for n in (self.brand, *self.aliases) if n)

    @property
    def all_brand_names(self) -> tuple[str, ...]:
        """Every name of the brand and of its competitors: words that are names, not moods."""
        names = list(self.names)
        for competitor in self.competitors:
            names.extend(competitor.names)
        return tuple(dict.fromkeys(names))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> BrandProfile:
        """Build from ``{"brand", "aliases", "competitors", "own_accounts"}`` (all optional).

        ``competitors`` is a list of names or of ``{"name": ..., "aliases": [...]}``.

        Raises:
            AscoltoError: a field has the wrong type (message names the field).
        """
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise AscoltoError("profile.bad_mapping", got=type(data).__name__)
        brand = data.get("brand") or ""
        if not isinstance(brand, str):
            raise AscoltoError("profile.bad_list", what="brand", got=type(brand).__name__)
        competitors: list[Competitor] = []
        raw_competitors = data.get("competitors") or []
        if isinstance(raw_competitors, (str, Mapping)):
            raw_competitors = [raw_competitors]
        for item in raw_competitors:
            if isinstance(item, str):
                if item.strip():
                    competitors.append(Competitor(item.strip()))
            elif isinstance(item, Mapping) and isinstance(item.get("name"), str) and item["name"].strip():
                competitors.append(Competitor(item["name"].strip(), _names(item.get("aliases"), what="competitors.aliases")))
            else:
                raise AscoltoError("profile.bad_list", what="competitors", got=type(item).__name__)
        return cls(
            brand=brand.strip(),
            aliases=_names(data.get("aliases"), what="aliases"),
            competitors=tuple(competitors),
            own_accounts=_names(data.get("own_accounts"), what="own_accounts"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for YAML/JSON; ``from_dict(to_dict())`` gives the same profile."""
        return {
            "brand": self.brand,
            "aliases": list(self.aliases),
            "competitors": [{"name": c.name, "aliases": list(c.aliases)} for c in self.competitors],
            "own_accounts": list(self.own_accounts),
        }
