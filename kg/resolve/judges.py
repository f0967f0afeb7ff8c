"""Loading a local contradiction judge (an NLI model, say) named on the command line.

A judge is any callable ``judge(text_a, text_b) -> float``: the probability that the
two claims contradict each other (see :mod:`kg.resolve.contradictions`).  kg ships
none and downloads nothing; ``kg detect --judge my_nli.py:judge`` loads yours.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from pathlib import Path

from kg.errors import KgError
from kg.resolve.contradictions import Judge

log = logging.getLogger(__name__)

__all__ = ["JudgeLoadError", "load_judge"]


class JudgeLoadError(KgError, ValueError):
    """The judge named cannot be loaded (the message says why)."""


def load_judge(spec: str) -> Judge:
    """``"path/to/file.py:name"`` or ``"package.module:name"`` -> the callable ``name`` found there.

    The callable's ``name`` attribute (else its ``__name__``) is what reasons and the
    detection stamp record.
    """
    where, sep, name = spec.rpartition(":")
    if not sep or not where or not name:
        raise JudgeLoadError(f"--judge {spec!r}: expected FILE.py:NAME or MODULE:NAME")
    try:
        if where.endswith(".py"):
            path = Path(where)
            if not path.is_file():
                raise JudgeLoadError(f"--judge {spec!r}: no such file {path}")
            module_spec = importlib.util.spec_from_file_location(f"kg_judge_{path.stem}", path)
            if module_spec is None or module_spec.loader is None:
                raise JudgeLoadError(f"--judge {spec!r}: {path} is not a Python module")
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except JudgeLoadError:
        raise
    except Exception as exc:  # the user's module failed to import: say so, with its error
        raise JudgeLoadError(f"--judge {spec!r}: cannot load {where}: {type(exc).__name__}: {exc}") from exc
    judge = getattr(module, name, None)
    if not callable(judge):
        raise JudgeLoadError(f"--judge {spec!r}: {where} has no callable {name!r}")
    log.info("contradiction judge %s loaded from %s", getattr(judge, "name", name), where)
    return judge
