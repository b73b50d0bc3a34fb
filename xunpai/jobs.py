"""The background-job queue (huey) on the project's own database, and the one worker that consumes it.

``make_queue(engine)`` gives a ``huey.Huey`` whose jobs are stored in that database (``xunpai.storage.job_queue``);
entry points register their tasks on it by name, so a message enqueued by one process runs in another.
``JobWorker`` runs huey's consumer (threads) only while it holds the database's single-consumer lock: every
``xunpai serve`` process runs one in the background, ``xunpai worker`` runs one in the foreground, and exactly one
of them consumes at any time; when the holder stops or dies, another takes over within ``retry_seconds``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from huey import Huey
from huey.consumer import Consumer

from xunpai.storage.db import Engine
from xunpai.storage.job_queue import WorkerLock, storage_for

log = logging.getLogger(__name__)

QUEUE_NAME = "xunpai"


def make_queue(engine: Engine) -> Huey:
    """A huey instance on the database of ``engine`` (results are not kept: a job reports through its row)."""
    storage_class, kwargs = storage_for(engine)
    return Huey(QUEUE_NAME, results=False, utc=True, storage_class=storage_class, **kwargs)


class _EmbeddedConsumer(Consumer):
    """huey's consumer without its signal handlers: it runs inside a process (the web server, ``xunpai
    worker``) whose main thread owns the signals and stops the consumer itself."""

    def _set_signal_handlers(self) -> None:
        pass


class JobWorker:
    """Consumes ``queue`` while holding the single-consumer lock of ``engine``'s database.

    ``on_acquire`` runs once each time the lock is taken, before any job: it settles the jobs that the previous
    holder left unfinished (only the holder runs jobs, so a job still "running" then was interrupted)."""

    def __init__(self, queue: Huey, engine: Engine, *, threads: int = 2, retry_seconds: float = 5.0,
                 on_acquire: Callable[[], None] | None = None):
        self.queue = queue
        self.lock = WorkerLock(engine)
        self.threads = threads
        self.retry_seconds = retry_seconds
        self.on_acquire = on_acquire
        self.stopping = threading.Event()
        self.consuming = threading.Event()
        self._consumer: Consumer | None = None

    def run(self) -> None:
        """Until ``stop()``: wait for the lock, consume while it is held, let go when it is lost."""
        announced = False
        while not self.stopping.is_set():
            try:
                got = self.lock.acquire()
            except Exception:
                log.exception("could not ask for the job-worker lock; trying again")
                got = False
            if not got:
                if not announced:
                    log.info("another process holds the job-worker lock (%s); this one only enqueues",
                             self.lock.describe())
                    announced = True
                self.stopping.wait(self.retry_seconds)
                continue
            announced = False
            try:
                self._consume()
            finally:
                self.lock.release()

    def _consume(self) -> None:
        log.info("job worker: holding the lock (%s), consuming with %d threads", self.lock.describe(), self.threads)
        if self.on_acquire is not None:
            try:
                self.on_acquire()
            except Exception:
                log.exception("settling the interrupted jobs failed")
        consumer = _EmbeddedConsumer(self.queue, workers=self.threads, worker_type="thread", periodic=True,
                                     initial_delay=0.1, max_delay=2.0, check_worker_health=True,
                                     shutdown_timeout=30)
        self._consumer = consumer
        consumer.start()
        self.consuming.set()
        try:
            while not self.stopping.wait(self.retry_seconds):
                if not self.lock.alive():
                    log.warning("job worker: lock lost, stopping the consumer")
                    break
                consumer.check_worker_health()
        finally:
            self.consuming.clear()
            consumer.stop(graceful=True)  # the running jobs finish (30 s at most) before another process takes over
            self._consumer = None
            log.info("job worker: stopped consuming")

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="job-worker", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()
