"""Does the stack lose to its best member? The evidence table of experiments/README.md.

The bundled skewed data and scikit-learn's public sets (no download), each binary
with a minority positive class; 5 x 2-fold stratified cross-validation, the same
folds for every model. Members, each on standardise -> PCA(4) -> [0, π] fitted
on the training fold:

- ``qsvc``: ``QuantumKernelSVC(bandwidth="auto", C="auto", class_weight="balanced")``;
- ``qnn``: ``QNNClassifier(class_weight="balanced")`` (angle map, 2 strong layers);
- ``logreg``: logistic regression, class-balanced.

Stacks of the three (3 internal folds): the default super learner (AUC weights),
the super learner on the balanced log-loss (``SuperLearner(loss="log_loss")``) and
the MQE random-forest meta-learner (``final_estimator="forest"``). Printed: mean ±
std PR-AUC over the 10 test folds; each stack minus the best member (the member of
highest mean), and minus the best member *of each fold* (an oracle no stack can
know: mean and worst fold); the default's mean member weights.

Run: ``python experiments/stack_evidence.py`` (about 45 minutes on 2 cores).
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
from qskew.ensemble import SuperLearner


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


STACKS = {"stack (super learner)": None,  # the default
          "stack (super, log-loss)": SuperLearner(loss="log_loss"),
          "stack (forest)": "forest"}
DEFAULT = "stack (super learner)"
MEMBERS = ("qsvc", "qnn", "logreg")


def evaluate(X, y, repeats, seed, names=tuple(STACKS)):
    folds = RepeatedStratifiedKFold(n_splits=2, n_repeats=repeats, random_state=seed)
    scores, weights = {}, []
    for train, test in folds.split(X, y):
        stacks = {name: QuantumStackingClassifier(members(seed), cv=3, final_estimator=final,
                                                  random_state=seed)
                  for name, final in STACKS.items() if name in names}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, stack in stacks.items():
                stack.fit(X[train], y[train])
                scores.setdefault(name, []).append(average_precision_score(
                    y[test], stack.predict_proba(X[test])[:, 1]))
            # The members as the super-learner stack refitted them on the whole fold.
            for name, member in stacks[DEFAULT].named_estimators_.items():
                scores.setdefault(name, []).append(average_precision_score(
                    y[test], member.predict_proba(X[test])[:, 1]))
        weights.append(stacks[DEFAULT].weights_)
    return scores, weights


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", help="run the data sets whose name starts with this")
    parser.add_argument("--stacks", nargs="+", choices=list(STACKS), default=list(STACKS),
                        help="the stacks to fit (each refits the members)")
    args = parser.parse_args(argv)
    # the default stack is always fitted: its refitted members give the member columns
    stacks = [name for name in STACKS if name in args.stacks or name == DEFAULT]
    columns = [*MEMBERS, *stacks]
    print("| data | " + " | ".join(columns) + " | " + " | ".join(
        f"{name} − best member (mean member / per fold: mean, worst)" for name in stacks)
        + " | default weights (" + " / ".join(MEMBERS) + ") |")
    print("|---" * (len(columns) + len(stacks) + 2) + "|")
    for data, (X, y) in datasets().items():
        if args.only and not data.startswith(args.only):
            continue
        scores, weights = evaluate(X, y, args.repeats, args.seed, stacks)
        best_mean = max(np.mean(scores[m]) for m in MEMBERS)
        per_fold = np.max([scores[m] for m in MEMBERS], axis=0)
        gaps = []
        for name in stacks:
            gap = np.asarray(scores[name]) - per_fold
            gaps.append(f"{np.mean(scores[name]) - best_mean:+.3f} / {gap.mean():+.3f}, "
                        f"{gap.min():+.3f}")
        cells = [f"{np.mean(scores[c]):.3f} ± {np.std(scores[c], ddof=1):.3f}" for c in columns]
        mean_weights = [f"{np.mean([w[m] for w in weights]):.2f}" for m in MEMBERS]
        print(f"| {data} | " + " | ".join(cells + gaps) + " | " + " / ".join(mean_weights)
              + " |", flush=True)


if __name__ == "__main__":
    main()
