"""The README's Python examples run as written, in order, in one namespace."""

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
SKIP = "<!-- readme-test: skip"
# Modules of optional extras: a block that needs a missing one is skipped, not failed.
EXTRAS = {"qiskit_ibm_runtime", "qiskit_aer", "qiskit", "matplotlib", "distributed"}


def blocks():
    """``(line, code)`` of every Python block, except those marked to skip."""
    text = README.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^```python\n(.*?)^```", text, flags=re.M | re.S):
        before = text[:match.start()].rstrip().splitlines()
        if before and before[-1].startswith(SKIP):
            continue
        found.append((text[:match.start()].count("\n") + 1, match.group(1)))
    return found


def test_the_readme_has_examples_and_marks_what_cannot_run_here():
    text = README.read_text(encoding="utf-8")
    assert len(blocks()) >= 5
    assert text.count(SKIP) == 1  # the named IBM device: it needs an account


def test_readme_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(README.parent)  # examples name files of the repository
    namespace = {"__name__": "readme"}
    for line, code in blocks():
        try:
            exec(compile(code, f"README.md:{line}", "exec"), namespace)
        except ModuleNotFoundError as exc:
            if exc.name.split(".")[0] not in EXTRAS:
                raise
            pytest.skip(f"README.md:{line} needs {exc.name} (an optional extra); the blocks "
                        f"before it ran")
    assert os.getcwd() == str(README.parent)
