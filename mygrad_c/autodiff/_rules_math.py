"""Differentiable backward rules: arithmetic, elementwise functions, reductions, linear algebra.

Each rule is ``rule(op, out, grad, index)``: ``op.variables`` are the inputs,
``out`` the result tensor, ``grad`` = dL/d(out) (a tensor).  It returns
dL/d(input ``index``) computed with tensor operations, next to the forward
formula it differentiates (see ``_core``).  Broadcasting is undone by the walk.
"""
from __future__ import annotations

import numpy as np

import mygrad_c as mg
from mygrad_c.autodiff._core import const, linear_map, vjp_rule
from mygrad_c.linalg.contraction import EinSum
from mygrad_c.linalg.norms import Norm
from mygrad_c.math import arithmetic as A
from mygrad_c.math import elementwise as E
from mygrad_c.math import sequential as S
from mygrad_c.math.misc import Maximum, Minimum


def _masked(op, g):
    """``g`` zeroed where a ufunc's ``where=`` was False (as ``UfuncOp.backward_var`` does)."""
    return g if op.where is True else g * op.where


def _data_masked(op, out, grad, index):
    """For ops whose derivative is piecewise constant (a mask or a sign): the engine's own
    ``backward_var`` applied to a tensor ``grad`` multiplies it by constant arrays, which is
    the differentiable rule (its derivative in x is 0 almost everywhere)."""
    return op.backward_var(grad, index)


# ---------------------------------------------------------------------------
# arithmetic                                       forward            d/dinput
# ---------------------------------------------------------------------------
@vjp_rule(A.Add, A.Positive)                       # a + b, +a          1
def _add(op, out, grad, index):
    return _masked(op, grad)


@vjp_rule(A.Subtract)                              # a - b              1, -1
def _subtract(op, out, grad, index):
    return _masked(op, grad if index == 0 else -grad)


@vjp_rule(A.Negative)                              # -a                 -1
def _negative(op, out, grad, index):
    return _masked(op, -grad)


@vjp_rule(A.Multiply)                              # a * b              b, a
def _multiply(op, out, grad, index):
    a, b = op.variables
    return _masked(op, grad * (b if index == 0 else a))


@vjp_rule(A.Divide)                                # a / b              1/b, -(a/b)/b
def _divide(op, out, grad, index):
    a, b = op.variables
    if index == 0:
        return _masked(op, grad / b)
    return _masked(op, -(grad * (a / b)) / b)


@vjp_rule(A.Power)                                 # a ** b             b a**(b-1), a**b ln(a)
def _power(op, out, grad, index):
    a, b = op.variables
    if index == 0:
        # as the engine: 0 where b == 0 (also at a == 0)
        b_minus_1 = b - const(1, b)
        if (b.data == 0).any():
            b_minus_1 = mg.where(b.data != 0, b_minus_1, const(1, b))
        return _masked(op, grad * b * a ** b_minus_1)
    safe_a = mg.where(a.data != 0, a, np.ones((), dtype=a.dtype)) if (a.data == 0).any() else a
    return _masked(op, grad * (a ** b) * mg.log(safe_a))


@vjp_rule(A.Reciprocal)                            # 1 / a              -1/a**2
def _reciprocal(op, out, grad, index):
    (a,) = op.variables
    return _masked(op, -grad / a ** 2)


@vjp_rule(A.Square)                                # a ** 2             2a
def _square(op, out, grad, index):
    return _masked(op, const(2, grad) * grad * op.variables[0])


@vjp_rule(A.Sqrt)                                  # sqrt(a)            1/(2 sqrt(a))
def _sqrt(op, out, grad, index):
    return _masked(op, grad / (const(2, grad) * mg.sqrt(op.variables[0])))


@vjp_rule(A.MatMul)                                # a @ b              g @ b^T, a^T @ g
def _matmul(op, out, grad, index):
    a, b = op.variables
    if index == 0:
        if b.ndim == 1:                            # (..., n, k) @ (k,): outer product
            return grad * b if a.ndim == 1 else mg.expand_dims(grad, -1) * b
        if a.ndim == 1:                            # (k,) @ (..., k, m)
            return mg.matmul(b, mg.expand_dims(grad, -1))[..., 0]
        return mg.matmul(grad, mg.swapaxes(b, -1, -2))
    if a.ndim == 1:
        return grad * a if b.ndim == 1 else mg.expand_dims(a, -1) * mg.expand_dims(grad, -2)
    if b.ndim == 1:
        return mg.matmul(mg.swapaxes(a, -1, -2), mg.expand_dims(grad, -1))[..., 0]
    return mg.matmul(mg.swapaxes(a, -1, -2), grad)


# Abs, maximum, minimum: piecewise-constant derivatives (sign / masks)
vjp_rule(A.Abs, Maximum, Minimum)(_data_masked)


# ---------------------------------------------------------------------------
# elementwise functions: df/dx as tensors, one row per function of
# ``mygrad_c.math.elementwise``'s tables (x: the input, y: the output, c(v): the
# number v in x's dtype, so float32 stays float32).  Where the engine's derivative
# is 0 at a domain edge (arcsin at |x| = 1, ...), so is this one.
# ---------------------------------------------------------------------------
def _not_at(mask, value, c):
    """``value``, with 0 where ``mask`` (a constant array) is true."""
    return mg.where(mask, c(0), value) if mask.any() else value


def _unit(x):
    return np.abs(x.data) == 1


_LN2, _LN10 = np.log(2.0), np.log(10.0)

ELEMENTWISE_DERIVATIVES = {
    "sin": lambda x, y, c: mg.cos(x),
    "cos": lambda x, y, c: -mg.sin(x),
    "tan": lambda x, y, c: c(1) / mg.cos(x) ** 2,
    "arcsin": lambda x, y, c: _not_at(_unit(x), c(1) / mg.sqrt(c(1) - x ** 2), c),
    "arccos": lambda x, y, c: _not_at(_unit(x), -c(1) / mg.sqrt(c(1) - x ** 2), c),
    "arctan": lambda x, y, c: c(1) / (c(1) + x ** 2),
    "sinh": lambda x, y, c: mg.cosh(x),
    "cosh": lambda x, y, c: mg.sinh(x),
    "tanh": lambda x, y, c: c(1) - y ** 2,
    "arcsinh": lambda x, y, c: c(1) / mg.sqrt(c(1) + x ** 2),
    "arccosh": lambda x, y, c: c(1) / mg.sqrt(x ** 2 - c(1)),
    "arctanh": lambda x, y, c: c(1) / (c(1) - x ** 2),
    "exp": lambda x, y, c: y,
    "exp2": lambda x, y, c: y * c(_LN2),
    "expm1": lambda x, y, c: y + c(1),
    "log": lambda x, y, c: c(1) / x,
    "log2": lambda x, y, c: c(1) / (x * c(_LN2)),
    "log10": lambda x, y, c: c(1) / (x * c(_LN10)),
    "log1p": lambda x, y, c: c(1) / (c(1) + x),
    "cbrt": lambda x, y, c: c(1) / (c(3) * y ** 2),
    "cot": lambda x, y, c: -c(1) / mg.sin(x) ** 2,
    "sec": lambda x, y, c: mg.tan(x) / mg.cos(x),
    "csc": lambda x, y, c: -c(1) / (mg.sin(x) * mg.tan(x)),
    "arccot": lambda x, y, c: -c(1) / (c(1) + x ** 2),
    "arcsec": lambda x, y, c: _not_at(_unit(x), c(1) / (mg.abs(x) * mg.sqrt(x ** 2 - c(1))), c),
    "arccsc": lambda x, y, c: _not_at(_unit(x), -c(1) / (mg.abs(x) * mg.sqrt(x ** 2 - c(1))), c),
    "coth": lambda x, y, c: -c(1) / mg.sinh(x) ** 2,
    "sech": lambda x, y, c: -mg.sinh(x) / mg.cosh(x) ** 2,
    "csch": lambda x, y, c: -mg.cosh(x) / mg.sinh(x) ** 2,
    "arccoth": lambda x, y, c: c(1) / (c(1) - x ** 2),
    "arccsch": lambda x, y, c: -c(1) / (mg.abs(x) * mg.sqrt(x ** 2 + c(1))),
}


def _elementwise_rule(name):
    derivative = ELEMENTWISE_DERIVATIVES[name]

    def rule(op, out, grad, index):
        x = op.variables[0]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            d = derivative(x, out, lambda v: const(v, out))
        return _masked(op, grad * d) if isinstance(op, E._UnaryUfuncOp) else grad * d

    return rule


for _name, _Op in {**E._ufunc_ops, **E._func_ops}.items():
    if _name != "sinc":
        vjp_rule(_Op)(_elementwise_rule(_name))


@vjp_rule(E._func_ops["sinc"])                     # sin(pi x)/(pi x)   (cos(pi x) - sinc(x)) / x, 0 at 0
def _sinc(op, out, grad, index):
    (x,) = op.variables
    zero = x.data == 0
    safe_x = mg.where(zero, np.ones((), x.dtype), x) if zero.any() else x
    d = (mg.cos(const(np.pi, x) * x) - out) / safe_x
    return grad * (mg.where(zero, np.zeros((), d.dtype), d) if zero.any() else d)


@vjp_rule(E.Logaddexp)                             # ln(e**a + e**b)    e**(a - f), e**(b - f)
def _logaddexp(op, out, grad, index):
    return _masked(op, grad * mg.exp(op.variables[index] - out))


@vjp_rule(E.Logaddexp2)                            # log2(2**a + 2**b)  2**(a - f), 2**(b - f)
def _logaddexp2(op, out, grad, index):
    return _masked(op, grad * mg.exp2(op.variables[index] - out))


@vjp_rule(E.Arctan2)                               # atan2(a, b)        b/(a²+b²), -a/(a²+b²)
def _arctan2(op, out, grad, index):
    a, b = op.variables
    r2 = a ** 2 + b ** 2
    return _masked(op, grad * b / r2 if index == 0 else -(grad * a) / r2)


# ---------------------------------------------------------------------------
# reductions: grad gets the reduced axes back (length 1) and is broadcast to x
# ---------------------------------------------------------------------------
def _kept(op, t):
    """``t`` (shaped like the reduction's result) with the reduced axes restored as length 1."""
    x = op.variables[0]
    axes = S._reduced_axes(op.axis, x.ndim)
    kshape = S._keepdims_shape(x.shape, axes)
    return t if t.shape == kshape else mg.reshape(t, kshape)


@vjp_rule(S.Sum)                                   # sum(x)             1
def _sum(op, out, grad, index):
    return mg.broadcast_to(_kept(op, grad), op.variables[0].shape)


@vjp_rule(S.Mean)                                  # mean(x)            1/N
def _mean(op, out, grad, index):
    x = op.variables[0]
    n = S._count(x.shape, S._reduced_axes(op.axis, x.ndim))
    return mg.broadcast_to(_kept(op, grad) * const(1 / n, grad) if n else _kept(op, grad), x.shape)


def _centered_scaled(op):
    """(x - mean(x)) / (N - ddof) as a tensor (zeros where the engine's rule gives zeros)."""
    x = op.variables[0]
    axes = S._reduced_axes(op.axis, x.ndim)
    n = S._count(x.shape, axes)
    if op.axis is None and n == op.ddof:
        raise ZeroDivisionError("float division by zero")
    if op._no_axes() or x.size == 0:
        return mg.zeros(x.shape, dtype=x.dtype, constant=True)
    scale = 1.0 / (n - op.ddof) if n != op.ddof else np.inf
    return (x - mg.mean(x, axis=axes, keepdims=True)) * const(scale, x)


@vjp_rule(S.Variance)                              # var(x)             2 (x - mean) / (N - ddof)
def _var(op, out, grad, index):
    return const(2, grad) * _kept(op, grad) * _centered_scaled(op)


@vjp_rule(S.StdDev)                                # std(x)             (x - mean) / ((N - ddof) std)
def _std(op, out, grad, index):
    if op._no_axes():
        return _centered_scaled(op) * _kept(op, grad)
    return _kept(op, grad) * _centered_scaled(op) / _kept(op, out)


@vjp_rule(S.Prod)                                  # prod(x)            prod(x) / x_i (the others' product)
def _prod(op, out, grad, index):
    x = op.variables[0]
    axes = S._reduced_axes(op.axis, x.ndim)
    zero = x.data == 0
    g, f = _kept(op, grad), _kept(op, out)
    if not zero.any():
        return g * (f / x)
    if (np.add.reduce(zero, axis=axes, keepdims=True) > 1).any():
        raise NotImplementedError(
            "Prod: the differentiable backward rule does not handle two or more zeros in one "
            "reduced slice")
    # one zero: only it gets a gradient, the product of the others (f / x_i is 0 elsewhere and
    # differentiates correctly through f)
    safe = mg.where(zero, np.ones((), x.dtype), x)
    others = mg.where(zero, mg.prod(safe, axis=axes, keepdims=True), f / safe)
    return g * others


@vjp_rule(S.Max, S.Min)                            # max(x)             1 at the first maximum
def _maxmin(op, out, grad, index):
    x = op.variables[0]
    mask = op.backward_var(np.ones(out.shape, dtype=x.dtype), 0)   # 1 at each slice's winner
    return mg.broadcast_to(_kept(op, grad), x.shape) * mask


def _reverse_cumsum(g, axis):
    """``out[i] = sum(g[i:])`` along ``axis`` (linear; its adjoint is the cumulative sum)."""
    return linear_map(g, lambda a: S._reverse_cumsum(a, axis), lambda u: np.cumsum(u, axis=axis))


def _flat_axis(op, t):
    """``t`` (shaped like x) as cumsum/cumprod see it: raveled when ``axis`` is None."""
    return (mg.reshape(t, (-1,)), 0) if op.axis is None else (t, op.axis)


@vjp_rule(S.CumSum)                                # cumsum(x)          reversed cumsum of grad
def _cumsum(op, out, grad, index):
    g, axis = grad, 0 if op.axis is None else op.axis
    return mg.reshape(_reverse_cumsum(g, axis), op.variables[0].shape)


@vjp_rule(S.CumProd)                               # cumprod(x)         revcumsum(grad * f) / x
def _cumprod(op, out, grad, index):
    x, axis = _flat_axis(op, op.variables[0])
    if (x.data == 0).any() or not np.isfinite(x.data).all():
        raise NotImplementedError(
            "CumProd: the differentiable backward rule needs nonzero, finite inputs")
    return mg.reshape(_reverse_cumsum(grad * out, axis) / x, op.variables[0].shape)


@vjp_rule(S.AddSequence)                           # x1 + ... + xn      1
def _add_sequence(op, out, grad, index):
    return grad


@vjp_rule(S.MultiplySequence)                      # x1 * ... * xn      product of the others
def _multiply_sequence(op, out, grad, index):
    g = grad
    for i, t in enumerate(op.variables):
        if i != index:
            g = g * t
    return g


# ---------------------------------------------------------------------------
# linear algebra
# ---------------------------------------------------------------------------
@vjp_rule(EinSum)                                  # einsum(x_0..x_n)   einsum(grad, others -> x_k)
def _einsum(op, out, grad, index):
    x = op.variables[index]
    labels = op.in_labels[index]
    unique = list(dict.fromkeys(labels))
    others = set(op.out_labels)
    args = [grad, list(op.out_labels)]
    for j, t in enumerate(op.variables):
        if j != index:
            args += [t, list(op.in_labels[j])]
            others.update(op.in_labels[j])
    keep = [lbl for lbl in unique if lbl in others]
    g = mg.einsum(*args, keep)
    full = tuple(op.sizes[lbl] for lbl in keep)
    if g.shape != full:
        g = mg.broadcast_to(g, full)
    own = dict(zip(labels, x.shape))
    axes = tuple(i for i, lbl in enumerate(keep) if own[lbl] == 1 and op.sizes[lbl] != 1)
    if axes:
        g = mg.sum(g, axis=axes, keepdims=True)
    if len(keep) != len(unique):   # labels only x had were summed: spread grad along them
        g = mg.reshape(g, tuple(g.shape[keep.index(lbl)] if lbl in keep else 1 for lbl in unique))
        g = mg.broadcast_to(g, tuple(own[lbl] for lbl in unique))
    if len(unique) == len(labels):
        return g
    # repeated labels (a diagonal): write g onto the diagonal of zeros shaped like x; the
    # adjoint reads the diagonal back
    shape = x.shape

    def embed(a):
        dx = np.zeros(shape, dtype=a.dtype)
        strides = [sum(dx.strides[i] for i, l in enumerate(labels) if l == lbl) for lbl in unique]
        np.lib.stride_tricks.as_strided(dx, shape=a.shape, strides=strides)[...] = a
        return dx

    return linear_map(g, embed, lambda u: np.einsum(u, list(labels), unique))


@vjp_rule(Norm)                                    # ||x||_p            sign(x) (|x| / f)**(p-1)
def _norm(op, out, grad, index):
    x = op.variables[0]
    p = op.ord
    if x.size == 0:
        return mg.zeros(x.shape, dtype=x.dtype, constant=True)
    g, n = grad, out
    if not op.keepdims:
        shape = tuple(1 if i in op._axes else s for i, s in enumerate(x.shape))
        g, n = mg.reshape(g, shape), mg.reshape(n, shape)
    if np.isinf(p):   # the gradient picks one element: a constant mask times sign(x)
        return g * op.backward_var(np.ones(out.shape, dtype=x.dtype), 0)
    sign = np.sign(x.data) if op._nan_to_num else x.data / np.abs(x.data)
    if p == 1:
        return g * sign
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 2:
            return g * x / n
        return g * sign * (mg.abs(x) / n) ** (p - 1)
