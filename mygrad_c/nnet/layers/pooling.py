"""N-dimensional max-pooling (``max_pool``).

The forward pass records, for every window, which element won (the first
maximum in row-major window order, or the first NaN - ``numpy.argmax``'s rule);
the backward pass sends each output gradient to that one position (adding where
overlapping windows share a winner).  float32/float64 data with at most three
pooled axes run compiled kernels (``src/_pool.pyx``, which keep one byte per
window); other dtypes and more pooled axes take the same route through NumPy.
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Optional, Union

import numpy as np
from numpy.lib.stride_tricks import as_strided

from mygrad_c._engine import TensorBase, execute_op
from mygrad_c._pool import max_pool_backward, max_pool_forward
from mygrad_c.nnet.layers.conv import _per_axis, _small_grid, _small_ints
from mygrad_c.operation_base import Operation
from mygrad_c.nnet.layers.utils import sliding_window_view  # noqa: F401  (public names of MyGrad's module)
from mygrad_c.tensor_base import Tensor  # noqa: F401
from mygrad_c.typing import ArrayLike  # noqa: F401

__all__ = ["max_pool"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _pool_numpy(x, pool, stride, grid):
    """(out, argmax) for x of shape (M, *S) in any dtype, any number of pooled axes."""
    M, S = x.shape[0], x.shape[1:]
    x = np.ascontiguousarray(x)
    sample_strides = np.array([int(np.prod(S[j + 1:])) for j in range(len(S))], dtype=np.intp)
    view = as_strided(x, shape=(M,) + grid + pool,
                      strides=(x.strides[0],)
                      + tuple(x.strides[1 + j] * stride[j] for j in range(len(S)))
                      + x.strides[1:], writeable=False)
    windows = view.reshape(M, int(np.prod(grid)), int(np.prod(pool)))  # (M, Gn, Kn) copy
    best = np.argmax(windows, axis=-1)                     # first max / first NaN
    out = np.take_along_axis(windows, best[..., None], axis=-1)[..., 0].reshape((M,) + grid)
    # flat offset (within the sample) of each window's origin and of each window element
    origin = sum(np.arange(g).reshape((-1,) + (1,) * (len(grid) - j - 1)) * (s * ss)
                 for j, (g, s, ss) in enumerate(zip(grid, stride, sample_strides)))
    within = sum(np.arange(k).reshape((-1,) + (1,) * (len(pool) - j - 1)) * ss
                 for j, (k, ss) in enumerate(zip(pool, sample_strides)))
    arg = np.asarray(origin, dtype=np.intp).reshape(1, -1) + np.asarray(within).reshape(-1)[best]
    return out, arg.reshape((M,) + grid)


class MaxPoolND(Operation):
    """out[..., g] = max over the window at g*stride;  d/dx: grad routed to each window's argmax"""

    def __call__(self, x, *, pool, stride, grid):
        self.variables = (x,)
        self.pool = np.array(pool)       # (MyGrad's attributes)
        self.stride = np.array(stride)
        data = x.data
        D = len(pool)
        lead = data.shape[:-D]
        M = int(np.prod(lead))
        S = data.shape[-D:]
        self._compiled = data.dtype in _FLOATS and D <= 3
        if self._compiled:
            one = (1,) * (3 - D)
            self._geometry = ((M,) + one + S, one + pool, one + stride)
            out, self._arg = max_pool_forward(data.reshape(self._geometry[0]), *self._geometry[1:])
        else:
            out, self._arg = _pool_numpy(data.reshape((M,) + S), pool, stride, grid)
        return out.reshape(lead + grid)

    def winners(self) -> np.ndarray:
        """Each window's winner as a flat index into its sample's elements: (M, windows)."""
        M = self._arg.shape[0]
        if not self._compiled:
            return self._arg.reshape(M, -1)
        (_, *S), K, stride = self._geometry
        within = np.unravel_index(self._arg.astype(np.intp), K)   # the winner's offset in its window
        grid = np.indices(self._arg.shape[1:])                      # each window's grid position
        at = [grid[j] * stride[j] + within[j] for j in range(len(K))]
        return np.ravel_multi_index(at, S).reshape(M, -1)

    def backward_var(self, grad, index, **kwargs):
        x = self.variables[0]
        # Overlapping windows (a stride shorter than the window) can route several gradients
        # to one element: they are summed in float64 and rounded once, as MyGrad sums them
        # (the same bits); otherwise each element gets at most one, in its own dtype.
        overlap = bool(np.any(self.stride < self.pool))
        acc = np.float64 if overlap else None
        if self._compiled:
            g = np.reshape(grad, self._arg.shape)
            if g.dtype not in _FLOATS or acc is not None:
                g = g.astype(acc or x.dtype)
            dx = max_pool_backward(g, self._arg, *self._geometry)
            return dx.astype(grad.dtype, copy=False).reshape(x.shape)
        M = self._arg.shape[0]
        Gn = self._arg.size // M if M else 0
        dx = np.zeros((M, x.size // M if M else 0), dtype=acc or grad.dtype)
        np.add.at(dx, (np.arange(M)[:, None], self._arg.reshape(M, Gn)), np.reshape(grad, (M, Gn)))
        return dx.astype(grad.dtype, copy=False).reshape(x.shape)


def max_pool(x, pool: tuple[int, ...], stride: Union[int, tuple[int, ...]], *,
             constant: Optional[bool] = None):
    """Max-pool the trailing ``len(pool)`` axes of ``x`` with windows of shape ``pool``.

    The windows are placed ``stride`` apart along each pooled axis and must tile
    those axes exactly; each output is the largest value in its window.  The
    gradient reaches only the winning element of each window (the first one in
    row-major order if there are ties; a NaN always wins).

    Parameters
    ----------
    x : ArrayLike, shape=(..., X0, ..., Xd)
        The data; the leading axes (e.g. batch and channels) are not pooled.
    pool : tuple[int, ...]
        The window's shape ``(W0, ..., Wd)``; its length sets how many trailing axes are pooled.
    stride : int | tuple[int, ...]
        The step between neighbouring windows along each pooled axis; an int is
        used along every pooled axis.
    constant : bool, optional
        (keyword-only) If True, the result is a constant.

    Returns
    -------
    Tensor, shape=(..., G0, ..., Gd)
        ``Gi = (Xi - Wi) // stride_i + 1``.

    Raises
    ------
    ValueError
        If the windows do not tile the pooled axes.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import max_pool
    >>> x = mg.tensor([[1.0, 5.0, 2.0, 0.0],
    ...                [3.0, 4.0, 8.0, 7.0]])
    >>> out = max_pool(x, pool=(2, 2), stride=2)
    >>> out
    Tensor([[5., 8.]])
    >>> out.backward()
    >>> x.grad
    array([[0., 1., 0., 0.],
           [0., 0., 1., 0.]])
    """
    if not isinstance(x, (TensorBase, np.ndarray)):
        x = np.asarray(x)
    if x.dtype.kind not in "biuf":  # MyGrad makes a tensor of x first
        raise TypeError("Tensor data must be of an floating type, integer type, or boolean type, "
                        f"received {x.dtype.type}")
    # MyGrad asserts on the pool (AssertionError, kept for compatibility) but entries that cannot
    # be compared with 0 fail with a TypeError there
    if not isinstance(pool, (tuple, list, np.ndarray)):
        raise AssertionError()  # MyGrad's (empty) message, which tests/nnet/test_pooling.py pins
    for p in pool:
        if not isinstance(p, (Real, np.number)):
            raise TypeError(f"`pool` must be a tuple of positive integers, got {pool!r}: "
                            f"'>=' not supported between instances of '{type(p).__name__}' and 'int'")
        if not isinstance(p, Integral) or p <= 0:
            raise AssertionError()
    D = len(pool)
    if D > x.ndim:
        raise AssertionError("The number of pooled dimensions cannot exceed the dimensionality of the data.")
    if D == 0 and x.ndim == 0:
        if not isinstance(stride, Integral):
            _per_axis(stride, D, 1)  # (MyGrad reports a stride it cannot read first)
        raise IndexError("tuple index out of range")
    small = _small_ints(stride, D, 1) if D else None
    # the common case, without NumPy (pool's entries are positive Integrals here): a pool is a
    # convolution window with no padding and no dilation
    pool_ints = tuple(int(p) for p in pool)
    grid = None if small is None else _small_grid(x.shape[-D:], pool_ints, small, (0,) * D, (1,) * D)
    if grid is not None:
        return execute_op(MaxPoolND, x, constant=constant,
                          op_kwargs=dict(pool=pool_ints, stride=small, grid=grid))
    stride = _per_axis(stride, D, 1)
    pool_arr = np.asarray(pool)
    S = np.asarray(x.shape[-D:])
    if np.any(S < pool_arr) or np.any((S - pool_arr) % stride != 0):
        raise ValueError("Stride and kernel dimensions are incompatible: \n"
                         f"Input dimensions: {tuple(S)}\n"
                         f"Stride dimensions: {tuple(stride)}\n"
                         f"Pooling dimensions: {tuple(pool_arr)}\n")
    grid = tuple(int(g) for g in (S - pool_arr) // stride + 1)
    return execute_op(MaxPoolND, x, constant=constant,
                      op_kwargs=dict(pool=tuple(int(p) for p in pool_arr),
                                     stride=tuple(int(s) for s in stride), grid=grid))
