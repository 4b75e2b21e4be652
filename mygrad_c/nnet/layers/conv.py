"""N-dimensional neural-network convolution (``conv_nd``): im2col + one GEMM per sample.

Forward: the input is unfolded into a column matrix (``im2col``) of shape
(C*K, G) per sample - one row per (channel, kernel offset), one column per
output position - so that the convolution is the matrix product
``w.reshape(F, C*K) @ cols``, which NumPy hands to BLAS.

Backward, with ``g`` the output gradient viewed as (N, F, G):

    dL/dw = sum_n cols[n] @ g[n]^T  (transposed)        (F, C*K)
    dL/dx = col2im(w.reshape(F, C*K)^T @ g)              (N, C, *S)

``col2im`` is the adjoint of ``im2col``: it adds every column entry back onto
the input position it was read from (padding positions are dropped).

float32/float64 with at most three spatial axes run the compiled drivers of
``src/_conv.pyx``, which unfold a few samples at a time into a cache-sized
buffer and unfold the input again in the backward pass rather than keeping the
columns of the whole batch.  Other dtypes and more spatial axes use the same
algorithm with NumPy slicing (keeping the columns).
"""
from __future__ import annotations

from numbers import Integral
from typing import Optional, Union

import numpy as np

from mygrad_c._conv import conv_forward, conv_grad_w, conv_grad_x
from mygrad_c._engine import execute_op
from mygrad_c.operation_base import Operation
from mygrad_c.nnet.layers.utils import sliding_window_view  # noqa: F401  (public names of MyGrad's module)
from mygrad_c.tensor_base import Tensor  # noqa: F401
from mygrad_c.typing import ArrayLike  # noqa: F401

__all__ = ["conv_nd"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_CHUNK_BYTES = 1 << 20  # the compiled drivers unfold about this many bytes of columns at a time


class ParameterTooLargeError(ValueError, TypeError, OverflowError):
    """A stride/padding/dilation beyond int64.  MyGrad fails there with OverflowError, TypeError
    (scalar padding) or ValueError (scalar dilation), so this is all three, with a clear message."""


def _per_axis(value, n: int, minimum: int, name: str = "value") -> np.ndarray:
    """``value`` as one int per convolved axis (an int is repeated), each >= minimum."""
    if isinstance(value, bool) and n:  # (for no axes at all, MyGrad takes it as an int)
        raise AssertionError()
    try:
        if isinstance(value, Integral):
            arr = np.full(n, value, dtype=np.int64)
        else:
            arr = np.asarray(value, dtype=np.int64)
    except OverflowError:
        raise ParameterTooLargeError(f"`{name}` is too large (it must fit in a 64-bit integer), "
                                     f"got {value!r}") from None
    if len(arr) != n or not bool(np.all(arr >= minimum)):
        raise AssertionError()
    return arr


def _small_ints(value, n: int, minimum: int) -> Optional[tuple]:
    """``value`` as ``n`` plain ints if it is an int or a tuple/list of ``n`` ints, each in
    [minimum, 2**31) - the common case, checked without NumPy - else None (the caller then
    takes ``_per_axis``'s route, which gives the errors)."""
    if type(value) is int:
        value = (value,) * n
    elif type(value) not in (tuple, list) or len(value) != n:
        return None
    for v in value:
        if type(v) is not int or not minimum <= v < 2 ** 31:
            return None
    return tuple(value)


def _small_grid(S, K, stride, padding, dilation) -> Optional[tuple]:
    """The output grid for plain-int geometry that is valid (see ``_check_geometry``), else None."""
    grid = []
    for s, k, st, p, d in zip(S, K, stride, padding, dilation):
        padded = s + 2 * p
        extent = (k - 1) * d + 1
        if k <= 0 or extent > padded or (padded - extent) % st or k * d > padded:
            return None
        grid.append((padded - extent) // st + 1)
    return tuple(grid)


def _check_geometry(x_shape, w_shape, stride, padding, dilation) -> tuple:
    """Raise MyGrad's errors for filters that do not tile the padded input; return G."""
    S = np.asarray(x_shape[2:], dtype=np.int64)
    K = np.asarray(w_shape[2:], dtype=np.int64)
    padded = S + 2 * padding
    extent = (K - 1) * dilation + 1
    if np.any(extent > padded) or np.any((padded - extent) % stride != 0):
        raise ValueError(
            "Stride and kernel dimensions are incompatible: \n"
            f"Input dimensions: {tuple(S)}\n"
            f"Stride dimensions: {tuple(stride)}\n"
            f"Kernel dimensions: {tuple(K)}\n"
            f"Padding dimensions: {tuple(padding)}\n"
            f"Dilation dimensions: {tuple(dilation)}\n")
    if not np.all(K > 0):
        raise TypeError(f"`window_shape` must be a sequence of positive integers, got: {tuple(K)}")
    if np.any(K * dilation > padded):
        raise ValueError(f"The dilated window ({tuple(K * dilation)}) must fit within the trailing "
                         f"dimensions of `arr` ({tuple(int(p) for p in padded)})")
    return tuple(int(g) for g in (padded - extent) // stride + 1)


# ---------------------------------------------------------------------------
# im2col / col2im with NumPy slicing: any dtype, any number of spatial axes
# ---------------------------------------------------------------------------
def _as3d(params, fill):
    return (fill,) * (3 - len(params)) + tuple(int(p) for p in params)


def _offset_slices(k, grid, stride, dilation):
    """The strided slices of the padded input that kernel offset ``k`` reads."""
    return tuple(slice(ki * di, ki * di + si * (gi - 1) + 1, si)
                 for ki, gi, si, di in zip(k, grid, stride, dilation))


def _unfold(x, K, G, stride, padding, dilation) -> np.ndarray:
    """cols (N, C, *K, *G): ``cols[n, c, k, g] = xpad[n, c, g*stride + k*dilation]``."""
    N, C = x.shape[:2]
    xp = np.pad(x, [(0, 0), (0, 0)] + [(int(p), int(p)) for p in padding]) if any(padding) else x
    cols = np.empty((N, C) + K + G, dtype=x.dtype)
    for k in np.ndindex(*K):
        cols[(slice(None), slice(None)) + k] = xp[(Ellipsis,) + _offset_slices(k, G, stride, dilation)]
    return cols


def _fold(cols, x_shape, stride, padding, dilation) -> np.ndarray:
    """The adjoint of ``_unfold``: add every column entry back onto its input position."""
    N, C = x_shape[:2]
    D = len(x_shape) - 2
    K, G = cols.shape[2:2 + D], cols.shape[2 + D:]
    padded = tuple(s + 2 * int(p) for s, p in zip(x_shape[2:], padding))
    dxp = np.zeros((N, C) + padded, dtype=cols.dtype)
    for k in np.ndindex(*K):
        dxp[(Ellipsis,) + _offset_slices(k, G, stride, dilation)] += cols[(slice(None), slice(None)) + k]
    inner = tuple(slice(int(p), int(p) + s) for p, s in zip(padding, x_shape[2:]))
    return dxp[(Ellipsis,) + inner]


class ConvND(Operation):
    """out[n, f, g] = sum_{c, k} w[f, c, k] * xpad[n, c, g*stride + k*dilation]

    d/dw: ``sum_n grad[n] @ cols[n]^T``;  d/dx: ``col2im(w^T @ grad)``.
    """

    def __call__(self, x, w, *, stride, padding, dilation, grid):
        self.variables = (x, w)
        self.stride, self.padding, self.dilation, self.grid = stride, padding, dilation, grid
        xd, wd = x.data, w.data
        dtype = np.result_type(xd, wd)
        xd, wd = xd.astype(dtype, copy=False), wd.astype(dtype, copy=False)
        D = len(grid)
        self._compiled = dtype in _FLOATS and D <= 3
        if self._compiled:  # as 3-d convolutions: (N, C, 1.., S), (F, C, 1.., K)
            one = (1,) * (3 - D)
            self._x5 = xd.reshape(xd.shape[:2] + one + xd.shape[2:])
            self._w5 = wd.reshape(wd.shape[:2] + one + wd.shape[2:])
            self._geometry = (_as3d(stride, 1), _as3d(padding, 0), _as3d(dilation, 1))
            out = conv_forward(self._x5, self._w5, *self._geometry, chunk_bytes=_CHUNK_BYTES)
            return out.reshape(out.shape[:2] + grid)
        N, F = xd.shape[0], wd.shape[0]
        CK, Gn = int(np.prod(wd.shape[1:])), int(np.prod(grid))
        self._w_mat = wd.reshape(F, CK)
        self._cols = _unfold(xd, wd.shape[2:], grid, stride, padding, dilation).reshape(N, CK, Gn)
        out = np.matmul(self._w_mat, self._cols)                  # (N, F, G)
        return out.reshape((N, F) + grid)

    def backward_var(self, grad, index, **kwargs):
        x, w = self.variables
        if self._compiled:
            dtype = self._x5.dtype
            g5 = np.reshape(grad, self._x5.shape[:1] + self._w5.shape[:1] + _as3d(self.grid, 1))
            g5 = np.ascontiguousarray(g5, dtype=dtype)
            if index == 1:
                dw = conv_grad_w(self._x5, g5, self._w5.shape, *self._geometry, chunk_bytes=_CHUNK_BYTES)
                return dw.reshape(w.shape)
            dx = conv_grad_x(g5, self._w5, self._x5.shape, *self._geometry, chunk_bytes=_CHUNK_BYTES)
            return dx.reshape(x.shape)
        cols = self._cols                                       # (N, C*K, G)
        N, CK, Gn = cols.shape
        g = np.reshape(grad, (N, w.shape[0], Gn)).astype(cols.dtype, copy=False)
        if index == 1:
            return np.matmul(g, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
        dcols = np.matmul(self._w_mat.T, g).reshape(x.shape[:2] + w.shape[2:] + self.grid)
        return _fold(dcols, x.shape, self.stride, self.padding, self.dilation)


def conv_nd(x, filter_bank, *, stride: Union[int, tuple[int, ...]],
            padding: Union[int, tuple[int, ...]] = 0,
            dilation: Union[int, tuple[int, ...]] = 1,
            constant: Optional[bool] = None):
    """Slide a bank of filters over a batch of N-d data (a deep-learning style convolution).

    ``x`` of shape (N, C, X0, ..., Xd) and ``filter_bank`` of shape (F, C, W0, ..., Wd)
    give an output of shape (N, F, G0, ..., Gd): ``out[n, f, g]`` is the sum over
    channels and kernel offsets of ``w[f, c, k] * xpad[n, c, g*stride + k*dilation]``.
    The filters are not flipped (this is a cross-correlation), and only placements
    where the (dilated) filter lies entirely inside the zero-padded data are used.

    Parameters
    ----------
    x : ArrayLike, shape=(N, C, X0, ...)
        The batch of data; a non-tensor is a constant.
    filter_bank : ArrayLike, shape=(F, C, W0, ...)
        The filters; each has the same number of channels, C, as ``x``.
    stride : int | tuple[int, ...]
        (keyword-only) The step between neighbouring filter placements along
        each convolved axis; an int is used along every axis.  The placements
        must tile the padded input exactly.
    padding : int | tuple[int, ...], optional (default=0)
        (keyword-only) The number of zeros added at both ends of each convolved axis.
    dilation : int | tuple[int, ...], optional (default=1)
        (keyword-only) The spacing between the filter's elements when placed on the data.
    constant : bool, optional
        (keyword-only) If True, the result is a constant.

    Returns
    -------
    Tensor, shape=(N, F, G0, ...)
        ``Gi = (Xi + 2*padding_i - dilation_i*(Wi - 1) - 1) // stride_i + 1``.

    Raises
    ------
    ValueError
        For mismatched dimensionalities or channels, or filters that do not tile
        the padded input.

    Examples
    --------
    A length-3 moving sum over one single-channel signal:

    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import conv_nd
    >>> x = mg.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]])   # (N=1, C=1, X0=5)
    >>> w = mg.ones((1, 1, 3))                         # (F=1, C=1, W0=3)
    >>> out = conv_nd(x, w, stride=1)
    >>> out
    Tensor([[[ 6.,  9., 12.]]])
    >>> out.sum().backward()
    >>> x.grad
    array([[[1., 2., 3., 2., 1.]]])
    """
    x_ndim = x.ndim
    if x_ndim < 3:
        raise ValueError(f"`x` must possess at least three dimensions, got {x_ndim} dimensions")
    w_ndim = filter_bank.ndim
    x_shape, w_shape = x.shape, filter_bank.shape
    if x_ndim != w_ndim:
        raise ValueError(f"`x` ({x_ndim}-dimensions) must have the same dimensionality as "
                         f"`filter_bank` ({w_ndim}-dimensions)")
    if x_shape[1] != w_shape[1]:
        raise ValueError(f"`x.shape[1]` ({x_shape[1]}) must match `filter_bank.shape[1]` ({w_shape[1]})")
    D = x_ndim - 2
    geometry = (_small_ints(stride, D, 1), _small_ints(padding, D, 0), _small_ints(dilation, D, 1))
    grid = None if None in geometry else _small_grid(x_shape[2:], w_shape[2:], *geometry)
    if grid is None:  # anything else, and every error, takes NumPy's route
        # (MyGrad's order: a bad dilation is reported before a bad padding, which is before a bad stride)
        dilation = _per_axis(dilation, D, 1, "dilation")
        padding = _per_axis(padding, D, 0, "padding")
        stride = _per_axis(stride, D, 1, "stride")
        grid = _check_geometry(x_shape, w_shape, stride, padding, dilation)
        geometry = tuple(tuple(int(v) for v in values) for values in (stride, padding, dilation))
    stride, padding, dilation = geometry
    return execute_op(ConvND, x, filter_bank, constant=constant,
                      op_kwargs=dict(stride=stride, padding=padding, dilation=dilation, grid=grid))
