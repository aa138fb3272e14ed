"""QuantumStackingClassifier: MQE-style fusion of quantum and classical models, by default
under a super learner."""

import inspect
from itertools import combinations
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import check_random_state

from qskew import _constraints, _progress
from qskew._compat import HasMethods, Interval, StrOptions, _fit_context
from qskew._validation import retargeted, validate_prediction_data, validate_training_data
from qskew.backends._cost import COUNTS, classical_seconds, total
from qskew.ensemble._shared import fit_member, member_output
from qskew.ensemble._super import SuperLearner
from qskew.kernels import QuantumKernelSVC
from qskew.qnn import QNNClassifier

FUSIONS = ("labels", "proba", "margins", "proba+agreement")
_METHOD = {"labels": "predict", "proba": "predict_proba", "margins": "decision_function",
           "proba+agreement": "predict_proba"}
_QUANTUM_TYPES = (QuantumKernelSVC, QNNClassifier)


def _default_estimators():
    return [
        # Width and C by inner CV: the fixed defaults (1, 1) are the worst setting on 8 qubits
        # in experiments/README.md ("Which quantum kernel").
        ("qsvc", QuantumKernelSVC(bandwidth="auto", C="auto", class_weight="balanced")),
        ("qnn", QNNClassifier(class_weight="balanced")),
    ]


class QuantumStackingClassifier(ClassifierMixin, BaseEstimator):
    """Stack quantum and classical classifiers under a meta-learner (MQE style).

    Each base estimator's outputs on the training rows come from stratified
    K-fold *out-of-fold* predictions — never from rows it was trained on — and
    the final estimator learns from them; then every base estimator is refitted
    on all rows for prediction.

    Parameters
    ----------
    estimators : list of (str, estimator), optional
        Named base classifiers; default
        ``QuantumKernelSVC(bandwidth="auto", C="auto")`` and
        ``QNNClassifier()``, both with ``class_weight="balanced"``.
    final_estimator : {"super", "forest"}, classifier or None, default=None
        Meta-learner. ``"super"``: the super learner
        (:class:`qskew.ensemble.SuperLearner`, van der Laan et al. 2007) —
        non-negative weights summing to 1 on the members' out-of-fold
        probabilities, chosen to maximise their ROC-AUC (LeDell et al.
        2016); by its oracle property it ranks asymptotically as well as the
        best member or better, and with fewer than 10 out-of-fold minority
        rows it takes the best single member. Pass
        ``SuperLearner(loss="log_loss")`` for weights fitted to the
        class-balanced log-loss instead (calibrated probabilities). ``"forest"``: the MQE paper's
        ``RandomForestClassifier(n_estimators=200, min_samples_leaf=5,
        class_weight="balanced")``. ``None``: ``"super"`` for
        ``fusion="proba"``, ``"forest"`` for the other fusions (their
        labels, margins and agreement features need a learned model).
    fusion : {"labels", "proba", "margins", "proba+agreement"}, default="proba"
        What the meta-learner sees of each base model: hard labels (one
        column, or one-hot for multiclass), probabilities (the positive
        class's only for binary — the two columns are collinear), decision
        values, or probabilities plus agreement features: for every pair of
        base models ``|p_i - p_j|`` (half the L1 distance for multiclass) and
        whether their hard labels agree.
    cv : int, default=5
        Stratified folds for the out-of-fold outputs.
    passthrough : bool, default=False
        Also give the meta-learner the raw features.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and every member whose own ``random_state`` is None.
    backend : str, optional
        Runs every quantum member (alone or at the end of a pipeline) on this
        PennyLane device; ``None`` keeps each member's own.
    backend_options : dict, optional
        Device options for the quantum members; ``None`` keeps their own.
    shots : int, optional
        Shots for the quantum members; ``None`` keeps their own (so a stack
        cannot switch members back to exact mode: set that on the members).
    verbose : "auto", bool or int, default="auto"
        Progress bar over the member fits (``cv`` out-of-fold fits and the
        refit of each member). ``"auto"``: shown where a person watches (a
        Jupyter kernel, or stderr on a terminal) once fitting has run 2 s,
        never when the environment variable ``CI`` is set or stderr is
        redirected; ``0`` or ``False``: never, members' own bars included
        (unless a member sets its own ``verbose``); a positive int or
        ``True``: always, members' bars included.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray
    estimators_ : list of estimator
        Base estimators refitted on all training rows.
    named_estimators_ : dict
    final_estimator_ : estimator
        Meta-learner fitted on the out-of-fold meta-features.
    weights_ : dict or None
        With the super learner: each member's weight (summing to 1).
    meta_learner_ : str
        ``"super learner (convex)"``, ``"super learner (best member)"``,
        ``"random forest"`` or the given estimator's class name.
    meta_feature_names_ : list of str
    oof_scores_ : dict
        Per base model, its out-of-fold accuracy, balanced accuracy and (binary,
        with ``"proba"``-like or ``"margins"`` fusion) PR-AUC.
    diagnostics_ : dict
        ``disagreement_rate`` between the quantum members' out-of-fold hard
        labels (mean over pairs; None with fewer than two quantum members),
        ``n_disagreements`` and ``accuracy_on_disagreements`` per quantum
        member on those rows.

    Notes
    -----
    Cost: each base estimator is fitted ``cv + 1`` times. Quantum kernel
    states are shared through the process-wide state cache of
    :class:`~qskew.QuantumKernel`, so each row's state is prepared once for
    all folds and the refit. Resample inside the folds by putting a sampler
    and this estimator in an imbalanced-learn ``Pipeline``, never before.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> X = np.r_[np.zeros((10, 2)), np.ones((10, 2))] + np.arange(20)[:, None] * 0.01
    >>> y = np.r_[np.zeros(10, int), np.ones(10, int)]
    >>> stack = QuantumStackingClassifier(
    ...     [("lr", LogisticRegression()), ("nb", GaussianNB())], cv=2, random_state=0)
    >>> stack.fit(X, y).predict([[0, 0], [1, 1]])
    array([0, 1])
    """

    _parameter_constraints = {
        "estimators": [list, None],
        "final_estimator": [HasMethods(["fit", "predict"]), StrOptions({"super", "forest"}),
                            None],
        "fusion": [StrOptions(set(FUSIONS))],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "passthrough": ["boolean"],
        "random_state": ["random_state"],
        **_constraints.optional(_constraints.BACKEND),
        **_constraints.VERBOSE,
    }

    def __init__(self, estimators=None, final_estimator=None, *, fusion="proba", cv=5,
                 passthrough=False, random_state=None, backend=None, backend_options=None,
                 shots=None, verbose="auto"):
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.fusion = fusion
        self.cv = cv
        self.passthrough = passthrough
        self.random_state = random_state
        self.backend = backend
        self.backend_options = backend_options
        self.shots = shots
        self.verbose = verbose

    # -- fitting ----------------------------------------------------------

    def _members(self):
        members = _default_estimators() if self.estimators is None else self.estimators
        problems = []
        if not members:
            problems.append("estimators is empty; give at least one (name, estimator) pair")
        names = [m[0] if isinstance(m, tuple) and len(m) == 2 else None for m in members]
        if None in names:
            problems.append("estimators must be a list of (name, estimator) pairs")
        elif len(set(names)) != len(names):
            problems.append(f"estimator names must be unique; got {names}")
        method = _METHOD[self.fusion]
        for name, est in (m for m in members if isinstance(m, tuple) and len(m) == 2):
            if not hasattr(est, method):
                alternatives = [f for f, m in _METHOD.items() if hasattr(est, m)]
                problems.append(
                    f"estimator {name!r} ({type(est).__name__}) has no {method}, which "
                    f"fusion={self.fusion!r} needs; use fusion in {alternatives}"
                )
        if problems:
            raise ValueError("QuantumStackingClassifier: " + "; ".join(problems) + ".")
        return members

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the base models out of fold, the meta-learner, then refit the bases.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : QuantumStackingClassifier
        """
        members = self._members()
        final = self._final()  # refuses a meta-learner the fusion cannot feed, before fitting
        X, y, self.classes_, codes = validate_training_data(self, X, y)
        counts = np.bincount(codes)
        if counts.min() < self.cv:
            # tolist(): a plain label in the message, not np.int64(1).
            rare = self.classes_.tolist()[np.argmin(counts)]
            # cv cannot go below 2, so a class of one row can only be given more rows.
            fix = (f"lower cv (e.g. cv={counts.min()}) or provide more minority rows"
                   if counts.min() >= 2 else "provide at least 2 rows of every class")
            raise ValueError(
                f"class {rare!r} has {counts.min()} samples but cv={self.cv} stratified folds "
                f"need at least {self.cv} per class; {fix}."
            )
        rng = check_random_state(self.random_state)
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=rng.randint(2**31 - 1))
        method = _METHOD[self.fusion]
        bases = [(name, self._on_backend(_seeded(clone(est), rng))) for name, est in members]
        splits = list(folds.split(X, y))
        with _progress.verbosity(self.verbose), _progress.progress(
                total=len(bases) * (self.cv + 1), desc=type(self).__name__,
                unit="fit") as bar:
            oof = [_out_of_fold(est, X, y, splits, method, bar, name) for name, est in bases]
            self.estimators_ = [_refit(est, X, y, bar, name) for name, est in bases]
        oof_labels = [self._labels(out) for out in oof]
        self._record_diagnostics(bases, oof, oof_labels, y)
        self.named_estimators_ = dict(zip((name for name, _ in bases), self.estimators_))
        meta, self.meta_feature_names_ = self._meta_features(oof, oof_labels, X,
                                                             [name for name, _ in bases])
        self.final_estimator_ = _seeded(clone(final), rng).fit(meta, y)
        self.weights_ = None
        self.meta_learner_ = ("random forest" if self.final_estimator in ("forest", None)
                              else type(final).__name__)
        if isinstance(self.final_estimator_, SuperLearner):
            self.weights_ = dict(zip(self.named_estimators_,
                                     map(float, self.final_estimator_.weights_)))
            self.meta_learner_ = f"super learner ({self.final_estimator_.mode_})"
        return self

    def _final(self):
        """The meta-learner to fit (unfitted), after checking it suits the fusion."""
        choice = self.final_estimator
        if choice is None:
            choice = "super" if self.fusion == "proba" else "forest"
        if isinstance(choice, str) and choice == "forest":
            # Leaves of >= 5 rows: the meta-learner sees a few noisy out-of-fold
            # columns, and fully grown trees memorise them (PR-AUC fell 0.28 -> 0.23).
            return RandomForestClassifier(n_estimators=200, min_samples_leaf=5,
                                          class_weight="balanced", n_jobs=1)
        if isinstance(choice, str) and choice == "super":
            choice = SuperLearner()
        if isinstance(choice, SuperLearner) and (self.fusion != "proba" or self.passthrough):
            raise ValueError(
                "final_estimator='super' weighs the members' probabilities; it needs "
                f"fusion='proba' and passthrough=False (got fusion={self.fusion!r}, "
                f"passthrough={self.passthrough!r}). Use final_estimator='forest' (or an "
                "estimator) for the other fusions.")
        return choice

    def _on_backend(self, estimator):
        """``estimator`` with the stack's backend settings on its quantum steps."""
        settings = {name: getattr(self, name) for name in _constraints.BACKEND
                    if getattr(self, name) is not None}
        params = estimator.get_params()
        estimator.set_params(**{
            key: settings[key.rsplit("__", 1)[-1]] for key in params
            if key.rsplit("__", 1)[-1] in settings and _is_quantum(_owner(estimator, key))
        })
        return estimator

    def with_backend(self, backend, *, backend_options=None, shots=None):
        """This fitted stack, its quantum members scoring on another backend (no refitting).

        Each fitted quantum member (alone or at the end of a pipeline) is
        replaced by its own ``with_backend`` copy; classical members and the
        meta-learner stay as fitted. The usual hardware workflow: fit on a
        simulator, score on the QPU.

        Parameters
        ----------
        backend : str
        backend_options : dict, optional
        shots : int, optional

        Returns
        -------
        QuantumStackingClassifier
            A copy; ``self`` is left as it is.
        """
        other = retargeted(self, backend, backend_options=backend_options, shots=shots)
        settings = {"backend_options": backend_options, "shots": shots}
        other.estimators_ = [_retarget(estimator, backend, settings) if _is_quantum(estimator)
                             else estimator for estimator in other.estimators_]
        other.named_estimators_ = dict(zip(other.named_estimators_, other.estimators_))
        return other

    def estimate_cost(self, n_fit, n_predict=0, *, predict_calls=1, n_features=None):
        """What ``fit`` and predicting will cost, from each quantum member's own estimate.

        Parameters
        ----------
        n_fit : int
            Training rows.
        n_predict : int, default=0
            Rows to predict.
        predict_calls : int, default=1
            Prediction methods called on those rows; each asks every member.
        n_features : int, optional
            Features the members see (needed for QNN members in circuit mode).

        Returns
        -------
        dict
            ``mode``, ``state_preparations``, ``circuits``, ``shots`` and ``jobs``, summed
            over the members' ``cv`` out-of-fold fits and predictions and
            their refit: see :mod:`qskew.backends._cost`. Members without
            ``estimate_cost`` (classical models) cost nothing here. Kernel
            members prepare each row's state once for all folds and the refit
            (the state cache), which their estimates are told — unless a
            fitted step (a scaler) precedes them in a pipeline: then each
            fold's rows count as new (an upper bound).

        Examples
        --------
        >>> QuantumStackingClassifier(cv=5).estimate_cost(100, 20)["state_preparations"]
        55660
        """
        return self._shared_cost(n_fit, n_predict, predict_calls, n_features)

    def _shared_cost(self, n_fit, n_predict, predict_calls, n_features, known=None):
        """:meth:`estimate_cost` less the work that ``known`` says is done already inside
        :func:`~qskew.ensemble.share_member_fits` (the experiment runner's estimate):
        ``known[(member, what)]`` for ``what`` in ``"fit"`` and ``"<method>"`` (on all rows
        and the rows predicted) and ``"oof cv=<cv> fit"`` and ``"oof cv=<cv> <method>"``
        (the out-of-fold work). Updates ``known`` with this stack's work."""
        self._validate_params()
        known = {} if known is None else known
        method = _METHOD[self.fusion]
        costs = []
        n_test_fold = n_fit // self.cv
        for name, member in self._members():
            estimator = self._on_backend(clone(member))
            # Steps fitted before the model (a scaler) map a row differently in each
            # fold: then no state is shared between folds.
            shared = n_fit
            while hasattr(estimator, "steps"):
                shared = shared if len(estimator.steps) == 1 else 0
                estimator = estimator.steps[-1][1]
            parts = [(n_fit - n_test_fold, n_test_fold, 1, f"oof cv={self.cv} ", self.cv),
                     (n_fit, n_predict, predict_calls, "", 1)]
            for n, m, calls, prefix, times in parts:
                fit = not known.get((name, f"{prefix}fit"))
                predict = not known.get((name, f"{prefix}{method}"))
                known[(name, f"{prefix}fit")] = known[(name, f"{prefix}{method}")] = True
                if not hasattr(estimator, "estimate_cost"):  # classical: seconds only
                    both = classical_seconds(estimator, n, m, n_features, calls)
                    alone = classical_seconds(estimator, n, 0, n_features)
                    costs.append({"mode": None, "seconds": times * (
                        fit * alone + predict * (both - alone))})
                    continue
                for fold in range(times):
                    cached = shared if (fold or prefix == "") else 0
                    if fit and predict:
                        costs.append(_member_cost(estimator, n, m, calls, n_features,
                                                  cached=cached))
                    elif predict:
                        costs.append(_predict_cost(estimator, n, m, calls, n_features,
                                                   cached=cached))
                    elif fit:
                        costs.append(_member_cost(estimator, n, 0, calls, n_features,
                                                  cached=cached))
        costs.append({"mode": None, "seconds": self._meta_seconds(n_fit, n_predict,
                                                                  predict_calls)})
        return total(*costs) if costs else total({"mode": "exact"})

    def _meta_seconds(self, n_fit, n_predict, predict_calls):
        """Seconds of the meta-learner: fit on the out-of-fold outputs, then predict. The
        default forest's trees are shallow (a few meta-features, leaves of >= 5 rows): it
        predicts at 1e-8 s per row and tree (6-10e-9 measured on 2.77 million flows), a
        third of a forest on raw features."""
        final, n_meta = self._final(), len(self._members())
        if self.final_estimator not in (None, "forest") or not isinstance(
                final, RandomForestClassifier):
            return classical_seconds(final, n_fit, n_predict, n_meta, predict_calls)
        return round(classical_seconds(final, n_fit, 0, n_meta)
                     + 1e-8 * n_predict * predict_calls * final.n_estimators, 3)

    # -- meta-features ----------------------------------------------------

    def _labels(self, output):
        """Hard labels from one base model's output of the fusion's method."""
        if self.fusion == "labels":
            return np.asarray(output)
        output = np.asarray(output)
        if output.ndim == 1:  # binary decision values
            return self.classes_[(output > 0).astype(int)]
        return self.classes_[output.argmax(axis=1)]

    def _meta_features(self, outputs, labels, X, names):
        binary = len(self.classes_) == 2
        columns, feature_names = [], []
        for name, output, label in zip(names, outputs, labels):
            output = np.asarray(output)
            if self.fusion == "labels":
                if binary:
                    columns.append((label == self.classes_[1]).astype(float)[:, None])
                    feature_names.append(f"{name}_label")
                else:
                    columns.append((label[:, None] == self.classes_[None, :]).astype(float))
                    feature_names += [f"{name}_label_{c}" for c in self.classes_]
            elif output.ndim == 1 or output.shape[1] == 1:
                columns.append(output.reshape(-1, 1))
                feature_names.append(f"{name}_margin")
            elif binary and self.fusion != "margins":
                # Drop one probability column: the two are collinear.
                columns.append(output[:, 1:])
                feature_names.append(f"{name}_proba")
            else:
                columns.append(output)
                kind = "margin" if self.fusion == "margins" else "proba"
                feature_names += [f"{name}_{kind}_{c}" for c in self.classes_]
        if self.fusion == "proba+agreement":
            for (i, a), (j, b) in combinations(enumerate(names), 2):
                gap = 0.5 * np.abs(np.asarray(outputs[i]) - np.asarray(outputs[j])).sum(axis=1)
                columns += [gap[:, None], (labels[i] == labels[j]).astype(float)[:, None]]
                feature_names += [f"|{a}-{b}|", f"{a}=={b}"]
        if self.passthrough:
            columns.append(X)
            feature_names += [f"x{k}" for k in range(X.shape[1])]
        return np.hstack(columns), feature_names

    def _record_diagnostics(self, bases, outputs, labels, y):
        from sklearn.metrics import (
            accuracy_score,
            average_precision_score,
            balanced_accuracy_score,
        )

        self.oof_scores_ = {}
        for (name, _), output, label in zip(bases, outputs, labels):
            scores = {"accuracy": accuracy_score(y, label),
                      "balanced_accuracy": balanced_accuracy_score(y, label)}
            output = np.asarray(output)
            if len(self.classes_) == 2 and self.fusion != "labels":
                score = output if output.ndim == 1 else output[:, 1]
                scores["pr_auc"] = average_precision_score(y == self.classes_[1], score)
            self.oof_scores_[name] = scores
        quantum = [i for i, (_, est) in enumerate(bases) if _is_quantum(est)]
        diagnostics = {"disagreement_rate": None, "n_disagreements": 0,
                       "accuracy_on_disagreements": {}}
        if len(quantum) >= 2:
            pairs = list(combinations(quantum, 2))
            differ = np.zeros(len(y), dtype=bool)
            rates = []
            for i, j in pairs:
                mismatch = labels[i] != labels[j]
                rates.append(mismatch.mean())
                differ |= mismatch
            diagnostics["disagreement_rate"] = float(np.mean(rates))
            diagnostics["n_disagreements"] = int(differ.sum())
            diagnostics["accuracy_on_disagreements"] = {
                bases[i][0]: (float((labels[i][differ] == y[differ]).mean())
                              if differ.any() else None)
                for i in quantum
            }
        self.diagnostics_ = diagnostics

    # -- prediction -------------------------------------------------------

    def _meta(self, X):
        X = validate_prediction_data(self, X)
        method = _METHOD[self.fusion]
        with _progress.verbosity(self.verbose):  # members' hardware jobs, if any
            outputs = [member_output(est, method, X) for est in self.estimators_]
        labels = [self._labels(out) for out in outputs]
        names = list(self.named_estimators_)
        return self._meta_features(outputs, labels, X, names)[0]

    def predict(self, X):
        """Class labels from the meta-learner.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        meta = self._meta(X)
        return self.final_estimator_.predict(meta)

    def predict_proba(self, X):
        """Class probabilities from the meta-learner.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        meta = self._meta(X)
        return self.final_estimator_.predict_proba(meta)


def _out_of_fold(estimator, X, y, splits, method, bar, name):
    """``method``'s output for every row from the member fitted on the other folds (as
    ``cross_val_predict``), each fold's fit shared through :func:`fit_member`; one ``bar``
    update per fold."""
    out = None
    for fold, (train, test) in enumerate(splits, start=1):
        part = np.asarray(member_output(fit_member(estimator, X[train], y[train]), method,
                                        X[test]))
        if out is None:
            out = np.empty((len(y),) + part.shape[1:], dtype=part.dtype)
        out[test] = part
        bar.set_postfix_str(f"{name} fold {fold}/{len(splits)}", refresh=False)
        bar.update()
    return out


def _refit(estimator, X, y, bar, name):
    """The member fitted on all rows (through :func:`fit_member`), then a ``bar`` update."""
    fitted = fit_member(estimator, X, y)
    bar.set_postfix_str(f"{name} refit", refresh=False)
    bar.update()
    return fitted


def _is_quantum(estimator):
    """Whether ``estimator`` is a quantum model, alone or at the end of a pipeline."""
    # Quantum members usually follow a scaler (features become rotation angles).
    while hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return isinstance(estimator, _QUANTUM_TYPES)


def _retarget(estimator, backend, settings):
    """A quantum member (or the pipeline it ends) scoring on ``backend``."""
    if hasattr(estimator, "steps"):
        name, last = estimator.steps[-1]
        estimator.steps[-1] = (name, _retarget(last, backend, settings))
        return estimator
    return estimator.with_backend(backend, **settings)


def _seeded(estimator, rng):
    """Give ``estimator`` and its nested steps a seed from ``rng`` where random_state is unset."""
    # Nested too: a QNN at the end of a Pipeline would otherwise train from a new seed each fit.
    params = estimator.get_params()
    unset = [key for key in params
             if (key == "random_state" or key.endswith("__random_state")) and params[key] is None]
    estimator.set_params(**{key: int(rng.randint(2**31 - 1)) for key in unset})
    return estimator


def _owner(estimator, key):
    """The (nested) estimator a ``get_params`` key belongs to."""
    for step in key.split("__")[:-1]:
        estimator = estimator.get_params()[step]
    return estimator


def _predict_cost(estimator, n_fit, n_predict, predict_calls, n_features, *, cached):
    """A member's estimate for predicting ``n_predict`` rows after a fit counted elsewhere:
    its estimate with the predictions less its estimate without them."""
    both = _member_cost(estimator, n_fit, n_predict, predict_calls, n_features, cached=cached)
    fit = _member_cost(estimator, n_fit, 0, predict_calls, n_features, cached=cached)
    return {key: value - fit.get(key, 0) if key in (*COUNTS, "qpu_seconds", "seconds")
            else value for key, value in both.items()}


def _member_cost(estimator, n_fit, n_predict, predict_calls, n_features, *, cached):
    """A member's own estimate; kernels are told which rows' states are cached."""
    options = {"predict_calls": predict_calls}
    parameters = inspect.signature(estimator.estimate_cost).parameters
    if "n_features" in parameters:
        options["n_features"] = n_features
    if "cached" in parameters:
        options["cached"] = cached
    return estimator.estimate_cost(n_fit, n_predict, **options)
