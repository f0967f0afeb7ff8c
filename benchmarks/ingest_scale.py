"""Peak memory and speed of a whole ``kg ingest`` run as the corpus grows.

    python benchmarks/ingest_scale.py [--fractions 0.25 1] [--workers 1] [--scheduler local2]
                                      [--corpus ../shared/corpora/reuters21578.jsonl]

For each fraction, the first fraction of the corpus's stories is written to a
temporary JSON Lines file and ingested into a new store by the real CLI
(``kg ingest FILE --store DIR --format json``) in a subprocess.  A sampler reads the
resident memory (RSS) of that process and of all its children (extraction
workers) every 0.2 s with psutil, so the peak is the peak of the whole process
tree, extraction workers included.  Printed per run: stories, words, claims,
seconds, words/s, the peak RSS of the tree during extraction (reading, parsing,
storing) and during the final whole-store resolution and contradiction detection
(told apart by kg's own log line "extraction done"), and the peak of the main
process.

``--scheduler local2`` starts a Dask ``LocalCluster`` of two single-threaded
worker processes in this process and passes its address to ``kg ingest
--scheduler``; its workers' memory is then outside the sampled tree and is
sampled separately (the cluster's worker processes are children of this one).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"
KG = [sys.executable, "-m", "kg"]


class Sampler(threading.Thread):
    """Samples the RSS of a process tree (and of extra processes) until stopped."""

    def __init__(self, pid: int, extra: list[int] | None = None, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.extra, self.every = pid, extra or [], every
        self.peak_tree = self.peak_main = self.peak_extra = 0
        self.peak_at = 0.0
        self.phase = "extract"
        self.peaks: dict[str, int] = {"extract": 0, "resolve": 0}
        self.t0 = time.perf_counter()
        self._halt = threading.Event()

    def _rss(self, pid: int, children: bool) -> int:
        try:
            p = psutil.Process(pid)
            procs = [p] + (p.children(recursive=True) if children else [])
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def run(self) -> None:
        while not self._halt.is_set():
            main = self._rss(self.pid, children=False)
            tree = self._rss(self.pid, children=True)
            extra = sum(self._rss(pid, children=True) for pid in self.extra)
            self.peak_main = max(self.peak_main, main)
            self.peak_extra = max(self.peak_extra, extra)
            if tree > self.peak_tree:
                self.peak_tree, self.peak_at = tree, time.perf_counter() - self.t0
            self.peaks[self.phase] = max(self.peaks[self.phase], tree)
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def subset(corpus: Path, fraction: float, folder: Path) -> tuple[Path, int, int]:
    lines = corpus.read_text(encoding="utf-8").splitlines()
    n = max(1, round(len(lines) * fraction))
    path = folder / f"stories-{n}.jsonl"
    path.write_text("\n".join(lines[:n]) + "\n", encoding="utf-8")
    words = sum(len(json.loads(line)["text"].split()) for line in lines[:n])
    return path, n, words


def run_once(path: Path, store: Path, workers: int, scheduler: str | None, extra_pids: list[int]) -> dict:
    cmd = KG + ["-v", "ingest", str(path), "--store", str(store), "--format", "json", "--workers", str(workers)]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    env = dict(os.environ, CI="true")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampler = Sampler(proc.pid, extra_pids)
    sampler.start()
    err_lines: list[str] = []

    def watch() -> None:  # kg's log says when extraction is over
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append(line)
            if "extraction done" in line:
                sampler.phase = "resolve"

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait()
    watcher.join()
    err = "".join(err_lines)
    seconds = time.perf_counter() - t0
    sampler.stop()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kg ingest failed ({proc.returncode}):\n{err[-2000:]}")
    summary = json.loads(out)
    return {
        "seconds": seconds,
        "summary": summary,
        "peak_tree": sampler.peak_tree,
        "peak_main": sampler.peak_main,
        "peak_extra": sampler.peak_extra,
        "peak_at": sampler.peak_at,
        "peak_extract": sampler.peaks["extract"],
        "peak_resolve": sampler.peaks["resolve"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--fractions", type=float, nargs="+", default=[0.25, 1.0])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--scheduler", choices=["local2"], default=None,
                    help="local2: a Dask LocalCluster of two single-threaded workers started here")
    a = ap.parse_args()

    cluster = None
    address = None
    extra: list[int] = []
    if a.scheduler == "local2":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        address = cluster.scheduler_address
        with Client(address) as client:
            extra = list(client.run(os.getpid).values())

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"corpus: {a.corpus.name}; workers={a.workers}; scheduler={a.scheduler or '-'}")
    print(f"{'stories':>8} {'words':>10} {'claims':>7} {'seconds':>8} {'words/s':>8} "
          f"{'extract MB':>10} {'resolve MB':>10} {'main MB':>8} {'dask wkrs MB':>12}")
    with tempfile.TemporaryDirectory(prefix="kg-ingest-scale-") as tmp:
        for fraction in a.fractions:
            path, n, words = subset(a.corpus, fraction, Path(tmp))
            r = run_once(path, Path(tmp) / f"store-{n}", a.workers, address, extra)
            s = r["summary"]
            print(f"{n:>8} {words:>10} {s['claims']:>7} {r['seconds']:>8.1f} {words / r['seconds']:>8.0f} "
                  f"{r['peak_extract'] / 2**20:>10.0f} {r['peak_resolve'] / 2**20:>10.0f} "
                  f"{r['peak_main'] / 2**20:>8.0f} {r['peak_extra'] / 2**20:>12.0f}", flush=True)
    if cluster is not None:
        cluster.close()


if __name__ == "__main__":
    main()
