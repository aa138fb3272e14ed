"""QNNModule: a variational quantum circuit as a ``torch.nn.Module``."""

import math as pymath

import pennylane as qml
import torch
from torch import nn

from circuits import make_qnn_qfunc
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


class QNNModule(nn.Module):
    r"""A QNN circuit (encoding, trainable layers, ``⟨Z⟩`` read-out) as a torch module.

    ``forward`` maps a batch ``(B, n_qubits)`` to ``(B, n_outputs)``
    expectation values in ``[-1, 1]`` in one batched execution, so it
    composes with classical layers in a user's own model.

    Parameters
    ----------
    n_qubits : int
        Wires: one per input feature, plus extra read-out wires when
        ``n_outputs`` exceeds the number of features.
    n_layers : int, default=2
        Trainable layers.
    feature_map : {"angle", "zz", "reupload"}, default="angle"
    ansatz : {"strong", "hardware_efficient"}, default="strong"
    n_outputs : int, default=1
        ``⟨Z⟩`` read-outs on the first wires.
    reps, entanglement, rotation
        Feature-map options, see :func:`circuits.qnn_circuit`.
    backend : str, default="lightning.qubit"
        PennyLane device name, or ``"qiskit.remote"`` / ``"qiskit.aer"``.
    backend_options : dict, optional
        Extra device options (circuit mode; ``{"backend": <BackendV2>}`` for
        ``"qiskit.remote"``).
    shots : int, optional
        Shots per circuit.
    diff_method : str, default="best"
        Gradients of sampled circuits: ``"best"`` / ``"parameter-shift"`` or
        ``"spsa"`` (:mod:`qskew.backends._shift`); on other devices the
        QNode's differentiation method.
    mitigation : {"readout"}, optional
        Undo readout errors: on a Qiskit target from two calibration circuits
        measured once (one extra Sampler job), on ``default.mixed`` from the
        ``Noise`` specification.
    seed : int, optional
        Seeds the initial weights (uniform in ``[0, 2π)``) and shot sampling.

    Attributes
    ----------
    weights : torch.nn.Parameter of shape (n_layers, n_qubits, 3 or 2)
        float64 trainable angles.

    Notes
    -----
    What runs where. On a statevector simulator without shots
    (``lightning.qubit``, ``default.qubit``, ...) the circuit is simulated by
    qskew's batched statevector engine in torch (complex128), and gradients
    flow by backpropagation: measured on 2 cores at 8 qubits this is faster
    than both ``TorchLayer`` on ``lightning.qubit`` (adjoint; lightning runs a
    batch as a loop of circuits and recomputes Jacobians on every forward)
    and on ``default.qubit`` (backprop), see ``BENCHMARKS.md``. It runs on
    the torch device of the inputs (CUDA included). With shots on such a
    simulator the values are drawn from the exact ones (binomial, seeded),
    and gradients come from shifted circuits as on hardware. On
    ``qiskit.remote`` / ``qiskit.aer`` a forward pass is one primitive job
    (with its shifted circuits when gradients are needed: one job per
    training step). Other devices run the circuit as a QNode with
    ``diff_method``; results are cast to float64. Memory: ``16 B · 2^n``
    per sample of a batch, plus autograd's copies.

    Examples
    --------
    >>> import torch
    >>> module = QNNModule(2, n_layers=1, seed=0)
    >>> module(torch.zeros(3, 2, dtype=torch.float64)).shape
    torch.Size([3, 1])
    """

    def __init__(self, n_qubits, *, n_layers=2, feature_map="angle", ansatz="strong",
                 n_outputs=1, reps=1, entanglement="linear", rotation="Y",
                 backend="lightning.qubit", backend_options=None, shots=None,
                 diff_method="best", mitigation=None, seed=None):
        super().__init__()
        check_backend(backend)
        check_backend_options(backend, shots, backend_options, "QNNModule")
        _shift.check_mitigation(mitigation, backend, shots, backend_options)
        check_n_qubits(n_qubits, backend, "QNNModule")
        self.n_qubits = n_qubits
        self.n_outputs = n_outputs
        self.qfunc, shapes = make_qnn_qfunc(
            n_qubits, n_layers=n_layers, feature_map=feature_map, ansatz=ansatz,
            n_outputs=n_outputs, reps=reps, entanglement=entanglement, rotation=rotation,
        )
        generator = torch.Generator().manual_seed(0 if seed is None else int(seed))
        initial = torch.rand(shapes["weights"], generator=generator, dtype=torch.float64)
        self.weights = nn.Parameter(2 * pymath.pi * initial)
        self.backend = backend
        self.backend_options = backend_options
        self.shots = shots
        self.diff_method = diff_method
        self.mitigation = mitigation
        self.seed = seed
        self.exact = is_exact(backend, shots)
        self._qnode = None

    def forward(self, inputs):
        """Expectation values for a batch of inputs.

        Parameters
        ----------
        inputs : tensor of shape (batch, n_qubits) or (n_qubits,)

        Returns
        -------
        tensor of shape (batch, n_outputs) (or (n_outputs,) for 1-D input), float64
        """
        single = inputs.dim() == 1
        x = inputs.reshape(1, -1) if single else inputs
        if x.dim() != 2 or not 1 <= x.shape[-1] <= self.n_qubits:
            raise ValueError(
                f"QNNModule encodes one feature per qubit, so inputs must have shape "
                f"(batch, n_features) or (n_features,) with 1 to {self.n_qubits} features; "
                f"got shape {tuple(inputs.shape)}. Reshape the inputs or build the module "
                "with more qubits."
            )
        x = x.to(torch.float64)
        terms = [("Z", wire) for wire in range(self.n_outputs)]
        if self.exact:
            tape = qml.tape.make_qscript(self.qfunc)(x, self.weights)
            states = _statevector.simulate_states(tape.operations, range(self.n_qubits), len(x),
                                                  like="torch", device=x.device)
            out = _statevector.pauli_expvals(states, self.n_qubits, terms)
        elif is_sampled(self.backend, self.shots, self.backend_options):
            tape = qml.tape.make_qscript(self.qfunc)(x.cpu(), self.weights.cpu())
            out = _shift.module_expectations(self, [tape.operations], range(self.n_qubits),
                                             terms).to(x.device)
        else:
            out = self._circuit_forward(x)
        return out[0] if single else out

    def _circuit_forward(self, x):
        if self._qnode is None:
            device = _devices.make_device(
                self.backend, self.n_qubits, seed=self.seed, options=self.backend_options
            )
            self._qnode = _devices.make_qnode(
                self.qfunc, device, interface="torch", diff_method=self.diff_method,
                shots=self.shots,
            )
        result = self._qnode(x, self.weights)
        result = torch.stack(list(result), dim=-1) if isinstance(result, (list, tuple)) else result
        # lightning returns float32 under torch; keep the model float64 throughout.
        return result.reshape(len(x), self.n_outputs).to(torch.float64)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_qnode"] = state["_mixed_device"] = None  # devices are rebuilt, never pickled
        return state

    def extra_repr(self):
        return (f"n_qubits={self.n_qubits}, n_outputs={self.n_outputs}, "
                f"weights={tuple(self.weights.shape)}, backend={self.backend!r}, "
                f"shots={self.shots}")

