#!/usr/bin/env python
"""Contradiction detection at 100k claims, and how it grows when the store doubles (issue 5).

Builds a store of ~``--claims`` resolved claims (default 100,000) from graph_scale.py's
synthetic articles (same generator and seed; see that file), copies it, and grows the
copy to twice as many claims (``--doubling time``: the next two years of news, the same
number of claims a day; ``--doubling density``: twice the news over the same two years).
Then, in a fresh worker process per store, with its peak RSS:

* ``kg.pipeline.detect(store, force=True)``, by step: read the claims
  (``read_detection_claims``), analyse them and find the candidate pairs
  (``analyse`` + ``candidate_pairs``), the rule checks on the candidates (the rest of
  ``detect_contradictions``), build the quads and write them (``replace_derived``);
  candidate pairs and contradictions found; then a second forced detect that changes
  nothing (what a re-detection after ``kg resolve`` costs when no claim changed);
* planted contradictions: the generator (``Newsroom(plant=...)``) plants a few real
  pairs (a count given differently within 3 days, a statement and its negation or
  denial, opposite words of the same place), said by two claimants; how many the
  detector finds (recall on the planted pairs);
* in a fresh read-only process: ``find_contradictions(store)`` (all), with ``about=``
  and ``by=`` a frequent and a rare entity, ``timeline(store, X)`` for a frequent and a
  rare X (median of a few calls), and the command line end to end
  (``kg contradictions --format json``, ``kg timeline X``: wall time of the process).

Growth: each figure at 2N over the figure at N; linear growth is ~2x, quadratic ~4x.
The generator's texts already give the detector work: ~27% of claims are negated
("would not", "there was no evidence"), ~22% carry a figure ("72 people", "by 12
percent", "worth 40 billion dollars") and ~21% an opposites word ("increase",
"withdraw", "dangerous"); nothing is added to them but the planted pairs.

Nothing here asserts on timings: it prints tables and, last, one JSON line.

    .venv/bin/python benchmarks/contradiction_scale.py            # 100k and 200k claims, ~60 min
    .venv/bin/python benchmarks/contradiction_scale.py --quick    # 5k and 10k claims, ~1.5 min
    .venv/bin/python benchmarks/contradiction_scale.py --store /tmp/kgc --keep   # keep both stores
    .venv/bin/python benchmarks/contradiction_scale.py --store /tmp/kgc --keep   # again: reuses them
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
# graph_scale imports only the standard library at the top, so the parent stays small
from graph_scale import (  # noqa: E402
    DAYS, SEED, START_DAY, Newsroom, Timers, _run, dir_size, fmt_s, ingest, log, machine, peak_rss_mb, table,
    timed_resolve,
)

DEFAULT_CLAIMS = 100_000
QUICK_CLAIMS = 5_000
PLANT = 0.003  # share of articles starting a planted contradiction (~115 pairs per 100k claims)
QUERY_RUNS = 3  # calls per query in the query worker (median)
CLI_RUNS = 3  # command-line runs (median)
META = "contradiction_scale.json"

# --------------------------------------------------------------------------- workers


def _articles(room: Newsroom, claims: int) -> list[tuple[Any, list[Any]]]:
    """The next articles of the stream until ``claims`` claims have been generated in all."""
    docs = []
    while room.stats["claims"] < claims:
        docs.append(room.article())
    return docs


def worker_build(cfg: dict[str, Any]) -> dict[str, Any]:
    """Part 1: a new store of ``claims`` claims.  Part 2: grow a copy of it to ``2 * claims``."""
    from kg.store import ClaimStore

    room = Newsroom(cfg["seed"], plant=PLANT)
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    docs = _articles(room, cfg["claims"])
    if cfg["part"] == 2:
        before = room.stats["claims"]
        if cfg["doubling"] == "time":
            room.start = START_DAY + timedelta(days=DAYS)  # the next two years
        docs = _articles(room, before + cfg["claims"])  # the stream goes on
    out["generate_s"] = time.perf_counter() - t0
    log(f"part {cfg['part']}: {len(docs):,} articles to ingest ({out['generate_s']:.1f} s to generate)")
    store = ClaimStore.open(cfg["store"])
    out["ingest"] = ingest(store, docs, _run(), f"ingest part {cfg['part']}")
    log("resolving ...")
    res, out["resolve_s"], out["resolve_steps"] = timed_resolve(store)
    out["resolve"] = res.to_json()
    out["triples"] = store.count_triples()
    t0 = time.perf_counter()
    store.close()
    out["close_s"] = time.perf_counter() - t0
    out["peak_rss_mb"] = peak_rss_mb()
    out["generated"] = dict(room.stats)
    out["first_day"] = min(d.date for d, _ in docs)
    out["last_day"] = max(d.date for d, _ in docs)
    out["planted"] = [p for p in room.planted if "doc_b" in p]  # both sides written
    ranked_by = sorted(room.claims_by.items(), key=lambda kv: (-kv[1], kv[0]))
    ranked_about = sorted(room.mentioned.items(), key=lambda kv: (-kv[1], kv[0]))
    out["ranked_by"], out["ranked_about"] = ranked_by[:3000], ranked_about[:3000]
    return out


def _text_key(text: str) -> str:
    return " ".join(text.lower().split())


def recall(planted: list[dict[str, Any]], claims: list[Any], found: list[Any]) -> dict[str, Any]:
    """Which planted pairs the detector found: a contradiction between a claim of each text."""
    text = {c.iri: _text_key(c.text) for c in claims}
    pairs = {frozenset((text.get(f.a, ""), text.get(f.b, ""))): f.kind for f in found}
    by_kind: dict[str, list[int]] = {}
    missed = []
    for p in planted:
        key = frozenset((_text_key(p["a"]), _text_key(p["b"])))
        hit = key in pairs
        by_kind.setdefault(p["kind"], [0, 0])
        by_kind[p["kind"]][0] += hit
        by_kind[p["kind"]][1] += 1
        if not hit:
            missed.append(p)
    return {"planted": len(planted), "found": len(planted) - len(missed), "by_kind": by_kind, "missed": missed[:10]}


def worker_detect(cfg: dict[str, Any]) -> dict[str, Any]:
    import kg.build.contradictions as bc
    import kg.pipeline as pipeline
    import kg.resolve.collect as collect
    import kg.resolve.contradictions as rc
    from kg.store import ClaimStore

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    store = ClaimStore.open(cfg["store"])
    out["open_s"] = time.perf_counter() - t0
    seen: dict[str, Any] = {}

    def keep(module: Any, attr: str) -> None:  # keep what a function returned, for the counts
        original = getattr(module, attr)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen[attr] = original(*args, **kwargs)
            return seen[attr]

        setattr(module, attr, wrapper)

    keep(collect, "read_detection_claims")
    keep(rc, "candidate_pairs")
    keep(rc, "detect_contradictions")
    t = Timers()
    t.wrap(collect, "read_detection_claims", "read")
    t.wrap(rc, "analyse", "analyse")
    t.wrap(rc, "candidate_pairs", "candidates")
    t.wrap(rc, "detect_contradictions", "detect_contradictions")
    t.wrap(bc, "contradiction_quads", "quads")
    t.wrap(store, "replace_derived", "write", instance=True)
    try:
        t0 = time.perf_counter()
        report = pipeline.detect(store, force=True)
        total = time.perf_counter() - t0
    finally:
        t.restore()
    s = t.spent
    rules = s["detect_contradictions"] - s["analyse"] - s["candidates"]
    out["steps"] = {
        "read claims (read_detection_claims)": s["read"],
        "analyse claims (analyse)": s["analyse"],
        "candidate pairs (candidate_pairs)": s["candidates"],
        "rule checks on the candidates": rules,
        "quads (contradiction_quads)": s["quads"],
        "write (replace_derived)": s["write"],
        "other (stamps, lexicon)": total - s["read"] - s["detect_contradictions"] - s["quads"] - s["write"],
    }
    out["detect_s"] = total
    out["report"] = report.to_json()
    claims, found = seen["read_detection_claims"], seen["detect_contradictions"]
    out["claims_read"] = len(claims)
    out["claims_compared"] = sum(1 for c in claims if c.claimant)
    out["candidates"] = len(seen["candidate_pairs"])
    out["found"] = len(found)
    out["recall"] = recall(cfg["planted"], claims, found)
    out["peak_rss_first_mb"] = peak_rss_mb()
    t0 = time.perf_counter()
    again = pipeline.detect(store, force=True)
    out["redetect_s"] = time.perf_counter() - t0
    out["redetect_changed"] = again.added + again.removed
    store.close()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def worker_query(cfg: dict[str, Any]) -> dict[str, Any]:
    from kg.query.contradictions import find_contradictions
    from kg.query.timeline import timeline
    from kg.store import ClaimStore

    out: dict[str, Any] = {"rss_before_open_mb": peak_rss_mb()}
    store = ClaimStore.open(cfg["store"], read_only=True)
    calls: list[tuple[str, Callable[[], list[Any]]]] = [("contradictions, all", lambda: find_contradictions(store))]
    for label, kw, x in cfg["xs"]:
        if kw == "timeline":
            calls.append((label, lambda x=x: timeline(store, x)))
        else:
            calls.append((label, lambda kw=kw, x=x: find_contradictions(store, **{kw: x})))
    results = []
    for label, call in calls:
        times, rows = [], 0
        for _ in range(QUERY_RUNS):
            t0 = time.perf_counter()
            rows = len(call())
            times.append(time.perf_counter() - t0)
        results.append({"label": label, "rows": rows, "s": statistics.median(times), "first_s": times[0]})
        log(f"  {label}: {rows:,} rows, {statistics.median(times) * 1000:.0f} ms")
    store.close()
    out["results"] = results
    out["peak_rss_mb"] = peak_rss_mb()
    return out


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "build": worker_build, "detect": worker_detect, "query": worker_query,
}

# --------------------------------------------------------------------------- parent


def spawn(worker: str, cfg: dict[str, Any], work: Path) -> dict[str, Any]:
    path = work / f"{worker}.json"
    path.write_text(json.dumps(cfg))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--worker", worker, "--config", str(path)],
                          stdout=subprocess.PIPE, text=True)  # stderr (progress) goes straight through
    if proc.returncode != 0:
        raise SystemExit(f"the {worker} worker failed (exit {proc.returncode})")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_s"] = time.perf_counter() - t0
    return out


def cli(args: list[str]) -> dict[str, Any]:
    """``kg ARGS`` as a user runs it, output thrown away: median wall time and peak RSS of CLI_RUNS runs."""
    kg = Path(sys.executable).parent / "kg"
    times, rss = [], []
    for _ in range(CLI_RUNS):
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(kg), *args], stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - t0)
        if status != 0:
            raise SystemExit(f"kg {' '.join(args)} failed (status {status})")
        rss.append(usage.ru_maxrss / 1024)
    return {"args": args, "s": statistics.median(times), "runs": times, "peak_rss_mb": max(rss)}


def choose_xs(build: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A frequent and a rare claimant and entity, the rare ones from a planted pair (so they have rows)."""
    by_rank = {name: i for i, (name, _) in enumerate(build["ranked_by"])}
    about_rank = {name: i for i, (name, _) in enumerate(build["ranked_about"])}
    planted = build["planted"]
    rare_by = max((p[k] for p in planted for k in ("by_a", "by_b") if p[k] in by_rank), key=lambda n: (by_rank[n], n))
    places = [n for n in about_rank if any(n in p["a"] for p in planted)]
    rare_about = max(places, key=lambda n: (about_rank[n], n))
    top_by, top_about = build["ranked_by"][0][0], build["ranked_about"][0][0]
    return [
        (f"contradictions about={top_about!r} (frequent)", "about", top_about),
        (f"contradictions about={rare_about!r} (rare)", "about", rare_about),
        (f"contradictions by={top_by!r} (frequent)", "by", top_by),
        (f"contradictions by={rare_by!r} (rare)", "by", rare_by),
        (f"timeline {top_by!r} (frequent)", "timeline", top_by),
        (f"timeline {rare_by!r} (rare)", "timeline", rare_by),
    ]


def ratio(a: float | None, b: float | None) -> str:
    return f"{b / a:.2f}x" if a and b is not None else "-"


def report(res: dict[str, Any]) -> str:
    n1, n2 = res["sizes"]
    b1, b2 = res["build"][n1], res["build"][n2]
    d1, d2 = res["detect"][n1], res["detect"][n2]
    q1, q2 = res["query"][n1], res["query"][n2]
    lines = [
        f"data: graph_scale's generator, seed {res['seed']}, planted pairs in {PLANT:.1%} of articles; "
        f"doubling by {res['doubling']}",
        f"store N: {b1['claims']:,} claims generated in {b1['articles']:,} articles ({b1['first_day']} .. "
        f"{b1['last_day']}), {b1['triples']:,} triples, {b1['disk_mb']:,.0f} MB",
        f"store 2N: {b2['claims']:,} claims in {b2['articles']:,} articles (.. {b2['last_day']}), "
        f"{b2['triples']:,} triples, {b2['disk_mb']:,.0f} MB",
        "",
    ]
    rows = [
        ["resolved claims read", f"{d1['claims_read']:,}", f"{d2['claims_read']:,}", ratio(d1["claims_read"], d2["claims_read"])],
        ["  compared (named claimant)", f"{d1['claims_compared']:,}", f"{d2['claims_compared']:,}",
         ratio(d1["claims_compared"], d2["claims_compared"])],
        ["candidate pairs", f"{d1['candidates']:,}", f"{d2['candidates']:,}", ratio(d1["candidates"], d2["candidates"])],
        ["contradictions found", f"{d1['found']:,}", f"{d2['found']:,}", ratio(d1["found"], d2["found"])],
        ["  by kind", ", ".join(f"{k} {v:,}" for k, v in sorted(d1["report"]["by_kind"].items())),
         ", ".join(f"{k} {v:,}" for k, v in sorted(d2["report"]["by_kind"].items())), ""],
        ["planted pairs found (recall)", f"{d1['recall']['found']} / {d1['recall']['planted']}",
         f"{d2['recall']['found']} / {d2['recall']['planted']}", ""],
        ["detect(store, force=True)", fmt_s(d1["detect_s"]), fmt_s(d2["detect_s"]), ratio(d1["detect_s"], d2["detect_s"])],
    ]
    for step in d1["steps"]:
        rows.append([f"  {step}", fmt_s(d1["steps"][step]), fmt_s(d2["steps"][step]),
                     ratio(d1["steps"][step], d2["steps"][step])])
    rows += [
        ["  rule checks per candidate pair",
         f"{d1['steps']['rule checks on the candidates'] / max(1, d1['candidates']) * 1e6:.1f} µs",
         f"{d2['steps']['rule checks on the candidates'] / max(1, d2['candidates']) * 1e6:.1f} µs", ""],
        ["detect again, nothing changed", fmt_s(d1["redetect_s"]), fmt_s(d2["redetect_s"]),
         ratio(d1["redetect_s"], d2["redetect_s"])],
        ["peak RSS, detect worker", f"{d1['peak_rss_mb']:,.0f} MB", f"{d2['peak_rss_mb']:,.0f} MB",
         ratio(d1["peak_rss_mb"], d2["peak_rss_mb"])],
        ["(build: ingest / resolve)", f"{b1['ingest_s']:.0f} / {b1['resolve_s']:.0f} s",
         f"+{b2['ingest_s']:.0f} / {b2['resolve_s']:.0f} s", ""],
    ]
    lines.append(table(["detection", "N", "2N", "2N / N"], rows))
    lines.append("")
    qrows = []
    for r1, r2 in zip(q1["results"], q2["results"]):
        qrows.append([r1["label"], f"{fmt_s(r1['s'])} ({r1['rows']:,})", f"{fmt_s(r2['s'])} ({r2['rows']:,})",
                      ratio(r1["s"], r2["s"])])
    qrows.append(["peak RSS, query worker", f"{q1['peak_rss_mb']:,.0f} MB", f"{q2['peak_rss_mb']:,.0f} MB", ""])
    for c1, c2 in zip(res["cli"][n1], res["cli"][n2]):
        qrows.append([f"$ kg {c1['label']}", f"{fmt_s(c1['s'])}, {c1['peak_rss_mb']:,.0f} MB",
                      f"{fmt_s(c2['s'])}, {c2['peak_rss_mb']:,.0f} MB", ratio(c1["s"], c2["s"])])
    lines.append(table([f"queries (read-only, median of {QUERY_RUNS}; rows); CLI: median of {CLI_RUNS} processes",
                        "N", "2N", "2N / N"], qrows))
    for n in (n1, n2):
        missed = res["detect"][n]["recall"]["missed"]
        if missed:
            lines.append(f"missed planted pairs at {n:,}: " + "; ".join(f"{p['kind']}: {p['a']!r} / {p['b']!r}" for p in missed))
    lines.append("")
    lines.extend(machine())
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claims", type=int, default=None, help=f"claims in the first store (default {DEFAULT_CLAIMS:,})")
    ap.add_argument("--quick", action="store_true", help=f"smoke run: {QUICK_CLAIMS:,} and {2 * QUICK_CLAIMS:,} claims")
    ap.add_argument("--doubling", choices=["time", "density"], default="time",
                    help="the second store adds two more years of news (time) or doubles the news of the same two years")
    ap.add_argument("--store", type=Path, help="folder for the two stores (default: a temp dir); reused if it holds them")
    ap.add_argument("--keep", action="store_true", help="keep the stores at the end")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](json.loads(args.config.read_text()))))
        return
    n = args.claims or (QUICK_CLAIMS if args.quick else DEFAULT_CLAIMS)
    t_all = time.perf_counter()
    created = args.store is None or not args.store.exists()
    base = args.store if args.store is not None else Path(tempfile.mkdtemp(prefix="kg-contradiction-scale-"))
    stores = {n: base / f"claims-{n}", 2 * n: base / f"claims-{2 * n}"}
    meta_path = base / META
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    key = f"{args.seed}/{n}/{args.doubling}"
    reuse = meta.get("key") == key and all(p.exists() for p in stores.values())
    if not reuse and any(p.exists() for p in [*stores.values(), meta_path]):
        ap.error(f"--store {base} holds stores of another run: give a new or empty folder")
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kg-contradiction-scale-work-"))
    res: dict[str, Any] = {"seed": args.seed, "doubling": args.doubling, "sizes": [n, 2 * n], "reused": reuse}
    try:
        if reuse:
            log(f"reusing the stores in {base} (their contradictions graphs are replaced)")
            builds = meta["build"]
        else:
            cfg = {"seed": args.seed, "claims": n, "doubling": args.doubling}
            log(f"building a store of {n:,} claims ...")
            b1 = spawn("build", {**cfg, "part": 1, "store": str(stores[n])}, work)
            log(f"copying it and growing the copy to {2 * n:,} claims ...")
            shutil.copytree(stores[n], stores[2 * n])
            b2 = spawn("build", {**cfg, "part": 2, "store": str(stores[2 * n])}, work)
            builds = {}
            for size, b, base_claims in ((n, b1, 0), (2 * n, b2, b1["generated"]["claims"])):
                builds[str(size)] = {
                    "claims": b["generated"]["claims"], "articles": b["generated"]["articles"],
                    "first_day": b1["first_day"], "last_day": max(b1["last_day"], b["last_day"]),
                    "triples": b["triples"], "ingest_s": b["ingest"]["s"], "resolve_s": b["resolve_s"],
                    "resolve": b["resolve"], "build_peak_rss_mb": b["peak_rss_mb"], "planted": b["planted"],
                    "ranked_by": b["ranked_by"], "ranked_about": b["ranked_about"], "new_claims": b["generated"]["claims"] - base_claims,
                }
            meta = {"key": key, "build": builds}
            meta_path.write_text(json.dumps(meta))
        res["build"] = {size: {**builds[str(size)], "disk_mb": dir_size(stores[size]) / 1e6} for size in stores}
        xs = choose_xs(builds[str(n)])
        res["xs"] = xs
        res["detect"], res["query"], res["cli"] = {}, {}, {}
        for size, path in stores.items():
            log(f"detecting at {size:,} claims ...")
            res["detect"][size] = d = spawn("detect", {"store": str(path), "planted": builds[str(size)]["planted"]}, work)
            log(f"  {d['detect_s']:.1f} s, {d['candidates']:,} candidates, {d['found']:,} contradictions, "
                f"planted {d['recall']['found']}/{d['recall']['planted']}")
        for size, path in stores.items():
            log(f"queries at {size:,} claims ...")
            res["query"][size] = spawn("query", {"store": str(path), "xs": xs}, work)
            top, rare = xs[4][2], xs[5][2]
            res["cli"][size] = [
                {"label": "contradictions --format json", **cli(["contradictions", "--store", str(path), "--format", "json"])},
                {"label": f"timeline {top!r}", **cli(["timeline", top, "--store", str(path)])},
                {"label": f"timeline {rare!r}", **cli(["timeline", rare, "--store", str(path)])},
            ]
        res["build"] = {k: {kk: vv for kk, vv in v.items() if kk not in ("ranked_by", "ranked_about", "planted")}
                        for k, v in res["build"].items()}
        res["total_s"] = time.perf_counter() - t_all
        res["machine"] = machine()
        print(report(res))
        print(f"(total {res['total_s']:.0f} s)")
        print(json.dumps(res, separators=(",", ":")))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if args.keep:
            log(f"stores kept in {base}")
        elif created:
            shutil.rmtree(base, ignore_errors=True)
        else:  # only what this run made or reused: never the rest of a folder it was given
            for path in stores.values():
                shutil.rmtree(path, ignore_errors=True)
            meta_path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
