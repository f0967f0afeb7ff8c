"""Training the attribution tagger on gold attributions (the JSON Lines ``kg eval`` reads).

    >>> examples = prepare(read_gold("train.jsonl"), nlp)
    >>> result = train(examples, dev=prepare(read_gold("dev.jsonl"), nlp), epochs=20)
    >>> save_model(result.network, result.config, "my-model/", card=result.card())

Seeded and deterministic: the same gold, seed and settings give the same weights on
the same machine.  After each epoch the dev documents are tagged, decoded and linked
and scored as ``kg eval`` scores (content overlap >= 0.3 with the right source span);
the epoch with the best dev score is kept.  ``progress`` is called once per batch.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from thinc.api import Adam, Model, fix_random_seed

from kg.errors import KgError
from kg.extract.learned.features import token_features
from kg.extract.learned.network import TaggerConfig, build_network
from kg.extract.learned.tags import TAGS, chunks, decode, gold_tags, link, token_layout
from kg.extract.lexicon import CueLexicon, default_lexicon
from kg.extract.quotes import find_quotes

log = logging.getLogger(__name__)

__all__ = ["Example", "GoldFileError", "TrainResult", "prepare", "read_gold", "score_links", "train"]


class GoldFileError(KgError):
    """A gold file cannot be read, or a line of it is not a gold document."""


@dataclass
class Example:
    """One gold document, parsed: the tagger's inputs, its gold tags and gold character spans."""

    doc_id: str
    ids: np.ndarray
    feats: np.ndarray
    tags: np.ndarray
    gold: list[dict[str, Any]]
    token_chars: np.ndarray  # (n, 2): each token's start and end character
    sentence: np.ndarray  # each token's sentence number
    punct: np.ndarray  # 0 a word, 1 punctuation inside a sentence, 2 one that ends it (see token_layout)


@dataclass
class TrainResult:
    network: Model
    config: TaggerConfig
    history: list[dict[str, float]] = field(default_factory=list)  # per epoch: loss and dev figures

    def card(self) -> str:
        """A model card: what the model is, the data, the settings, the figures, the date."""
        t = self.config.trained
        best = max(self.history, key=lambda h: h.get("dev_f1", 0.0), default={})
        lines = [
            f"# {self.config.name} {self.config.version}",
            "",
            "A BIO tagger of attribution spans (source, cue, content) for kg: a hashed lemma embedding and "
            "spaCy's own token features, a ReLU layer, residual bidirectional LSTMs over runs of whole "
            "sentences, a softmax; Viterbi decoding under BIO constraints; contents linked to cues and sources "
            "by rules (kg/extract/learned/tags.py). kg's rules then resolve speakers, relays, dates, stances "
            "and hedges.",
            "",
            f"- trained: {t.get('date')} on {t.get('train_documents')} documents ({t.get('train_file')}); "
            f"selected on {t.get('dev_documents')} documents ({t.get('dev_file')})",
            f"- command: `{t.get('command')}`",
            f"- settings: width {self.config.width}, embed {self.config.embed}, depth {self.config.depth}, "
            f"dropout {self.config.dropout}, seed {self.config.seed}, {t.get('epochs')} epochs, best epoch "
            f"{best.get('epoch')}, {t.get('seconds', 0):.0f} s on {t.get('machine', 'this machine')}",
            f"- dev (linked spans, content overlap >= 0.3 and the right source): P {best.get('dev_p', 0):.3f} "
            f"R {best.get('dev_r', 0):.3f} F1 {best.get('dev_f1', 0):.3f}",
            f"- weights: model.bin, SHA-256 {self.config.sha256 or '(see config.json)'}",
            "",
            "Figures of kg as a whole with this model: see the README's 'Extraction quality today'.",
            "",
        ]
        return "\n".join(lines)


def read_gold(path: Path | str) -> list[dict[str, Any]]:
    """The documents of a gold JSON Lines file (``doc_id``, ``text``, ``quotes``)."""
    path = Path(path)
    documents = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFileError(f"{path}: cannot read it: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldFileError(f"{path}:{number}: malformed JSON: {exc.msg}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str) or not isinstance(doc.get("quotes"), list):
            raise GoldFileError(f"{path}:{number}: a gold document needs 'text' and a list of 'quotes'")
        doc.setdefault("doc_id", f"{path.name}:{number}")
        documents.append(doc)
    if not documents:
        raise GoldFileError(f"{path}: no gold documents")
    return documents


def prepare(documents: Sequence[dict[str, Any]], nlp: Language, lexicon: CueLexicon | None = None,
            batch_size: int = 16, progress: Callable[[int], None] | None = None) -> list[Example]:
    """Parse gold documents and turn them into tagger examples."""
    from kg.extract.cue_classes import belief_lemmas

    lexicon = lexicon or default_lexicon()
    beliefs = belief_lemmas()
    examples = []
    for doc, gold in nlp.pipe(((d["text"], d) for d in documents), as_tuples=True, batch_size=batch_size):
        ids, feats = token_features(doc, lexicon, find_quotes(doc.text), beliefs)
        chars = np.array([(t.idx, t.idx + len(t.text)) for t in doc], dtype="int64").reshape(-1, 2)
        examples.append(Example(str(gold["doc_id"]), ids, feats, gold_tags(doc, gold["quotes"]), gold["quotes"],
                                chars, *token_layout(doc)))
        if progress:
            progress(1)
    return examples


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter / max(a[1] - a[0], b[1] - b[0], 1) if inter > 0 else 0.0


def score_links(examples: Iterable[Example], predicted: Iterable[list[tuple]]) -> dict[str, float]:
    """P/R/F1 of linked predictions: content overlap >= 0.3 and the source span overlapping the gold's (or both none).

    ``predicted``: per example, ``(content_chars, source_chars or None)`` pairs.
    """
    tp = n_pred = n_gold = 0
    for example, preds in zip(examples, predicted):
        gold = [(tuple(g["content_span"]), tuple(g["speaker_span"]) if g.get("speaker_span") else None)
                for g in example.gold if g.get("content_span")]
        n_gold += len(gold)
        n_pred += len(preds)
        used: set[int] = set()
        for content, source in preds:
            best, best_k = 0.0, None
            for k, (g_content, _) in enumerate(gold):
                if k not in used and (o := _overlap(content, g_content)) > best:
                    best, best_k = o, k
            if best_k is None or best < 0.3:
                continue
            g_source = gold[best_k][1]
            if (g_source is None and source is None) or (g_source and source and _overlap(source, g_source) > 0):
                tp += 1
            used.add(best_k)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"dev_p": p, "dev_r": r, "dev_f1": 2 * p * r / (p + r) if p + r else 0.0}


def predict_probs(network: Model, items: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
                  batch_size: int = 64, selected: Sequence[list[tuple[int, int]] | None] | None = None
                  ) -> list[np.ndarray]:
    """Tag probabilities for whole documents, ``(ids, feats, sentence)`` each, read chunk by chunk.

    ``selected``: per document, the chunks to read (``None``: all); tokens of the other
    chunks get ``O`` for certain.  Chunks of all documents are batched together.
    """
    pieces = []
    for k, (_, _, sentence) in enumerate(items):
        wanted = selected[k] if selected is not None and selected[k] is not None else chunks(sentence)
        pieces.extend((k, a, b) for a, b in wanted)
    out = [np.tile(np.eye(len(TAGS), dtype="float32")[0], (len(sentence), 1)) for _, _, sentence in items]
    pieces.sort(key=lambda piece: piece[2] - piece[1])  # chunks of like length together: less padding
    for i in range(0, len(pieces), batch_size):
        batch = pieces[i:i + batch_size]
        probs = network.predict([(items[k][0][a:b], items[k][1][a:b]) for k, a, b in batch])
        for (k, a, b), p in zip(batch, probs):
            out[k][a:b] = np.asarray(p)
    return out


def predict_links(network: Model, examples: Sequence[Example]) -> list[list[tuple]]:
    """Per example, the linked ``(content_chars, source_chars or None)`` the network predicts."""
    probs = predict_probs(network, [(e.ids, e.feats, e.sentence) for e in examples])
    return [link_tokens(e, decode(np.log(p + 1e-9))) for e, p in zip(examples, probs)]


def link_tokens(example: Example, spans) -> list[tuple]:
    """Linked attributions of one example, in characters."""
    chars = example.token_chars
    links = link(spans, example.sentence, example.punct)
    return [((int(chars[a.content[0], 0]), int(chars[a.content[1] - 1, 1])),
             (int(chars[a.source[0], 0]), int(chars[a.source[1] - 1, 1])) if a.source else None) for a in links]


def train(examples: Sequence[Example], *, dev: Sequence[Example] = (), config: TaggerConfig | None = None,
          epochs: int = 8, batch_size: int = 32, learn_rate: float = 0.002,
          progress: Callable[[int], None] | None = None, command: str = "",
          files: tuple[str, str] = ("", "")) -> TrainResult:
    """Train a tagger on ``examples``; keep the epoch with the best dev figure (the last one without dev)."""
    config = config or TaggerConfig()
    fix_random_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    network = build_network(config)
    network.initialize(X=[(e.ids[:50], e.feats[:50]) for e in examples[:4]])
    optimizer = Adam(learn_rate, grad_clip=1.0)
    history: list[dict[str, float]] = []
    best_bytes, best_score = None, -1.0
    started = time.monotonic()
    eye = np.eye(len(TAGS), dtype="float32")
    pieces = [(e, a, b) for e in examples for a, b in chunks(e.sentence)]
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(pieces))
        loss = 0.0
        for start in range(0, len(order), batch_size):
            batch = [pieces[k] for k in order[start:start + batch_size]]
            probs, backprop = network.begin_update([(e.ids[a:b], e.feats[a:b]) for e, a, b in batch])
            grads = []
            for (e, a, b), p in zip(batch, probs):
                truth = eye[e.tags[a:b]]
                grads.append((p - truth).astype("float32"))
                loss += float(-np.log(np.maximum((p * truth).sum(axis=1), 1e-9)).sum())
            backprop(grads)
            network.finish_update(optimizer)
            if progress:  # in documents' worth of chunks
                progress(len(batch) * len(examples) / len(pieces))
        figures: dict[str, float] = {"epoch": epoch, "loss": loss / max(1, sum(len(e.tags) for e in examples))}
        if dev:
            figures.update(score_links(dev, predict_links(network, dev)))
        history.append(figures)
        log.info("epoch %d: %s", epoch, ", ".join(f"{k} {v:.4f}" for k, v in figures.items() if k != "epoch"))
        score = figures.get("dev_f1", float(epoch))
        if score > best_score:
            best_score, best_bytes = score, network.to_bytes()
    if best_bytes is not None:
        network.from_bytes(best_bytes)
    config.trained = {
        "date": date.today().isoformat(), "epochs": epochs, "train_documents": len(examples),
        "dev_documents": len(dev), "seconds": round(time.monotonic() - started, 1), "command": command,
        "train_file": files[0], "dev_file": files[1],
        "best": max(history, key=lambda h: h.get("dev_f1", h["epoch"])) if history else {},
    }
    return TrainResult(network=network, config=config, history=history)



def train_model(gold: Path | str, out: Path | str, *, dev: Path | str | None = None, nlp: Language | None = None,
                config: TaggerConfig | None = None, epochs: int = 8, batch_size: int = 32,
                learn_rate: float = 0.002, progress: Callable[[int], None] | None = None, stage: Callable[[str, int], None] | None = None,
                command: str = "") -> TrainResult:
    """Read and parse the gold files, train, and save the model (weights, config, card) to ``out``.

    ``stage(name, total)`` is called before each step (parsing, training) with the
    number of ``progress`` units it will report.
    """
    from kg.extract.learned.network import save_model
    from kg.extract.model import load_model

    nlp = nlp or load_model()
    train_docs = read_gold(gold)
    dev_docs = read_gold(dev) if dev is not None else []
    if stage:
        stage("parsing the gold documents", len(train_docs) + len(dev_docs))
    examples = prepare(train_docs, nlp, progress=progress)
    dev_examples = prepare(dev_docs, nlp, progress=progress) if dev_docs else []
    if stage:
        stage("training", epochs * len(examples))
    result = train(examples, dev=dev_examples, config=config, epochs=epochs, batch_size=batch_size,
                   learn_rate=learn_rate, progress=progress, command=command,
                   files=(Path(gold).name, Path(dev).name if dev else ""))
    save_model(result.network, result.config, out, card=result.card)  # the card names the weights' hash
    return result
