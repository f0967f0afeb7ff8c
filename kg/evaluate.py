"""Score attributed-claim extraction against gold annotations (users bring their own).

The figures and matching are those of the team's scorer (``eval/score.py``):
within each document gold and predicted contents are paired one to one, greedily
by decreasing overlap ``|g ∩ p| / max(|g|, |p|)``; ``content@exact`` compares the
normalised texts; ``attribution@0.3`` also needs the speaker right (spans overlap,
or names agree by surname). Gold is JSONL, one document a line:
``{"doc_id", "text", "quotes": [{"speaker", "speaker_span", "content", "content_span", ...}]}``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language

from kg.errors import KgError
from kg.extract import iter_claims
from kg.extract.settings import ExtractorSettings
from kg.records import Document

QUOTE_CHARS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u201f\u2039\u203a`"
STRIP_CHARS = QUOTE_CHARS + " ,.;:!?-\u2014\u2013\n\t"
NAME_TITLES = frozenset(
    "mr mrs ms miss dr prof sir president prime minister sen senator rep gov governor gen general "
    "secretary chief mayor judge justice the former lt col capt sgt rev".split()
)
FIGURES = ("content@exact", "content@0.5", "content@0.3", "attribution@0.3")


class GoldError(KgError, ValueError):
    """A gold file line that cannot be used (the message names file and line)."""


def normalise_content(text: str) -> str:
    """Outer whitespace, quote marks, punctuation and a leading "that" stripped, case folded."""
    s = unicodedata.normalize("NFKC", text or "").casefold()
    s = s.strip().strip(STRIP_CHARS).strip()
    s = re.sub(r"^that\s+", "", s)
    s = s.strip(STRIP_CHARS)
    return re.sub(r"\s+", " ", s)


def name_tokens(name: str | None) -> list[str]:
    if not name:
        return []
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"'s\b|\u2019s\b", "", s)
    return [t for t in re.findall(r"[a-z0-9]+", s) if t not in NAME_TITLES]


def names_agree(predicted: str | None, gold: str | None) -> bool:
    """Same surname, and the shorter token set is contained in the longer one."""
    p, g = name_tokens(predicted), name_tokens(gold)
    if not p or not g or p[-1] != g[-1]:
        return False
    small, big = (p, g) if len(p) <= len(g) else (g, p)
    return set(small) <= set(big)


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter / max(a[1] - a[0], b[1] - b[0]) if inter > 0 else 0.0


def _span(d: Mapping[str, Any] | None) -> tuple[int, int] | None:
    if not d or d.get("start") is None or d.get("end") is None:
        return None
    return int(d["start"]), int(d["end"])


def _pair(golds: Sequence[Mapping], preds: Sequence[Mapping]) -> list[tuple[int, int, float]]:
    candidates = []
    for i, g in enumerate(golds):
        gs = tuple(g["content_span"])
        for j, p in enumerate(preds):
            o = overlap(gs, _span(p["content"]))
            if o > 0:
                candidates.append((o, i, j))
    candidates.sort(reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for o, i, j in candidates:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((i, j, o))
    return pairs


def _speaker_ok(gold: Mapping, pred: Mapping) -> bool:
    if not gold.get("speaker_span"):
        return True
    speaker = pred.get("speaker") or {}
    span = _span(speaker)
    if span and overlap(tuple(gold["speaker_span"]), span) > 0:
        return True
    name = speaker.get("name") or speaker.get("text")
    return names_agree(name, gold.get("speaker")) or names_agree(name, gold.get("speaker_resolved"))


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"P": round(p, 4), "R": round(r, 4), "F1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


def score(gold: Mapping[str, Mapping[str, Any]], predictions: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The scorer's figures for ``predictions`` (records as ``kg extract --format jsonl`` prints them)."""
    preds: dict[str, list[Mapping]] = defaultdict(list)
    unusable = 0
    for p in predictions:
        if p.get("doc_id") not in gold or _span(p.get("content")) is None:
            unusable += 1
            continue
        preds[p["doc_id"]].append(p)
    n_gold = sum(len(d["quotes"]) for d in gold.values())
    n_pred = sum(len(v) for v in preds.values())
    tp = {"exact": 0, "0.5": 0, "0.3": 0, "attr": 0}
    resolved_n = resolved_ok = offsets_wrong = 0
    for doc_id, d in gold.items():
        text, golds, ps = d["text"], d["quotes"], preds.get(doc_id, [])
        for p in ps:
            s, e = _span(p["content"])
            if p["content"].get("text") is not None and text[s:e] != p["content"]["text"]:
                offsets_wrong += 1
        for i, j, o in _pair(golds, ps):
            g, p = golds[i], ps[j]
            s, e = _span(p["content"])
            if normalise_content(text[s:e]) == normalise_content(g["content"]):
                tp["exact"] += 1
            if o >= 0.5:
                tp["0.5"] += 1
            if o >= 0.3:
                tp["0.3"] += 1
                tp["attr"] += _speaker_ok(g, p)
                if g.get("speaker_resolved"):
                    resolved_n += 1
                    sp = p.get("speaker") or {}
                    resolved_ok += names_agree(sp.get("name") or sp.get("text"), g["speaker_resolved"])
    out: dict[str, Any] = {
        "docs": len(gold),
        "content@exact": _prf(tp["exact"], n_pred, n_gold),
        "content@0.5": _prf(tp["0.5"], n_pred, n_gold),
        "content@0.3": _prf(tp["0.3"], n_pred, n_gold),
        "attribution@0.3": _prf(tp["attr"], n_pred, n_gold),
        "predictions_unusable": unusable,
        "predictions_offsets_not_matching_text": offsets_wrong,
    }
    if resolved_n:
        out["speaker_resolved_acc"] = round(resolved_ok / resolved_n, 4)
        out["speaker_resolved_n"] = resolved_n
    return out


def load_gold(path: str | Path) -> dict[str, dict[str, Any]]:
    """Gold documents by id; a malformed line raises :class:`GoldError` naming file and line."""
    gold: dict[str, dict[str, Any]] = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                doc_id, text, quotes = str(d["doc_id"]), d["text"], d["quotes"]
                for q in quotes:
                    tuple(q["content_span"])
            except (ValueError, KeyError, TypeError) as exc:
                raise GoldError(f"{path}:{number}: not a gold document ({exc.__class__.__name__}: {exc})") from exc
            gold[doc_id] = {**d, "doc_id": doc_id, "text": text, "quotes": quotes}
    return gold


@dataclass
class Evaluation:
    figures: dict[str, Any]
    predictions: list[dict[str, Any]]


def evaluate(gold_path: str | Path, nlp: Language | None = None, settings: ExtractorSettings | None = None
             ) -> Evaluation:
    """Extract claims from every gold document's text and score them against its annotations."""
    gold = load_gold(gold_path)
    documents = [Document(id=d["doc_id"], text=d["text"], date=d.get("date"), title=d.get("title"))
                 for d in gold.values()]
    predictions = [claim.to_json() for _doc, claims in iter_claims(documents, nlp, settings=settings)
                   for claim in claims]
    return Evaluation(figures=score(gold, predictions), predictions=predictions)


def format_figures(figures: Mapping[str, Any]) -> str:
    """The scorer's plain-text report."""
    lines = [f"documents: {figures['docs']}"]
    for key in FIGURES:
        m = figures[key]
        lines.append(f"{key:18s} P {m['P']:.3f}  R {m['R']:.3f}  F1 {m['F1']:.3f}   "
                     f"(tp {m['tp']}, pred {m['pred']}, gold {m['gold']})")
    if "speaker_resolved_acc" in figures:
        lines.append(f"speaker_resolved_acc {figures['speaker_resolved_acc']:.3f} over "
                     f"{figures['speaker_resolved_n']} matched quotes")
    return "\n".join(lines)
