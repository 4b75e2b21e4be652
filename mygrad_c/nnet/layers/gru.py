"""The gated recurrent unit (GRU) layer.

``GRUnit`` is one operation over the whole sequence: its forward pass runs the
recurrence and its backward pass back-propagates through time, both as compiled
loops (``mygrad_c._gru``), so MyGrad's numba dependency is not needed.  The
input-to-hidden products of all time steps are computed up front with one
matrix product, and the weight gradients afterwards with one product each.
"""
from __future__ import annotations

import warnings
from numbers import Integral
from typing import Optional

import numpy as np

from mygrad_c._engine import TensorBase, execute_op
from mygrad_c._gru import gru_backward, gru_forward
from mygrad_c._in_place import _broadcasts_to
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor  # noqa: F401  (a public name of MyGrad's module)

__all__ = ["gru"]

_NAMES = ("X", "Uz", "Wz", "bz", "Ur", "Wr", "br", "Uh", "Wh", "bh")


class GRUArgumentError(ValueError, AssertionError):
    """An invalid ``bp_lim``/``dropout`` (MyGrad raises AssertionError for these; this is both)."""


class GRUShapeError(ValueError, IndexError):
    """A 0-d input-to-hidden weight (MyGrad fails with IndexError; this is both)."""


def _data(x) -> np.ndarray:
    return x.data if isinstance(x, TensorBase) else np.asarray(x)


# The elementwise helpers and the product that MyGrad's module defines (compiled with
# numba there) - public names of ``mygrad.nnet.layers.gru``, kept for code that imports
# them; the layer itself runs the compiled loops of ``mygrad_c._gru``.  As numba's
# float32/float64 loops, the helpers compute a float16 input in float32.
def _float(f) -> np.ndarray:
    f = np.asarray(f)
    return f.astype(np.float32) if f.dtype == np.float16 else f


def sig(f):
    """The logistic sigmoid, ``1 / (1 + exp(-f))``, elementwise.

    Examples
    --------
    >>> from mygrad_c.nnet.layers.gru import sig
    >>> sig(np.array([0.0]))
    array([0.5])
    """
    f = _float(f)
    return 1 / (1 + np.exp(-f))


def d_sig(f):
    """The sigmoid's derivative given its value ``f = sig(x)``: ``f * (1 - f)``.

    Examples
    --------
    >>> from mygrad_c.nnet.layers.gru import d_sig
    >>> d_sig(np.array([0.5]))
    array([0.25])
    """
    f = _float(f)
    return f * (1 - f)


def d_tanh(f):
    """tanh's derivative given its value ``f = tanh(x)``: ``1 - f ** 2``.

    Examples
    --------
    >>> from mygrad_c.nnet.layers.gru import d_tanh
    >>> d_tanh(np.array([0.5]))
    array([0.75])
    """
    f = _float(f)
    return 1 - f ** 2


def dot(a, b):
    """The product of an array of shape (W, X, Y) (or (X, Y)) with one of shape (Y, Z),
    over its last axis: shape (W, X, Z).

    Examples
    --------
    >>> from mygrad_c.nnet.layers.gru import dot
    >>> dot(np.ones((2, 3, 4)), np.ones((4, 5))).shape
    (2, 3, 5)
    """
    return np.dot(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + b.shape[-1:])


class GRUnit(Operation):
    """S = gru(X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh) over all T steps (see ``gru``).

    Backward: the compiled loop returns dL/d(pre-activation) of each gate at each
    step; then dU = X^T da, dW = S_prev^T da (dWh: (R * S_prev)^T dah),
    db = sum da and dX = da U^T, each one matrix product over all T * N rows.
    """

    def __call__(self, X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh, s0=None, bp_lim=None, dropout=0.0):
        self.variables = (X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh)
        arrays = [v.data for v in self.variables]
        out_dtype = np.result_type(*arrays)
        if out_dtype.kind != "f":
            out_dtype = np.dtype(np.float64)
        # float16 is computed in float32 and the result cast back
        dt = np.dtype(np.float32) if out_dtype.itemsize <= 4 else np.dtype(np.float64)
        X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh = (np.asarray(a, dtype=dt) for a in arrays)
        T, N, C = X.shape
        D = Uz.shape[1]
        # MyGrad's public attributes: the inputs (X a tensor, as the others), the result's dtype and
        # how far back each step's gradient goes (T - 1: all the way); what the forward keeps
        # for the backward is private
        (self.X, self.Uz, self.Wz, self.bz, self.Ur, self.Wr, self.br, self.Uh, self.Wh,
         self.bh) = self.variables
        self.bp_lim = T - 1 if bp_lim is None else bp_lim

        if dropout:
            p = 1 - dropout
            # the same draws, in the same order, as MyGrad: Uz, Ur, Uh, Wz, Wr, Wh
            masks = [(np.random.binomial(1, p, size=shape) / p).astype(dt)
                     for shape in [(1, N, D)] * 3 + [Wz.shape] * 3]
            self._mU = np.concatenate([m[0] for m in masks[:3]], axis=1)  # (N, 3D)
            self._mW = masks[3:]
            Wz, Wr, Wh = Wz * self._mW[0], Wr * self._mW[1], Wh * self._mW[2]
        else:
            self._mU = self._mW = None

        self._X = X
        self._U = np.concatenate([Uz, Ur, Uh], axis=1)  # (C, 3D)
        self._Wzr = np.ascontiguousarray(np.concatenate([Wz, Wr], axis=1))  # (D, 2D)
        self._Wh = np.ascontiguousarray(Wh)
        xzrh = np.matmul(X.reshape(T * N, C), self._U).reshape(T, N, 3 * D)
        if self._mU is not None:
            xzrh *= self._mU
        for k, b in enumerate((bz, br, bh)):   # (br and bh may broadcast to (T, N, D))
            xzrh[..., k * D:(k + 1) * D] += b

        s = np.empty((T + 1, N, D), dtype=dt)
        s[0] = 0 if s0 is None else s0
        self._s = s
        self._z, self._r, self._h, self._rs = (np.empty((T, N, D), dtype=dt) for _ in range(4))
        gru_forward(np.ascontiguousarray(xzrh), self._Wzr, self._Wh, s, self._z, self._r, self._h, self._rs)
        self.type = out_dtype   # (MyGrad's name: the result's dtype)
        self._grads = None
        return s if out_dtype == dt else s.astype(out_dtype)

    def _all_grads(self, grad) -> dict:
        s, X = self._s, self._X
        T, N, D = self._z.shape
        C = X.shape[2]
        G = np.ascontiguousarray(np.asarray(grad)[1:], dtype=s.dtype)
        dzr = np.empty((T, N, 2 * D), dtype=s.dtype)
        dah = np.empty((T, N, D), dtype=s.dtype)
        gru_backward(G, s, self._z, self._r, self._h, self._rs, self._Wzr, self._Wh, dzr, dah, self.bp_lim)

        TN = T * N
        dzr2, dah2 = dzr.reshape(TN, 2 * D), dah.reshape(TN, D)
        dWzr = np.matmul(s[:-1].reshape(TN, D).T, dzr2)
        dWh = np.matmul(self._rs.reshape(TN, D).T, dah2)
        da = np.concatenate([dzr, dah], axis=2)  # (T, N, 3D): pre-activation gradients
        db = da.sum(axis=(0, 1))
        pre = da   # (the biases' gradients are taken before the inputs' dropout mask)
        if self._mU is not None:
            da = da * self._mU
        da2 = da.reshape(TN, 3 * D)
        dU = np.matmul(X.reshape(TN, C).T, da2)
        dWz, dWr = dWzr[:, :D], dWzr[:, D:]
        if self._mW is not None:
            dWz, dWr, dWh = dWz * self._mW[0], dWr * self._mW[1], dWh * self._mW[2]
        grads = {
            "Uz": dU[:, :D], "Ur": dU[:, D:2 * D], "Uh": dU[:, 2 * D:],
            "Wz": dWz, "Wr": dWr, "Wh": dWh,
            "bz": db[:D], "br": db[D:2 * D], "bh": db[2 * D:],
        }
        for k, name in ((1, "br"), (2, "bh")):
            if self.variables[3 * k + 3].shape != (D,):
                # a bias that broadcasts to (T, N, D) otherwise: its gate's pre-activation
                # gradients, which the engine sums down to the bias's shape (MyGrad's backward
                # fails with an AssertionError there: gradient of shape (D,))
                grads[name] = pre[..., k * D:(k + 1) * D]
        if not self.variables[0].constant:
            grads["X"] = np.matmul(da2, self._U.T).reshape(T, N, C)
        return grads

    def backward_var(self, grad, index, **kwargs):
        if self._grads is None:
            self._grads = self._all_grads(grad)
        return self._grads[_NAMES[index]]


def gru(X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh, s0=None, bp_lim=None, dropout=0.0, constant=None):
    """Run a gated recurrent unit (GRU) over a sequence, returning every hidden state.

    For t = 1 .. T::

        Z_t = sigmoid(X_t Uz + S_{t-1} Wz + bz)
        R_t = sigmoid(X_t Ur + S_{t-1} Wr + br)
        H_t = tanh(X_t Uh + (R_t * S_{t-1}) Wh + bh)
        S_t = (1 - Z_t) * H_t + Z_t * S_{t-1}

    Parameters
    ----------
    X : ArrayLike, shape-(T, N, C)
        The sequence: T steps of N samples with C features.
    Uz, Ur, Uh : ArrayLike, shape-(C, D)
        Input-to-hidden weights.
    Wz, Wr, Wh : ArrayLike, shape-(D, D)
        Hidden-to-hidden weights.
    bz, br, bh : ArrayLike, shape-(D,)
        Biases. As in MyGrad, ``br`` and ``bh`` may have any shape that broadcasts to
        (T, N, D) (``(N, D)``, ``(1, D)``, a number): they are added to each step's
        pre-activations, and their gradients are summed down to their shapes.
    s0 : ArrayLike, shape-(N, D), optional
        The initial hidden state (zeros by default). It must be a constant: it
        receives no gradient. It is written into the state as NumPy assigns, so any
        shape that broadcasts to (N, D) will do.
    bp_lim : int, optional
        Back-propagate each step's gradient at most ``bp_lim`` steps back in time
        (``0 <= bp_lim < T``); ``None`` for full back-propagation through time.
    dropout : float, default 0.0
        ``0 <= dropout < 1``. If non-zero, each hidden-to-hidden weight matrix gets
        one dropout mask for the whole pass (DropConnect) and each input projection
        ``X_t U`` one shape-(N, D) mask shared by all t (variational dropout); kept
        entries are scaled by ``1 / (1 - dropout)``. Masks are drawn from NumPy's
        global random state, in the same order as MyGrad.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor, shape-(T+1, N, D)
        ``S_0, S_1, ..., S_T`` (``S_0`` is ``s0``).

    Raises
    ------
    TypeError
        If an input is not a real-valued array (strings, objects, complex numbers) or
        ``X`` is 0-d.
    ValueError
        If ``s0`` is a non-constant tensor, or shapes do not match.
    AssertionError
        (a ``ValueError`` subclass here) for an invalid ``bp_lim`` or ``dropout``, as MyGrad.
    IndexError
        (a ``ValueError`` subclass here) for a 0-d ``Uz``, ``Ur`` or ``Uh``, as MyGrad.
    The checks run in the order in which MyGrad meets each problem, so that a call with
    several wrong arguments raises MyGrad's type.

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet.layers.gru import gru
    >>> T, N, C, D = 5, 2, 3, 4
    >>> X = mg.tensor(np.random.randn(T, N, C))
    >>> params = [mg.tensor(np.random.randn(*shape) * 0.1)
    ...           for shape in [(C, D), (D, D), (D,)] * 3]
    >>> S = gru(X, *params)
    >>> S.shape
    (6, 2, 4)
    >>> S[-1].sum().backward()
    >>> X.grad.shape
    (5, 2, 3)
    """
    if s0 is not None and not (isinstance(s0, np.ndarray) or (isinstance(s0, TensorBase) and s0.constant)):
        # (as MyGrad, which makes a tensor - not a constant - of any other s0: a list, a number)
        raise ValueError("GRU does not support non-constant tensors for the initial hiddenstate value, `s0`")
    # (the checks run in the order MyGrad meets each problem, so a call with several wrong
    # arguments raises MyGrad's exception type: each input's dtype as it becomes a tensor,
    # dropout, the length of X, bp_lim, the shapes, the initial state's, then the weights')
    arrays = [_data(a) for a in (X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh)]
    for name, a in zip(_NAMES, arrays):
        if a.dtype.kind not in "biuf":
            raise TypeError(f"`{name}` must be a real-valued (float, integer or boolean) array, "
                            f"got dtype {a.dtype}")
    if not 0 <= dropout < 1:
        raise GRUArgumentError(f"`dropout` must satisfy 0 <= dropout < 1, got {dropout!r}")
    x = arrays[0]
    if x.ndim == 0:
        raise TypeError("`X` must be an array of shape (T, N, C), got a 0-d array")
    T = len(x)
    if bp_lim is not None and (not isinstance(bp_lim, Integral) or not 0 <= bp_lim < T):
        # (True/False: 1/0, as MyGrad)
        raise GRUArgumentError(f"`bp_lim` must be an integer with 0 <= bp_lim < T (T={T}), got {bp_lim!r}")
    if x.ndim != 3:
        raise ValueError(f"`X` must have shape (T, N, C), got shape {x.shape}")
    T, N, C = x.shape
    for name, a in zip(_NAMES[1:], arrays[1:]):
        if name[0] == "U" and a.ndim == 0:
            raise GRUShapeError(f"`{name}` must have shape (C, D), got a 0-d array")
    D = arrays[1].shape[-1]
    if s0 is not None:
        # the initial state is written into the (N, D) state as NumPy assigns: anything that
        # broadcasts to (N, D), with NumPy's casts (a complex state warns and loses its
        # imaginary part, as in MyGrad)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            np.empty((N, D))[...] = _data(s0)
    if arrays[1].shape != (C, D):
        raise ValueError(f"`Uz` must have shape (C, D), got shape {arrays[1].shape}")
    for name, a, shape in zip(_NAMES[2:], arrays[2:], [(D, D), (D,)] + [(C, D), (D, D), (D,)] * 2):
        if a.shape == shape:
            continue
        if name in ("br", "bh") and _broadcasts_to(a.shape, (T, N, D)):
            continue   # (added to each step's (N, D) pre-activations, as MyGrad does)
        raise ValueError(f"`{name}` must have shape {shape}"
                         + (" or broadcast to (T, N, D)" if name in ("br", "bh") else "")
                         + f", got shape {a.shape}")
    return execute_op(GRUnit, X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh,
                      op_kwargs=dict(s0=s0, bp_lim=None if bp_lim is None else int(bp_lim), dropout=dropout), constant=constant)
