"""The seed protocols at full scale: load, Q-SYNTH on credit-card fraud, MQE on CICIDS2017.

Run from the repository root, on an otherwise idle machine (other processes skew timings by
up to 50x; see DESIGN.md, "Known traps")::

    python benchmarks/bench_protocols.py                     # everything: about an hour
    python benchmarks/bench_protocols.py --parts load qsynth --qsynth-seeds 0
    python benchmarks/bench_protocols.py --schedulers serial local
    python benchmarks/bench_protocols.py --quick             # 1/10 sizes: smoke test only

Nothing is downloaded: ``benchmarks/_fullsize.py`` writes files in the real schemas, with
their quirks, at full size (284,807 credit-card transactions; 2,830,743 CICIDS2017 flows
in the eight MachineLearningCVE files) into ``--data`` (reused when present). Their
statistics are made up, so the models' scores say nothing about the real data; the
timings and the memory do.

Parts (each measured run is its own process, so its peak memory is its own: the largest
resident set of that process or, under Dask, of any worker it waited for):

- ``load``: ``load_creditcard`` and ``load_cicids2017`` with ``dtype="float64"`` (the
  baseline: what the loaders read before issue 14) and ``dtype="float32"``.
- ``qsynth``: ``qskew run experiments/qsynth_creditcard.toml`` with ``--qsynth-seeds``
  (all four resamplers, both classifiers, fidelity). Targets (issue 14): all five seeds
  in at most 20 minutes, one seed in at most 4. ``--paper-forest`` adds one seed with the
  papers' forest (``max_samples=1.0``: every tree on a full-size bootstrap, as
  unset) as the baseline of the shipped, cheaper forest.
- ``mqe``: ``qskew run experiments/mqe_cicids2017.toml`` with ``--mqe-seeds``: every model
  fitted on a 2,000-flow sample, every other flow scored. Target: one seed within 30
  minutes.

Each run is done under every ``--schedulers`` entry: ``serial`` (cells one after another,
forests on every core) and ``local`` (a local Dask cluster: cells side by side, one thread
each). Printed: wall seconds, ``qskew estimate``'s expected seconds and their ratio, the
peak memory, and the ratio of each scheduler's wall time to the serial one.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common
import _fullsize

ROOT = Path(__file__).resolve().parent.parent
QSYNTH = ROOT / "experiments" / "qsynth_creditcard.toml"
MQE = ROOT / "experiments" / "mqe_cicids2017.toml"
FULL = {"creditcard": 284_807, "cicids2017": 2_830_743}
QUICK = {"creditcard": 28_481, "cicids2017": 283_074}
LOAD = """
import json, sys, time
from qskew.datasets import load_cicids2017, load_creditcard
loader = {{"creditcard": load_creditcard, "cicids2017": load_cicids2017}}[{name!r}]
start = time.perf_counter()
X, y, card = loader({path!r}, dtype={dtype!r})
print(json.dumps({{"seconds": time.perf_counter() - start, "rows": len(X),
                   "features": X.shape[1], "bytes": int(X.memory_usage(index=False).sum())}}))
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", nargs="+", choices=["load", "qsynth", "mqe"],
                        default=["load", "qsynth", "mqe"])
    parser.add_argument("--schedulers", nargs="+", choices=["serial", "local"],
                        default=["serial"])
    parser.add_argument("--qsynth-seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--mqe-seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--paper-forest", action="store_true",
                        help="also run Q-SYNTH seed 0 with the papers' forest (baseline)")
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "qskew-bench-data",
                        help="where the full-size files are written (and reused) and the "
                             "runs' results folders kept")
    parser.add_argument("--quick", action="store_true", help="1/10 sizes: smoke test only")
    return parser.parse_args(argv)


def files(folder, sizes):
    """``{name: path}`` of the files in the real schemas, written if missing."""
    folder = folder / ("quick" if sizes is QUICK else "full")
    card, flows = folder / "creditcard.csv", folder / "MachineLearningCVE"
    folder.mkdir(parents=True, exist_ok=True)
    share = sizes["creditcard"] / FULL["creditcard"]  # frauds and copies in proportion
    card_options = {"n_fraud": round(492 * share), "n_duplicates": round(1_081 * share)}
    for path, write, n, options in (
            (card, _fullsize.write_creditcard, sizes["creditcard"], card_options),
            (flows, _fullsize.write_cicids2017, sizes["cicids2017"], {})):
        done = path.parent / f".{path.name}.done"
        if not done.exists():
            start = time.perf_counter()
            write(path, n, **options)
            done.write_text(str(n))
            print(f"wrote {path} ({n:,} rows) in {time.perf_counter() - start:.0f} s",
                  flush=True)
    return {"creditcard": card, "cicids2017": flows}


def measured(command):
    """``(wall seconds, peak resident GiB, stdout)`` of ``command`` run as a child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"failed ({child.returncode}): {' '.join(map(str, command))}")
    return wall, usage.ru_maxrss / 2**20, out  # ru_maxrss is in KiB on Linux


def load_part(data):
    rows = []
    for name, path in data.items():
        for dtype in ("float64", "float32"):
            wall, peak, out = measured([sys.executable, "-c",
                                        LOAD.format(name=name, path=str(path), dtype=dtype)])
            info = json.loads(out.strip().splitlines()[-1])
            rows.append([f"load {name}", dtype, f"{info['rows']:,} x {info['features']}",
                         f"{info['seconds']:.1f}", f"{info['bytes'] / 2**30:.2f}",
                         f"{peak:.2f}"])
            print(" | ".join(rows[-1]), flush=True)
    _table(["part", "dtype", "rows x features", "load s", "X GiB", "peak GiB"], rows)


def protocol(label, config, path, seeds, schedulers, runs, overrides=()):
    """Run ``config`` under each scheduler; print wall, estimate and memory. Each run's
    results folder is kept under ``runs`` (its ``timings.csv`` has every cell's seconds)."""
    from qskew.experiment import estimate

    sets = [f"seeds={json.dumps(list(seeds))}", *overrides]
    expected = estimate(config, data=path, overrides=dict(
        _parse(s) for s in sets)).total["seconds"]
    rows, serial = [], None
    for scheduler in schedulers:
        out = runs / f"{label.split(',')[0].lower().replace(' ', '-')}-{len(seeds)}-" \
                     f"{scheduler}{'-' + overrides[0] if overrides else ''}"
        command = [sys.executable, "-m", "qskew.cli", "run", str(config), "--data", str(path),
                   "--out", str(out), "--overwrite", "--quiet", "--no-plots"]
        command += [arg for s in sets for arg in ("--set", s)]
        if scheduler == "local":
            command += ["--scheduler", "local"]
        wall, peak, _ = measured(command)
        cells = _cells(out)
        serial = wall if scheduler == "serial" else serial
        rows.append([label, scheduler, f"{len(seeds)}", f"{wall:.0f}", f"{wall / 60:.1f}",
                     f"{expected:.0f}", f"{expected / wall:.2f}", f"{peak:.2f}",
                     "1.00" if scheduler == "serial" or serial is None
                     else f"{wall / serial:.2f}", cells])
        print(" | ".join(rows[-1]), flush=True)
    return rows


def _parse(text):
    from qskew.experiment._config import parse_override

    return parse_override(text)


def _cells(folder):
    """The slowest cells: ``model+resampler fit/predict s`` of the three largest."""
    import pandas as pd

    timings = pd.read_csv(folder / "timings.csv")
    timings["seconds"] = timings["fit_seconds"] + timings["predict_seconds"]
    slow = timings.groupby(["resampler", "model"])["seconds"].mean().nlargest(3)
    return ", ".join(f"{r}+{m} {s:.0f} s" for (r, m), s in slow.items())


def _table(header, rows):
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def main(argv=None):
    args = parse_args(argv)
    _common.print_machine(["qskew", "scikit-learn", "torch", "pennylane", "distributed"])
    data = files(args.data, QUICK if args.quick else FULL)
    if "load" in args.parts:
        load_part(data)
    rows, runs = [], args.data / ("quick" if args.quick else "full") / "runs"
    if "qsynth" in args.parts:
        rows += protocol("Q-SYNTH", QSYNTH, data["creditcard"], args.qsynth_seeds,
                         args.schedulers, runs)
        if args.paper_forest:
            rows += protocol("Q-SYNTH, papers' forest", QSYNTH, data["creditcard"], [0],
                             ["serial"], runs, ["models.rf.max_samples=1.0"])
    if "mqe" in args.parts:
        rows += protocol("MQE, every flow", MQE, data["cicids2017"], args.mqe_seeds,
                         args.schedulers, runs)
    if rows:
        _table(["protocol", "scheduler", "seeds", "wall s", "wall min", "estimate s",
                "estimate / wall", "peak GiB", "wall / serial", "slowest cells (mean per "
                "cell)"], rows)


if __name__ == "__main__":
    main()
