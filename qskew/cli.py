"""Command-line interface: ``qskew demo``."""

import argparse
import logging
import sys
import time

from qskew import __version__
from qskew._exceptions import QskewError


def _demo(args):
    from qskew._demo import METRICS, run_demo, summarize
    from qskew.datasets import load_demo

    X, y = load_demo()
    print(
        f"qskew demo: breast-cancer data, {len(y)} rows, {int(y.sum())} malignant "
        f"({y.mean():.1%}); {args.n_qubits} qubits; {args.seeds} stratified 70/30 splits."
    )
    start = time.perf_counter()
    results = run_demo(seeds=tuple(range(args.seeds)), n_qubits=args.n_qubits)
    table = summarize(results)
    table.columns = [{"pr_auc": "PR-AUC", "recall": "minority recall", "f1": "minority F1",
                      "mcc": "MCC", "balanced_accuracy": "balanced acc."}[m] for m in METRICS]
    print(table.to_string())
    print(f"({time.perf_counter() - start:.1f} s; mean ± std over {args.seeds} seeds)")
    return 0


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text}")
    return value


def build_parser():
    """The argument parser of the ``qskew`` command."""
    parser = argparse.ArgumentParser(
        prog="qskew", description="Quantum-classical learning from imbalanced data."
    )
    parser.add_argument("--version", action="version", version=f"qskew {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="QSVC vs classical SVC on the bundled skewed data")
    demo.add_argument("--seeds", type=_positive_int, default=5, help="number of splits (5)")
    demo.add_argument("--n-qubits", type=_positive_int, default=4, help="PCA components (4)")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv=None):
    """Run the ``qskew`` command; returns the process exit code.

    Exit codes: 0 success, 1 a qskew or input error (one line on stderr),
    2 bad command-line usage, 130 interrupted.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("qskew: interrupted", file=sys.stderr)
        return 130
    except (QskewError, ValueError, TypeError, OSError) as exc:
        # One line, as promised above: some messages (pandas', sklearn's) span several.
        print(f"qskew: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
