"""``where(condition, x, y)``: pick elements from ``x`` or ``y``, differentiably."""
from __future__ import annotations

from typing import Optional

import numpy as np

from mygrad_c._engine import TensorBase, execute_op
from mygrad_c.operation_base import Operation

__all__ = ["where"]


class _NoValue:
    """Marks an argument that was not given (shown as ``<no value>``, as in NumPy)."""

    def __repr__(self) -> str:
        return "<no value>"


_NO_VALUE = _NoValue()


class Where(Operation):
    """f(x, y) = where(condition, x, y);  df/dx = condition, df/dy = not condition

    (``condition`` is broadcast with ``x`` and ``y``; the engine sums the
    gradients back down to each input's shape.)
    """

    def __call__(self, x, y, condition):
        self.variables = (x, y)
        self.condition = condition
        return np.where(condition, x.data, y.data)

    def backward_var(self, grad, index, **kwargs):
        zero = np.zeros((), dtype=grad.dtype)
        if index == 0:
            return np.where(self.condition, grad, zero)
        return np.where(self.condition, zero, grad)


def where(condition, x=_NO_VALUE, y=_NO_VALUE, *, constant: Optional[bool] = None):
    """Return elements chosen from ``x`` or ``y`` depending on ``condition``.

    With only ``condition`` given this is ``np.where(condition)``: a tuple of
    the indices of its true elements (plain arrays).

    Parameters
    ----------
    condition : ArrayLike[bool]
        Where True, take ``x``, otherwise ``y``.  Not differentiated.
    x, y : ArrayLike
        The values to choose from; broadcast together with ``condition``.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor | tuple[numpy.ndarray, ...]

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0])
    >>> y = mg.where(x > 1.5, x, 0.0)
    >>> y
    Tensor([0., 2., 3.])
    >>> y.backward()
    >>> x.grad
    array([0., 1., 1.])
    """
    if isinstance(condition, TensorBase):
        condition = condition.data
    if x is _NO_VALUE and y is _NO_VALUE:
        return np.where(condition)
    if x is _NO_VALUE or y is _NO_VALUE:
        raise ValueError("either both or neither of x and y should be given")
    return execute_op(Where, x, y, op_args=(np.asarray(condition),), constant=constant)
