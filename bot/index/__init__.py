"""The index stage: passages -> BM25 fields on disk -> a loaded `Index`.

Building reads the corpus in parallel (build.py, file_worker.py) and writes a new
generation (generations.py); serving loads the one in use and follows rebuilds
(IndexHolder). The compiled scoring kernel (scoring.py) is reached through
`best_passages` (answer/ranking.py) and warmed by `Index.warm_up`.
"""

from bot.index.fields import FIELD_WEIGHTS, FIELDS
from bot.index.freshness import BuildReport, build_index, ensure_fresh_index, is_stale
from bot.index.generations import (
    IndexHolder,
    current_generation,
    load_index,
    read_manifest,
    verify_index,
)
from bot.index.index import Index

__all__ = [
    "FIELDS",
    "FIELD_WEIGHTS",
    "BuildReport",
    "Index",
    "IndexHolder",
    "build_index",
    "current_generation",
    "ensure_fresh_index",
    "is_stale",
    "load_index",
    "read_manifest",
    "verify_index",
]
