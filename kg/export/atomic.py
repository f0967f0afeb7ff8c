"""Write a file so that a failed write never leaves a truncated file behind."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = ["atomic_path", "remove_stale_temporaries"]

#: a temporary file of an earlier atomic write: ``.NAME.PID-RANDOM.tmp`` (or ``.NAME.RANDOM.tmp``, before the pid)
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?:(?P<pid>\d+)-)?[a-z0-9_]+\.tmp")
#: a temporary file without a pid (kg before 0.1.1) is taken as abandoned after this many seconds
_ABANDONED_AFTER_S = 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporary files that writers of ``target`` left when killed mid-write; returns them.

    A temporary file whose writer still runs is left alone (it may be writing now).
    """
    removed = []
    try:
        siblings = list(target.parent.iterdir())
    except OSError:
        return removed
    for sibling in siblings:
        m = _TEMPORARY.fullmatch(sibling.name)
        if m is None or m.group("name") != target.name:
            continue
        pid = m.group("pid")
        if pid is not None and (int(pid) == os.getpid() or _alive(int(pid))):
            continue
        if pid is None:
            with contextlib.suppress(OSError):
                if time.time() - sibling.stat().st_mtime < _ABANDONED_AFTER_S:
                    continue
        with contextlib.suppress(FileNotFoundError):
            sibling.unlink()
            removed.append(sibling)
            log.info("removed %s, left by a write of %s that was killed", sibling, target)
    return removed


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``.

    The temporary file lives in the same directory (so ``os.replace`` is an atomic
    rename), is fsynced before the rename, and is removed if the body raises: the
    destination is then untouched (absent, or its previous content).  A new file
    gets mode 0644; a replaced file keeps its previous mode.  The temporary file's name
    carries the writer's process id (``.NAME.PID-RANDOM.tmp``), so that the temporary
    files of writers killed mid-write (``kill -9``, a power cut) are recognised and
    removed by the next write of the same file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        log.debug("write of %s failed; temporary file removed", target)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
