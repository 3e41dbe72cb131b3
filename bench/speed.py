"""Speed at 10k, 100k and 1M passages: build, index size, load, memory, search.

Corpora are FAQ sheets made by recombining the sentences of ../shared/eval/medquad
(deterministically, so the vocabulary stays real), written to bench/out/speed/. Every
measurement runs in a fresh subprocess, so peak memory and start-up are those of one
process. rank_bm25's BM25Plus over the same tokens (text field) is timed in the same
run for the ratio. Run: `.venv/bin/python bench/speed.py [--sizes 10k,100k,1m]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEDQUAD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "medquad"
SHARED = MEDQUAD.parent
OUT = ROOT / "bench" / "out" / "speed"
GENERATOR_VERSION = 2  # bump when the corpus recipe changes: corpora are regenerated
ENTRIES_PER_FILE = 50_000  # a large corpus is many files: read on every core
MAX_ANSWER_CHARS = 780  # under the passage limit: one entry makes one passage
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1m' -> 1000000, '2500' -> 2500."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def size_label(size: int) -> str:
    """1000000 -> '1M', 100000 -> '100k'."""
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


# ---------------------------------------------------------------- the corpora


def medquad_sentences(rows: list[dict]) -> list[list[str]]:
    """Each MedQuAD answer's sentences (between 30 and 300 characters)."""
    sentences = []
    for row in rows:
        found = [
            sentence
            for line in row["answer"].split("\n")
            for sentence in SENTENCE_END.split(line.strip())
            if 30 <= len(sentence) <= 300
        ]
        sentences.append(found)
    return sentences


def generated_entries(size: int):
    """`size` FAQ entries: a MedQuAD question and title, an answer of its own
    sentences run together with one from another entry (one passage each)."""
    rows = [
        json.loads(line) for line in (MEDQUAD / "corpus.jsonl").open(encoding="utf-8")
    ]
    sentences = medquad_sentences(rows)
    usable = [i for i, found in enumerate(sentences) if found]
    pool = [sentence for found in sentences for sentence in found]
    rng = random.Random(20261129)
    for number in range(size):
        row_number = rng.choice(usable)
        own = sentences[row_number]
        start = rng.randrange(len(own))
        answer = own[start : start + rng.randint(1, 3)] + [rng.choice(pool)]
        text = ""
        for sentence in answer:
            if len(text) + len(sentence) + 1 > MAX_ANSWER_CHARS:
                break
            text = f"{text} {sentence}".strip()
        row = rows[row_number]
        yield {
            "id": f"bench-{number:07d}",
            "question": row["question"],
            "answer": text or own[0][:MAX_ANSWER_CHARS],
            "title": row["title"],
            "url": row["url"],
        }


def ensure_corpus(size: int) -> Path:
    """The FAQ sheets of `size` entries (50,000 a file), written once per recipe."""
    folder = OUT / f"corpus-{size_label(size)}"
    stamp = folder / ".made"
    if stamp.exists() and stamp.read_text() == str(GENERATOR_VERSION):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    handle = None
    for number, entry in enumerate(generated_entries(size)):
        if number % ENTRIES_PER_FILE == 0:
            if handle:
                handle.close()
            path = folder / f"faq-{number // ENTRIES_PER_FILE:03d}.jsonl"
            handle = path.open("w", encoding="utf-8")
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    if handle:
        handle.close()
    stamp.write_text(str(GENERATOR_VERSION))
    return folder


def questions() -> list[str]:
    """The 52 MedQuAD dev questions and the seed questions."""
    files = [MEDQUAD / "dev_questions.jsonl", SHARED / "seed_questions.jsonl"]
    return [
        json.loads(line)["question"]
        for path in files
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]


# ---------------------------------------------------------------- child processes


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants now, in MB (shared pages
    counted in each process: an upper bound).

    The tree is followed through /proc/<pid>/task/<tid>/children, so a sample reads a
    few files of the tree only: scanning every process in /proc took ~8 ms, and sampled
    every 20 ms it kept a core a third busy beside the build it measured.
    """
    pages, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending += map(int, (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):  # the process ended meanwhile
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def child_build(corpus: Path, index_dir: Path) -> dict:
    """Build the index; its time and size on disk (the parent samples its memory)."""
    from bot.index import build_index, current_generation

    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    build_index(corpus, index_dir)
    seconds = time.perf_counter() - started
    folder = current_generation(index_dir)
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    return {"build_s": seconds, "index_mb": size / 1e6, "peak_mb": peak_rss_mb()}


def timed_passes(search, asked: list[str], passes: int) -> dict:
    """p50, p99 and queries/s of each pass; the medians over the passes."""
    figures = []
    for _ in range(passes):
        times = []
        for question in asked:
            started = time.perf_counter()
            search(question)
            times.append(time.perf_counter() - started)
        times.sort()
        figures.append(
            {
                "p50_ms": statistics.median(times) * 1000,
                "p99_ms": times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
                * 1000,
                "qps": len(times) / sum(times),
            }
        )
    return {
        name: statistics.median(f[name] for f in figures) for name in figures[0]
    } | {
        "queries": len(asked),
        "passes": passes,
        "first_pass_p50_ms": figures[0]["p50_ms"],
    }


def child_search(index_dir: Path, passes: int) -> dict:
    """Load the index (timed) and search every question, several passes."""
    from bot.answer import passages_for as search
    from bot.index import load_index

    started = time.perf_counter()
    index = load_index(index_dir)
    load_seconds = time.perf_counter() - started
    asked = questions()
    started = time.perf_counter()
    search(index, asked[0], top_k=10)
    first_ms = (time.perf_counter() - started) * 1000
    loaded = peak_rss_mb()
    figures = timed_passes(lambda q: search(index, q, top_k=10), asked, passes)
    return {
        "load_s": load_seconds,
        "first_query_ms": first_ms,
        "load_rss_mb": loaded,
        **figures,
    }


def child_reference(index_dir: Path, passes: int, limit: int) -> dict:
    """rank_bm25's BM25Plus over the same text tokens: get_scores and the top 10."""
    import numpy as np
    from rank_bm25 import BM25Plus

    from bot.index import bm25, load_index
    from bot.ingest.tokenization import terms

    index = load_index(index_dir)
    tokenized = [terms(passage.text) for passage in index.passages]
    model = BM25Plus(tokenized, k1=bm25.K1, b=bm25.B, delta=bm25.DELTA)
    del tokenized

    def search(question: str):
        scores = model.get_scores(terms(question))
        best = np.argpartition(-scores, 9)[:10]
        return best[np.argsort(-scores[best])]

    return timed_passes(search, questions()[:limit], passes)


# ---------------------------------------------------------------- the parent


def run_child(
    *args: str, sample_memory: bool = False, script: Path = Path(__file__)
) -> dict:
    """Run a bench script (this one unless told) as a child with the given mode; its
    JSON result. With `sample_memory`, also the peak memory of the child and its
    workers, sampled from here every 20 ms; timed searches run undisturbed."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(script.resolve()), "--child", *args]
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    ) as child:
        peak = 0.0
        while sample_memory and child.poll() is None:
            peak = max(peak, tree_rss_mb(child.pid))
            time.sleep(0.02)
        out, err = child.communicate()
    if child.returncode != 0:
        sys.stderr.write(err)
        raise SystemExit(f"child {args[0]} failed")
    result = json.loads(out.strip().splitlines()[-1])
    return result | ({"tree_peak_mb": peak} if sample_memory else {})


def measure(size: int, args: argparse.Namespace) -> dict:
    """Every figure of one corpus size."""
    label = size_label(size)
    print(f"[{label}] corpus ...", file=sys.stderr, flush=True)
    corpus = ensure_corpus(size)
    index_dir = OUT / f"index-{label}"
    print(f"[{label}] build ...", file=sys.stderr, flush=True)
    built = run_child("build", str(corpus), str(index_dir), sample_memory=True)
    row = {"size": size, **built}
    print(f"[{label}] load + search ...", file=sys.stderr, flush=True)
    searched = run_child("search", str(index_dir), str(args.passes))
    row |= searched
    if not args.no_reference:
        limit = args.reference_queries or (20 if size >= 1_000_000 else 10**6)
        passes = 1 if size >= 100_000 else args.passes
        print(f"[{label}] rank_bm25 ...", file=sys.stderr, flush=True)
        reference = run_child("reference", str(index_dir), str(passes), str(limit))
        row["reference"] = reference
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def print_table(rows: list[dict]) -> None:
    """The figures as a Markdown table, then rank_bm25's and the ratio."""
    print(
        "| passages | build s | build peak MB, all processes (main) | index MB | load s "
        "| RSS after load MB | search p50 ms (first pass) | p99 ms | queries/s |"
    )
    print("| --- " * 9 + "|")
    for r in rows:
        print(
            f"| {size_label(r['size'])} | {r['build_s']:.1f} "
            f"| {r['tree_peak_mb']:.0f} ({r['peak_mb']:.0f}) | {r['index_mb']:.0f} "
            f"| {r['load_s']:.2f} | {r['load_rss_mb']:.0f} | {r['p50_ms']:.3f} "
            f"({r['first_pass_p50_ms']:.3f}) "
            f"| {r['p99_ms']:.2f} | {r['qps']:.0f} |"
        )
    timed = [r for r in rows if "reference" in r]
    if not timed:
        return
    print()
    print(
        "| passages | rank_bm25 p50 ms | p99 ms | queries/s | queries timed "
        "| speed-up at p50 |"
    )
    print("| --- " * 6 + "|")
    for r in timed:
        ref = r["reference"]
        print(
            f"| {size_label(r['size'])} | {ref['p50_ms']:.1f} | {ref['p99_ms']:.1f} "
            f"| {ref['qps']:.1f} | {ref['queries']} x {ref['passes']} "
            f"| {ref['p50_ms'] / r['p50_ms']:.0f}x |"
        )


def child_main(mode: str, arguments: list[str]) -> None:
    """Run one measurement and print its JSON on the last line."""
    if mode == "build":
        result = child_build(Path(arguments[0]), Path(arguments[1]))
    elif mode == "search":
        result = child_search(Path(arguments[0]), int(arguments[1]))
    else:
        result = child_reference(
            Path(arguments[0]), int(arguments[1]), int(arguments[2])
        )
    print(json.dumps(result))


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10k,100k,1m", help="e.g. 10k,100k")
    parser.add_argument(
        "--passes", type=int, default=5, help="passes over the questions"
    )
    parser.add_argument("--no-reference", action="store_true", help="skip rank_bm25")
    parser.add_argument(
        "--reference-queries",
        type=int,
        default=0,
        help="questions timed with rank_bm25 (default: all; 20 at 1M)",
    )
    args = parser.parse_args()
    rows = [measure(parse_size(size), args) for size in args.sizes.split(",")]
    print_table(rows)


if __name__ == "__main__":
    main()
