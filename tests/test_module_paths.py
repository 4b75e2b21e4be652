"""MyGrad's module paths: every public module of the installed MyGrad imports from mygrad_c
(``mygrad.X.Y`` -> ``mygrad_c.X.Y``) and has the module's public names.

The modules are listed at test time by walking the installed ``mygrad`` package
(``pkgutil.walk_packages``); a module with an underscore-prefixed component
(``mygrad._utils``, ``mygrad.math._special``) is private and left out.

The public names of a MyGrad module ``M`` (``public_names(M)``):

- every name in ``M.__all__``;
- every other name (not underscore-prefixed) bound to one of MyGrad's public
  objects under its own name: a class or function defined in a public MyGrad
  module (op classes in ``.ops`` modules, the function in each ``nnet`` module,
  ``Tensor``, ``Operation``, ...) or an object that a public MyGrad namespace
  exports (ufunc-likes such as ``mygrad.multiply``, the aliases of
  ``mygrad.typing``);
- MyGrad's upper-case constants, e.g. ``tensor_base.CONSTANT_ONLY_DTYPES``.

Not public, so not required: names MyGrad merely imported from NumPy, typing,
the standard library or graphviz (``reduce``, ``copy``, ``Digraph``,
``TYPE_CHECKING``, ...); helpers from MyGrad's private modules that no public
namespace exports (``reduce_broadcast``, ``SkipGradient``, ``check_loss_inputs``,
``logsumexp``, ``GetItem``, ...) and MyGrad's private flags ``NP_IS_V2`` and
``TRACK_GRAPH`` (the latter is a stale copy of a graph-mode switch); and names
that bind an object under another name than its own (``linalg.funcs.mg_max``
is ``mygrad.max``: an import alias, not an API).

"One home": where MyGrad's paths name one object (``mygrad.math.arithmetic.ops.Add
is mygrad.math.arithmetic.funcs.Add is mygrad.tensor_base.Add``), mygrad_c's paths
name one object too - the extra paths re-export the home's object, never a copy.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import types

import mygrad
import numpy as np
import pytest

import mygrad_c
from test_op_attributes import same_value

PRIVATE_FLAGS = {"TYPE_CHECKING", "NP_IS_V2", "TRACK_GRAPH"}


def _public_modules(package) -> list:
    names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".",
                                                     onerror=lambda name: None)]
    return [package.__name__] + sorted(n for n in names if not any(p.startswith("_") for p in n.split(".")))


MODULES = _public_modules(mygrad)


def _reference(name: str):
    """MyGrad's module, or None where MyGrad cannot import it here (its gru needs numba)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _ours(name: str) -> str:
    return "mygrad_c" + name[len("mygrad"):]


def _is_public_module(modname) -> bool:
    return isinstance(modname, str) and (modname == "mygrad" or modname.startswith("mygrad.")) \
        and not any(p.startswith("_") for p in modname.split("."))


def _exported_objects() -> dict:
    """id -> object for everything a public MyGrad namespace exports (top level, ``__all__``s)."""
    out = {}
    for name in dir(mygrad):
        if not name.startswith("_"):
            out[id(getattr(mygrad, name))] = getattr(mygrad, name)
    for modname in MODULES:
        mod = _reference(modname)
        for name in getattr(mod, "__all__", ()) if mod is not None else ():
            out[id(getattr(mod, name))] = getattr(mod, name)
    return out


EXPORTED = _exported_objects()


def _is_public_object(obj) -> bool:
    if (inspect.isclass(obj) or inspect.isroutine(obj)) and _is_public_module(getattr(obj, "__module__", None)):
        return True
    return id(obj) in EXPORTED and not isinstance(obj, (bool, int, float, type(None)))


def public_names(mod) -> set:
    names = set(getattr(mod, "__all__", ()))
    for name, obj in vars(mod).items():
        if name.startswith("_") or isinstance(obj, types.ModuleType) or name in names:
            continue
        if name.isupper() and not callable(obj) and type(obj).__module__ != "typing":
            if name not in PRIVATE_FLAGS:
                names.add(name)
        elif _is_public_object(obj) and getattr(obj, "__name__", name) == name:
            names.add(name)
    return names


# Public names not provided yet, each with the reason (none today).
PENDING: dict = {}


def _pending(modname: str, name: str) -> bool:
    return name in PENDING or modname in PENDING


def _kind(obj) -> str:
    if isinstance(obj, types.ModuleType):
        return "module"
    if isinstance(obj, type):
        return "class"
    return "callable" if callable(obj) else "value"


def test_walk_found_mygrads_modules():
    assert len(MODULES) >= 80
    assert "mygrad.math.arithmetic.ops" in MODULES and "mygrad.nnet.activations.relu" in MODULES


@pytest.mark.parametrize("modname", MODULES)
def test_module_imports_with_mygrads_public_names(modname):
    ours = importlib.import_module(_ours(modname))
    ref = _reference(modname)
    if ref is None:
        pytest.skip(f"{modname} cannot be imported here (MyGrad's gru needs numba); "
                    "tests/test_api_surface.py checks ours")
    names = {n for n in public_names(ref) if not _pending(modname, n)}
    missing = sorted(n for n in names if not hasattr(ours, n))
    assert not missing, f"{_ours(modname)} lacks {missing}"
    wrong_kind = sorted(n for n in names if _kind(getattr(ours, n)) != _kind(getattr(ref, n)))
    assert not wrong_kind, f"{_ours(modname)}: {wrong_kind} are not the same kind of object as MyGrad's"
    if hasattr(ref, "__all__"):  # (``import *`` brings at least MyGrad's names)
        assert {n for n in ref.__all__ if not _pending(modname, n)} <= set(ours.__all__)


def _groups() -> list:
    """Lists of (module, name) that MyGrad binds to one object (classes, functions, ufunc-likes)."""
    by_id: dict = {}
    for modname in MODULES:
        ref = _reference(modname)
        if ref is None:
            continue
        for name in public_names(ref):
            obj = getattr(ref, name)
            if _pending(modname, name):
                continue
            if callable(obj) and not isinstance(obj, types.ModuleType) and _is_public_object(obj):
                by_id.setdefault(id(obj), []).append((modname, name))
    return sorted(sorted(g) for g in by_id.values() if len(g) > 1)  # (one order in every process)


GROUPS = _groups()


@pytest.mark.parametrize("group", GROUPS, ids=[f"{g[0][0]}.{g[0][1]}" for g in GROUPS])
def test_one_home_per_object(group):
    objs = {(m, n): getattr(importlib.import_module(_ours(m)), n) for m, n in group}
    first = next(iter(objs.values()))
    differ = [f"{_ours(m)}.{n}" for (m, n), o in objs.items() if o is not first]
    assert not differ, f"{differ} are not the same object as {_ours(group[0][0])}.{group[0][1]}"


def test_import_loads_the_module_paths_that_mygrads_import_loads():
    """After ``import mygrad``, ``mygrad.math.arithmetic.ops.Add`` works without importing the module."""
    import subprocess
    import sys

    code = ("import sys, {lib}; print(sorted(m for m in sys.modules if m.startswith('{lib}.') "
            "and not any(p.startswith('_') for p in m.split('.'))))")
    loaded = {}
    for lib in ("mygrad", "mygrad_c"):
        out = subprocess.run([sys.executable, "-c", code.format(lib=lib)], capture_output=True, text=True,
                             check=True).stdout
        loaded[lib] = {m[len(lib) + 1:] for m in eval(out)}
    assert loaded["mygrad"] - loaded["mygrad_c"] == set()
    import mygrad_c as mg

    assert mg.math.arithmetic.ops.Multiply is mg.math.arithmetic.Multiply


def test_a_package_attribute_named_like_its_submodule_stays_the_function():
    """``mygrad_c.nnet.activations.elu`` is the function though a module ``...elu.elu`` exists."""
    for modname in MODULES:
        importlib.import_module(_ours(modname))  # importing every submodule must not rebind
    acts = importlib.import_module("mygrad_c.nnet.activations")
    for name in ["elu", "glu", "relu", "sigmoid", "soft_sign", "hard_tanh", "leaky_relu", "selu"]:
        assert inspect.isfunction(getattr(acts, name)), name
    losses = importlib.import_module("mygrad_c.nnet.losses")
    for name in ["focal_loss", "margin_ranking_loss", "multiclass_hinge", "negative_log_likelihood",
                 "softmax_crossentropy"]:
        assert inspect.isfunction(getattr(losses, name)), name
    inits = importlib.import_module("mygrad_c.nnet.initializers")
    for name in ["constant", "dirac", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                 "normal", "uniform"]:
        assert inspect.isfunction(getattr(inits, name)), name
    x = mygrad_c.tensor([-1.0, 2.0])
    assert mygrad_c.nnet.activations.relu(x).data.tolist() == [0.0, 2.0]


# ---------------------------------------------------------------------------
# the imports user code writes
# ---------------------------------------------------------------------------
def test_specific_imports():
    from mygrad_c.indexing_routines.ops import Where  # noqa: F401
    from mygrad_c.linalg.funcs import einsum, norm  # noqa: F401
    from mygrad_c.linalg.ops import EinSum, Norm  # noqa: F401
    from mygrad_c.math.arithmetic.funcs import add, multiply  # noqa: F401
    from mygrad_c.math.arithmetic.ops import Add, Multiply, Positive  # noqa: F401
    from mygrad_c.math.consts import e, euler_gamma, inf, nan, newaxis, pi  # noqa: F401
    from mygrad_c.math.exp_log.ops import Exp, Logaddexp  # noqa: F401
    from mygrad_c.math.hyperbolic_trig.ops import Tanh  # noqa: F401
    from mygrad_c.math.misc.ops import Abs, MatMul, Maximum  # noqa: F401
    from mygrad_c.math.nondifferentiable import any, argmax, argmin  # noqa: F401
    from mygrad_c.math.sequential.ops import MaxMin, Sum  # noqa: F401
    from mygrad_c.math.trigonometric.ops import Arctan2, Sin  # noqa: F401
    from mygrad_c.nnet.activations.relu import ReLu, relu  # noqa: F401
    from mygrad_c.nnet.initializers.he_normal import he_normal  # noqa: F401
    from mygrad_c.nnet.losses.softmax_crossentropy import SoftmaxCrossEntropy, softmax_crossentropy  # noqa: F401
    from mygrad_c.no_grad_funcs import isnan  # noqa: F401
    from mygrad_c.operation_base import BinaryUfunc, Operation, Sequential, Ufunc, UnaryUfunc  # noqa: F401
    from mygrad_c.random.funcs import rand  # noqa: F401
    from mygrad_c.tensor_base import CONSTANT_ONLY_DTYPES
    from mygrad_c.tensor_manip.array_shape.ops import Reshape  # noqa: F401
    from mygrad_c.tensor_manip.transpose_like.ops import Tensor_Transpose_Property  # noqa: F401

    assert CONSTANT_ONLY_DTYPES == mygrad.tensor_base.CONSTANT_ONLY_DTYPES
    x = mygrad_c.tensor([1.0, 2.0])
    assert isinstance((x * x).creator, Multiply) and isinstance(mygrad_c.add(x, x).creator, Add)
    assert isinstance(mygrad_c.einsum("i,i", x, x).creator, EinSum)
    assert isinstance(mygrad_c.sum(x).creator, Sum) and isinstance(mygrad_c.max(x).creator, MaxMin)
    assert isinstance(mygrad_c.nnet.softmax_crossentropy(x[None], [0]).creator, SoftmaxCrossEntropy)


def test_math_consts_are_numpys():
    import mygrad_c.math.consts as consts

    for name in ["e", "euler_gamma", "inf", "pi"]:
        assert getattr(consts, name) == getattr(np, name)
    assert np.isnan(consts.nan) and consts.newaxis is None


# ---------------------------------------------------------------------------
# op classes: MyGrad's class names and base classes
# ---------------------------------------------------------------------------
def _op_classes(lib) -> dict:
    """'module.Name' -> class, for every Operation subclass in the public ``.ops`` modules."""
    out = {}
    base = importlib.import_module(f"{lib}.operation_base").Operation
    for modname in MODULES:
        if not modname.endswith(".ops"):
            continue
        mod = importlib.import_module(modname.replace("mygrad", lib, 1))
        for name in public_names(importlib.import_module(modname)):
            obj = getattr(mod, name)
            if inspect.isclass(obj) and issubclass(obj, base):
                out[f"{modname[len('mygrad.'):]}.{name}"] = obj
    return out


# where one mygrad_c class serves several MyGrad classes (an alias), its name is the first's
ALIASES: dict = {}  # {op path: the name of the class of ours that serves it}


def test_op_classes_have_mygrads_names():
    ours = _op_classes("mygrad_c")
    assert len(ours) > 80
    wrong = {path: cls.__name__ for path, cls in ours.items()
             if cls.__name__ != ALIASES.get(path, path.rsplit(".", 1)[1])}
    assert not wrong


BASES = ["Ufunc", "UnaryUfunc", "BinaryUfunc", "Sequential"]


def test_op_classes_have_mygrads_base_classes():
    ref, ours = _op_classes("mygrad"), _op_classes("mygrad_c")
    for base in BASES:
        rb, ob = getattr(mygrad.operation_base, base), getattr(mygrad_c.operation_base, base)
        for path, cls in ref.items():
            if path.endswith(".MaxMin") or path in ALIASES:
                continue
            assert issubclass(ours[path], ob) == issubclass(cls, rb), (path, base)


# ---------------------------------------------------------------------------
# class-level attributes
# ---------------------------------------------------------------------------
def _class_attribute_cases():
    ref, ours = _op_classes("mygrad"), _op_classes("mygrad_c")
    cases = []
    for path, cls in sorted(ref.items()):
        if path.endswith((".Sequential", ".MaxMin")) or cls.__name__ in ("Operation", "UnaryUfunc", "BinaryUfunc"):
            continue  # (abstract bases)
        cases.append(pytest.param(ours[path], cls, id=path))
    return cases


@pytest.mark.parametrize("ours,ref", _class_attribute_cases())
def test_op_class_attributes_match_mygrads(ours, ref):
    """``can_return_view``, ``scalar_only`` by value; ``numpy_ufunc``/``numpy_func`` exist."""
    for name in ("can_return_view", "scalar_only"):
        if hasattr(ref, name):
            assert getattr(ours, name, "<missing>") == getattr(ref, name), name
    for name in ("numpy_ufunc", "numpy_func"):
        if hasattr(ref, name):
            assert callable(getattr(ours, name, None)), name


# ---------------------------------------------------------------------------
# user subclasses of MyGrad's op base classes run as they do in MyGrad
# ---------------------------------------------------------------------------
def _user_ops(lib):
    ob = importlib.import_module(f"{lib}.operation_base")

    class MySin(ob.UnaryUfunc):
        numpy_ufunc = np.sin

        def backward_var(self, grad, index, **kwargs):
            return grad * np.cos(self.variables[0].data)

    class MyHypot(ob.BinaryUfunc):
        numpy_ufunc = np.hypot

        def backward_var(self, grad, index, **kwargs):
            a, b = (v.data for v in self.variables)
            return grad * (a, b)[index] / np.hypot(a, b)

    class MySum(ob.Sequential):
        numpy_func = staticmethod(np.sum)

        def backward_var(self, grad, index, **kwargs):
            x = self.variables[0]
            axes = range(x.ndim) if self.axis is None else self.axis
            return np.broadcast_to(np.expand_dims(grad, tuple(axes)) if not self.keepdims else grad, x.shape)

    return MySin, MyHypot, MySum


@pytest.mark.parametrize("op_index,inputs,op_kwargs", [
    (0, ([0.5, 1.0, 2.0],), {}),
    (0, ([0.5, 1.0, 2.0],), {"where": np.array([True, False, True]), "out": np.full(3, 7.0)}),
    (0, ([0.5, 1.0, 2.0],), {"dtype": np.float32}),
    (1, ([3.0, 1.0], [[4.0], [2.0]]), {}),
    (1, ([3.0, 1.0], [4.0, 2.0]), {"where": np.array([False, True]), "out": np.zeros(2)}),
    (2, ([[1.0, 2.0], [3.0, 4.0]],), {"axis": 1}),
    (2, ([[1.0, 2.0], [3.0, 4.0]],), {"axis": 0, "keepdims": True}),
], ids=["unary", "unary-where", "unary-dtype", "binary-broadcast", "binary-where", "sequential",
        "sequential-keepdims"])
def test_user_subclass_of_a_base_runs_as_in_mygrad(op_index, inputs, op_kwargs):
    results = {}
    for lib in ("mygrad", "mygrad_c"):
        m = importlib.import_module(lib)
        Op = _user_ops(lib)[op_index]
        xs = [m.tensor(np.asarray(x, dtype=float)) for x in inputs]
        kw = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in op_kwargs.items()}
        y = m.execute_op(Op, *xs, op_kwargs=kw)
        attrs = {k: v for k, v in vars(y.creator).items() if not k.startswith(("_", "replay")) and k != "variables"}
        y.backward()
        results[lib] = (y.data, y.dtype, [x.grad for x in xs], type(y.creator).__name__, attrs)
    (ref_y, ref_dt, ref_g, ref_name, ref_attrs), (y, dt, g, name, attrs) = results["mygrad"], results["mygrad_c"]
    np.testing.assert_allclose(y, ref_y)
    assert dt == ref_dt and name == ref_name
    for a, b in zip(g, ref_g):
        np.testing.assert_allclose(a, b)
    for k, v in ref_attrs.items():  # (``where`` is an engine-level attribute: tests/test_op_attributes.py)
        if k != "where" or "where" in op_kwargs:
            assert same_value(attrs[k], v), k


@pytest.mark.parametrize("base", ["UnaryUfunc", "BinaryUfunc"])
def test_ufunc_subclass_without_backward_var_cannot_be_instantiated(base):
    for lib in ("mygrad", "mygrad_c"):
        m = importlib.import_module(lib)
        ufunc = np.negative if base == "UnaryUfunc" else np.add
        Abstract = type("Abstract", (getattr(m.operation_base, base),), {"numpy_ufunc": ufunc})
        with pytest.raises(TypeError, match="abstract"):
            m.execute_op(Abstract, *[m.tensor(1.0)] * (1 if base == "UnaryUfunc" else 2))
        Concrete = type("Concrete", (Abstract,), {"backward_var": lambda self, grad, index, **kw: grad})
        y = m.execute_op(Concrete, *[m.tensor(1.0)] * (1 if base == "UnaryUfunc" else 2))
        assert y.item() == (-1.0 if base == "UnaryUfunc" else 2.0)


def test_ufunc_creator_as_in_mygrad():
    from mygrad_c.math.trigonometric.ops import Sin
    from mygrad_c.ufuncs import MyGradUnaryUfunc, ufunc_creator

    @ufunc_creator(mygrad_op=Sin)
    def sin(x, *, constant=None):
        """custom docs"""

    assert isinstance(sin, MyGradUnaryUfunc) and issubclass(sin, mygrad_c.ufunc)
    assert sin.__doc__ == "custom docs" and str(inspect.signature(sin)) == "(x, *, constant=None)"
    x = mygrad_c.tensor([0.0, 1.0])
    sin(x).backward()
    np.testing.assert_allclose(x.grad, np.cos([0.0, 1.0]))
    for lib in (mygrad, mygrad_c):
        with pytest.raises(TypeError, match="UnaryUfunc"):
            lib.ufuncs.ufunc_creator(mygrad_op=lib.math.sequential.ops.Sum)
        with pytest.raises(NotImplementedError):
            lib.ufuncs.ufunc_creator(mygrad_op=lib.math.trigonometric.ops.Sin, reduce_op=Sin)
