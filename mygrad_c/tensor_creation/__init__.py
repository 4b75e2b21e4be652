"""Tensor creation: ``tensor``, ``ones``, ``zeros``, ``arange``, ``linspace``, ..."""
from mygrad_c.tensor_base import asarray, astensor, tensor
from mygrad_c.tensor_creation.funcs import (
    arange, empty, empty_like, eye, full, full_like, geomspace, identity, linspace,
    logspace, ones, ones_like, zeros, zeros_like,
)

__all__ = [
    "tensor", "asarray", "astensor", "arange", "empty", "empty_like", "eye", "full",
    "full_like", "geomspace", "identity", "linspace", "logspace", "ones", "ones_like",
    "zeros", "zeros_like",
]
