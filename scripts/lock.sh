#!/usr/bin/env bash
# `make lock`: re-resolves the two lock files from pyproject.toml.
#   requirements.lock       what `make install` installs: the bot's dependencies, plus
#                           pyproject.toml's build-system.requires (setuptools, which
#                           installs the bot itself, without build isolation) and pip
#   requirements-test.lock  the same packages at the same versions, plus the test extra
#                           (`make install-test`)
# Every package is pinned (==) with the sha256 of every file the index has for that
# version (the wheels of all platforms and Python versions, and the sdist), so that
# `pip install --require-hashes` takes that file or none. The resolution is universal
# (uv pip compile --universal): one file for every platform and every Python that
# pyproject.toml's requires-python admits, a package that only some need carrying its
# environment marker (colorama on Windows; where a package's newest release dropped an
# older Python, the release that Python gets, e.g. numpy; async-timeout below 3.11.3).
# Versions already locked are kept where pyproject.toml still allows them; UPGRADE=1
# moves every package to its newest release.
# uv runs from a throwaway venv; it is pinned so that its output does not change under
# us (bump UV here on purpose).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
UV="uv==0.13.8"

tools=$(mktemp -d "${TMPDIR:-/tmp}/faqbot-lock.XXXXXX")
trap 'rm -rf "$tools"' EXIT
"$python" -m venv "$tools/venv"
"$tools/venv/bin/python" -m pip install -q "$UV"

# Locked besides the project's dependencies (read from stdin, so with no "# via" line):
# its build backend and the installer.
extra=$("$tools/venv/bin/python" -c '
import tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["build-system"]["requires"] + ["pip"]))
')

compile() {
    printf '%s\n' "$extra" | "$tools/venv/bin/uv" pip compile --quiet --universal \
        --generate-hashes --custom-compile-command "make lock" "$@" pyproject.toml -
}

upgrade=()
[ -n "${UPGRADE:-}" ] && upgrade=(--upgrade)
# The test lock first, as it holds everything; the runtime lock is then its subset,
# each package at the test lock's version (-c), whatever requirements.lock held before.
compile ${upgrade[@]+"${upgrade[@]}"} --extra test -o requirements-test.lock
compile --upgrade -c requirements-test.lock -o requirements.lock
echo "requirements.lock: $(grep -c '^[A-Za-z0-9]' requirements.lock) entries;" \
    "requirements-test.lock: $(grep -c '^[A-Za-z0-9]' requirements-test.lock)"
