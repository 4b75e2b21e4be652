"""Validation of the scalar parameters of activations, losses and initializers (MyGrad's errors)."""
from __future__ import annotations

from numbers import Real

import numpy as np

from mygrad_c._engine import TensorBase

__all__ = []


def real_scalar(value, name: str):
    """``value`` as a real scalar, as MyGrad reads scalar parameters.

    A tensor or array must have size 1 (ValueError otherwise) and is replaced by its item;
    anything that is then not a real number (str, None, complex, list, ...) is a TypeError
    naming the parameter.
    """
    value = scalar_item(value, name)
    if not isinstance(value, Real):
        raise TypeError(f"`{name}` must be a real-valued scalar, got {value} (type {type(value)})")
    return value


def scalar_item(value, name: str):
    """The item of a size-1 tensor or array (ValueError for another size); anything else as it is.
    (The first half of ``real_scalar``: MyGrad takes the items of all of an op's scalar
    parameters before it checks their types.)"""
    if isinstance(value, TensorBase):
        if value.size != 1:
            raise ValueError(f"`{name}`: can only convert a tensor of size 1 to a Python scalar")
        value = value.data.item()
    elif isinstance(value, np.ndarray):
        if value.size != 1:
            raise ValueError(f"`{name}`: can only convert an array of size 1 to a Python scalar")
        value = value.item()
    return value
