"""Input validation shared by the classification losses (same errors as MyGrad)."""
from __future__ import annotations

import numpy as np

from mygrad_c._engine import TensorBase
from mygrad_c.nnet.activations.softmax import integer_softmax_data, log_softmax_data


def as_array(x) -> np.ndarray:
    """The array behind a tensor, or ``np.asarray(x)``."""
    return x.data if isinstance(x, TensorBase) else np.asarray(x)


def check_numeric(x_data: np.ndarray) -> None:
    """MyGrad turns the scores into a tensor first: a non-numeric dtype is a TypeError."""
    if x_data.dtype.kind not in "biuf":
        raise TypeError("Tensor data must be of an floating type, integer type, or boolean type, "
                        f"received {x_data.dtype.type}")


def check_scores_and_labels(x, y_true, numeric: bool = True) -> np.ndarray:
    """Validate ``x`` as (numeric, unless ``numeric=False``) shape-(N, C) and ``y_true`` as integer
    shape-(N,); return the labels."""
    x_data = as_array(x)
    if numeric:
        check_numeric(x_data)
    if x_data.ndim != 2:
        raise ValueError(f"`x` must be a 2-dimensional array-like object, got {x_data.ndim}-dim")
    y = as_array(y_true)
    if y.dtype.kind not in "ium":   # (np.issubdtype(y.dtype, np.integer), timedelta64 too, without its cost)
        raise TypeError(f"`y_true` must be an integer-type array-like object, got {y.dtype}")
    if y.ndim != 1 or y.shape[0] != x_data.shape[0]:
        raise ValueError(
            "`y_true` must be a shape-(N,) array: \n"
            f"\tExpected shape-({x_data.shape[0]},)\n"
            f"\tGot shape-{y.shape}")
    return y


def check_alpha(alpha) -> None:
    """A complex ``alpha``: MyGrad fails in an in-place float subtract (numpy's casting TypeError)."""
    if np.iscomplexobj(as_array(alpha)):
        np.subtract(np.zeros(()), np.asarray(alpha), out=np.zeros(()))


def float_data(x: np.ndarray) -> np.ndarray:
    """``x`` as a floating array (integers and bools become float64)."""
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def log_softmax_rows(x: np.ndarray) -> np.ndarray:
    """log(softmax(x, axis=1)) by log-sum-exp: finite for any finite logits, and the small
    log-probabilities to their last digits (``log_softmax_data(..., as_mygrad=False)``).

    Integer logits take the log of MyGrad's softmax of them (``integer_softmax_data``: int8
    probabilities to float16 precision, as MyGrad computes them) where it is positive, and the
    exact log-softmax where it underflowed to 0 (MyGrad: log(0) = -inf, an infinite loss)."""
    if x.shape[1] == 0:
        return float_data(x).copy()
    if x.dtype.kind in "iu":
        p = integer_softmax_data(x, axis=1)
        exact = log_softmax_data(float_data(x), axis=1, as_mygrad=False)
        with np.errstate(divide="ignore"):
            return np.where(p > 0, np.log(p), exact)
    return log_softmax_data(x, axis=1, as_mygrad=False)
