"""The best passages for a query, from the query's posting lists alone.

bm25.score_parts visits every passage: a dense array of all of them per query. Here:
- the query's (field, term) posting lists are added into a per-thread buffer by a
  compiled loop (numba), and only the passages they touch are read back and reset, so
  the work follows the postings;
- the best candidates' scores are then recomputed in score_parts' own order, so they are
  bit for bit the reference's, and the best `count` are taken (on a tie, the lower id).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from numba import njit

from .bm25 import FieldScores

MARGIN = 1e-9  # relative: sums taken in another order differ in the last bits only
Lists = list[tuple[np.ndarray, np.ndarray, float]]  # passages, scores, weight


@dataclass(frozen=True)
class Extra:
    """Added terms that count only in passages holding none of `absent` (all when empty)."""

    terms: tuple[tuple[int, float], ...]  # (term id, weight)
    absent: tuple[int, ...] = ()


def best_passages(
    fields: list[FieldScores],
    terms: list[tuple[int, float]],
    extras: list[Extra],
    passage_count: int,
    count: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The `count` passages scoring highest above 0, best first, and their scores.

    A passage's score is score_parts' sum over `terms` plus, for each extra, its terms'
    sum where the passage holds none of its absent terms.
    """
    plain = posting_lists(fields, terms)
    extra_lists = [
        (
            posting_lists(fields, list(extra.terms)),
            posting_lists(fields, [(t, 1.0) for t in extra.absent]),
        )
        for extra in extras
    ]
    lists = list(plain)
    for added, absent in extra_lists:
        ids, sums = summed(added, absent, passage_count)
        lists.append((ids, sums, 1.0))
    ids, approximate = summed(lists, [], passage_count)
    if len(ids) > count:
        kth = np.partition(approximate, len(ids) - count)[len(ids) - count]
        near = approximate >= kth * (1 - MARGIN)
        ids, approximate = ids[near], approximate[near]
    if len(ids) > 4 * count:  # a crowd tied at the cut: their sums are equal anyway
        ids = ids[np.lexsort((ids, -approximate))[:count]]
    ids = np.sort(ids).astype(np.int32)
    scores = exact_scores(plain, extra_lists, ids)
    order = np.lexsort((ids, -scores))[:count]
    return ids[order], scores[order]


def posting_lists(fields: list[FieldScores], terms: list[tuple[int, float]]) -> Lists:
    """The non-empty (field, term) lists in score_parts' order: field by field."""
    lists = []
    for field in fields:
        for term_id, term_weight in terms:
            weight = field.weight * term_weight
            start, end = field.indptr[term_id], field.indptr[term_id + 1]
            if end > start and weight > 0:
                lists.append(
                    (field.passage_ids[start:end], field.term_scores[start:end], weight)
                )
    return lists


def summed(
    lists: Lists, absent: Lists, passage_count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every passage the lists touch with its weighted sum above 0, in no set order;
    a passage in an `absent` list counts as untouched."""
    sheet = _sheet(passage_count)
    for passages, scores, weight in lists:
        sheet.add(passages, scores, weight)
    for passages, _, _ in absent:
        _clear(sheet.values, passages)
    return sheet.collect()


def exact_scores(plain: Lists, extras: list[tuple[Lists, Lists]], ids: np.ndarray):
    """The passages' scores summed in score_parts' order: the reference's, to the bit.

    `ids` are sorted; each extra is (its lists, its absent terms' lists).
    """
    scores = _lookups(plain, ids)
    for added, absent in extras:
        extra = _lookups(added, ids)
        for passages, _, _ in absent:
            extra[lookup(passages, ids)[0]] = 0.0
        scores += extra
    return scores


def _lookups(lists: Lists, ids: np.ndarray) -> np.ndarray:
    sums = np.zeros(len(ids))
    for passages, scores, weight in lists:
        found, positions = lookup(passages, ids)
        sums += np.where(found, scores[positions] * weight, 0.0)
    return sums


def lookup(sorted_ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which wanted ids a sorted non-empty array holds, and where (clipped if not).

    `wanted` must have the array's dtype, or numpy converts the whole array each time.
    """
    positions = np.searchsorted(sorted_ids, wanted)
    np.minimum(positions, len(sorted_ids) - 1, out=positions)
    return sorted_ids[positions] == wanted, positions


@njit(cache=True, nogil=True)
def _accumulate(values, touched, count, passages, scores, weight):  # pragma: no cover
    """Add one posting list into `values`, noting each passage touched for the first time.

    Compiled (numba): one pass over the postings, a few nanoseconds each, where numpy's
    scattered adds cost tens; returns the new number of touched passages.
    """
    for k in range(passages.shape[0]):
        passage = passages[k]
        if values[passage] == 0.0:
            touched[count] = passage
            count += 1
        values[passage] += scores[k] * weight
    return count


@njit(cache=True, nogil=True)
def _clear(values, passages):  # pragma: no cover
    """Set the passages' sums to 0 (they hold a term that rules them out)."""
    for k in range(passages.shape[0]):
        values[passages[k]] = 0.0


@njit(cache=True, nogil=True)
def _take_positive(values, touched, count):  # pragma: no cover
    """The touched passages whose sum is above 0 and their sums; resets all touched."""
    ids = np.empty(count, dtype=np.int64)
    sums = np.empty(count)
    kept = 0
    for k in range(count):
        passage = touched[k]
        if values[passage] > 0.0:
            ids[kept] = passage
            sums[kept] = values[passage]
            kept += 1
        values[passage] = 0.0
    return ids[:kept], sums[:kept]


class _Sheet:
    """A per-thread score buffer over all passages; only touched entries are read or reset.

    Every added score is above 0, so an entry at 0 has not been touched yet.
    """

    def __init__(self, size: int):
        self.values = np.zeros(size)
        self.touched = np.empty(size, dtype=np.int64)
        self.count = 0

    def add(self, passages: np.ndarray, scores: np.ndarray, weight: float) -> None:
        self.count = _accumulate(
            self.values, self.touched, self.count, passages, scores, float(weight)
        )

    def collect(self) -> tuple[np.ndarray, np.ndarray]:
        """The touched passages with a sum above 0, and their sums; the buffer is clean
        afterwards."""
        ids, sums = _take_positive(self.values, self.touched, self.count)
        self.count = 0
        return ids, sums


def warm_up() -> None:
    """Compile (or load from cache) the kernels now, not on a patient's first question.

    Called by the app factory, before gunicorn forks its workers.
    """
    passages, scores = np.array([1], dtype=np.int32), np.array([1.0])
    for writable in (
        True,
        False,
    ):  # posting lists are read-only memory maps: both kinds
        passages.setflags(write=writable)
        scores.setflags(write=writable)
        sheet = _Sheet(2)
        sheet.add(passages, scores, 1.0)
        _clear(sheet.values, passages)
        sheet.collect()


_local = threading.local()


def _sheet(size: int) -> _Sheet:
    """This thread's buffer for an index of `size` passages, clean."""
    sheets = getattr(_local, "sheets", None)
    if sheets is None:
        sheets = _local.sheets = {}
    sheet = sheets.get(size)
    if sheet is None or sheet.count:  # new, or left dirty by an error: start afresh
        if len(sheets) >= 4:
            sheets.clear()
        sheet = sheets[size] = _Sheet(size)
    return sheet
