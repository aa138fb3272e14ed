"""MQE protocol on the bundled data: QSVC, QNN, each stacking fusion, Random Forest; 3 seeds.

For each seed: a stratified 70/30 split of ``qskew.datasets.load_demo()``;
quantum models see StandardScaler -> PCA(4) -> angles in [0, pi/2], fitted on
the training split only; the Random Forest baseline sees the standardised
raw features. Metrics: ``qskew.metrics.classification_metrics`` on the test
split (low-FPR operating points and reliability included).

Run: ``python experiments/mqe_bundled.py [--seeds 3]``
"""

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from qskew import QNNClassifier, QuantumKernelSVC, QuantumStackingClassifier
from qskew.datasets import load_demo
from qskew.metrics import classification_metrics

SHOWN = ["pr_auc", "roc_auc", "recall", "f1", "mcc", "g_mean", "tpr_at_fpr_1%",
         "fpr_at_tpr_95%", "brier", "ece"]


def models(seed):
    def quantum(estimator):
        return make_pipeline(StandardScaler(), PCA(4, random_state=seed),
                             MinMaxScaler((0, np.pi / 2)), estimator)

    def members():
        return [("qsvc", QuantumKernelSVC(feature_map="angle", class_weight="balanced",
                                          random_state=seed)),
                ("qnn", QNNClassifier(class_weight="balanced", max_epochs=60,
                                      random_state=seed))]

    out = {name: quantum(est) for name, est in members()}
    for fusion in ("labels", "proba", "margins", "proba+agreement"):
        out[f"stack ({fusion})"] = quantum(
            QuantumStackingClassifier(members(), fusion=fusion, random_state=seed))
    out["random forest (raw features)"] = make_pipeline(
        StandardScaler(), RandomForestClassifier(300, class_weight="balanced",
                                                 random_state=seed))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    X, y = load_demo()
    rows = []
    for seed in range(args.seeds):
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y,
                                                  random_state=seed)
        for name, model in models(seed).items():
            start = time.perf_counter()
            model.fit(X_tr, y_tr)
            scores = classification_metrics(y_te, model.predict_proba(X_te)[:, 1],
                                            y_pred=model.predict(X_te))
            rows.append({"model": name, "seed": seed, "fit_s": time.perf_counter() - start,
                         **{k: scores[k] for k in SHOWN}})
            print(name, seed, {k: round(v, 3) for k, v in rows[-1].items()
                               if isinstance(v, float)}, flush=True)
    table = pd.DataFrame(rows).drop(columns="seed")
    grouped = table.groupby("model", sort=False)
    summary = grouped.mean().round(3).astype(str) + " ± " + grouped.std().round(3).astype(str)
    pd.set_option("display.width", 250)
    print(summary.to_string())


if __name__ == "__main__":
    main()
