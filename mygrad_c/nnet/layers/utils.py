"""Layer utilities: ``sliding_window_view``, a strided (no-copy) view of windows."""
from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Optional, Union

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["sliding_window_view"]


def _is_pos_int(value) -> bool:
    return isinstance(value, Integral) and value > 0


def _check_window(arr, window_shape) -> tuple:
    """Validate ``window_shape`` (type, then count); return it as a tuple."""
    if not hasattr(window_shape, "__len__") or not all(_is_pos_int(w) for w in window_shape):
        shown = tuple(window_shape) if hasattr(window_shape, "__len__") else window_shape
        raise TypeError(f"`window_shape` must be a sequence of positive integers, got: {shown}")
    window = tuple(window_shape)
    if len(window) > arr.ndim:
        raise ValueError(f"`window_shape` ({window}) cannot specify more values than "
                         f"`arr.ndim` ({arr.ndim}).")
    return window


def _check_step(step, n: int) -> tuple:
    """A positive int (used along every windowed axis) or a sequence of them."""
    if isinstance(step, Integral):
        step = (step,) * n
    elif not isinstance(step, (Sequence, np.ndarray)):
        raise TypeError(f"`step` must be a positive integer or a sequence of positive "
                        f"integers, got: {step}")
    step = tuple(step)
    if not all(_is_pos_int(s) for s in step):
        raise ValueError(f"`step` must be a positive integer or a sequence of positive "
                         f"integers, got: {step}")
    return step


def _check_dilation(dilation, window: tuple):
    """None (no dilation), a positive int, or one positive int per window axis."""
    if dilation is None:
        return None
    if isinstance(dilation, Integral):
        dilation = np.full(len(window), dilation)
        if dilation.dtype == np.bool_ and dilation.all():
            dilation = dilation.astype(np.intp)   # (dilation=True: MyGrad takes it as 1)
    elif not isinstance(dilation, (Sequence, np.ndarray)):
        raise TypeError(f"`dilation` must be None, a positive integer, or a sequence of "
                        f"positive integers, got: {dilation}")
    if len(dilation) != len(window) or not all(_is_pos_int(d) for d in dilation):
        raise ValueError(f"`dilation` must be None, a positive integer, or a sequence of "
                         f"positive integers with the same length as `window_shape` "
                         f"({window}), got: {dilation}")
    return dilation


def sliding_window_view(arr: np.ndarray, window_shape: Sequence[int],
                        step: Union[int, Sequence[int]],
                        dilation: Optional[Union[int, Sequence[int]]] = None) -> np.ndarray:
    """A read-only strided view of the windows placed over the trailing axes of ``arr``.

    No data is copied unless ``arr`` is not C-contiguous (then a contiguous copy
    is viewed instead).  Windows are placed only where they fit entirely.

    Parameters
    ----------
    arr : numpy.ndarray, shape=(..., x0, ..., xk)
        The array to view; the windowed axes are the trailing ``len(window_shape)``.
    window_shape : Sequence[int]
        The window's extent ``(W0, ..., Wk)`` along the trailing axes.
    step : int | Sequence[int]
        The distance ``(S0, ..., Sk)`` between neighbouring windows; one int is
        used along every windowed axis.
    dilation : int | Sequence[int], optional
        The spacing ``(D0, ..., Dk)`` between a window's elements (default 1).

    Returns
    -------
    numpy.ndarray, shape=(G0, ..., Gk, ..., W0, ..., Wk)
        The grid of window positions first, then the leading (unwindowed) axes of
        ``arr``, then the window's axes: ``out[i0, ..., ik]`` is
        ``arr[..., i0*S0 : i0*S0 + W0*D0 : D0, ..., ik*Sk : ik*Sk + Wk*Dk : Dk]``,
        and ``Gj = (xj - (Wj - 1) * Dj - 1) // Sj + 1``.

    Raises
    ------
    TypeError, ValueError
        For an invalid window shape, step or dilation, or a window that does not fit.

    Examples
    --------
    >>> import numpy as np
    >>> from mygrad_c import sliding_window_view
    >>> x = np.arange(12).reshape(3, 4)
    >>> y = sliding_window_view(x, window_shape=(2, 2), step=(1, 2))
    >>> y.shape
    (2, 2, 2, 2)
    >>> y[1, 0]  # the window at row 1, column 0
    array([[4, 5],
           [8, 9]])
    """
    window = _check_window(arr, window_shape)
    n = len(window)
    step = _check_step(step, n)
    trailing = arr.shape[-n:]
    if np.any(np.asarray(trailing) < np.asarray(window)):
        raise ValueError(f"Each size of the window-shape must fit within the trailing "
                         f"dimensions of `arr`.{window} does not fit in {trailing}")
    dilation = _check_dilation(dilation, window)
    if dilation is not None:
        dilated = tuple(w * d for w, d in zip(window, dilation))
        if any(dw > s for dw, s in zip(dilated, trailing)):
            raise ValueError(f"The dilated window ({dilated}) must fit within the trailing "
                             f"dimensions of `arr` ({trailing})")
    else:
        dilation = np.ones(n, dtype=np.intp)
    if not arr.flags["C_CONTIGUOUS"]:
        arr = np.ascontiguousarray(arr)

    dilation = np.asarray(dilation, dtype=np.intp)
    win = np.asarray(window, dtype=np.intp)
    step_strides = np.array(step, dtype=np.intp)
    step_strides *= arr.strides[-n:]  # (NumPy's own broadcast error for a wrong-length step)
    grid = (np.asarray(arr.shape[-n:]) - (win - 1) * dilation - 1) // np.asarray(step) + 1
    shape = tuple(int(g) for g in grid) + arr.shape[:-n] + tuple(int(w) for w in window)
    strides = (tuple(int(s) for s in step_strides) + arr.strides[:-n]
               + tuple(int(s) for s in np.asarray(arr.strides[-n:]) * dilation))
    if len(step) != n:
        # MyGrad's as_strided error where the array has more axes than the window; where it
        # has not, MyGrad's view reaches past the array's memory (garbage values, or a crash)
        raise ValueError(f"mismatch in length of strides and shape: `step` has {len(step)} entries "
                         f"for {n} windowed axes")
    return as_strided(arr, shape=shape, strides=strides, writeable=False)
