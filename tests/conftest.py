"""Put the repository root on sys.path.

tests/circuits/ and tests/qskew/ mirror the packages but are not packages: when
pytest puts tests/ on sys.path and the root is absent (bare ``pytest``, not
``python -m pytest``), ``import circuits`` would find tests/circuits/ as a
namespace package before the editable install's finder runs.
"""

import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(autouse=True)
def _fresh_state_cache():
    """Each test starts with an empty process-wide statevector cache."""
    from qskew import QuantumKernel

    QuantumKernel.clear_cache()
    yield
