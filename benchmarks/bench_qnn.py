"""QNN training and inference: qskew's QNNModule against PennyLane's TorchLayer.

Run from the repository root, on an otherwise idle machine (other processes
skew timings by up to 50x; see DESIGN.md, "Known traps")::

    python benchmarks/bench_qnn.py                    # full sizes, numbers for BENCHMARKS.md
    python benchmarks/bench_qnn.py --quick            # tiny sizes: a smoke test, not a measurement
    python benchmarks/bench_qnn.py --skip-lightning   # skip the slow lightning.qubit baseline
    python benchmarks/bench_qnn.py --threads 2        # torch.set_num_threads(2) (default: leave)

All sections run in one process, one after another, on the same data
(features uniform in [0, pi], about 20 % positive labels, fixed seed), with
the same circuit: angle encoding (RY), then 3 strongly entangling layers,
read out as ``<Z0>``; all in float64.

1. One training epoch: 256 samples, 8 qubits, mini-batches of 32 in a fixed
   shuffled order (8 Adam steps, lr 0.01), loss
   ``binary_cross_entropy_with_logits(2 * <Z0>, y)`` -- the same loss, data,
   order and initial weights for every contender:

   (a) ``qskew.QNNModule(8, n_layers=3, feature_map="angle", ansatz="strong",
       n_outputs=1, seed=0)`` -- default backend ``lightning.qubit``, which
       qskew runs on its batched torch statevector engine with backprop;
   (b) ``qml.qnn.TorchLayer`` on a ``lightning.qubit`` QNode with
       ``diff_method="adjoint"``, qfunc and weight shapes from
       ``circuits.make_qnn_qfunc(8, n_layers=3)``; weights made float64
       (``.double()``) and outputs cast to float64 (lightning returns float32
       under torch);
   (c) the same TorchLayer on ``default.qubit`` with ``diff_method="backprop"``
       (``.double()``).

   The TorchLayers get a copy of (a)'s initial weights. Before timing, their
   forward outputs on all samples and the gradient of the loss on the first
   mini-batch are compared with (a)'s. Reported: seconds per epoch and the
   ratios (b)/(a), (c)/(a). A one-epoch ``QNNClassifier.fit`` (same sizes,
   lr and batch; it adds its own trainable logit scale and offset) is timed
   for information.
2. Inference throughput (samples/s) under ``torch.no_grad`` of (a) and (c)
   at 8 qubits (1024 samples) and 12 qubits (256 samples), cross-checked.

Every timing is the best of ``--repeats`` runs with ``time.perf_counter``
after one untimed warm-up run of the same size (for training: one full
epoch, so Adam's state exists and every code path is loaded). Epochs are
timed on a model that keeps training; the cost of an epoch does not depend
on the weights. The exit status is 1 if any cross-check fails (forward
outputs or gradients differing by >= 1e-6; lightning's float32 results are
about 1e-8 off).

The lightning.qubit baseline dominates a full run: DESIGN.md measured about
2 s per epoch for it at 8 qubits on a 2-core machine, and it runs
``1 + --repeats`` epochs plus the cross-checks; the rest takes seconds.
"""

import argparse
import math
import resource
import sys
import warnings

import _common  # benchmarks/ is sys.path[0] when run as python benchmarks/bench_qnn.py
import numpy as np
import torch
from torch import nn

N_LAYERS = 3
BATCH_SIZE = 32
LEARNING_RATE = 0.01
LOGIT_SCALE = 2.0  # fixed: logit = 2 * <Z0>, the same for every contender
TOLERANCE = 1e-6

FULL = {
    "train": {"n_qubits": 8, "n_samples": 256},
    "inference": ((8, 1024), (12, 256)),
    "repeats": 3,
}
QUICK = {
    "train": {"n_qubits": 4, "n_samples": 32},
    "inference": ((4, 64), (6, 32)),
    "repeats": 1,
}
# (section, qubits, N) -> [(description, key of the ratio, threshold)]: the ratio must reach it.
TARGETS = {
    ("train", 8, 256): [("(b)/(a) >= 10x", "lightning", 10.0),
                        ("(c)/(a) >= 1x", "default", 1.0)],
}

CONTENDERS = {
    "qskew": "(a) qskew QNNModule (batched torch statevector, backprop)",
    "lightning": "(b) TorchLayer, lightning.qubit, adjoint",
    "default": "(c) TorchLayer, default.qubit, backprop",
    "classifier": "qskew QNNClassifier.fit, max_epochs=1 (information only)",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Time one QNN training epoch and inference throughput: qskew's QNNModule "
        "against PennyLane's TorchLayer on lightning.qubit (adjoint) and default.qubit "
        "(backprop). Run on an otherwise idle machine.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes (4 qubits, 32 samples; inference 4/6 qubits) and "
                        "1 repeat: a smoke test, not a measurement")
    parser.add_argument("--skip-lightning", action="store_true",
                        help="skip the slow TorchLayer lightning.qubit baseline (b)")
    parser.add_argument("--repeats", type=_common.positive_int, default=None, metavar="K",
                        help="best of K timed runs after a warm-up (default: 3; --quick: 1)")
    parser.add_argument("--threads", type=_common.positive_int, default=None, metavar="N",
                        help="torch.set_num_threads(N) (default: leave torch's default)")
    parser.add_argument("--seed", type=int, default=0, help="data seed (default: 0)")
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = (QUICK if args.quick else FULL)["repeats"]
    return args


# -- data ----------------------------------------------------------------------

def make_data(n_samples, n_qubits, seed):
    """Features uniform in [0, pi] and labels with about 20 % positives (float64 tensors)."""
    rng = np.random.default_rng([seed, n_samples, n_qubits])
    X = rng.uniform(0.0, np.pi, size=(n_samples, n_qubits))
    y = (rng.random(n_samples) < 0.2).astype(np.float64)
    y[:2] = (0.0, 1.0)  # both classes, even at smoke-test sizes
    return torch.as_tensor(X), torch.as_tensor(y)


# -- the contenders ------------------------------------------------------------

def qskew_module(n_qubits):
    """(a): qskew's QNNModule on its default backend (batched torch engine, backprop)."""
    import qskew

    return qskew.QNNModule(n_qubits, n_layers=N_LAYERS, feature_map="angle", ansatz="strong",
                           n_outputs=1, seed=0)


class Float64Output(nn.Module):
    """A TorchLayer whose output is cast to float64 and shaped ``(batch, 1)`` like QNNModule's."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        return self.layer(x).to(torch.float64).reshape(len(x), 1)


def torch_layer(n_qubits, device_name, diff_method, weights):
    """(b)/(c): ``qml.qnn.TorchLayer`` on the same circuit, starting from ``weights``.

    The layer's parameter is made float64 and its output is cast to float64
    and shaped ``(batch, 1)`` like QNNModule's (lightning returns float32).
    """
    import pennylane as qml

    from circuits import make_qnn_qfunc

    qfunc, weight_shapes = make_qnn_qfunc(n_qubits, n_layers=N_LAYERS)
    qnode = qml.QNode(qfunc, qml.device(device_name, wires=n_qubits), interface="torch",
                      diff_method=diff_method)
    layer = qml.qnn.TorchLayer(qnode, weight_shapes).double()
    with torch.no_grad():
        layer.weights.copy_(weights)
    return Float64Output(layer)


def loss_fn(out, target):
    return torch.nn.functional.binary_cross_entropy_with_logits(LOGIT_SCALE * out[:, 0], target)


def batch_order(n_samples, seed):
    """One fixed shuffled order, split into mini-batches (the same for every contender)."""
    order = torch.randperm(n_samples, generator=torch.Generator().manual_seed(seed))
    return [order[i:i + BATCH_SIZE] for i in range(0, n_samples, BATCH_SIZE)]


def run_epoch(model, optimizer, X, y, batches):
    """One epoch of mini-batch Adam; returns the mean training loss."""
    total = 0.0
    for idx in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    return total / sum(len(idx) for idx in batches)


def first_batch_grad(model, X, y, batch):
    """Gradient of the loss on one mini-batch with respect to the circuit weights."""
    (weights,) = list(model.parameters())
    model.zero_grad()
    loss_fn(model(X[batch]), y[batch]).backward()
    grad = weights.grad.detach().clone()
    model.zero_grad()
    return grad


def _max_diff(a, b):
    return float((a.detach().to(b.dtype) - b.detach()).abs().max())


# -- sections ------------------------------------------------------------------

def section_train(config, args):
    n_qubits, n = config["n_qubits"], config["n_samples"]
    X, y = make_data(n, n_qubits, args.seed)
    batches = batch_order(n, args.seed)
    reference = qskew_module(n_qubits)
    initial = reference.weights.detach().clone()
    with torch.no_grad():
        ref_out = reference(X)
    ref_grad = first_batch_grad(reference, X, y, batches[0])

    builders = {"qskew": lambda: qskew_module(n_qubits)}
    if not args.skip_lightning:
        builders["lightning"] = lambda: torch_layer(n_qubits, "lightning.qubit", "adjoint",
                                                    initial)
    builders["default"] = lambda: torch_layer(n_qubits, "default.qubit", "backprop", initial)

    rows = []
    for key, build in builders.items():
        model = build()
        row = {"section": "train", "key": key, "qubits": n_qubits, "n": n}
        if key != "qskew":
            with torch.no_grad():
                row["forward_diff"] = _max_diff(model(X), ref_out)
            row["grad_diff"] = _max_diff(first_batch_grad(model, X, y, batches[0]), ref_grad)
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        row["seconds"], row["loss"] = _common.best_of(
            lambda: run_epoch(model, optimizer, X, y, batches), args.repeats)
        rows.append(row)
        _progress(row)
    rows.append(classifier_row(X, y, n_qubits, args))
    _progress(rows[-1])
    qskew_s = rows[0]["seconds"]
    for row in rows[1:]:
        row["ratio"] = row["seconds"] / qskew_s
    return rows


def classifier_row(X, y, n_qubits, args):
    """Information only: a whole one-epoch ``QNNClassifier.fit`` (its own net and loss)."""
    from sklearn.exceptions import ConvergenceWarning

    import qskew

    Xn, yn = X.numpy(), y.numpy().astype(int)

    def fit():
        clf = qskew.QNNClassifier(n_layers=N_LAYERS, feature_map="angle", ansatz="strong",
                                  learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE,
                                  max_epochs=1, validation_fraction=None, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return clf.fit(Xn, yn)

    seconds, clf = _common.best_of(fit, args.repeats)
    return {"section": "train", "key": "classifier", "qubits": n_qubits, "n": len(Xn),
            "seconds": seconds, "loss": clf.history_[-1]["train_loss"]}


def section_inference(config, args):
    rows = []
    for n_qubits, n in config:
        X, _ = make_data(n, n_qubits, args.seed)
        qnn = qskew_module(n_qubits)
        baseline = torch_layer(n_qubits, "default.qubit", "backprop", qnn.weights.detach())
        with torch.no_grad():
            qskew_s, out = _common.best_of(lambda: qnn(X), args.repeats)
            base_s, base_out = _common.best_of(lambda: baseline(X), args.repeats)
        row = {"section": "inference", "qubits": n_qubits, "n": n, "qskew_s": qskew_s,
               "baseline_s": base_s, "ratio": base_s / qskew_s,
               "max_diff": _max_diff(base_out, out)}
        rows.append(row)
        print(f"  done: inference, {n_qubits} qubits, N={n} ({qskew_s:.4g} s qskew)",
              file=sys.stderr, flush=True)
    return rows


# -- report --------------------------------------------------------------------

def _progress(row):
    print(f"  done: {CONTENDERS[row['key']]}, {row['qubits']} qubits, N={row['n']} "
          f"({row['seconds']:.4g} s/epoch)", file=sys.stderr, flush=True)


def _diff_cell(diff):
    return "-" if diff is None else f"{diff:.1e} {'ok' if diff < TOLERANCE else 'FAIL'}"


def print_train(rows):
    n_qubits, n = rows[0]["qubits"], rows[0]["n"]
    steps = math.ceil(n / BATCH_SIZE)
    print(f"### Training: one epoch, {n_qubits} qubits, {n} samples, batch {BATCH_SIZE} "
          f"({steps} Adam step{'s' if steps != 1 else ''}, lr {LEARNING_RATE})\n")
    header = ["contender", "s / epoch", "ratio to (a)", "last epoch mean loss",
              f"max abs diff forward vs (a) (< {TOLERANCE:g})",
              f"max abs diff grad vs (a) (< {TOLERANCE:g})"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        cells = [CONTENDERS[row["key"]], f"{row['seconds']:.4g}",
                 f"{row['ratio']:.3g}x" if "ratio" in row else "1x (reference)",
                 f"{row['loss']:.4f}", _diff_cell(row.get("forward_diff")),
                 _diff_cell(row.get("grad_diff"))]
        print("| " + " | ".join(cells) + " |")
    print()
    by_key = {row["key"]: row for row in rows}
    for description, key, threshold in TARGETS.get(("train", n_qubits, n), []):
        if key not in by_key:
            print(f"- target {description}: not measured (skipped)")
            continue
        ratio = by_key[key]["ratio"]
        print(f"- target {description}: {ratio:.3g}x -- {'met' if ratio >= threshold else 'MISSED'}")
    if ("train", n_qubits, n) not in TARGETS:
        print("- targets: not applicable at these sizes (they apply to 8 qubits, 256 samples)")
    print()


def print_inference(rows):
    print("### Inference throughput under torch.no_grad\n")
    header = ["qubits", "N", "qskew s", "qskew samples/s", "TorchLayer default.qubit s",
              "TorchLayer default.qubit samples/s", "speed-up",
              f"max abs diff (< {TOLERANCE:g})"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        cells = [str(row["qubits"]), str(row["n"]), f"{row['qskew_s']:.4g}",
                 f"{row['n'] / row['qskew_s']:.4g}", f"{row['baseline_s']:.4g}",
                 f"{row['n'] / row['baseline_s']:.4g}", f"{row['ratio']:.3g}x",
                 _diff_cell(row["max_diff"])]
        print("| " + " | ".join(cells) + " |")
    print()


def _failures(train_rows, inference_rows):
    diffs = [row.get(k) for row in train_rows for k in ("forward_diff", "grad_diff")]
    diffs += [row["max_diff"] for row in inference_rows]
    return [d for d in diffs if d is not None and not d < TOLERANCE]


def main(argv=None):
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    config = QUICK if args.quick else FULL
    print("# qskew QNN benchmark: QNNModule vs PennyLane TorchLayer\n")
    print(f"Angle encoding + {N_LAYERS} strongly entangling layers, <Z0> read-out, float64; "
          f"features uniform in [0, pi], seed {args.seed}; best of {args.repeats} after a "
          f"warm-up; torch threads {torch.get_num_threads()} "
          f"({'--threads' if args.threads is not None else 'torch default'})."
          + (" QUICK MODE: smoke-test sizes, targets not applicable." if args.quick else "")
          + "\n")
    _common.print_machine(("numpy", "torch", "pennylane", "pennylane-lightning", "qskew",
                           "threadpoolctl"),
                          load_pools=_common.load_thread_pools, torch_threads=True)
    if args.skip_lightning:
        print("Contender (b) (TorchLayer on lightning.qubit) skipped: --skip-lightning.\n")
    train_rows = section_train(config["train"], args)
    inference_rows = section_inference(config["inference"], args)
    print("## Results\n")
    print_train(train_rows)
    print_inference(inference_rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Process peak RSS (ru_maxrss, whole run, all libraries): {rss:.0f} MiB. "
          "Targets apply to the full sizes only.")
    failed = _failures(train_rows, inference_rows)
    if failed:
        print(f"\nCROSS-CHECK FAILED for {len(failed)} comparison(s): outputs or gradients "
              f"disagree by >= {TOLERANCE:g}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
