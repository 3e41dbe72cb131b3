"""Index generations on disk: write one and switch to it, find the one in use, load it.

On disk (no pickle anywhere): `index/current.json` names the generation folder in use;
each generation holds `manifest.json` (what was built from what, with each file's size
and SHA-256), `vocabulary.json`, `aliases.json`, one set of `.npy` arrays per field and
the passage store's arrays (passage_store.py). Every file is read whole into memory and
checked against its SHA-256 on load (files.py), never memory-mapped. A build writes
a new generation and then replaces `current.json` in one rename, so a failed build leaves
the previous index serving, and readers never see half an index.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import BrokenIndex
from bot.index import bm25
from bot.index import files as index_files
from bot.index.index import Index
from bot.index.passage_store import PassageStore

FORMAT_VERSION = 3
BUILD_LOCK = ".build.lock"  # held while a build writes and switches generations
ARRAYS = ("idf", "indptr", "passage_ids", "term_scores")
STORE_PREFIX = "passages."

log = logging.getLogger(__name__)


def save_generation(
    index_dir: Path, manifest: dict, documents: dict, arrays: dict
) -> None:
    """Write a new generation beside the current one, check it loads, then switch to it;
    one build at a time (a lock): two builds switching and clearing old generations at
    once could leave current.json naming a folder the other removed."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(index_dir):
        _save_generation(index_dir, manifest, documents, arrays)


@contextmanager
def _build_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive use of index_dir for writing; a second build says so, then waits."""
    with open(index_dir / BUILD_LOCK, "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning(
                "another index build is writing to %s: waiting for it to finish",
                index_dir,
            )
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _save_generation(
    index_dir: Path, manifest: dict, documents: dict, arrays: dict
) -> None:
    generation = (
        f"g{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    )
    folder = index_dir / generation
    folder.mkdir()
    try:
        files = {
            name: index_files.write_json(folder / name, value)
            for name, value in documents.items()
        }
        for name, array in arrays.items():
            files[f"{name}.npy"] = index_files.write_array(
                folder / f"{name}.npy", array
            )
        index_files.write_json(folder / "manifest.json", {**manifest, "files": files})
        _load_generation(folder)  # it must load before anyone is pointed at it
        previous = current_generation(index_dir)
        pointer = index_dir / f".current.{generation}.tmp"
        pointer.write_text(json.dumps({"generation": generation}) + "\n", "utf-8")
        os.replace(pointer, index_dir / "current.json")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    # The one replaced stays as a fallback, should this one be damaged on disk later.
    _remove_old_generations(
        index_dir, keep={generation, previous.name if previous else ""}
    )


def _remove_old_generations(index_dir: Path, keep: set[str]) -> None:
    for path in index_dir.iterdir():
        if path.is_dir() and path.name.startswith("g") and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def current_generation(index_dir: Path) -> Path | None:
    """The folder of the index in use, or None when there is none."""
    try:
        pointer = json.loads((index_dir / "current.json").read_text("utf-8"))
        folder = index_dir / str(pointer["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return folder if (folder / "manifest.json").is_file() else None


def read_manifest(index_dir: Path) -> dict | None:
    """The manifest of the index in use, or None when there is no usable one."""
    folder = current_generation(index_dir)
    if folder is None:
        return None
    try:
        return json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def load_index(index_dir: Path) -> Index:
    """The index in use or, when it is damaged, the newest earlier generation that loads
    (said in the log); BrokenIndex when none does."""
    folder = current_generation(index_dir)
    if folder is None:
        raise BrokenIndex(f"no index in {index_dir}: run `faqbot index`")
    try:
        return _load_generation(folder)
    except BrokenIndex as damaged:
        for older in _generations(index_dir, newest_first=True):
            if older == folder:
                continue
            try:
                index = _load_generation(older)
            except BrokenIndex:
                continue
            log.warning(
                "index in use cannot be loaded (%s); serving the earlier one in %s",
                damaged,
                older,
            )
            return index
        raise


def _generations(index_dir: Path, newest_first: bool) -> list[Path]:
    """The generation folders of an index folder (their names start with the time)."""
    folders = [p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("g")]
    return sorted(folders, key=lambda p: p.name, reverse=newest_first)


def verify_index(index_dir: Path) -> None:
    """Check every byte of the index in use against its SHA-256; BrokenIndex if one differs.

    Loading checks what it reads; this checks the files on disk, for `faqbot index
    --verify` or a periodic job.
    """
    folder = current_generation(index_dir)
    if folder is None:
        raise BrokenIndex(f"no index in {index_dir}: run `faqbot index`")
    index_files.check_files(folder, _manifest(folder)["files"])


def _manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise BrokenIndex(f"index in {folder} cannot be read: {error}") from error
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BrokenIndex(
            f"index in {folder} is of another version: run `faqbot index`"
        )
    return manifest


def _load_generation(folder: Path) -> Index:
    manifest = _manifest(folder)
    try:
        files = manifest["files"]

        def load(name: str):
            return index_files.load_file(folder / name, files[name])

        vocabulary = load("vocabulary.json")
        aliases = {
            first: [(tuple(when), tuple(add)) for when, add in entries]
            for first, entries in load("aliases.json").items()
        }
        fields = {
            name: bm25.FieldScores(
                weight=float(weight),
                **{array: load(f"{name}.{array}.npy") for array in ARRAYS},
            )
            for name, weight in manifest["field_weights"].items()
        }
        passages = PassageStore(
            {
                name[len(STORE_PREFIX) : -len(".npy")]: load(name)
                for name in files
                if name.startswith(STORE_PREFIX)
            }
        )
    except BrokenIndex:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BrokenIndex(f"index in {folder} cannot be read: {error}") from error
    vocabulary_ids = {term: i for i, term in enumerate(vocabulary)}
    return Index(
        passages, vocabulary_ids, fields, passages.sections(), aliases, manifest
    )


class IndexHolder:
    """The index a server answers from; picks up a rebuilt index without a restart.

    Each `get()` costs one stat of `current.json`. When the pointer changed, the new
    generation is loaded; if it cannot be, the index already loaded keeps serving.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        # Made once, as a plain string (os.stat is cheaper with one): get() runs per request.
        self._pointer = str(index_dir / "current.json")
        self._index = load_index(index_dir)
        self._pointer_stamp = self._stamp()
        self._index.warm_up()

    def get(self) -> Index:
        """The current index, reloaded first when a build switched generations."""
        stamp = self._stamp()
        if stamp != self._pointer_stamp:
            try:
                self._index = load_index(self.index_dir)
                self._pointer_stamp = stamp
            except BrokenIndex:
                log.exception(
                    "new index in %s cannot be loaded; still serving the old one",
                    self.index_dir,
                )
                self._pointer_stamp = stamp
        return self._index

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self._pointer)
        except OSError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)
