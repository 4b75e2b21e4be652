"""Neural-network operations: layers, losses, activations and initializers.

Mirrors ``mygrad.nnet``: the subpackages, and their public functions re-exported
at this level (``mygrad_c.nnet.relu``, ``mygrad_c.nnet.conv_nd``, ...).
"""
from mygrad_c.nnet import activations, initializers, layers, losses
from mygrad_c.nnet.activations import (
    elu, glu, hard_tanh, leaky_relu, logsoftmax, relu, selu, sigmoid, soft_sign, softmax, tanh,
)
from mygrad_c.nnet.initializers import (
    constant, dirac, glorot_normal, glorot_uniform, he_normal, he_uniform, identity, normal, uniform,
)
from mygrad_c.nnet.losses import (
    focal_loss, margin_ranking_loss, multiclass_hinge, negative_log_likelihood,
    softmax_crossentropy, softmax_focal_loss,
)

try:
    from mygrad_c.nnet.layers import batchnorm, conv_nd, gru, max_pool
except ImportError:  # pragma: no cover - while the layers are being written
    pass
