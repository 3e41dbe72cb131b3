"""Several `faqbot index` runs at once into one folder, round after round.

Each round starts --builds builds of a copy of the bundled corpus into the same index
folder at the same moment, waits for them all, then loads the index (as a server
starting would) and checks it with `faqbot index --verify`. It passes when every build
succeeded and every round left a valid index.

    .venv/bin/python bench/parallel_builds.py [--builds 6] [--rounds 10]

Prints the figures as JSON; exits 1 when a build failed or a round left no valid index.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def faqbot(*arguments: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(builds: int, rounds: int, work: Path) -> dict:
    corpus, index = work / "corpus", work / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    env = os.environ | {"FAQBOT_CORPUS": str(corpus), "FAQBOT_INDEX": str(index)}
    failed_builds, invalid_rounds, errors = 0, 0, []
    started = time.monotonic()
    for _ in range(rounds):
        running = [faqbot("index", env=env) for _ in range(builds)]
        for build in running:
            _, err = build.communicate(timeout=300)
            if build.returncode:
                failed_builds += 1
                errors.append(err.strip().splitlines()[-1:])
        verify = faqbot("index", "--verify", env=env)
        _, err = verify.communicate(timeout=120)
        if verify.returncode:
            invalid_rounds += 1
            errors.append(err.strip().splitlines()[-1:])
    return {
        "builds_per_round": builds,
        "rounds": rounds,
        "failed_builds": failed_builds,
        "rounds_without_a_valid_index": invalid_rounds,
        "seconds": round(time.monotonic() - started, 1),
        "errors": errors[:5],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="faqbot-builds-") as folder:
        result = run(args.builds, args.rounds, Path(folder))
    print(json.dumps(result, indent=2))
    return 1 if result["failed_builds"] or result["rounds_without_a_valid_index"] else 0


if __name__ == "__main__":
    sys.exit(main())
