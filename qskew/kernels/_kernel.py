"""QuantumKernel: the fidelity and projected quantum kernels as a picklable scikit-learn
callable."""

import functools
import hashlib
import warnings
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from circuits import FEATURE_MAP_NAMES
from qskew import _constraints, _progress
from qskew._compat import Interval, StrOptions
from qskew._secrets import redacted
from qskew._validation import check_angles, check_features
from qskew.backends import (
    _cost,
    _memory,
    _qiskit,
    check_backend,
    check_n_qubits,
    is_exact,
)
from qskew.backends._capabilities import check_backend_options
from qskew.backends._noise import noise_of
from qskew.kernels import _gram, _projected, _states

# Pairs per broadcast tape in circuit mode.
_PAIRS_PER_TAPE = 1024


#: Error mitigations a kernel offers (see ``QuantumKernel(mitigation=...)``).
MITIGATIONS = ("readout", "depolarizing", "readout+depolarizing")
#: Kernel families (see ``QuantumKernel(kind=...)``).
KINDS = ("fidelity", "projected")


class QuantumKernel(BaseEstimator):
    r"""Quantum kernel: fidelity :math:`k(x, x') = |\langle 0|U(x')^\dagger U(x)|0\rangle|^2`
    or projected.

    A picklable callable: ``kernel(X1, X2)`` returns the ``(len(X1), len(X2))``
    Gram matrix and ``kernel(X)`` the symmetric ``K(X, X)``, so it can be given
    to ``sklearn.svm.SVC(kernel=kernel)``. Features enter the circuit exactly
    as given, one qubit per feature; scaling belongs to preprocessing.

    Parameters
    ----------
    feature_map : {"zz", "angle", "iqp"}, default="zz"
        Data encoding ``U(x)``, see :mod:`circuits`.
    kind : {"fidelity", "projected"}, default="fidelity"
        ``"fidelity"``: the overlap of the encoded states (above).
        ``"projected"``: the projected quantum kernel of Huang et al. (2021,
        Nat. Commun. 12:2631), :math:`k(x, x') = \exp(-\gamma \sum_q
        \|\rho_q(x) - \rho_q(x')\|_F^2)` with :math:`\rho_q` the one-qubit
        reduced state of qubit ``q``. Since :math:`\rho_q = (I + r_q \cdot
        \sigma) / 2`, :math:`\|\rho_q - \rho'_q\|_F^2 = \|r_q - r'_q\|^2 / 2`:
        a Gaussian kernel on the ``3 n`` Bloch coordinates :math:`\langle X_q
        \rangle, \langle Y_q\rangle, \langle Z_q\rangle`
        (:meth:`projected_features`). It does not concentrate as fidelity
        kernels do with qubits, and on a device it needs 3 measurement
        settings per *row* instead of one circuit per *pair*.
    gamma : float, default=1.0
        Width :math:`\gamma` of the projected kernel (ignored by
        ``"fidelity"``). The squared distance sums over qubits, so wider
        registers want a smaller ``gamma`` (about ``1 / n_qubits`` keeps
        typical entries away from 0).
    reps : int, default=2
        Repetitions of the feature map.
    entanglement : {"linear", "circular", "full"}, default="linear"
        Coupled pairs for ``"zz"`` and ``"iqp"``.
    rotation : {"X", "Y", "Z"}, default="Y"
        Rotation axis for ``"angle"``.
    bandwidth : float, default=1.0
        Features are multiplied by it before encoding, ``k_b(x, x') =
        k(b x, b x')``: below 1 the feature map's rotations shrink, which
        counters the exponential concentration of fidelity kernels with
        qubits (Shaydulin & Wild 2022, arXiv:2111.05451; Canatar et al.
        2022). ``QuantumKernelSVC(bandwidth="auto")`` chooses it.
    backend : str, default="lightning.qubit"
        PennyLane device name, or ``"qiskit.remote"`` / ``"qiskit.aer"``
        (qskew's own Qiskit layer, :mod:`qskew.backends._qiskit`).
    backend_options : dict, optional
        Extra keyword arguments for the device. ``"qiskit.remote"``:
        ``{"backend": <BackendV2, its name, or an open Session / Batch>}``;
        ``"default.mixed"`` and ``"qiskit.aer"``: ``{"noise": Noise(...)}``
        (:class:`~qskew.backends.Noise`); Qiskit targets also read
        ``optimization_level``.
    shots : int, optional
        ``None`` for exact kernels; an integer estimates each entry from that
        many shots of the overlap circuit (on a statevector simulator drawn
        from the exact fidelities, see Notes).
    mitigation : {"readout", "depolarizing", "readout+depolarizing"}, optional
        Error mitigation on a noisy backend (circuit mode). ``"readout"``:
        local calibration-matrix inversion of the all-zeros probability —
        on a Qiskit target from two calibration circuits sent in the same
        job, on ``default.mixed`` from the ``Noise`` specification's readout
        error. ``"depolarizing"``: every call also runs the self-overlap
        circuit of each distinct row (ideally 1), estimates a global
        depolarizing survival ``λ`` from their mean and rescales ``K → (K -
        (1 - λ)/2^n) / λ`` — PennyLane's
        ``qml.kernels.mitigate_depolarizing_noise`` (``"average"``), applied
        to cross kernels too. Entries are clipped to ``[0, 1]``.
    random_state : int, RandomState instance or None, default=None
        Seeds the shot sampling.
    dtype : {"complex128", "complex64"}, default="complex128"
        Precision of statevectors in exact mode; ``complex64`` halves memory
        (entries then agree to about 1e-6).
    device : str, optional
        Torch device for exact mode, e.g. ``"cuda"``: states and Gram products
        then run in torch on that device (measured on an H200: a 16-qubit
        ZZ Gram matrix of 1024 rows in 1.5 s instead of 63 s on 16 CPU
        cores). ``None`` uses qskew's numpy engine on the CPU.

    weights : array-like of shape (reps, 2 * n_features + n_pairs), optional
        Trainable layers before each repetition of the feature map
        (:func:`circuits.trainable_feature_map`; zeros give the plain map).
        ``QuantumKernelSVC(kernel_training="alignment")`` fits them.
    verbose : "auto", bool or int, default="auto"
        Progress bar of a Gram matrix built in several parts: blocks of
        states and products, batches of noisy circuits, hardware jobs (never
        for one block). ``"auto"``: shown where a person watches (a Jupyter
        kernel, or stderr on a terminal) once the matrix has taken 2 s,
        never when the environment variable ``CI`` is set or stderr is
        redirected; ``0`` or ``False``: never; a positive int or ``True``:
        always.

    Attributes
    ----------
    n_states_prepared : int
        Statevectors computed so far (rows found in the reuse cache are not
        counted again).
    n_circuits_executed : int
        Overlap circuits executed so far (circuit mode).
    mitigation_ : dict
        After a mitigated call: ``survival`` (the depolarizing ``λ``) and
        ``readout`` (per-qubit ``P(1|0)``, ``P(0|1)``) found.

    Notes
    -----
    What runs where:

    - **Exact mode** (``shots=None`` on a statevector simulator:
      ``default.qubit``, ``lightning.qubit``, ``lightning.gpu``,
      ``lightning.kokkos``): each distinct row's state ``U(x)|0>`` is
      prepared once, all rows in one batched pass of qskew's statevector
      engine (faster than any PennyLane device path we measured; see
      ``BENCHMARKS.md``), then :math:`K = |\Psi_1 \Psi_2^\dagger|^2` by blocked
      matrix products (``zherk`` for ``K(X, X)``). Cost: ``N`` state
      preparations and :math:`O(N_1 N_2 2^n)` flops; memory
      ``16 \cdot 2^n`` bytes per sample plus 64 MiB blocks. States are cached
      by encoding and row in one process-wide cache (up to 512 MiB; see
      :meth:`cache_info`, :meth:`clear_cache`), so ``fit`` then ``predict``,
      cross-validation folds, grid searches and stacking members never
      prepare the same row's state twice.
    - **Sampled mode** (``shots`` set on a statevector simulator): the exact
      fidelities of the distinct pairs, then for each the all-zeros count of
      ``shots`` overlap-circuit runs drawn from them (binomial, seeded by
      ``random_state``) — the same distribution as running the circuits on
      the noiseless device, at the cost of exact mode. ``K(X, X)`` is
      repaired to PSD as in circuit mode.
    - **Circuit mode** (a noisy or hardware backend): one overlap circuit per
      unique pair — the upper triangle only for ``K(X, X)``, whose diagonal
      is 1 — sent to the device as broadcast batches; on ``qiskit.remote`` /
      ``qiskit.aer`` as the bindings of one transpiled circuit in one Sampler
      job (see :mod:`qskew.backends._qiskit`). On ``default.mixed`` with a
      :class:`~qskew.backends.Noise` in ``backend_options["noise"]`` the
      noisy probabilities are computed exactly and the shots drawn from
      them. ``K(X, X)`` is then repaired to the nearest positive
      semi-definite matrix, with a :class:`PSDRepairWarning` when needed.
    - **Projected kernel** (``kind="projected"``): each distinct row's Bloch
      coordinates, then the Gaussian of their distances (always positive
      semi-definite, unit diagonal). Exact mode reads them off the cached
      states; sampled mode draws each ``⟨P_q⟩`` from ``shots`` outcomes
      ``±1``; circuit mode runs the feature-map circuit of every distinct row
      in 3 measurement settings (all qubits in the X, Y or Z basis): ``3 N``
      circuits for ``N`` distinct rows of the call, against ``N (N - 1) / 2``
      overlap circuits for the fidelity kernel; on a Qiskit target one
      ``EstimatorV2`` job. ``mitigation="readout"`` inverts each qubit's
      confusion matrix on the expectation values; depolarizing mitigation is
      the fidelity kernel's only.

    Examples
    --------
    >>> import numpy as np
    >>> kernel = QuantumKernel(feature_map="angle", reps=1)
    >>> X = np.array([[0.0, 0.0], [np.pi, 0.0]])
    >>> np.round(kernel(X), 6)
    array([[1., 0.],
           [0., 1.]])

    The projected kernel of the same rows: qubit 0's Bloch vector flips from
    ``+Z`` to ``-Z`` (squared distance 4, halved), qubit 1's does not move.

    >>> projected = QuantumKernel(feature_map="angle", reps=1, kind="projected", gamma=0.5)
    >>> np.round(projected(X), 6)
    array([[1.      , 0.367879],
           [0.367879, 1.      ]])
    """

    _parameter_constraints = {
        "feature_map": [StrOptions(set(FEATURE_MAP_NAMES))],
        "kind": [StrOptions(set(KINDS))],
        "gamma": [Interval(Real, 0, None, closed="neither")],
        **_constraints.ENCODING,
        "bandwidth": [Interval(Real, 0, None, closed="neither")],
        **_constraints.BACKEND,
        "mitigation": [StrOptions(set(MITIGATIONS)), None],
        "random_state": ["random_state"],
        "dtype": [StrOptions({"complex128", "complex64"})],
        "device": [str, None],
        "weights": ["array-like", None],
        **_constraints.VERBOSE,
    }

    def __init__(
        self,
        *,
        feature_map="zz",
        kind="fidelity",
        gamma=1.0,
        reps=2,
        entanglement="linear",
        rotation="Y",
        bandwidth=1.0,
        backend="lightning.qubit",
        backend_options=None,
        shots=None,
        mitigation=None,
        random_state=None,
        dtype="complex128",
        device=None,
        weights=None,
        verbose="auto",
    ):
        self.feature_map = feature_map
        self.kind = kind
        self.gamma = gamma
        self.reps = reps
        self.entanglement = entanglement
        self.rotation = rotation
        self.bandwidth = bandwidth
        self.backend = backend
        self.backend_options = backend_options
        self.shots = shots
        self.mitigation = mitigation
        self.random_state = random_state
        self.dtype = dtype
        self.device = device
        self.weights = weights
        self.verbose = verbose

    # -- public API -------------------------------------------------------

    def __call__(self, X1, X2=None):
        """Gram matrix ``K[i, j] = k(X1[i], X2[j])``.

        Parameters
        ----------
        X1 : array-like of shape (n_samples_1, n_features)
        X2 : array-like of shape (n_samples_2, n_features), optional
            Omitted (or the same object as ``X1``): the symmetric ``K(X1, X1)``.

        Returns
        -------
        ndarray of shape (n_samples_1, n_samples_2)

        Raises
        ------
        ValueError
            For NaN/inf, non-2-D or empty input, mismatched feature counts or
            more features than the backend's qubit limit.
        BackendNotFoundError
            If ``backend`` is not installed.
        """
        symmetric = X2 is None or X2 is X1
        X1 = check_features(X1, "X1", owner="QuantumKernel")
        X2 = X1 if symmetric else check_features(X2, "X2", owner="QuantumKernel")
        if X2.shape[1] != X1.shape[1]:
            raise ValueError(
                f"X1 and X2 must have the same number of features; got {X1.shape[1]} "
                f"and {X2.shape[1]}. Pass rows encoded the same way to both."
            )
        self._prepare(X1.shape[1])  # validates the parameters, bandwidth included
        if self.bandwidth != 1.0:  # the rows as the feature map encodes them
            X1 = X1 * self.bandwidth
            X2 = X1 if symmetric else X2 * self.bandwidth
        for array, name in ((X1, "X1"), (None if symmetric else X2, "X2")):
            if array is not None:
                check_angles(array, name, owner="QuantumKernel")
        _memory.check(self._peak_bytes(len(X1), None if symmetric else len(X2), X1.shape[1]),
                      f"QuantumKernel on {len(X1)} x {len(X2)} rows of {X1.shape[1]} features",
                      "Use fewer rows or features (e.g. PCA), dtype='complex64', or score new "
                      "rows in batches (QuantumKernelSVC streams its predictions).")
        with _progress.verbosity(self.verbose):
            if self.kind == "projected":
                return _projected.gram(self, X1, None if symmetric else X2)
            if self._exact:
                return self._exact_gram(X1, None if symmetric else X2)
            if self._sampled:
                return self._sampled_gram(X1, None if symmetric else X2)
            return self._circuit_gram(X1, None if symmetric else X2)

    def estimate_cost(self, n_samples_1, n_samples_2=None, *, calls=1, cached=0,
                      n_features=None):
        """What computing ``K(X1, X2)`` will cost, before running it.

        Parameters
        ----------
        n_samples_1 : int
            Distinct rows of ``X1``.
        n_samples_2 : int, optional
            Distinct rows of ``X2``; omitted: the symmetric ``K(X1, X1)``.
        calls : int, default=1
            Times the same Gram matrix is computed (e.g. ``predict_proba``
            then ``predict``): exact mode prepares each state once, circuit
            mode runs every call's circuits.
        cached : int, default=0
            Rows among them whose states are already cached (exact mode does
            not prepare them again), e.g. the training rows at prediction.
        n_features : int, optional
            Features (qubits). On a Qiskit target the overlap circuit is then
            transpiled for the device (the very circuit a run uses, cached) and
            its ``depth``, ``two_qubit_gates`` and ``qpu_seconds`` are added;
            everywhere, ``peak_bytes``: the most memory the call holds at once
            (Gram matrix, the states it needs together, one streamed block).

        Returns
        -------
        dict
            ``mode``, ``state_preparations``, ``circuits`` and ``shots``
            (see :mod:`qskew.backends._cost`). Exact and sampled mode
            prepare states (sampled mode draws ``shots`` per pair and call);
            mitigation adds, per call, a self-overlap circuit per distinct row
            (``"depolarizing"``) and two calibration circuits on a Qiskit
            target (``"readout"``); circuit mode runs one overlap circuit per pair
            of distinct rows: ``n (n - 1) / 2`` for ``K(X, X)``, ``n_1 n_2``
            otherwise, in ``jobs`` primitive jobs on a Qiskit target.

        Examples
        --------
        >>> QuantumKernel().estimate_cost(10)["state_preparations"]
        10
        >>> noisy = QuantumKernel(backend="default.mixed", shots=100)
        >>> noisy.estimate_cost(10, 4, calls=2)["circuits"]
        80
        """
        self._validate_params()
        cost = self._counts(n_samples_1, n_samples_2, calls, cached, n_features)
        seconds = _cost.local_seconds(states=cost["state_preparations"],
                                      circuits=cost["circuits"], qubits=n_features)
        if cost["mode"] == "exact" and self.kind == "fidelity" and n_features:
            # each call's Gram product: 6e-11 s per multiply-add (1024 x 1024 at 16 qubits: 4 s)
            # and 6e-9 s per entry (its modulus squared, stored: most of it at 6 qubits,
            # 1.5 s for 65,536 x 1,950 support vectors)
            seconds += calls * n_samples_1 * (n_samples_2 or n_samples_1) * (
                6e-11 * 2 ** n_features + 6e-9)
        return {**cost, "seconds": round(seconds, 3)}

    def _counts(self, n_samples_1, n_samples_2, calls, cached, n_features):
        """:meth:`estimate_cost` without ``seconds``."""
        pairs = (n_samples_1 * (n_samples_1 - 1) // 2 if n_samples_2 is None
                 else n_samples_1 * n_samples_2)
        peak = ({"peak_bytes": self._peak_bytes(n_samples_1, n_samples_2, n_features)}
                if n_features else {})
        if self.kind == "projected":
            return _projected.cost(self, n_samples_1 + (n_samples_2 or 0), calls, cached,
                                   n_features, peak)
        if is_exact(self.backend, None):  # exact, or shots sampled from exact fidelities
            states = max(0, n_samples_1 + (n_samples_2 or 0) - cached)
            if self.shots is None:
                return {**_cost.evaluations(True, states), **peak}
            return {**_cost.sampled(states, self.shots), "shots": pairs * calls * self.shots,
                    **peak}
        circuits = pairs
        if "depolarizing" in (self.mitigation or ""):  # one self-overlap per distinct row
            circuits += n_samples_1 + (n_samples_2 or 0)
        if not _qiskit.is_qiskit(self.backend):
            return {**_cost.evaluations(False, circuits * calls, self.shots), **peak}
        jobs = _qiskit.jobs_needed(circuits, self.shots)
        if "readout" in (self.mitigation or ""):  # two calibration circuits in the first job
            circuits += 2
        cost = {**_cost.evaluations(False, circuits * calls, self.shots, calls * jobs), **peak}
        return _cost.on_hardware(cost, self._transpiled_size(n_features)) if n_features \
            else cost

    def _transpiled_size(self, n_features):
        import pennylane as qml

        from circuits import overlap_circuit

        wires = list(range(n_features))
        unitary = self._feature_map(n_features)
        rows = np.full((1, n_features), 0.5)  # any values: the structure does not depend on them
        projected = self.kind == "projected"  # the feature map alone, measured by an Estimator
        tape = (qml.tape.make_qscript(unitary)(rows, wires) if projected else
                qml.tape.make_qscript(overlap_circuit)(rows, rows, wires, unitary))
        return _qiskit.transpiled_size(
            tape.operations, wires, _qiskit.target(self.backend, self.backend_options),
            _qiskit.optimization_level(self.backend, self.backend_options), estimator=projected)

    # -- set-up -----------------------------------------------------------

    def _feature_map(self, n_features):
        """``U(x, wires)``: the plain feature map, or with trainable layers at ``weights``."""
        from circuits import get_feature_map, trainable_feature_map, trainable_weights_shape

        if self.weights is None:
            return get_feature_map(self.feature_map, reps=self.reps,
                                   entanglement=self.entanglement, rotation=self.rotation)
        shape = trainable_weights_shape(n_features, self.reps, self.entanglement)
        try:
            weights = np.array(self.weights, dtype=float)  # a copy: later edits cannot leak in
        except (TypeError, ValueError) as exc:
            raise ValueError(f"weights must be an array of angles; got {self.weights!r} "
                             f"({exc}).") from exc
        if not np.isfinite(weights).all():
            raise ValueError("weights contain NaN or infinite values; pass finite angles "
                             "(e.g. from a converged kernel training).")
        if weights.shape != shape:
            raise ValueError(
                f"weights must have shape {shape} (reps, 2 * n_features + coupled pairs) for "
                f"{n_features} features, reps={self.reps} and entanglement="
                f"{self.entanglement!r}; got shape {weights.shape}. Take them from a kernel "
                "trained on rows of this width (QuantumKernelSVC(kernel_training=...)).")
        return functools.partial(trainable_feature_map, weights=weights,
                                 feature_map=self.feature_map, reps=self.reps,
                                 entanglement=self.entanglement, rotation=self.rotation)

    def _weights_digest(self):
        if self.weights is None:
            return None
        weights = np.ascontiguousarray(self.weights, dtype=float)
        return hashlib.sha256(weights.tobytes() + str(weights.shape).encode()).hexdigest()

    def _prepare(self, n_features):
        """Validate parameters and (re)build what the current ones need."""
        self._validate_params()
        check_backend(self.backend)
        check_n_qubits(n_features, self.backend, "QuantumKernel")
        params = dict(self.get_params(), weights=self._weights_digest())  # no array reprs
        key = (n_features, repr(sorted(params.items(), key=lambda kv: kv[0])))
        if getattr(self, "_key", None) == key:
            return
        self._key = key
        self._exact = is_exact(self.backend, self.shots)
        self._sampled = not self._exact and is_exact(self.backend, None)
        check_backend_options(self.backend, self.shots, self.backend_options, "QuantumKernel")
        if self.mitigation and (self._exact or self._sampled):
            raise ValueError(
                f"mitigation={self.mitigation!r} undoes device noise, but backend="
                f"{self.backend!r} is a noiseless statevector simulator. Use it with a noisy "
                "backend ('qiskit.remote' with a fake or real IBM device, 'qiskit.aer' or "
                "'default.mixed' with backend_options={'noise': ...}), or drop it.")
        if self.kind == "projected" and "depolarizing" in (self.mitigation or ""):
            raise ValueError(
                f"mitigation={self.mitigation!r}: depolarizing mitigation rescales fidelity "
                "kernels from self-overlap circuits, which the projected kernel does not run. "
                "Use mitigation='readout' (or None) with kind='projected', or "
                "kind='fidelity'.")
        if "readout" in (self.mitigation or "") and not (
                _qiskit.is_qiskit(self.backend) or noise_of(self.backend_options)):
            raise ValueError(
                f"mitigation={self.mitigation!r} needs the readout error: a Qiskit target "
                "(calibrated in the same job) or 'default.mixed' with backend_options="
                "{'noise': Noise(readout=...)}; got backend="
                f"{self.backend!r} with backend_options={redacted(self.backend_options)!r}.")
        self._wires = list(range(n_features))
        self._unitary = self._feature_map(n_features)
        self._torch_device = _states.torch_device(self.device)
        self._encoding = (self.feature_map, self.reps, self.entanglement, self.rotation,
                          self.dtype, n_features, str(self._torch_device),
                          self._weights_digest())
        self.__dict__.setdefault("n_states_prepared", 0)
        self.__dict__.setdefault("n_circuits_executed", 0)
        self.__dict__.setdefault("n_jobs_executed", 0)

    def __getstate__(self):
        # Devices and cached states are rebuilt on demand, never pickled.
        state = self.__dict__.copy()
        for name in ("_key", "_encoding", "_unitary", "_torch_device"):
            state.pop(name, None)
        return state

    # -- exact mode -------------------------------------------------------

    def states(self, X):
        """Statevectors ``U(x)|0>`` of the rows of ``X`` (exact mode only).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, 2**n_features), complex
            ``U(b x)|0>`` with ``b`` the ``bandwidth``.
        """
        X = check_features(X, "X", owner="QuantumKernel") * self.bandwidth
        self._prepare(X.shape[1])
        if not (self._exact or self._sampled):
            raise ValueError(
                f"states are only available on a statevector simulator; got "
                f"backend={self.backend!r}, shots={self.shots!r}. Use a statevector "
                "simulator such as 'lightning.qubit'."
            )
        return self._states(X)

    def _states(self, X):
        return _states.states(X, self._encoding, self._compute_states)

    def _compute_states(self, rows):
        states = _states.compute_states(self._unitary, rows, self._wires, self.dtype,
                                        self._torch_device)
        self.n_states_prepared += len(rows)
        return states

    @staticmethod
    def clear_cache():
        """Forget all cached statevectors (of every kernel in this process)."""
        _states.STATE_CACHE.clear()

    @staticmethod
    def cache_info():
        """Statistics of the process-wide state cache.

        Returns
        -------
        dict
            ``hits`` and ``misses`` (rows looked up), ``states`` held and
            ``nbytes`` used (bounded by 512 MiB).
        """
        info = _states.STATE_CACHE.info()
        return {"hits": info["hits"], "misses": info["misses"], "states": info["entries"],
                "nbytes": info["nbytes"]}

    def _exact_gram(self, X1, X2):
        if X2 is None:
            A = self._states(X1)
            return (_gram.torch_fidelities(A) if self._torch_device is not None
                    else _gram.symmetric_fidelities(A))
        B = self._states(X2)
        # The rows of X1 stream through in blocks: memory does not grow with them.
        step = _memory.block_rows(self._state_bytes(X1.shape[1]))
        K = np.empty((len(X1), len(X2)))
        with _progress.progress(total=len(X1), desc="QuantumKernel Gram", unit="row",
                                verbose="auto" if len(X1) > step else 0) as bar:
            for start in range(0, len(X1), step):
                A = self._states(X1[start : start + step])
                K[start : start + step] = (_gram.torch_fidelities(A, B)
                                           if self._torch_device is not None
                                           else _gram.cross_fidelities(A, B))
                bar.update(len(A))
        return K

    def _state_bytes(self, n_features):
        return 2**n_features * np.dtype(self.dtype).itemsize

    def _circuit_bytes(self, n_features):
        """Bytes a device holds per broadcast circuit: a density matrix on default.mixed."""
        return 4 * 16 * (4 if self.backend == "default.mixed" else 2) ** n_features

    def _pairs_per_tape(self, n_features):
        return min(_PAIRS_PER_TAPE, _memory.block_rows(self._circuit_bytes(n_features)))

    def _peak_bytes(self, n_samples_1, n_samples_2, n_features):
        """Peak bytes of ``K(X1, X2)`` (``n_samples_2`` None: ``K(X1, X1)``), before the
        state cache (which never holds more than ``_states.CACHE_BYTES``)."""
        n_2 = n_samples_1 if n_samples_2 is None else n_samples_2
        gram = 8 * n_samples_1 * n_2
        if self.kind == "projected":
            return _projected.peak_bytes(self, n_samples_1 + (n_samples_2 or 0), gram,
                                         n_features)
        if is_exact(self.backend, None):  # exact and sampled mode prepare states
            state = self._state_bytes(n_features)
            if n_samples_2 is None:  # every state at once, for the symmetric products
                return gram + n_samples_1 * state + _gram.BLOCK_BYTES
            return (gram + n_2 * state + min(n_samples_1, _memory.block_rows(state)) * state
                    + _gram.BLOCK_BYTES)
        pairs = (n_samples_1 * (n_samples_1 - 1) // 2 if n_samples_2 is None
                 else n_samples_1 * n_2)
        tape = min(pairs, self._pairs_per_tape(n_features)) * self._circuit_bytes(n_features)
        return gram + pairs * 16 * (n_features + 1) + tape  # + the pairs' rows, estimates

    # -- projected kernel -------------------------------------------------

    def projected_features(self, X):
        """Bloch coordinates of each qubit's reduced state: what ``kind="projected"`` compares.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, 3 * n_features)
            ``⟨X_q⟩`` for every qubit ``q``, then ``⟨Y_q⟩``, then ``⟨Z_q⟩``, of
            ``U(b x)|0>`` (``b`` the ``bandwidth``): exact on a statevector
            simulator without shots, else estimated as the kernel estimates
            them (see Notes of the class).

        Examples
        --------
        >>> F = QuantumKernel(feature_map="angle", reps=1).projected_features([[0.0, np.pi]])
        >>> np.round(F, 6) + 0.0  # qubit 0 along +Z, qubit 1 along -Z
        array([[ 0.,  0.,  0.,  0.,  1., -1.]])
        """
        X = check_features(X, "X", owner="QuantumKernel")
        self._prepare(X.shape[1])
        X = X * self.bandwidth if self.bandwidth != 1.0 else X
        check_angles(X, "X", owner="QuantumKernel")
        U, inverse = np.unique(X, axis=0, return_inverse=True)
        with _progress.verbosity(self.verbose):  # hardware jobs, if any
            return _projected.features(self, U, self._call_seed(U, None))[inverse.ravel()]


    # -- sampled and circuit mode -------------------------------------------

    def _pairwise_gram(self, X1, X2, estimate):
        """One estimate per pair of distinct rows (duplicates share it); ``K(X, X)`` from its
        upper triangle, repaired to PSD.

        ``estimate(U1, U2, rows, cols)`` returns the entries ``(U1[rows], U2[cols])``;
        ``U2`` is None for ``K(X, X)``.
        """
        U1, inv1 = np.unique(X1, axis=0, return_inverse=True)
        if X2 is None:
            rows, cols = np.triu_indices(len(U1), k=1)
            K = np.eye(len(U1))
            K[rows, cols] = K[cols, rows] = estimate(U1, None, rows, cols)
            # stacklevel: repair_psd < _pairwise_gram < _*_gram < __call__ < caller
            return _gram.repair_psd(K, stacklevel=4)[np.ix_(inv1.ravel(), inv1.ravel())]
        U2, inv2 = np.unique(X2, axis=0, return_inverse=True)
        rows, cols = np.indices((len(U1), len(U2))).reshape(2, -1)
        K = estimate(U1, U2, rows, cols).reshape(len(U1), len(U2))
        return K[np.ix_(inv1.ravel(), inv2.ravel())]

    def _sampled_gram(self, X1, X2):
        from qskew.backends import _statevector

        rng = np.random.default_rng(self._call_seed(X1, X2))

        def estimate(U1, U2, rows, cols):
            exact = self._exact_gram(U1, U2)[rows, cols]
            return _statevector.sample_means(exact, self.shots, rng)

        return self._pairwise_gram(X1, X2, estimate)

    def _circuit_gram(self, X1, X2):
        from qskew.backends import _devices

        seed = self._call_seed(X1, X2)
        readout = "readout" in (self.mitigation or "")
        if _qiskit.is_qiskit(self.backend):
            target = _qiskit.target(self.backend, self.backend_options)
            run = functools.partial(
                self._run_on_qiskit, target=target, seed=seed, readout=readout,
                level=_qiskit.optimization_level(self.backend, self.backend_options),
                mode=_qiskit.execution_mode(self.backend, self.backend_options))
        else:
            device = _devices.make_device(self.backend, X1.shape[1], seed=seed,
                                          options=self.backend_options)
            noise = noise_of(self.backend_options)
            if noise is None:
                run = functools.partial(self._run_pairs, device=device, seed=seed)
            else:
                run = functools.partial(self._run_noisy, device=device, noise=noise,
                                        rng=np.random.default_rng(seed), readout=readout)
        self.mitigation_ = {}
        depolarizing = "depolarizing" in (self.mitigation or "")

        def estimate(U1, U2, rows, cols):
            A, B = U1[rows], (U1 if U2 is None else U2)[cols]
            if not depolarizing:
                return run(A, B)
            selves = U1 if U2 is None else np.vstack([U1, U2])  # ideally 1: they show the noise
            values = run(np.vstack([A, selves]), np.vstack([B, selves]))
            return self._undo_depolarizing(values[: len(A)], values[len(A) :], U1.shape[1])

        return self._pairwise_gram(X1, X2, estimate)

    def _undo_depolarizing(self, values, selves, n_qubits):
        """``(K - (1 - λ)/2^n) / λ`` with ``λ`` from the mean self-overlap (global
        depolarizing model, PennyLane's ``mitigate_depolarizing_noise(method="average")``)."""
        floor = 2.0**-n_qubits
        survival = (float(np.mean(selves)) - floor) / (1.0 - floor)
        if survival < 0.05:
            warnings.warn(
                f"the self-overlap circuits read {np.mean(selves):.3f} (1 without noise): "
                f"depolarizing survival {survival:.3f} is too low to undo reliably; the "
                "mitigated kernel is mostly amplified shot noise.", UserWarning, stacklevel=5)
            survival = max(survival, 0.05)
        self.mitigation_["survival"] = survival
        return np.clip((values - (1.0 - survival) * floor) / survival, 0.0, 1.0)

    def _call_seed(self, X1, X2):
        """Shot seed of one call: a function of ``random_state`` and the data.

        So the same kernel on the same rows gives the same estimate whatever
        ran before (a refit, a pickled copy, another predict).
        """
        if self.random_state is None or isinstance(self.random_state, np.random.RandomState):
            return check_random_state(self.random_state).randint(2**31 - 1)
        digest = hashlib.sha256(str(int(self.random_state)).encode())
        for array in (X1, X2):
            digest.update(b"|" if array is None else array.tobytes())
        return int.from_bytes(digest.digest()[:4], "little") & 0x7FFFFFFF

    def _overlap_circuits(self, A, B):
        """The overlap circuits of the pairs ``(A[i], B[i])``, recorded as one broadcast tape."""
        import pennylane as qml

        from circuits import overlap_circuit

        return qml.tape.make_qscript(overlap_circuit)(A, B, self._wires, self._unitary)

    def _run_on_qiskit(self, A, B, *, target, seed, readout, level, mode):
        """Every pair as a binding of one transpiled circuit: one Sampler job (or a few)."""
        if len(A) == 0:
            return np.empty(0)
        values, jobs, flips = _qiskit.zero_probabilities(
            self._overlap_circuits(A, B).operations, self._wires, self.shots, target,
            seed=seed, optimization_level=level, mitigate_readout=readout, mode=mode)
        if readout:
            values = np.clip(values, 0.0, 1.0)
            self.mitigation_["readout"] = flips
            self.n_circuits_executed += 2  # the calibration circuits
        self.n_circuits_executed += len(A)
        self.n_jobs_executed += jobs
        return values

    def _run_noisy(self, A, B, *, device, noise, rng, readout):
        """Exact noisy probabilities on ``default.mixed``, readout flips, then the shots."""
        from qskew.backends import _devices, _noise, _statevector

        if len(A) == 0:
            return np.empty(0)
        n = A.shape[1]
        values = []
        with _progress.progress(total=len(A), desc="QuantumKernel noisy circuits",
                                unit="circuit",
                                verbose="auto" if len(A) > _PAIRS_PER_TAPE else 0) as bar:
            for start in range(0, len(A), _PAIRS_PER_TAPE):
                ops = self._overlap_circuits(A[start : start + _PAIRS_PER_TAPE],
                                             B[start : start + _PAIRS_PER_TAPE]).operations
                observed = noise.readout_distribution(
                    _devices.noisy_probabilities(ops, self._wires, noise, device), n)
                if readout:
                    if self.shots is not None:
                        observed = _statevector.sample_distribution(observed, self.shots, rng)
                    flips = np.full(n, noise.readout)
                    self.mitigation_["readout"] = (flips, flips)
                    values.append(np.clip(_noise.mitigated_zero_from_distribution(
                        observed, flips, flips), 0.0, 1.0))
                else:
                    values.append(observed[:, 0] if self.shots is None else
                                  _statevector.sample_means(observed[:, 0], self.shots, rng))
                bar.update(len(observed))
        self.n_circuits_executed += len(A)
        return np.concatenate(values)

    def _run_pairs(self, A, B, *, device, seed=None):
        import pennylane as qml

        from qskew.backends import _devices

        if len(A) == 0:
            return np.empty(0)
        tapes, step = [], self._pairs_per_tape(A.shape[1])
        for start in range(0, len(A), step):
            recorded = self._overlap_circuits(A[start : start + step], B[start : start + step])
            tapes.append(qml.tape.QuantumScript(
                recorded.operations, recorded.measurements, shots=self.shots
            ))
        results = _devices.execute(tapes, device, seed=seed)
        self.n_circuits_executed += len(A)
        return np.concatenate([np.reshape(r, (-1, 2 ** A.shape[1]))[:, 0] for r in results])
