"""Alias rules: names that are one entity, and names that must never be merged.

A rule file is plain text, one rule a line, ``#`` starts a comment::

    # the first name of a merge rule is the name kg shows
    Volodymyr Zelensky = Zelenskyy = Zelenskiy = Ukrainian President
    Kyiv = Kiev (place)
    John Smith != Mary Smith

``A = B = C`` merges every mention named (or written) ``A``, ``B`` or ``C`` into one
entity shown as ``A`` (a trailing ``(place)``, ``(person)``, ``(organisation)``,
``(government)``, ``(group)`` or ``(other)`` also fixes its type); ``A != B`` keeps
mentions of ``A`` and of ``B`` apart whatever the automatic resolution would do.  Names match case-, accent- and
punctuation-insensitively (``"Zelenskyy's"`` is not ``"Zelenskyy"``: write the name,
not a possessive).  kg ships a few rules of its own (``kg/data/aliases.txt``: city
transliterations and country abbreviations); a user file is read after them and wins.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kg.errors import KgError
from kg.resolve.names import name_key

log = logging.getLogger(__name__)

__all__ = ["AliasRules", "AliasFileError", "BUILTIN_ALIASES", "load_alias_rules"]


ENTITY_TYPES = ("person", "organisation", "government", "group", "place", "other")
_TYPE_SUFFIX = re.compile(r"\((" + "|".join(ENTITY_TYPES) + r")\)\s*$", re.IGNORECASE)


class AliasFileError(KgError, ValueError):
    """A line of an alias file cannot be read (the message names file and line)."""


@dataclass
class AliasRules:
    """Merge groups (shown name first) and never-merge pairs, keyed by :func:`name_key`."""

    groups: list[list[str]] = field(default_factory=list)
    never: list[tuple[str, str]] = field(default_factory=list)
    types: dict[int, str] = field(default_factory=dict)  # merge group -> entity type it fixes
    source: str = ""  # the text the rules were read from, for the resolution stamp

    def group_of(self) -> dict[str, int]:
        """name key -> merge group index (a later group wins a name two groups claim)."""
        out: dict[str, int] = {}
        for i, names in enumerate(self.groups):
            for name in names:
                out[name_key(name)] = i
        return out

    def shown_name(self, group: int) -> str:
        return self.groups[group][0]

    def forbidden(self) -> set[frozenset[str]]:
        """Pairs of name keys that must not end up in one entity."""
        return {frozenset((name_key(a), name_key(b))) for a, b in self.never}

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:16]

    def extend(self, other: AliasRules) -> AliasRules:
        shift = len(self.groups)
        types = dict(self.types) | {g + shift: t for g, t in other.types.items()}
        return AliasRules(self.groups + other.groups, self.never + other.never, types,
                          self.source + "\n" + other.source)

    @classmethod
    def parse(cls, text: str, origin: str = "<aliases>") -> AliasRules:
        """Read rules from ``text``; :class:`AliasFileError` names ``origin`` and the line."""
        rules = cls(source=text)
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if "!=" in line:
                parts = [p.strip() for p in line.split("!=")]
                if len(parts) != 2 or not all(parts) or "=" in parts[0] + parts[1]:
                    raise AliasFileError(f"{origin}:{lineno}: a never-merge rule is 'A != B', got {raw.strip()!r}")
                if name_key(parts[0]) == name_key(parts[1]):
                    raise AliasFileError(f"{origin}:{lineno}: {parts[0]!r} != {parts[1]!r} names the same thing twice")
                rules.never.append((parts[0], parts[1]))
            elif "=" in line:
                typed = _TYPE_SUFFIX.search(line)
                if typed:
                    line = line[: typed.start()].strip()
                    rules.types[len(rules.groups)] = typed.group(1).lower()
                parts = [p.strip() for p in line.split("=")]
                if len(parts) < 2 or not all(parts):
                    raise AliasFileError(f"{origin}:{lineno}: a merge rule is 'A = B [= C ...]', got {raw.strip()!r}")
                if not all(name_key(p) for p in parts):
                    raise AliasFileError(f"{origin}:{lineno}: a name needs a letter or digit: {raw.strip()!r}")
                rules.groups.append(parts)
            else:
                raise AliasFileError(
                    f"{origin}:{lineno}: expected 'A = B' (merge) or 'A != B' (never merge), got {raw.strip()!r}"
                )
        return rules


def read_rules_file(path: Path, what: str, error: type[ValueError]) -> str:
    """The text of a user's rules file; ``error`` (naming the file) when it is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error(f"{path}: no such {what}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from exc


def _builtin_text() -> str:
    return resources.files("kg").joinpath("data/aliases.txt").read_text(encoding="utf-8")


BUILTIN_ALIASES = AliasRules.parse(_builtin_text(), "kg/data/aliases.txt")


def load_alias_rules(path: Path | str | None = None, *, builtin: bool = True) -> AliasRules:
    """kg's own rules, then those of ``path`` (if given).  Raises :class:`AliasFileError`."""
    rules = BUILTIN_ALIASES if builtin else AliasRules()
    if path is None:
        return rules
    p = Path(path)
    text = read_rules_file(p, "alias file", AliasFileError)
    user = AliasRules.parse(text, str(p))
    log.info("alias file %s: %d merge rules, %d never-merge rules", p, len(user.groups), len(user.never))
    return rules.extend(user)
