"""A clinic's own corpus/ changes no test: the suite passes in a checkout whose corpus
has a document in a subfolder and a FAQ sheet added.

The suite runs again in a copy of the repository (the files git tracks, plus the
venv's path), without the browser tests, which read the same tests/corpus/ through the
same fixtures, and without this test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT

AGAIN = "FAQBOT_SUITE_IN_CLINIC_CHECKOUT"
VISITING = """\
# Visiting the ward

Visitors are welcome between 2pm and 8pm. Two visitors at a bedside at a time.

## Parking

The multi-storey car park on Hill Street is free for patients' families.
"""
FAQ_SHEET = """\
question,answer
Can I bring flowers?,Flowers are not allowed on the ward for infection control.
Is there wifi?,Free wifi is available in all waiting areas.
"""


@pytest.mark.skipif(os.environ.get(AGAIN) == "1", reason="already the second run")
def test_the_suite_passes_with_a_clinics_own_documents_added(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to copy")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    checkout = tmp_path / "checkout"
    for name in filter(None, tracked):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            target = checkout / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (checkout / "corpus" / "visiting").mkdir(parents=True)
    (checkout / "corpus" / "visiting" / "ward.md").write_text(VISITING)
    (checkout / "corpus" / "practical.csv").write_text(FAQ_SHEET)

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            "--ignore=tests/browser",
            "tests",
        ],
        cwd=checkout,
        env={**os.environ, AGAIN: "1", "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
