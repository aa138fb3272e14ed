"""Every notebook in notebooks/ is stored clean and runs top to bottom in a fresh kernel.

The notebooks are found by glob, so a new one is tested without touching this file. Each runs
in a fresh ``python3`` kernel (the interpreter running pytest, through ipykernel) with a
temporary working directory, so a notebook may not rely on files next to it. The kernel's
environment has ``CI`` set: qskew's progress bars stay silent there (``qskew._progress``),
and any other output on stderr (a warning) fails the test, as a reader would see it.

Needs nbclient, nbformat and ipykernel (the ``test`` extra); skipped without them.
"""

import os
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: Seconds one cell may run; the notebooks aim at about a minute in all on 2 cores.
CELL_TIMEOUT = 300
#: MIME types a figure is drawn as; more than one per cell means a figure shown twice.
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks in notebooks/")


def _code_cells(nb):
    return [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", (
        f"{path.name}: the kernelspec must be python3, which every ipykernel provides")
    dirty = [i for i, cell in _code_cells(nb) if cell.outputs or cell.execution_count is not None]
    assert not dirty, (
        f"{path.name}: code cells {dirty} are stored with outputs or execution counts; clear "
        f"them (jupyter nbconvert --clear-output --inplace notebooks/{path.name})")


def _images(output):
    return sum(mime in output.get("data", {}) for mime in IMAGE_TYPES)


def _problems(nb):
    """Output a reader should not see: a figure drawn twice or as text only, and anything on
    stderr (warnings, progress bars)."""
    problems = []
    for i, cell in _code_cells(nb):
        images = sum(_images(output) for output in cell.outputs)
        if images > 1:
            problems.append(f"cell {i} shows {images} images (a figure displayed twice?)")
        for output in cell.outputs:
            text = output.get("data", {}).get("text/plain", "")
            if text.startswith("<Figure") and not _images(output):
                problems.append(f"cell {i} shows a figure as text only: {text}")
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                problems.append(f"cell {i} writes to stderr:\n{output['text'].strip()}")
    return problems


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    try:
        client.execute(env={**os.environ, "CI": "true"})
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{path.name} failed:\n{exc}", pytrace=False)
    seconds = time.perf_counter() - start
    print(f"{path.name}: executed in {seconds:.1f} s")
    problems = _problems(nb)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
