"""Keeping kg writers out of a store while an Oxigraph server reads it.

``oxigraph serve-read-only`` takes no lock (RocksDB read-only mode), and Oxigraph
says that reading a store while another process writes it is undefined behaviour.
Without help, ``kg ingest`` started while the server runs would open the store
read-write and write under the server's feet.  RocksDB's own lock is a POSIX
record lock (``fcntl(F_SETLK)``) on ``<store>/LOCK``; holding a write lock on that
file makes every RocksDB writer (kg, pyoxigraph, ``oxigraph serve``) fail to open
the store with "LOCK: Resource temporarily unavailable", which kg reports as
:class:`kg.store.StoreLockedError` (exit code 3).

On Linux the lock is an *open file description* lock (``F_OFD_SETLK``): it
conflicts with RocksDB's lock even inside the same process, and closing some other
descriptor of the file does not drop it (a classic POSIX lock would be released by
any ``close()`` of the file in the process).  Elsewhere on POSIX a classic
``lockf`` lock is used (it keeps out other processes only); without ``fcntl``
(Windows) nothing is locked and a warning is logged.  Readers take no lock, so
``kg claims`` and friends keep working while the server runs.
"""

from __future__ import annotations

import errno
import logging
import os
import struct
from pathlib import Path

from kg.store import StoreLockedError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

__all__ = ["WriterLock"]

_BUSY = {errno.EAGAIN, errno.EACCES}


class WriterLock:
    """A write lock on ``<store>/LOCK`` that RocksDB writers respect; ``with`` releases it."""

    def __init__(self, store_path: Path | str) -> None:
        self.path = Path(store_path) / "LOCK"
        self._fd: int | None = None
        self.kind: str = "none"  # "ofd", "posix" or "none" once acquired

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> WriterLock:
        """Take the lock; :class:`StoreLockedError` if a writer holds the store."""
        if self._fd is not None:
            return self
        if fcntl is None:  # pragma: no cover - Windows
            log.warning("cannot lock %s on this platform: kg writers are not kept out while the server runs",
                        self.path)
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            ofd = getattr(fcntl, "F_OFD_SETLK", None)
            if ofd is not None:
                # struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for OFD locks)
                fcntl.fcntl(fd, ofd, struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
                self.kind = "ofd"
            else:  # pragma: no cover - non-Linux POSIX
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.kind = "posix"
        except OSError as exc:
            os.close(fd)
            if exc.errno in _BUSY:
                raise StoreLockedError(f"store {self.path.parent} is in use by another kg process") from exc
            raise
        self._fd = fd
        log.debug("holding the writer lock %s (%s)", self.path, self.kind)
        return self

    def release(self) -> None:
        """Drop the lock.  Idempotent."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock
            log.debug("released the writer lock %s", self.path)

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()
