"""Synthetic minority rows: quantum and classical GAN oversamplers (imbalanced-learn API).

The samplers load without torch; the torch modules (:class:`QuantumGenerator`,
:class:`MLPGenerator`, :class:`Discriminator`) load torch on first use.
"""

from qskew._lazy import lazy_attributes
from qskew.synth._samplers import GANOverSampler, QGANOverSampler

__getattr__, __dir__ = lazy_attributes(__name__, {
    "QuantumGenerator": "._generator",
    "MLPGenerator": "._generator",
    "Discriminator": "._generator",
})

__all__ = ["Discriminator", "GANOverSampler", "MLPGenerator", "QGANOverSampler",
           "QuantumGenerator"]
