"""Tensor contractions: ``einsum`` and ``multi_matmul``.

``EinSum`` is one operation for every subscript form NumPy accepts.  Its forward
pass is ``numpy.einsum``; its backward pass is another einsum: the gradient of
operand ``k`` contracts the incoming gradient with every *other* operand onto
``k``'s labels.  Three details complete it:

- labels that occur only in operand ``k`` and not in the output were summed
  away, so the gradient is broadcast back along them;
- a label repeated within operand ``k`` (``"ii->i"``, the trace ``"ii"``) means the
  forward read a diagonal, so the gradient is written onto that diagonal of a
  zero array;
- a length-1 axis of operand ``k`` that broadcast against a longer one is
  summed back to length 1.

Internally every subscript is turned into lists of integer labels (ellipsis
dimensions get labels of their own), so the backward einsum calls use NumPy's
sublist form and never need to re-parse strings.

``multi_matmul`` chooses the cheapest parenthesisation of a matrix chain by
dynamic programming and composes the product from ``matmul`` operations.
"""
from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Optional, Sequence, Union

import numpy as np
from numpy.lib.stride_tricks import as_strided

from mygrad_c._engine import TensorBase, execute_op
from mygrad_c.operation_base import Operation

if TYPE_CHECKING:  # pragma: no cover
    from mygrad_c.tensor_base import Tensor
    from mygrad_c.typing import ArrayLike

__all__ = ["einsum", "multi_matmul"]

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # NumPy's sublist order
_N_LABELS = len(_LETTERS)


# ---------------------------------------------------------------------------
# subscript parsing
# ---------------------------------------------------------------------------
def _sublist_to_str(sublist) -> str:
    """Render one NumPy sublist (ints in [0, 52) and ``Ellipsis``) as subscript text."""
    out = []
    for item in sublist:
        if item is Ellipsis:
            out.append("...")
            continue
        try:
            i = operator.index(item)
        except TypeError:
            raise TypeError("For this input type lists must contain either int or Ellipsis") from None
        if not 0 <= i < _N_LABELS:
            raise ValueError(f"subscript is not within the valid range [0, {_N_LABELS})")
        out.append(_LETTERS[i])
    return "".join(out)


def _split_operands(operands: tuple) -> tuple[str, list]:
    """Return (subscripts string, operands) for either calling convention of einsum."""
    if not operands:
        raise ValueError("No input operands")
    if isinstance(operands[0], str):
        return operands[0], list(operands[1:])
    arrays = list(operands[0::2])
    sublists = list(operands[1::2])
    out_sub = None
    if len(operands) % 2 == 1:  # a trailing output sublist
        out_sub = arrays.pop()
    subs = ",".join(_sublist_to_str(s) for s in sublists)
    if out_sub is not None:
        subs += "->" + _sublist_to_str(out_sub)
    return subs, arrays


def _terms(spec: str) -> list:
    """Tokenise one operand's subscripts into letters and ``...``."""
    tokens, i = [], 0
    while i < len(spec):
        if spec.startswith("...", i):
            tokens.append(...)
            i += 3
        else:
            tokens.append(spec[i])
            i += 1
    return tokens


def _parse(subscripts: str, shapes: Sequence[tuple]) -> tuple[list, list]:
    """Integer labels of every operand and of the output.

    Assumes ``numpy.einsum`` has already accepted ``subscripts`` for these shapes.
    Letters keep NumPy's ordering (``A``..``Z`` -> 0..25, ``a``..``z`` -> 26..51);
    ellipsis dimensions get unused labels, shared right-aligned as broadcasting does.
    """
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, rhs = subscripts.split("->")
    else:
        lhs, rhs = subscripts, None
    in_tokens = [_terms(s) for s in lhs.split(",")]

    n_ell = [len(shape) - (len(toks) - 1) if ... in toks else 0
             for toks, shape in zip(in_tokens, shapes)]
    n_ell_max = max(n_ell, default=0)
    free = [i for i in range(_N_LABELS)
            if _LETTERS[i] not in lhs and (rhs is None or _LETTERS[i] not in rhs)]
    if len(free) < n_ell_max:
        raise ValueError("einsum: too many subscripts and broadcast dimensions (at most 52 in all)")
    ell_labels = free[:n_ell_max]

    def expand(tokens, n):
        labels = []
        for t in tokens:
            if t is ...:
                labels.extend(ell_labels[n_ell_max - n:] if n else [])
            else:
                labels.append(_LETTERS.index(t))
        return labels

    in_labels = [expand(toks, n) for toks, n in zip(in_tokens, n_ell)]
    if rhs is not None:
        out_labels = expand(_terms(rhs), n_ell_max)
    else:  # implicit mode: broadcast dims, then the labels seen exactly once, sorted
        counts: dict = {}
        for toks in in_tokens:
            for t in toks:
                if t is not ...:
                    counts[t] = counts.get(t, 0) + 1
        once = sorted(_LETTERS.index(t) for t, c in counts.items() if c == 1)
        out_labels = list(ell_labels) + once
    return in_labels, out_labels


def _label_sizes(in_labels, shapes) -> dict:
    """Broadcast size of each label (a length-1 axis yields to any other length)."""
    sizes: dict = {}
    for labels, shape in zip(in_labels, shapes):
        for lbl, n in zip(labels, shape):
            if lbl not in sizes or sizes[lbl] == 1:
                sizes[lbl] = n
    return sizes


# ---------------------------------------------------------------------------
# the operation
# ---------------------------------------------------------------------------
class EinSum(Operation):
    """f(x_0, ..., x_n) = einsum(subscripts, x_0, ..., x_n)

    df/dx_k = einsum(grad, x_j for j != k  ->  labels of x_k), with the result
    broadcast along labels only x_k had, written onto x_k's diagonals for
    repeated labels, and summed over axes where x_k was broadcast.

    With one operand NumPy may return a view of it ("ii->i", "ij->ji"); so does this op,
    and the engine records the result as a view of the operand (as MyGrad does).
    """

    can_return_view = True

    def __call__(self, *tensors, subscripts: str, optimize=False, out=None):
        self.variables = tensors
        self.optimize = optimize
        arrays = [t.data for t in tensors]
        kwargs = {"optimize": optimize}
        if out is not None:
            kwargs["out"] = out
        result = np.einsum(subscripts, *arrays, **kwargs)
        shapes = [a.shape for a in arrays]
        self._shapes = shapes   # (an input's .shape may be set later, under no_autodiff)
        self.in_labels, self.out_labels = _parse(subscripts, shapes)
        self.sizes = _label_sizes(self.in_labels, shapes)
        if out is None and len(arrays) > 1 and any(np.may_share_memory(result, a) for a in arrays):
            result = np.array(result, copy=True)  # only a one-operand einsum is a view
        return result

    def backward_var(self, grad, index, **kwargs):
        x = self.variables[index].data
        if x.size == 0:
            return np.zeros(x.shape, dtype=x.dtype)   # (in its present shape, as MyGrad)
        # the operands in the shapes they had in the forward pass (the same elements: an
        # input whose shape was set since then is refused its gradient by the engine)
        x = x.reshape(self._shapes[index])
        labels = self.in_labels[index]
        unique = list(dict.fromkeys(labels))
        others = set(self.out_labels)
        args = [grad, self.out_labels]
        for j, t in enumerate(self.variables):
            if j != index:
                args += [t.data.reshape(self._shapes[j]), self.in_labels[j]]
                others.update(self.in_labels[j])
        keep = [lbl for lbl in unique if lbl in others]
        g = np.einsum(*args, keep, optimize=self.optimize)
        # other operands may themselves have been broadcast: give g the full sizes
        full = tuple(self.sizes[lbl] for lbl in keep)
        g = np.asarray(g)
        if g.shape != full:
            g = np.broadcast_to(g, full)

        # sum axes along which x (length 1) was broadcast
        own = dict(zip(labels, x.shape))
        axes = tuple(i for i, lbl in enumerate(keep) if own[lbl] == 1 and self.sizes[lbl] != 1)
        if axes:
            g = g.sum(axis=axes, keepdims=True)

        # broadcast along labels that only x had (they were summed in the forward pass)
        if len(keep) != len(unique):
            g = g.reshape(tuple(g.shape[keep.index(lbl)] if lbl in keep else 1 for lbl in unique))
            g = np.broadcast_to(g, tuple(own[lbl] for lbl in unique))

        if len(unique) == len(labels):
            return g if g.flags.writeable else np.array(g)  # no broadcast (read-only) views
        # repeated labels: write onto the diagonal of a zero array shaped like x
        dx = np.zeros(x.shape, dtype=np.result_type(g.dtype, x.dtype))
        strides = [sum(dx.strides[i] for i, l in enumerate(labels) if l == lbl) for lbl in unique]
        diag = as_strided(dx, shape=tuple(own[lbl] for lbl in unique), strides=strides)
        diag[...] = g
        return dx

    # MyGrad's attributes: the subscripts as letters (an ellipsis as letters of its own) and
    # how often each (input, subscript) pair occurs, computed when read
    @property
    def in_lbls(self):
        return ["".join(_LETTERS[i] for i in labels) for labels in self.in_labels]

    @property
    def out_lbls(self):
        return "".join(_LETTERS[i] for i in self.out_labels)

    @property
    def cache(self):
        from collections import Counter

        return Counter(zip((id(v) for v in self.variables), self.in_lbls))


def einsum(*operands: Union["ArrayLike", str, Sequence[int]], optimize: bool = False,
           out: Optional[Union[np.ndarray, TensorBase]] = None,
           constant: Optional[bool] = None) -> "Tensor":
    """Evaluate the Einstein summation convention on the operands, differentiably.

    Accepts every form ``numpy.einsum`` does: a subscripts string with an explicit
    (``"ij,jk->ik"``) or implicit (``"ij,jk"``) output, repeated labels within an
    operand (diagonals ``"ii->i"``, traces ``"ii"``), ellipses (``"...ij,...jk"``),
    and the interleaved sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.

    Parameters
    ----------
    *operands : str | ArrayLike | Sequence[int]
        The subscripts followed by the operands, or operands interleaved with
        their sublists (optionally ending with the output sublist).  Non-tensor
        operands are treated as constants.
    optimize : bool | str, default False
        Passed to ``numpy.einsum`` (contraction-order optimisation), forward and backward.
    out : numpy.ndarray | Tensor, optional
        Where to write the result.
    constant : bool, optional
        If True, the result is a constant (no gradient flows back through it).

    Returns
    -------
    Tensor
        Where NumPy's einsum returns a view of its one operand (``"ii->i"``,
        ``"ij->ji"``), this is a view of that tensor too (``.base``), as in MyGrad:
        writing into it writes into the operand.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> import numpy as np
    >>> x = mg.arange(9.0).reshape(3, 3).copy()
    >>> d = mg.einsum("ii->i", x)
    >>> d.base is x
    True
    >>> d[...] = 5.0
    >>> x
    Tensor([[5., 1., 2.],
            [3., 5., 5.],
            [6., 7., 5.]])
    >>> a = mg.tensor(np.arange(9.0).reshape(3, 3))
    >>> tr = mg.einsum("ii", a)
    >>> tr
    Tensor(12.)
    >>> tr.backward()
    >>> a.grad
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    >>> mg.einsum(a, [0, 1], [1, 2, 3], [1], [0])  # sublist form: a @ [1, 2, 3]
    Tensor([ 8., 26., 44.])
    """
    subscripts, tensors = _split_operands(operands)
    if isinstance(out, TensorBase):
        from mygrad_c._in_place import prepare_out_target, write_into

        prepare_out_target(out)
        result = execute_op(EinSum, *tensors, op_kwargs={"subscripts": subscripts, "optimize": optimize},
                            constant=constant)
        return write_into(out, result)
    kwargs = {"subscripts": subscripts, "optimize": optimize}
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"out= must be a numpy array or a tensor, got {type(out)}")
        from mygrad_c._in_place import guard_out_array

        tensors = guard_out_array(out, tensors, "operand array with iterator write flag set is read-only")
        kwargs["out"] = out
    return execute_op(EinSum, *tensors, op_kwargs=kwargs, constant=constant)


# ---------------------------------------------------------------------------
# matrix chains
# ---------------------------------------------------------------------------
def _chain_order(dims: Sequence[int]) -> list:
    """``split[i][j]``: where the optimal product of matrices ``i..j`` splits.

    Matrix ``i`` has shape ``(dims[i], dims[i + 1])``; the classic O(n^3)
    dynamic programme over chain lengths minimises the scalar multiplications.
    """
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            best = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, k
            cost[i][j] = best
    return split


def multi_matmul(tensors: "ArrayLike", *, constant: Optional[bool] = None) -> "Tensor":
    """Matrix product of two or more tensors, in the cheapest evaluation order.

    Like ``numpy.linalg.multi_dot``: the first and last operands may be 1-D (a row
    and a column vector); all others must be 2-D.  The order of the products is
    chosen by dynamic programming over the chain, and the result is built from
    ``matmul`` operations, so it back-propagates to every operand.

    Parameters
    ----------
    tensors : Sequence[ArrayLike]
        The matrices (at least two).  Non-tensors are treated as constants.
    constant : bool, optional
        If True, the result is a constant (no gradient flows back through it).

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> a = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> b = mg.tensor([1.0, 1.0])
    >>> y = mg.multi_matmul([a, a, b])
    >>> y
    Tensor([17., 37.])
    >>> y.sum().backward()
    >>> b.grad
    array([22., 32.])
    """
    from mygrad_c.math.arithmetic import matmul
    from mygrad_c.tensor_base import astensor

    if isinstance(tensors, np.ndarray):
        tensors = list(tensors)
    # the dimensions are checked before the data (MyGrad's order: a string array is a
    # ValueError for its 0-d items, not a TypeError for its dtype)
    items = [t if isinstance(t, TensorBase) else np.asarray(t) for t in tensors]
    n = len(items)
    if n < 2:
        raise ValueError("Expecting at least two arrays.")
    for t in items:
        if t.ndim not in (1, 2):
            raise ValueError(f"{t.ndim}-dimensional tensor given. Tensor must be one or two-dimensional")
    items = [t if isinstance(t, TensorBase) else astensor(t, constant=True) for t in items]
    if n > 3 and any(t.ndim != 2 for t in items[1:-1]):
        # a chain to order needs 2-D operands in the middle (MyGrad's error type here)
        raise IndexError("multi_matmul: only the first and the last tensor may be 1-dimensional")
    if n == 2 or any(t.ndim != 2 for t in items[1:-1]):
        # nothing to optimise
        out = items[0]
        for t in items[1:]:
            out = matmul(out, t, constant=constant)
        return out
    # 1-D ends act as a row vector (first) and a column vector (last)
    shapes = [t.shape for t in items]
    if items[0].ndim == 1:
        shapes[0] = (1,) + shapes[0]
    if items[-1].ndim == 1:
        shapes[-1] = shapes[-1] + (1,)
    dims = [s[0] for s in shapes] + [shapes[-1][1]]
    split = _chain_order(dims)

    def product(i, j):
        if i == j:
            return items[i]
        k = split[i][j]
        return matmul(product(i, k), product(k + 1, j), constant=constant)

    return product(0, n - 1)
