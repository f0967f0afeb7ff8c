"""The opposites lexicon: pairs of words that cannot both be true of the same subject.

A lexicon file is plain text, one pair a line, ``#`` starts a comment::

    safe safer safest secure | dangerous unsafe
    win wins winning won | lose loses losing lost

The forms left of the bar are one pole, those right of it the other; each form is
matched as a whole lower-case word (or words in a row) of a claim's content.  kg
ships ``kg/data/opposites.txt``; a user file is read after it and adds pairs.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kg.errors import KgError
from kg.resolve.aliases import read_rules_file

log = logging.getLogger(__name__)

__all__ = ["OppositesLexicon", "OppositesFileError", "BUILTIN_OPPOSITES", "load_opposites"]


class OppositesFileError(KgError, ValueError):
    """A line of an opposites file cannot be read (the message names file and line)."""


@dataclass
class OppositesLexicon:
    """Pairs of poles; each pole a tuple of forms (each form a tuple of words)."""

    pairs: list[tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]] = field(default_factory=list)
    source: str = ""  # the text the pairs were read from, for the detection stamp

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:16]

    def extend(self, other: OppositesLexicon) -> OppositesLexicon:
        return OppositesLexicon(self.pairs + other.pairs, self.source + "\n" + other.source)

    def label(self, pair: int) -> str:
        """``"safe / dangerous"``: the first form of each pole of ``pair``."""
        a, b = self.pairs[pair]
        return f"{' '.join(a[0])} / {' '.join(b[0])}"

    def index(self) -> dict[str, list[tuple[tuple[str, ...], int, int]]]:
        """first word of a form -> [(form, pair, pole)], for matching over a word sequence."""
        out: dict[str, list[tuple[tuple[str, ...], int, int]]] = {}
        for i, poles in enumerate(self.pairs):
            for pole, forms in enumerate(poles):
                for form in forms:
                    out.setdefault(form[0], []).append((form, i, pole))
        return out

    @classmethod
    def parse(cls, text: str, origin: str = "<opposites>") -> OppositesLexicon:
        """Read pairs from ``text``; :class:`OppositesFileError` names ``origin`` and the line."""
        lexicon = cls(source=text)
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split("|")
            if len(parts) != 2:
                raise OppositesFileError(f"{origin}:{lineno}: expected 'forms of one pole | forms of the other', "
                                         f"got {raw.strip()!r}")
            poles = tuple(_forms(p) for p in parts)
            if not poles[0] or not poles[1]:
                raise OppositesFileError(f"{origin}:{lineno}: each side of the bar needs a word, got {raw.strip()!r}")
            both = set(poles[0]) & set(poles[1])
            if both:
                raise OppositesFileError(f"{origin}:{lineno}: {' '.join(sorted(both)[0])!r} is on both sides")
            lexicon.pairs.append((poles[0], poles[1]))
        return lexicon


def _forms(side: str) -> tuple[tuple[str, ...], ...]:
    """``"safe  safer, well off"`` -> (("safe",), ("safer",), ("well", "off")): commas separate multiword forms."""
    out: list[tuple[str, ...]] = []
    for chunk in side.split(","):
        words = chunk.lower().split()
        if "," in side:
            if words:
                out.append(tuple(words))
        else:
            out.extend((w,) for w in words)
    return tuple(dict.fromkeys(out))


def _builtin_text() -> str:
    return resources.files("kg").joinpath("data/opposites.txt").read_text(encoding="utf-8")


BUILTIN_OPPOSITES = OppositesLexicon.parse(_builtin_text(), "kg/data/opposites.txt")


def load_opposites(path: Path | str | None = None, *, builtin: bool = True) -> OppositesLexicon:
    """kg's own pairs, then those of ``path`` (if given).  Raises :class:`OppositesFileError`."""
    lexicon = BUILTIN_OPPOSITES if builtin else OppositesLexicon()
    if path is None:
        return lexicon
    p = Path(path)
    user = OppositesLexicon.parse(read_rules_file(p, "opposites file", OppositesFileError), str(p))
    log.info("opposites file %s: %d pairs", p, len(user.pairs))
    return lexicon.extend(user)
