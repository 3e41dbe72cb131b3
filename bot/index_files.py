"""The files of one index generation: JSON and .npy written with their checksums, and
checked on load.

Tamper and damage detection, and what it costs: every file's size and SHA-256 are
recorded when it is written (hashed as it is written, so no second read). On load, every
file's size is checked, files up to WHOLE_CHECK_BYTES (all JSON, and every file of a
small index such as the bundled one) are hashed whole, and larger ones are checked by a
SHA-256 of SAMPLES evenly spread blocks, first and last included. Truncation, a file
from another build, or a copy cut short are always caught; an edit that keeps a large
file's size and misses every sampled block is not. Hashing a million-passage index whole
takes about a second per load (per server start, per worker reload), so that full check
is `index.verify_index` instead: run by `faqbot index --verify` or a periodic job.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from .errors import BrokenIndex

WHOLE_CHECK_BYTES = 4 << 20
SAMPLES = 64
SAMPLE_BYTES = 4096
BLOCK_BYTES = 1 << 20


class _HashingWriter:
    """A binary file that hashes what is written to it."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(memoryview(data).cast("B"))
        return self.handle.write(data)


def write_json(path: Path, value) -> dict:
    """Write a JSON file; its size and checksums."""
    data = json.dumps(value, ensure_ascii=False).encode("utf-8")
    path.write_bytes(data)
    return _record(path, len(data), hashlib.sha256(data).hexdigest())


def write_array(path: Path, array: np.ndarray) -> dict:
    """Write an array as .npy (never pickled); its size and checksums."""
    with path.open("wb") as handle:
        writer = _HashingWriter(handle)
        np.save(writer, np.ascontiguousarray(array), allow_pickle=False)
    return _record(path, writer.size, writer.digest.hexdigest())


def _record(path: Path, size: int, sha256: str) -> dict:
    record = {"bytes": size, "sha256": sha256}
    if size > WHOLE_CHECK_BYTES:
        record["sampled_sha256"] = sampled_sha256(path, size)
    return record


def read_json(path: Path):
    """A JSON file's value."""
    return json.loads(path.read_text("utf-8"))


def memory_mapped(path: Path) -> np.ndarray:
    """A read-only array backed by the file, shared by every process that maps it.

    np.asarray drops the memmap subclass, whose per-slice overhead is large on the hot path.
    """
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))


def check_files(folder: Path, files: dict, whole: bool) -> None:
    """BrokenIndex unless every file matches its record (sampled for large ones unless
    `whole`)."""
    for name, record in files.items():
        path = folder / name
        try:
            size = path.stat().st_size
        except OSError as error:
            raise BrokenIndex(f"index file {path} cannot be read: {error}") from error
        if size != record["bytes"]:
            matches = False
        elif whole or size <= WHOLE_CHECK_BYTES:
            matches = whole_sha256(path) == record["sha256"]
        else:
            matches = sampled_sha256(path, size) == record["sampled_sha256"]
        if not matches:
            raise BrokenIndex(f"index file {path} does not match its checksum")


def whole_sha256(path: Path) -> str:
    """The SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def sampled_sha256(path: Path, size: int) -> str:
    """The SHA-256 of a file's size and of SAMPLES blocks spread evenly over it."""
    digest = hashlib.sha256(str(size).encode())
    last = max(size - SAMPLE_BYTES, 0)
    with path.open("rb") as handle:
        for number in range(SAMPLES):
            handle.seek(last * number // (SAMPLES - 1))
            digest.update(handle.read(SAMPLE_BYTES))
    return digest.hexdigest()
