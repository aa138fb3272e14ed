"""Architecture rules of DESIGN.md, checked on the syntax tree (docstrings and doctests,
being string constants, are never inspected as code).

- ``circuits`` is this repository's package, not the unrelated PyPI ``circuits``.
- Imports point one way: ``experiment, cli -> qskew families -> backends -> circuits ->
  pennylane, numpy``; ``circuits`` never imports qskew, sklearn or torch, and never
  creates a device or a QNode; the families and backends never import ``experiment`` or
  ``cli``; ``backends`` imports no family.
- In ``qskew``, only ``backends/_devices.py`` creates devices and QNodes.
- The light entry points (``import qskew``, ``qskew --version``, ``--help``, ``list``)
  import neither PennyLane nor torch.
"""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import circuits
import qskew

ROOT = Path(__file__).resolve().parents[1]
CIRCUITS_FILES = sorted((ROOT / "circuits").rglob("*.py"))
QSKEW_FILES = sorted((ROOT / "qskew").rglob("*.py"))
DEVICE_MODULE = ROOT / "qskew" / "backends" / "_devices.py"
#: Subpackages (and modules) of qskew the experiment layer is built on.
FAMILIES = ("kernels", "qnn", "synth", "ensemble")
APPLICATION = ("qskew.experiment", "qskew.cli")
CORE_FILES = [p for p in QSKEW_FILES
              if p.relative_to(ROOT / "qskew").parts[0] not in ("experiment", "cli.py")]

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
    assert DEVICE_MODULE in QSKEW_FILES
    assert ROOT / "qskew" / "kernels" / "_kernel.py" in CORE_FILES
    assert ROOT / "qskew" / "experiment" / "_runner.py" not in CORE_FILES


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
    "path", [p for p in QSKEW_FILES if p != DEVICE_MODULE],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_only_the_device_module_creates_devices_and_qnodes(path):
    assert device_or_qnode_uses(parse(path)) == []


def test_the_device_module_is_where_devices_are_created():
    assert device_or_qnode_uses(parse(DEVICE_MODULE))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_experiment_or_cli(path):
    modules = imported_modules(parse(path))
    assert not [m for m in modules if m.startswith(APPLICATION)]


@pytest.mark.parametrize(
    "path", sorted((ROOT / "qskew" / "backends").rglob("*.py")),
    ids=lambda p: p.name,
)
def test_backends_import_no_family(path):
    modules = imported_modules(parse(path))
    assert not [m for m in modules
                if m.startswith(tuple(f"qskew.{family}" for family in FAMILIES))]


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["list"]])
def test_light_commands_import_neither_pennylane_nor_torch(argv):
    code = ("import sys\nfrom qskew import cli\ntry:\n    cli.main(sys.argv[1:])\n"
            "except SystemExit:\n    pass\n"
            "heavy = sorted({'torch', 'pennylane'} & set(sys.modules))\n"
            "print('heavy:', heavy, file=sys.stderr)\nsys.exit(1 if heavy else 0)")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip()


def test_public_names_load_on_first_use():
    code = ("import sys, qskew\nassert 'torch' not in sys.modules\n"
            "assert 'pennylane' not in sys.modules\nqskew.QuantumKernel\n"
            "assert 'pennylane' not in sys.modules\nqskew.QNNModule\n"
            "assert 'torch' in sys.modules\nassert set(qskew.__all__) <= set(dir(qskew))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


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
    source = ("import importlib\nimportlib.import_module('qskew.kernels._kernel')\n"
              "from sklearn import svm")
    assert {"qskew.kernels._kernel", "sklearn", "importlib"} <= set(
        imported_modules(ast.parse(source)))
