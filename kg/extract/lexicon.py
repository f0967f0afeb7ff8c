"""The cue lexicon: words that introduce an attributed claim, with the stance each carries.

The lexicon is a data file (``kg/data/cues.tsv``), not literals scattered in code,
so users can extend it: ``load_lexicon(path)`` reads one of the same shape.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.errors import KgError

log = logging.getLogger(__name__)


class LexiconError(KgError, ValueError):
    """A cue lexicon file cannot be read or has a bad line (the message names file and line)."""

FRAMES = frozenset({"to", "np"})
# Past forms that do not start with the lemma's stem ("tell" -> "told").
IRREGULAR_FORMS = {
    "say": ("said",), "tell": ("told",), "think": ("thought",), "find": ("found",), "write": ("wrote", "writ"),
    "swear": ("swore", "sworn"), "feel": ("felt",), "learn": ("learnt",), "show": ("shown",),
    "forecast": ("forecast",), "fear": ("fear",), "speak": ("spoke",), "know": ("knew", "known"),
    "see": ("saw", "seen"), "hear": ("heard",), "seek": ("sought",), "hold": ("held",), "read": ("read",),
}
STANCES = frozenset(
    "assert claim deny confirm warn admit allege insist report believe predict promise "
    "question criticise reveal agree suggest estimate show".split()
)


@dataclass(frozen=True)
class CueLexicon:
    """Cue lemmas by part of speech, each mapped to its stance."""

    verbs: dict[str, str]
    nouns: dict[str, str]
    frames: dict[str, frozenset[str]] = field(default_factory=dict)  # verb -> content slots besides a clause

    def verb_stance(self, lemma: str) -> str | None:
        return self.verbs.get(lemma.lower())

    def verb_frames(self, lemma: str) -> frozenset[str]:
        """Content slots a verb takes besides a clause: "to" (vowed to ...), "np" (denied the report)."""
        return self.frames.get(lemma.lower(), frozenset())

    def noun_stance(self, lemma: str) -> str | None:
        return self.nouns.get(lemma.lower())

    @property
    def trigger(self) -> re.Pattern[str]:
        """A regex that matches every text in which a claim can be found: a quote mark,
        "according", or a word that may be a form of a cue verb. Texts it does not match
        have no claim, so they need not be parsed at all."""
        pattern = self.__dict__.get("_trigger")
        if pattern is None:
            stems = set()
            for lemma in self.verbs:
                stems.add(lemma[:-1] if lemma.endswith(("e", "y")) and len(lemma) > 3 else lemma)
                stems.update(IRREGULAR_FORMS.get(lemma, ()))
            words = "|".join(sorted((re.escape(s) for s in stems), key=len, reverse=True))
            pattern = re.compile(rf"[\"\u201c\u201d\u201e\u00ab\u00bb]|\baccording\b|\b(?:{words})", re.IGNORECASE)
            object.__setattr__(self, "_trigger", pattern)
        return pattern

    def may_have_claims(self, text: str) -> bool:
        """False only when ``text`` has no quote mark, no "according" and no cue-verb form."""
        return self.trigger.search(text) is not None


def parse_lexicon(lines: list[str], source: str = "<lexicon>") -> CueLexicon:
    """Parse ``lemma<TAB>pos<TAB>stance[<TAB>frames]`` lines; a bad line raises :class:`LexiconError` naming it."""
    verbs: dict[str, str] = {}
    nouns: dict[str, str] = {}
    frames: dict[str, frozenset[str]] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) not in (3, 4):
            raise LexiconError(f"{source}:{number}: expected 'lemma<TAB>pos<TAB>stance[<TAB>frames]', got {raw!r}")
        lemma, pos, stance = parts[:3]
        slots = frozenset(f.strip() for f in parts[3].split(",") if f.strip()) if len(parts) == 4 else frozenset()
        if not slots <= FRAMES:
            raise LexiconError(f"{source}:{number}: unknown frame(s) {', '.join(sorted(slots - FRAMES))} (use {', '.join(sorted(FRAMES))})")
        if slots:
            frames[lemma.lower()] = slots
        if pos not in ("verb", "noun"):
            raise LexiconError(f"{source}:{number}: part of speech must be 'verb' or 'noun', got {pos!r}")
        if stance not in STANCES:
            raise LexiconError(f"{source}:{number}: unknown stance {stance!r} (one of {', '.join(sorted(STANCES))})")
        (verbs if pos == "verb" else nouns)[lemma.lower()] = stance
    return CueLexicon(verbs=verbs, nouns=nouns, frames=frames)


def load_lexicon(path: str | Path | None = None) -> CueLexicon:
    """The lexicon at ``path``, or the one shipped with kg when ``path`` is None."""
    if path is None:
        return default_lexicon()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise LexiconError(f"{path}:{line}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x})") from None
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read the lexicon: {exc.strerror or exc}") from None
    lexicon = parse_lexicon(text.splitlines(), str(path))
    if not lexicon.verbs and not lexicon.nouns:
        raise LexiconError(f"{path}: no cue in the lexicon (lines are lemma<TAB>verb|noun<TAB>stance)")
    return lexicon


@lru_cache(maxsize=1)
def default_lexicon() -> CueLexicon:
    text = resources.files("kg").joinpath("data/cues.tsv").read_text(encoding="utf-8")
    return parse_lexicon(text.splitlines(), "kg/data/cues.tsv")
