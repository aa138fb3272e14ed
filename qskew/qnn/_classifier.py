"""QNNClassifier: a scikit-learn classifier around QNNModule."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight

from circuits import ANSATZE, QNN_FEATURE_MAPS
from qskew import _constraints, _progress
from qskew._cache import LastResult, rows_key
from qskew._compat import Interval, StrOptions, _check_sample_weight, _fit_context
from qskew._validation import (
    check_angles,
    check_weighted_classes,
    retargeted,
    validate_prediction_data,
    validate_training_data,
)
from qskew.backends import (
    _cost,
    _qiskit,
    check_backend,
    check_n_qubits,
    is_exact,
    is_sampled,
)

#: Epochs early stopping is expected to end training after, in units of ``patience`` at the
#: default learning rate (see :meth:`QNNClassifier.expected_epochs`).
EARLY_STOP_PATIENCES = 7
REFERENCE_BATCHES = 6


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
        PennyLane device name, or ``"qiskit.remote"`` / ``"qiskit.aer"``.
    backend_options : dict, optional
        Extra device options (circuit mode); ``{"backend": <BackendV2>}`` for
        ``"qiskit.remote"``.
    shots : int, optional
        Shots per circuit; ``None`` for exact expectation values.
    diff_method : {"best", "parameter-shift", "spsa"}, default="best"
        Gradients when circuits are sampled (shots, or a Qiskit target):
        ``"best"`` and ``"parameter-shift"`` run 2 shifted circuits per
        trainable angle and row, ``"spsa"`` 2 per row (cheaper, noisier); see
        :mod:`qskew.backends._shift`. Exact mode backpropagates; other
        PennyLane devices take it as the QNode's ``diff_method``.
    mitigation : {"readout"}, optional
        Undo readout errors on a noisy backend: on a Qiskit target two
        calibration circuits are measured once per fitted network (one more
        Sampler job); on ``default.mixed`` the ``Noise`` specification's.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, validation split, shuffling and shots: same seed, same
        model, bit for bit.
    verbose : "auto", bool or int, default="auto"
        Progress bar over the training epochs, with the training and
        validation losses (and over the hardware jobs of a Qiskit target).
        ``"auto"``: shown where a person watches (a Jupyter kernel, or stderr
        on a terminal) once training has run 2 s, never when the environment
        variable ``CI`` is set or stderr is redirected; ``0`` or ``False``:
        never; a positive int or ``True``: always.

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
    backprop on statevector simulators; shots drawn from it with shifted
    circuits for gradients; Qiskit targets in one primitive job per
    training step or prediction call; QNodes on other devices). Training on
    a QPU costs hours: train on a simulator and score on the QPU with
    :meth:`with_backend`. :meth:`estimate_cost` counts it all first. A
    :class:`~sklearn.exceptions.ConvergenceWarning` is issued when training
    stops at ``max_epochs`` while still improving.

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
        **_constraints.ENCODING,
        **_constraints.BACKEND,
        **_constraints.DIFF_METHOD,
        **_constraints.MITIGATION,
        "random_state": ["random_state"],
        **_constraints.VERBOSE,
    }

    def __init__(self, *, n_layers=2, feature_map="angle", ansatz="strong", loss="bce",
                 focal_gamma=2.0, class_weight=None, learning_rate=0.05, batch_size=32,
                 max_epochs=100, validation_fraction=0.1, patience=10, tol=1e-4,
                 warm_start=False, reps=1, entanglement="linear", rotation="Y",
                 backend="lightning.qubit", backend_options=None, shots=None,
                 diff_method="best", mitigation=None, random_state=None, verbose="auto"):
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
        self.diff_method = diff_method
        self.mitigation = mitigation
        self.random_state = random_state
        self.verbose = verbose

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
        check_angles(X, owner=type(self).__name__)
        self._check_problem(classes, X.shape[1])
        # Negative weights would turn loss minimisation into maximisation.
        sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        check_weighted_classes(type(self).__name__, classes, y, sample_weight)
        from qskew.backends import _memory

        _memory.check(self._peak_bytes(X.shape[1], len(X), 0),
                      f"training {type(self).__name__} on batches of "
                      f"{min(self.batch_size, len(X))} rows at {X.shape[1]} qubits",
                      "Lower batch_size, or reduce the features (PCA).")
        weights = self._sample_weights(classes, codes, sample_weight)
        rng = check_random_state(self.random_state)
        reuse = (self.warm_start and hasattr(self, "module_")
                 and previous_n_features == X.shape[1]
                 and np.array_equal(getattr(self, "classes_", None), classes))
        self.classes_ = classes
        if not reuse:
            from qskew.qnn import _training

            seed = rng.randint(2**31 - 1)
            prior = np.bincount(codes, weights=weights, minlength=len(classes))
            self.module_ = _training.build_net(
                X.shape[1], len(classes), prior / prior.sum(), seed, **self._module_options())
            self._last_logits_ = LastResult()
            self.history_ = []
        train, val = self._split(codes, rng)
        with _progress.verbosity(self.verbose):
            self._train(X, codes, weights, train, val, rng)
        return self

    def _check_problem(self, classes, n_features):
        name = type(self).__name__
        check_backend(self.backend)
        check_n_qubits(n_features, self.backend, name)
        n_qubits = max(n_features, len(classes) if len(classes) > 2 else 1)
        check_n_qubits(
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
        from qskew.qnn import _training

        self.n_iter_, self.best_loss_, stopped_early = _training.train(
            self.module_, X, codes, weights, train, val, rng.randint(2**31 - 1),
            loss=self.loss, focal_gamma=self.focal_gamma, learning_rate=self.learning_rate,
            batch_size=self.batch_size, max_epochs=self.max_epochs, patience=self.patience,
            tol=self.tol, history=self.history_,
        )
        if not stopped_early:
            warnings.warn(
                f"{type(self).__name__} stopped at max_epochs={self.max_epochs} while the "
                f"{'validation' if val is not None else 'training'} loss was still improving; "
                "raise max_epochs or learning_rate.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _module_options(self):
        """Keyword arguments of :class:`~qskew.QNNModule` taken from this estimator."""
        return {"n_layers": self.n_layers, "feature_map": self.feature_map,
                "ansatz": self.ansatz, "reps": self.reps, "entanglement": self.entanglement,
                "rotation": self.rotation, "backend": self.backend,
                "backend_options": self.backend_options, "shots": self.shots,
                "diff_method": self.diff_method, "mitigation": self.mitigation}

    def estimate_cost(self, n_fit, n_predict=0, *, predict_calls=1, n_features=None):
        """Upper bound on what ``fit`` and predicting will cost (binary classes).

        Parameters
        ----------
        n_fit : int
            Training rows (validation rows included).
        n_predict : int, default=0
            Rows to predict.
        predict_calls : int, default=1
            Prediction methods called on those rows, one after another: the
            first runs the circuit, the others reuse its logits (kept for the
            rows scored last), so any number from 1 up counts once.
        n_features : int, optional
            Features (qubits). Needed to train with sampled circuits (the
            trainable angles grow with the qubits); on a Qiskit target it
            also adds the transpiled ``depth``, ``two_qubit_gates`` and
            ``qpu_seconds``.

        Returns
        -------
        dict
            ``mode``, ``state_preparations``, ``circuits``, ``shots`` and
            ``jobs`` (see :mod:`qskew.backends._cost`), and with ``n_features``
            ``peak_bytes`` (about: a training batch with autograd's copies, or
            one block of the streamed predictions). Each epoch evaluates
            the circuit once per row (training and validation rows); exact
            mode backpropagates through those states at no further
            simulation; with shots (or another device) every training row
            also runs its gradient circuits (:func:`~qskew.backends._cost.
            gradient_circuits`). Then ``n_predict`` evaluations. On a Qiskit
            target one primitive job per training batch, per validation pass
            and per prediction block, and with
            ``mitigation="readout"`` one calibration job of 2 circuits. Early
            stopping may end training sooner: the counts are upper bounds,
            ``seconds`` (local compute) expects :meth:`expected_epochs`.

        Examples
        --------
        >>> QNNClassifier(max_epochs=10).estimate_cost(100, 50)["state_preparations"]
        1050
        >>> QNNClassifier(max_epochs=1, shots=100, validation_fraction=None,
        ...               n_layers=1).estimate_cost(10, n_features=2)["state_preparations"]
        130
        """
        self._validate_params()
        predict_calls = min(predict_calls, 1)  # later calls on the same rows reuse the logits
        cost = self._counts(n_fit, n_predict, predict_calls, n_features)
        predicted = predict_calls * n_predict  # one evaluation each, after training
        share = self.expected_epochs(n_fit) / self.max_epochs
        if cost["circuits"]:
            return {**cost, "seconds": _cost.local_seconds(
                circuits=share * (cost["circuits"] - predicted) + predicted)}
        return {**cost, "seconds": _cost.local_seconds(
            states=predicted, training_states=share * (cost["state_preparations"] - predicted),
            qubits=n_features, layers=self.n_layers)}

    def expected_epochs(self, n_fit=None):
        """Epochs training on ``n_fit`` rows is expected to run before early stopping ends
        it: about ``7 * patience`` at ``learning_rate=0.05`` and 6 mini-batches an epoch,
        fewer at higher rates (as the square root of the rate) and with more mini-batches
        an epoch (as their 0.4th power: more optimiser steps per epoch); at least
        ``patience + 1`` and at most ``max_epochs``.

        Measured on the bundled data (4 qubits, class-balanced): 10 fits of 5 x 2-fold CV
        (179 training rows, 6 batches) stopped after 39-104 epochs, 70 on average,
        whether ``max_epochs`` was 100 or 300; at rate 0.1 after 29-94, 51 on average
        (this says 49.5); over-sampled to 448 training rows (14 batches), the demo's
        QNN cells took 0.71 of the time per row that 70 epochs would (this says 0.71).

        Parameters
        ----------
        n_fit : int, optional
            Training rows, validation rows included (the reference 6 batches if
            omitted).

        Returns
        -------
        float or int

        Examples
        --------
        >>> QNNClassifier(patience=10).expected_epochs()
        70.0
        >>> QNNClassifier(patience=10, learning_rate=0.1).expected_epochs()
        49.5
        >>> QNNClassifier(patience=10).expected_epochs(498)
        49.9
        >>> QNNClassifier(max_epochs=5).expected_epochs()
        5
        """
        typical = EARLY_STOP_PATIENCES * self.patience * (0.05 / self.learning_rate) ** 0.5
        if n_fit:
            n_val = (int(np.ceil(self.validation_fraction * n_fit))
                     if self.validation_fraction is not None else 0)
            batches = -(-(n_fit - n_val) // self.batch_size)
            typical *= (REFERENCE_BATCHES / max(batches, 1)) ** 0.4
        if typical >= self.max_epochs:
            return self.max_epochs
        return round(max(typical, self.patience + 1.0), 1)

    def _counts(self, n_fit, n_predict, predict_calls, n_features):
        """:meth:`estimate_cost` without ``seconds``."""
        peak = ({"peak_bytes": self._peak_bytes(n_features, n_fit, n_predict)}
                if n_features else {})
        if is_exact(self.backend, self.shots):
            return {**_cost.evaluations(True, self.max_epochs * n_fit
                                        + predict_calls * n_predict), **peak}
        if n_fit and n_features is None:
            raise ValueError(
                "QNNClassifier.estimate_cost needs n_features to train with sampled circuits "
                "(shots, a Qiskit target or another device): every gradient runs shifted "
                "circuits, 2 per trainable angle, and the angles grow with the qubits.")
        n_val = (int(np.ceil(self.validation_fraction * n_fit))
                 if self.validation_fraction is not None and n_fit else 0)
        n_train = n_fit - n_val
        gradient = _cost.gradient_circuits(self._n_weights(n_features or 1), self.diff_method)
        circuits = (self.max_epochs * (n_train * (1 + gradient) + n_val)
                    + predict_calls * n_predict)
        if is_sampled(self.backend, self.shots) and not _qiskit.is_qiskit(self.backend):
            return {**_cost.sampled(circuits, self.shots), **peak}
        if not _qiskit.is_qiskit(self.backend):
            return {**_cost.evaluations(False, circuits, self.shots), **peak}
        batches = -(-n_train // min(self.batch_size, n_train)) if n_train else 0
        blocks = -(-n_predict // self._predict_block(n_features or 1))  # streamed predictions
        jobs = self.max_epochs * (batches + (1 if n_val else 0)) + predict_calls * blocks
        if self.mitigation == "readout" and (n_fit or n_predict):  # one calibration job
            circuits, jobs = circuits + 2, jobs + 1
        cost = {**_cost.evaluations(False, circuits, self.shots, jobs), **peak}
        return _cost.on_hardware(cost, self._transpiled_size(n_features)) if n_features \
            else cost

    def _transpiled_size(self, n_features):
        import pennylane as qml

        from circuits import make_qnn_qfunc

        n_qubits = max(n_features, 1)
        qfunc, shapes = make_qnn_qfunc(
            n_qubits, n_layers=self.n_layers, feature_map=self.feature_map,
            ansatz=self.ansatz, reps=self.reps, entanglement=self.entanglement,
            rotation=self.rotation)
        tape = qml.tape.make_qscript(qfunc)(np.full((1, n_features), 0.5),
                                            np.full(shapes["weights"], 0.5))
        return _qiskit.transpiled_size(tape.operations, range(n_qubits),
                                       _qiskit.target(self.backend, self.backend_options),
                                       _qiskit.optimization_level(self.backend,
                                                                  self.backend_options),
                                       estimator=True)

    def _predict_block(self, n_features):
        from qskew.backends import _memory

        return _memory.block_rows(4 * 16 * 2 ** max(n_features, 1))  # _training.logits' block

    def _peak_bytes(self, n_features, n_fit, n_predict):
        """About the most memory ``fit`` and predicting hold at once: a training batch's
        states with autograd's copy per gate, or one streamed block of predictions."""
        state = 16 * (4 if self.backend == "default.mixed" else 2) ** max(n_features, 1)
        gates = self._n_weights(n_features) + 2 * n_features * self.reps + 2
        train = min(self.batch_size, n_fit) * state * gates
        predict = min(n_predict, self._predict_block(n_features)) * 4 * state
        return int(max(train, predict))

    def _n_weights(self, n_features):
        per_gate = 3 if self.ansatz == "strong" else 2
        return self.n_layers * n_features * per_gate

    def with_backend(self, backend, *, backend_options=None, shots=None, mitigation=None):
        """This fitted classifier, evaluating on another backend (no refitting).

        The usual hardware workflow: train on a simulator (training on a QPU
        costs hours), then score on the QPU. On ``qiskit.remote`` /
        ``qiskit.aer`` each prediction call sends its whole batch as the
        bindings of one Estimator PUB: one primitive job.

        Parameters
        ----------
        backend : str
            PennyLane device name, or ``"qiskit.remote"`` / ``"qiskit.aer"``.
        backend_options : dict, optional
        shots : int, optional
        mitigation : {"readout"}, optional
            Undo the readout errors there (one calibration job on a Qiskit
            target, at the first prediction).

        Returns
        -------
        QNNClassifier
            A copy with the same weights; ``self`` is left as it is.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[0.1, 0.2], [0.3, 0.1], [2.9, 3.0], [2.7, 2.8]] * 4)
        >>> y = np.array([0, 0, 1, 1] * 4)
        >>> clf = QNNClassifier(n_layers=1, max_epochs=30, validation_fraction=None,
        ...                     random_state=0).fit(X, y)
        >>> clf.with_backend("default.qubit", shots=2000).predict([[0.2, 0.2], [2.8, 2.9]])
        array([0, 1])
        """
        other = retargeted(self, backend, backend_options=backend_options, shots=shots,
                           mitigation=mitigation)
        from qskew.backends import _shift
        from qskew.backends._capabilities import check_backend_options

        check_backend_options(backend, shots, backend_options, type(self).__name__)
        _shift.check_mitigation(mitigation, backend, shots, backend_options)
        qnn = other.module_.qnn
        qnn.backend, qnn.backend_options, qnn.shots = backend, backend_options, shots
        qnn.mitigation = mitigation
        qnn.exact, qnn._qnode, qnn._shot_rng = is_exact(backend, shots), None, None
        qnn._mixed_device = qnn._readout = None
        return other

    # -- prediction -------------------------------------------------------

    def _logits(self, X):
        from qskew.qnn import _training

        X = validate_prediction_data(self, X)
        check_angles(X, owner=type(self).__name__)
        # predict after predict_proba on the same rows (what scoring does) reuses their
        # logits, unless the module's weights changed since (a hybrid model trains it).
        weights = [p.detach().cpu().numpy() for p in self.module_.parameters()]
        key = (rows_key(X), id(self.module_), tuple(rows_key(w) for w in weights))
        last = getattr(self, "_last_logits_", None)
        logits = None if last is None else last.get(key)
        if logits is None:
            with _progress.verbosity(self.verbose):  # hardware jobs of a Qiskit target
                logits = _training.logits(self.module_, X)
            if last is not None:
                last.put(key, logits)
        return logits

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
        return (logits[:, 0] if logits.shape[1] == 1 else logits).copy()

    def predict_proba(self, X):
        """Class probabilities (sigmoid or softmax of the logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        from qskew.qnn import _training

        return _training.probabilities(self._logits(X))

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
