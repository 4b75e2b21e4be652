"""Differentiable backward rules: shape, transpose-like, joining and tiling operations,
indexing (get and set), ``where`` and the in-place writes.

All of these are linear in their inputs, so each rule is linear in ``grad``: either
the inverse tensor operation (``reshape`` back, transpose back, ...) or, where that
is not a public operation, ``linear_map`` with the engine's own NumPy backward and
its adjoint (the forward map), which stays differentiable to any order.
"""
from __future__ import annotations

import numpy as np

import mygrad_c as mg
from mygrad_c._engine import GetItem, SetItem, apply_view_chain
from mygrad_c._in_place import ApplyMask, UnView, _Fit
from mygrad_c.autodiff._core import linear_map, vjp_rule
from mygrad_c.indexing_routines.indexing import _last_writer_mask, is_basic_index
from mygrad_c.indexing_routines.where import Where
from mygrad_c.tensor_manip import array_shape as AS
from mygrad_c.tensor_manip.tensor_joining import Concatenate, Stack
from mygrad_c.tensor_manip.tiling import Repeat
from mygrad_c.tensor_manip.transpose_like import MoveAxis, Roll, SwapAxes, Tensor_Transpose_Property, Transpose


# ---------------------------------------------------------------------------
# shapes                                                      d/dx . grad
# ---------------------------------------------------------------------------
@vjp_rule(AS.Reshape, AS.Ravel, AS.Flatten, AS.Squeeze, AS.ExpandDims,
          AS.AtLeast1D, AS.AtLeast2D, AS.AtLeast3D)          # grad reshaped back
def _reshaping(op, out, grad, index):
    return mg.reshape(grad, op.variables[0].shape)


@vjp_rule(AS.BroadcastTo, _Fit)                                # grad (summed by the walk)
def _identity(op, out, grad, index):
    return grad


@vjp_rule(Transpose)                                           # the inverse permutation
def _transpose(op, out, grad, index):
    return mg.transpose(grad, tuple(np.argsort([a % grad.ndim for a in op.axes]).tolist()))


@vjp_rule(Tensor_Transpose_Property)                           # x.T: the axes reversed again
def _transpose_property(op, out, grad, index):
    return grad.T


@vjp_rule(MoveAxis)                                            # destination back to source
def _moveaxis(op, out, grad, index):
    return mg.moveaxis(grad, op.destination, op.source)


@vjp_rule(SwapAxes)                                            # the same swap
def _swapaxes(op, out, grad, index):
    return mg.swapaxes(grad, op.axis1, op.axis2)


@vjp_rule(Roll)                                                # shifted back
def _roll(op, out, grad, index):
    return linear_map(grad, lambda a: op.backward_var(a, 0),
                      lambda u: np.roll(u, op.shift, op.axis).reshape(out.shape))


@vjp_rule(Concatenate)                                         # x_i's slice of grad
def _concatenate(op, out, grad, index):
    lo, hi = op.indices[index], op.indices[index + 1]
    g = grad[(slice(None),) * op._ax + (slice(lo, hi),)]
    return mg.reshape(g, op.variables[index].shape) if op.axis is None else g


@vjp_rule(Stack)                                               # grad at position i of the axis
def _stack(op, out, grad, index):
    return grad[(slice(None),) * op.axis + (index,)]


@vjp_rule(Repeat)                                              # the sum over each element's copies
def _repeat(op, out, grad, index):
    return linear_map(grad, lambda a: op.backward_var(a, 0),
                      lambda u: np.repeat(u, op._repeats, axis=op._axis).reshape(out.shape))


# ---------------------------------------------------------------------------
# indexing
# ---------------------------------------------------------------------------
@vjp_rule(GetItem)                                             # grad scattered to x[index]
def _getitem(op, out, grad, index):
    return linear_map(grad, lambda a: op.backward_var(a, 0), lambda u: np.asarray(u[op.index]))


def _place_adjoint(index, shape):
    """The adjoint of ``SetItem``'s gradient for the value: add ``u`` into zeros at ``index``
    (only where that value was the last write, as the forward gradient keeps only those)."""
    def adjoint(u):
        z = np.zeros(shape, dtype=u.dtype)
        target_shape = z[index].shape
        u = u.reshape(target_shape)
        if not (type(index) is int or is_basic_index(index)):
            u = u * _last_writer_mask(index, shape).reshape(target_shape)
        np.add.at(z, index, u)
        return z

    return adjoint


@vjp_rule(SetItem)                                             # x: grad zeroed at index; v: grad[index]
def _setitem(op, out, grad, index):
    if index == 0:
        zero_region = lambda a: op.backward_var(a, 0)  # noqa: E731  (its own adjoint)
        return linear_map(grad, zero_region, zero_region)
    return linear_map(grad, lambda a: op.backward_var(a, 1), _place_adjoint(op.index, out.shape))


@vjp_rule(UnView)                                              # base: region zeroed; region: grad's region
def _unview(op, out, grad, index):
    if index == 0:
        zero_region = lambda a: op.backward_var(a, 0)  # noqa: E731
        return linear_map(grad, zero_region, zero_region)

    def adjoint(u):
        z = np.zeros(out.shape, dtype=u.dtype)
        apply_view_chain(z, op.chain)[...] = u if op.mask is None else u * op.mask
        return z

    return linear_map(grad, lambda a: np.array(op.backward_var(a, 1)), adjoint)


@vjp_rule(ApplyMask)                                           # grad where (not) written
def _apply_mask(op, out, grad, index):
    if op.where is True:
        return grad if index == 0 else mg.zeros(op.variables[1].shape, dtype=grad.dtype, constant=True)
    return grad * (op.where if index == 0 else np.logical_not(op.where))


@vjp_rule(Where)                                               # grad where chosen, else 0
def _where(op, out, grad, index):
    zero = np.zeros((), dtype=grad.dtype)
    if index == 0:
        return mg.where(op.condition, grad, zero)
    return mg.where(op.condition, zero, grad)
