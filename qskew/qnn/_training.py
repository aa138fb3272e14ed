"""The torch side of QNNClassifier: logits network, losses and the training loop."""

import copy

import numpy as np
import torch
from torch import nn

from qskew import _progress
from qskew.qnn._module import QNNModule


class QNNNet(nn.Module):
    """QNNModule followed by a per-output affine map of ``⟨Z⟩`` to logits.

    ``⟨Z⟩`` lies in ``[-1, 1]``; a trainable scale lets probabilities leave
    ``[0.27, 0.73]``, a trainable offset lets a skewed prior be expressed.
    """

    def __init__(self, qnn, prior):
        super().__init__()
        self.qnn = qnn
        n_out = qnn.n_outputs
        self.scale = nn.Parameter(torch.full((n_out,), 2.0, dtype=torch.float64))
        # Start from the (weighted) class prior, as Lin et al. do for the focal
        # loss: training then spends no early epochs learning the imbalance.
        prior = np.clip(prior, 1e-12, None)
        start = np.log(prior[1:] / prior[0]) if n_out == 1 else np.log(prior)
        self.offset = nn.Parameter(torch.as_tensor(start, dtype=torch.float64))

    def forward(self, x):
        return self.qnn(x) * self.scale + self.offset


def per_sample_loss(logits, targets, loss, gamma):
    """Unreduced cross-entropy (or focal) loss; binary logits have one column."""
    if logits.shape[1] == 1:
        z = logits[:, 0]
        log_p1, log_p0 = nn.functional.logsigmoid(z), nn.functional.logsigmoid(-z)
        log_pt = torch.where(targets == 1, log_p1, log_p0)
    else:
        log_pt = torch.log_softmax(logits, dim=1).gather(1, targets[:, None])[:, 0]
    if loss == "focal":
        return -((1.0 - log_pt.exp()) ** gamma) * log_pt
    return -log_pt


def build_net(n_features, n_classes, prior, seed, **options):
    """A fresh :class:`QNNNet` for ``n_classes`` (one logit if binary) on ``n_features``."""
    n_outputs = 1 if n_classes == 2 else n_classes
    qnn = QNNModule(max(n_features, n_outputs), n_outputs=n_outputs, seed=seed, **options)
    return QNNNet(qnn, prior)


def weighted_loss(net, X, y, w, loss, gamma):
    per_sample = per_sample_loss(net(X), y, loss, gamma)
    return (per_sample * w).sum() / w.sum().clamp_min(1e-12)


def train(net, X, codes, weights, train_idx, val_idx, seed, *, loss, focal_gamma,
          learning_rate, batch_size, max_epochs, patience, tol, history):
    """Mini-batch Adam with early stopping; the best monitored weights are kept.

    Appends one record per epoch to ``history`` and returns
    ``(epochs_run, best_loss, stopped_early)``. A progress bar over the epochs
    (:mod:`qskew._progress`) shows the losses.
    """
    torch_rng = torch.Generator().manual_seed(int(seed))
    Xt = torch.as_tensor(X)
    yt = torch.as_tensor(codes, dtype=torch.long)
    wt = torch.as_tensor(weights, dtype=torch.float64)
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate)
    batch = min(batch_size, len(train_idx))
    best, best_state, wait = np.inf, None, 0
    start = len(history)
    stopped_early = False
    with _progress.progress(total=max_epochs, desc="QNN training", unit="epoch") as bar:
        for epoch in range(max_epochs):
            order = train_idx[torch.randperm(len(train_idx), generator=torch_rng).numpy()]
            total = 0.0
            for i in range(0, len(order), batch):
                idx = torch.as_tensor(order[i : i + batch])
                optimizer.zero_grad()
                value = weighted_loss(net, Xt[idx], yt[idx], wt[idx], loss, focal_gamma)
                value.backward()
                optimizer.step()
                total += value.item() * len(idx)
            train_loss = total / len(order)
            val_loss = None
            if val_idx is not None:
                with torch.no_grad():
                    idx = torch.as_tensor(val_idx)
                    val_loss = float(weighted_loss(net, Xt[idx], yt[idx], wt[idx], loss,
                                                   focal_gamma))
            history.append({"epoch": start + epoch + 1, "train_loss": train_loss,
                            "val_loss": val_loss})
            bar.set_postfix(loss=train_loss, refresh=False,
                            **({} if val_loss is None else {"val_loss": val_loss}))
            bar.update()
            monitored = train_loss if val_idx is None else val_loss
            if monitored < best - tol:
                best, best_state, wait = monitored, copy.deepcopy(net.state_dict()), 0
            else:
                wait += 1
                if wait >= patience:
                    stopped_early = True
                    break
    if best_state is not None:
        net.load_state_dict(best_state)
    return epoch + 1, float(best), stopped_early


#: Statevector copies one row of a forward pass holds at once without gradients.
FORWARD_COPIES = 4


def logits(net, X):
    """Logits of the rows of ``X`` (numpy in, numpy out), without gradients, in row blocks of
    fixed size: memory does not grow with the rows scored (a progress bar over the rows when
    there are several blocks)."""
    from qskew.backends import _memory

    step = _memory.block_rows(FORWARD_COPIES * 16 * 2**net.qnn.n_qubits)
    out = []
    with torch.no_grad(), _progress.progress(total=len(X), desc="QNN scoring", unit="row",
                                             verbose="auto" if len(X) > step else 0) as bar:
        for start in range(0, len(X), step):
            out.append(net(torch.as_tensor(X[start : start + step])).numpy())
            bar.update(len(out[-1]))
    return np.concatenate(out)


def probabilities(logits_):
    """Sigmoid (one column) or softmax of logits, as ``(n, n_classes)`` probabilities."""
    z = torch.as_tensor(logits_)
    if z.shape[1] == 1:
        p1 = torch.sigmoid(z[:, 0])
        return torch.stack([1 - p1, p1], dim=1).numpy()
    return torch.softmax(z, dim=1).numpy()
