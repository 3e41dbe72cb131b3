"""The rate limit's count for all the worker processes of one host: a table in a file.

The table is `ratelimit.table` in the instance folder beside the index (where the
context key lives): fixed 32-byte slots, each a client's window (a BLAKE2b hash of its
key, keyed from the context key, never the address itself; when the window ends; its
hits). A hash names its slot and the 15 after it, its neighbourhood: a hit reads those
512 bytes, updates its slot and writes it back while holding an fcntl lock of the file,
so processes take turns of a few microseconds and the kernel wakes the next at once.
The first process to open the table (no other holds it) starts it afresh, so a restart
forgets every count, as counting in memory did; later workers and replaced ones join
in. Ended windows are erased within about 17 s of traffic (sweeps of SWEEP_SLOTS
slots), and a full table forgets the windows that end soonest first. HostStorage puts
it behind the `limits` library's storage interface, as `faqbot+table://`.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from limits.storage import Storage

log = logging.getLogger(__name__)

TABLE_FILE = "ratelimit.table"
TABLE_SCHEME = "faqbot+table"  # how Flask-Limiter names the storage below
SLOTS = 1 << 14  # clients the table follows at once (512 KiB)
NEIGHBOURHOOD = 16  # the slots a client's window may take, from the one its hash names
SLOT = struct.Struct("<16sdq")  # hash of the client key, end of its window, hits
SLOT_FIELDS = np.dtype([("hash", "V16"), ("ends", "<f8"), ("hits", "<i8")])
# The first slot's place holds the header; a neighbourhood never wraps around.
HEADER = b"faqbot-ratelimit" + struct.pack("<4I", 1, SLOTS, NEIGHBOURHOOD, SLOT.size)
ALL_SLOTS = SLOTS + NEIGHBOURHOOD - 1
TABLE_BYTES = SLOT.size * (1 + ALL_SLOTS)
# Each process, on a hit at most once a second, erases the ended windows among the
# next SWEEP_SLOTS slots: the whole table every 17 s (a sweep holds the file ~0.1 ms).
SWEEP_SECONDS = 1.0
SWEEP_SLOTS = 1024
# Bytes of the file whose locks mean "a process uses the table" and "one at a time".
IN_USE, TURN = 0, 1


class HostStorage(Storage):
    """A `limits` storage for fixed windows, kept in the host's table (see above)."""

    STORAGE_SCHEME = [TABLE_SCHEME]

    def __init__(self, uri=None, wrap_exceptions=False, path="", key="", **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(path)
        self._key = bytes.fromhex(key)
        self._last = ("", b"")  # a request asks about one key three times
        self._ends = ("", 0.0)  # the window end get() read, for get_expiry() next
        self._table: Table | None = None
        if not self.check():
            log.warning(
                "rate limit: %s cannot be used (%s); until it can, each process "
                "counts on its own",
                self.path,
                self._problem,
            )

    @property
    def base_exceptions(self) -> type[Exception]:
        return OSError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._usable().incr(self._hash(key), expiry, amount)

    def get(self, key: str) -> int:
        hits, ends = self._usable().window(self._hash(key))
        self._ends = (key, ends)
        return hits

    def get_expiry(self, key: str) -> float:
        """When the window ends. The limiter asks right after get(): that one read of
        the table answers both (two file locks and a read fewer per request)."""
        (last_key, ends), self._ends = self._ends, ("", 0.0)
        if key == last_key:
            return ends
        return self._usable().window(self._hash(key))[1]

    def clear(self, key: str) -> None:
        self._usable().forget(self._hash(key))

    def reset(self) -> int:
        return self._usable().erase(lambda ends: np.ones(len(ends), bool))

    def check(self) -> bool:
        """Whether the table can be used, after joining it (after a failure the
        limiter asks again now and then, and counts in the table once this says so)."""
        try:
            self._table = Table.of(self.path)
            self._table.join()
        except OSError as error:
            self._table, self._problem = None, str(error)
            return False
        return True

    def _usable(self) -> Table:
        if self._table is None:
            raise OSError(f"rate limit table {self.path} cannot be used")
        return self._table

    def _hash(self, key: str) -> bytes:
        last_key, digest = self._last
        if key != last_key:
            digest = hashlib.blake2b(
                key.encode(), key=self._key, digest_size=16, person=b"faqbot-ratelimit"
            ).digest()
            self._last = (key, digest)
        return digest


class Table:
    """The table file of one instance folder, as this process holds it."""

    _opened: dict[tuple[int, Path], Table] = {}  # by process id and path

    @classmethod
    def of(cls, path: Path) -> Table:
        """This process's table in `path`: one descriptor of the file per process, as
        on closing any of them a process would lose its fcntl locks of the file. (A
        forked worker keeps using the table its storage holds, inherited.)"""
        opened = (os.getpid(), path)
        if opened not in cls._opened:
            cls._opened[opened] = cls(path)
        return cls._opened[opened]

    def __init__(self, path: Path):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = path
        self.descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        # fcntl locks are a process's: its threads take turns with this one
        self.threads = threading.Lock()
        self.swept_at, self.sweep_from = 0.0, 0

    def join(self) -> None:
        """Hold the table in use; start it afresh when no other process does."""
        try:
            fcntl.lockf(self.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, IN_USE)
        except (BlockingIOError, PermissionError):  # others use it: wait until ready
            fcntl.lockf(self.descriptor, fcntl.LOCK_SH, 1, IN_USE)
        else:
            with self.threads:
                os.ftruncate(self.descriptor, 0)  # forget every count and hash
                os.ftruncate(self.descriptor, TABLE_BYTES)
                os.pwrite(self.descriptor, HEADER, 0)
            fcntl.lockf(self.descriptor, fcntl.LOCK_SH, 1, IN_USE)
        size = os.fstat(self.descriptor).st_size
        if size != TABLE_BYTES or self._read(0, len(HEADER)) != HEADER:
            raise OSError(f"{self.path} is not a rate limit table")

    def incr(self, digest: bytes, expiry: float, amount: int) -> int:
        """Count hits in a client's window, starting one when it has none; its hits."""
        now = time.time()
        if now > self.swept_at + SWEEP_SECONDS:
            self.sweep(now)
        with self.turn(fcntl.LOCK_EX):
            start, window = self._neighbourhood(digest)
            place = find(window, digest)
            _, ends, hits = SLOT.unpack_from(window, place) if place >= 0 else (0, 0, 0)
            if place < 0:
                place = free_place(window, now)
            if ends > now:
                hits += amount
            else:
                ends, hits = now + expiry, amount
            os.pwrite(self.descriptor, SLOT.pack(digest, ends, hits), start + place)
        return hits

    def window(self, digest: bytes) -> tuple[int, float]:
        """A client's hits and when its window ends (0 and now when it has none)."""
        with self.turn(fcntl.LOCK_SH):
            _, window = self._neighbourhood(digest)
        now, place = time.time(), find(window, digest)
        if place >= 0:
            _, ends, hits = SLOT.unpack_from(window, place)
            if ends > now:
                return hits, ends
        return 0, now

    def forget(self, digest: bytes) -> None:
        """Erase a client's window."""
        with self.turn(fcntl.LOCK_EX):
            start, window = self._neighbourhood(digest)
            if (place := find(window, digest)) >= 0:
                os.pwrite(self.descriptor, bytes(SLOT.size), start + place)

    def sweep(self, now: float) -> None:
        """Erase the windows that have ended among the next SWEEP_SLOTS slots."""
        self.swept_at, first = now, self.sweep_from
        self.sweep_from = (first + SWEEP_SLOTS) % ALL_SLOTS
        self.erase(lambda ends: ~(ends > now), first, SWEEP_SLOTS)

    def erase(self, chosen: Callable, first: int = 0, count: int = ALL_SLOTS) -> int:
        """Zero the slots, of `count` from `first`, whose window ends `chosen` picks
        (their hashes too); how many there were."""
        count = min(count, ALL_SLOTS - first)
        start = SLOT.size * (1 + first)
        with self.turn(fcntl.LOCK_EX):
            data = bytearray(self._read(start, SLOT.size * count))
            slots = np.frombuffer(data, SLOT_FIELDS)
            picked = chosen(slots["ends"]) & (slots["ends"] != 0)
            if picked.any():
                slots[picked] = np.zeros(1, SLOT_FIELDS)
                os.pwrite(self.descriptor, data, start)
        return int(picked.sum())

    def turn(self, how: int) -> Turn:
        return Turn(self, how)

    def _neighbourhood(self, digest: bytes) -> tuple[int, bytes]:
        start = SLOT.size * (1 + int.from_bytes(digest[:8], "little") % SLOTS)
        return start, self._read(start, SLOT.size * NEIGHBOURHOOD)

    def _read(self, offset: int, size: int) -> bytes:
        data = os.pread(self.descriptor, size, offset)
        if len(data) != size:
            raise OSError(f"{self.path} was cut short")
        return data


class Turn:
    """A table to oneself (LOCK_EX) or shared with readers (LOCK_SH), for a moment.

    A class rather than a @contextmanager generator: 2 us less a turn, two a request.
    """

    def __init__(self, table: Table, how: int):
        self.table, self.how = table, how

    def __enter__(self) -> None:
        self.table.threads.acquire()
        try:
            fcntl.lockf(self.table.descriptor, self.how, 1, TURN)
        except BaseException:
            self.table.threads.release()
            raise

    def __exit__(self, *exc_info) -> None:
        try:
            fcntl.lockf(self.table.descriptor, fcntl.LOCK_UN, 1, TURN)
        finally:
            self.table.threads.release()


def find(window: bytes, digest: bytes) -> int:
    """Where in a neighbourhood a client's slot is, or -1."""
    place = window.find(digest)
    while place >= 0 and place % SLOT.size:
        place = window.find(digest, place + 1)
    return place


def free_place(window: bytes, now: float) -> int:
    """A slot for a new window: the first empty or ended one, else the one ending first."""
    ends = [slot_ends for _, slot_ends, _ in SLOT.iter_unpack(window)]
    for index, slot_ends in enumerate(ends):
        if not slot_ends > now:  # also a slot of garbage (NaN) from a damaged file
            return index * SLOT.size
    return ends.index(min(ends)) * SLOT.size
