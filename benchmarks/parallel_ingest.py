"""Where extraction runs: end-to-end ingest words/s against bare spaCy, local workers, a Dask cluster.

    python benchmarks/parallel_ingest.py [--docs 1500] [--corpus ../shared/corpora/reuters21578.jsonl]

A fixed sample (every k-th Reuters story) is written to a JSON Lines file, then,
in one run so that machine noise hits all of them alike:

1. bare ``nlp.pipe`` of the installed model over the texts, one process;
2. bare ``nlp.pipe(n_process=2)`` (spaCy's own multiprocessing);
3. ``kg ingest`` end to end into a new store (read, extract, store, resolve,
   detect), the CLI in a subprocess, with ``--workers 1`` and ``--workers 2``;
4. ``kg ingest --scheduler`` on a Dask ``LocalCluster`` of two single-threaded
   worker processes started here (their start-up is not timed: a cluster is
   already running when kg is pointed at it; the model loads on first use).

Printed: seconds, words/s, and each figure as a ratio to bare ``nlp.pipe``.
Subprocess runs include interpreter and model start-up (~3 s), as a user sees them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"


def sample(corpus: Path, n: int, folder: Path) -> tuple[Path, list[str]]:
    lines = corpus.read_text(encoding="utf-8").splitlines()
    step = max(1, len(lines) // n)
    chosen = lines[::step][:n]
    path = folder / "sample.jsonl"
    path.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    return path, [json.loads(line)["text"] for line in chosen]


def bare(texts: list[str], n_process: int) -> float:
    import spacy

    from kg.extract.model import default_model_name

    nlp = spacy.load(default_model_name())
    list(nlp.pipe(texts[:20]))
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=16, n_process=n_process):
        pass
    return time.perf_counter() - t0


def kg_ingest(path: Path, store: Path, *extra: str) -> tuple[float, dict]:
    cmd = [sys.executable, "-m", "kg", "ingest", str(path), "--store", str(store), "--format", "json", *extra]
    t0 = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, CI="true"))
    seconds = time.perf_counter() - t0
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stderr[-2000:]}")
    return seconds, json.loads(result.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1500)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    a = ap.parse_args()

    from distributed import LocalCluster

    with tempfile.TemporaryDirectory(prefix="kg-parallel-") as tmp:
        folder = Path(tmp)
        path, texts = sample(a.corpus, a.docs, folder)
        words = sum(len(t.split()) for t in texts)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"sample: {len(texts)} Reuters stories, {words} words\n")
        rows: list[tuple[str, float, str]] = []
        base = bare(texts, 1)
        rows.append(("bare nlp.pipe, 1 process", base, ""))
        rows.append(("bare nlp.pipe(n_process=2)", bare(texts, 2), ""))
        claims = {}
        for workers in (1, 2):
            seconds, summary = kg_ingest(path, folder / f"store-w{workers}", "--workers", str(workers))
            claims[f"w{workers}"] = summary["claims"]
            rows.append((f"kg ingest --workers {workers} (end to end)", seconds, f"{summary['claims']} claims"))
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster:
            seconds, summary = kg_ingest(path, folder / "store-dask", "--scheduler", cluster.scheduler_address)
            claims["dask"] = summary["claims"]
            rows.append(("kg ingest --scheduler (Dask, 2 workers)", seconds, f"{summary['claims']} claims"))
        print(f"{'run':44} {'seconds':>8} {'words/s':>8} {'vs bare':>8}")
        for name, seconds, note in rows:
            print(f"{name:44} {seconds:>8.1f} {words / seconds:>8.0f} {base / seconds:>8.2f}  {note}")
        w1 = next(s for n, s, _ in rows if "--workers 1" in n)
        w2 = next(s for n, s, _ in rows if "--workers 2" in n)
        dk = next(s for n, s, _ in rows if "Dask" in n)
        print(f"\nspeed-up --workers 2 over --workers 1: {w1 / w2:.2f}x; Dask 2 workers over --workers 1: {w1 / dk:.2f}x; "
              f"Dask over --workers 2: {w2 / dk:.2f}x")
        print(f"same claims in every kg run: {len(set(claims.values())) == 1} ({claims})")


if __name__ == "__main__":
    main()
