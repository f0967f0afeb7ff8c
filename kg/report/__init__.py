"""``kg report``: one self-contained HTML page about a claim store.

The page holds the claims table (live filter, sortable), a timeline per claimant
(marking where their story changed), the contradictions side by side, and the
claim graph (pan, zoom, hover and click for labels) — all inline, nothing fetched
when it is viewed::

    from kg.report import write_report
    from kg.store import ClaimStore

    with ClaimStore.open(".kg", read_only=True) as store:
        report = write_report(store, "report.html")
    print(report.summary())
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.report.data import DEFAULT_MAX_GRAPH_NODES, graph_data, normalise_contradiction, report_data
from kg.report.render import embed_json, render_html

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MAX_GRAPH_NODES",
    "Report",
    "build_report",
    "embed_json",
    "graph_data",
    "normalise_contradiction",
    "render_html",
    "report_data",
    "write_report",
]


@dataclass
class Report:
    """A rendered report and what it holds."""

    html: str
    claims: int  # claim appearances in the table
    claimants: int
    contradictions: int
    graph_nodes: int  # drawn
    graph_total_nodes: int  # claimants, claims and entities in the store
    detector: bool  # whether a contradiction detector was available
    path: Path | None = None

    @property
    def size(self) -> int:
        """Bytes of the page, UTF-8 encoded."""
        return len(self.html.encode("utf-8"))

    def summary(self) -> str:
        graph = f"graph {self.graph_nodes} of {self.graph_total_nodes} nodes"
        contradictions = f"{self.contradictions} contradictions" if self.detector else "no contradiction detector"
        return (f"{self.claims} claims, {self.claimants} claimants, {contradictions}, {graph}; "
                f"{self.size / 1024:.0f} KiB")


def _from_data(data: dict[str, Any]) -> Report:
    return Report(
        html=render_html(data),
        claims=len(data["claims"]),
        claimants=len(data["claimants"]),
        contradictions=len(data["contradictions"]),
        graph_nodes=len(data["graph"]["nodes"]),
        graph_total_nodes=int(data["graph"]["total_nodes"]),
        detector=bool(data["meta"].get("detector")),
    )


def build_report(
    store: Any,
    *,
    max_graph_nodes: int = DEFAULT_MAX_GRAPH_NODES,
    contradictions: list[dict[str, Any]] | None = None,
) -> Report:
    """Render the report of ``store`` (a :class:`kg.store.ClaimStore`).

    ``max_graph_nodes`` caps the drawn graph (whole claimants, those in a
    contradiction first, then by claims; the page says so when it is capped).
    ``contradictions`` (dicts of the ``kg contradictions --format json`` contract)
    replaces what the detector finds.
    """
    data = report_data(store, max_graph_nodes=max_graph_nodes, contradictions=contradictions)
    return _from_data(data)


def write_report(
    store: Any,
    path: Path | str,
    *,
    max_graph_nodes: int = DEFAULT_MAX_GRAPH_NODES,
    contradictions: list[dict[str, Any]] | None = None,
) -> Report:
    """Write the report of ``store`` to ``path`` (atomically: a failed write leaves no
    truncated file) and return it, with ``path`` set."""
    from kg.export.atomic import atomic_path

    report = build_report(store, max_graph_nodes=max_graph_nodes, contradictions=contradictions)
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(report.html, encoding="utf-8")
    report.path = target
    log.info("wrote report %s (%s)", target, report.summary())
    return report
