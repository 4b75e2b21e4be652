"""Activation functions for neural networks.

Each activation is one fused operation: a single forward pass and a single
backward pass, so ``relu``, ``sigmoid`` and ``softmax`` cost one graph node
each in a training loop instead of a chain of small ops.
"""
# (imported through MyGrad's one-function modules, so that loading ``...activations.elu`` (the
# module) here, first, leaves the package attribute ``elu`` bound to the function, as in MyGrad)
from mygrad_c.nnet.activations.elementwise import tanh
from mygrad_c.nnet.activations.elu import elu
from mygrad_c.nnet.activations.glu import glu
from mygrad_c.nnet.activations.hard_tanh import hard_tanh
from mygrad_c.nnet.activations.leaky_relu import leaky_relu
from mygrad_c.nnet.activations.relu import relu
from mygrad_c.nnet.activations.selu import selu
from mygrad_c.nnet.activations.sigmoid import sigmoid
from mygrad_c.nnet.activations.soft_sign import soft_sign
from mygrad_c.nnet.activations.softmax import logsoftmax, softmax

__all__ = [
    "elu", "glu", "hard_tanh", "leaky_relu", "logsoftmax", "relu", "selu",
    "sigmoid", "softmax", "soft_sign", "tanh",
]
