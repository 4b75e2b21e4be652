"""Neural-network layers: convolution, max-pooling, batch normalisation and the GRU."""
from mygrad_c.nnet.layers.batchnorm import batchnorm
from mygrad_c.nnet.layers.conv import conv_nd
from mygrad_c.nnet.layers.gru import gru
from mygrad_c.nnet.layers.pooling import max_pool

__all__ = ["conv_nd", "max_pool", "batchnorm", "gru"]
