"""Elementwise functions: trigonometric, hyperbolic, exponential and logarithmic.

Two tables drive this module, one row per function: the forward pass and its
gradient ``grad * df/dx`` side by side, written as plain NumPy on the input ``x``
and the incoming gradient ``g`` - in the order of MyGrad's operations, so that
values and gradients are MyGrad's bit for bit.

- ``_UFUNCS``: functions that MyGrad exposes as ufunc-like classes (``mg.sin``
  takes ``out=``, ``where=``, ``dtype=`` and carries ``nin``, ``types``, ...);
  the forward pass is the NumPy ufunc of the same name.
- ``_FUNCS``: functions that MyGrad exposes as plain functions
  (``cot(a, *, constant=None)``); the forward pass is a NumPy expression.

Derivatives agree with MyGrad's at domain edges, including where the true
derivative is infinite (``log`` at 0 gives ``inf``; ``arcsin`` at +-1 gives 0,
as MyGrad does).  The two-input ufuncs ``logaddexp``, ``logaddexp2`` and
``arctan2`` are small classes at the end.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Optional

import numpy as np

from mygrad_c._engine import execute_op
from mygrad_c.math.arithmetic import _X, _X1X2, _doc
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike
from mygrad_c.ufuncs import BinaryUfunc, UnaryUfunc, make_ufunc

_LN2 = np.log(2.0)
_LN10 = np.log(10.0)


class _Row(NamedTuple):
    forward: Callable[[np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (grad, x) -> grad * df/dx
    formula: str  # "f(x) = ...;  df/dx = ..." (becomes the op's docstring)
    summary: str
    example: str


def _where_not(mask, value):
    """``value`` where ``mask`` is false, 0 where it is true."""
    return np.where(mask, 0, value)


def _sinc_derivative(g, x):
    """g * d sinc(x)/dx as MyGrad computes it, ``(g pi) ((pi x cos(pi x) - sin(pi x)) / (pi x)**2)``
    (0 at x = 0), bit for bit; where (pi x)**2 underflows (x subnormal or nearly: MyGrad's nan
    or inf) the limit-safe form ``(cos(pi x) - sinc(x)) / x``, 0 there."""
    with np.errstate(all="ignore"):
        px = np.pi * x
        slope = np.where(x == 0, 0, (px * np.cos(px) - np.sin(px)) / px ** 2)
        bad = ~np.isfinite(slope) & np.isfinite(x)
        if bad.any():
            safe = (np.cos(px) - np.sinc(x)) / np.where(x == 0, 1, x)
            slope = np.where(bad, safe / np.pi, slope)
        return (g * np.pi) * slope


# ---------------------------------------------------------------------------
# ufunc-like functions: name -> (forward, gradient, formula, summary, example)
# ---------------------------------------------------------------------------
_UFUNCS = {
    "sin": _Row(np.sin, lambda g, x: g * np.cos(x), "f(x) = sin(x);  df/dx = cos(x)",
                "Trigonometric sine, elementwise.", ">>> mg.sin(mg.tensor([0.0, np.pi / 2]))\nTensor([0., 1.])"),
    "cos": _Row(np.cos, lambda g, x: g * -np.sin(x), "f(x) = cos(x);  df/dx = -sin(x)",
                "Trigonometric cosine, elementwise.", ">>> mg.cos(mg.tensor([0.0, np.pi]))\nTensor([ 1., -1.])"),
    "tan": _Row(np.tan, lambda g, x: g / np.cos(x) ** 2, "f(x) = tan(x);  df/dx = 1 / cos(x)**2",
                "Trigonometric tangent, elementwise.", ">>> mg.tan(mg.tensor(0.0))\nTensor(0.)"),
    "arcsin": _Row(np.arcsin, lambda g, x: _where_not(np.abs(x) == 1, g / np.sqrt(1 - x ** 2)),
                   "f(x) = arcsin(x);  df/dx = 1 / sqrt(1 - x**2)  (0 at abs(x) = 1, as in MyGrad)",
                   "Inverse sine, elementwise.",
                   ">>> mg.arcsin(mg.tensor([0.0, 1.0]))\nTensor([0.        , 1.57079633])"),
    "arccos": _Row(np.arccos, lambda g, x: _where_not(np.abs(x) == 1, -g / np.sqrt(1 - x ** 2)),
                   "f(x) = arccos(x);  df/dx = -1 / sqrt(1 - x**2)  (0 at abs(x) = 1, as in MyGrad)",
                   "Inverse cosine, elementwise.",
                   ">>> mg.arccos(mg.tensor([1.0, 0.0]))\nTensor([0.        , 1.57079633])"),
    "arctan": _Row(np.arctan, lambda g, x: g / (1 + x ** 2), "f(x) = arctan(x);  df/dx = 1 / (1 + x**2)",
                   "Inverse tangent, elementwise.", ">>> mg.arctan(mg.tensor(1.0))\nTensor(0.78539816)"),
    "sinh": _Row(np.sinh, lambda g, x: g * np.cosh(x), "f(x) = sinh(x);  df/dx = cosh(x)",
                 "Hyperbolic sine, elementwise.", ">>> mg.sinh(mg.tensor(0.0))\nTensor(0.)"),
    "cosh": _Row(np.cosh, lambda g, x: g * np.sinh(x), "f(x) = cosh(x);  df/dx = sinh(x)",
                 "Hyperbolic cosine, elementwise.", ">>> mg.cosh(mg.tensor(0.0))\nTensor(1.)"),
    "tanh": _Row(np.tanh, lambda g, x: g * (1 - np.tanh(x) ** 2), "f(x) = tanh(x);  df/dx = 1 - tanh(x)**2",
                 "Hyperbolic tangent, elementwise.", ">>> mg.tanh(mg.tensor(0.0))\nTensor(0.)"),
    "arcsinh": _Row(np.arcsinh, lambda g, x: g / np.sqrt(1 + x ** 2), "f(x) = arcsinh(x);  df/dx = 1 / sqrt(1 + x**2)",
                    "Inverse hyperbolic sine, elementwise.", ">>> mg.arcsinh(mg.tensor(0.0))\nTensor(0.)"),
    "arccosh": _Row(np.arccosh, lambda g, x: g / np.sqrt(x ** 2 - 1), "f(x) = arccosh(x);  df/dx = 1 / sqrt(x**2 - 1)",
                    "Inverse hyperbolic cosine, elementwise.", ">>> mg.arccosh(mg.tensor(1.0))\nTensor(0.)"),
    "arctanh": _Row(np.arctanh, lambda g, x: g / (1 - x ** 2), "f(x) = arctanh(x);  df/dx = 1 / (1 - x**2)",
                    "Inverse hyperbolic tangent, elementwise.", ">>> mg.arctanh(mg.tensor(0.0))\nTensor(0.)"),
    "exp": _Row(np.exp, lambda g, x: g * np.exp(x), "f(x) = e**x;  df/dx = e**x",
                "The exponential ``e**x``, elementwise.",
                ">>> x = mg.tensor(0.0)\n>>> mg.exp(x).backward()\n>>> x.grad\narray(1.)"),
    "exp2": _Row(np.exp2, lambda g, x: g * np.exp2(x) * _LN2, "f(x) = 2**x;  df/dx = ln(2) 2**x",
                 "``2**x``, elementwise.", ">>> mg.exp2(mg.tensor([0.0, 3.0]))\nTensor([1., 8.])"),
    "expm1": _Row(np.expm1, lambda g, x: g * np.exp(x), "f(x) = e**x - 1;  df/dx = e**x",
                  "``e**x - 1``, elementwise (accurate for small x).", ">>> mg.expm1(mg.tensor(0.0))\nTensor(0.)"),
    "log": _Row(np.log, lambda g, x: g / x, "f(x) = ln(x);  df/dx = 1 / x",
                "The natural logarithm, elementwise.",
                ">>> x = mg.tensor(2.0)\n>>> mg.log(x).backward()\n>>> x.grad\narray(0.5)"),
    "log2": _Row(np.log2, lambda g, x: g / (x * _LN2), "f(x) = log2(x);  df/dx = 1 / (x ln(2))",
                 "The base-2 logarithm, elementwise.", ">>> mg.log2(mg.tensor(8.0))\nTensor(3.)"),
    "log10": _Row(np.log10, lambda g, x: g / (x * _LN10), "f(x) = log10(x);  df/dx = 1 / (x ln(10))",
                  "The base-10 logarithm, elementwise.", ">>> mg.log10(mg.tensor(100.0))\nTensor(2.)"),
    "log1p": _Row(np.log1p, lambda g, x: g / (1 + x), "f(x) = ln(1 + x);  df/dx = 1 / (1 + x)",
                  "``ln(1 + x)``, elementwise (accurate for small x).", ">>> mg.log1p(mg.tensor(0.0))\nTensor(0.)"),
    "cbrt": _Row(np.cbrt, lambda g, x: g / (3 * np.cbrt(x ** 2)), "f(x) = x**(1/3);  df/dx = 1 / (3 x**(2/3))",
                 "The cube root, elementwise.", ">>> mg.cbrt(mg.tensor(27.0))\nTensor(3.)"),
}


# ---------------------------------------------------------------------------
# plain functions: name -> (forward, gradient, formula, summary, example)
# ---------------------------------------------------------------------------
def _arccot(x: np.ndarray) -> np.ndarray:
    # MyGrad's arccot keeps the input's dtype (integer input gives an integer result)
    out = np.full_like(x, np.pi / 2)
    nonzero = x != 0
    out[nonzero] = np.arctan(1 / x[nonzero])
    return out


_FUNCS = {
    "cot": _Row(lambda x: 1 / np.tan(x), lambda g, x: -g / np.sin(x) ** 2, "f(x) = 1 / tan(x);  df/dx = -1 / sin(x)**2",
                "Trigonometric cotangent, elementwise.", ">>> mg.cot(mg.tensor(np.pi / 4))\nTensor(1.)"),
    "sec": _Row(lambda x: 1 / np.cos(x), lambda g, x: g * np.sin(x) / np.cos(x) ** 2, "f(x) = 1 / cos(x);  df/dx = tan(x) / cos(x)",
                "Trigonometric secant, elementwise.", ">>> mg.sec(mg.tensor(0.0))\nTensor(1.)"),
    "csc": _Row(lambda x: 1 / np.sin(x), lambda g, x: -g * np.cos(x) / np.sin(x) ** 2,
                "f(x) = 1 / sin(x);  df/dx = -1 / (sin(x) tan(x))",
                "Trigonometric cosecant, elementwise.", ">>> mg.csc(mg.tensor(np.pi / 2))\nTensor(1.)"),
    "arccot": _Row(_arccot, lambda g, x: -g / (1 + x ** 2),
                   "f(x) = arctan(1 / x) (pi/2 at 0);  df/dx = -1 / (1 + x**2)",
                   "Inverse cotangent, elementwise.", ">>> mg.arccot(mg.tensor(1.0))\nTensor(0.78539816)"),
    "arcsec": _Row(lambda x: np.arccos(1 / x), lambda g, x: _where_not(np.abs(x) == 1, g / (np.abs(x) * np.sqrt(x ** 2 - 1))),
                   "f(x) = arccos(1 / x);  df/dx = 1 / (abs(x) sqrt(x**2 - 1))  (0 at abs(x) = 1, as in MyGrad)",
                   "Inverse secant, elementwise.", ">>> mg.arcsec(mg.tensor(2.0))\nTensor(1.04719755)"),
    "arccsc": _Row(lambda x: np.arcsin(1 / x), lambda g, x: _where_not(np.abs(x) == 1, -g / (np.abs(x) * np.sqrt(x ** 2 - 1))),
                   "f(x) = arcsin(1 / x);  df/dx = -1 / (abs(x) sqrt(x**2 - 1))  (0 at abs(x) = 1, as in MyGrad)",
                   "Inverse cosecant, elementwise.", ">>> mg.arccsc(mg.tensor(2.0))\nTensor(0.52359878)"),
    "coth": _Row(lambda x: 1 / np.tanh(x), lambda g, x: -g / np.sinh(x) ** 2,
                 "f(x) = 1 / tanh(x);  df/dx = -1 / sinh(x)**2",
                 "Hyperbolic cotangent, elementwise.", ">>> mg.coth(mg.tensor(1.0))\nTensor(1.31303529)"),
    "sech": _Row(lambda x: 1 / np.cosh(x), lambda g, x: -g * np.sinh(x) / np.cosh(x) ** 2,
                 "f(x) = 1 / cosh(x);  df/dx = -sinh(x) / cosh(x)**2",
                 "Hyperbolic secant, elementwise.", ">>> mg.sech(mg.tensor(0.0))\nTensor(1.)"),
    "csch": _Row(lambda x: 1 / np.sinh(x), lambda g, x: -g * np.cosh(x) / np.sinh(x) ** 2,
                 "f(x) = 1 / sinh(x);  df/dx = -cosh(x) / sinh(x)**2",
                 "Hyperbolic cosecant, elementwise.", ">>> mg.csch(mg.tensor(1.0))\nTensor(0.85091813)"),
    "arccoth": _Row(lambda x: np.arctanh(1 / x), lambda g, x: g / (1 - x ** 2),
                    "f(x) = arctanh(1 / x);  df/dx = 1 / (1 - x**2)",
                    "Inverse hyperbolic cotangent, elementwise.", ">>> mg.arccoth(mg.tensor(2.0))\nTensor(0.54930614)"),
    "arccsch": _Row(lambda x: np.arcsinh(1 / x), lambda g, x: -g / (np.abs(x) * np.sqrt(1 + x ** 2)),
                    "f(x) = arcsinh(1 / x);  df/dx = -1 / (abs(x) sqrt(1 + x**2))",
                    "Inverse hyperbolic cosecant, elementwise.", ">>> mg.arccsch(mg.tensor(1.0))\nTensor(0.88137359)"),
    "sinc": _Row(np.sinc, lambda g, x: _sinc_derivative(g, x),
                 "f(x) = sin(pi x) / (pi x) (1 at 0);  df/dx = (cos(pi x) - f(x)) / x  (0 at 0)",
                 "The normalized sinc function, ``sin(pi x) / (pi x)``, elementwise.",
                 ">>> mg.sinc(mg.tensor([0.0, 0.5]))\nTensor([1.        , 0.63661977])"),
}


# ---------------------------------------------------------------------------
# the op classes built from the tables
# ---------------------------------------------------------------------------
class _UnaryUfuncOp(UnaryUfunc):
    """Base of the table's ufunc ops: ``gradient(grad, x)``."""

    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]

    def _derivative(self, grad, index):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return self.gradient(grad, self.variables[0].data)


class _UnaryOp(Operation):
    """Base of the table's plain-function ops: ``forward(x)``; ``gradient(grad, x)``."""

    forward: Callable[[np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]

    def __call__(self, x):
        self.variables = (x,)
        return self.forward(x.data)

    def backward_var(self, grad, index, **kwargs):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return self.gradient(grad, self.variables[0].data)


def _op_class(name: str, base: type, row: _Row, **attrs) -> type:
    cls = type(name.capitalize(), (base,), {
        "__doc__": row.formula, "__module__": __name__,
        "forward": staticmethod(row.forward), "gradient": staticmethod(row.gradient), **attrs})
    cls.__qualname__ = cls.__name__
    return cls


_FUNC_DOC = """{summary}

Parameters
----------
a : ArrayLike
    The input; a non-tensor is a constant.
constant : bool, optional (keyword-only)
    If True, the result is a constant (no gradient flows back through it).

Returns
-------
Tensor

Notes
-----
{formula}

Examples
--------
>>> import numpy as np
>>> import mygrad_c as mg
{example}
"""


def _make_function(name: str, Op: type, row: _Row) -> Callable[..., Tensor]:
    def func(a: ArrayLike, *, constant: Optional[bool] = None) -> Tensor:
        return execute_op(Op, a, constant=constant)

    func.__name__ = func.__qualname__ = name
    func.__module__ = "mygrad_c"
    func.__doc__ = _FUNC_DOC.format(summary=row.summary, formula=row.formula, example=row.example)
    return func


_ufunc_ops = {n: _op_class(n, _UnaryUfuncOp, row, numpy_ufunc=row.forward) for n, row in _UFUNCS.items()}
_func_ops = {n: _op_class(n, _UnaryOp, row) for n, row in _FUNCS.items()}
# the op classes by MyGrad's names (Sin, Cos, ..., Cbrt, Cot, ..., Sinc), for ``isinstance(y.creator, Sin)``
globals().update({Op.__name__: Op for Op in (*_ufunc_ops.values(), *_func_ops.values())})


def _ufunc_doc(row: _Row, params: str = _X) -> str:
    return _doc(row.summary + "\n\n" + row.formula, params, ">>> import numpy as np\n" + row.example)


sin = make_ufunc("sin", _ufunc_ops["sin"], _ufunc_doc(_UFUNCS["sin"]))
cos = make_ufunc("cos", _ufunc_ops["cos"], _ufunc_doc(_UFUNCS["cos"]))
tan = make_ufunc("tan", _ufunc_ops["tan"], _ufunc_doc(_UFUNCS["tan"]))
arcsin = make_ufunc("arcsin", _ufunc_ops["arcsin"], _ufunc_doc(_UFUNCS["arcsin"]))
arccos = make_ufunc("arccos", _ufunc_ops["arccos"], _ufunc_doc(_UFUNCS["arccos"]))
arctan = make_ufunc("arctan", _ufunc_ops["arctan"], _ufunc_doc(_UFUNCS["arctan"]))
sinh = make_ufunc("sinh", _ufunc_ops["sinh"], _ufunc_doc(_UFUNCS["sinh"]))
cosh = make_ufunc("cosh", _ufunc_ops["cosh"], _ufunc_doc(_UFUNCS["cosh"]))
tanh = make_ufunc("tanh", _ufunc_ops["tanh"], _ufunc_doc(_UFUNCS["tanh"]))
arcsinh = make_ufunc("arcsinh", _ufunc_ops["arcsinh"], _ufunc_doc(_UFUNCS["arcsinh"]))
arccosh = make_ufunc("arccosh", _ufunc_ops["arccosh"], _ufunc_doc(_UFUNCS["arccosh"]))
arctanh = make_ufunc("arctanh", _ufunc_ops["arctanh"], _ufunc_doc(_UFUNCS["arctanh"]))
exp = make_ufunc("exp", _ufunc_ops["exp"], _ufunc_doc(_UFUNCS["exp"]))
exp2 = make_ufunc("exp2", _ufunc_ops["exp2"], _ufunc_doc(_UFUNCS["exp2"]))
expm1 = make_ufunc("expm1", _ufunc_ops["expm1"], _ufunc_doc(_UFUNCS["expm1"]))
log = make_ufunc("log", _ufunc_ops["log"], _ufunc_doc(_UFUNCS["log"]))
log2 = make_ufunc("log2", _ufunc_ops["log2"], _ufunc_doc(_UFUNCS["log2"]))
log10 = make_ufunc("log10", _ufunc_ops["log10"], _ufunc_doc(_UFUNCS["log10"]))
log1p = make_ufunc("log1p", _ufunc_ops["log1p"], _ufunc_doc(_UFUNCS["log1p"]))
cbrt = make_ufunc("cbrt", _ufunc_ops["cbrt"], _ufunc_doc(_UFUNCS["cbrt"]))

# MyGrad names the argument of its exponential and logarithmic ufuncs ``x1``
for _f in (exp, exp2, expm1, log, log2, log10, log1p):
    _sig = _f.__signature__
    _f.__signature__ = _sig.replace(parameters=[p.replace(name="x1") if p.name == "x" else p
                                                for p in _sig.parameters.values()])

cot = _make_function("cot", _func_ops["cot"], _FUNCS["cot"])
sec = _make_function("sec", _func_ops["sec"], _FUNCS["sec"])
csc = _make_function("csc", _func_ops["csc"], _FUNCS["csc"])
arccot = _make_function("arccot", _func_ops["arccot"], _FUNCS["arccot"])
arcsec = _make_function("arcsec", _func_ops["arcsec"], _FUNCS["arcsec"])
arccsc = _make_function("arccsc", _func_ops["arccsc"], _FUNCS["arccsc"])
coth = _make_function("coth", _func_ops["coth"], _FUNCS["coth"])
sech = _make_function("sech", _func_ops["sech"], _FUNCS["sech"])
csch = _make_function("csch", _func_ops["csch"], _FUNCS["csch"])
arccoth = _make_function("arccoth", _func_ops["arccoth"], _FUNCS["arccoth"])
arccsch = _make_function("arccsch", _func_ops["arccsch"], _FUNCS["arccsch"])
sinc = _make_function("sinc", _func_ops["sinc"], _FUNCS["sinc"])


# ---------------------------------------------------------------------------
# two-input ufuncs
# ---------------------------------------------------------------------------
class Logaddexp(BinaryUfunc):
    """f(a, b) = ln(e**a + e**b);  df/da = 1 / (1 + e**(b - a)), df/db = 1 / (1 + e**(a - b))"""

    numpy_ufunc = np.logaddexp

    def _derivative(self, grad, index):
        a, b = (v.data for v in self.variables)
        d = b - a if index == 0 else a - b
        with np.errstate(over="ignore", invalid="ignore"):
            return grad / (1 + np.exp(d))


class Logaddexp2(BinaryUfunc):
    """f(a, b) = log2(2**a + 2**b);  df/da = 1 / (1 + 2**(b - a)), df/db = 1 / (1 + 2**(a - b))"""

    numpy_ufunc = np.logaddexp2

    def _derivative(self, grad, index):
        a, b = (v.data for v in self.variables)
        d = b - a if index == 0 else a - b
        with np.errstate(over="ignore", invalid="ignore"):
            return grad / (1 + np.exp2(d))


class Arctan2(BinaryUfunc):
    """f(a, b) = angle of the point (b, a);  df/da = b / (a**2 + b**2), df/db = -a / (a**2 + b**2)"""

    numpy_ufunc = np.arctan2
    cached_denom = None  # (an attribute of MyGrad's op, filled by its backward pass)

    def _derivative(self, grad, index):
        a, b = (v.data for v in self.variables)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # -(grad * a), not grad * -a: a may be a bool array (no negative for bools)
            return (grad * b if index == 0 else -(grad * a)) / (a ** 2 + b ** 2)


logaddexp = make_ufunc("logaddexp", Logaddexp, _doc(
    "``ln(e**x1 + e**x2)``, elementwise, computed without overflow.", _X1X2,
    ">>> mg.logaddexp(mg.tensor(0.0), 0.0)\nTensor(0.69314718)"))
logaddexp2 = make_ufunc("logaddexp2", Logaddexp2, _doc(
    "``log2(2**x1 + 2**x2)``, elementwise, computed without overflow.", _X1X2,
    ">>> mg.logaddexp2(mg.tensor(1.0), 1.0)\nTensor(2.)"))
arctan2 = make_ufunc("arctan2", Arctan2, _doc(
    "The angle (in radians, in [-pi, pi]) of the point ``(x2, x1)``: ``arctan(x1 / x2)`` "
    "in the right quadrant.", _X1X2,
    ">>> x = mg.tensor(1.0)\n>>> mg.arctan2(x, 1.0)\nTensor(0.78539816)\n>>> mg.arctan2(x, 1.0).backward()\n"
    ">>> x.grad\narray(0.5)"))

__all__ = list(_UFUNCS) + list(_FUNCS) + ["logaddexp", "logaddexp2", "arctan2"]
