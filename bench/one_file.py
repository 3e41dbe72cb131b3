"""Build time and peak memory: one large FAQ export against the same rows in many files.

Writes the same MedQuAD-derived entries as speed.py (`id, question, answer, title,
url`), once as a single sheet (1M rows: about 600 MB of .jsonl) and once split into
files of 50,000 rows, in a temporary folder (deleted afterwards), then builds each
index in a fresh process, in the same run. Peak memory is the resident memory of the
build's whole process tree, sampled every 20 ms (shared pages counted in each process:
an upper bound); the main process's and the largest worker's own peaks are also given,
and the CPU time of all of them (steadier than wall time on a shared machine).
The two indexes must be the same, file for file. Run:
`.venv/bin/python bench/one_file.py [--rows 1m] [--format jsonl|csv] [--tmp /tmp]`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.speed import (  # noqa: E402
    ENTRIES_PER_FILE,
    generated_entries,
    parse_size,
    run_child,
    size_label,
)

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__)
COLUMNS = ("id", "question", "answer", "title", "url")


class Sheet:
    """A FAQ sheet being written, as JSON lines or CSV."""

    def __init__(self, path: Path, kind: str):
        self.handle = path.open("w", encoding="utf-8", newline="")
        self.rows = csv.writer(self.handle) if kind == "csv" else None
        if self.rows:
            self.rows.writerow(COLUMNS)

    def write(self, entry: dict) -> None:
        if self.rows:
            self.rows.writerow([entry[name] for name in COLUMNS])
        else:
            self.handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.handle.close()


def write_corpora(size: int, kind: str, folder: Path) -> tuple[Path, Path]:
    """`size` entries as one sheet (folder/one) and as sheets of 50,000 (folder/split)."""
    one, split = folder / "one", folder / "split"
    one.mkdir()
    split.mkdir()
    whole = Sheet(one / f"faq.{kind}", kind)
    part = None
    for number, entry in enumerate(generated_entries(size)):
        if number % ENTRIES_PER_FILE == 0:
            if part:
                part.close()
            part = Sheet(split / f"faq-{number // ENTRIES_PER_FILE:03d}.{kind}", kind)
        whole.write(entry)
        part.write(entry)
    whole.close()
    if part:
        part.close()
    return one, split


def child_build(corpus: Path, index_dir: Path) -> dict:
    """Build the index (as `faqbot index` does, time bound included); time and peaks."""
    import resource

    from bot.config import Settings
    from bot.index import build_index

    started = time.perf_counter()
    report = build_index(corpus, index_dir, file_seconds=Settings().file_seconds)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # ended and waited for
    return {
        "build_s": seconds,
        "cpu_s": sum(r.ru_utime + r.ru_stime for r in (own, workers)),
        "main_peak_mb": own.ru_maxrss / 1024,
        "worker_peak_mb": workers.ru_maxrss / 1024,
        "documents": report.documents,
        "passages": report.passages,
        "problems": len(report.problems),
    }


def build(corpus: Path, index_dir: Path) -> dict:
    """Build in a fresh process, sampling its tree's memory; its figures."""
    return run_child(str(corpus), str(index_dir), sample_memory=True, script=SCRIPT)


def index_digests(index_dir: Path) -> dict[str, str]:
    """A digest of each file of the index but its manifest (which holds the time)."""
    from bot.index import current_generation

    folder = current_generation(index_dir)
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.name != "manifest.json"
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child_build(Path(sys.argv[2]), Path(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="1m", help="e.g. 200k, 1m")
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--tmp", default="/tmp", help="where the corpora are written")
    args = parser.parse_args()
    size = parse_size(args.rows)
    folder = Path(tempfile.mkdtemp(prefix="faqbot-one-file-", dir=args.tmp))
    try:
        print(f"writing {size_label(size)} rows ...", file=sys.stderr, flush=True)
        one, split = write_corpora(size, args.format, folder)
        sheet_mb = sum(p.stat().st_size for p in one.iterdir()) / 1e6
        rows = []
        for name, corpus in (("many files", split), ("one file", one)):
            print(f"building {name} ...", file=sys.stderr, flush=True)
            figures = build(corpus, folder / f"index-{corpus.name}")
            print(json.dumps(figures), file=sys.stderr, flush=True)
            rows.append((name, figures))
        same = index_digests(folder / "index-one") == index_digests(
            folder / "index-split"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    count = len(list(range(0, size, ENTRIES_PER_FILE)))
    print(
        f"{size_label(size)} rows of .{args.format}, {sheet_mb:.0f} MB "
        f"(one file, or {count} files); the same index both ways: {same}\n"
    )
    print(
        "| corpus | build s | CPU s | peak MB, all processes | main process MB "
        "| largest worker MB | passages |"
    )
    print("| --- " * 7 + "|")
    for name, r in rows:
        print(
            f"| {name} | {r['build_s']:.1f} | {r['cpu_s']:.0f} | {r['tree_peak_mb']:.0f} "
            f"| {r['main_peak_mb']:.0f} | {r['worker_peak_mb']:.0f} | {r['passages']} |"
        )


if __name__ == "__main__":
    main()
