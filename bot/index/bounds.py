"""Bounds on reading one corpus file: the time it may take and the memory it may use.

A hostile or broken file (a PDF holding a huge stream, a CSV whose quoting makes a
reader start over) is reported and skipped instead of stopping the build.
"""

from __future__ import annotations

import resource
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.ingest.readers.faq_parts import Part

SLACK_MB = 1024  # the address space a file's reader may take past its memory bound


class TooSlow(BaseException):
    """Reading a file took longer than its time bound (not an Exception: a reader's own
    `except Exception` must not swallow it)."""


@contextmanager
def time_bound(seconds: float | None) -> Iterator[None]:
    """Raise TooSlow in the block after `seconds` (a timer signal: the main thread of a
    process only, where files are read; elsewhere, or with None, no bound)."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class TooBig(BaseException):
    """Reading a file took more memory than its bound (not an Exception: see TooSlow)."""


_megabytes_per_file: int | None = None  # see memory_per_file


@contextmanager
def memory_per_file(megabytes: int | None) -> Iterator[None]:
    """Let each file read in the block, here or in a worker process forked in it, take
    at most `megabytes` of memory (None: no bound); see `memory_bound`."""
    global _megabytes_per_file
    previous, _megabytes_per_file = _megabytes_per_file, megabytes
    try:
        yield
    finally:
        _megabytes_per_file = previous


def per_file_megabytes() -> int | None:
    """The bound `memory_per_file` set for each file read now (None: no bound)."""
    return _megabytes_per_file


@contextmanager
def memory_bound(megabytes: int | None) -> Iterator[None]:
    """Raise TooBig in the block once the process holds `megabytes` more memory than
    at its start.

    A timer signal compares every 10 ms of CPU time. So that one allocation cannot
    outgrow the bound by far between two looks, the address space is limited too
    (RLIMIT_AS), to the bound and SLACK_MB more over its size at the start: beyond, an
    allocation fails with MemoryError (which a reader may take for a broken page and
    go on). Both are the whole process's, so they are set only in its main thread with
    no other thread running, as in a worker process or a command; else, or with None
    (or no /proc/self/statm), there is no bound.
    """
    start = _sizes()
    if megabytes is None or start is None or not _alone_in_main_thread():
        yield
        return
    bound, over = megabytes << 20, False

    def look(signum, frame):
        nonlocal over
        sizes = _sizes()
        if not over and sizes and sizes[1] > start[1] + bound:
            over = True  # once: putting the bounds back must not be cut short
            raise TooBig

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_limit(start[0] + bound + (SLACK_MB << 20), soft, hard)
    previous = signal.signal(signal.SIGPROF, look)
    signal.siginterrupt(signal.SIGPROF, False)  # a system call it interrupts goes on
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        signal.setitimer(signal.ITIMER_PROF, 0.01, 0.01)
        yield
    finally:
        over = True
        try:  # the limit is put back even if a time bound's signal cuts this short
            signal.setitimer(signal.ITIMER_PROF, 0)
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
            signal.signal(
                signal.SIGPROF, signal.SIG_DFL if previous is None else previous
            )


def _alone_in_main_thread() -> bool:
    """Whether process-wide limits may be set: the main thread, and no other."""
    return (
        threading.active_count() == 1
        and threading.current_thread() is threading.main_thread()
    )


def _address_limit(wanted: int, soft: int, hard: int) -> int:
    """The address-space limit to set: the one wanted, within the limits already set."""
    return min(most for most in (wanted, soft, hard) if most != resource.RLIM_INFINITY)


def _sizes() -> tuple[int, int] | None:
    """The process's address space and resident memory in bytes (Linux), else None."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            size, resident = statm.read().split()[:2]
    except OSError:
        return None
    return int(size) * resource.getpagesize(), int(resident) * resource.getpagesize()


def seconds_for(
    path: Path, part: Part | None, file_seconds: float | None
) -> float | None:
    """How long a file (or a part of a sheet) may take to read: `file_seconds` per MB,
    at least one MB's."""
    if file_seconds is None:
        return None
    size = part.end - part.start if part else path.stat().st_size
    return file_seconds * max(1.0, size / 1_000_000)
