"""Run an experiment config: plan the cells, execute them, persist each, build the tables."""

import functools
import json
import logging
import os
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from qskew import _progress
from qskew._exceptions import QskewError
from qskew.ensemble._shared import clear_process_member_fits
from qskew.experiment import _cell, _lock
from qskew.experiment import _registry as reg
from qskew.experiment import _results as res
from qskew.experiment._config import ConfigError, load_config
from qskew.experiment._describe import describe
from qskew.experiment._execute import execute
from qskew.experiment._report import expected_cells, rebuild

logger = logging.getLogger("qskew.experiment")


class ExperimentError(QskewError, RuntimeError):
    """A cell of an experiment failed; the cells finished before it are kept."""


def run(config, *, out=None, data=None, backend=None, overrides=None, scheduler=None,
        resume=False, overwrite=False, quiet=False, plots=True, n_workers=None):
    """Run every (resampler, model, seed) cell of an experiment config.

    Each cell fits the leakage-safe pipeline impute -> scale -> PCA -> angle
    range -> resampler -> model on the training rows of each fold (holdout or
    stratified CV, split by the cell's seed), scores the held-out rows, and is
    written to ``cells/`` the moment it finishes. The tables and plots are then
    rebuilt from ``cells/`` (see :mod:`qskew.experiment` for the folder layout).

    Parameters
    ----------
    config : str, path-like or dict
        A TOML config (or a results folder's ``config.resolved.json``), or a dict.
    out : str or path-like, optional
        Results folder; default ``results/<name>`` under the working directory.
    data : str or path-like, optional
        Replaces ``dataset.path``.
    backend : str, optional
        Replaces the config's ``backend`` (quantum components without their own).
    overrides : dict, optional
        Dotted keys to set, e.g. ``{"seeds": [0], "resamplers.qgan.epochs": 5}``.
    scheduler : None, "local" or str, default=None
        None: serially in this process; ``"local"``: a local Dask cluster; else
        the address of a Dask scheduler. On Dask the cells run side by side, and a
        cell with more than 262,144 held-out rows (``split = "sample"`` on a large
        file) spreads their scoring over the workers too; each worker reads the data
        itself, so a remote cluster must see the dataset's path.
    n_workers : int, optional
        Worker processes of the ``"local"`` cluster (each imports torch and
        PennyLane); default one per core. Only with ``scheduler="local"``.
    resume : bool, default=False
        Keep the finished cells of ``out`` and run only the missing ones. The
        folder must have been made by the same resolved config.
    overwrite : bool, default=False
        Delete an existing results folder ``out`` first.
    quiet : bool, default=False
        No progress. Otherwise a progress bar over the cells where a person watches
        (a notebook, or stderr on a terminal; never under ``CI``: see
        :mod:`qskew._progress`), else one line per finished cell on the
        ``"qskew.experiment"`` logger (shown on stderr when logging is not
        configured). The models inside a cell show no bars of their own unless the
        config sets their ``verbose``.
    plots : bool, default=True
        Draw ``plots/`` (skipped with a warning without matplotlib).

    Returns
    -------
    Results
        ``path``, ``config``, the ``metrics``/``summary``/``fidelity`` tables, and
        ``table()`` for a readable mean ± std view.

    Raises
    ------
    ConfigError
        Problems in the config, or ``resume`` on a folder made by another config.
    FileExistsError
        ``out`` exists and neither ``resume`` nor ``overwrite`` was given, or
        ``overwrite`` would delete a folder that is not a results folder.
    ExperimentError
        A cell failed; finished cells stay in ``cells/`` for ``resume``.
    """
    resolved = load_config(config, data=data, backend=backend, overrides=overrides)
    folder = Path(out) if out is not None else Path("results") / resolved["name"]
    start = time.perf_counter()
    info = _silent if quiet else logger.info
    with _log_lines(quiet):
        loaded = _load(resolved["dataset"])  # data errors surface before any work
        if resume and overwrite:
            raise ValueError("resume and overwrite exclude each other: resume keeps the "
                             "finished cells, overwrite deletes them. Pass one.")
        planned = plan(resolved)
        lock = _written(lambda: _lock.acquire(folder), folder, _n_saved(folder), len(planned),
                        "the lock file")
        try:
            _written(lambda: _prepare(folder, resolved, resume=resume, overwrite=overwrite),
                     folder, _n_saved(folder), len(planned), "the run's records")
            damaged = {}
            done = res.finished_cells(folder, damaged)
            for key, problem in damaged.items():
                logger.warning("cell %s is damaged (%s): computing it again.", key, problem)
            todo = [(key, kwargs) for key, kwargs in planned if key not in done]
            info("%s: %d cells to run (%d already finished), dataset %s: %d rows, "
                 "%d positive, %d features; results in %s", resolved["name"], len(todo),
                 len(planned) - len(todo), resolved["dataset"]["name"], len(loaded.y),
                 int(loaded.y.sum()), loaded.X.shape[1], folder)
            with _job_checkpoints(folder):
                _execute(folder, resolved, todo, len(planned), scheduler, quiet, n_workers)
            results = _written(lambda: rebuild(folder, resolved, plots=plots), folder,
                               len(planned), len(planned), "the tables")
            if results.complete:
                shutil.rmtree(folder / JOBS, ignore_errors=True)
        finally:
            _lock.release(lock)
        info("finished in %.1f s; results in %s", time.perf_counter() - start, folder)
    return results


#: Finished hardware jobs of an unfinished run (see qskew.backends._checkpoint).
JOBS = ".jobs"


@contextmanager
def _job_checkpoints(folder):
    """Keep every finished primitive job in ``folder/.jobs`` while the run lasts (unless the
    user chose a checkpoint directory): ``--resume`` after a kill re-sends none of them."""
    from qskew.backends import _checkpoint

    if _checkpoint.directory() is not None:
        yield
        return
    _checkpoint.set_checkpoint_dir(Path(folder) / JOBS)
    try:
        yield
    finally:
        _checkpoint.set_checkpoint_dir(None)


def _n_saved(folder):
    return len(res.finished_cells(folder)) if (Path(folder) / res.CELLS).is_dir() else 0


def _written(write, folder, n_saved, n_planned, what):
    """Run ``write``; a write failure (read-only folder, full disk) becomes one message saying
    what is safe and how to go on."""
    try:
        return write()
    except FileExistsError:  # a folder in use or not ours: its own message says what to do
        raise
    except OSError as exc:
        raise ExperimentError(
            f"could not write {what} to {str(folder)!r} ({exc.strerror or exc}); {n_saved} of "
            f"{n_planned} cells are saved there. Free space or fix the folder's permissions, "
            "then rerun with --resume (resume=True); or choose another --out.") from exc


def _silent(*args):
    """Drop a progress line (quiet runs)."""


def _load(dataset):
    try:
        return _cell.load_data(dataset)
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"{' '.join(str(exc).split())} Set dataset.path in the config or pass --data PATH "
            "(experiments/README.md says where each dataset comes from).") from exc


def plan(config):
    """``[(key, run_cell keyword arguments), ...]`` for every cell, in run order.

    Fidelity depends on the resampler, seed, fold and feature space only, not
    on the model after it: it is scored once, in the first cell of each such
    group; synthetic samples for the plots are kept in one cell per resampler.
    """
    scored, sampled, planned = set(), set(), []
    for resampler, model, seed in expected_cells(config):
        generates = reg.RESAMPLERS[config["resamplers"][resampler]["type"]].generates
        group = (resampler, _cell.space(config, model), seed)
        fidelity = generates and config["evaluation"]["fidelity"] and group not in scored
        keep = generates and resampler not in sampled
        scored |= {group} if fidelity else set()
        sampled |= {resampler} if keep else set()
        planned.append((res.cell_key(resampler, model, seed),
                        {"resampler": resampler, "model": model, "seed": seed,
                         "fidelity": fidelity, "keep_samples": keep}))
    return planned


def _execute(folder, config, todo, n_planned, scheduler, quiet, n_workers=None):
    # Serially a cell has the machine; on Dask, the worker's one thread per task.
    n_jobs = (os.cpu_count() or 1) if scheduler is None else 1
    tasks = [(key, functools.partial(_cell.run_cell, config, n_jobs=n_jobs, **kwargs))
             for key, kwargs in todo]
    saved = []
    bar = _progress.progress(total=n_planned, initial=n_planned - len(todo), desc="cells",
                             unit="cell", verbose=0 if quiet else "auto")

    def on_result(key, result):
        _written(lambda: res.save_cell(folder, key, result), folder,
                 n_planned - len(todo) + len(saved), n_planned, f"cell {key}")
        saved.append(key)
        bar.set_postfix_str(key, refresh=False)
        bar.update()
        if result.get("warnings"):
            logger.debug("%s: %s", key, "; ".join(result["warnings"]))

    try:
        with bar:  # its lines would break the bar: one or the other
            execute(tasks, scheduler=scheduler, on_result=on_result, n_workers=n_workers,
                    quiet=quiet or not bar.disable)
    except KeyboardInterrupt:
        logger.warning("interrupted: %d of %d cells are saved in %s; rerun with --resume "
                       "(resume=True) to finish.", n_planned - len(todo) + len(saved),
                       n_planned, folder)
        raise
    except ExperimentError:  # already says what is saved and how to go on
        raise
    except RuntimeError as exc:
        if exc.__cause__ is None:
            raise
        raise ExperimentError(
            f"{exc}; {n_planned - len(todo) + len(saved)} of {n_planned} cells are saved in "
            f"{folder}: fix the cause and rerun with --resume (resume=True).") from exc.__cause__
    finally:  # serial cells kept member fits and scores in this process: let them go
        clear_process_member_fits()


def estimators(config):
    """Every (resampler, model) pipeline the run builds, with each step's full ``get_params``.

    What the config left to defaults is written out too, so a results folder
    says exactly what ran. ``random_state`` is each cell's seed.
    """
    seed = config["seeds"][0]
    return {f"{resampler}+{model}": describe(_cell.build_pipeline(config, resampler, model, seed),
                                             seed)
            for resampler, model, _ in expected_cells({**config, "seeds": [seed]})}


def _as_json(value):
    return json.loads(json.dumps(value, default=res._plain))


def _prepare(folder, config, *, resume, overwrite):
    """Create, check (resume) or clear (overwrite) the results folder (its lock held)."""
    config_file = folder / res.CONFIG_FILE
    is_results = config_file.is_file() or (folder / res.CELLS).is_dir()
    entries = [p for p in folder.iterdir() if p.name != _lock.LOCK_FILE] \
        if folder.exists() else []
    if entries:
        if resume:
            _check_same_config(folder, config)
        elif overwrite and is_results:  # everything but the lock this run holds
            for entry in entries:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        elif overwrite:
            raise FileExistsError(
                f"refusing to overwrite {str(folder)!r}: it is not a qskew results folder (no "
                f"{res.CONFIG_FILE} or {res.CELLS}/). Remove it yourself or choose another "
                "--out.")
        else:
            raise FileExistsError(
                f"results folder {str(folder)!r} already exists; pass --overwrite "
                "(overwrite=True) to replace it, --resume (resume=True) to finish it, or "
                "another --out.")
    (folder / res.CELLS).mkdir(parents=True, exist_ok=True)
    versions = res.versions(config["backend"])
    if not config_file.is_file():
        res.write_json(config_file, config)
        res.write_json(folder / res.VERSIONS_FILE, versions)
        res.write_json(folder / res.ESTIMATORS_FILE, estimators(config))
    else:  # resumed: keep the first run's versions, record this one's
        path = folder / res.VERSIONS_FILE
        recorded = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        recorded.setdefault("resumed_with", []).append(versions)
        res.write_json(folder / res.VERSIONS_FILE, recorded)


def _check_same_config(folder, config):
    config_file = folder / res.CONFIG_FILE
    if not config_file.is_file():
        raise FileExistsError(
            f"cannot resume in {str(folder)!r}: it holds no {res.CONFIG_FILE}, so it is not a "
            "qskew results folder. Choose another --out.")
    previous = json.loads(config_file.read_text(encoding="utf-8"))
    current = _as_json(config)
    if previous != current:
        keys = sorted(k for k in set(previous) | set(current)
                      if previous.get(k) != current.get(k))
        problem = (f"the folder was made by a different config (differs in: "
                   f"{', '.join(keys)}); resume with the same config and options, or use "
                   "--overwrite or another --out")
        raise ConfigError([problem], source=str(folder))


@contextmanager
def _log_lines(quiet):
    """Show the runner's INFO lines (one per finished cell) on stderr unless ``quiet``."""
    if quiet:
        yield
        return
    level = logger.level
    handler = None
    if not logger.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("qskew: %(message)s"))
        logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(level)
        if handler is not None:
            logger.removeHandler(handler)
