"""``qskew estimate`` against the run it estimates: expected seconds per cell vs measured.

Run from the repository root, on an otherwise idle machine (other processes
skew timings by up to 50x; see DESIGN.md, "Known traps")::

    python benchmarks/bench_estimate.py                # demo, qsynth_bundled, mqe_bundled; seed 0
    python benchmarks/bench_estimate.py --seeds 0 1 2    # more cells per row
    python benchmarks/bench_estimate.py --configs experiments/demo.toml

For each config: :func:`qskew.experiment.estimate`'s ``seconds`` per (resampler,
model) cell, then the same config run with :func:`qskew.experiment.run` (no
plots) and its measured cell time (``timings.csv``: fit plus prediction
seconds, summed over the cell's folds, averaged over the seeds). Printed per
row: estimated, measured and their ratio; then the totals. Rows of at least
``--floor`` measured seconds must lie within ``--tolerance`` (default ±25 %),
and so must each config's total; the exit status is 1 otherwise. Rows below
the floor (a logistic regression's 0.01 s) are shown but not judged: their
time is interpreter overhead, not work.

The estimate is what a user sees before a run (``qskew estimate CONFIG``);
the run is its own baseline, in the same process, one after the other.
"""

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import _common
import pandas as pd

from qskew.experiment import _cell, estimate, run

CONFIGS = ["experiments/demo.toml", "experiments/qsynth_bundled.toml",
           "experiments/mqe_bundled.toml"]


def compare(config, seeds):
    """Per-row estimated and measured seconds of ``config`` run with ``seeds``."""
    overrides = {"seeds": list(seeds)}
    expected = estimate(config, overrides=overrides).cells.set_index(["resampler", "model"])
    _cell._RESAMPLED.clear()  # no resampling left over from an earlier config
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        run(config, out=Path(folder) / "run", quiet=True, plots=False, overrides=overrides)
        wall = time.perf_counter() - start
        timings = pd.read_csv(Path(folder) / "run" / "timings.csv")
    timings["seconds"] = timings["fit_seconds"] + timings["predict_seconds"]
    measured = timings.groupby(["resampler", "model"])["seconds"].sum() / len(seeds)
    table = pd.DataFrame({"estimated s": expected["seconds"], "measured s": measured})
    table["ratio"] = table["estimated s"] / table["measured s"]
    return table, wall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configs", nargs="+", default=CONFIGS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--tolerance", type=float, default=0.25)
    parser.add_argument("--floor", type=float, default=1.0,
                        help="judge only rows measured at this many seconds or more")
    args = parser.parse_args(argv)
    _common.print_machine(["qskew", "pennylane", "torch", "scikit-learn"],
                          load_pools=_common.load_thread_pools)
    failed = []
    for config in args.configs:
        table, wall = compare(config, args.seeds)
        judged = table[table["measured s"] >= args.floor]
        outside = judged[(judged["ratio"] - 1).abs() > args.tolerance]
        totals = table[["estimated s", "measured s"]].sum()
        ratio = totals["estimated s"] / totals["measured s"]
        print(f"\n{config} (seeds {args.seeds}; run {wall:.1f} s wall, fidelity and "
              "plots-free overhead included)")
        print(table.round(2).to_string())
        print(f"total per seed: estimated {totals['estimated s']:.1f} s, measured "
              f"{totals['measured s']:.1f} s, ratio {ratio:.2f}")
        failed += [f"{config}: {index}" for index in outside.index]
        if abs(ratio - 1) > args.tolerance:
            failed.append(f"{config}: total")
    if failed:
        print(f"\noutside ±{args.tolerance:.0%}: " + "; ".join(map(str, failed)))
        return 1
    print(f"\nevery row of >= {args.floor:g} s and every total within ±{args.tolerance:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
