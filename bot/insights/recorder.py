"""The Insights writer: events wait in a bounded queue, one thread per process stores them.

A chat never waits for the database and never fails because of it: `record` appends to
the queue and returns, dropping the event (and counting it) when the queue is full. The
thread starts on the first event, so each gunicorn worker, forked after the app was made,
starts its own. A database that is down is logged once, and its return once.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from datetime import date, timedelta

from bot.insights._health import Health, is_outage
from bot.insights.records import FeedbackEvent, ReplyEvent
from bot.insights.store import Store

log = logging.getLogger(__name__)

MAX_QUEUED = 10_000  # a few MB of events; in a longer outage the newest are dropped
BATCH_EVENTS = 200
BATCH_SECONDS = 1.0
RETRY_SECONDS = 5.0
RETENTION_SECONDS = 3600.0
EXIT_FLUSH_SECONDS = 2.0  # how long interpreter exit may wait for the last batch

Event = ReplyEvent | FeedbackEvent


class Recorder:
    """Queues events and stores them in batches from one daemon thread."""

    def __init__(
        self,
        store_factory: Callable[[], Store],
        days: int,
        *,
        max_queued: int = MAX_QUEUED,
        batch_events: int = BATCH_EVENTS,
        batch_seconds: float = BATCH_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
        retention_seconds: float = RETENTION_SECONDS,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.store_factory = store_factory
        self.days = days
        self.max_queued = max_queued
        self.batch_events = batch_events
        self.batch_seconds = batch_seconds
        self.retry_seconds = retry_seconds
        self.retention_seconds = retention_seconds
        self.today = today
        self._store: Store | None = None
        self._reset()
        os.register_at_fork(after_in_child=_resetter(self))

    def record(self, event: Event) -> None:
        """Queue an event for the writer thread; never blocks on the database, never raises."""
        try:
            with self._wakeup:
                if len(self._queue) >= self.max_queued:
                    self.dropped += 1
                    return
                self._queue.append(event)
                if len(self._queue) >= self.batch_events:
                    self._wakeup.notify_all()
                if not self._stopping and not self._thread_alive():
                    self._start()
        except Exception:  # a chat goes on whatever happens here
            self.dropped += 1
            if not self._start_failed:
                self._start_failed = True
                log.exception("Insights: events cannot be queued")

    def flush(self, timeout: float = 5.0) -> bool:
        """Store what is queued now, waiting at most `timeout` s; whether all was stored."""
        with self._wakeup:
            if self._thread is None:
                return not self._queue
            dropped = self.dropped
            self._flush_requests += 1
            request = self._flush_requests
            self._flushing += 1
            self._wakeup.notify_all()
            try:
                self._wakeup.wait_for(
                    lambda: self._is_idle() or self._failed_for >= request, timeout
                )
            finally:
                self._flushing -= 1
            return self._is_idle() and self.dropped == dropped

    def close(self, timeout: float = 5.0) -> bool:
        """Flush, stop the thread and close the store; whether all was stored."""
        stored = self.flush(timeout)
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        if self._store is not None:
            self._store.close()
            self._store = None
        return stored

    def _reset(self) -> None:
        """No queue, no thread: how a recorder starts, and a forked worker's copy too."""
        engine = getattr(self._store, "engine", None)
        if engine is not None:  # the parent's connections stay the parent's: unclosed
            engine.dispose(close=False)
        self._store = None
        self.dropped = 0  # events not stored: the queue was full, or the batch was bad
        self._wakeup = threading.Condition()
        self._queue: deque[Event] = deque()
        self._batch: list[Event] = []  # taken from the queue, stored or to retry
        self._thread: threading.Thread | None = None
        self._flush_requests = 0  # flush() calls so far: each makes the writer retry
        self._flushing = 0  # flush() calls waiting: the writer takes what is queued
        self._failed_for = 0  # the flush requests the last failed try had seen
        self._stopping = False
        self._start_failed = False
        self._health = Health()

    def _start(self) -> None:
        """Start the writer thread (the caller holds the lock)."""
        thread = threading.Thread(target=self._run, name="insights-writer", daemon=True)
        thread.start()
        self._thread = thread
        _live.add(self)

    def _thread_alive(self) -> bool:
        """Whether the writer thread runs (it starts on the first event)."""
        return self._thread is not None and self._thread.is_alive()

    def _is_idle(self) -> bool:
        """Nothing waits to be stored (the caller holds the lock)."""
        return not self._queue and not self._batch

    def _run(self) -> None:
        """The writer thread: take a batch, store it, now and then delete old rows."""
        retention_due = time.monotonic()  # at start, then every RETENTION_SECONDS
        served = 0
        while True:
            served, stop = self._take_batch(served)  # flushes seen, so as to retry once
            if stop:
                return
            try:
                store = self._open_store()
                if time.monotonic() >= retention_due:
                    store.delete_older_than(self.today() - timedelta(days=self.days))
                    retention_due = time.monotonic() + self.retention_seconds
                if self._batch:
                    store.write(self._batch)
            except Exception as error:
                self._failed(error, served)
            else:
                self._stored()

    def _take_batch(self, served: int) -> tuple[int, bool]:
        """Wait for a batch (or the retry time); the flushes seen, and whether to stop."""
        with self._wakeup:
            if self._batch:  # the last try failed: wait to retry, or for a flush
                self._wakeup.wait_for(
                    lambda: self._flush_requests > served or self._stopping,
                    self.retry_seconds,
                )
            else:
                self._wakeup.wait_for(
                    lambda: (
                        len(self._queue) >= self.batch_events
                        or (self._flushing and self._queue)
                        or self._stopping
                    ),
                    self.batch_seconds,
                )
                if not self._stopping:
                    size = min(len(self._queue), self.batch_events)
                    self._batch = [self._queue.popleft() for _ in range(size)]
            # close() flushed before it stopped us: what is left stays unstored.
            return self._flush_requests, self._stopping

    def _open_store(self) -> Store:
        """The store, opened on first use."""
        if self._store is None:
            self._store = self.store_factory()
        return self._store

    def _stored(self) -> None:
        """After a batch is stored: log a recovery, wake flushes."""
        self._health.up(self._kind(), self.dropped)
        with self._wakeup:
            self._batch = []
            self._wakeup.notify_all()

    def _failed(self, error: Exception, served: int) -> None:
        """After a failed try: keep the batch to retry, or drop a batch refused."""
        url = getattr(getattr(self._store, "engine", None), "url", None)
        secret = url.password if url is not None else None  # kept out of log lines
        if self._store is None or is_outage(error):
            plan = (
                f"up to {self.max_queued} events wait in memory and are retried "
                f"every {self.retry_seconds:g} s"
            )
            self._health.down(error, self._kind(), secret, self.dropped, plan)
        else:
            self._health.refused(error, self._kind(), secret)
            with self._wakeup:
                self.dropped += len(self._batch)
                self._batch = []
        with self._wakeup:
            self._failed_for = served  # a flush asked before this try stops waiting
            self._wakeup.notify_all()

    def _kind(self) -> str:
        """The database kind, for a log line (never the URL: it may hold a password)."""
        return self._store.kind if self._store is not None else "Insights"


def _resetter(recorder: Recorder) -> Callable[[], None]:
    """A fork hook that resets the recorder in the child, without keeping it alive."""
    ref = weakref.ref(recorder)

    def reset() -> None:
        live = ref()
        if live is not None:
            live._reset()

    return reset


_live: weakref.WeakSet[Recorder] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    """At interpreter exit, give each running recorder a short time to store its queue."""
    for recorder in list(_live):
        recorder.flush(EXIT_FLUSH_SECONDS)
