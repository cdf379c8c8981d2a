"""Which column of the user's file becomes which canonical field (rules in ``config/mapping.yaml``).

:func:`propose` looks at the headers only: a known tool layout (Meltwater,
Brandwatch, Talkwalker) first, then Italian/English synonyms compared
case-, accent- and separator-insensitively. When it is unsure (no text
column, two equally good date columns) the proposal lists ``problems`` and
``load_mentions`` raises :class:`MappingNeeded`; the app then shows a dropdown
per field (``MappingProposal.fields``, ``options``, ``chosen``) and passes the
person's choice back as a :class:`ColumnMapping`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ascolto_core.config import load_config
from ascolto_core.errors import AscoltoError
from ascolto_core.loading.values import fold

# Helper inputs that feed canonical columns (see config/mapping.yaml).
AUX_FIELDS: tuple[str, ...] = ("time", "title", "text_alt", "channel", "engagement")
# Fields a person can map, in the order a mapping form shows them.
MAPPABLE_FIELDS: tuple[str, ...] = (
    "text",
    "created_at",
    "time",
    "author",
    "source",
    "channel",
    "touchpoint",
    "url",
    "id",
    "lang",
    "title",
    "text_alt",
    "likes",
    "shares",
    "comments",
    "engagement",
    "reach",
    "rating",
    "brand",
    "label",
    "label_emotion",
    "reply_to",
)
# Fields for which two equally good candidates mean "ask the person".
_MUST_BE_SURE: tuple[str, ...] = ("text", "created_at")

_EXACT, _CONTAINS = 0, 1


@dataclass(frozen=True)
class MappingRules:
    """Synonyms per field, required fields and named layouts, from ``config/mapping.yaml``."""

    synonyms: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    layouts: dict[str, dict[str, Any]]

    @classmethod
    def from_config(cls) -> MappingRules:
        """Read the rules.

        Raises:
            ValueError: if the file names a field that is neither canonical nor auxiliary.
        """
        config = load_config("mapping")
        synonyms: dict[str, tuple[str, ...]] = {}
        for section in ("fields", "aux"):
            for name, words in (config.get(section) or {}).items():
                if name not in MAPPABLE_FIELDS:
                    raise ValueError(f"config/mapping.yaml: unknown field {name!r}")
                synonyms[name] = tuple(fold(str(w)) for w in words)
        layouts = {name: dict(spec) for name, spec in (config.get("layouts") or {}).items()}
        return cls(synonyms=synonyms, required=tuple(config.get("required", ["text"])), layouts=layouts)


@functools.cache
def _rules() -> MappingRules:
    return MappingRules.from_config()


def known_headers() -> frozenset[str]:
    """Every folded header name the rules know (used to find the header row)."""
    rules = _rules()
    names = {w for words in rules.synonyms.values() for w in words}
    for spec in rules.layouts.values():
        names.update(fold(str(c)) for c in spec.get("columns", {}).values())
        names.update(fold(str(c)) for c in spec.get("signature", []))
    return frozenset(names)


class ColumnMapping(Mapping[str, str | None]):
    """The person's choice: canonical field -> source column (None = "not in my file").

    Fields left out are mapped automatically; a field set to None stays empty.

    Example:
        ``ColumnMapping({"text": "Colonna X", "created_at": "Quando"})``
    """

    def __init__(self, choice: Mapping[str, str | None] | None = None, /, **fields: str | None) -> None:
        merged = {**(dict(choice) if choice else {}), **fields}
        unknown = [f for f in merged if f not in MAPPABLE_FIELDS]
        if unknown:
            raise AscoltoError("load.mapping_unknown_field", fields=", ".join(unknown), known=", ".join(MAPPABLE_FIELDS))
        self._choice: dict[str, str | None] = merged

    @classmethod
    def from_pairs(cls, pairs: Sequence[str]) -> ColumnMapping:
        """From command-line ``field=column`` pairs (``field=`` means "none").

        Raises:
            AscoltoError: ``load.mapping_bad_pair`` if a pair has no ``=``.
        """
        choice: dict[str, str | None] = {}
        for pair in pairs:
            if "=" not in pair:
                raise AscoltoError("load.mapping_bad_pair", pair=pair)
            key, _, value = pair.partition("=")
            choice[key.strip()] = value.strip() or None
        return cls(choice)

    def __getitem__(self, key: str) -> str | None:
        return self._choice[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._choice)

    def __len__(self) -> int:
        return len(self._choice)

    def __repr__(self) -> str:
        return f"ColumnMapping({self._choice!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class MappingProblem:
    """Why the mapping needs a person: an i18n key and its parameters.

    ``blocking`` problems stop a load (no text column, two text or date
    candidates); the others are only reported (no date column).
    """

    key: str
    field: str
    columns: tuple[str, ...] = ()
    blocking: bool = True

    def message(self, lang: str = "it") -> str:
        from ascolto_core.i18n import t

        return t(self.key, lang, field=t(f"load.field_{self.field}", lang), columns=", ".join(f"«{c}»" for c in self.columns))


@dataclass(frozen=True)
class MappingProposal:
    """What the headers suggest, ready for one dropdown per field.

    Attributes:
        source_columns: the file's columns, in file order (the dropdown options).
        chosen: field -> chosen source column or None, for every mappable field.
        candidates: field -> plausible columns, best first (chosen first when set).
        problems: what needs a person's decision.
        layout: recognised tool layout ("meltwater", "brandwatch", "talkwalker") or None.
    """

    source_columns: tuple[str, ...]
    chosen: dict[str, str | None]
    candidates: dict[str, tuple[str, ...]]
    problems: tuple[MappingProblem, ...] = ()
    layout: str | None = None
    fields: tuple[str, ...] = field(default=MAPPABLE_FIELDS)

    @property
    def is_sure(self) -> bool:
        """True when no problem needs a person's decision."""
        return not any(p.blocking for p in self.problems)

    def options(self, field_name: str) -> tuple[str | None, ...]:
        """Dropdown options for a field: None ("not in my file"), then candidates, then the other columns."""
        first = self.candidates.get(field_name, ())
        return (None, *first, *(c for c in self.source_columns if c not in first))

    def to_mapping(self) -> ColumnMapping:
        """The proposal as a mapping (what the dropdowns start from)."""
        return ColumnMapping(self.chosen)


class MappingNeeded(AscoltoError):
    """The headers do not say clearly which column is which: ask the person.

    ``proposal`` holds the candidates and the problems; call ``load_mentions``
    again with ``mapping=ColumnMapping({...})``.
    """

    def __init__(self, proposal: MappingProposal) -> None:
        self.proposal = proposal  # set first: AscoltoError renders the message at once
        super().__init__("load.mapping_needed")

    def message(self, lang: str = "it") -> str:
        from ascolto_core.i18n import t

        problems = "; ".join(p.message(lang) for p in self.proposal.problems if p.blocking)
        return t(self.key, lang, problems=problems)


def _match_tier(header: str, synonym: str) -> int | None:
    if header == synonym:
        return _EXACT
    if len(synonym) >= 4 and f" {synonym} " in f" {header} ":
        return _CONTAINS
    return None


def _detect_layout(folded: dict[str, str], rules: MappingRules) -> str | None:
    present = set(folded.values())
    best: tuple[int, str] | None = None
    for name, spec in rules.layouts.items():
        signature = {fold(str(s)) for s in spec.get("signature", [])}
        hits = len(signature & present)
        if hits >= int(spec.get("min_match", len(signature))) and (best is None or hits > best[0]):
            best = (hits, name)
    return best[1] if best else None


def propose(columns: Sequence[str], mapping: Mapping[str, str | None] | None = None) -> MappingProposal:
    """Propose a mapping from the file's headers (and honour a person's partial choice).

    Args:
        columns: the file's column names, in order.
        mapping: fields already chosen by a person; they win over every rule.

    Returns:
        The proposal; its ``problems`` say what is unsure.

    Raises:
        AscoltoError: ``load.mapping_unknown_column`` if ``mapping`` names a column
            the file does not have.
    """
    rules = _rules()
    source_columns = tuple(columns)
    folded = {c: fold(c) for c in source_columns}
    by_folded: dict[str, str] = {}
    for column, name in folded.items():
        by_folded.setdefault(name, column)
    user = dict(mapping or {})
    missing = [c for c in user.values() if c is not None and c not in source_columns]
    if missing:
        raise AscoltoError("load.mapping_unknown_column", columns=", ".join(missing), available=", ".join(source_columns))

    chosen: dict[str, str | None] = {f: None for f in MAPPABLE_FIELDS}
    candidates: dict[str, list[str]] = {f: [] for f in MAPPABLE_FIELDS}
    used: set[str] = set()
    decided: set[str] = set()
    for field_name, column in user.items():
        chosen[field_name] = column
        decided.add(field_name)
        if column is not None:
            used.add(column)
            candidates[field_name].append(column)

    layout = _detect_layout(folded, rules)
    if layout:
        for field_name, column in rules.layouts[layout].get("columns", {}).items():
            actual = by_folded.get(fold(str(column)))
            if field_name in decided or actual is None or actual in used:
                continue
            chosen[field_name] = actual
            candidates[field_name].append(actual)
            decided.add(field_name)
            used.add(actual)

    # Every (field, column) match, best first: exact before contained, then synonym order.
    matches: list[tuple[int, int, int, str, str]] = []
    for field_name, synonyms in rules.synonyms.items():
        for column in source_columns:
            scores = [(tier, rank) for rank, s in enumerate(synonyms) if (tier := _match_tier(folded[column], s)) is not None]
            if scores:
                tier, rank = min(scores)
                matches.append((tier, rank, MAPPABLE_FIELDS.index(field_name), field_name, column))
    matches.sort()
    for _, _, _, field_name, column in matches:
        if column not in candidates[field_name]:
            candidates[field_name].append(column)
    # Exact matches per field, each column counted for its best field only (ambiguity check below).
    exact_owner: dict[str, str] = {}
    exact_by_field: dict[str, list[str]] = {}
    for tier, _, _, field_name, column in matches:
        if tier == _EXACT and column not in exact_owner:
            exact_owner[column] = field_name
            exact_by_field.setdefault(field_name, []).append(column)
    for _, _, _, field_name, column in matches:
        if field_name in decided or column in used:
            continue
        chosen[field_name] = column
        decided.add(field_name)
        used.add(column)

    problems: list[MappingProblem] = []
    for field_name in _MUST_BE_SURE:
        if field_name in user or (layout and chosen[field_name] in _layout_columns(rules, layout, by_folded)):
            continue
        rivals = exact_by_field.get(field_name, [])
        if len(rivals) > 1:
            problems.append(MappingProblem("load.problem_ambiguous", field_name, tuple(rivals)))
    for field_name in rules.required:
        if chosen.get(field_name) is None:
            problems.append(MappingProblem("load.problem_missing", field_name))
    if chosen["created_at"] is None:  # also when the person chose "no date": the report says so
        problems.append(MappingProblem("load.problem_no_date", "created_at", blocking=False))
    return MappingProposal(
        source_columns=source_columns,
        chosen=chosen,
        candidates={f: tuple(c) for f, c in candidates.items()},
        problems=tuple(problems),
        layout=layout,
    )


def _layout_columns(rules: MappingRules, layout: str, by_folded: dict[str, str]) -> set[str]:
    return {by_folded[fold(str(c))] for c in rules.layouts[layout].get("columns", {}).values() if fold(str(c)) in by_folded}
