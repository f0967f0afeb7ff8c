"""Extraction throughput as a ratio to bare ``nlp.pipe`` of the same model on the same texts.

    python benchmarks/extract_speed.py [--docs 300] [--corpus ../shared/corpora/reuters21578.jsonl]

A fixed sample (every k-th story of the Reuters-21578 corpus) is parsed twice in one
process, alternating the order over ``--rounds`` rounds so machine noise hits both:
once with the plain pipeline (``en_core_web_sm`` as installed, ``nlp.pipe``), then
through ``kg.extract.iter_claims`` with the rules alone and with the learned
attribution tagger (when one is installed), all in one run.  It prints words/s of each
and the ratio extraction / bare (higher is better; the target is >= 0.85).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import spacy

from kg.extract import iter_claims, load_model
from kg.extract.learned import shipped_model_available
from kg.extract.settings import ExtractorSettings
from kg.extract.model import default_model_name
from kg.records import Document

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "reuters21578.jsonl"


def sample(corpus: Path, n: int) -> list[Document]:
    lines = corpus.read_text(encoding="utf-8").splitlines()
    step = max(1, len(lines) // n)
    docs = []
    for line in lines[::step][:n]:
        d = json.loads(line)
        docs.append(Document(id=d["id"], text=d["text"], date=d.get("date"), outlet=d.get("source")))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    a = ap.parse_args()

    docs = sample(a.corpus, a.docs)
    texts = [d.text for d in docs]
    words = sum(len(t.split()) for t in texts)
    bare = spacy.load(default_model_name())  # the model as installed, untouched
    ours = load_model()
    runs = {"rules": ExtractorSettings(extractor="rules")}
    if shipped_model_available():
        runs["model"] = ExtractorSettings(extractor="model")
    list(bare.pipe(texts[:20]))  # warm-up all
    for settings in runs.values():
        list(iter_claims(docs[:20], ours, settings=settings))

    times: dict[str, list[float]] = {"bare": [], **{name: [] for name in runs}}
    n_claims: dict[str, int] = {}
    for r in range(a.rounds):
        order = list(times) if r % 2 == 0 else list(reversed(times))
        for which in order:
            t0 = time.perf_counter()
            if which == "bare":
                for _ in bare.pipe(texts, batch_size=16):
                    pass
            else:
                n_claims[which] = sum(len(c) for _, c in iter_claims(docs, ours, settings=runs[which]))
            times[which].append(time.perf_counter() - t0)
    b = statistics.median(times["bare"])
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"spaCy {spacy.__version__}, model {default_model_name()} {bare.meta.get('version')}")
    print(f"sample: {len(docs)} Reuters stories, {words:,} words; {a.rounds} rounds, medians")
    print(f"bare nlp.pipe     {b:7.2f} s   {words / b:8.0f} words/s")
    for name in runs:
        k = statistics.median(times[name])
        print(f"kg --extractor {name:5s} {k:7.2f} s   {words / k:8.0f} words/s   ({n_claims[name]} claims)   "
              f"ratio to bare {b / k:6.3f}  (target >= 0.85)")


if __name__ == "__main__":
    main()
