"""scikit-learn's and imbalanced-learn's own checks over every public estimator and sampler."""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks

from sklearn.linear_model import LogisticRegression

from qskew import (
    GANOverSampler,
    QGANOverSampler,
    QNNClassifier,
    QuantumKernelSVC,
    QuantumStackingClassifier,
)

# Checks that cannot hold for a quantum estimator, with the reason.
EXPECTED_FAILED_CHECKS = {
    "QuantumKernelSVC": {
        "check_sample_weight_equivalence_on_dense_data": (
            "uses 30+ features, beyond the 20-qubit simulator limit; libsvm is not "
            "weight-equivalent either (scikit-learn marks this check xfail for SVC)"
        ),
    },
    "QuantumStackingClassifier": {
        "check_sample_weight_equivalence_on_dense_data": (
            "uses 30+ features, beyond the 20-qubit simulator limit"
        ),
    },
    "QNNClassifier": {
        "check_sample_weight_equivalence_on_dense_data": (
            "uses 30+ features, beyond the 20-qubit simulator limit; mini-batch "
            "training is not exactly weight-equivalent either"
        ),
    },
}


def _expected_failed_checks(estimator):
    expected = dict(EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {}))
    if getattr(estimator, "approximation", None) == "explicit":
        expected["check_dtype_object"] = (
            "uses 10 features: 4^10 explicit features per row, beyond approximation="
            "'explicit''s limit of 8 qubits (it refuses with a ValueError)")
    return expected


@parametrize_with_checks(
    [
        QuantumKernelSVC(feature_map="angle", reps=1, random_state=0),
        QuantumKernelSVC(feature_map="angle", reps=1, approximation="nystroem", n_components=20,
                         random_state=0),
        QuantumKernelSVC(feature_map="angle", reps=1, approximation="explicit", random_state=0),
        QuantumKernelSVC(feature_map="angle", reps=1, kernel_training={"steps": 2},
                         random_state=0),
        QNNClassifier(n_layers=1, max_epochs=5, random_state=0),
        QuantumStackingClassifier(
            [("qsvc", QuantumKernelSVC(feature_map="angle", reps=1)),
             ("lr", LogisticRegression())],
            cv=2, random_state=0,
        ),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        # Short training in the checks stops at max_epochs by design.
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@imblearn_checks(
    [
        QGANOverSampler(n_qubits=2, n_layers=1, epochs=2, random_state=0),
        GANOverSampler(epochs=2, random_state=0),
    ]
)
def test_imblearn_compatible_sampler(estimator, check):
    check(estimator)
