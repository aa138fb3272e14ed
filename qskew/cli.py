"""Command-line interface: ``qskew demo | run | estimate | report | list``."""

import argparse
import logging
import sys
import tempfile
import time
from contextlib import contextmanager

from qskew import __version__
from qskew._exceptions import QskewError

#: Exit codes.
OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130


def _overrides(args):
    from qskew.experiment._config import parse_override

    return dict(parse_override(text) for text in args.set or [])


def _print_results(results, seconds):
    import pandas as pd

    from qskew.experiment._results import protocol_note, undefined_note, unresolved_note

    config = results.config
    metrics = config["evaluation"]["metrics"]
    with pd.option_context("display.width", 250, "display.max_columns", None):
        print(results.table().to_string())
        fidelity = results.fidelity_summary()
        if len(fidelity):
            print("\nsynthetic minority rows vs real training rows (mean ± std; detection AUC "
                  "0.5 = indistinguishable, below 0.5 counted as 0.5; k-NN precision: synthetic "
                  "rows that look real, recall: real rows the synthetic ones cover):")
            print(fidelity.to_string())
    folds = config["evaluation"]["n_splits"] if config["evaluation"]["split"] == "cv" else 1
    first = results.summary[results.summary["metric"] == metrics[0]]
    notes = set(first["p_note"]) - {""}
    sample = config["evaluation"]["split"] == "sample"
    print(f"\nmean ± std [95 % interval] over {len(config['seeds'])} seed(s) x {folds} "
          + ("training sample(s), each scored on every other row; intervals and tests "
             "corrected for the samples' overlap." if sample else
             "fold(s); intervals and tests corrected for overlapping training sets "
             "(Nadeau & Bengio 2003)."))
    print(f"p_holm ({metrics[0]}): two-sided corrected resampled t-test against "
          f"{_baseline_text(config)}, Holm-adjusted over {first['p_value'].notna().sum()} "
          "tested comparison(s)" + (f" (—: {' | '.join(sorted(notes))})" if notes else ""))
    too_small = protocol_note(results.summary, metrics[0])
    if too_small:
        print(f"note: {too_small}.")
    shown = results.summary[results.summary["metric"].isin(metrics)]
    for note in (undefined_note(shown), unresolved_note(shown)):
        if note:
            print(f"{note}.")
    print(f"{results.n_cells}/{results.n_expected} cells in {seconds:.1f} s; results: "
          f"{results.path}")


def _baseline_text(config):
    baseline = config["evaluation"]["baseline"]
    if baseline is None:
        return "no baseline (set evaluation.baseline)"
    return " and ".join(f"{k} {v!r}" for k, v in baseline.items())


def _demo(args):
    from qskew import experiment
    from qskew.datasets import load_demo

    overrides = _overrides(args)
    if args.seeds is not None:
        overrides["seeds"] = list(range(args.seeds))
    config = experiment.load_config(str(experiment.demo_config()), overrides=overrides)
    _, y = load_demo()
    print(f"qskew demo: breast-cancer data, {len(y)} rows, {int(y.sum())} malignant "
          f"({y.mean():.1%}); resamplers {', '.join(config['resamplers'])} x models "
          f"{', '.join(config['models'])}; {len(config['seeds'])} seed(s), stratified "
          f"{1 - config['evaluation']['test_size']:.0%}/{config['evaluation']['test_size']:.0%}"
          " splits.", flush=True)
    out = args.out or tempfile.mkdtemp(prefix="qskew-demo-")
    start = time.perf_counter()
    results = experiment.run(config, out=out, overwrite=args.overwrite, quiet=args.quiet,
                             scheduler=args.scheduler, n_workers=args.workers)
    _print_results(results, time.perf_counter() - start)
    return OK


def _run(args):
    from qskew import experiment

    start = time.perf_counter()
    results = experiment.run(
        args.config, out=args.out, data=args.data, backend=args.backend,
        overrides=_overrides(args), scheduler=args.scheduler, resume=args.resume,
        overwrite=args.overwrite, quiet=args.quiet, plots=not args.no_plots,
        n_workers=args.workers)
    _print_results(results, time.perf_counter() - start)
    return OK


def _estimate(args):
    from qskew import experiment

    print(experiment.estimate(args.config, data=args.data, backend=args.backend,
                              overrides=_overrides(args)))
    return OK


def _report(args):
    from qskew import experiment

    start = time.perf_counter()
    results = experiment.report(args.results_dir, plots=not args.no_plots)
    _print_results(results, time.perf_counter() - start)
    return OK


def _list(args):
    from qskew.experiment import METRICS, components

    table = components()
    print("datasets (loader options):")
    for name, options in table["datasets"].items():
        print(f"  {name:<11} {', '.join(options) or '-'}")
    print(f"scalers: {', '.join(table['scalers'])}")
    for kind in ("resamplers", "models"):
        print(f"{kind}:")
        for name, info in table[kind].items():
            quantum = " [quantum: takes the config's backend]" if info["quantum"] else ""
            print(f"  {name:<7} {info['summary']}{quantum}")
            print(f"          parameters: {', '.join(info['parameters']) or '-'}")
            print(f"          options: {', '.join(info['options'])}")
    print(f"metrics: {', '.join(METRICS)}")
    return OK


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text}")
    return value


def _add_config_options(parser):
    parser.add_argument("--data", metavar="PATH", help="dataset file or folder "
                        "(replaces dataset.path)")
    parser.add_argument("--backend", help="PennyLane device for the quantum components")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="set a config value, e.g. --set seeds=[0,1] or --set "
                        "models.qnn.max_epochs=5 (VALUE is read as TOML); repeatable")


def _add_run_options(parser, out_help="results folder (default: results/<config name>)"):
    parser.add_argument("--out", metavar="DIR", help=out_help)
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="'local' for a local Dask cluster, or a Dask scheduler address "
                        "(default: serial, in this process)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="worker processes of --scheduler local (default: one per core)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="keep the finished cells of --out and run the missing ones")
    again.add_argument("--overwrite", action="store_true", help="replace an existing --out")


def build_parser():
    """The argument parser of the ``qskew`` command."""
    parser = argparse.ArgumentParser(
        prog="qskew", description="Quantum-classical learning from imbalanced data.")
    parser.add_argument("--version", action="version", version=f"qskew {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the packaged demo config on the bundled data")
    demo.add_argument("--seeds", type=_positive_int, help="use seeds 0..N-1 (default: 3)")
    demo.add_argument("--set", action="append", metavar="KEY=VALUE",
                      help="set a demo config value (VALUE read as TOML); repeatable")
    _add_run_options(demo, "results folder (default: a new temporary folder)")
    demo.set_defaults(handler=_demo)
    run = commands.add_parser("run", help="run an experiment config")
    run.add_argument("config", help="TOML config (or a results folder's config.resolved.json)")
    _add_config_options(run)
    _add_run_options(run)
    run.add_argument("--no-plots", action="store_true", help="skip plots/")
    run.set_defaults(handler=_run)
    estimate = commands.add_parser("estimate", help="count circuits, shots and time first")
    estimate.add_argument("config")
    _add_config_options(estimate)
    estimate.set_defaults(handler=_estimate)
    report = commands.add_parser("report", help="rebuild the tables and plots of a results "
                                 "folder")
    report.add_argument("results_dir")
    report.add_argument("--no-plots", action="store_true", help="skip plots/")
    report.set_defaults(handler=_report)
    listing = commands.add_parser("list", help="registered datasets, resamplers, models, "
                                  "metrics")
    listing.set_defaults(handler=_list)
    return parser


class _Format(logging.Formatter):
    """``qskew: message`` for progress, ``qskew: warning: message`` above INFO."""

    def format(self, record):
        level = "" if record.levelno <= logging.INFO else f"{record.levelname.lower()}: "
        return f"qskew: {level}{record.getMessage()}"


@contextmanager
def _logging(quiet):
    """Progress (INFO) and warnings of the runner on stderr while the command runs."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Format())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])  # no-op if configured
    progress = logging.getLogger("qskew.experiment")
    saved = progress.level, progress.propagate
    progress.addHandler(handler)
    progress.propagate = False  # not twice through the root handler
    progress.setLevel(logging.WARNING if quiet else logging.INFO)
    try:
        yield
    finally:
        progress.removeHandler(handler)
        progress.setLevel(saved[0])
        progress.propagate = saved[1]


def _one_line(exc):
    # Some messages (pandas', sklearn's) span several lines.
    return " ".join(str(exc).split())


def main(argv=None):
    """Run the ``qskew`` command; returns the process exit code.

    Exit codes: 0 success; 1 a failed run, data or backend error; 2 bad usage,
    a config error, or a results folder that exists (``--overwrite``/``--resume``);
    130 interrupted. Errors are one line on stderr.
    """
    args = build_parser().parse_args(argv)  # --help and --version answer here, at once
    from qskew.experiment import ConfigError

    try:
        with _logging(getattr(args, "quiet", False)):
            return args.handler(args)
    except KeyboardInterrupt:
        print("qskew: interrupted", file=sys.stderr)
        return INTERRUPTED
    except (ConfigError, FileExistsError) as exc:
        print(f"qskew: error: {_one_line(exc)}", file=sys.stderr)
        return USAGE
    except (QskewError, ValueError, TypeError, OSError, ImportError) as exc:
        print(f"qskew: error: {_one_line(exc)}", file=sys.stderr)
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
