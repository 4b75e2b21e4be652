"""Activation functions for neural networks.

Each activation is one fused operation: a single forward pass and a single
backward pass, so ``relu``, ``sigmoid`` and ``softmax`` cost one graph node
each in a training loop instead of a chain of small ops.
"""
from mygrad_c.nnet.activations.elementwise import (
    elu, hard_tanh, leaky_relu, relu, selu, sigmoid, soft_sign, tanh,
)
from mygrad_c.nnet.activations.softmax import glu, logsoftmax, softmax

__all__ = [
    "elu", "glu", "hard_tanh", "leaky_relu", "logsoftmax", "relu", "selu",
    "sigmoid", "softmax", "soft_sign", "tanh",
]
