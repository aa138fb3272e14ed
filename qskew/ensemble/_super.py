"""The super learner: a convex combination of members' out-of-fold probabilities.

van der Laan, Polley & Hubbard (2007, Stat. Appl. Genet. Mol. Biol. 6:25):
non-negative weights summing to one, fitted to minimise a loss of the combined
out-of-fold probabilities. Its oracle inequality says it does asymptotically
as well as the best convex combination of the members, so at least as well as
the best member (each member is a vertex of the simplex of weights), *for the
loss it minimises*. Two losses:

- ``"roc_auc"`` (default): one minus the ROC-AUC of the combination — the
  AUC-maximising super learner of LeDell, van der Laan & Petersen (2016, Int.
  J. Biostat. 12:203). A ranking loss, blind to the class balance, and the one
  that matches how skewed-data models are judged (PR-AUC and ROC-AUC rank rows; a
  log-loss rewards calibration too, and on the bundled data often put all the
  weight on one member: in 5 x 2-fold CV its stack scored 0.013 PR-AUC below the
  best member, the AUC weights' 0.003 — experiments/README.md, "Does the stack
  lose to its best member").
  Weights by bagged ensemble selection (Caruana et al. 2004, ICML): from the
  best single member, add the member (with replacement) that most raises the
  AUC, ``steps`` times, and keep the best prefix; done on ``bags`` stratified
  bootstrap samples of the rows and averaged (with ~20 minority rows out of
  fold one selection is noisy: bagging cut the worst fold's loss to the best
  member on breast cancer from 0.016 to 0.003 PR-AUC). Cost: ``bags * steps *
  members`` rank computations over the out-of-fold rows (1-2 s for 10,000
  rows and 3 members).
- ``"log_loss"``: the class-weighted log-loss (``"balanced"`` by default), a
  proper scoring rule, minimised exactly on the simplex (SLSQP); for users who
  need the combination's probabilities calibrated.

When the out-of-fold minority is too small to weigh members by, the single
member of least loss takes all the weight (the "discrete" super learner).
"""

from numbers import Integral

import numpy as np
from scipy.optimize import minimize
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import roc_auc_score
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from qskew._compat import Interval, StrOptions

#: Fewest out-of-fold rows of the rarest class for which weights are fitted; below, the best
#: single member is taken (a handful of positives cannot rank weightings of several members).
MIN_MINORITY = 10
#: Probabilities are clipped to [EPS, 1] inside the log-loss.
EPS = 1e-12
#: Additions of ensemble selection for the AUC weights (weights in multiples of 1/STEPS),
#: and the bootstrap samples it is averaged over.
STEPS = 20
BAGS = 25


class SuperLearner(ClassifierMixin, BaseEstimator):
    """Convex combination of members' class probabilities, weighted to maximise the AUC.

    The meta-learner of :class:`~qskew.QuantumStackingClassifier` for
    ``fusion="proba"``, on its matrix of out-of-fold member probabilities
    (not a general-purpose classifier: its inputs are probabilities, member
    after member). Give the stack ``final_estimator=SuperLearner(...)`` to
    change its loss or thresholds.

    Parameters
    ----------
    loss : {"roc_auc", "log_loss"}, default="roc_auc"
        What the weights minimise on the out-of-fold rows: one minus the
        ROC-AUC (multiclass: macro one-vs-rest) by ensemble selection, or the
        class-weighted log-loss exactly (see the module docstring for why the
        default ranks).
    class_weight : "balanced", dict or None, default="balanced"
        Weight of each row's log-loss by its class: ``"balanced"`` is
        ``n / (n_classes * n_c)``. The AUC needs none (it is blind to the
        class balance).
    min_minority : int, default=10
        Fewest rows of the rarest class for fitting weights; below, the
        member of least loss gets all the weight.
    steps : int, default=20
        Additions of ensemble selection (``loss="roc_auc"``).
    bags : int, default=25
        Stratified bootstrap samples the selection is repeated on and
        averaged over (``loss="roc_auc"``); 0: one selection on all rows.
    random_state : int, RandomState or None, default=None
        Seeds the bootstrap samples.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    weights_ : ndarray of shape (n_members,)
        Non-negative, summing to 1.
    mode_ : {"convex", "best member"}
        How the weights were found.
    member_losses_ : ndarray of shape (n_members,)
        Each member's loss on the rows fitted on (``1 - AUC`` or the
        weighted log-loss).
    loss_ : float
        The combination's loss there (for ``"log_loss"`` never above the best
        member's; bagged AUC weights may rank the rows fitted on a little below
        the best member, in exchange for less variance on new rows).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 0, 1, 1, 1] * 4)
    >>> good = np.where(y == 1, 0.9, 0.1)          # member 0: informative
    >>> noise = np.full(len(y), 0.5)               # member 1: uninformative
    >>> from qskew.ensemble import SuperLearner
    >>> sl = SuperLearner(min_minority=2).fit(np.column_stack([good, noise]), y)
    >>> np.round(sl.weights_, 3)
    array([1., 0.])
    """

    _parameter_constraints = {
        "loss": [StrOptions({"roc_auc", "log_loss"})],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "min_minority": [Interval(Integral, 1, None, closed="left")],
        "steps": [Interval(Integral, 1, None, closed="left")],
        "bags": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, loss="roc_auc", class_weight="balanced", min_minority=MIN_MINORITY,
                 steps=STEPS, bags=BAGS, random_state=None):
        self.loss = loss
        self.class_weight = class_weight
        self.min_minority = min_minority
        self.steps = steps
        self.bags = bags
        self.random_state = random_state

    def fit(self, P, y):
        """Fit the weights on members' probabilities ``P`` for labels ``y``.

        Parameters
        ----------
        P : array-like of shape (n_samples, n_members) or (n_samples, n_members * n_classes)
            Binary: each member's probability of ``classes_[1]``. Multiclass:
            each member's ``n_classes`` probabilities, member after member.
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : SuperLearner
        """
        self._validate_params()
        y = np.asarray(y)
        self.classes_, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
        if len(self.classes_) < 2:
            raise ValueError(f"SuperLearner needs two classes at least; got "
                             f"{self.classes_.tolist()}.")
        probabilities = self._members(P)
        self.n_features_in_ = np.asarray(P).shape[1]
        n_members = probabilities.shape[1]
        loss, search = self._objective(probabilities, codes, counts)
        self.member_losses_ = np.array([loss(w) for w in np.eye(n_members)])
        self.weights_ = np.eye(n_members)[np.argmin(self.member_losses_)]
        self.mode_ = "best member"
        if counts.min() >= self.min_minority and n_members > 1:
            weights = search()
            # The log-loss optimum is never above a vertex; bagged AUC weights are kept even
            # when they rank the rows fitted on a little below the best member: that
            # in-sample check favours the unbagged choice the bagging is there to smooth.
            if self.loss == "roc_auc" or loss(weights) < self.member_losses_.min():
                self.weights_ = weights
                self.mode_ = "convex" if np.count_nonzero(weights) > 1 else "best member"
        self.loss_ = loss(self.weights_)
        return self

    def _objective(self, probabilities, codes, counts):
        """``(loss(weights), search())`` for ``self.loss`` on ``(n, members, classes)``
        probabilities of rows whose classes are ``codes``."""
        n_members = probabilities.shape[1]
        if self.loss == "roc_auc":
            def loss(weights, rows=slice(None)):
                return _auc_loss(codes[rows],
                                 np.einsum("nmc,m->nc", probabilities[rows], weights))

            def search():
                rng = check_random_state(self.random_state)
                samples = [_stratified_bootstrap(codes, rng) for _ in range(self.bags)]
                return np.mean([_ensemble_selection(lambda w, rows=rows: loss(w, rows),
                                                    n_members, self.steps)
                                for rows in samples or [slice(None)]], axis=0)

            return loss, search
        row_weight = self._row_weights(codes, counts)
        picked = probabilities[np.arange(len(codes)), :, codes]  # (n, members): p of the truth

        def loss(weights):
            return _log_loss(picked @ weights, row_weight)

        return loss, lambda: _convex_weights(picked, row_weight)

    def _members(self, P):
        """``(n, members, classes)`` probabilities from the flat meta-feature matrix."""
        P = np.asarray(P, dtype=float)
        if P.ndim != 2:
            raise ValueError(f"P must be 2-D (rows, member probabilities); got shape {P.shape}.")
        n_classes = len(self.classes_)
        if n_classes == 2:
            return np.stack([1.0 - P, P], axis=2)
        if P.shape[1] % n_classes:
            raise ValueError(f"P has {P.shape[1]} columns, not a multiple of the {n_classes} "
                             "classes: give each member's class probabilities side by side.")
        return P.reshape(len(P), -1, n_classes)

    def _row_weights(self, codes, counts):
        if self.class_weight is None:
            return np.ones(len(codes))
        if self.class_weight == "balanced":
            return (len(codes) / (len(counts) * counts))[codes]
        return np.array([self.class_weight.get(c, 1.0) for c in self.classes_])[codes]

    def predict_proba(self, P):
        """Combined class probabilities ``sum_m w_m P_m``.

        Parameters
        ----------
        P : array-like, as in :meth:`fit`

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "weights_")
        combined = np.einsum("nmc,m->nc", self._members(P), self.weights_)
        return np.clip(combined, 0.0, 1.0)

    def predict(self, P):
        """The class of highest combined probability.

        Parameters
        ----------
        P : array-like, as in :meth:`fit`

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self.classes_[self.predict_proba(P).argmax(axis=1)]


def _log_loss(p_true, row_weight):
    """Weighted mean log-loss of the probabilities given to the true classes."""
    return float(-np.average(np.log(np.clip(p_true, EPS, 1.0)), weights=row_weight))


def _auc_loss(codes, probabilities):
    """One minus the ROC-AUC of ``(n, classes)`` probabilities (macro one-vs-rest)."""
    if probabilities.shape[1] == 2:  # Mann-Whitney on mid-ranks: roc_auc_score, 20x faster
        ranks = rankdata(probabilities[:, 1])
        positive = codes == 1
        n_pos = positive.sum()
        n_neg = len(codes) - n_pos
        return 1.0 - (ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    return 1.0 - roc_auc_score(codes, probabilities, multi_class="ovr", average="macro",
                               labels=np.arange(probabilities.shape[1]))


def _stratified_bootstrap(codes, rng):
    """Row indices of a bootstrap sample drawn class by class (every class keeps its size)."""
    return np.concatenate([rng.choice(rows, len(rows)) for rows in
                           (np.flatnonzero(codes == c) for c in np.unique(codes))])


def _ensemble_selection(loss, n_members, steps):
    """Caruana et al. (2004): greedy additions with replacement from the best member; the
    weights of the best prefix (the earliest on ties)."""
    counts = np.zeros(n_members)
    counts[np.argmin([loss(w) for w in np.eye(n_members)])] = 1
    best, best_loss = counts.copy(), loss(counts)
    for _ in range(steps - 1):
        trials = [loss((counts + add) / (counts.sum() + 1)) for add in np.eye(n_members)]
        counts[int(np.argmin(trials))] += 1
        if min(trials) < best_loss:
            best, best_loss = counts.copy(), min(trials)
    return best / best.sum()


def _convex_weights(picked, row_weight):
    """Weights on the simplex minimising the weighted log-loss (convex in the weights)."""
    n_members = picked.shape[1]
    scale = row_weight / row_weight.sum()

    def loss(w):
        return -np.sum(scale * np.log(np.clip(picked @ w, EPS, None)))

    def gradient(w):
        return -(scale / np.clip(picked @ w, EPS, None)) @ picked

    result = minimize(loss, np.full(n_members, 1.0 / n_members), jac=gradient, method="SLSQP",
                      bounds=[(0.0, 1.0)] * n_members,
                      constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0}])
    weights = np.clip(result.x, 0.0, None)
    return weights / weights.sum()
