"""kg's errors: one base class carrying the exit code the command line ends with.

Library code raises a :class:`KgError` subclass (each module keeps its own, e.g.
:class:`kg.store.StoreError`); the command line has one handler that prints the
message and exits with :attr:`KgError.exit_code`.  The codes (:class:`ExitCode`) are
documented in the README and in ``kg --help``.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode", "KgError", "OutputError"]


class ExitCode(IntEnum):
    """What a ``kg`` command's exit status means."""

    OK = 0
    #: the run finished, but some inputs were skipped (each reported with file and line)
    PARTIAL = 1
    #: a usage, input-path, option-file or query error: nothing was done
    USAGE = 2
    #: the store is missing, in use by another process, or not a kg store
    STORE = 3
    #: the spaCy model (or the oxigraph server binary) is not installed
    MISSING = 4
    #: something kg talks to cannot be reached or used (Dask scheduler, SPARQL server or endpoint)
    UNREACHABLE = 5
    #: the endpoint answered with an error
    REMOTE = 6
    #: the run stopped: writing failed (disk full, file too large, read-only file system, ...);
    #: what was stored or written before stays whole, nothing is half-written
    WRITE_FAILED = 7
    #: interrupted (Ctrl-C); what was finished is kept
    INTERRUPTED = 130
    #: the reader of the output went away (``kg extract ... | head``): ended quietly, as Unix tools do
    BROKEN_PIPE = 141


class KgError(Exception):
    """Base of kg's errors; ``exit_code`` is the status the command line exits with."""

    exit_code: ExitCode = ExitCode.USAGE


class OutputError(KgError):
    """Writing an output (the store, an export, a report) failed, e.g. the disk is full."""

    exit_code = ExitCode.WRITE_FAILED
