"""Tests for qskew._progress: where progress bars show, and the estimators that draw them."""

import io
import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from qskew import (
    GANOverSampler,
    QNNClassifier,
    QuantumKernel,
    QuantumKernelSVC,
    QuantumStackingClassifier,
)
from qskew import _progress
from qskew.backends import _qiskit

X = np.array([[0.1, 0.2], [0.3, 0.1], [2.9, 3.0], [2.7, 2.8]] * 4)
Y = np.array([0, 0, 1, 1] * 4)


class FakeStderr(io.StringIO):
    """A stderr that says whether it is a terminal."""

    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.fixture
def terminal(monkeypatch):
    """A person at a terminal: no CI, no Jupyter kernel, and ``terminal()`` makes stderr a
    TTY (called in the test itself: pytest's capture resets sys.stderr after fixtures)."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel.zmqshell", raising=False)
    monkeypatch.delitem(sys.modules, "IPython.utils._process_emscripten", raising=False)
    return lambda tty=True: monkeypatch.setattr(sys, "stderr", FakeStderr(tty))


# -- the default rule ---------------------------------------------------------------


def test_auto_shows_on_a_terminal(terminal):
    terminal()
    assert _progress.enabled("auto")


@pytest.mark.parametrize("value", ["1", "true", "yes", "True"])
def test_auto_is_off_in_ci_even_on_a_terminal(terminal, monkeypatch, value):
    terminal()
    monkeypatch.setenv("CI", value)
    assert not _progress.enabled("auto")


@pytest.mark.parametrize("value", ["", "0", "false", "FALSE"])
def test_a_ci_variable_saying_no_is_not_ci(terminal, monkeypatch, value):
    terminal()
    monkeypatch.setenv("CI", value)
    assert _progress.enabled("auto")


def test_auto_is_off_when_stderr_is_not_a_terminal(terminal, monkeypatch):
    terminal(tty=False)
    assert not _progress.enabled("auto")


def test_auto_is_off_without_stderr(terminal, monkeypatch):
    monkeypatch.setattr(sys, "stderr", None)  # pythonw
    assert not _progress.enabled("auto")


def test_auto_shows_in_a_jupyter_kernel_but_not_in_ci(terminal, monkeypatch):
    terminal(tty=False)  # a kernel's stderr is no TTY
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", object())
    assert _progress.enabled("auto")
    monkeypatch.setenv("CI", "1")  # notebooks executed in CI
    assert not _progress.enabled("auto")


@pytest.mark.parametrize("verbose", [0, False, np.bool_(False)])
def test_verbose_0_is_off_even_on_a_terminal(terminal, verbose):
    terminal()
    assert not _progress.enabled(verbose)


@pytest.mark.parametrize("verbose", [1, 2, True])
def test_positive_verbose_is_on_even_in_ci(monkeypatch, verbose):
    monkeypatch.setenv("CI", "1")
    assert _progress.enabled(verbose)


def test_an_enclosing_explicit_choice_decides_for_auto(terminal):
    terminal()
    with _progress.verbosity(0):
        assert not _progress.enabled("auto")
        assert _progress.enabled(1)  # an inner explicit choice still wins
        with _progress.verbosity("auto"):  # keeps the enclosing choice
            assert not _progress.enabled("auto")
    with _progress.verbosity(1):
        assert _progress.enabled("auto")
    assert _progress.enabled("auto")  # the block restored the default


@pytest.mark.parametrize("bad", ["loud", -1, 1.5, None])
def test_bad_verbose_says_what_is_allowed(bad):
    with pytest.raises(ValueError, match=r"verbose must be 'auto', a bool or an int >= 0; "
                                         rf"got {bad!r}\. Use verbose=0"):
        _progress.enabled(bad)


# -- the bars -------------------------------------------------------------------------


def test_verbose_1_draws_a_bar_at_once():
    out = io.StringIO()
    with _progress.progress(total=3, desc="work", unit="step", verbose=1, file=out) as bar:
        for _ in range(3):
            bar.set_postfix(loss=0.5, refresh=False)
            bar.update()
    assert "work" in out.getvalue() and "3/3" in out.getvalue() and "loss=0.5" in out.getvalue()


def test_verbose_0_draws_nothing_and_takes_every_bar_method():
    out = io.StringIO()
    bar = _progress.progress(total=3, verbose=0, file=out)
    with bar:
        bar.update()
        bar.set_postfix(loss=1.0, refresh=False)
        bar.set_postfix_str("x")
        bar.set_description("y")
        bar.refresh()
    bar.close()
    assert out.getvalue() == "" and bar.n == 1
    assert list(_progress.progress(range(3), verbose=0)) == [0, 1, 2]


def test_auto_waits_before_it_shows(terminal):
    terminal()
    out = io.StringIO()
    bar = _progress.progress(total=2, file=out)
    assert bar.delay == _progress.DELAY_SECONDS
    bar.update(2)
    bar.close()
    assert out.getvalue() == ""  # short work: no bar at all


# -- estimators -----------------------------------------------------------------------


def _fit(estimator, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # deliberately short training
        return estimator.fit(*args)


def test_qnn_fit_draws_its_epochs_only_when_asked(capsys):
    _fit(QNNClassifier(n_layers=1, max_epochs=3, random_state=0, verbose=1), X, Y)
    err = capsys.readouterr().err
    assert "QNN training" in err and "3/3" in err and "val_loss=" in err
    _fit(QNNClassifier(n_layers=1, max_epochs=3, random_state=0, verbose=0), X, Y)
    _fit(QNNClassifier(n_layers=1, max_epochs=3, random_state=0), X, Y)  # auto, under pytest
    assert capsys.readouterr().err == ""


def test_gan_draws_each_class_epochs(capsys):
    X_gan = np.vstack([np.zeros((20, 2)), np.ones((6, 2))])
    y_gan = np.array([0] * 20 + [1] * 6)
    GANOverSampler(epochs=2, random_state=0, verbose=1).fit_resample(X_gan, y_gan)
    err = capsys.readouterr().err
    assert "GANOverSampler class 1" in err and "2/2" in err and "g_loss=" in err
    GANOverSampler(epochs=2, random_state=0, verbose=0).fit_resample(X_gan, y_gan)
    assert capsys.readouterr().err == ""


def test_a_stack_counts_its_member_fits_and_its_choice_reaches_them(capsys):
    members = [("qnn", QNNClassifier(n_layers=1, max_epochs=2, random_state=0)),
               ("lr", LogisticRegression())]
    _fit(QuantumStackingClassifier(members, cv=2, random_state=0, verbose=1), X, Y)
    err = capsys.readouterr().err
    assert "QuantumStackingClassifier" in err and "6/6" in err  # 2 members x (2 folds + 1)
    assert "QNN training" in err  # the member's "auto" follows the stack
    _fit(QuantumStackingClassifier(members, cv=2, random_state=0, verbose=0), X, Y)
    assert capsys.readouterr().err == ""


def test_a_gram_matrix_in_blocks_has_a_bar_and_one_block_none(capsys, monkeypatch):
    from qskew.kernels import _gram

    kernel = QuantumKernel(feature_map="angle", reps=1, verbose=1)
    kernel(X)  # one block
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(_gram, "BLOCK_BYTES", 16 * len(X) * 4)  # 4 rows a block
    QuantumKernel.clear_cache()
    kernel(X)
    err = capsys.readouterr().err
    assert "QuantumKernel Gram" in err and f"{len(X)}/{len(X)}" in err


@pytest.mark.filterwarnings("ignore:the kernel is concentrated")  # tiny, separable rows
def test_a_kernel_svc_shows_its_bandwidth_search_and_passes_verbose_on(capsys):
    clf = QuantumKernelSVC(feature_map="angle", reps=1, bandwidth="auto", verbose=1).fit(X, Y)
    err = capsys.readouterr().err
    assert "QuantumKernelSVC bandwidth search" in err and "11/11" in err
    assert clf.kernel_.verbose == 1
    QuantumKernelSVC(feature_map="angle", reps=1, bandwidth="auto", verbose=0).fit(X, Y)
    assert capsys.readouterr().err == ""


def test_a_qpu_job_shows_at_once_and_a_local_single_job_not(monkeypatch, capsys):
    monkeypatch.setattr(_qiskit, "run_job", lambda primitive, pubs: ("result", True))
    monkeypatch.setattr(_qiskit, "_is_simulated", lambda device: False)
    with _progress.verbosity(1):
        with _qiskit._jobs_bar(object(), 1, "device") as bar:
            bar.delay = 60  # even so: a QPU's queue is worth seeing at once
            assert _qiskit._run_tracked(object(), [], bar, "device") == ("result", True)
        assert "job sent, waiting" in capsys.readouterr().err
        monkeypatch.setattr(_qiskit, "_is_simulated", lambda device: True)
        assert _qiskit._jobs_bar(object(), 1, "device").disable  # the caller's bar shows it
        with _qiskit._jobs_bar(object(), 3, "device") as bar:  # many local jobs
            assert not bar.disable
    with _progress.verbosity(0):
        monkeypatch.setattr(_qiskit, "_is_simulated", lambda device: False)
        assert _qiskit._jobs_bar(object(), 1, "device").disable


@pytest.mark.filterwarnings("ignore:the kernel is concentrated")
def test_scoring_in_several_blocks_has_a_bar_and_one_block_none(capsys, monkeypatch):
    from qskew.backends import _memory

    qnn = _fit(QNNClassifier(n_layers=1, max_epochs=2, random_state=0, verbose=1), X, Y)
    svc = QuantumKernelSVC(feature_map="angle", reps=1, verbose=1).fit(X, Y)
    capsys.readouterr()
    qnn.predict(X), svc.predict(X)  # one block each
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(_memory, "STREAM_BYTES", 1)  # one row a block
    qnn.predict(X[::-1]), svc.predict(X[::-1])  # other rows: the last ones' scores are kept
    err = capsys.readouterr().err
    assert "QNN scoring" in err and "QuantumKernelSVC scoring" in err and "16/16" in err


def test_jupyter_without_ipywidgets_gets_text_bars_not_a_warning(monkeypatch):
    import importlib.util

    import tqdm.std

    monkeypatch.setattr(_progress, "in_jupyter", lambda: True)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "ipywidgets" else real(name, *a))
    assert _progress._tqdm_class() is tqdm.std.tqdm
