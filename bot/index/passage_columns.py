"""The passage store's columns, made batch by batch while an index is built: in worker
processes (PassageBatch) and merged in the main one (PassageColumns)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

from bot.index.passage_store import NO_URL, SHARED, Strings, string_arrays
from bot.models import Passage


class PassageColumns:
    """The columns of a PassageStore, filled batch by batch while an index is built."""

    def __init__(self):
        self.texts = bytearray()
        self.text_ends: list[np.ndarray] = []
        self.passage_ids: list[str] = []
        self.tables: dict[str, dict[str, int]] = {name: {} for name in SHARED}
        self.codes: list[np.ndarray] = []
        self.spans: list[np.ndarray] = []
        self.digests: list[np.ndarray] = []

    def add(self, batch: PassageBatch) -> None:
        """Append a batch of passages (made by PassageBatch in any process)."""
        ends = np.cumsum(batch.text_lengths, dtype=np.int64) + len(self.texts)
        self.texts += batch.texts
        self.text_ends.append(ends)
        self.passage_ids.extend(batch.passage_ids)
        columns = []
        for name in SHARED:
            table = self.tables[name]
            values, codes = batch.columns[name]
            remap = [
                NO_URL if value is None else table.setdefault(value, len(table))
                for value in values
            ]
            columns.append(np.array(remap, dtype=np.int32)[codes])
        self.codes.append(np.stack(columns, axis=1).reshape(-1, len(SHARED)))
        self.spans.append(np.asarray(batch.spans, dtype=np.int64).reshape(-1, 2))
        self.digests.append(batch.digests)

    def __len__(self) -> int:
        return len(self.passage_ids)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array of the store, to be saved."""
        arrays = {"text.utf8": np.frombuffer(self.texts, dtype=np.uint8)}
        arrays["text.offsets"] = np.concatenate([[0], *self.text_ends]).astype(np.int64)
        blob, offsets = string_arrays(self.passage_ids)
        arrays |= {"passage_id.utf8": blob, "passage_id.offsets": offsets}
        for name in SHARED:
            blob, offsets = string_arrays(self.tables[name])
            arrays |= {f"{name}s.utf8": blob, f"{name}s.offsets": offsets}
        codes = np.concatenate(self.codes)
        arrays["codes"] = codes
        arrays["spans"] = np.concatenate(self.spans)
        texts = Strings(arrays["text.utf8"], arrays["text.offsets"])
        arrays["same_text"] = same_text(np.concatenate(self.digests), texts)
        documents = len(self.tables["document_id"])
        arrays["document_passages"] = np.searchsorted(
            codes[:, 0], np.arange(documents + 1)
        ).astype(np.int64)
        ids = list(self.tables["document_id"])
        order = sorted(range(documents), key=ids.__getitem__)
        arrays["document_order"] = np.array(order, dtype=np.int32)
        return arrays


class PassageBatch:
    """Some passages as plain columns: what a worker process sends back."""

    def __init__(self, passages: list[Passage]):
        encoded = [passage.text.encode("utf-8") for passage in passages]
        self.texts = b"".join(encoded)
        self.text_lengths = np.array([len(text) for text in encoded], dtype=np.int64)
        self.passage_ids = [passage.passage_id for passage in passages]
        self.columns = {
            name: _distinct(getattr(passage, name) for passage in passages)
            for name in SHARED
        }
        self.spans = [(passage.start, passage.end) for passage in passages]
        self.digests = text_digests(encoded)


def _distinct(values: Iterable) -> tuple[list, np.ndarray]:
    """The distinct values in order of first appearance, and each value's number."""
    numbers: dict = {}
    codes = [numbers.setdefault(value, len(numbers)) for value in values]
    return list(numbers), np.array(codes, dtype=np.intp)


def text_digests(encoded: list[bytes]) -> np.ndarray:
    """A 64-bit digest of each text, to find repeated texts without holding them."""
    return np.array(
        [
            int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")
            for text in encoded
        ],
        dtype=np.uint64,
    )


def same_text(digests: np.ndarray, texts: Strings) -> np.ndarray:
    """For each passage, the first passage with the same text (itself when none before).

    Digests find the candidates; the texts themselves decide, so a digest collision can
    never merge two different texts.
    """
    _, first, inverse = np.unique(digests, return_index=True, return_inverse=True)
    leaders = first[inverse].astype(np.int32)
    for number in np.flatnonzero(leaders != np.arange(len(leaders))).tolist():
        if texts[number] != texts[int(leaders[number])]:
            return _same_text_exactly(texts)
    return leaders


def _same_text_exactly(texts: Strings) -> np.ndarray:
    first: dict[str, int] = {}
    return np.array(
        [first.setdefault(text, number) for number, text in enumerate(texts)],
        dtype=np.int32,
    )
