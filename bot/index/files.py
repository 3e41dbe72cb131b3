"""The files of one index generation: JSON and .npy written with their checksums, and
read back whole, checked, into memory.

Every file's size and SHA-256 are recorded when it is written (hashed as it is written,
so no second read). Loading reads each file once into memory and checks those very
bytes against the record before using them: a truncated file, one from another build or
one edited on disk is refused (BrokenIndex), never half used. Nothing is memory-mapped:
a mapped file truncated or rewritten under a running server crashes its workers
(SIGBUS) or changes their answers silently, while bytes in memory cannot change. Server
workers still share one copy: gunicorn loads the index before it forks them.
"""

from __future__ import annotations

import hashlib
import io
import json
from math import prod
from pathlib import Path

import numpy as np

from bot.errors import BrokenIndex

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
    return _record(len(data), hashlib.sha256(data).hexdigest())


def write_array(path: Path, array: np.ndarray) -> dict:
    """Write an array as .npy (never pickled); its size and checksums."""
    with path.open("wb") as handle:
        writer = _HashingWriter(handle)
        np.save(writer, np.ascontiguousarray(array), allow_pickle=False)
    return _record(writer.size, writer.digest.hexdigest())


def _record(size: int, sha256: str) -> dict:
    return {"bytes": size, "sha256": sha256}


def _read_checked(path: Path, record: dict) -> bytes:
    """A file's bytes, read once; BrokenIndex unless they match its size and SHA-256."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BrokenIndex(f"index file {path} cannot be read: {error}") from error
    if (
        len(data) != record["bytes"]
        or hashlib.sha256(data).hexdigest() != record["sha256"]
    ):
        raise BrokenIndex(f"index file {path} does not match its checksum")
    return data


def load_file(path: Path, record: dict):
    """A .json file's value or an .npy file's array (read-only, in memory; no pickle),
    from bytes checked against the file's record."""
    data = _read_checked(path, record)
    return json.loads(data) if path.suffix == ".json" else _array(path, data)


def _array(path: Path, data: bytes) -> np.ndarray:
    header = io.BytesIO(data[:BLOCK_BYTES])
    try:
        version = np.lib.format.read_magic(header)
        read_header = {
            (1, 0): np.lib.format.read_array_header_1_0,
            (2, 0): np.lib.format.read_array_header_2_0,
        }[version]
        shape, fortran_order, dtype = read_header(header)
    except (ValueError, KeyError) as error:
        raise BrokenIndex(f"index file {path} is not an array: {error}") from error
    if dtype.hasobject or fortran_order:
        raise BrokenIndex(f"index file {path} holds an array of an unexpected kind")
    array = np.frombuffer(data, dtype, count=prod(shape), offset=header.tell())
    return array.reshape(shape)


def check_files(folder: Path, files: dict) -> None:
    """BrokenIndex unless every file matches its record (each is read whole)."""
    for name, record in files.items():
        path = folder / name
        try:
            size = path.stat().st_size
        except OSError as error:
            raise BrokenIndex(f"index file {path} cannot be read: {error}") from error
        if size != record["bytes"] or whole_sha256(path) != record["sha256"]:
            raise BrokenIndex(f"index file {path} does not match its checksum")


def whole_sha256(path: Path) -> str:
    """The SHA-256 of a file, read a block at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()
