"""Torch modules of the GAN oversamplers: quantum and classical generators, discriminator."""

import contextlib
import numbers
import math as pymath

import pennylane as qml
import torch
from torch import nn

from circuits import OBSERVABLE_SETS, generator_circuit, generator_outputs
from qskew.backends import (
    _devices,
    _shift,
    _statevector,
    check_backend,
    check_n_qubits,
    is_exact,
    is_sampled,
)
from qskew.backends._capabilities import check_backend_options


@contextlib.contextmanager
def seeded_torch(seed):
    """Run torch's default initialisers from ``seed`` without touching global state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0 if seed is None else int(seed))
        yield


def latent_noise(n_samples, latent_dim, generator, dtype=torch.float64):
    """Latent angles, uniform in ``[0, π)``: RY(z) then spans ``⟨Z⟩ ∈ (-1, 1]``."""
    return pymath.pi * torch.rand(n_samples, latent_dim, generator=generator, dtype=dtype)


class _Sampling:
    """``noise`` and ``sample`` shared by the generators: U[0, π) latent angles."""

    def _noise_generator(self):
        if getattr(self, "_torch_rng", None) is None:
            self._torch_rng = torch.Generator().manual_seed(0 if self.seed is None else self.seed)
        return self._torch_rng

    def noise(self, n_samples, *, seed=None):
        """Latent noise ``(n_samples, latent_dim)``, uniform in ``[0, π)``.

        Parameters
        ----------
        n_samples : int
        seed : int, optional
            Draw from a fresh stream seeded with ``seed``; by default from the
            module's own stream (seeded by ``seed`` at construction).
        """
        rng = self._noise_generator() if seed is None else torch.Generator().manual_seed(seed)
        return latent_noise(n_samples, self.latent_dim, rng)

    def sample(self, n_samples, *, seed=None):
        """Draw ``n_samples`` synthetic rows in ``[-1, 1]`` (no gradients).

        Parameters
        ----------
        n_samples : int
        seed : int, optional
            See :meth:`noise`.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_features), float64
        """
        if not isinstance(n_samples, numbers.Integral) or n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative integer; got {n_samples!r}.")
        from qskew.backends import _memory

        noise = self.noise(n_samples, seed=seed)
        step = _memory.block_rows(self.bytes_per_sample())  # memory does not grow with n
        with torch.no_grad():
            if n_samples <= step:
                return self(noise)
            return torch.cat([self(noise[start : start + step])
                              for start in range(0, n_samples, step)])

    def bytes_per_sample(self):
        """Bytes one sample holds during a forward pass without gradients (classical: its
        features)."""
        return 8 * self.n_features

    def __getstate__(self):
        state = self.__dict__.copy()
        # Torch generators and QNodes do not pickle; both are rebuilt on demand.
        for name in ("_torch_rng", "_qnodes", "_mixed_device"):
            if name in state:
                state[name] = None
        return state


class QuantumGenerator(_Sampling, nn.Module):
    r"""A patch quantum generator: latent noise in, one value in ``[-1, 1]`` per feature out.

    ``n_patches = ceil(n_features / outputs_per_circuit)`` sub-generators
    (Huang et al. 2021's patch construction), each a
    :func:`circuits.generator_circuit` on ``n_qubits`` wires with its own
    weights, read the *same* latent vector; their outputs are concatenated
    and cut to ``n_features``. Shared noise lets patches learn correlated
    features; each patch reads ``n_qubits`` (``"Z"``) or ``3 n_qubits``
    (``"XYZ"``) values.

    Parameters
    ----------
    n_qubits : int
        Wires per patch circuit.
    n_layers : int
        Trainable layers per patch.
    n_features : int, optional
        Output dimension; default: one patch's outputs.
    latent_dim : int, optional
        Latent angles per sample (at most ``n_qubits``); default ``n_qubits``.
    observables : {"Z", "XYZ"}, default="Z"
    backend : str, default="lightning.qubit"
    backend_options : dict, optional
    shots : int, optional
    diff_method : {"best", "parameter-shift", "spsa"}, default="best"
        Gradients of sampled circuits (:mod:`qskew.backends._shift`); on other
        devices the QNode's differentiation method.
    mitigation : {"readout"}, optional
        Undo readout errors (see :class:`~qskew.QNNModule`).
    seed : int, optional
        Seeds the initial weights (uniform in ``[-π, π)``) and the noise stream.

    Attributes
    ----------
    weights : torch.nn.Parameter of shape (n_patches, n_layers, n_qubits, 2)

    Notes
    -----
    A whole batch is one batched simulation per patch (qskew's statevector
    engine, backprop) on statevector simulators; shots or other devices run
    QNodes with parameter broadcasting. Cost of a batch of ``B``:
    ``n_patches`` simulations of ``B`` states of ``2^n_qubits`` amplitudes.

    Examples
    --------
    >>> gen = QuantumGenerator(2, 1, n_features=3, seed=0)
    >>> gen.sample(4).shape
    torch.Size([4, 3])
    """

    def __init__(self, n_qubits, n_layers, *, n_features=None, latent_dim=None,
                 observables="Z", backend="lightning.qubit", backend_options=None, shots=None,
                 diff_method="best", mitigation=None, seed=None):
        super().__init__()
        per_patch = generator_outputs(n_qubits, observables)
        n_features = per_patch if n_features is None else n_features
        latent_dim = n_qubits if latent_dim is None else latent_dim
        if not 1 <= latent_dim <= n_qubits:
            raise ValueError(
                f"latent_dim must be between 1 and n_qubits={n_qubits}; got {latent_dim}."
            )
        if n_features < 1 or n_layers < 1:
            raise ValueError(
                f"n_features and n_layers must be positive; got n_features={n_features}, "
                f"n_layers={n_layers}."
            )
        check_backend(backend)
        check_backend_options(backend, shots, backend_options, "QuantumGenerator")
        _shift.check_mitigation(mitigation, backend, shots, backend_options)
        check_n_qubits(
            n_qubits, backend, "QuantumGenerator", "simulates n_qubits wires per patch",
            subject=f"n_qubits={n_qubits}",
            fix="use fewer qubits per patch: more patches cover more features",
        )
        self.n_qubits, self.n_layers = n_qubits, n_layers
        self.n_features, self.latent_dim, self.observables = n_features, latent_dim, observables
        self.n_patches = -(-n_features // per_patch)
        self.backend, self.backend_options, self.shots, self.seed = (
            backend, backend_options, shots, seed)
        self.diff_method, self.mitigation = diff_method, mitigation
        self.exact = is_exact(backend, shots)
        generator = torch.Generator().manual_seed(0 if seed is None else int(seed))
        shape = (self.n_patches, n_layers, n_qubits, 2)
        initial = torch.rand(shape, generator=generator, dtype=torch.float64)
        self.weights = nn.Parameter(pymath.pi * (2 * initial - 1))
        self._qnodes = None
        self._torch_rng = None

    def forward(self, noise):
        """Map latent noise ``(B, latent_dim)`` to samples ``(B, n_features)``."""
        if noise.dim() != 2 or noise.shape[1] != self.latent_dim:
            raise ValueError(
                f"noise must have shape (batch, {self.latent_dim}); got {tuple(noise.shape)}."
            )
        wires = list(range(self.n_qubits))
        terms = [(p, w) for w in wires for p in OBSERVABLE_SETS[self.observables]]
        if is_sampled(self.backend, self.shots, self.backend_options):
            return self._sampled_forward(noise, wires, terms)
        if self.exact:
            return self._exact_forward(noise, wires, terms)
        patches = [self._circuit_patch(patch, noise) for patch in range(self.n_patches)]
        return torch.cat(patches, dim=1)[:, : self.n_features]

    def _exact_forward(self, noise, wires, terms):
        """Every patch in one broadcast simulation: the noise repeated once per patch, each
        copy with its patch's weights (a third of the gate calls for three patches: 2.4x
        faster GAN training at 4 qubits)."""
        n, n_patches = len(noise), self.n_patches
        tape = qml.tape.make_qscript(generator_circuit)(
            noise.repeat(n_patches, 1), self.weights.repeat_interleave(n, dim=0),
            wires=wires, observables=self.observables)
        states = _statevector.simulate_states(
            tape.operations, wires, n * n_patches, like="torch", device=noise.device)
        values = _statevector.pauli_expvals(states, self.n_qubits, terms)
        values = values.reshape(n_patches, n, len(terms)).permute(1, 0, 2)
        return values.reshape(n, n_patches * len(terms))[:, : self.n_features]

    def bytes_per_sample(self):
        """Bytes one sample holds during a forward pass without gradients: a few copies of
        its state in every patch (the patches are simulated together)."""
        return 4 * 16 * 2**self.n_qubits * self.n_patches

    def _sampled_forward(self, noise, wires, terms):
        """Every patch's circuits (and their shifted copies when training) in one sweep:
        one primitive job on a Qiskit target."""
        rows = noise.cpu()
        batches = [qml.tape.make_qscript(generator_circuit)(
            rows, self.weights[patch].cpu(), wires=wires, observables=self.observables
        ).operations for patch in range(self.n_patches)]
        out = _shift.module_expectations(self, batches, wires, terms).to(noise.device)
        out = out.reshape(self.n_patches, len(rows), len(terms)).permute(1, 0, 2)
        return out.reshape(len(rows), -1)[:, : self.n_features]

    def _circuit_patch(self, patch, noise):
        if self._qnodes is None:
            device = _devices.make_device(self.backend, self.n_qubits, seed=self.seed,
                                          options=self.backend_options)
            qfunc = _BoundGenerator(list(range(self.n_qubits)), self.observables)
            self._qnodes = _devices.make_qnode(qfunc, device, diff_method=self.diff_method,
                                               shots=self.shots)
        result = self._qnodes(noise, self.weights[patch])
        return torch.stack([torch.as_tensor(r) for r in result], dim=-1).to(torch.float64)


class _BoundGenerator:
    """:func:`generator_circuit` with wires and observables bound (picklable)."""

    def __init__(self, wires, observables):
        self.wires, self.observables = wires, observables

    def __call__(self, noise, weights):
        return generator_circuit(noise, weights, wires=self.wires, observables=self.observables)


class MLPGenerator(_Sampling, nn.Module):
    """Classical generator: latent noise → hidden (LeakyReLU) → ``tanh`` output in ``[-1, 1]``.

    Parameters
    ----------
    latent_dim : int
        Latent angles per sample (same U[0, π) noise as the quantum generator).
    n_features : int
    hidden_size : int
        Width of the single hidden layer.
    seed : int, optional
        Seeds the initial weights and the noise stream.

    Examples
    --------
    >>> MLPGenerator(2, 3, 4, seed=0).sample(5).shape
    torch.Size([5, 3])
    """

    def __init__(self, latent_dim, n_features, hidden_size, *, seed=None):
        super().__init__()
        self.latent_dim, self.n_features, self.seed = latent_dim, n_features, seed
        with seeded_torch(seed):
            self.net = nn.Sequential(
                nn.Linear(latent_dim, hidden_size), nn.LeakyReLU(0.2),
                nn.Linear(hidden_size, n_features), nn.Tanh(),
            ).double()
        self._torch_rng = None

    def forward(self, noise):
        """Map latent noise ``(B, latent_dim)`` to samples ``(B, n_features)``."""
        return self.net(noise)

    @staticmethod
    def hidden_size_for(n_params, latent_dim, n_features):
        """Hidden width whose parameter count is closest to ``n_params`` (at least 1)."""
        per_unit = latent_dim + 1 + n_features
        return max(1, round((n_params - n_features) / per_unit))


class Discriminator(nn.Module):
    """A small MLP critic: rows ``(B, n_features)`` → one logit per row.

    Parameters
    ----------
    n_features : int
    hidden_sizes : Sequence of int, default=(32, 16)
        Widths of the hidden layers (LeakyReLU(0.2) after each).
    seed : int, optional
        Seeds the initial weights.

    Examples
    --------
    >>> import torch
    >>> Discriminator(3, seed=0)(torch.zeros(4, 3, dtype=torch.float64)).shape
    torch.Size([4])
    """

    def __init__(self, n_features, hidden_sizes=(32, 16), *, seed=None):
        super().__init__()
        sizes = [n_features, *hidden_sizes]
        layers = []
        with seeded_torch(seed):
            for width_in, width_out in zip(sizes[:-1], sizes[1:]):
                layers += [nn.Linear(width_in, width_out), nn.LeakyReLU(0.2)]
            layers.append(nn.Linear(sizes[-1], 1))
            self.net = nn.Sequential(*layers).double()

    def forward(self, x):
        """Logits of "real" for each row."""
        return self.net(x)[:, 0]


def parameter_count(module):
    """Number of trainable scalars in a torch module."""
    return int(sum(p.numel() for p in module.parameters() if p.requires_grad))
