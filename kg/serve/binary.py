"""Finding the ``oxigraph`` server binary (the ``oxigraph`` package on PyPI ships it)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from kg.errors import ExitCode, KgError

__all__ = ["OXIGRAPH_REQUIREMENT", "OxigraphNotFoundError", "find_oxigraph"]

#: what to install to get the binary (the same Oxigraph as the pyoxigraph kg stores with)
OXIGRAPH_REQUIREMENT = "oxigraph==0.5.13"


class OxigraphNotFoundError(KgError, FileNotFoundError):
    """The ``oxigraph`` server binary is not installed."""

    exit_code = ExitCode.MISSING


def find_oxigraph(explicit: str | Path | None = None) -> Path:
    """The ``oxigraph`` executable: ``explicit``, else ``$KG_OXIGRAPH``, else the one next to
    ``sys.executable`` (the virtualenv's ``bin/``), else the first on ``PATH``.

    Raises :class:`OxigraphNotFoundError` naming the package to install.
    """
    wanted = explicit or os.environ.get("KG_OXIGRAPH")
    if wanted:
        path = Path(wanted)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise OxigraphNotFoundError(f"the oxigraph binary {path} does not exist or is not executable")
    name = "oxigraph.exe" if os.name == "nt" else "oxigraph"
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise OxigraphNotFoundError(
        f"the oxigraph server binary is not installed (looked in {beside.parent} and on PATH); "
        f"install it with: pip install {OXIGRAPH_REQUIREMENT}"
    )
