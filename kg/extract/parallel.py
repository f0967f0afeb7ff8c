"""Extraction spread over worker processes: a local pool, or a Dask distributed cluster.

    >>> for item in extract_in_processes(documents, workers=2):
    ...     store(item.document, item.claims)          # one writer: this process
    >>> for item in extract_on_cluster(documents, "tcp://scheduler:8786"):
    ...     ...

Both yield :class:`Extracted` records **as batches finish** (not in input order)
and keep at most ``max_in_flight`` batches out at once, so memory stays bounded
however long the input is: documents are read lazily, sent in batches, and
dropped once their claims are back.  Parsing happens in the workers; this process
only reads, sends and merges.

Lost work is done again, never twice: on a Dask cluster the scheduler re-runs the
batches of a worker that died on the other workers (``distributed.scheduler.
allowed-failures`` times, 3 by default); a local pool whose worker died is
restarted and the unfinished batches are sent again, once.  A batch that is lost
for good is reported document by document through ``on_error``, so none is lost
silently.  Each batch result is taken once, so no document is yielded twice.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from kg.errors import ExitCode, KgError
from kg.extract.batch import BatchResult, extract_batch
from kg.extract.lexicon import CueLexicon
from kg.extract.settings import ExtractorSettings
from kg.extract.model import ModelInfo, ModelNotFoundError
from kg.records import Claim, Document

log = logging.getLogger(__name__)

ErrorCallback = Callable[[Document, Exception], None]

#: documents per batch sent to a worker (a batch is parsed with one nlp.pipe call)
DEFAULT_BATCH_SIZE = 16
#: a batch out at this many worker deaths is given up (reported, not retried)
MAX_TRIES = 3
#: a local pool that dies this many times in a row without returning a batch ends the run
MAX_RESTARTS = 3


class ClusterError(KgError, RuntimeError):
    """The Dask cluster cannot be reached or cannot run kg's extraction."""

    exit_code = ExitCode.UNREACHABLE


class WorkerPoolError(KgError, RuntimeError):
    """Local extraction workers keep dying before they finish anything."""

    exit_code = ExitCode.UNREACHABLE


class ExtractionLost(RuntimeError):
    """A batch of documents could not be extracted (its workers died, again and again)."""


@dataclass
class Extracted:
    """One document's claims, and the model that found them."""

    document: Document
    claims: list[Claim]
    model: ModelInfo


def batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """``documents`` in lists of ``size`` (the last may be shorter), read lazily."""
    iterator = iter(documents)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _unpack(batch: Sequence[Document], result: BatchResult, on_error: ErrorCallback | None) -> Iterator[Extracted]:
    assert result.model is not None
    for i, document in enumerate(batch):
        if i in result.claims:
            yield Extracted(document, result.claims[i], result.model)
        else:
            reason = result.failures.get(i, "no result came back")
            log.log(logging.DEBUG if on_error is not None else logging.ERROR,
                    "extraction failed on document %s (%s): %s", document.id, document.path, reason)
            if on_error is not None:
                on_error(document, RuntimeError(reason))


def _lost(batch: Sequence[Document], exc: BaseException, on_error: ErrorCallback | None) -> None:
    for document in batch:
        log.error("extraction of document %s (%s) was lost: %s", document.id, document.path, exc)
        if on_error is not None:
            on_error(document, ExtractionLost(f"lost with its worker: {exc}"))


# ----------------------------------------------------------------------------- local processes
#: how often a worker process looks whether the process that started it is still there (seconds)
PARENT_CHECK_S = 0.5


def _pool(workers: int, context: Any) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_exit_with_parent,
                               initargs=(os.getpid(),))


def _exit_with_parent(parent: int) -> None:
    """In a worker: end this process as soon as ``parent`` is gone (``kill -9`` of kg leaves no orphan).

    A watcher thread compares ``os.getppid()`` with ``parent`` every
    :data:`PARENT_CHECK_S` seconds: an orphan is re-parented (to init or a
    subreaper), so the two differ once the parent died, however it died.  With the
    workers gone, multiprocessing's resource tracker sees its pipe close and ends too.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="kg-exit-with-parent", daemon=True).start()



def extract_in_processes(
    documents: Iterable[Document],
    workers: int,
    *,
    model: str | None = None,
    lexicon: CueLexicon | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_in_flight: int | None = None,
    on_error: ErrorCallback | None = None,
    settings: ExtractorSettings | None = None,
) -> Iterator[Extracted]:
    """Extract ``documents`` in ``workers`` local processes, each loading ``model`` once.

    Processes are started with ``spawn`` (no copy of this process's open store or
    threads), so a script that calls this needs the usual ``if __name__ ==
    "__main__":`` guard.  At most ``max_in_flight`` batches (default ``2 *
    workers``) are out.  If a worker process dies (killed, out of memory), the pool
    is restarted and the batches it had not returned are sent again; a batch that
    was out at :data:`MAX_TRIES` deaths is reported through ``on_error``, document
    by document, and a pool that dies :data:`MAX_RESTARTS` times in a row without
    returning anything raises :class:`WorkerPoolError`.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    limit = max_in_flight or 2 * workers
    context = multiprocessing.get_context("spawn")
    pending = batches(documents, batch_size)
    out: dict[Future[BatchResult], tuple[list[Document], int]] = {}  # future -> (batch, tries)
    pool = _pool(workers, context)
    restarts = 0  # pool deaths since a batch last came back

    def send(batch: list[Document], tries: int) -> None:
        try:
            out[pool.submit(extract_batch, batch, model, lexicon, settings)] = (batch, tries)
        except BrokenProcessPool:  # it broke since the last wait: the batch joins the resend below
            out[_failed_future()] = (batch, tries)

    try:
        for batch in itertools.islice(pending, limit):
            send(batch, 1)
        while out:
            done, _ = wait(out, return_when=FIRST_COMPLETED)
            broken: list[tuple[list[Document], int]] = []
            for future in done:
                batch, tries = out.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken.append((batch, tries))
                    continue
                except ModelNotFoundError:
                    raise
                except Exception as exc:  # the batch itself raised (a document's failure is in result.failures)
                    _lost(batch, exc, on_error)
                    continue
                restarts = 0
                yield from _unpack(batch, result, on_error)
            if broken:
                # a worker died, so the whole pool is broken: restart it and resend everything that was out
                broken += out.values()
                out.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise WorkerPoolError(f"extraction worker processes died {restarts} times in a row "
                                          "without finishing a batch; see the log above for why")
                log.warning("an extraction worker died; restarting %d worker(s), resending %d batch(es)",
                            workers, len(broken))
                pool = _pool(workers, context)
                for batch, tries in broken:
                    if tries >= MAX_TRIES:
                        _lost(batch, RuntimeError(f"its worker died {tries} times"), on_error)
                    else:
                        send(batch, tries + 1)
            for batch in itertools.islice(pending, max(0, limit - len(out))):
                send(batch, 1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _failed_future() -> Future[BatchResult]:
    future: Future[BatchResult] = Future()
    future.set_exception(BrokenProcessPool("the worker pool was broken when the batch was sent"))
    return future


# ----------------------------------------------------------------------------- Dask distributed


def connect(scheduler: str, timeout: float = 10.0) -> Any:
    """A ``distributed.Client`` on the scheduler at ``scheduler`` (``tcp://host:port``).

    Raises :class:`ClusterError` naming the address when it cannot be reached, and
    when the workers lack kg or run another version of it (their output would differ).
    """
    from distributed import Client

    try:
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    try:
        check_workers(client)
    except ClusterError:
        client.close()
        raise
    return client


def _kg_version() -> str | None:
    try:
        import kg
    except ImportError:
        return None
    return kg.__version__


def check_workers(client: Any, timeout: float = 30.0) -> dict[str, str | None]:
    """The kg version each worker has; raises :class:`ClusterError` if one lacks kg or differs.

    Waits up to ``timeout`` seconds for at least one worker to join.
    """
    from kg import __version__

    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError) as exc:
        raise ClusterError(f"no Dask worker joined the scheduler {client.scheduler.address} "
                           f"within {timeout:.0f} s") from exc
    try:
        versions: dict[str, str | None] = client.run(_kg_version)
    except Exception as exc:  # a worker without kg cannot even unpickle the question
        raise ClusterError(f"could not run kg on the Dask workers ({type(exc).__name__}: {exc}): "
                           f"install kg {__version__} and its spaCy model on every worker") from exc
    missing = sorted(w for w, v in versions.items() if v is None)
    if missing:
        raise ClusterError(f"kg is not installed on the Dask worker(s) {', '.join(missing)}: "
                           f"install kg {__version__} and its spaCy model on every worker")
    other = sorted(f"{w} (kg {v})" for w, v in versions.items() if v != __version__)
    if other:
        raise ClusterError(f"Dask worker(s) {', '.join(other)} run another kg than this one ({__version__}): "
                           f"their claims could differ; install kg {__version__} on every worker")
    return versions


def extract_on_cluster(
    documents: Iterable[Document],
    scheduler: str | Any,
    *,
    model: str | None = None,
    lexicon: CueLexicon | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_in_flight: int | None = None,
    on_error: ErrorCallback | None = None,
    settings: ExtractorSettings | None = None,
) -> Iterator[Extracted]:
    """Extract ``documents`` on a Dask distributed cluster and yield the results as they arrive.

    ``scheduler`` is the scheduler's address (``tcp://host:8786``) or a
    ``distributed.Client``.  Each worker loads ``model`` (its own installed spaCy
    pipeline; the default as on this machine) once per process.  At most
    ``max_in_flight`` batches are on the cluster at once (default: twice its
    threads, plus two).  The scheduler re-runs the batches of a worker that dies;
    a batch it gives up on (``KilledWorker``) is reported through ``on_error``.
    """
    from distributed import Client, as_completed

    own_client = not isinstance(scheduler, Client)
    client = connect(scheduler) if own_client else scheduler
    try:
        if not own_client:
            check_workers(client)
        threads = sum(client.nthreads().values()) or 1
        limit = max_in_flight or 2 * threads + 2
        run_id = uuid.uuid4().hex[:12]
        counter = itertools.count()
        pending = batches(documents, batch_size)
        out: dict[str, list[Document]] = {}

        def submit(batch: list[Document]) -> Any:
            key = f"kg-extract-{run_id}-{next(counter)}"
            out[key] = batch
            return client.submit(extract_batch, batch, model, lexicon, settings, key=key, pure=False)

        first = [submit(batch) for batch in itertools.islice(pending, limit)]
        if not first:
            return
        completed = as_completed(first, loop=client.loop)  # this client, which is not the default one

        def send(batch: list[Document]) -> None:
            completed.add(submit(batch))

        for future in completed:
            batch = out.pop(future.key)
            try:
                result = future.result()
            except ModelNotFoundError:
                raise
            except Exception as exc:  # KilledWorker after the allowed failures, or the batch raised
                _lost(batch, exc, on_error)
                result = None
            finally:
                future.release()
            if result is not None:
                yield from _unpack(batch, result, on_error)
            for batch in itertools.islice(pending, limit - len(out)):
                send(batch)
    finally:
        if own_client:
            client.close()
