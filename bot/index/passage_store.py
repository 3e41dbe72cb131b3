"""Passages kept as columns and built on access, so a million of them load at once.

Reading a million passages into objects takes seconds and gigabytes. Here the texts and
passage ids are each one UTF-8 blob with an offsets array; document ids, titles, urls and
headings are tables of distinct strings that each passage points into. generations.py
saves these arrays (.npy, no pickle) and reads them back, and a Passage is made only
when one is asked for. They are made while building (passage_columns.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np

from bot.models import Passage

OWN = ("text", "passage_id")  # one string per passage
SHARED = ("document_id", "title", "url", "section")  # distinct strings, pointed into
NO_URL = -1  # the url code of a passage whose document has none
KEPT_PASSAGES = 4096  # built passages kept for the next questions (answers repeat)
KEPT_DOCUMENTS = 4096  # documents' headings kept, for the same reason


class Strings(Sequence[str]):
    """Strings kept as one UTF-8 blob and the offsets where each starts and ends."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray):
        self._blob = memoryview(blob)
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, number: int) -> str:
        if not 0 <= number < len(self._offsets) - 1:
            raise IndexError("string number out of range")
        start, end = self._offsets[number : number + 2].tolist()
        return str(self._blob[start:end], "utf-8")

    def __iter__(self) -> Iterator[str]:
        return (self[number] for number in range(len(self)))


def string_arrays(strings: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """The blob and offsets of some strings."""
    encoded = [string.encode("utf-8") for string in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


class PassageStore(Sequence[Passage]):
    """Every passage of an index, in order; `store[i]` builds the i-th Passage."""

    def __init__(self, arrays: Mapping[str, np.ndarray]):
        self._own = {
            name: Strings(arrays[f"{name}.utf8"], arrays[f"{name}.offsets"])
            for name in OWN
        }
        self._shared = {
            name: Strings(arrays[f"{name}s.utf8"], arrays[f"{name}s.offsets"])
            for name in SHARED
        }
        self._codes = arrays["codes"]  # int32 per passage: one column per SHARED name
        self._spans = arrays["spans"]  # int64 per passage: start, end in the document
        self.same_text = arrays["same_text"]  # the first passage with the same text
        self._document_passages = arrays["document_passages"]  # first passage, + end
        self._document_order = arrays["document_order"]  # document numbers by id
        self._built: dict[int, Passage] = {}  # the passages asked for lately

    def __len__(self) -> int:
        return len(self._spans)

    def __getitem__(self, number):
        """The passage at a position (negative from the end), or a list for a slice."""
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        passage = self._built.get(number)  # most often one asked for lately
        if passage is None:
            if number < 0:
                number += len(self)
            if not 0 <= number < len(self):
                raise IndexError("passage number out of range")
            passage = self._built.get(number) or self._keep(number)
        return passage

    def _keep(self, number: int) -> Passage:
        """Build a passage and keep it for the next questions."""
        if len(self._built) >= KEPT_PASSAGES:
            self._built.clear()
        passage = self._built[number] = self._build(number)
        return passage

    def _build(self, number: int) -> Passage:
        document, title, url, section = self._codes[number].tolist()
        start, end = self._spans[number].tolist()
        return Passage(
            passage_id=self._own["passage_id"][number],
            document_id=self._shared["document_id"][document],
            title=self._shared["title"][title],
            url=None if url == NO_URL else self._shared["url"][url],
            section=self._shared["section"][section],
            text=self._own["text"][number],
            start=start,
            end=end,
        )

    def __iter__(self) -> Iterator[Passage]:
        return (self[number] for number in range(len(self)))

    def text(self, number: int) -> str:
        """The text of one passage, without building the rest."""
        return self._own["text"][number]

    def sections(self) -> SectionsByDocument:
        """Each document's section headings, read on access."""
        return SectionsByDocument(self)

    def document_number(self, document_id: str) -> int | None:
        """The position of a document among the indexed ones, or None."""
        ids, order = self._shared["document_id"], self._document_order
        low, high = 0, len(order)
        while low < high:  # binary search: the order is sorted by document id
            middle = (low + high) // 2
            if ids[int(order[middle])] < document_id:
                low = middle + 1
            else:
                high = middle
        if low < len(order) and ids[int(order[low])] == document_id:
            return int(order[low])
        return None

    def headings(self, document: int) -> list[str]:
        """A document's section headings in reading order, each once, none empty."""
        first, end = self._document_passages[document : document + 2].tolist()
        codes = dict.fromkeys(self._codes[first:end, 3].tolist())
        labels = (self._shared["section"][code] for code in codes)
        return [label for label in labels if label]

    def of_document(self, document_id: str) -> list[Passage]:
        """A document's passages in reading order ([] for an unknown id)."""
        document = self.document_number(document_id)
        if document is None:
            return []
        first, end = self._document_passages[document : document + 2].tolist()
        return [self[number] for number in range(first, end)]

    def document_ids(self) -> Strings:
        """The indexed documents' ids, in corpus order."""
        return self._shared["document_id"]

    def document_titles(self) -> Iterator[str]:
        """The indexed documents' titles, in corpus order (each from its first passage:
        a document's passages share its title), read one by one."""
        titles, codes = self._shared["title"], self._codes
        return (titles[int(codes[first, 1])] for first in self._document_passages[:-1])


class SectionsByDocument(Mapping[str, list[str]]):
    """document_id -> its section headings in order, for the documents with passages."""

    def __init__(self, store: PassageStore):
        self._store = store
        self._asked: dict[str, list[str]] = {}  # the documents asked for lately

    def __getitem__(self, document_id: str) -> list[str]:
        headings = self._asked.get(document_id)
        if headings is None:
            number = self._store.document_number(document_id)
            if number is None:
                raise KeyError(document_id)
            if len(self._asked) >= KEPT_DOCUMENTS:
                self._asked.clear()
            headings = self._asked[document_id] = self._store.headings(number)
        return list(headings)

    def __iter__(self) -> Iterator[str]:
        return iter(self._store.document_ids())

    def __len__(self) -> int:
        return len(self._store.document_ids())
