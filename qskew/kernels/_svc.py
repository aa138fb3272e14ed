"""QuantumKernelSVC: a support vector classifier on a quantum kernel."""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import (
    StratifiedKFold,
    cross_val_predict,
    cross_val_score,
    train_test_split,
)
from sklearn.svm import SVC, LinearSVC
from sklearn.utils import check_random_state

from qskew import _progress
from qskew._cache import LastResult, rows_key
from qskew._compat import Interval, StrOptions, _check_sample_weight, _fit_context
from qskew._validation import (
    check_weighted_classes,
    retargeted,
    validate_prediction_data,
    validate_training_data,
)
from qskew.backends import _memory, check_backend, check_n_qubits, is_exact
from qskew.backends._cost import exact_states, total
from qskew.kernels import _approximate, _training
from qskew.kernels._kernel import QuantumKernel

#: The kernel's parameters, which the SVC takes as its own (trained weights are fitted).
KERNEL_PARAMS = tuple(name for name in QuantumKernel._parameter_constraints
                      if name != "weights")
#: Bandwidths ``bandwidth="auto"`` compares (geometric, 0.05 to 1: on features in [0, π]
#: the useful widths of the issue's measurements lay at 0.1-0.2, never above 1).
BANDWIDTH_GRID = (0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0)
#: Regularisations ``C="auto"`` compares (jointly with the bandwidths when both are "auto").
C_GRID = (0.1, 1.0, 10.0, 100.0, 1000.0)
#: Inner folds ``bandwidth="auto"`` scores each bandwidth on.
BANDWIDTH_FOLDS = 3
#: Rows ``bandwidth="auto"`` compares bandwidths on when an approximation is fitted (a
#: stratified sample: the exact inner search is quadratic in its rows).
BANDWIDTH_ROWS = 2000
#: Training rows (a fixed stratified sample) ``kernel_diagnostics_`` describes.
DIAGNOSTIC_ROWS = 300
#: Most qubits ``approximation="explicit"`` takes (4^8 = 65,536 features per row).
EXPLICIT_MAX_QUBITS = 8
#: Folds of the out-of-fold margins that calibrate the linear models of the approximations
#: (each fold refits the linear SVM; the exact SVM's folds only slice its Gram matrix).
LINEAR_CALIBRATION_FOLDS = 3


class QuantumKernelSVC(ClassifierMixin, BaseEstimator):
    """Support vector classifier on a quantum kernel (fidelity or projected).

    scikit-learn's :class:`~sklearn.svm.SVC` trained on the Gram matrix of a
    :class:`~qskew.QuantumKernel`; one qubit per feature.

    Parameters
    ----------
    C : float or "auto", default=1.0
        Regularisation (inverse strength), as in ``SVC``. ``"auto"`` chooses
        it from :data:`C_GRID` by the same inner cross-validation as
        ``bandwidth="auto"`` (jointly with it when both are ``"auto"``: one
        Gram matrix per bandwidth serves every ``C``). With an
        ``approximation`` it is chosen on the exact SVM of the search sample.
    class_weight : dict or "balanced", default=None
        Per-class weights on ``C``; ``"balanced"`` uses
        ``n_samples / (n_classes * bincount(y))`` — the usual choice for skewed
        classes.
    feature_map : {"zz", "angle", "iqp"}, default="zz"
        Data encoding, see :mod:`circuits`.
    kind : {"fidelity", "projected"}, default="fidelity"
        The kernel family, see :class:`~qskew.QuantumKernel`.
    gamma : float or "scale", default="scale"
        Width of the projected kernel (``kind="projected"`` only).
        ``"scale"``, as scikit-learn's ``SVC``: ``1 / (n_features * var)`` of
        the training rows' Bloch coordinates (at each searched bandwidth),
        so the kernel neither flattens to 1 nor collapses to the identity.
        In circuit mode this measures the training rows once more.
    reps : int, default=2
        Repetitions of the feature map.
    entanglement : {"linear", "circular", "full"}, default="linear"
        Coupled pairs for ``"zz"`` and ``"iqp"``.
    rotation : {"X", "Y", "Z"}, default="Y"
        Rotation axis for ``"angle"``.
    backend : str, default="lightning.qubit"
        PennyLane device name.
    backend_options : dict, optional
        Extra keyword arguments for the device.
    shots : int, optional
        ``None`` for exact kernels, else shots per overlap circuit.
    bandwidth : float or "auto", default=1.0
        Features are multiplied by it before encoding (see
        :class:`~qskew.QuantumKernel`). ``"auto"`` chooses it on the
        training rows only, from :data:`BANDWIDTH_GRID`, by stratified
        3-fold inner cross-validation of this SVM (average precision for two
        classes, balanced accuracy otherwise): one Gram matrix per candidate,
        which the folds slice. Not kernel-target alignment: on the bundled
        data its balanced variant rose with the bandwidth (0.003 at 0.05,
        0.054 at 1), because a concentrated, near-diagonal kernel aligns
        through its diagonal, and so chose the worst width (PR-AUC 0.51 at 1
        against 0.88 at 0.1). Exact kernels only (fit on a simulator, then
        :meth:`with_backend`).
    mitigation : {"readout", "depolarizing", "readout+depolarizing"}, optional
        Error mitigation on a noisy backend, see :class:`~qskew.QuantumKernel`.
    approximation : {"nystroem", "explicit"}, optional
        ``None``: the exact SVM on the ``N x N`` Gram matrix. Else a linear
        SVM (``LinearSVC``, squared hinge, same ``C`` and ``class_weight``)
        on finite features, in time and memory linear in the rows:
        ``"nystroem"``: ``k(x, L) W`` for ``n_components`` landmark rows
        ``L`` shared evenly between the classes (the minority is not left
        to chance) and ``W = K_LL^{-1/2}`` (Williams & Seeger 2001), any
        kernel and backend; ``"explicit"``: the fidelity kernel's own exact
        feature map, the ``4^n`` real coordinates of ``|ψ⟩⟨ψ|`` — no
        approximation at all, on exact states, for few qubits (its memory
        is checked first). See Notes.
    n_components : int, default=600
        Nyström landmarks (all training rows if fewer).
    kernel_training : {"alignment"}, dict or None, default=None
        Fit trainable layers before each repetition of the feature map
        (:func:`circuits.trainable_feature_map`, Hubregtsen et al. 2022) to
        the class-balanced kernel-target alignment of the training rows,
        starting from the plain map, before the SVM is fitted: Adam on
        torch gradients through the exact states, or SPSA on measured Gram
        matrices when the kernel samples circuits. A dict sets ``steps``
        (60), ``batch_size`` (48 rows a step, classes equally represented),
        ``learning_rate`` (Adam: 0.05; SPSA: the first step in radians, 0.2)
        and ``method`` (``"auto"``, ``"backprop"``, ``"spsa"``). With ``bandwidth="auto"`` the bandwidth
        is chosen first, on the plain map. Sample weights do not enter the
        alignment. Alignment is a proxy: on exact kernels the trained layers
        are kept only if they raise this SVM's inner cross-validated score
        on (up to :data:`BANDWIDTH_ROWS` of) the training rows over the
        plain map's, else the plain map is used and ``kernel_training_``
        says so.
    random_state : int, RandomState instance or None, default=None
        Seeds shot sampling and the calibration folds.
    dtype : {"complex128", "complex64"}, default="complex128"
        Precision of statevectors in exact mode (``complex64`` halves memory).
    device : str, optional
        Torch device (e.g. ``"cuda"``) for exact kernels, see
        :class:`~qskew.QuantumKernel`.
    verbose : "auto", bool or int, default="auto"
        Progress bars of the long parts of ``fit`` and scoring: the
        bandwidth search, kernel training steps (with the alignment), Gram
        matrices built in several blocks and streamed predictions, hardware
        jobs. ``"auto"``: shown where a person watches (a Jupyter kernel, or
        stderr on a terminal) once a part has run 2 s, never when the
        environment variable ``CI`` is set or stderr is redirected; ``0`` or
        ``False``: never; a positive int or ``True``: always.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when ``X`` has string column names.
    bandwidth_ : float
        The bandwidth used (``bandwidth``, or the one ``"auto"`` chose).
    bandwidth_scores_ : dict
        With ``bandwidth="auto"``: mean inner-CV score per grid bandwidth
        (the best over ``C`` when ``C="auto"``).
    C_ : float
        The regularisation used (``C``, or the one ``"auto"`` chose).
    gamma_ : float
        The projected kernel's ``gamma`` used (1.0, unused, for fidelity).
    search_scores_ : dict
        With an ``"auto"`` setting: mean inner-CV score per ``(bandwidth, C)``.
    kernel_ : QuantumKernel
        The kernel used (it caches the support vectors' states).
    svc_ : sklearn.svm.SVC
        The fitted classifier on the precomputed Gram matrix.
    support_ : ndarray of shape (n_support,)
        Indices of the support vectors in the training set.
    support_vectors_ : ndarray of shape (n_support, n_features_in_)
        Training rows that are support vectors.
    temperature_ : float
        Inverse temperature ``a`` of the probability calibration.
    landmarks_ : ndarray of shape (n_landmarks, n_features_in_)
        ``approximation="nystroem"``: the landmark rows.
    nystroem_map_ : ndarray of shape (n_landmarks, n_directions)
        ``approximation="nystroem"``: ``W``, features ``k(x, L) W``.
    kernel_diagnostics_ : dict or None
        :func:`~qskew.metrics.kernel_diagnostics` of the fitted kernel on a
        fixed stratified sample of up to :data:`DIAGNOSTIC_ROWS` training rows
        (from the training Gram matrix, or cached states), with a
        ``UserWarning`` from ``fit`` when the kernel is concentrated. ``None``
        for an approximation on a sampled or device kernel (it would cost
        circuits).
    kernel_weights_ : ndarray
        With ``kernel_training``, when kept: the fitted layer weights (in
        ``kernel_``).
    kernel_training_ : dict
        With ``kernel_training``: ``method``, ``steps``, ``history`` (the
        mini-batch alignment of each step), ``kept`` and, on exact kernels,
        ``alignment_before`` / ``alignment_after`` on the same rows and
        ``cv_score_plain`` / ``cv_score_trained`` (the comparison that
        decided ``kept``).
    linear_ : sklearn.svm.LinearSVC
        With an ``approximation``, the fitted linear SVM (then ``svc_``,
        ``support_`` and ``support_vectors_`` are not set).

    Notes
    -----
    **Probabilities.** ``predict_proba`` is calibrated by temperature scaling
    of the SVM margins: ``p = sigmoid(a * f)`` (binary) or
    ``softmax(a * f)`` (one-vs-rest margins, multiclass), with one ``a > 0``
    fitted by log-loss on out-of-fold margins (stratified, up to 5 folds)
    against Platt's smoothed targets ``1 - 1/(n_c + 2)``.
    Unlike Platt scaling it has no offset, so ``predict``, ``decision_function``
    and ``predict_proba`` always agree, and the boundary that ``class_weight``
    moves is kept. For another calibration wrap the estimator in
    ``CalibratedClassifierCV``.

    **Scale.** The exact SVM holds the ``N x N`` Gram matrix of its training
    rows and its solver grows faster than ``N²``; an ``approximation`` is
    linear in ``N``. Measured on a skewed 6-qubit ZZ task (``BENCHMARKS.md``),
    Nyström on 20,000 rows beat the exact SVM on 8,000 rows in less time.
    ``bandwidth="auto"`` with an approximation compares bandwidths on a
    stratified sample of :data:`BANDWIDTH_ROWS` training rows. Probabilities
    are calibrated as below on out-of-fold margins of
    :data:`LINEAR_CALIBRATION_FOLDS` refits of the linear SVM.

    **Cost.** ``fit`` prepares one state per training row (exact mode) and
    fits the SVM ``k + 1`` times on slices of one Gram matrix; ``predict``
    prepares the new rows' states and evaluates the kernel against the support
    vectors only. See :class:`~qskew.QuantumKernel` for circuit mode.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.1, 0.2], [0.2, 0.1], [2.9, 3.0], [3.0, 2.8]] * 3)
    >>> y = np.array([0, 0, 1, 1] * 3)
    >>> clf = QuantumKernelSVC(feature_map="angle", reps=1).fit(X, y)
    >>> clf.predict([[0.15, 0.15], [2.95, 2.9]])
    array([0, 1])
    """

    _parameter_constraints = {
        "C": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        **{name: QuantumKernel._parameter_constraints[name] for name in KERNEL_PARAMS},
        "bandwidth": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "gamma": [Interval(Real, 0, None, closed="neither"), StrOptions({"scale"})],
        "approximation": [StrOptions({"nystroem", "explicit"}), None],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "kernel_training": [StrOptions({"alignment"}), dict, None],
    }

    def __init__(
        self,
        *,
        C=1.0,
        class_weight=None,
        feature_map="zz",
        kind="fidelity",
        gamma="scale",
        reps=2,
        entanglement="linear",
        rotation="Y",
        bandwidth=1.0,
        backend="lightning.qubit",
        backend_options=None,
        shots=None,
        mitigation=None,
        random_state=None,
        dtype="complex128",
        device=None,
        approximation=None,
        n_components=600,
        kernel_training=None,
        verbose="auto",
    ):
        self.C = C
        self.class_weight = class_weight
        self.feature_map = feature_map
        self.kind = kind
        self.gamma = gamma
        self.reps = reps
        self.entanglement = entanglement
        self.rotation = rotation
        self.bandwidth = bandwidth
        self.backend = backend
        self.backend_options = backend_options
        self.shots = shots
        self.mitigation = mitigation
        self.random_state = random_state
        self.dtype = dtype
        self.device = device
        self.approximation = approximation
        self.n_components = n_components
        self.kernel_training = kernel_training
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the SVM on the quantum Gram matrix of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features, already scaled to the range the feature map expects.
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).
        sample_weight : array-like of shape (n_samples,), optional
            Per-sample weights on ``C``; rows of weight ``<= 0`` are left out,
            as libsvm does, and every class needs one row of positive weight.

        Returns
        -------
        self : QuantumKernelSVC
            The fitted estimator.
        """
        X, y, self.classes_, _ = validate_training_data(self, X, y)
        check_backend(self.backend)
        check_n_qubits(X.shape[1], self.backend, type(self).__name__)
        sample_weight = _check_sample_weight(sample_weight, X)
        # libsvm drops rows of weight <= 0 but then numbers support_ within the
        # remaining rows (scikit-learn#5150), which would pick the wrong columns
        # of a precomputed Gram matrix: drop those rows here instead.
        kept = np.flatnonzero(sample_weight > 0)
        X_fit, y_fit, w_fit = X[kept], y[kept], sample_weight[kept]
        check_weighted_classes(type(self).__name__, self.classes_, y_fit, w_fit)
        rng = check_random_state(self.random_state)
        training = _training.check_training(self.kernel_training)
        for stale in ("kernel_weights_", "kernel_training_"):  # from an earlier fit
            self.__dict__.pop(stale, None)
        for stale in ("gamma_", "search_scores_", "bandwidth_scores_"):
            self.__dict__.pop(stale, None)
        self.bandwidth_, self.C_ = self._search(X_fit, y_fit, w_fit, rng)
        self.gamma_ = self._scale_gamma(X_fit, self.bandwidth_)
        if training is not None:
            weights, self.kernel_training_ = _training.train(
                self._kernel(), X_fit, np.searchsorted(self.classes_, y_fit), training,
                np.random.default_rng(rng.randint(2**31 - 1)))
            if self._keeps_training(weights, X_fit, y_fit, w_fit, rng):
                self.kernel_weights_ = weights
        self.kernel_ = self._kernel()
        self._n_train = len(kept)
        if self.approximation is not None:
            return self._fit_linear(X_fit, y_fit, w_fit, rng)
        K = self.kernel_(X_fit)
        # break_ties: multiclass predict is the argmax of decision_function (and
        # hence of predict_proba), not a one-vs-one vote that can disagree with it.
        svc = SVC(kernel="precomputed", C=self.C_, class_weight=self.class_weight,
                  break_ties=True)
        self.svc_ = svc.fit(K, y_fit, sample_weight=w_fit)
        self._last_margins_ = LastResult()
        self.support_ = kept[self.svc_.support_]
        self.support_vectors_ = X[self.support_]
        margins = self._out_of_fold_margins(svc, self.svc_, K, y_fit, w_fit, rng)
        codes = np.searchsorted(self.classes_, y_fit)
        self.temperature_ = _fit_temperature(margins, codes, w_fit)
        self._diagnose(X_fit, y_fit, K)
        return self

    def _diagnose(self, X, y, K=None):
        """``kernel_diagnostics_`` on a fixed stratified sample of the training rows: from
        the training Gram matrix when there is one, else from cached states (exact only)."""
        from qskew.metrics import kernel_diagnostics

        self.kernel_diagnostics_ = None
        if K is None and not is_exact(self.backend, self.shots):
            return  # a device kernel: N^2/2 more circuits, not spent unasked
        rows = np.arange(len(X))
        if len(X) > DIAGNOSTIC_ROWS:
            stratify = y if np.unique(y, return_counts=True)[1].min() >= 2 else None
            rows, _ = train_test_split(rows, train_size=DIAGNOSTIC_ROWS, random_state=0,
                                       stratify=stratify)
            rows = np.sort(rows)
        if len(rows) < 2:
            return
        K = K[np.ix_(rows, rows)] if K is not None else self.kernel_(X[rows])
        labels = y[rows] if len(np.unique(y[rows])) > 1 else None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.kernel_diagnostics_ = kernel_diagnostics(K, labels)
        for warning in caught:  # say it from fit, where the user is
            warnings.warn(warning.message, warning.category, stacklevel=4)

    def _fit_linear(self, X, y, sample_weight, rng):
        """A linear SVM on Nyström or explicit features of the rows (``approximation``)."""
        if self.approximation == "explicit":
            self._check_explicit(len(X), X.shape[1])
        else:
            codes = np.searchsorted(self.classes_, y)
            picked = _approximate.landmark_indices(
                codes, self.n_components, np.random.default_rng(rng.randint(2**31 - 1)))
            self.landmarks_ = X[picked]
            self.nystroem_map_ = _approximate.nystroem_map(self.kernel_(self.landmarks_))
        F = self._features(X)
        linear = LinearSVC(C=self.C_, class_weight=self.class_weight, dual=False)
        self.linear_ = clone(linear).fit(F, y, sample_weight=sample_weight)
        margins = self._out_of_fold_margins(linear, self.linear_, F, y, sample_weight, rng,
                                            folds=LINEAR_CALIBRATION_FOLDS)
        codes = np.searchsorted(self.classes_, y)
        self.temperature_ = _fit_temperature(margins, codes, sample_weight)
        self._diagnose(X, y)
        return self

    def _check_explicit(self, n_rows, n_features):
        if self.kind != "fidelity" or not is_exact(self.backend, self.shots):
            raise ValueError(
                "approximation='explicit' is the fidelity kernel's feature map |ψ⟩⟨ψ|, read "
                "from exact statevectors; got kind={!r}, backend={!r}, shots={!r}. Use "
                "kind='fidelity' on a statevector simulator with shots=None (then "
                "with_backend is unavailable), or approximation='nystroem'.".format(
                    self.kind, self.backend, self.shots))
        if n_features > EXPLICIT_MAX_QUBITS:
            raise ValueError(
                f"approximation='explicit' has 4^n features per row: {4**n_features:,} at "
                f"{n_features} qubits, beyond its limit of {EXPLICIT_MAX_QUBITS} qubits "
                f"({4**EXPLICIT_MAX_QUBITS:,}). Use approximation='nystroem', or fewer "
                "features (e.g. PCA).")
        _memory.check(8 * n_rows * 4**n_features,
                      f"the explicit feature map of {n_rows} rows at {n_features} qubits "
                      f"({4**n_features} features each)",
                      "Use approximation='nystroem', fewer qubits (e.g. PCA) or fewer rows.")

    def _features(self, X):
        """Finite features of ``X`` for the linear SVM, computed in row blocks."""
        if self.approximation == "explicit":
            width = 4 ** X.shape[1]
            step = _memory.block_rows(3 * 8 * width)  # the features and the complex products
            return np.concatenate([_approximate.explicit_features(self.kernel_.states(
                X[start : start + step])) for start in range(0, len(X), step)])
        return self.kernel_(X, self.landmarks_) @ self.nystroem_map_

    def _out_of_fold_margins(self, model, fitted, K, y, sample_weight, rng, folds=5):
        n_splits = min(folds, np.bincount(np.searchsorted(self.classes_, y)).min())
        if n_splits < 2:
            warnings.warn(
                "a class has a single sample, so probabilities are calibrated on the "
                "training margins themselves (optimistic). Provide more samples per class.",
                UserWarning,
                stacklevel=4,
            )
            return fitted.decision_function(K)
        splits = StratifiedKFold(n_splits, shuffle=True, random_state=rng.randint(2**31 - 1))
        return cross_val_predict(
            model, K, y, cv=splits, method="decision_function",
            params={"sample_weight": sample_weight},
        )

    def _streamed(self, X, method):
        """``svc_.<method>`` of the test Gram matrix, built and consumed in row blocks of
        fixed size: scoring memory does not grow with the rows.

        Binary decisions are the dual sum ``K_sv @ dual_coef + intercept`` on the support
        vectors' columns alone (what libsvm computes, without copying every block into a
        training-width matrix for it); multiclass one-vs-one votes go through libsvm.
        """
        X = validate_prediction_data(self, X)
        if self.approximation is not None:
            width = (4 ** X.shape[1] if self.approximation == "explicit"
                     else len(self.landmarks_) + self.nystroem_map_.shape[1])
            step = _memory.block_rows(3 * 8 * width + self.kernel_._state_bytes(X.shape[1]))
            return np.concatenate([getattr(self.linear_, method)(self._features(
                X[start : start + step])) for start in self._blocks(len(X), step)])
        binary = len(self.classes_) == 2
        # Per row: its kernel row (and, multiclass, the training-width copy libsvm reads),
        # and its state three times over (prepared, cached copy, engine scratch).
        row_bytes = 8 * (len(self.support_) if binary else len(self.support_) + self._n_train) \
            + 3 * self.kernel_._state_bytes(X.shape[1])
        step = _memory.block_rows(row_bytes)
        if binary:
            scores = self._binary_margins(X, step)
            return (self.classes_[(scores > 0).astype(int)] if method == "predict"
                    else scores.copy())
        out = []
        for start in self._blocks(len(X), step):
            K_sv = self.kernel_(X[start : start + step], self.support_vectors_)
            # libsvm reads only the support vectors' columns of a precomputed kernel.
            K = np.zeros((len(K_sv), self._n_train))
            K[:, self.svc_.support_] = K_sv
            out.append(getattr(self.svc_, method)(K))
        return np.concatenate(out)

    def _binary_margins(self, X, step):
        """The dual sums of the rows of ``X``; the last rows' are kept, so ``predict`` after
        ``predict_proba`` on the same rows (what scoring does) evaluates the kernel once."""
        key = (rows_key(X), id(self.kernel_))
        last = getattr(self, "_last_margins_", None)
        margins = None if last is None else last.get(key)
        if margins is not None:
            return margins
        out = []
        for start in self._blocks(len(X), step):
            K_sv = self.kernel_(X[start : start + step], self.support_vectors_)
            out.append(K_sv @ self.svc_.dual_coef_[0] + self.svc_.intercept_[0])
        margins = np.concatenate(out)
        margins.flags.writeable = False
        if last is not None:
            last.put(key, margins)
        return margins

    def _blocks(self, n_rows, step):
        """Starts of the row blocks of a streamed scoring, with a progress bar over the rows
        when there is more than one block."""
        with _progress.progress(total=n_rows, desc=f"{type(self).__name__} scoring",
                                unit="row", verbose=self.verbose if n_rows > step else 0) as bar:
            for start in range(0, n_rows, step):
                yield start
                bar.update(min(step, n_rows - start))

    def _kernel(self, bandwidth=None, gamma=None):
        params = {name: getattr(self, name) for name in KERNEL_PARAMS}
        params["bandwidth"] = bandwidth if bandwidth is not None else getattr(
            self, "bandwidth_", self.bandwidth)
        params["gamma"] = gamma if gamma is not None else getattr(
            self, "gamma_", 1.0 if self.gamma == "scale" else self.gamma)
        return QuantumKernel(**params, weights=getattr(self, "kernel_weights_", None))

    def _search(self, X, y, sample_weight, rng):
        """``(bandwidth, C)``: the given values, or for each ``"auto"`` the grid value of
        best inner cross-validated score on the training rows (jointly when both are)."""
        bandwidths = BANDWIDTH_GRID if self.bandwidth == "auto" else (float(self.bandwidth),)
        Cs = C_GRID if self.C == "auto" else (float(self.C),)
        if len(bandwidths) * len(Cs) == 1:
            return bandwidths[0], Cs[0]
        X, y, sample_weight, folds = self._inner_folds(
            X, y, sample_weight, rng, sample=self.approximation is not None)
        if not is_exact(self.backend, self.shots):
            raise ValueError(
                "bandwidth='auto' and C='auto' search on exact kernels: fit with a statevector "
                "simulator and shots=None, then score elsewhere with with_backend(...); got "
                f"backend={self.backend!r}, shots={self.shots!r}.")
        if folds is None:
            fallback = (1.0 if len(bandwidths) > 1 else bandwidths[0],
                        1.0 if len(Cs) > 1 else Cs[0])
            warnings.warn("bandwidth='auto' / C='auto' need two rows of every class to compare "
                          f"settings; using bandwidth={fallback[0]}, C={fallback[1]}.",
                          UserWarning, stacklevel=3)
            return fallback
        self.search_scores_ = {}
        bar = _progress.progress(bandwidths, desc=f"{type(self).__name__} bandwidth search",
                                 unit="bandwidth",
                                 verbose=self.verbose if len(bandwidths) > 1 else 0)
        for bandwidth in bar:  # one Gram per bandwidth; the folds slice it
            K = self._kernel(bandwidth, self._scale_gamma(X, bandwidth))(X)
            for C in Cs:
                self.search_scores_[(float(bandwidth), float(C))] = self._inner_score(
                    K, y, sample_weight, C, folds)
            bar.set_postfix(best_score=max(self.search_scores_.values()), refresh=False)
        self.bandwidth_scores_ = {
            b: max(score for (b2, _), score in self.search_scores_.items() if b2 == b)
            for b in map(float, bandwidths)}
        return max(self.search_scores_, key=self.search_scores_.get)

    def _keeps_training(self, weights, X, y, sample_weight, rng):
        """Whether the trained layers beat the plain map in inner cross-validation of this
        SVM on (a sample of) the training rows -- alignment is a proxy, and on small or
        skewed data maximising it can lower the SVM's score. Exact kernels only: elsewhere
        the comparison would cost two Gram matrices of circuits, and training is kept."""
        info = self.kernel_training_
        info["kept"] = True
        if not is_exact(self.backend, self.shots):
            return True
        X, y, sample_weight, folds = self._inner_folds(X, y, sample_weight, rng, sample=True)
        if folds is None:
            return True
        for name, kernel in (("cv_score_plain", self._kernel()),
                             ("cv_score_trained", self._kernel().set_params(weights=weights))):
            info[name] = self._inner_score(kernel(X), y, sample_weight, self.C_, folds)
        info["kept"] = info["cv_score_trained"] > info["cv_score_plain"]
        return info["kept"]

    def _inner_folds(self, X, y, sample_weight, rng, *, sample):
        """The inner cross-validation of the searches: the rows (with ``sample``, a stratified
        sample of :data:`BANDWIDTH_ROWS` when there are more) and their stratified folds, or
        ``None`` for the folds when a class has fewer than two rows."""
        if sample and len(X) > BANDWIDTH_ROWS:
            X, _, y, _, sample_weight, _ = train_test_split(
                X, y, sample_weight, train_size=BANDWIDTH_ROWS,
                stratify=y if np.unique(y, return_counts=True)[1].min() >= 2 else None,
                random_state=rng.randint(2**31 - 1))
        n_splits = min(BANDWIDTH_FOLDS, np.bincount(np.searchsorted(self.classes_, y)).min())
        folds = (StratifiedKFold(n_splits, shuffle=True, random_state=rng.randint(2**31 - 1))
                 if n_splits >= 2 else None)
        return X, y, sample_weight, folds

    def _inner_score(self, K, y, sample_weight, C, folds):
        """Mean inner-CV score of this SVM at ``C`` on a precomputed Gram matrix: average
        precision for two classes, balanced accuracy otherwise."""
        scoring = "average_precision" if len(self.classes_) == 2 else "balanced_accuracy"
        svc = SVC(kernel="precomputed", C=C, class_weight=self.class_weight)
        return float(np.mean(cross_val_score(svc, K, y, cv=folds, scoring=scoring,
                                             params={"sample_weight": sample_weight})))

    def _scale_gamma(self, X, bandwidth):
        """The projected kernel's ``gamma`` at ``bandwidth``: the given one, or for
        ``"scale"`` scikit-learn's ``1 / (n_features * X.var())`` on the rows' Bloch
        coordinates (``2 / (3 n * var)`` in :class:`QuantumKernel`'s convention, which
        halves the squared distance)."""
        if self.kind != "projected":
            return 1.0  # unused by the fidelity kernel
        if self.gamma != "scale":
            return float(self.gamma)
        F = self._kernel(bandwidth, 1.0).projected_features(X)
        variance = float(F.var())
        return 2.0 / (F.shape[1] * variance) if variance > 0 else 1.0

    def with_backend(self, backend, *, backend_options=None, shots=None, mitigation=None):
        """This fitted classifier, scoring on another backend (no refitting).

        The usual hardware workflow: fit on a simulator, then compute the
        kernel between new rows and the support vectors on the QPU — on
        ``qiskit.remote`` / ``qiskit.aer`` all pairs of a prediction call in
        one Sampler job. The SVM's coefficients and probability calibration
        stay the simulator's.

        Parameters
        ----------
        backend : str
        backend_options : dict, optional
        shots : int, optional
        mitigation : {"readout", "depolarizing", "readout+depolarizing"}, optional
            See :class:`~qskew.QuantumKernel`.

        Returns
        -------
        QuantumKernelSVC
            A copy with the same fitted SVM; ``self`` is left as it is.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[0.1, 0.2], [0.3, 0.1], [2.9, 3.0], [2.7, 2.8]] * 3)
        >>> y = np.array([0, 0, 1, 1] * 3)
        >>> clf = QuantumKernelSVC(feature_map="angle", reps=1, random_state=0).fit(X, y)
        >>> clf.with_backend("default.qubit", shots=1000).predict([[0.2, 0.2], [2.8, 2.9]])
        array([0, 1])
        """
        if getattr(self, "approximation", None) == "explicit":
            raise ValueError(
                "approximation='explicit' scores from exact statevectors, which no device "
                "returns; fit with approximation='nystroem' (device kernels against the "
                "landmarks) or approximation=None to score on another backend.")
        other = retargeted(self, backend, backend_options=backend_options, shots=shots,
                           mitigation=mitigation)
        other.kernel_ = other._kernel()
        other.kernel_._prepare(self.n_features_in_)  # refuses bad settings now, not at predict
        if hasattr(self, "_last_margins_"):  # margins come from the new backend's kernel
            other._last_margins_ = LastResult()
        return other

    def estimate_cost(self, n_fit, n_predict=0, *, predict_calls=1, cached=0, n_features=None):
        """What ``fit`` on ``n_fit`` rows and predicting ``n_predict`` rows will cost.

        Parameters
        ----------
        n_fit : int
            Training rows.
        n_predict : int, default=0
            Rows to predict, against at most ``n_fit`` support vectors.
        predict_calls : int, default=1
            Prediction methods called on those rows (e.g. 2 for
            ``predict_proba`` then ``predict``). Without an ``approximation``
            a binary SVC keeps the margins of the rows it scored last, so
            calls on the same rows after the first cost nothing: counted so
            (a multiclass SVC evaluates the kernel again on each call).
        cached : int, default=0
            Rows whose states are already in the state cache (exact mode
            prepares them no more): first of the training rows, then of the
            rows to predict — as when cross-validation folds share rows.
            Predictions stream through in row blocks of fixed size, so their
            memory (``peak_bytes``) does not grow with ``n_predict``; each
            block is one kernel call (one job per call on a Qiskit target).
        n_features : int, optional
            Features (qubits): on a Qiskit target adds the transpiled
            ``depth``, ``two_qubit_gates`` and ``qpu_seconds``.

        Returns
        -------
        dict
            As :meth:`QuantumKernel.estimate_cost`: the training Gram matrix,
            then the kernel of the new rows against the support vectors —
            counted as if every training row were one (an upper bound in
            circuit mode). In exact mode ``fit`` caches the support vectors'
            states and the first call the new rows', so prediction prepares
            at most ``n_predict`` states. Calibration re-uses the training
            Gram matrix and costs nothing.

        Examples
        --------
        >>> QuantumKernelSVC().estimate_cost(100, 20, predict_calls=2)["state_preparations"]
        120
        """
        auto = self.bandwidth == "auto"
        kernel = self._kernel(1.0 if auto else None)
        m = min(self.n_components, n_fit)  # Nyström landmarks
        trained = self.kernel_training is not None
        if self.approximation == "explicit":
            main = exact_states(max(0, n_fit - cached), n_features)
        elif self.approximation == "nystroem":  # K(L, L), then every row against L
            main = total(kernel.estimate_cost(m, n_features=n_features),
                         kernel.estimate_cost(n_fit, m, cached=2 * m, n_features=n_features))
        elif auto and not trained:  # the chosen bandwidth's states are cached by the search
            main = None
        else:  # trained: the comparison's sample of trained states is cached
            guarded = min(n_fit, BANDWIDTH_ROWS) if trained and is_exact(
                self.backend, self.shots) else 0
            main = kernel.estimate_cost(n_fit, cached=guarded if trained else min(cached, n_fit),
                                        n_features=n_features)
        searched = min(n_fit, BANDWIDTH_ROWS) if self.approximation else n_fit
        fit = total(*[kernel.estimate_cost(searched, n_features=n_features)
                      for _ in (BANDWIDTH_GRID if auto else ())],
                    self._training_cost(kernel, n_fit, n_features) if trained else None, main)
        if (self.kind, self.gamma) == ("projected", "scale") and not is_exact(self.backend,
                                                                                None):
            fit = total(fit, kernel.estimate_cost(n_fit, n_features=n_features))  # measured
        if not n_predict:
            return fit
        if self.approximation == "explicit":  # each new row's state, once
            return total(fit, exact_states(n_predict, n_features))
        # Predictions stream in row blocks (see _streamed): one kernel call per block against
        # the support vectors (or landmarks), whose states are cached, as are the first rows
        # beyond them.
        columns = m if self.approximation else n_fit
        if not n_features:
            step = n_predict
        elif self.approximation:  # as _streamed: landmarks and directions (at most 2 m)
            step = _memory.block_rows(3 * 8 * 2 * m + kernel._state_bytes(n_features))
        else:  # binary: support vectors (at most n_fit) and three states per row
            step = _memory.block_rows(8 * n_fit + 3 * kernel._state_bytes(n_features))
        costs, extra = [fit], max(0, cached - n_fit)
        passes = predict_calls if self.approximation else 1  # binary margins are kept
        for start in range(0, n_predict, step):
            rows = min(step, n_predict - start)
            costs.append(kernel.estimate_cost(rows, columns, calls=passes,
                                              cached=columns + min(rows, extra),
                                              n_features=n_features))
            extra -= min(rows, extra)
        return total(*costs)

    def _training_cost(self, kernel, n_fit, n_features):
        """What ``kernel_training`` costs: each step's mini-batch (and, exact, the alignment
        before and after on the evaluation rows)."""
        options = _training.check_training(self.kernel_training)
        batch = min(options["batch_size"], n_fit)
        exact = is_exact(self.backend, self.shots)
        # Exact kernels then compare trained and plain maps on a sample (_keeps_training):
        # its trained states are new; its plain ones too, unless the search cached them.
        sample = min(n_fit, BANDWIDTH_ROWS)
        searched = self.bandwidth == "auto" and self.approximation is None
        guard = (sample + (0 if searched else sample)) if exact else 0
        if _training.method_of(options, exact) == "backprop":
            return total(exact_states(options["steps"] * batch, n_features, training=True),
                         exact_states(2 * min(_training.EVALUATION_ROWS, n_fit) + guard,
                                      n_features))
        step = kernel.estimate_cost(batch, n_features=n_features)
        return total(*[step] * (2 * options["steps"]), *(
            [kernel.estimate_cost(min(_training.EVALUATION_ROWS, n_fit))] * 2 if exact else []),
            exact_states(guard, n_features) if guard else None)

    def decision_function(self, X):
        """Signed distance to the separating hyperplane.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
            Binary: positive values favour ``classes_[1]``. Multiclass:
            one-vs-rest scores.
        """
        return self._streamed(X, "decision_function")

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._streamed(X, "predict")

    def predict_proba(self, X):
        """Calibrated class probabilities (see Notes of the class).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return np.exp(_log_proba(self.decision_function(X), self.temperature_))

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return _log_proba(self.decision_function(X), self.temperature_)


def _log_proba(margins, temperature):
    if margins.ndim == 1:
        z = temperature * margins
        return np.column_stack([-np.logaddexp(0.0, z), -np.logaddexp(0.0, -z)])
    return log_softmax(temperature * margins, axis=1)


def _fit_temperature(margins, codes, sample_weight):
    """Inverse temperature ``a > 0`` minimising the weighted log-loss.

    Targets are smoothed as in Platt (1999): class ``c`` aims at
    ``1 - 1/(n_c + 2)`` rather than 1, so perfectly separated out-of-fold
    margins do not drive ``a`` to infinity (probabilities of 1e-96).
    """
    n_classes = int(codes.max()) + 1 if margins.ndim == 1 else margins.shape[1]
    n_classes = max(n_classes, 2)
    counts = np.bincount(codes, minlength=n_classes)
    eps = 1.0 / (counts[codes] + 2.0)
    targets = np.repeat((eps / (n_classes - 1))[:, None], n_classes, axis=1)
    targets[np.arange(len(codes)), codes] = 1.0 - eps

    def loss(log_a):
        return -np.average((targets * _log_proba(margins, np.exp(log_a))).sum(1),
                           weights=sample_weight)

    result = minimize_scalar(loss, bounds=(-8.0, 8.0), method="bounded")
    return float(np.exp(result.x))
