"""The best passages for a query, from the query's posting lists alone.

bm25.score_parts visits every passage: a dense array of all of them per query. Here one
compiled function (numba) does the whole search in a per-thread buffer over all passages:
- it adds the query's (field, term) posting lists into the passages' sums, each passage
  getting its scores in score_parts' order, so every sum is the reference's to the bit
  (same additions, same order, from 0). The lists are added a block of passages at a
  time, so the sums being added to stay in the processor's cache;
- it adds each alias group's sums where the passage lacks the name asked;
- it keeps the best `count` passages in a small heap (on a tie, the lower id) and resets
  only the entries it touched, so the work follows the postings, not the corpus size;
- it looks up which of the query's terms each best passage holds, for the coverage
  rerank (ranking.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from numba import njit

from bot.index.bm25 import FieldScores

# What a row of the plan does with its posting list.
PLAIN = 0  # add weight x score to the passage's sum
ADDED = 1  # add weight x score to the current alias group's sum
ABSENT = 2  # rule the passage out of the current alias group's sum
MERGE = 3  # add the alias group's sums to the passages' sums (no posting list)
BLOCK = 1 << 16  # passages whose sums (512 KB) every plain list adds to in turn
# An alias group's absent lists are looked up (binary search) for the passages it summed
# when they hold more than this many postings per such passage, else read through.
LOOKUP_COST = 16


@dataclass(frozen=True)
class Extra:
    """Added terms that count only in passages holding none of `absent` (all when empty)."""

    terms: tuple[tuple[int, float], ...]  # (term id, weight)
    absent: tuple[int, ...] = ()


@dataclass(frozen=True)
class Found:
    """The best passages, best first, their scores, and which marked terms each holds."""

    ids: np.ndarray  # int64
    scores: np.ndarray  # float64
    held: list[frozenset]  # the labels of the marked terms the passage holds
    held_bits: list[int]  # the same as bits: bit j for the j-th marked term


@dataclass(frozen=True)
class Postings:
    """An index's fields as the compiled search reads them; made once per index."""

    passage_ids: tuple[np.ndarray, ...]  # per field, as FieldScores holds them
    term_scores: tuple[np.ndarray, ...]
    indptr: tuple[np.ndarray, ...]
    weights: np.ndarray  # float64: each field's weight
    passage_count: int

    @classmethod
    def of(cls, fields: list[FieldScores], passage_count: int) -> Postings:
        """Read-only plain arrays: memory maps and built arrays get one compiled type."""
        return cls(
            tuple(_plain(field.passage_ids) for field in fields),
            tuple(_plain(field.term_scores) for field in fields),
            tuple(_plain(field.indptr) for field in fields),
            np.array([field.weight for field in fields], dtype=np.float64),
            passage_count,
        )


def best_passages(
    postings: Postings,
    terms: list[tuple[int, float]],
    extras: list[Extra],
    count: int,
    marked: dict[int, object] | None = None,
) -> Found:
    """The `count` passages scoring highest above 0, best first, and their scores.

    A passage's score is score_parts' sum over `terms` plus, for each extra, its terms'
    sum where the passage holds none of its absent terms. `marked` maps term ids to
    labels: Found.held gives, per passage, the labels of those it holds in any field.
    """
    marked = marked or {}
    rows = [
        (PLAIN, term_id, weight) for term_id, weight in terms
    ]  # (kind, term, weight)
    for extra in extras:
        rows += [(ADDED, term_id, weight) for term_id, weight in extra.terms]
        rows += [(ABSENT, term_id, 1.0) for term_id in extra.absent]
        rows.append((MERGE, 0, 0.0))
    kinds, term_ids, weights = zip(*rows, strict=True) if rows else ((), (), ())
    sheet = _sheet(postings.passage_count)
    sheet.busy = True
    ids, scores, masks = _search(
        postings.passage_ids,
        postings.term_scores,
        postings.indptr,
        postings.weights,
        np.array(kinds, dtype=np.int64),
        np.array(term_ids, dtype=np.int64),
        np.array(weights, dtype=np.float64),
        np.array(list(marked), dtype=np.int64),
        count,
        sheet.values,
        sheet.extra,
        sheet.touched,
        sheet.extra_touched,
    )
    sheet.busy = False
    numbers = _mask_numbers(masks)
    return Found(ids, scores, _held(numbers, list(marked.values())), numbers)


def _mask_numbers(masks: np.ndarray) -> list[int]:
    """Each passage's row of mask words as one number: bit j for the j-th marked term."""
    if masks.shape[1] == 1:
        return masks[:, 0].tolist()
    return [int.from_bytes(row.tobytes(), "little") for row in masks]


def _held(numbers: list[int], labels: list) -> list[frozenset]:
    """Each passage's marked labels, from its mask number."""
    by_mask: dict[int, frozenset] = {}  # the best passages often hold the same terms
    held = []
    for number in numbers:
        if number not in by_mask:
            labels_held, bits = [], number
            while bits:  # one step per bit set
                lowest = bits & -bits
                labels_held.append(labels[lowest.bit_length() - 1])
                bits ^= lowest
            by_mask[number] = frozenset(labels_held)
        held.append(by_mask[number])
    return held


def _plain(array: np.ndarray) -> np.ndarray:
    """A read-only plain ndarray view: memory maps and built arrays get one compiled type."""
    view = array.view(np.ndarray)
    view.flags.writeable = False
    return view


@njit(cache=True, nogil=True)
def _search(
    passage_ids,
    term_scores,
    indptr,
    field_weights,
    kinds,
    term_ids,
    term_weights,
    marked,
    count,
    values,
    extra,
    touched,
    extra_touched,
):  # pragma: no cover
    """Search the buffers; the best `count` ids, their sums and marked-term masks.

    Every score added is above 0, so a passage whose sum is 0 has not been touched yet.
    The buffers are clean afterwards.
    """
    plan, weights = _plan(indptr, field_weights, kinds, term_ids, term_weights)
    plain = 0
    while plain < plan.shape[0] and plan[plain, 0] == PLAIN:
        plain += 1
    touched_count = _add_plain(
        passage_ids, term_scores, plan[:plain], weights, values, touched
    )
    extra_count, absent_from, absent_postings = 0, -1, 0
    for row in range(plain, plan.shape[0]):
        kind, field, start, end = plan[row, 0], plan[row, 1], plan[row, 2], plan[row, 3]
        passages, scores, weight = passage_ids[field], term_scores[field], weights[row]
        if kind == ADDED:
            for k in range(start, end):
                passage = passages[k]
                if extra[passage] == 0.0:
                    extra_touched[extra_count] = passage
                    extra_count += 1
                extra[passage] += scores[k] * weight
        elif kind == ABSENT:  # ruled out at the merge, once the group's sums are known
            if absent_from < 0:
                absent_from = row
            absent_postings += end - start
        else:  # MERGE
            if absent_postings > extra_count * LOOKUP_COST:  # look the few up
                for k in range(extra_count):
                    passage = extra_touched[k]
                    for absent in range(absent_from, row):
                        if _holds(passage_ids[plan[absent, 1]], plan[absent], passage):
                            extra[passage] = 0.0
                            break
            elif absent_from >= 0:  # or rule out every passage holding them
                for absent in range(absent_from, row):
                    held = passage_ids[plan[absent, 1]]
                    for k in range(plan[absent, 2], plan[absent, 3]):
                        extra[held[k]] = 0.0
            for k in range(extra_count):
                passage = extra_touched[k]
                if extra[passage] > 0.0:
                    if values[passage] == 0.0:
                        touched[touched_count] = passage
                        touched_count += 1
                    values[passage] += extra[passage]
                    extra[passage] = 0.0
            extra_count, absent_from, absent_postings = 0, -1, 0
    best, best_scores = _take_best(values, touched, touched_count, count)
    return best, best_scores, _masks(passage_ids, indptr, marked, best)


@njit(cache=True, nogil=True)
def _plan(indptr, field_weights, kinds, term_ids, term_weights):  # pragma: no cover
    """The posting lists to read, as rows (kind, field, start, end) with their weights,
    in score_parts' order: the plain terms field by field, then for each alias group its
    added terms field by field, its absent terms and its MERGE."""
    rows = kinds.shape[0]
    plan = np.empty((rows * len(indptr), 4), dtype=np.int64)
    weights = np.empty(rows * len(indptr))
    lists = (indptr, field_weights, kinds, term_ids, term_weights)
    plain = 0
    while plain < rows and kinds[plain] == PLAIN:
        plain += 1
    planned = _add_rows(plan, weights, 0, PLAIN, 0, plain, lists)
    first = plain
    while first < rows:
        merge = first
        while kinds[merge] != MERGE:
            merge += 1
        planned = _add_rows(plan, weights, planned, ADDED, first, merge, lists)
        planned = _add_rows(plan, weights, planned, ABSENT, first, merge, lists)
        plan[planned] = (MERGE, 0, 0, 0)
        weights[planned] = 0.0
        planned += 1
        first = merge + 1
    return plan[:planned], weights[:planned]


@njit(cache=True, nogil=True)
def _add_rows(plan, weights, planned, kind, first, last, lists):  # pragma: no cover
    """Plan the lists of the terms of `kind` among rows first..last, field by field;
    empty lists and lists weighing nothing are left out. Returns the rows planned."""
    indptr, field_weights, kinds, term_ids, term_weights = lists
    for field in range(len(indptr)):
        for row in range(first, last):
            if kinds[row] != kind:
                continue
            start = indptr[field][term_ids[row]]
            end = indptr[field][term_ids[row] + 1]
            weight = field_weights[field] * term_weights[row]
            if end > start and (weight > 0 or kind == ABSENT):
                plan[planned] = (kind, field, start, end)
                weights[planned] = weight
                planned += 1
    return planned


@njit(cache=True, nogil=True)
def _add_plain(
    passage_ids, term_scores, plan, weights, values, touched
):  # pragma: no cover
    """Add the PLAIN rows' postings into `values`, block of passages by block, so the
    block's sums stay in the processor's cache while every list passes over it; each
    passage still gets its rows' scores in the plan's order. Returns how many passages
    were touched (listed in `touched`)."""
    touched_count = 0
    cursors = plan[:, 2].copy()
    for block_end in range(BLOCK, values.shape[0] + BLOCK, BLOCK):
        for row in range(plan.shape[0]):
            passages, scores = passage_ids[plan[row, 1]], term_scores[plan[row, 1]]
            weight, end, k = weights[row], plan[row, 3], cursors[row]
            while k < end and passages[k] < block_end:
                passage = passages[k]
                value = values[passage]
                # Noted always, kept only when new: no branch for the processor to guess.
                touched[touched_count] = passage
                touched_count += value == 0.0
                values[passage] = value + scores[k] * weight
                k += 1
            cursors[row] = k
    return touched_count


@njit(cache=True, nogil=True)
def _holds(passages, row, passage):  # pragma: no cover
    """True when the posting list at plan `row` (field, start, end) holds the passage."""
    start, end = row[2], row[3]
    position = start + np.searchsorted(passages[start:end], passage)
    return position < end and passages[position] == passage


@njit(cache=True, nogil=True)
def _masks(passage_ids, indptr, marked, best):  # pragma: no cover
    """For each best passage, a bit per marked term it holds in any field (bit j of
    word j // 64 for marked[j]).

    The passages are looked up in each posting list in ascending order, each search
    starting where the last one ended and striding ahead before it halves.
    """
    masks = np.zeros((best.shape[0], max(1, (marked.shape[0] + 63) // 64)), np.uint64)
    order = np.argsort(best)
    for slot in range(marked.shape[0]):
        bit = np.uint64(1) << np.uint64(slot % 64)
        for field in range(len(indptr)):
            passages = passage_ids[field]
            low, end = indptr[field][marked[slot]], indptr[field][marked[slot] + 1]
            for k in range(order.shape[0]):
                wanted = best[order[k]]
                step = 1
                high = low
                while (
                    high < end and passages[high] < wanted
                ):  # stride: low..high brackets it
                    low = high + 1
                    high += step
                    step *= 2
                high = min(high, end)
                while low < high:  # the first position holding wanted or more
                    middle = (low + high) // 2
                    if passages[middle] < wanted:
                        low = middle + 1
                    else:
                        high = middle
                if low == end:
                    break
                if passages[low] == wanted:
                    masks[order[k], slot // 64] |= bit
    return masks


@njit(cache=True, nogil=True)
def _take_best(values, touched, touched_count, count):  # pragma: no cover
    """The touched passages with the `count` highest sums above 0, and their sums:
    highest first, and on a tie the lower id first. Their sums are reset to 0 as read.

    A heap holds the best so far with the worst on top, so most passages cost one
    comparison with it.
    """
    heap_ids = np.empty(count, dtype=np.int64)
    heap_sums = np.empty(count)
    size = 0
    lowest = 0.0  # the worst sum in a full heap; before it is full, sums must pass 0
    for k in range(touched_count):
        passage = touched[k]
        value = values[passage]
        values[passage] = 0.0
        if value < lowest or value <= 0.0:  # most passages: one well-guessed branch
            continue
        if size < count:
            position = size  # sift up: a better parent moves down
            size += 1
            while position > 0:
                parent = (position - 1) // 2
                if not _worse(value, passage, heap_sums[parent], heap_ids[parent]):
                    break
                heap_sums[position] = heap_sums[parent]
                heap_ids[position] = heap_ids[parent]
                position = parent
            heap_sums[position], heap_ids[position] = value, passage
            if size == count:
                lowest = heap_sums[0]
        elif _worse(heap_sums[0], heap_ids[0], value, passage):
            position = 0  # sift down: the worse child moves up
            while True:
                child = 2 * position + 1
                if child >= size:
                    break
                if child + 1 < size and _worse(
                    heap_sums[child + 1],
                    heap_ids[child + 1],
                    heap_sums[child],
                    heap_ids[child],
                ):
                    child += 1
                if not _worse(heap_sums[child], heap_ids[child], value, passage):
                    break
                heap_sums[position] = heap_sums[child]
                heap_ids[position] = heap_ids[child]
                position = child
            heap_sums[position], heap_ids[position] = value, passage
            lowest = heap_sums[0]
    # By id, then a stable sort by sum: the lower id first on a tie.
    order = np.argsort(heap_ids[:size])
    ids, sums = heap_ids[:size][order], heap_sums[:size][order]
    order = np.argsort(-sums, kind="mergesort")
    return ids[order], sums[order]


@njit(cache=True, nogil=True, inline="always")
def _worse(value, passage, other_value, other_passage):  # pragma: no cover
    """True when (value, passage) ranks below (other_value, other_passage)."""
    return value < other_value or (value == other_value and passage > other_passage)


class _Sheet:
    """A per-thread buffer over all passages: sums, alias-group sums and the passages
    touched. Only touched entries are read or reset (or all, in order, when most are)."""

    def __init__(self, size: int):
        self.values = np.zeros(size)
        self.extra = np.zeros(size)
        self.touched = np.empty(size + 1, dtype=np.int32)  # +1: written before counted
        self.extra_touched = np.empty(size, dtype=np.int32)
        self.busy = False  # still True after a search stopped half-way: start afresh


_local = threading.local()


def _sheet(size: int) -> _Sheet:
    """This thread's clean buffer for an index of `size` passages."""
    sheets = getattr(_local, "sheets", None)
    if sheets is None:
        sheets = _local.sheets = {}
    sheet = sheets.get(size)
    if sheet is None or sheet.busy:
        if len(sheets) >= 4:
            sheets.clear()
        sheet = sheets[size] = _Sheet(size)
    return sheet


def warm_up(field_count: int) -> None:
    """Compile (or load from cache) the kernels now, not on a patient's first question.

    The compiled code depends on how many fields an index has. Called by the app
    factory, before gunicorn forks its workers.
    """
    field = FieldScores(
        weight=1.0,
        idf=np.array([1.0]),
        indptr=np.array([0, 1]),
        passage_ids=np.array([0], dtype=np.int32),
        term_scores=np.array([1.0]),
    )
    postings = Postings.of([field] * field_count, 1)
    best_passages(postings, [(0, 1.0)], [Extra(((0, 1.0),), (0,))], 1, {0: 0})
