"""QNNClassifier: a scikit-learn classifier around QNNModule."""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight
from torch import nn

from circuits import ANSATZE, ENTANGLEMENTS, QNN_FEATURE_MAPS, ROTATIONS
from qskew import _backend
from qskew._compat import Interval, StrOptions, _fit_context
from qskew._qnn_module import QNNModule
from qskew._validation import validate_prediction_data, validate_training_data


class _QNNNet(nn.Module):
    """QNNModule followed by a per-output affine map of ``⟨Z⟩`` to logits.

    ``⟨Z⟩`` lies in ``[-1, 1]``; a trainable scale lets probabilities leave
    ``[0.27, 0.73]``, a trainable offset lets a skewed prior be expressed.
    """

    def __init__(self, qnn, prior):
        super().__init__()
        self.qnn = qnn
        n_out = qnn.n_outputs
        self.scale = nn.Parameter(torch.full((n_out,), 2.0, dtype=torch.float64))
        # Start from the (weighted) class prior, as Lin et al. do for the focal
        # loss: training then spends no early epochs learning the imbalance.
        prior = np.clip(prior, 1e-12, None)
        start = np.log(prior[1:] / prior[0]) if n_out == 1 else np.log(prior)
        self.offset = nn.Parameter(torch.as_tensor(start, dtype=torch.float64))

    def forward(self, x):
        return self.qnn(x) * self.scale + self.offset


def _per_sample_loss(logits, targets, loss, gamma):
    """Unreduced cross-entropy (or focal) loss; binary logits have one column."""
    if logits.shape[1] == 1:
        z = logits[:, 0]
        log_p1, log_p0 = nn.functional.logsigmoid(z), nn.functional.logsigmoid(-z)
        log_pt = torch.where(targets == 1, log_p1, log_p0)
    else:
        log_pt = torch.log_softmax(logits, dim=1).gather(1, targets[:, None])[:, 0]
    if loss == "focal":
        return -((1.0 - log_pt.exp()) ** gamma) * log_pt
    return -log_pt


class QNNClassifier(ClassifierMixin, BaseEstimator):
    r"""Variational quantum classifier trained with Adam, built for skewed classes.

    One qubit per feature; ``⟨Z⟩`` on the first qubit (binary) or on the
    first ``k`` qubits (``k`` classes; extra qubits are added when ``k``
    exceeds the number of features) becomes a logit through a trainable
    scale and offset. Training is mini-batch Adam on a class- and
    sample-weighted cross-entropy or focal loss, with early stopping on a
    stratified validation split.

    Parameters
    ----------
    n_layers : int, default=2
        Trainable layers of the ansatz.
    feature_map : {"angle", "zz", "reupload"}, default="angle"
        Encoding; ``"reupload"`` repeats the angle encoding before each layer.
    ansatz : {"strong", "hardware_efficient"}, default="strong"
        ``StronglyEntanglingLayers`` or RY/RZ + CNOT ring.
    loss : {"bce", "focal"}, default="bce"
        Cross-entropy (binary or multiclass) or focal loss
        :math:`-(1-p_t)^\gamma \log p_t` (Lin et al. 2017).
    focal_gamma : float, default=2.0
        Focusing parameter :math:`\gamma` of the focal loss.
    class_weight : dict, "balanced" or None, default=None
        Weights per class in the loss; ``"balanced"`` uses
        ``n_samples / (n_classes * bincount(y))``.
    learning_rate : float, default=0.05
        Adam step size.
    batch_size : int, default=32
        Mini-batch size (capped at the training set size).
    max_epochs : int, default=100
        Upper bound on passes over the training data.
    validation_fraction : float or None, default=0.1
        Stratified share held out for early stopping; ``None`` (or too few
        samples per class) monitors the training loss instead.
    patience : int, default=10
        Epochs without improvement of more than ``tol`` before stopping.
    tol : float, default=1e-4
        Minimum improvement of the monitored loss.
    warm_start : bool, default=False
        Continue from the previous weights when refitting on the same classes
        and number of features (otherwise start afresh).
    reps, entanglement, rotation
        Feature-map options (see :func:`circuits.qnn_circuit`).
    backend : str, default="lightning.qubit"
        PennyLane device name.
    backend_options : dict, optional
        Extra device options (circuit mode).
    shots : int, optional
        Shots per circuit; ``None`` for exact expectation values.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, validation split, shuffling and shots: same seed, same
        model, bit for bit.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    module_ : torch.nn.Module
        The trained network (``module_.qnn`` is the :class:`QNNModule`).
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss`` and ``val_loss`` (None when not
        monitored).
    n_iter_ : int
        Epochs run by the last ``fit``.
    best_loss_ : float
        Best monitored loss; its weights are the ones kept.

    Notes
    -----
    Execution: see :class:`~qskew.QNNModule` (exact batched simulation with
    backprop on statevector simulators, QNodes otherwise). Cost per epoch:
    ``n_samples`` circuit evaluations forward and backward; ``predict`` one
    batched pass. A :class:`~sklearn.exceptions.ConvergenceWarning` is issued
    when training stops at ``max_epochs`` while still improving.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.1, 0.2], [0.3, 0.1], [2.9, 3.0], [2.7, 2.8]] * 4)
    >>> y = np.array([0, 0, 1, 1] * 4)
    >>> clf = QNNClassifier(n_layers=1, max_epochs=30, validation_fraction=None,
    ...                     random_state=0).fit(X, y)
    >>> clf.predict([[0.2, 0.2], [2.8, 2.9]])
    array([0, 1])
    """

    _parameter_constraints = {
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "feature_map": [StrOptions(set(QNN_FEATURE_MAPS))],
        "ansatz": [StrOptions(set(ANSATZE))],
        "loss": [StrOptions({"bce", "focal"})],
        "focal_gamma": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "reps": [Interval(Integral, 1, None, closed="left")],
        "entanglement": [StrOptions(set(ENTANGLEMENTS))],
        "rotation": [StrOptions(set(ROTATIONS))],
        "backend": [str],
        "backend_options": [dict, None],
        "shots": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(self, *, n_layers=2, feature_map="angle", ansatz="strong", loss="bce",
                 focal_gamma=2.0, class_weight=None, learning_rate=0.05, batch_size=32,
                 max_epochs=100, validation_fraction=0.1, patience=10, tol=1e-4,
                 warm_start=False, reps=1, entanglement="linear", rotation="Y",
                 backend="lightning.qubit", backend_options=None, shots=None,
                 random_state=None):
        self.n_layers = n_layers
        self.feature_map = feature_map
        self.ansatz = ansatz
        self.loss = loss
        self.focal_gamma = focal_gamma
        self.class_weight = class_weight
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.tol = tol
        self.warm_start = warm_start
        self.reps = reps
        self.entanglement = entanglement
        self.rotation = rotation
        self.backend = backend
        self.backend_options = backend_options
        self.shots = shots
        self.random_state = random_state

    # -- fitting ----------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the QNN.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features, scaled to the range the encoding expects (e.g. [0, π]).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), optional
            Per-sample loss weights (multiplied with ``class_weight``).

        Returns
        -------
        self : QNNClassifier
        """
        # Read before validation resets it: warm_start may only reuse a
        # network built for the same features and classes.
        previous_n_features = getattr(self, "n_features_in_", None)
        X, y, classes, codes = validate_training_data(self, X, y)
        self._check_problem(classes, X.shape[1])
        # Negative weights would turn loss minimisation into maximisation.
        sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        weights = self._sample_weights(classes, codes, sample_weight)
        rng = check_random_state(self.random_state)
        reuse = (self.warm_start and hasattr(self, "module_")
                 and previous_n_features == X.shape[1]
                 and np.array_equal(getattr(self, "classes_", None), classes))
        self.classes_ = classes
        if not reuse:
            n_outputs = 1 if len(classes) == 2 else len(classes)
            qnn = QNNModule(
                max(X.shape[1], n_outputs), n_layers=self.n_layers, feature_map=self.feature_map,
                ansatz=self.ansatz, n_outputs=n_outputs,
                reps=self.reps, entanglement=self.entanglement, rotation=self.rotation,
                backend=self.backend, backend_options=self.backend_options, shots=self.shots,
                seed=rng.randint(2**31 - 1),
            )
            prior = np.bincount(codes, weights=weights, minlength=len(classes))
            self.module_ = _QNNNet(qnn, prior / prior.sum())
            self.history_ = []
        train, val = self._split(codes, rng)
        self._train(X, codes, weights, train, val, rng)
        return self

    def _check_problem(self, classes, n_features):
        name = type(self).__name__
        _backend.check_backend(self.backend)
        _backend.check_n_qubits(n_features, self.backend, name)
        n_qubits = max(n_features, len(classes) if len(classes) > 2 else 1)
        _backend.check_n_qubits(
            n_qubits, self.backend, name, "reads one qubit per class",
            subject=f"y has {len(classes)} classes", fix="merge rare classes",
        )

    def _sample_weights(self, classes, codes, sample_weight):
        if self.class_weight is None:
            return sample_weight
        per_class = compute_class_weight(self.class_weight, classes=classes, y=classes[codes])
        return sample_weight * per_class[codes]

    def _split(self, codes, rng):
        """Stratified train/validation indices (no validation if impossible)."""
        everything = np.arange(len(codes))
        if self.validation_fraction is None:
            return everything, None
        n_val = int(np.ceil(self.validation_fraction * len(codes)))
        counts = np.bincount(codes)
        if counts.min() < 2 or n_val < len(counts) or len(codes) - n_val < len(counts):
            return everything, None
        train, val = train_test_split(
            everything, test_size=n_val, stratify=codes, random_state=rng.randint(2**31 - 1)
        )
        return np.sort(train), np.sort(val)

    def _train(self, X, codes, weights, train, val, rng):
        torch_rng = torch.Generator().manual_seed(int(rng.randint(2**31 - 1)))
        Xt = torch.as_tensor(X)
        yt = torch.as_tensor(codes, dtype=torch.long)
        wt = torch.as_tensor(weights, dtype=torch.float64)
        optimizer = torch.optim.Adam(self.module_.parameters(), lr=self.learning_rate)
        batch = min(self.batch_size, len(train))
        best, best_state, wait = np.inf, None, 0
        start = len(self.history_)
        stopped_early = False
        for epoch in range(self.max_epochs):
            order = train[torch.randperm(len(train), generator=torch_rng).numpy()]
            total = 0.0
            for i in range(0, len(order), batch):
                idx = torch.as_tensor(order[i : i + batch])
                optimizer.zero_grad()
                value = self._loss(Xt[idx], yt[idx], wt[idx])
                value.backward()
                optimizer.step()
                total += value.item() * len(idx)
            train_loss = total / len(order)
            val_loss = None if val is None else self._eval_loss(Xt, yt, wt, val)
            self.history_.append(
                {"epoch": start + epoch + 1, "train_loss": train_loss, "val_loss": val_loss}
            )
            monitored = train_loss if val is None else val_loss
            if monitored < best - self.tol:
                best, best_state, wait = monitored, copy.deepcopy(self.module_.state_dict()), 0
            else:
                wait += 1
                if wait >= self.patience:
                    stopped_early = True
                    break
        self.n_iter_ = epoch + 1
        self.best_loss_ = float(best)
        if best_state is not None:
            self.module_.load_state_dict(best_state)
        if not stopped_early:
            warnings.warn(
                f"{type(self).__name__} stopped at max_epochs={self.max_epochs} while the "
                f"{'validation' if val is not None else 'training'} loss was still improving; "
                "raise max_epochs or learning_rate.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _loss(self, X, y, w):
        per_sample = _per_sample_loss(self.module_(X), y, self.loss, self.focal_gamma)
        return (per_sample * w).sum() / w.sum().clamp_min(1e-12)

    def _eval_loss(self, Xt, yt, wt, idx):
        with torch.no_grad():
            idx = torch.as_tensor(idx)
            return float(self._loss(Xt[idx], yt[idx], wt[idx]))

    def estimate_cost(self, n_fit, n_predict=0):
        """Upper bound on what ``fit`` and ``predict`` will cost.

        Parameters
        ----------
        n_fit : int
            Training rows (validation rows included).
        n_predict : int, default=0

        Returns
        -------
        dict
            ``mode`` (``"exact"``: batched simulation, or ``"circuits"``),
            ``circuit_evaluations``: ``max_epochs * n_fit`` forward passes of
            one circuit per row (training and validation) plus ``n_predict``;
            each training pass also has a backward pass, so exact mode costs
            about three simulations per evaluation; ``shots``: evaluations
            times ``shots`` in circuit mode. Early stopping usually ends
            training sooner.

        Examples
        --------
        >>> QNNClassifier(max_epochs=10).estimate_cost(100, 50)["circuit_evaluations"]
        1050
        """
        evaluations = self.max_epochs * n_fit + n_predict
        exact = self.shots is None and self.backend in _backend.STATEVECTOR_SIMULATORS
        return {"mode": "exact" if exact else "circuits", "circuit_evaluations": evaluations,
                "shots": 0 if exact else evaluations * (self.shots or 0)}

    # -- prediction -------------------------------------------------------

    def _logits(self, X):
        X = validate_prediction_data(self, X)
        with torch.no_grad():
            return self.module_(torch.as_tensor(X)).numpy()

    def decision_function(self, X):
        """Logits: binary ``(n_samples,)`` (positive favours ``classes_[1]``), else per class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        logits = self._logits(X)
        return logits[:, 0] if logits.shape[1] == 1 else logits

    def predict_proba(self, X):
        """Class probabilities (sigmoid or softmax of the logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        logits = torch.as_tensor(self._logits(X))
        if logits.shape[1] == 1:
            p1 = torch.sigmoid(logits[:, 0])
            return torch.stack([1 - p1, p1], dim=1).numpy()
        return torch.softmax(logits, dim=1).numpy()

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        logits = self._logits(X)
        codes = (logits[:, 0] > 0).astype(int) if logits.shape[1] == 1 else logits.argmax(1)
        return self.classes_[codes]
