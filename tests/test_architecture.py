"""Architecture rules of DESIGN.md, checked on the syntax tree (docstrings and doctests,
being string constants, are never inspected as code).

- ``circuits`` is this repository's package, not the unrelated PyPI ``circuits``.
- Imports point one way: ``qskew -> circuits -> pennylane, numpy``; ``circuits`` never
  imports qskew, sklearn or torch, and never creates a device or a QNode.
- In ``qskew``, only ``_backend.py`` creates devices and QNodes.
"""

import ast
import sys
import textwrap
from pathlib import Path

import pytest

import circuits
import qskew

ROOT = Path(__file__).resolve().parents[1]
CIRCUITS_FILES = sorted((ROOT / "circuits").rglob("*.py"))
QSKEW_FILES = sorted((ROOT / "qskew").rglob("*.py"))

PENNYLANE_FACTORIES = {"device", "devices", "qnode", "QNode"}
# Unambiguous anywhere (``device`` alone is also a torch device, so it counts only on pennylane).
QNODE_NAMES = {"qnode", "QNode"}
FORBIDDEN_PENNYLANE_MODULES = ("pennylane.devices", "pennylane.workflow", "pennylane_lightning")


def _root(module):
    return module.split(".")[0]


def imported_modules(tree):
    """Absolute module names imported by ``import``/``from`` and ``import_module("...")``."""
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.append(node.module)
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None))
              in {"import_module", "__import__"}):
            modules.append(node.args[0].value)
    return modules


def device_or_qnode_uses(tree):
    """Lines that reach PennyLane's device or QNode factories."""
    pennylane_names = {"pennylane"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            pennylane_names |= {a.asname or a.name for a in node.names if a.name == "pennylane"}
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            if node.module.startswith(FORBIDDEN_PENNYLANE_MODULES) or (
                node.module == "pennylane"
                and any(a.name in PENNYLANE_FACTORIES for a in node.names)
            ):
                hits.append((node.lineno, f"from {node.module} import ..."))
        elif isinstance(node, ast.Attribute):
            on_pennylane = isinstance(node.value, ast.Name) and node.value.id in pennylane_names
            if node.attr in QNODE_NAMES or (on_pennylane and node.attr in PENNYLANE_FACTORIES):
                hits.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Name) and node.id in QNODE_NAMES:
            hits.append((node.lineno, node.id))
    return hits


def parse(path):
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_circuits_is_this_repositorys_package():
    assert getattr(circuits, "__qskew_circuits__", False) is True
    assert circuits.__file__ is not None, "circuits was imported as a namespace package"
    assert Path(circuits.__file__).resolve() == ROOT / "circuits" / "__init__.py"
    assert Path(qskew.__file__).resolve() == ROOT / "qskew" / "__init__.py"


def test_files_were_found():
    assert ROOT / "circuits" / "_feature_maps.py" in CIRCUITS_FILES
    assert ROOT / "qskew" / "_backend.py" in QSKEW_FILES


@pytest.mark.parametrize("path", CIRCUITS_FILES, ids=lambda p: p.name)
def test_circuits_imports_only_pennylane_numpy_and_stdlib(path):
    allowed = {"pennylane", "numpy", "circuits"} | set(sys.stdlib_module_names)
    modules = imported_modules(parse(path))
    assert not {"qskew", "sklearn", "torch"} & {_root(m) for m in modules}
    assert {_root(m) for m in modules} <= allowed


@pytest.mark.parametrize("path", CIRCUITS_FILES, ids=lambda p: p.name)
def test_circuits_create_no_device_or_qnode(path):
    assert device_or_qnode_uses(parse(path)) == []


@pytest.mark.parametrize(
    "path", [p for p in QSKEW_FILES if p.name != "_backend.py"], ids=lambda p: p.name
)
def test_only_backend_module_creates_devices_and_qnodes(path):
    assert device_or_qnode_uses(parse(path)) == []


def test_backend_module_is_where_devices_are_created():
    assert device_or_qnode_uses(parse(ROOT / "qskew" / "_backend.py"))


# The scanners themselves: they find real uses and ignore docstrings and torch devices.


@pytest.mark.parametrize(
    "source",
    [
        "import pennylane as qml\ndev = qml.device('default.qubit', wires=1)",
        "import pennylane\ndev = pennylane.device('default.qubit', wires=1)",
        "import pennylane as qml\n@qml.qnode(None)\ndef f():\n    pass",
        "import pennylane as qml\nq = qml.QNode(f, dev)",
        "from pennylane import QNode",
        "from pennylane import device as make",
        "from pennylane.devices import DefaultQubit",
        "import pennylane as qml\ndev = qml.devices.DefaultQubit()",
    ],
)
def test_scanner_finds_device_and_qnode_creation(source):
    assert device_or_qnode_uses(ast.parse(source))


def test_scanner_ignores_docstrings_and_torch_devices():
    source = textwrap.dedent('''
        """Example.

        >>> import pennylane as qml
        >>> dev = qml.device("default.qubit", wires=1)
        >>> qnode = qml.QNode(f, dev)
        """
        import torch

        def f(x):
            """Runs ``qml.qnode`` elsewhere."""
            return x.to(torch.device("cpu")), x.device
    ''')
    assert device_or_qnode_uses(ast.parse(source)) == []


def test_import_scanner_sees_dynamic_imports():
    source = "import importlib\nimportlib.import_module('qskew._kernel')\nfrom sklearn import svm"
    assert {"qskew._kernel", "sklearn", "importlib"} <= set(imported_modules(ast.parse(source)))
