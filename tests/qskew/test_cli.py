"""Tests for qskew.cli: the ``qskew`` command."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import qskew
from qskew import BackendNotFoundError, cli

MODELS = ("QuantumKernelSVC (angle)", "QuantumKernelSVC (iqp)", "QuantumKernelSVC (zz)",
          "SVC (rbf)")


def test_demo_prints_the_comparison_table(capsys):
    assert cli.main(["demo", "--seeds", "1"]) == 0
    out, err = capsys.readouterr()
    assert "397 rows, 40 malignant" in out
    for column in ("PR-AUC", "minority recall", "minority F1", "MCC", "balanced acc."):
        assert column in out
    for model in MODELS:
        assert model in out
    assert "mean ± std over 1 seeds" in out
    assert err == ""


def test_demo_passes_its_options_to_the_handler(monkeypatch):
    seen = {}

    def handler(args):
        seen.update(vars(args))
        return 0

    monkeypatch.setattr(cli, "_demo", handler)
    assert cli.main(["demo", "--seeds", "3", "--n-qubits", "2"]) == 0
    assert (seen["command"], seen["seeds"], seen["n_qubits"]) == ("demo", 3, 2)
    assert cli.main(["demo"]) == 0
    assert (seen["seeds"], seen["n_qubits"]) == (5, 4)


def test_version_exits_zero(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"qskew {qskew.__version__}"


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], r"the following arguments are required: command"),
        (["frobnicate"], r"invalid choice: 'frobnicate'"),
        (["demo", "--seeds", "0"], r"argument --seeds: must be a positive integer; got 0"),
        (["demo", "--seeds", "-2"], r"argument --seeds: must be a positive integer; got -2"),
        (["demo", "--seeds", "many"], r"argument --seeds: must be a positive integer; got many"),
        (["demo", "--n-qubits", "0"], r"argument --n-qubits: must be a positive integer"),
        (["demo", "--colour"], r"unrecognized arguments: --colour"),
    ],
    ids=["no command", "unknown command", "seeds 0", "negative seeds", "seeds not a number",
         "n-qubits 0", "unknown option"],
)
def test_bad_usage_exits_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: qskew" in err
    assert re.search(message, err), err


@pytest.mark.parametrize(
    "error",
    [ValueError("n_qubits must be at most 20; got 21"),
     BackendNotFoundError("backend 'nope' is not an installed PennyLane device."),
     TypeError("bad type"),
     OSError("disk full")],
    ids=["ValueError", "BackendNotFoundError", "TypeError", "OSError"],
)
def test_handler_error_becomes_one_line_and_exit_1(capsys, monkeypatch, error):
    def handler(args):
        raise error

    monkeypatch.setattr(cli, "_demo", handler)
    assert cli.main(["demo", "--seeds", "1"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"qskew: error: {error}\n"
    assert "Traceback" not in err


def test_multi_line_error_is_folded_into_one_line(capsys, monkeypatch):
    def handler(args):
        raise ValueError("The feature names should match:\n- radius\n- texture\n")

    monkeypatch.setattr(cli, "_demo", handler)
    assert cli.main(["demo"]) == 1
    err = capsys.readouterr().err
    assert err == "qskew: error: The feature names should match: - radius - texture\n"


def test_interrupt_exits_130(capsys, monkeypatch):
    def handler(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_demo", handler)
    assert cli.main(["demo"]) == 130
    assert capsys.readouterr().err == "qskew: interrupted\n"


def test_parser_describes_the_demo():
    parser = cli.build_parser()
    assert parser.prog == "qskew"
    assert "demo" in parser.format_help()


@pytest.mark.slow  # starts a Python process that imports PennyLane (~3 s)
def test_console_script_version():
    script = Path(sys.executable).with_name("qskew")
    command = [str(script)] if script.exists() else [shutil.which("qskew")]
    if command[0] is None:
        pytest.skip("the qskew console script is not installed")
    done = subprocess.run([*command, "--version"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"qskew {qskew.__version__}"
