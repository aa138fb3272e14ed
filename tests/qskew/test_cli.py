"""Tests for qskew.cli: the ``qskew`` command (demo, run, estimate, report, list)."""

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import qskew
from qskew import BackendNotFoundError, cli

#: What stderr says of plots: nothing, or that the "plots" extra is missing.
NO_PLOTS = ("" if importlib.util.find_spec("matplotlib") else
            "qskew: warning: plots skipped: matplotlib is not installed "
            "(pip install 'qskew[plots]').\n")

TINY_DEMO = ["--seeds", "1", "--set", "resamplers.qgan.epochs=2", "--set",
             "models.qnn.max_epochs=2", "--set", "models.rf.n_estimators=10", "--quiet"]


def tiny_config(folder, **extra):
    lines = ['name = "tiny"', 'backend = "default.qubit"', "seeds = [0]",
             '[dataset]', 'name = "demo"',
             '[preprocessing]', "pca_components = 2",
             '[resamplers.none]', '[resamplers.smote]',
             '[models.logreg]', '[models.rf]', "n_estimators = 5", "raw_features = true",
             '[evaluation]', 'metrics = ["pr_auc", "recall"]', 'baseline = "rf"',
             "fidelity = false"]
    path = folder / "tiny.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_demo_runs_the_packaged_config_at_tiny_settings(capsys, tmp_path):
    assert cli.main(["demo", *TINY_DEMO, "--out", str(tmp_path / "demo")]) == 0
    out, err = capsys.readouterr()
    assert "397 rows, 40 malignant" in out
    assert "resamplers none, smote, qgan x models qsvc, qnn, logreg, rf; 1 seed(s)" in out
    for column in ("pr_auc", "recall", "f1", "mcc", "balanced_accuracy", "brier",
                   "p_holm (pr_auc)"):
        assert column in out
    assert "mean ± std [95 % interval] over 1 seed(s) x 1 fold(s)" in out
    assert "corrected resampled t-test against resampler 'none', Holm-adjusted" in out
    assert ("note: 1 paired result(s) per comparison: too few for a test (it needs 5); use "
            'seeds = [0, 1, 2, 3, 4] with split = "cv", n_splits = 2 (5x2 CV).') in out
    rows = [line.split()[:2] for line in out.splitlines()]
    for resampler in ("none", "smote", "qgan"):  # the first row of each block names it
        assert [resampler, "qsvc"] in rows
    assert sum(row[:1] == ["qnn"] for row in rows) == 3
    assert "synthetic minority rows vs real training rows" in out
    assert "12/12 cells" in out and str(tmp_path / "demo") in out
    assert err == NO_PLOTS
    assert (tmp_path / "demo" / "summary.csv").exists()


def test_demo_passes_its_options_to_the_handler(monkeypatch):
    seen = {}

    def handler(args):
        seen.update(vars(args))
        return 0

    monkeypatch.setattr(cli, "_demo", handler)
    assert cli.main(["demo", "--seeds", "3", "--set", "seeds=[1]", "--scheduler", "local"]) == 0
    assert (seen["command"], seen["seeds"], seen["set"], seen["scheduler"]) == \
        ("demo", 3, ["seeds=[1]"], "local")
    assert cli.main(["demo"]) == 0
    assert (seen["seeds"], seen["set"], seen["out"], seen["quiet"]) == (None, None, None, False)


def test_run_report_and_refusals(capsys, tmp_path):
    config, out = tiny_config(tmp_path), str(tmp_path / "r")
    assert cli.main(["run", str(config), "--out", out, "--no-plots"]) == 0
    stdout, err = capsys.readouterr()
    assert "4/4 cells" in stdout and "p_holm (pr_auc)" in stdout
    assert "Wilcoxon" not in stdout and "too few for a test" in stdout
    assert "qskew: tiny: 4 cells to run" in err and "qskew: task 'none+logreg+seed0'" in err
    assert cli.main(["run", str(config), "--out", out]) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and err.count("\n") == 1
    assert err.startswith("qskew: error: results folder") and "--overwrite" in err
    assert cli.main(["run", str(config), "--out", out, "--resume", "--quiet"]) == 0
    assert capsys.readouterr().err == NO_PLOTS
    assert cli.main(["run", str(config), "--out", out, "--overwrite", "--quiet",
                     "--set", "seeds=[0,1]", "--no-plots"]) == 0
    assert "8/8 cells" in capsys.readouterr().out
    assert cli.main(["report", out, "--no-plots"]) == 0
    assert "8/8 cells" in capsys.readouterr().out
    assert cli.main(["report", str(tmp_path)]) == 1
    assert "is not a qskew results folder" in capsys.readouterr().err


def test_bad_config_exits_2_with_one_line(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('seed = [1]\n[dataset]\nname = "demo"\n[models.qsvm]\n')
    for command in ("run", "estimate"):
        assert cli.main([command, str(path)]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith(f"qskew: error: {path}: 2 problems: ")
        assert "did you mean 'seeds'?" in err and "did you mean 'qsvc'?" in err
    assert cli.main(["run", str(tmp_path / "missing.toml")]) == 2
    assert "no config file at" in capsys.readouterr().err
    assert cli.main(["run", str(path), "--set", "nonsense"]) == 2
    assert "--set needs KEY=VALUE" in capsys.readouterr().err


def test_failed_cell_exits_1(capsys, tmp_path, monkeypatch):
    from qskew.experiment import _cell

    def broken(*args, **kwargs):
        raise ValueError("the data is\ncursed")

    monkeypatch.setattr(_cell, "run_cell", broken)
    assert cli.main(["run", str(tiny_config(tmp_path)), "--out", str(tmp_path / "r"),
                     "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the data is cursed" in err and "--resume" in err


def test_missing_data_exits_1(capsys, tmp_path):
    path = tmp_path / "cc.toml"
    path.write_text('[dataset]\nname = "creditcard"\npath = "creditcard.csv"\n[models.rf]\n')
    assert cli.main(["run", str(path), "--out", str(tmp_path / "r")]) == 1
    assert "pass --data PATH" in capsys.readouterr().err
    assert cli.main(["estimate", str(path), "--data", str(tmp_path / "nope.csv")]) == 1
    assert "nope.csv" in capsys.readouterr().err


def test_estimate_and_list(capsys, tmp_path):
    assert cli.main(["estimate", str(tiny_config(tmp_path)), "--backend", "lightning.qubit"]) \
        == 0
    out = capsys.readouterr().out
    assert "state_preparations" in out and "total:" in out
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("creditcard", "qgan", "qsvc", "stack", "members", "raw_features",
                 "tpr_at_fpr_1%"):
        assert name in out


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
        (["demo", "--colour"], r"unrecognized arguments: --colour"),
        (["run"], r"the following arguments are required: config"),
        (["run", "c.toml", "--resume", "--overwrite"],
         r"argument --overwrite: not allowed with argument --resume"),
        (["report"], r"the following arguments are required: results_dir"),
        (["list", "extra"], r"unrecognized arguments: extra"),
    ],
    ids=["no command", "unknown command", "seeds 0", "negative seeds", "seeds not a number",
         "unknown option", "run without config", "resume and overwrite", "report without dir",
         "list with argument"],
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


def test_parser_describes_every_command():
    parser = cli.build_parser()
    assert parser.prog == "qskew"
    for command in ("demo", "run", "estimate", "report", "list"):
        assert command in parser.format_help()


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
