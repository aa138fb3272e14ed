"""Bad inputs found by hand get a clear error or a warning naming the argument (issue 11)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from qskew import (
    QGANOverSampler,
    QNNClassifier,
    QNNModule,
    QuantumGenerator,
    QuantumKernel,
    QuantumKernelSVC,
)
from qskew.experiment import demo_config, load_config
from qskew.metrics import classification_metrics, synthetic_fidelity

Y = np.r_[np.zeros(24, int), np.ones(6, int)]
TEXT = pd.DataFrame({"amount": np.arange(30.0), "merchant": ["shop"] * 30})


@pytest.mark.parametrize("make", [
    lambda: QuantumKernel(shots=True)(np.zeros((2, 2))),
    lambda: QuantumKernelSVC(shots=True).fit(np.random.rand(6, 2), np.arange(6) % 2),
    lambda: QNNClassifier(shots=False).fit(np.random.rand(6, 2), np.arange(6) % 2),
])
def test_bool_shots_are_refused_by_estimators(make):
    with pytest.raises(InvalidParameterError, match=r"'shots' parameter .*not a bool.*Got True"
                                                    r"|Got False"):
        make()


@pytest.mark.parametrize("module", [lambda: QNNModule(2, shots=True),
                                    lambda: QuantumGenerator(2, 1, shots=True)])
def test_bool_shots_are_refused_by_modules(module):
    with pytest.raises(ValueError, match="shots must be a positive integer or None; got True"):
        module()


def test_huge_features_are_an_error_and_large_ones_warn_once_they_wrap():
    with pytest.raises(ValueError, match=r"X1 holds features up to 1e\+300.*Scale the features"):
        QuantumKernel()(np.full((2, 2), 1e300))
    with pytest.raises(ValueError, match=r"X holds features up to 1e\+300"):
        QNNClassifier(max_epochs=1).fit(np.full((4, 2), 1e300), [0, 1, 0, 1])
    with pytest.warns(UserWarning, match=r"X1 holds features up to 1e\+09.*wrap around"):
        QuantumKernel(feature_map="angle", reps=1)(np.full((2, 2), 1e9))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        QuantumKernel(feature_map="angle", reps=1)(np.full((2, 2), np.pi))  # no warning


def test_zero_weight_on_a_whole_class_is_refused_like_the_svc():
    X, y = np.random.default_rng(0).uniform(0, 1, (10, 2)), np.arange(10) % 2
    weight = np.where(y == 1, 0.0, 1.0)
    for model in (QNNClassifier(max_epochs=1), QuantumKernelSVC()):
        with pytest.raises(ValueError, match=r"positive sample_weight in every class.*\[1\]"):
            model.fit(X, y, sample_weight=weight)


def test_a_single_minority_row_warns_that_its_copies_are_all_the_gan_can_give():
    X = np.random.default_rng(0).uniform(0, 1, (21, 2))
    y = np.r_[np.zeros(20, int), 1]
    with pytest.warns(UserWarning, match="class 1 has 1 row.*19 synthetic rows are copies"):
        QGANOverSampler(n_qubits=2, n_layers=1, epochs=1, random_state=0).fit_resample(X, y)


def test_unused_backend_options_on_the_engine_are_refused():
    with pytest.raises(ValueError, match=r"backend_options \['c_dtype'\] are not used: "
                                         r"QuantumKernel runs 'lightning.qubit'"):
        QuantumKernel(backend_options={"c_dtype": np.complex64})(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"\['batch_obs'\] are not used: QNNModule"):
        QNNModule(2, shots=10, backend_options={"batch_obs": True})


@pytest.mark.parametrize("call, match", [
    (lambda: QGANOverSampler(epochs=1).fit_resample(TEXT, Y),
     r"X must be numeric for QGANOverSampler; column\(s\) \['merchant'\]"),
    (lambda: synthetic_fidelity(TEXT, TEXT),
     r"real must be numeric for synthetic_fidelity; column\(s\) \['merchant'\]"),
    (lambda: classification_metrics(Y, np.r_[np.full(29, 0.5), np.nan]),
     r"y_score contains 1 NaN or infinite value\(s\), first at index 29"),
])
def test_messages_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- secrets --------------------------------------------------------------------


@pytest.mark.parametrize("key", ["token", "api_key", "IBM-API-KEY", "password", "client_secret"])
def test_credentials_in_a_config_are_refused_without_echoing_them(key):
    with pytest.raises(Exception, match=rf"models.qsvc.backend_options.{key}: looks like a "
                                        "credential.*QISKIT_IBM_TOKEN") as raised:
        load_config(str(demo_config()),
                    overrides={"models.qsvc.backend_options": {key: "s3cr3t-value"}})
    assert "s3cr3t-value" not in str(raised.value)


def test_credentials_are_masked_in_messages():
    with pytest.raises(ValueError) as raised:
        QuantumKernel(backend_options={"token": "s3cr3t-value"})(np.zeros((2, 2)))
    assert "token" in str(raised.value) and "s3cr3t-value" not in str(raised.value)
