"""Quantum GAN generator: qskew's batched QuantumGenerator against PennyLane's per-sample QNode.

Run from the repository root, on an otherwise idle machine (other processes
skew timings by up to 50x; see DESIGN.md, "Known traps")::

    python benchmarks/bench_generator.py                   # full sizes, for BENCHMARKS.md
    python benchmarks/bench_generator.py --quick           # tiny sizes: a smoke test only
    python benchmarks/bench_generator.py --skip-lightning  # skip the lightning.qubit baseline
    python benchmarks/bench_generator.py --threads 2       # torch.set_num_threads(2)

All sections run in one process, one after another, with one generator
circuit (:func:`circuits.generator_circuit`: RY latent encoding, then
hardware-efficient layers ``RY RZ`` + CNOT ring, ``<Z>`` read-out on every
wire), 8 qubits, 4 layers, 8 features, all in float64:

(a) ``qskew.QuantumGenerator(8, 4, n_features=8, seed=0)`` -- default backend
    ``lightning.qubit``, which qskew runs as one batched simulation per
    mini-batch on its torch statevector engine (backprop);
(b) the same generator written the way PennyLane's quantum-GAN demo writes
    it: a ``default.qubit`` QNode (``interface="torch"``,
    ``diff_method="backprop"``) over ``generator_circuit(noise_row, weights,
    wires=range(8))``, called once per sample in a Python loop over the rows
    of the batch, the results stacked; wrapped as a ``torch.nn.Module`` with
    ``latent_dim`` and one float64 ``weights`` parameter;
(c) the same per-sample loop on a ``lightning.qubit`` QNode with
    ``diff_method="adjoint"`` (outputs cast to float64: lightning returns
    float32 under torch). Optional: ``--skip-lightning``.

(b) and (c) get a copy of (a)'s weights (``generator.weights[0]``: one patch
covers all 8 features). Before timing, their outputs on the whole sampling
batch and the gradient of a simple loss (the non-saturating generator loss
``softplus(-D(G(z))).mean()`` through a fixed ``qskew.Discriminator``, first
mini-batch) with respect to the weights are compared with (a)'s.

1. Sampling throughput: ``G(z)`` on 1024 fixed latent rows (U[0, pi)) under
   ``torch.no_grad`` (the same noise for every contender), in samples/s.
   The baselines keep their weights trainable, as the demo does (DESIGN.md,
   "Known traps": lightning's adjoint then computes Jacobians even under
   ``no_grad``).
2. One GAN training epoch: 256 real rows (8 features in [-1, 1]: a fixed
   three-component Gaussian mixture, clipped), batch 64 (4 batches), for
   every contender the same loop -- ``qskew.synth._gan.train_gan`` (the loop
   qskew's ``QGANOverSampler`` runs) with ``epochs=1``: per batch one
   discriminator step and one generator step, non-saturating BCE loss, Adam
   with betas (0.5, 0.999), lr 0.05 (generator) and 0.01 (discriminator),
   qskew's ``QGANOverSampler`` defaults -- against a fresh
   ``qskew.Discriminator(8, seed=0)``. The mini-batch order and every latent
   draw come from the same seed, so all contenders see identical data and
   noise; the untimed warm-up epoch starts from identical weights, and its
   mean discriminator and generator losses are compared with (a)'s too.

Every timing is the best of ``--repeats`` runs with ``time.perf_counter``
after one untimed warm-up run of the same size (for training: one full
epoch, so every code path is loaded). Epochs are timed on a GAN that keeps
training; the cost of an epoch does not depend on the weights. Reported:
times, throughput and the ratios baseline / qskew; target: (b)/(a) >= 20x for
both sampling and the training epoch. The exit status is 1 if any cross-check
fails: outputs, gradients or warm-up losses differing from (a)'s by >= 1e-8
for (b), >= 1e-6 for (c) (float32).

The per-sample baselines dominate a full run: on a 2-core machine a
``default.qubit`` QNode call took about 13 ms at 8 qubits (without gradient;
about twice that with), so each 1024-sample draw takes over 10 s and each
epoch about 10 s, each run ``1 + --repeats`` times; lightning is somewhat
faster per call. Expect a few minutes in all; qskew itself takes well under
a second.
"""

import argparse
import math
import resource
import sys

import _common  # benchmarks/ is sys.path[0] when run as python benchmarks/bench_generator.py
import numpy as np
import torch
from torch import nn

BATCH_SIZE = 64
LR_GENERATOR = 0.05  # QGANOverSampler's defaults
LR_DISCRIMINATOR = 0.01
TOLERANCE = {"default": 1e-8, "lightning": 1e-6}  # lightning returns float32 under torch

FULL = {"n_qubits": 8, "n_layers": 4, "n_samples": 1024, "n_rows": 256, "repeats": 3}
QUICK = {"n_qubits": 4, "n_layers": 2, "n_samples": 64, "n_rows": 128, "repeats": 1}
# (qubits, layers, samples, rows) -> [(description, section, key of the ratio, threshold)].
TARGETS = {
    (8, 4, 1024, 256): [("sampling (b)/(a) >= 20x", "sampling", "default", 20.0),
                        ("training epoch (b)/(a) >= 20x", "train", "default", 20.0)],
}

CONTENDERS = {
    "qskew": "(a) qskew QuantumGenerator (batched torch statevector, backprop)",
    "default": "(b) per-sample QNode loop, default.qubit, backprop",
    "lightning": "(c) per-sample QNode loop, lightning.qubit, adjoint",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Time quantum-GAN generator sampling and one GAN training epoch: qskew's "
        "batched QuantumGenerator against a per-sample PennyLane QNode loop (the quantum-GAN "
        "demo's construction) on default.qubit (backprop) and lightning.qubit (adjoint). "
        "Run on an otherwise idle machine.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes (4 qubits, 2 layers, 64 samples, 128 real rows) and "
                        "1 repeat: a smoke test, not a measurement")
    parser.add_argument("--skip-lightning", action="store_true",
                        help="skip the per-sample lightning.qubit baseline (c)")
    parser.add_argument("--repeats", type=_common.positive_int, default=None, metavar="K",
                        help="best of K timed runs after a warm-up (default: 3; --quick: 1)")
    parser.add_argument("--threads", type=_common.positive_int, default=None, metavar="N",
                        help="torch.set_num_threads(N) (default: leave torch's default)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the data, the latent noise and the training loop "
                        "(default: 0)")
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = (QUICK if args.quick else FULL)["repeats"]
    return args


# -- data ----------------------------------------------------------------------

def make_real_rows(n_rows, n_features, seed):
    """A fixed three-component Gaussian mixture in ``n_features`` dimensions, clipped to [-1, 1]."""
    rng = np.random.default_rng([seed, n_rows, n_features])
    centres = rng.uniform(-0.6, 0.6, size=(3, n_features))
    component = rng.integers(0, 3, size=n_rows)
    X = centres[component] + rng.normal(0.0, 0.2, size=(n_rows, n_features))
    return torch.as_tensor(np.clip(X, -1.0, 1.0))


# -- the contenders ------------------------------------------------------------

def qskew_generator(config):
    """(a): qskew's QuantumGenerator on its default backend (batched torch engine, backprop)."""
    import qskew

    n_qubits = config["n_qubits"]
    return qskew.QuantumGenerator(n_qubits, config["n_layers"], n_features=n_qubits, seed=0)


class PerSampleGenerator(nn.Module):
    """(b)/(c): PennyLane's quantum-GAN demo construction -- one QNode call per sample.

    Holds one float64 ``weights`` parameter of shape ``(n_layers, n_qubits, 2)``
    and ``latent_dim``, so ``qskew.synth._gan.train_gan`` takes it like a qskew
    generator. ``forward`` loops over the rows of the noise in Python, calls
    the QNode on each row, stacks the results and casts them to float64.
    """

    def __init__(self, n_qubits, device_name, diff_method, weights):
        import pennylane as qml

        from circuits import generator_circuit

        super().__init__()
        self.latent_dim = n_qubits
        self.weights = nn.Parameter(weights.detach().clone().to(torch.float64))
        wires = list(range(n_qubits))

        def circuit(noise_row, weights):
            return generator_circuit(noise_row, weights, wires=wires)

        self.qnode = qml.QNode(circuit, qml.device(device_name, wires=n_qubits),
                               interface="torch", diff_method=diff_method)

    def forward(self, noise):
        rows = [torch.stack(list(self.qnode(row, self.weights))) for row in noise]
        return torch.stack(rows).to(torch.float64)


def build(key, config, initial):
    if key == "qskew":
        return qskew_generator(config)
    device_name, diff_method = {"default": ("default.qubit", "backprop"),
                                "lightning": ("lightning.qubit", "adjoint")}[key]
    return PerSampleGenerator(config["n_qubits"], device_name, diff_method, initial)


def _weights_of(generator):
    """The one patch's weights ``(n_layers, n_qubits, 2)``, whichever contender."""
    return generator.weights[0] if generator.weights.dim() == 4 else generator.weights


def generator_loss_grad(generator, discriminator, noise):
    """Gradient of ``softplus(-D(G(z))).mean()`` with respect to the circuit weights."""
    generator.zero_grad()
    loss = nn.functional.softplus(-discriminator(generator(noise))).mean()
    loss.backward()
    grad = generator.weights.grad.detach().clone()
    generator.zero_grad()
    return grad.reshape(_weights_of(generator).shape)


def _max_diff(a, b):
    return float((a.detach().to(b.dtype) - b.detach()).abs().max())


# -- the benchmark -------------------------------------------------------------

def run_contender(key, config, initial, noise, X, reference, args):
    """Cross-check one contender against ``reference`` (qskew's results), then time it."""
    import qskew
    from qskew.synth._gan import train_gan

    generator = build(key, config, initial)
    n_features = config["n_qubits"]
    row = {"key": key}

    # Cross-checks, all before any training: outputs, then the gradient of a simple loss.
    with torch.no_grad():
        out = generator(noise)
    critic = qskew.Discriminator(n_features, seed=0)
    grad = generator_loss_grad(generator, critic, noise[:BATCH_SIZE])
    if reference is not None:
        row["output_diff"] = _max_diff(out, reference["output"])
        row["grad_diff"] = _max_diff(grad, reference["grad"])

    # 1. Sampling: the warm-up above is the cross-check's forward pass on the same noise.
    with torch.no_grad():
        row["sample_s"], _ = _common.best_of(lambda: generator(noise), args.repeats,
                                              warm_up=False)
    _progress(key, "sampling", row["sample_s"], f"{len(noise)} samples")

    # 2. Training: the untimed warm-up epoch starts from (a)'s initial weights.
    discriminator = qskew.Discriminator(n_features, seed=0)

    def epoch():
        return train_gan(generator, discriminator, X, epochs=1, batch_size=BATCH_SIZE,
                         lr_generator=LR_GENERATOR, lr_discriminator=LR_DISCRIMINATOR,
                         loss="bce", n_critic=1, seed=args.seed)[0]

    first = epoch()
    row["d_loss"], row["g_loss"] = first["d_loss"], first["g_loss"]
    if reference is not None:
        row["loss_diff"] = max(abs(row["d_loss"] - reference["d_loss"]),
                               abs(row["g_loss"] - reference["g_loss"]))
    row["epoch_s"], _ = _common.best_of(epoch, args.repeats, warm_up=False)
    _progress(key, "training", row["epoch_s"], f"one epoch, {len(X)} rows")
    return row, {"output": out, "grad": grad, "d_loss": row["d_loss"],
                 "g_loss": row["g_loss"]}


def run_all(config, args):
    n_qubits = config["n_qubits"]
    noise = np.pi * torch.rand(config["n_samples"], n_qubits,
                               generator=torch.Generator().manual_seed(args.seed + 1),
                               dtype=torch.float64)
    X = make_real_rows(config["n_rows"], n_qubits, args.seed)
    initial = qskew_generator(config).weights.detach()[0].clone()
    keys = ["qskew", "default"] + ([] if args.skip_lightning else ["lightning"])
    rows, reference = [], None
    for key in keys:
        row, results = run_contender(key, config, initial, noise, X, reference, args)
        reference = reference or results
        rows.append(row)
    for row in rows:
        row["sample_ratio"] = row["sample_s"] / rows[0]["sample_s"]
        row["epoch_ratio"] = row["epoch_s"] / rows[0]["epoch_s"]
    return rows


# -- report --------------------------------------------------------------------

def _progress(key, section, seconds, what):
    print(f"  done: {CONTENDERS[key]}, {section} ({what}): {seconds:.4g} s",
          file=sys.stderr, flush=True)


def _diff_cell(row, name):
    diff = row.get(name)
    if diff is None:
        return "-"
    return f"{diff:.1e} {'ok' if diff < TOLERANCE[row['key']] else 'FAIL'}"


def _ratio_cell(row, name):
    return "1x (reference)" if row["key"] == "qskew" else f"{row[name]:.3g}x"


def _table(header, lines):
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for cells in lines:
        print("| " + " | ".join(cells) + " |")
    print()


def print_results(rows, config, args):
    n_qubits, n_layers = config["n_qubits"], config["n_layers"]
    n, n_rows = config["n_samples"], config["n_rows"]
    tolerances = ", ".join(f"{CONTENDERS[k][:3]} < {TOLERANCE[k]:g}" for k in TOLERANCE)
    print("## Results\n")
    print(f"### Cross-checks against (a), before training (tolerance: {tolerances})\n")
    _table(["contender", f"max abs diff outputs ({n} samples)",
            f"max abs diff grad of softplus(-D(G(z))).mean() ({min(BATCH_SIZE, n)} samples)",
            "max abs diff warm-up epoch mean losses (D, G)"],
           [[CONTENDERS[r["key"]], _diff_cell(r, "output_diff"), _diff_cell(r, "grad_diff"),
             _diff_cell(r, "loss_diff")] for r in rows])

    print(f"### Sampling: {n} samples under torch.no_grad, {n_qubits} qubits, "
          f"{n_layers} layers\n")
    _table(["contender", "s", "samples/s", "ratio baseline/(a)"],
           [[CONTENDERS[r["key"]], f"{r['sample_s']:.4g}", f"{n / r['sample_s']:.4g}",
             _ratio_cell(r, "sample_ratio")] for r in rows])

    steps = math.ceil(n_rows / BATCH_SIZE)
    print(f"### Training: one GAN epoch, {n_rows} real rows, batch {BATCH_SIZE} ({steps} "
          f"discriminator + {steps} generator Adam steps), {n_qubits} qubits, "
          f"{n_layers} layers\n")
    _table(["contender", "s / epoch", "ratio baseline/(a)",
            "warm-up epoch mean D loss", "warm-up epoch mean G loss"],
           [[CONTENDERS[r["key"]], f"{r['epoch_s']:.4g}", _ratio_cell(r, "epoch_ratio"),
             f"{r['d_loss']:.6f}", f"{r['g_loss']:.6f}"] for r in rows])

    by_key = {r["key"]: r for r in rows}
    size = (n_qubits, n_layers, n, n_rows)
    for description, section, key, threshold in TARGETS.get(size, []):
        if key not in by_key:
            print(f"- target {description}: not measured (skipped)")
            continue
        ratio = by_key[key]["sample_ratio" if section == "sampling" else "epoch_ratio"]
        print(f"- target {description}: {ratio:.3g}x -- "
              f"{'met' if ratio >= threshold else 'MISSED'}")
    if size not in TARGETS:
        print("- targets: not applicable at these sizes (they apply to 8 qubits, 4 layers, "
              "1024 samples, 256 rows)")
    if "lightning" in by_key:
        print("- (c) lightning.qubit ratios: information only (no target)")
    elif args.skip_lightning:
        print("- (c) lightning.qubit: skipped (--skip-lightning)")
    print()


def _failures(rows):
    return [(row["key"], name) for row in rows
            for name in ("output_diff", "grad_diff", "loss_diff")
            if name in row and not row[name] < TOLERANCE[row["key"]]]


def main(argv=None):
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    config = QUICK if args.quick else FULL
    print("# qskew quantum GAN generator benchmark: batched QuantumGenerator vs per-sample "
          "QNode loop\n")
    print(f"generator_circuit, {config['n_qubits']} qubits, {config['n_layers']} layers, "
          f"<Z> on every wire, float64; latent noise U[0, pi), seed {args.seed}; best of "
          f"{args.repeats} after a warm-up; torch threads {torch.get_num_threads()} "
          f"({'--threads' if args.threads is not None else 'torch default'})."
          + (" QUICK MODE: smoke-test sizes, targets not applicable." if args.quick else "")
          + "\n")
    _common.print_machine(("numpy", "torch", "pennylane", "pennylane-lightning", "qskew",
                           "threadpoolctl"),
                          load_pools=_common.load_thread_pools, torch_threads=True)
    if args.skip_lightning:
        print("Contender (c) (per-sample lightning.qubit QNode) skipped: --skip-lightning.\n")
    rows = run_all(config, args)
    print_results(rows, config, args)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Process peak RSS (ru_maxrss, whole run, all libraries): {rss:.0f} MiB. "
          "Targets apply to the full sizes only.")
    failed = _failures(rows)
    if failed:
        print(f"\nCROSS-CHECK FAILED for {len(failed)} comparison(s): "
              + ", ".join(f"{CONTENDERS[key][:3]} {name}" for key, name in failed) + ".")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
