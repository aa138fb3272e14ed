"""Does the stack lose to its best member? The evidence table of experiments/README.md.

The bundled skewed data and scikit-learn's public sets (no download), each binary
with a minority positive class; 5 x 2-fold stratified cross-validation, the same
folds for every model. Members, each on standardise -> PCA(4) -> [0, π] fitted
on the training fold:

- ``qsvc``: ``QuantumKernelSVC(bandwidth="auto", C="auto", class_weight="balanced")``;
- ``qnn``: ``QNNClassifier(class_weight="balanced")`` (angle map, 2 strong layers);
- ``logreg``: logistic regression, class-balanced.

Stacks of the three (3 internal folds): the default super learner and the MQE
random-forest meta-learner (``final_estimator="forest"``). Printed: mean ± std
PR-AUC over the 10 test folds, the stack minus the best member *of each fold*
(mean and worst fold), and the super learner's mean member weights.

Run: ``python experiments/stack_evidence.py`` (about 30 minutes on 2 cores).
"""

import argparse
import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from kernel_evidence import datasets  # the same four tables (experiments/ is on sys.path)
from qskew import QNNClassifier, QuantumKernelSVC, QuantumStackingClassifier


def members(seed):
    def prep():
        return [StandardScaler(), PCA(4, random_state=0), MinMaxScaler((0, np.pi))]

    return [
        ("qsvc", make_pipeline(*prep(), QuantumKernelSVC(
            bandwidth="auto", C="auto", class_weight="balanced", random_state=seed))),
        ("qnn", make_pipeline(*prep(), QNNClassifier(class_weight="balanced",
                                                     random_state=seed))),
        ("logreg", make_pipeline(*prep(), LogisticRegression(class_weight="balanced"))),
    ]


def evaluate(X, y, repeats, seed):
    folds = RepeatedStratifiedKFold(n_splits=2, n_repeats=repeats, random_state=seed)
    scores, weights = {}, []
    for train, test in folds.split(X, y):
        stacks = {
            "stack (super learner)": QuantumStackingClassifier(members(seed), cv=3,
                                                               random_state=seed),
            "stack (forest)": QuantumStackingClassifier(members(seed), cv=3,
                                                        final_estimator="forest",
                                                        random_state=seed),
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, stack in stacks.items():
                stack.fit(X[train], y[train])
                scores.setdefault(name, []).append(average_precision_score(
                    y[test], stack.predict_proba(X[test])[:, 1]))
            # The members as the super-learner stack refitted them on the whole fold.
            for name, member in stacks["stack (super learner)"].named_estimators_.items():
                scores.setdefault(name, []).append(average_precision_score(
                    y[test], member.predict_proba(X[test])[:, 1]))
        weights.append(stacks["stack (super learner)"].weights_)
    return scores, weights


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    columns = ["qsvc", "qnn", "logreg", "stack (super learner)", "stack (forest)"]
    print("| data | " + " | ".join(columns) + " | super − best member (mean / worst fold) "
          "| forest − best member | super learner weights (qsvc / qnn / logreg) |")
    print("|---" * (len(columns) + 4) + "|")
    for data, (X, y) in datasets().items():
        scores, weights = evaluate(X, y, args.repeats, args.seed)
        best = np.max([scores[m] for m in ("qsvc", "qnn", "logreg")], axis=0)
        gap = np.asarray(scores["stack (super learner)"]) - best
        forest_gap = np.asarray(scores["stack (forest)"]) - best
        mean_weights = {m: np.mean([w[m] for w in weights]) for m in ("qsvc", "qnn", "logreg")}
        cells = [f"{np.mean(scores[c]):.3f} ± {np.std(scores[c], ddof=1):.3f}" for c in columns]
        print(f"| {data} | " + " | ".join(cells)
              + f" | {gap.mean():+.3f} / {gap.min():+.3f} | {forest_gap.mean():+.3f} / "
              f"{forest_gap.min():+.3f} | " + " / ".join(f"{mean_weights[m]:.2f}"
                                                          for m in mean_weights) + " |",
              flush=True)


if __name__ == "__main__":
    main()
