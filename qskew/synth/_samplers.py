"""GAN oversamplers with imbalanced-learn's sampler API: quantum and classical."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sparse
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils import check_random_state

from circuits import OBSERVABLE_SETS, generator_outputs
from qskew import _constraints, _progress
from qskew._compat import Interval, StrOptions
from qskew._validation import check_numeric
from qskew.backends import _cost, _qiskit, check_backend, is_exact, is_sampled

GAN_LOSSES = ("bce", "wgan-gp")

_GAN_CONSTRAINTS = {
    **BaseOverSampler._parameter_constraints,
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "lr_generator": [Interval(Real, 0, None, closed="neither")],
    "lr_discriminator": [Interval(Real, 0, None, closed="neither")],
    "loss": [StrOptions(set(GAN_LOSSES))],
    "n_critic": [Interval(Integral, 1, None, closed="left"), None],
    "latent_dim": [Interval(Integral, 1, None, closed="left"), None],
    "discriminator_hidden": ["array-like"],
    **_constraints.VERBOSE,
}


def quantum_generator_parameter_count(n_features, n_qubits, n_layers, observables="Z"):
    """Trainable parameters of a :class:`QuantumGenerator` for ``n_features`` outputs.

    Examples
    --------
    >>> quantum_generator_parameter_count(30, 8, 4)
    256
    """
    n_patches = -(-n_features // generator_outputs(n_qubits, observables))
    return n_patches * n_layers * n_qubits * 2


#: A class with fewer rows than this many per feature is too small for a GAN (see
#: ``_warn_small_class``).
MIN_ROWS_PER_FEATURE = 2


def _shown(label):
    """``label`` as a message shows it: numpy scalars as plain values."""
    return getattr(label, "item", lambda: label)()


def _warn_small_class(owner, label, shape, n_new):
    """Warn when a class to over-sample has too few rows for a GAN to learn from.

    Why ``MIN_ROWS_PER_FEATURE = 2``: with ``n_features`` or fewer rows a
    class spans fewer dimensions than it has features, so in the others the
    GAN sees no spread at all, and the default discriminator, with 32
    weights per feature in its first layer, memorises every row. Doubling
    that floor makes a class just above it warn too, which the evidence asks
    for: 28 minority rows in 30 features (``experiments/qsynth_bundled.toml``)
    left both GANs' rows recognisable at detection AUC 0.97-1.0, and 9 rows
    in 32 features drove every downstream model's minority recall to 0. It
    is a floor, not a guarantee: above it a GAN can still miss the class.
    Sizes the experiments rely on stay quiet: 28 rows in 4 PCA components
    (``demo.toml``; its random forest's QGAN, on all 30 features, warns),
    about 330 training frauds in 29 credit-card features.

    Parameters
    ----------
    owner : str
        Sampler class name, to start the message.
    label
        The class (numpy scalars are shown as plain values).
    shape : tuple of int
        ``(n_rows, n_features)`` of the class's real rows.
    n_new : int
        Synthetic rows to be drawn for it.
    """
    n_rows, n_features = shape
    shown = _shown(label)
    if n_rows < 2:
        message = (f"{owner}: class {shown!r} has {n_rows} row, so a GAN has no distribution "
                   f"to learn: its {n_new} synthetic rows are copies of that row. Gather more "
                   "rows of the class, or use a sampler that says so (e.g. RandomOverSampler).")
    elif n_rows < MIN_ROWS_PER_FEATURE * n_features:
        message = (
            f"{owner}: class {shown!r} has {n_rows} rows for {n_features} features, fewer "
            f"than the {MIN_ROWS_PER_FEATURE} per feature ({MIN_ROWS_PER_FEATURE * n_features}"
            f" rows) a GAN needs to learn their joint distribution; its {n_new} synthetic "
            "rows may be far from the real ones and pull downstream minority recall towards "
            "0. Reduce the dimension first (e.g. PCA(n_components="
            f"{max(1, n_rows // MIN_ROWS_PER_FEATURE)}) before the sampler in the pipeline), "
            "or use SMOTE, which interpolates between real rows.")
    else:
        return
    # Point at the caller of fit_resample: this helper < _fit_resample < imbalanced-learn's
    # SamplerMixin.fit_resample < its _fit_context wrapper < BaseSampler.fit_resample < ours.
    warnings.warn(message, UserWarning, stacklevel=7)


class _GANOverSampler(BaseOverSampler):
    """Shared fitting of one GAN per class to over-sample (training rows only)."""

    def fit_resample(self, X, y, **params):
        """Resample ``X`` and ``y`` (imbalanced-learn's API), non-numeric columns refused
        with a message naming them."""
        check_numeric(X, "X", owner=type(self).__name__)
        return super().fit_resample(X, y, **params)

    def _fit_resample(self, X, y):
        import torch

        from qskew.synth._gan import train_gan
        from qskew.synth._generator import Discriminator, parameter_count

        # Sparse input: only the rows of over-sampled classes are densified.
        rng = check_random_state(self.random_state)
        self.generators_, self.discriminators_, self.scalers_, self.history_ = {}, {}, {}, {}
        self.integer_columns_ = {}
        X_parts, y_parts = [X], [y]
        for label, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            rows = X[y == label]
            rows = rows.toarray() if sparse.issparse(rows) else rows
            rows = rows.astype(np.float64)
            _warn_small_class(type(self).__name__, label, rows.shape, n_new)
            scaler = MinMaxScaler(feature_range=(-1.0, 1.0)).fit(rows)
            seed = int(rng.randint(2**31 - 1))
            generator = self._make_generator(X.shape[1], seed)
            self._check_memory(generator, len(rows), n_new)
            discriminator = Discriminator(X.shape[1], tuple(self.discriminator_hidden),
                                          seed=seed + 1)
            with _progress.verbosity(self.verbose):
                self.history_[label] = train_gan(
                    generator, discriminator, torch.as_tensor(scaler.transform(rows)),
                    epochs=self.epochs, batch_size=self.batch_size,
                    lr_generator=self.lr_generator, lr_discriminator=self.lr_discriminator,
                    loss=self.loss, n_critic=self._n_critic(), seed=seed + 2,
                    desc=f"{type(self).__name__} class {_shown(label)!r}",
                )
            self.generators_[label], self.discriminators_[label] = generator, discriminator
            self.scalers_[label] = scaler
            # Counts, flags and ports stay whole numbers in the synthetic rows.
            self.integer_columns_[label] = np.all(np.isclose(rows, np.round(rows)), axis=0)
            with _progress.verbosity(self.verbose):  # hardware jobs of a Qiskit target
                drawn = generator.sample(n_new, seed=seed + 3).numpy()
            synthetic = self._to_rows(label, drawn)
            synthetic = synthetic.astype(X.dtype, copy=False)
            X_parts.append(sparse.csr_matrix(synthetic) if sparse.issparse(X) else synthetic)
            y_parts.append(np.full(n_new, label, dtype=y.dtype))
        self.n_generator_params_ = next(
            (parameter_count(g) for g in self.generators_.values()), 0)
        stack = sparse.vstack if sparse.issparse(X) else np.vstack
        X_res = stack(X_parts)
        return (X_res.asformat(X.format) if sparse.issparse(X) else X_res), np.concatenate(y_parts)

    def _check_memory(self, generator, n_rows, n_new):
        """Refuse a quantum GAN whose training would not fit the memory budget."""
        if not hasattr(generator, "n_patches"):
            return
        from qskew.backends import _memory

        _memory.check(self._peak_bytes(generator.n_patches, n_rows, n_new),
                      f"training {generator.n_patches} generator patches of {self.n_qubits} "
                      f"qubits on batches of {self.batch_size} rows",
                      "Lower batch_size or n_qubits (more, smaller patches).")

    def _n_critic(self):
        if self.n_critic is not None:
            return self.n_critic
        return 5 if self.loss == "wgan-gp" else 1

    def _to_rows(self, label, samples):
        """Generator output in [-1, 1] back to the units of class ``label``'s rows."""
        scaler = self.scalers_[label]
        rows = scaler.inverse_transform(samples)
        # MinMaxScaler maps a constant column to a unit-width range and rounding can
        # overshoot by an ulp: clip to the observed range the scaler promises.
        rows = np.clip(rows, scaler.data_min_, scaler.data_max_)
        integral = self.integer_columns_[label]
        rows[:, integral] = np.round(rows[:, integral])
        return rows

    def generate(self, n_samples, *, label=None, random_state=None, **backend):
        """Draw ``n_samples`` new rows of a class from its trained generator, without refitting.

        The usual hardware workflow: fit on a simulator (training on a QPU costs
        hours), then draw the synthetic rows on the QPU.

        Parameters
        ----------
        n_samples : int
        label : class label, optional
            The over-sampled class to draw; optional when there is one.
        random_state : int, optional
            Seeds the latent noise (and shot sampling); default: drawn from
            the sampler's ``random_state``.
        **backend
            ``backend``, ``backend_options``, ``shots`` and ``mitigation``
            to draw with instead of the fitted ones (quantum generators
            only), e.g.
            ``backend="qiskit.remote", backend_options={"backend": FakeManilaV2()},
            shots=4000``: all patches and rows then go in one primitive job
            (and ``mitigation="readout"`` adds one calibration job).

        Returns
        -------
        ndarray of shape (n_samples, n_features_in_)

        Examples
        --------
        >>> import numpy as np
        >>> X = np.vstack([np.zeros((20, 2)), np.ones((4, 2))])
        >>> y = np.array([0] * 20 + [1] * 4)
        >>> sampler = QGANOverSampler(n_qubits=2, n_layers=1, epochs=2, random_state=0)
        >>> sampler.fit_resample(X, y)[0].shape
        (40, 2)
        >>> sampler.generate(5, backend="default.qubit", shots=100).shape
        (5, 2)
        """
        import copy

        import torch
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "generators_")
        label = self._generated_label(label)
        unknown = sorted(set(backend) - {"backend", "backend_options", "shots", "mitigation"})
        if unknown:
            raise TypeError(f"generate() got unexpected keyword argument(s) {unknown}; it "
                            "takes backend, backend_options, shots and mitigation.")
        generator = copy.deepcopy(self.generators_[label])  # the fitted one stays as it is
        if backend:
            if not hasattr(generator, "backend"):
                raise ValueError(f"{type(self).__name__} has a classical generator: it takes "
                                 f"no backend; got {backend}.")
            for name, value in backend.items():
                setattr(generator, name, value)
            check_backend(generator.backend)
            from qskew.backends import _shift

            generator.mitigation = backend.get("mitigation")
            _shift.check_mitigation(generator.mitigation, generator.backend, generator.shots,
                                    generator.backend_options)
            generator.exact, generator._qnodes = is_exact(generator.backend, generator.shots), None
            generator._mixed_device = generator._readout = None
        seed = (int(random_state) if random_state is not None
                else int(check_random_state(self.random_state).randint(2**31 - 1)))
        generator.seed, generator._shot_rng = seed, None  # shots drawn from this seed
        with torch.no_grad(), _progress.verbosity(self.verbose):  # hardware jobs, if any
            samples = generator.sample(n_samples, seed=seed).numpy()
        return self._to_rows(label, samples)

    def _generated_label(self, label):
        labels = list(self.generators_)
        if label is None and len(labels) == 1:
            return labels[0]
        if label not in self.generators_:
            shown = [getattr(known, "item", lambda k=known: k)() for known in labels]
            raise ValueError(f"label must be one of the over-sampled classes {shown}; "
                             f"got {label!r}.")
        return label


_COMMON_DOC = """
    sampling_strategy : float, str, dict or callable, default="auto"
        How many rows to add per class, as in imbalanced-learn (``"auto"``:
        every class but the majority up to the majority's count).
    epochs : int, default={epochs}
        Passes over each over-sampled class's rows.
    batch_size : int, default=32
    lr_generator : float, default={lr_g}
    lr_discriminator : float, default={lr_d}
        Adam step sizes (betas 0.5, 0.999).
    loss : {{"bce", "wgan-gp"}}, default="bce"
        Non-saturating GAN loss, or Wasserstein loss with gradient penalty.
    n_critic : int, optional
        Discriminator steps per generator step; default 1 (``"bce"``) or 5
        (``"wgan-gp"``).
    latent_dim : int, optional
        Latent angles per sample.
    discriminator_hidden : sequence of int, default=(32, 16)
        Hidden widths of the :class:`~qskew.Discriminator` MLP.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, noise, shuffling and sampling: same seed, same rows.
    verbose : "auto", bool or int, default="auto"
        Progress bar over each class's training epochs, with the mean
        discriminator and generator losses. ``"auto"``: shown where a person
        watches (a Jupyter kernel, or stderr on a terminal) once training has
        run 2 s, never when the environment variable ``CI`` is set or stderr
        is redirected; ``0`` or ``False``: never; a positive int or ``True``:
        always."""

_SMALL_CLASS_NOTE = """
    **Small classes.** ``fit_resample`` warns (``UserWarning``) when a class
    to over-sample has fewer than 2 rows per feature, e.g. 9 rows in 32
    features: a GAN cannot learn a joint distribution from so few rows, and
    its synthetic rows can pull downstream minority recall to 0. Reduce the
    dimension first (PCA in the pipeline) or use SMOTE."""

_COMMON_ATTRIBUTES = """
    sampling_strategy_ : dict
        Rows added per class.
    generators_, discriminators_ : dict
        Trained torch modules per over-sampled class.
    scalers_ : dict
        Per class, the ``MinMaxScaler`` to ``[-1, 1]`` fitted on that class's
        rows; samples are mapped back through it, so they stay within the
        observed range of each feature.
    history_ : dict
        Per class, a list of per-epoch ``d_loss`` / ``g_loss``.
    integer_columns_ : dict
        Per class, which columns held only whole numbers (rounded in the
        synthetic rows).
    n_generator_params_ : int
        Trainable parameters of one generator."""


class QGANOverSampler(_GANOverSampler):
    __doc__ = f"""Over-sample minority classes with a quantum GAN (Q-SYNTH style).

    For each class to over-sample, a :class:`~qskew.QuantumGenerator` (patch
    construction) is trained against a classical
    :class:`~qskew.Discriminator` on that class's rows only, scaled to
    ``[-1, 1]``; new rows are sampled and mapped back to the original units.
    Use it inside an imbalanced-learn ``Pipeline`` so it only ever sees
    training folds.

    Parameters
    ----------
    n_qubits : int, default=4
        Wires per generator patch.
    n_layers : int, default=4
        Trainable layers per patch.
    observables : {{"Z", "XYZ"}}, default="Z"
        Values read per qubit (1 or 3): fewer patches with ``"XYZ"``.
    backend : str, default="lightning.qubit"
        PennyLane device name, or ``"qiskit.remote"`` / ``"qiskit.aer"``.
    backend_options : dict, optional
        ``{{"backend": <BackendV2>}}`` for ``"qiskit.remote"``.
    shots : int, optional
    diff_method : {{"best", "parameter-shift", "spsa"}}, default="best"
        Generator gradients when circuits are sampled (shots, or a Qiskit
        target): 2 shifted circuits per trainable angle and row, or 2 per row
        (``"spsa"``); see :mod:`qskew.backends._shift`.
    mitigation : {{"readout"}}, optional
        Undo readout errors on a noisy backend (one calibration job per
        generator on a Qiskit target; see :class:`~qskew.QNNModule`).
{_COMMON_DOC.format(epochs=100, lr_g=0.05, lr_d=0.01)}

    Attributes
    ----------
{_COMMON_ATTRIBUTES}

    Notes
    -----
    **High-dimensional data.** Every feature is generated (no projection):
    ``ceil(n_features / outputs per patch)`` patch circuits share one latent
    vector, so 30 credit-card columns take 8 patches of 4 qubits (``"Z"``)
    or 3 patches (``"XYZ"``). A projection to ``n_qubits`` principal
    components and back would discard the variance outside them; patches keep
    it, at a cost linear in the number of patches.

    **Cost.** Per epoch, ``(n_critic + 1) · n_rows`` generator evaluations
    (one batched simulation per patch and mini-batch) plus their backward
    pass; see :meth:`estimate_cost`. On ``qiskit.remote`` / ``qiskit.aer``
    every generator call is one primitive job for all its patches (the
    training step's with its shifted circuits). Training on a QPU costs
    hours: fit on a simulator and draw on the QPU with :meth:`generate`.
{_SMALL_CLASS_NOTE}

    Examples
    --------
    >>> import numpy as np
    >>> X = np.vstack([np.zeros((20, 2)), np.ones((4, 2))])
    >>> y = np.array([0] * 20 + [1] * 4)
    >>> X_res, y_res = QGANOverSampler(n_qubits=2, n_layers=1, epochs=2,
    ...                                random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [20, 20]
    """

    _parameter_constraints = {
        **_GAN_CONSTRAINTS,
        "n_qubits": [Interval(Integral, 1, None, closed="left")],
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "observables": [StrOptions(set(OBSERVABLE_SETS))],
        **_constraints.BACKEND,
        **_constraints.DIFF_METHOD,
        **_constraints.MITIGATION,
    }

    def __init__(self, *, sampling_strategy="auto", n_qubits=4, n_layers=4, observables="Z",
                 latent_dim=None, epochs=100, batch_size=32, lr_generator=0.05,
                 lr_discriminator=0.01, loss="bce", n_critic=None,
                 discriminator_hidden=(32, 16), backend="lightning.qubit",
                 backend_options=None, shots=None, diff_method="best", mitigation=None,
                 random_state=None, verbose="auto"):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_qubits = n_qubits
        self.n_layers = n_layers
        self.observables = observables
        self.latent_dim = latent_dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr_generator = lr_generator
        self.lr_discriminator = lr_discriminator
        self.loss = loss
        self.n_critic = n_critic
        self.discriminator_hidden = discriminator_hidden
        self.backend = backend
        self.backend_options = backend_options
        self.shots = shots
        self.diff_method = diff_method
        self.mitigation = mitigation
        self.random_state = random_state
        self.verbose = verbose

    def estimate_cost(self, n_features, n_rows, n_new):
        """What over-sampling one class (or drawing rows) will cost, before running it.

        Parameters
        ----------
        n_features : int
            Columns of ``X`` (sets the number of patches).
        n_rows : int
            Real rows of the class to over-sample; 0 for drawing only, as
            :meth:`generate` does (e.g. on a QPU after fitting on a simulator:
            estimate with ``set_params(backend=..., shots=...)`` on a clone).
        n_new : int
            Synthetic rows to draw.

        Returns
        -------
        dict
            ``mode``, ``state_preparations``, ``circuits``, ``shots``, ``jobs``
            (see :mod:`qskew.backends._cost`), ``n_patches``, ``n_qubits`` (per
            patch circuit) and ``peak_bytes`` (about: a training batch of every
            patch with autograd's copies, or one streamed block of draws); on a
            Qiskit target also the transpiled ``depth``, ``two_qubit_gates``
            and ``qpu_seconds``. Per epoch
            every real row costs ``n_critic`` generator draws for the
            discriminator steps and one for the generator step, each
            ``n_patches`` circuits; then ``n_new`` draws. Exact mode
            backpropagates through the generator step's states at no further
            simulation; with shots every row of a generator step also runs
            its gradient circuits (:func:`~qskew.backends._cost.
            gradient_circuits`), and a circuit reading ``"XYZ"`` is measured
            in 3 settings. On a Qiskit target each generator call is one
            job: ``n_critic + 1`` per mini-batch, and one for the draw
            (plus one calibration job with ``mitigation="readout"``).

        Examples
        --------
        >>> cost = QGANOverSampler(n_qubits=4, epochs=10).estimate_cost(30, 40, 100)
        >>> cost["n_patches"], cost["state_preparations"]
        (8, 7200)
        """
        self._validate_params()
        cost = self._counts(n_features, n_rows, n_new)
        draws = n_new * cost["n_patches"]  # after training, forward only
        if cost["circuits"]:
            seconds = _cost.local_seconds(circuits=cost["circuits"])
        else:
            seconds = self._training_seconds(n_rows, cost["n_patches"]) + \
                _cost.local_seconds(states=draws, qubits=self.n_qubits)
        return {**cost, "seconds": round(seconds, 3)}

    def _training_seconds(self, n_rows, n_patches):
        """Expected seconds of exact training: per mini-batch (a critic step and a generator
        step), 5e-4 s per gate of the circuit plus 2e-8 s per gate and amplitude of the
        batch's states in every patch (all patches are one broadcast simulation). Fitted to
        4-8 qubits, 2-4 layers, 1-8 patches, "Z" and "XYZ", 20-236 rows on this machine
        kind, within -31 %/+8 % (0.015 s a step at 4 qubits and 2 layers, 0.028 s at 4
        and 4 with three XYZ patches: the gates, not the rows, set the time)."""
        if not n_rows:
            return 0.0
        batch = min(self.batch_size, n_rows)
        steps = self.epochs * -(-n_rows // batch) * (self._n_critic() + 1) / 2
        gates = self.n_qubits + 3 * self.n_layers * self.n_qubits
        amplitudes = batch * n_patches * 2**self.n_qubits
        return steps * gates * (5e-4 + 2e-8 * amplitudes)

    def _counts(self, n_features, n_rows, n_new):
        """:meth:`estimate_cost` without ``seconds``."""
        n_patches = -(-n_features // generator_outputs(self.n_qubits, self.observables))
        draws = self.epochs * n_rows * (self._n_critic() + 1) + n_new
        extra = {"n_patches": n_patches, "n_qubits": self.n_qubits,
                 "peak_bytes": self._peak_bytes(n_patches, n_rows, n_new)}
        if is_exact(self.backend, self.shots):
            return {**_cost.evaluations(True, draws * n_patches), **extra}
        draws += self.epochs * n_rows * _cost.gradient_circuits(
            self.n_layers * self.n_qubits * 2, self.diff_method)
        settings = len(OBSERVABLE_SETS[self.observables])
        if is_sampled(self.backend, self.shots) and not _qiskit.is_qiskit(self.backend):
            cost = _cost.sampled(draws * n_patches, self.shots)
            return {**cost, "shots": cost["shots"] * settings, **extra}
        cost = _cost.evaluations(False, draws * n_patches * settings, self.shots)
        if not _qiskit.is_qiskit(self.backend):
            return {**cost, **extra}
        batches = -(-n_rows // min(self.batch_size, n_rows)) if n_rows else 0
        cost["jobs"] = self.epochs * batches * (self._n_critic() + 1) + (1 if n_new else 0)
        if self.mitigation == "readout" and cost["jobs"]:  # one calibration job, 2 circuits
            cost["jobs"] += 1
            cost["circuits"] += 2
            cost["shots"] += 2 * self.shots
        return {**_cost.on_hardware(cost, self._transpiled_size()), **extra}

    def _peak_bytes(self, n_patches, n_rows, n_new):
        """About the most memory over-sampling one class holds at once: a training batch of
        every patch's states with autograd's copy per gate, or one streamed block of draws."""
        from qskew.backends import _memory

        state = 16 * (4 if self.backend == "default.mixed" else 2) ** self.n_qubits
        gates = self.n_layers * self.n_qubits * 2 + self.n_qubits + 2
        train = min(self.batch_size, n_rows) * state * gates * n_patches
        per_draw = 4 * state * n_patches  # the patches are simulated together
        draws = min(n_new, _memory.block_rows(per_draw)) * per_draw
        return int(max(train, draws))

    def _transpiled_size(self):
        import pennylane as qml

        from circuits import generator_circuit

        wires = list(range(self.n_qubits))
        latent = self.latent_dim or self.n_qubits
        tape = qml.tape.make_qscript(generator_circuit)(
            np.full((1, latent), 0.5), np.full((self.n_layers, self.n_qubits, 2), 0.5),
            wires=wires, observables=self.observables)
        return _qiskit.transpiled_size(tape.operations, wires,
                                       _qiskit.target(self.backend, self.backend_options),
                                       _qiskit.optimization_level(self.backend,
                                                                  self.backend_options),
                                       estimator=True)

    def _make_generator(self, n_features, seed):
        from qskew.synth._generator import QuantumGenerator

        check_backend(self.backend)
        if self.latent_dim is not None and self.latent_dim > self.n_qubits:
            raise ValueError(
                f"latent_dim={self.latent_dim} exceeds n_qubits={self.n_qubits}: the "
                "quantum generator encodes one latent angle per qubit. Lower latent_dim "
                "or raise n_qubits."
            )
        return QuantumGenerator(
            self.n_qubits, self.n_layers, n_features=n_features, latent_dim=self.latent_dim,
            observables=self.observables, backend=self.backend,
            backend_options=self.backend_options, shots=self.shots,
            diff_method=self.diff_method, mitigation=self.mitigation, seed=seed,
        )


class GANOverSampler(_GANOverSampler):
    __doc__ = f"""Over-sample minority classes with a classical GAN: the baseline to QGANOverSampler.

    Same training loop, discriminator, scaling and noise as
    :class:`QGANOverSampler`; the generator is an MLP
    (:class:`~qskew.MLPGenerator`) whose parameter count is matched to the
    quantum generator's, so comparisons are at equal size.

    Parameters
    ----------
    hidden_size : int, optional
        Hidden width of the MLP generator; default: the width whose parameter
        count is closest to ``match_params``.
    match_params : int, optional
        Parameter count to match; default: that of ``QGANOverSampler()``'s
        generator (4 qubits, 4 layers, ``"Z"``) for the same number of
        features.
{_COMMON_DOC.format(epochs=100, lr_g=0.005, lr_d=0.01)}

    Attributes
    ----------
{_COMMON_ATTRIBUTES}

    Notes
    -----{_SMALL_CLASS_NOTE}

    Examples
    --------
    >>> import numpy as np
    >>> X = np.vstack([np.zeros((20, 2)), np.ones((4, 2))])
    >>> y = np.array([0] * 20 + [1] * 4)
    >>> sampler = GANOverSampler(epochs=2, random_state=0)
    >>> np.bincount(sampler.fit_resample(X, y)[1]).tolist()
    [20, 20]
    """

    _parameter_constraints = {
        **_GAN_CONSTRAINTS,
        "hidden_size": [Interval(Integral, 1, None, closed="left"), None],
        "match_params": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, *, sampling_strategy="auto", hidden_size=None, match_params=None,
                 latent_dim=None, epochs=100, batch_size=32, lr_generator=0.005,
                 lr_discriminator=0.01, loss="bce", n_critic=None,
                 discriminator_hidden=(32, 16), random_state=None, verbose="auto"):
        super().__init__(sampling_strategy=sampling_strategy)
        self.hidden_size = hidden_size
        self.match_params = match_params
        self.latent_dim = latent_dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr_generator = lr_generator
        self.lr_discriminator = lr_discriminator
        self.loss = loss
        self.n_critic = n_critic
        self.discriminator_hidden = discriminator_hidden
        self.random_state = random_state
        self.verbose = verbose

    def estimate_cost(self, n_features, n_rows, n_new):
        """What over-sampling one class will cost: no quantum work, and ``seconds``.

        Parameters
        ----------
        n_features : int
            Columns of ``X``.
        n_rows : int
            Real rows of the class to over-sample.
        n_new : int
            Synthetic rows to draw.

        Returns
        -------
        dict
            Zero counts (see :mod:`qskew.backends._cost`) and ``seconds``:
            ``n_critic + 1`` optimiser steps per mini-batch and epoch at 1 ms
            each (measured at 30 features and 20 rows: 0.3 s for 150 epochs, once
            torch is warm; the first torch model of a process adds a few seconds).

        Examples
        --------
        >>> GANOverSampler(epochs=150).estimate_cost(30, 20, 200)["seconds"]
        0.3
        """
        self._validate_params()
        batches = -(-n_rows // min(self.batch_size, n_rows)) if n_rows else 0
        steps = self.epochs * batches * (self._n_critic() + 1)
        return {**_cost.evaluations(True, 0), "seconds": round(1e-3 * steps, 3)}

    def _make_generator(self, n_features, seed):
        from qskew.synth._generator import MLPGenerator

        reference = QGANOverSampler()
        latent_dim = self.latent_dim or reference.n_qubits
        hidden = self.hidden_size
        if hidden is None:
            target = self.match_params or quantum_generator_parameter_count(
                n_features, reference.n_qubits, reference.n_layers, reference.observables)
            hidden = MLPGenerator.hidden_size_for(target, latent_dim, n_features)
        return MLPGenerator(latent_dim, n_features, hidden, seed=seed)
