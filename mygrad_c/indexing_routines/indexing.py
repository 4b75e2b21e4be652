"""Differentiable indexing: ``x[index]`` (GetItem) and ``x[index] = v`` (SetItem).

Both follow NumPy's indexing rules exactly, because the forward pass *is*
NumPy's indexing on the tensor's data (tensors used as indices are replaced by
their arrays first, so NumPy raises its own IndexError for a bad index).

Backward
--------
- Basic indexing (integers, slices, ``...``, ``None``) selects every input
  element at most once: the gradient is ``zeros_like(x)`` with ``grad`` written
  into ``[index]``.
- Advanced indexing (integer / boolean arrays) may read an element many times,
  so the gradient is a scatter-*add*.  The index is reduced to flat positions
  (``np.ravel_multi_index`` of the broadcast index arrays), and the compiled
  kernel ``mygrad_c._indexing.scatter_add_rows`` adds whole rows of ``grad``
  into a zero array.  When the advanced indices lead the index and are followed
  only by full slices, a "row" is a whole trailing sub-array; otherwise it is a
  single element.
"""
from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np

from mygrad_c._engine import GetItem, SetItem, TensorBase, method_op, set_indexing_helpers
from mygrad_c._indexing import scatter_add_rows
from mygrad_c._parallel import take_rows
from mygrad_c.operation_base import Operation

__all__: list = []


# ---------------------------------------------------------------------------
# index normalisation and classification
# ---------------------------------------------------------------------------
def _unwrap(item):
    """Replace tensors (also inside lists) by their arrays."""
    if isinstance(item, TensorBase):
        return item.data
    if isinstance(item, list) and any(isinstance(i, (TensorBase, list)) for i in item):
        return [_unwrap(i) for i in item]
    return item


def _unwrap_item(item):
    """An item of an index with tensors replaced by arrays; as in MyGrad, a 0-d integer
    tensor stands for its integer (NumPy reads it through ``__index__``), so ``x[t]``
    is a basic index - a view - where ``x[np.array(1)]`` is an advanced one."""
    if isinstance(item, TensorBase) and item.ndim == 0 and item.dtype.kind in "iu":
        return int(item.data)
    return _unwrap(item)


def normalize_index(index):
    """``index`` with every tensor replaced by its NumPy array (tuples kept as tuples)."""
    if type(index) is int or type(index) is slice:
        return index
    if isinstance(index, tuple):
        return tuple(_unwrap_item(i) for i in index)
    return _unwrap_item(index)


def _is_basic_item(item) -> bool:
    if item is None or item is Ellipsis or isinstance(item, slice):
        return True
    return isinstance(item, (Integral, np.integer)) and not isinstance(item, (bool, np.bool_))


def is_basic_index(index) -> bool:
    """True if ``index`` is a NumPy *basic* index (its result is a view, no repeats)."""
    if type(index) is int or type(index) is slice:  # the common cases, quickly
        return True
    items = index if isinstance(index, tuple) else (index,)
    return all(_is_basic_item(i) for i in items)


def _as_index_array(item):
    """An integer/bool index array for ``item``, or None if it is not one."""
    if isinstance(item, (Integral, np.integer)) and not isinstance(item, (bool, np.bool_)):
        return np.asarray(item, dtype=np.intp)
    if isinstance(item, list):
        try:
            arr = np.asarray(item)
        except (ValueError, TypeError):
            return None
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.intp)
        item = arr
    if isinstance(item, np.ndarray):
        if item.dtype.kind in "iu" or (item.dtype.kind == "b" and item.ndim > 0):
            return item
    return None


def _leading_rows(index, shape):
    """Reduce an advanced index that leads the index to flat row numbers.

    For an index ``(a_1, ..., a_k, :, ..., :)`` whose leading entries are
    integer/boolean arrays (or integers alongside at least one array) covering
    the first ``d`` axes, return ``(rows, d)``: the flat positions (into
    ``shape[:d]``) of every indexed row, in the order of ``x[index]``, which then
    has shape ``rows.shape + shape[d:]``.  Return None for any other index.
    """
    items = index if isinstance(index, tuple) else (index,)
    arrays = []
    n_axes = 0
    has_array = False
    pos = 0
    for pos, item in enumerate(items):
        arr = _as_index_array(item)
        if arr is None:
            break
        if arr.dtype.kind == "b":
            arrays.extend(np.nonzero(arr))
            n_axes += arr.ndim
        else:
            arrays.append(arr)
            n_axes += 1
        has_array = has_array or arr.ndim > 0 or isinstance(item, np.ndarray)
    else:
        pos = len(items)
    if not has_array or not arrays:
        return None
    for item in items[pos:]:
        if item is Ellipsis or (isinstance(item, slice) and item == slice(None)):
            continue
        return None
    if n_axes > len(shape):
        return None
    dims = shape[:n_axes]
    if len(arrays) == 1 and n_axes == 1:
        rows = arrays[0]
    else:
        rows = np.ravel_multi_index(np.broadcast_arrays(*arrays), dims, mode="wrap")
    if rows.size and rows.min() < 0:
        rows = np.where(rows < 0, rows + dims[0], rows)
    return rows, n_axes


def _flat_positions(index, shape) -> np.ndarray:
    """For every element of ``x[index]`` (``x.shape == shape``), its flat position in ``x``."""
    return np.arange(int(np.prod(shape)), dtype=np.intp).reshape(shape)[index]


def _scatter_add(grad: np.ndarray, index, shape) -> np.ndarray:
    """``out = zeros(shape); out[index] += grad`` with repeated indices accumulating."""
    dtype = grad.dtype
    work = np.float32 if dtype == np.float16 else dtype
    if work not in (np.float32, np.float64):
        work = np.float64
    lead = _leading_rows(index, shape)
    if lead is not None:
        rows, n_axes = lead
        n_rows = int(np.prod(shape[:n_axes]))
        width = int(np.prod(shape[n_axes:]))
        out = np.zeros((n_rows, width), dtype=work)
        src = np.asarray(grad, dtype=work).reshape(rows.size, width)
        scatter_add_rows(out, rows.reshape(-1), src)
    else:
        positions = _flat_positions(index, shape).reshape(-1)
        out = np.zeros((int(np.prod(shape)), 1), dtype=work)
        src = np.asarray(grad, dtype=work).reshape(-1, 1)
        scatter_add_rows(out, positions, src)
    out = out.reshape(shape)
    return out if out.dtype == dtype else out.astype(dtype)


# ---------------------------------------------------------------------------
# x[index]
# ---------------------------------------------------------------------------
# GetItem (f(x) = x[index]) is compiled: see ``mygrad_c._engine.GetItem`` for its
# forward and backward; the helpers for advanced indices are below.


def _take_rows_fast(data: np.ndarray, index):
    """``data[index]`` via ``np.take`` when ``index`` is one in-bounds integer array."""
    if isinstance(index, tuple):
        if len(index) != 1:
            return None
        index = index[0]
    if not (isinstance(index, np.ndarray) and index.dtype.kind in "iu" and index.ndim > 0
            and data.ndim > 0 and index.size):
        return None
    n = data.shape[0]
    if index.min() < -n or index.max() >= n:
        return None  # let NumPy raise its own IndexError
    out = take_rows(data, index)   # (large: split over threads)
    return np.take(data, index, axis=0) if out is None else out


def getitem(tensor: TensorBase, index: Any) -> TensorBase:
    """``tensor[index]``, differentiable; NumPy's basic and advanced indexing.

    Parameters
    ----------
    tensor : Tensor
        The tensor to index.
    index : int | slice | None | Ellipsis | ArrayLike | Tensor | tuple
        Any NumPy index; tensors are used through their data.

    Returns
    -------
    Tensor
        Basic indices give a result whose data is a view of ``tensor.data``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0])
    >>> y = x[[0, 0, 2]]
    >>> y.backward()
    >>> x.grad
    array([2., 0., 1.])
    """
    return method_op(type(tensor), GetItem, (tensor,), (normalize_index(index),))


# ---------------------------------------------------------------------------
# x[index] = value
# ---------------------------------------------------------------------------
def _last_writer_mask(index, shape) -> np.ndarray:
    """For each element of ``x[index]``: is it the last write to its position?

    NumPy's assignment with repeated advanced indices keeps the value written
    last; only that value receives a gradient.
    """
    positions = _flat_positions(index, shape).reshape(-1)
    mask = np.zeros(positions.size, dtype=bool)
    if positions.size:
        _, first_in_reversed = np.unique(positions[::-1], return_index=True)
        mask[positions.size - 1 - first_in_reversed] = True
    return mask


# SetItem (f(x, v) = x with x[index] = v written in) is compiled with GetItem: see
# ``mygrad_c._engine.SetItem``.


set_indexing_helpers(is_basic_index, _take_rows_fast, _scatter_add, _last_writer_mask)

# ``tensor[index] = value`` lives with the other in-place operations, which handle views
from mygrad_c._in_place import setitem  # noqa: E402,F401
