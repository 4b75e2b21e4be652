"""Every public differentiable function of mygrad_c in a 100-iteration training loop,
compared with MyGrad at every iteration.

Real MyGrad code runs the same leaf tensors - and views of them made once, before the
loop - through many forward / backward / update iterations.  For each catalog entry the
loop is a ``Program`` (tests/programs.py):

    setup:  the leaves (and, in the "views" variant, a view of each leaf, made once:
            ``w0 = mg.tensor(...); a = w0.T``); the inputs a, b, ... are these views,
            or the leaves themselves in the "leaves" variant
    body:   out = <the function applied to a, b, ...>
            (out * out).sum().backward()
            update of every leaf that got a gradient (w -= lr * w.grad under
            no_autodiff, or w.data -= lr * w.grad)
    100 iterations

and after each iteration every variable - leaves, views, ``out`` - is compared with
MyGrad's: values, gradients, ``.base``, constant, creator, writeable flags, memory
sharing.  A difference is then located statement by statement and reported as a script
that runs both libraries (programs.py).

``test_catalog_covers_the_api`` checks that every public name (top level, ``nnet``,
``linalg``, Tensor methods / operators / properties) is either in ``CATALOG`` or in
``EXCLUDED`` with the reason.
"""
from __future__ import annotations

import types

import mygrad
import numpy as np
import pytest

import mygrad_c
from programs import Program, ProgramMismatch, run_program

ITERATIONS = 100   # as asked; the arrays are tiny so that this stays fast
VARIANTS = ("leaves", "views", "fresh-views")


def arr(shape=(2, 3), lo=-1.0, hi=1.0, seed=0) -> np.ndarray:
    """Distinct, readable values in [lo, hi] (two decimals), in a fixed shuffled order."""
    n = int(np.prod(shape))
    vals = np.round(np.linspace(lo, hi, n + 2)[1:-1], 2)
    return np.random.default_rng(seed).permutation(vals).reshape(shape)


class Loop:
    """A catalog entry: ``expr`` computes ``out`` from the inputs a, b, c, ... (in that
    order, one per array of ``inputs``); ``pre`` are statements run before it in the
    loop body; ``setup`` statements run once, first."""

    def __init__(self, expr: str, *inputs: np.ndarray, pre: tuple = (), setup: tuple = (),
                 lr: float = 0.001):
        self.expr, self.inputs, self.pre, self.setup, self.lr = expr, inputs or (arr(),), pre, setup, lr

    def program(self, variant: str) -> Program:
        """The loop; variant "leaves": the inputs are leaf tensors; "views": views of
        leaves made once before the loop; "fresh-views": views of leaves made again at
        the start of every iteration."""
        setup, views, updates = list(self.setup), [], []
        names = "abcdefg"
        for i, x in enumerate(self.inputs):
            inp = names[i]
            leaf = inp if variant == "leaves" else f"w{i}"
            if variant == "leaves":
                setup.append(f"{inp} = mg.tensor({_literal(x)})")
            else:
                base, view = _view_of(x, i)
                setup.append(f"{leaf} = mg.tensor({_literal(base)})")
                (setup if variant == "views" else views).append(f"{inp} = {view.format(leaf)}")
            if i % 2 == 0:
                upd = f"    with mg.no_autodiff:\n        {leaf} -= {self.lr} * {leaf}.grad"
            else:
                upd = f"    {leaf}.data -= {self.lr} * {leaf}.grad"
            updates.append(f"if {leaf}.grad is not None:\n{upd}")
        body = views + list(self.pre) + [f"out = {self.expr}", "(out * out).sum().backward()"] + updates
        return Program(setup=setup, body=body, iterations=ITERATIONS)


def _literal(x: np.ndarray) -> str:
    return f"np.array({x.tolist()!r})" if x.ndim else repr(float(x))


def _view_of(x: np.ndarray, i: int) -> tuple:
    """(base array, view expression) such that the view of the base equals ``x``;
    the kind of view cycles with the input's position."""
    kind = ["transpose", "index", "reshape", "reverse"][i % 4]
    if x.ndim == 0:
        return x.reshape(1), "{}[0]"
    if kind == "transpose":
        return np.ascontiguousarray(x.T), "{}.T"
    if kind == "index":
        return np.stack([x[::-1] * 0.5, x]), "{}[1]"
    if kind == "reshape":
        return x.ravel(), "{}.reshape(%s)" % (x.shape,)
    return x[::-1].copy(), "{}[::-1]"


# A user-defined operation for execute_op (MyGrad's documented extension point).
SQUARE_OP = ("class Square(mg.operation_base.Operation):\n"
             "    def __call__(self, a):\n"
             "        self.variables = (a,)\n"
             "        return a.data ** 2\n"
             "    def backward_var(self, grad, index, **kwargs):\n"
             "        return 2 * grad * self.variables[0].data")

POS = dict(lo=0.5, hi=2.0)          # inside the domain of log, sqrt, reciprocal, ...
UNIT = dict(lo=-0.8, hi=0.8)        # inside (-1, 1)
BIG = dict(lo=1.2, hi=2.5)          # outside [-1, 1]
A23, B23, C23 = arr(), arr(seed=1), arr(seed=2)
A3 = arr((3,))
LABELS = "np.array([2, 0])"         # class labels for a (2, 3) score array

CATALOG: dict[str, Loop] = {
    # -- unary ufunc-likes and functions --------------------------------------------
    "abs": Loop("mg.abs(a)"),
    "absolute": Loop("mg.absolute(a)"),
    "arccos": Loop("mg.arccos(a)", arr(**UNIT)),
    "arccosh": Loop("mg.arccosh(a)", arr(**BIG)),
    "arccot": Loop("mg.arccot(a)"),
    "arccoth": Loop("mg.arccoth(a)", arr(**BIG)),
    "arccsc": Loop("mg.arccsc(a)", arr(**BIG)),
    "arccsch": Loop("mg.arccsch(a)", arr(**POS)),
    "arcsec": Loop("mg.arcsec(a)", arr(**BIG)),
    "arcsin": Loop("mg.arcsin(a)", arr(**UNIT)),
    "arcsinh": Loop("mg.arcsinh(a)"),
    "arctan": Loop("mg.arctan(a)"),
    "arctanh": Loop("mg.arctanh(a)", arr(**UNIT)),
    "cbrt": Loop("mg.cbrt(a)", arr(**POS)),
    "cos": Loop("mg.cos(a)"),
    "cosh": Loop("mg.cosh(a)"),
    "cot": Loop("mg.cot(a)", arr(lo=0.4, hi=1.2)),
    "coth": Loop("mg.coth(a)", arr(**POS)),
    "csc": Loop("mg.csc(a)", arr(lo=0.4, hi=1.2)),
    "csch": Loop("mg.csch(a)", arr(**POS)),
    "exp": Loop("mg.exp(a)"),
    "exp2": Loop("mg.exp2(a)"),
    "expm1": Loop("mg.expm1(a)"),
    "log": Loop("mg.log(a)", arr(**POS)),
    "log10": Loop("mg.log10(a)", arr(**POS)),
    "log1p": Loop("mg.log1p(a)", arr(**UNIT)),
    "log2": Loop("mg.log2(a)", arr(**POS)),
    "negative": Loop("mg.negative(a)"),
    "positive": Loop("mg.positive(a)"),
    "reciprocal": Loop("mg.reciprocal(a)", arr(**POS)),
    "sec": Loop("mg.sec(a)"),
    "sech": Loop("mg.sech(a)"),
    "sin": Loop("mg.sin(a)"),
    "sinc": Loop("mg.sinc(a)"),
    "sinh": Loop("mg.sinh(a)"),
    "sqrt": Loop("mg.sqrt(a)", arr(**POS)),
    "square": Loop("mg.square(a)"),
    "tan": Loop("mg.tan(a)"),
    "tanh": Loop("mg.tanh(a)"),
    # -- binary ufunc-likes (with broadcasting, and where= / out= variants) ----------
    "add": Loop("mg.add(a, b)", A23, A3),
    "add/out-where": Loop("mg.add(a, b, out=c, where=np.array([True, False, True]))", A23, A3, B23),
    "arctan2": Loop("mg.arctan2(a, b)", A23, arr(**POS, seed=1)),
    "divide": Loop("mg.divide(a, b)", A23, arr((3,), **POS)),
    "logaddexp": Loop("mg.logaddexp(a, b)", A23, B23),
    "logaddexp2": Loop("mg.logaddexp2(a, b)", A23, B23),
    "matmul": Loop("mg.matmul(a, b)", A23, arr((3, 2), seed=1)),
    "maximum": Loop("mg.maximum(a, b)", A23, B23),
    "minimum": Loop("mg.minimum(a, b)", A23, B23),
    "multiply": Loop("mg.multiply(a, b)", A23, A3),
    "multiply/out": Loop("mg.multiply(a, b, out=c)", A23, A3, B23),
    "power": Loop("mg.power(a, b)", arr(**POS), arr(seed=1)),
    "subtract": Loop("mg.subtract(a, b)", A23, B23),
    "true_divide": Loop("mg.true_divide(a, b)", A23, arr(**POS, seed=1)),
    # -- reductions and sequential functions -------------------------------------------
    "add_sequence": Loop("mg.add_sequence(a, b, c)", A23, B23, C23),
    "multiply_sequence": Loop("mg.multiply_sequence(a, b, c)", A23, B23, C23),
    "amax": Loop("mg.amax(a, axis=1)"),
    "amin": Loop("mg.amin(a, axis=0)"),
    "max": Loop("mg.max(a, axis=1, keepdims=True)"),
    "min": Loop("mg.min(a)"),
    "mean": Loop("mg.mean(a, axis=0)"),
    "sum": Loop("mg.sum(a, axis=(0, 1))"),
    "prod": Loop("mg.prod(a, axis=1)"),
    "var": Loop("mg.var(a, axis=1, ddof=1)"),
    "std": Loop("mg.std(a)"),
    "cumsum": Loop("mg.cumsum(a, axis=1)"),
    "cumprod": Loop("mg.cumprod(a)"),
    # -- shape and joining -----------------------------------------------------------
    "broadcast_to": Loop("mg.broadcast_to(a, (2, 2, 3))"),
    "expand_dims": Loop("mg.expand_dims(a, 1)"),
    "moveaxis": Loop("mg.moveaxis(a, 0, -1)", arr((2, 3, 2))),
    "swapaxes": Loop("mg.swapaxes(a, 0, 1)"),
    "transpose": Loop("mg.transpose(a, (1, 0))"),
    "reshape": Loop("mg.reshape(a, (3, 2))"),
    "ravel": Loop("mg.ravel(a)"),
    "squeeze": Loop("mg.squeeze(a)", arr((1, 3))),
    "repeat": Loop("mg.repeat(a, 2, axis=0)"),
    "roll": Loop("mg.roll(a, 1, axis=1)"),
    "atleast_1d": Loop("mg.atleast_1d(a)", np.array(0.5)),
    "atleast_2d": Loop("mg.atleast_2d(a)", A3),
    "atleast_3d": Loop("mg.atleast_3d(a)", A23),
    "concatenate": Loop("mg.concatenate([a, b], axis=1)", A23, B23),
    "stack": Loop("mg.stack([a, b], axis=-1)", A23, B23),
    # -- selection, linear algebra ---------------------------------------------------
    "clip": Loop("mg.clip(a, -0.5, 0.5)"),
    "where": Loop("mg.where(a > 0, a, b)", A23, B23),
    "einsum": Loop('mg.einsum("ij,kj->ik", a, b)', A23, B23),
    "multi_matmul": Loop("mg.multi_matmul([a, b, c])", A23, arr((3, 2), seed=1), arr((2, 2), seed=2)),
    "linalg.norm": Loop("mg.linalg.norm(a)"),
    "linalg.norm/axis": Loop("mg.linalg.norm(a, ord=1, axis=1)"),
    # -- tensor creation from tensors, user operations -------------------------------
    "astensor": Loop("mg.astensor(a) * b", A23, B23),
    "tensor": Loop("mg.tensor(a) * b", A23, B23),
    "execute_op": Loop("mg.execute_op(Square, a)", setup=(SQUARE_OP,)),
    # -- nnet: activations, losses, layers ----------------------------------------------
    "nnet.elu": Loop("mg.nnet.elu(a, 0.5)"),
    "nnet.glu": Loop("mg.nnet.glu(a, axis=-1)", arr((2, 4))),
    "nnet.hard_tanh": Loop("mg.nnet.hard_tanh(a, lower_bound=-0.5, upper_bound=0.6)"),
    "nnet.leaky_relu": Loop("mg.nnet.leaky_relu(a, 0.1)"),
    "nnet.logsoftmax": Loop("mg.nnet.logsoftmax(a)"),
    "nnet.relu": Loop("mg.nnet.relu(a)"),
    "nnet.selu": Loop("mg.nnet.selu(a)"),
    "nnet.sigmoid": Loop("mg.nnet.sigmoid(a)"),
    "nnet.soft_sign": Loop("mg.nnet.soft_sign(a)"),
    "nnet.softmax": Loop("mg.nnet.softmax(a, axis=0)"),
    "nnet.tanh": Loop("mg.nnet.tanh(a)"),
    "nnet.focal_loss": Loop(f"mg.nnet.focal_loss(mg.nnet.softmax(a), {LABELS}, alpha=0.5, gamma=1.5)"),
    "nnet.margin_ranking_loss": Loop("mg.nnet.margin_ranking_loss(a, b, np.array([1, -1, 1]), 0.3)",
                                     A3, arr((3,), seed=1)),
    "nnet.multiclass_hinge": Loop(f"mg.nnet.multiclass_hinge(a, {LABELS})"),
    "nnet.negative_log_likelihood": Loop(
        f"mg.nnet.negative_log_likelihood(mg.nnet.logsoftmax(a), {LABELS}, weights=np.array([1.0, 0.5, 2.0]))"),
    "nnet.softmax_crossentropy": Loop(f"mg.nnet.softmax_crossentropy(a, {LABELS})"),
    "nnet.softmax_focal_loss": Loop(f"mg.nnet.softmax_focal_loss(a, {LABELS}, alpha=0.5, gamma=1.0)"),
    "nnet.batchnorm": Loop("mg.nnet.batchnorm(a, gamma=b, beta=c, eps=1e-5)", arr((4, 3)), A3 + 1.5,
                           arr((3,), seed=1)),
    "nnet.conv_nd": Loop("mg.nnet.conv_nd(a, b, stride=1, padding=1)", arr((1, 1, 3, 3)),
                         arr((2, 1, 2, 2), seed=1)),
    "nnet.max_pool": Loop("mg.nnet.max_pool(a, (2, 2), 1)", arr((1, 2, 3, 3))),
    # -- Tensor methods and operators -----------------------------------------------
    "Tensor.T": Loop("a.T"),
    "Tensor.__add__": Loop("a + b", A23, A3),
    "Tensor.__radd__": Loop("np.array([1.0, 2.0, 3.0]) + a"),
    "Tensor.__sub__": Loop("a - b", A23, B23),
    "Tensor.__rsub__": Loop("1.5 - a"),
    "Tensor.__mul__": Loop("a * b", A23, A3),
    "Tensor.__rmul__": Loop("2.5 * a"),
    "Tensor.__truediv__": Loop("a / b", A23, arr((3,), **POS)),
    "Tensor.__rtruediv__": Loop("1.0 / a", arr(**POS)),
    "Tensor.__pow__": Loop("a ** b", arr(**POS), B23),
    "Tensor.__rpow__": Loop("2.0 ** a"),
    "Tensor.__matmul__": Loop("a @ b", A23, arr((3,), seed=1)),
    "Tensor.__rmatmul__": Loop("np.array([[1.0, -1.0], [0.5, 2.0]]) @ a"),
    "Tensor.__neg__": Loop("-a"),
    "Tensor.__pos__": Loop("+a"),
    "Tensor.__getitem__": Loop("a[1:, ::-1]"),
    "Tensor.__getitem__/advanced": Loop("a[[0, 1, 1], [2, 0, 2]]"),
    "Tensor.__getitem__/bool": Loop("a[a > 0]"),
    "Tensor.__setitem__": Loop("c", A23, A3, pre=("c = a * 1.0", "c[0] = b")),
    "Tensor.__setitem__/advanced": Loop("c", A23, arr((2,), seed=1),
                                        pre=("c = a * 1.0", "c[[0, 1], [2, 0]] = b")),
    "Tensor.__iadd__": Loop("c", A23, A3, pre=("c = a * 1.0", "c += b")),
    "Tensor.__isub__": Loop("c", A23, A3, pre=("c = a * 1.0", "c -= b")),
    "Tensor.__imul__": Loop("c", A23, A3, pre=("c = a * 1.0", "c *= b")),
    "Tensor.__itruediv__": Loop("c", A23, arr((3,), **POS), pre=("c = a * 1.0", "c /= b")),
    "Tensor.__ipow__": Loop("c", arr(**POS), pre=("c = a * 1.0", "c **= 2")),
    "Tensor.__iter__": Loop("mg.stack(list(a))"),
    "Tensor.__copy__": Loop("copy.copy(a) * b", A23, B23, setup=("import copy",)),
    "Tensor.__array_ufunc__": Loop("np.multiply(np.sin(a), b)", A23, B23),
    "Tensor.__array_function__": Loop("np.concatenate([np.transpose(a), b])", A23, arr((3, 2), seed=1)),
    "Tensor.astype": Loop("a.astype('float32') * b", A23, B23),
    "Tensor.clip": Loop("a.clip(-0.4, None)"),
    "Tensor.copy": Loop("a.copy() * b", A23, B23),
    "Tensor.cumprod": Loop("a.cumprod(axis=0)"),
    "Tensor.cumsum": Loop("a.cumsum()"),
    "Tensor.flatten": Loop("a.flatten()"),
    "Tensor.max": Loop("a.max(axis=0)"),
    "Tensor.mean": Loop("a.mean(axis=1, keepdims=True)"),
    "Tensor.min": Loop("a.min()"),
    "Tensor.moveaxis": Loop("a.moveaxis(1, 0)"),
    "Tensor.prod": Loop("a.prod()"),
    "Tensor.ravel": Loop("a.ravel()"),
    "Tensor.reshape": Loop("a.reshape(3, 2)"),
    "Tensor.squeeze": Loop("a.squeeze(0)", arr((1, 3))),
    "Tensor.std": Loop("a.std(axis=0, ddof=1)"),
    "Tensor.sum": Loop("a.sum(axis=1)"),
    "Tensor.swapaxes": Loop("a.swapaxes(0, 1)"),
    "Tensor.transpose": Loop("a.transpose()"),
    "Tensor.var": Loop("a.var()"),
}

# Public names without a training loop, and why.
EXCLUDED = {
    # creation of new leaf tensors (nothing to differentiate through)
    **dict.fromkeys(["arange", "empty", "empty_like", "eye", "full", "full_like", "geomspace", "identity",
                     "linspace", "logspace", "ones", "ones_like", "zeros", "zeros_like"], "creation"),
    **dict.fromkeys([f"nnet.{n}" for n in ["constant", "dirac", "glorot_normal", "glorot_uniform", "he_normal",
                                          "he_uniform", "identity", "normal", "uniform"]], "initializer (creation)"),
    # input / output
    "save": "io", "load": "io",
    # return NumPy arrays or integer / bool results: not differentiable
    **dict.fromkeys(["any", "argmax", "argmin", "asarray", "sliding_window_view"], "returns a NumPy array"),
    # NumPy's own objects, re-exported by MyGrad as they are (plain arrays out)
    **dict.fromkeys(["allclose", "bincount", "can_cast", "ceil", "copyto", "divmod", "equal", "floor",
                     "floor_divide", "fmod", "greater", "greater_equal", "isclose", "isfinite", "isinf",
                     "isnan", "isnat", "less", "less_equal", "logical_and", "logical_not", "logical_or",
                     "logical_xor", "may_share_memory", "min_scalar_type", "mod", "not_equal", "remainder",
                     "result_type", "rint", "shape", "shares_memory", "sign", "signbit", "trunc"],
                    "NumPy function (non-differentiable)"),
    **dict.fromkeys(["bool_", "double", "float16", "float32", "float64", "half", "int16", "int32", "int64",
                     "int8", "intp", "longdouble", "single", "uint16", "uint32", "uint64", "uint8", "uintp"],
                    "NumPy dtype"),
    # constants and types
    **dict.fromkeys(["e", "euler_gamma", "inf", "nan", "newaxis", "pi", "TYPE_CHECKING"], "constant"),
    "Tensor": "the type itself (its methods are listed as Tensor.*)", "ufunc": "base type of the ufunc-likes",
    # graph-mode and memory-guard switches: every loop's update uses no_autodiff
    **dict.fromkeys(["no_autodiff", "mem_guard_off", "mem_guard_on", "mem_guard_active",
                     "turn_memory_guarding_off", "turn_memory_guarding_on"], "graph-mode switch"),
    # MyGrad's gru needs numba (the test extra installs it): its training loop against
    # MyGrad's is tests/nnet/test_gru.py::test_training_loop_through_gru_as_mygrad
    # (tests/nnet and tests/fuzz/fuzz_gru.py check it against NumPy too)
    "nnet.gru": "compared in tests/nnet/test_gru.py (its own loop: three steps, dropout, bp_lim, s0)",
    # Tensor: properties the comparison reads on every variable after every iteration
    **dict.fromkeys([f"Tensor.{n}" for n in ["base", "constant", "creator", "dtype", "grad", "ndim", "shape",
                                            "size"]], "property compared after every iteration"),
    # Tensor: graph control used by every loop (backward), or that does not build tensors
    **dict.fromkeys([f"Tensor.{n}" for n in ["backward", "clear_graph", "null_grad", "null_gradients"]],
                    "graph control (every loop runs backward)"),
    **dict.fromkeys([f"Tensor.{n}" for n in ["any", "argmax", "argmin", "item", "__array__", "__float__",
                                            "__int__", "__index__", "__len__", "__contains__", "__bool__",
                                            "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
                                            "__floordiv__", "__rfloordiv__", "__repr__", "__str__", "__hash__",
                                            "__reduce__", "__deepcopy__"]],
                    "returns a non-tensor / NumPy array, or is not differentiable"),
    "Tensor.__init__": "creation",
    # MyGrad refuses in-place matrix multiplication (TypeError); test_in_place.py checks that
    "Tensor.__imatmul__": "MyGrad raises TypeError",
    # mygrad_c only: MyGrad's Tensor has no __abs__ (abs(t) raises TypeError there);
    # reported as a difference, mg.abs(t) is the catalog's "abs"
    "Tensor.__abs__": "mygrad_c only",
    # class attributes, not callables
    **dict.fromkeys([f"Tensor.{n}" for n in ["__dict__", "__doc__", "__module__", "__weakref__",
                                            "__array_priority__"]], "class attribute"),
    # pickling support (restores a tensor's attributes), not an operation
    "Tensor.__setstate__": "pickling",
    # mygrad_c only (issue 14): functional derivatives, tested in test_autodiff.py with their
    # own loops and against PyTorch; MyGrad has nothing to compare with
    **dict.fromkeys(["grad", "hessian", "hvp", "jacobian"], "mygrad_c only (higher-order derivatives)"),
}

# Entries that fail today because of a reported, not yet fixed library bug
# (docs/fuzzing.md has each with its reproduction).  Remove a mark when its bug is fixed:
# the tests are strict, so an entry that starts passing fails until its mark goes.
def _open(bug: str):
    return pytest.mark.xfail(strict=True, raises=ProgramMismatch,
                             reason=f"open discrepancy {bug!r} (programs.KNOWN_BUGS, docs/fuzzing.md)")


KNOWN_FAILURES: dict = {}   # (none open today)


def _public(module) -> set:
    return {n for n in dir(module) if not n.startswith("_") and not isinstance(getattr(module, n), types.ModuleType)}


def public_names() -> set:
    """Every public name of MyGrad and of mygrad_c, as catalog keys."""
    names = set()
    for lib in (mygrad, mygrad_c):
        names |= _public(lib)
        for sub in ("activations", "losses", "layers", "initializers"):
            names |= {f"nnet.{n}" for n in _public(getattr(lib.nnet, sub))}
        names |= {f"nnet.{n}" for n in _public(lib.nnet)}
        # mygrad.linalg also holds its Operation classes and the top-level einsum and
        # multi_matmul (imported there): its own public function is norm
        names |= {f"linalg.{n}" for n in _public(lib.linalg)
                  if not isinstance(getattr(lib.linalg, n), type) and n not in _public(lib)}
        # (__slotnames__ is copyreg's cache, set on the class once a tensor was copied)
        names |= {f"Tensor.{n}" for n in vars(lib.Tensor)
                  if (not n.startswith("_") or n.startswith("__")) and n != "__slotnames__"}
    names.add("nnet.gru")   # (MyGrad's nnet has it only where numba is installed; mygrad_c always)
    return names - {"nnet.layers.gru"}


def test_catalog_covers_the_api():
    covered = {k.split("/")[0] for k in CATALOG}
    missing = sorted(public_names() - covered - set(EXCLUDED))
    assert not missing, f"public names with no training loop and no exclusion: {missing}"
    assert not covered & set(EXCLUDED), sorted(covered & set(EXCLUDED))
    stale = sorted((covered | set(EXCLUDED)) - public_names())
    assert not stale, f"catalog / exclusion names that are not public: {stale}"


def _params() -> list:
    return [pytest.param(name, variant, id=f"{name}-{variant}", marks=KNOWN_FAILURES.get((name, variant), ()))
            for name in CATALOG for variant in VARIANTS]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name,variant", _params())
def test_training_loop(name, variant):
    m = run_program(CATALOG[name].program(variant), every_statement=False)
    if (name, variant) in MYGRAD_CRASHES:
        assert m.ended, "MyGrad no longer fails here: remove the entry from MYGRAD_CRASHES"
    else:
        assert m.ended is None or m.ended.startswith(("known bug", "accepted difference")), m.ended


# Loops that MyGrad cannot run to the end: it fails its own internal assertion ("A
# placeholder copy can not be created for a tensor with a gradient") when out= writes
# into a view whose base has a gradient from the previous iteration.  Compared up to there.
MYGRAD_CRASHES = {("add/out-where", "fresh-views"), ("multiply/out", "fresh-views")}


def test_a_loop_program_reads_well():
    """The loop of one entry, as a failure report prints it."""
    p = CATALOG["multiply"].program("views")
    assert [s.split(" = ")[0] for s in p.setup] == ["w0", "a", "w1", "b"]
    assert p.setup[1] == "a = w0.T" and p.setup[3] == "b = w1[1]"
    assert p.body[:2] == ["out = mg.multiply(a, b)", "(out * out).sum().backward()"]
    assert p.body[2] == "if w0.grad is not None:\n    with mg.no_autodiff:\n        w0 -= 0.001 * w0.grad"
    assert p.body[3] == "if w1.grad is not None:\n    w1.data -= 0.001 * w1.grad"
    assert p.iterations == ITERATIONS == 100
