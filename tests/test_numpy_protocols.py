"""NumPy's __array_ufunc__ / __array_function__ on tensors, compared with MyGrad.

Each case runs the same NumPy call on mygrad_c and on MyGrad tensors and
compares what comes back: a tensor (value, dtype, constant flag and, when
differentiable, the gradients), a plain array/other value, or the error.
Cases whose mygrad_c op is not implemented yet are skipped (not xfailed), so
they start passing as soon as the op lands.
"""
import mygrad
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg
from helpers import tols
from mygrad_c._numpy_protocols import DIFFERENTIABLE_UFUNCS

RNG = np.random.default_rng(0)
A = RNG.uniform(0.2, 0.9, size=(2, 3))
B = RNG.uniform(0.2, 0.9, size=(2, 3))


def _require(path):
    obj = mg
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            pytest.skip(f"mygrad_c.{path} is not implemented yet")


def _inputs(lib, constant=(False, False), dtype=np.float64):
    return [lib.tensor(a.astype(dtype), constant=c) for a, c in zip((A, B), constant)]


def _run(lib, call, constant, dtype):
    ins = _inputs(lib, constant, dtype)
    try:
        return ins, call(*ins), None
    except Exception as e:  # noqa: BLE001 - compared below
        return ins, None, e


def check_against_mygrad(call, constant=(False, False), dtype=np.float64):
    """Run ``call(t1, t2)`` in both libraries and compare results, errors and gradients."""
    ins_r, out_r, err_r = _run(mygrad, call, constant, dtype)
    ins_c, out_c, err_c = _run(mg, call, constant, dtype)
    if err_r is not None:
        assert err_c is not None, f"MyGrad raised {err_r!r}; mygrad_c returned {out_c!r}"
        assert type(err_c) is type(err_r), (err_c, err_r)
        return None
    if err_c is not None:
        raise err_c
    if isinstance(out_r, mygrad.Tensor):
        assert isinstance(out_c, mg.Tensor), type(out_c)
        assert out_c.shape == out_r.shape and out_c.dtype == out_r.dtype
        assert out_c.constant == out_r.constant
        tol = tols(out_r.dtype)
        assert_allclose(out_c.data, out_r.data, **tol)
        if not out_r.constant:
            grad = RNG.uniform(-1, 1, size=out_r.shape)
            out_r.backward(grad)
            out_c.backward(grad)
            for tc, tr in zip(ins_c, ins_r):
                if tr.grad is None:
                    assert tc.grad is None
                else:
                    assert_allclose(tc.grad, tr.grad, **tol)
    elif isinstance(out_r, tuple):
        assert type(out_c) is tuple and len(out_c) == len(out_r)
        for u, v in zip(out_c, out_r):
            assert_array_equal(u, v)
    else:
        assert not isinstance(out_c, mg.Tensor), type(out_c)
        assert type(out_c) is type(out_r), (type(out_c), type(out_r))
        assert_array_equal(np.asarray(out_c), np.asarray(out_r))
    return out_c


# ---------------------------------------------------------------------------
# ufuncs
# ---------------------------------------------------------------------------
def _ufunc_call(ufunc):
    if ufunc.nin == 1:
        return lambda a, b: ufunc(a)
    return lambda a, b: ufunc(a, b)


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE_UFUNCS))
@pytest.mark.parametrize("constant", [(False, False), (True, False), (True, True)])
def test_differentiable_ufuncs(name, constant):
    _require(name)
    with np.errstate(all="ignore"):
        check_against_mygrad(_ufunc_call(getattr(np, name)), constant)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_ufunc_dtypes(dtype):
    check_against_mygrad(lambda a, b: np.multiply(a, b), dtype=dtype)
    check_against_mygrad(lambda a, b: np.add(a, 1.5), dtype=dtype)


NON_DIFFERENTIABLE = ["ceil", "floor", "trunc", "rint", "sign", "floor_divide", "fmod", "mod",
                      "remainder", "divmod", "equal", "not_equal", "less", "less_equal", "greater",
                      "greater_equal", "logical_and", "logical_or", "logical_xor", "logical_not",
                      "isnan", "isinf", "isfinite", "signbit", "isnat"]


@pytest.mark.parametrize("name", NON_DIFFERENTIABLE)
@pytest.mark.parametrize("constant", [(False, False), (True, True), (True, False)])
def test_non_differentiable_ufuncs(name, constant):
    check_against_mygrad(_ufunc_call(getattr(np, name)), constant)


@pytest.mark.parametrize("name", ["fabs", "hypot", "copysign", "deg2rad", "heaviside", "bitwise_and",
                                  "gcd", "ldexp", "spacing", "modf", "float_power"])
@pytest.mark.parametrize("constant", [(False, False), (True, True)])
def test_unsupported_ufuncs_raise_type_error(name, constant):
    ufunc = getattr(np, name)
    with pytest.raises(TypeError):
        _ufunc_call(ufunc)(*_inputs(mygrad, constant))
    with pytest.raises(TypeError):
        _ufunc_call(ufunc)(*_inputs(mg, constant))


@pytest.mark.parametrize("call", [
    lambda a, b: np.add.reduce(a),
    lambda a, b: np.add.accumulate(a),
    lambda a, b: np.multiply.outer(a, b),
    lambda a, b: np.add.reduceat(a, [0]),
    lambda a, b: np.add.at(a, [0], 1.0),
    lambda a, b: np.maximum.reduce(a),
    lambda a, b: np.floor_divide.reduce(a),
    lambda a, b: np.equal.outer(a, b),
    lambda a, b: np.ceil.reduce(a),
])
@pytest.mark.parametrize("constant", [(False, False), (True, True)])
def test_ufunc_methods(call, constant):
    check_against_mygrad(call, constant)


def test_ufunc_keywords():
    where = np.array([[True, False, True]])
    check_against_mygrad(lambda a, b: np.multiply(a, b, where=where, out=np.zeros((2, 3))))
    check_against_mygrad(lambda a, b: np.add(a, b, dtype="float32"))
    check_against_mygrad(lambda a, b: np.add(a, b, out=(None,)))
    check_against_mygrad(lambda a, b: np.isnan(a, where=where, out=np.ones((2, 3), bool)))
    check_against_mygrad(lambda a, b: np.ceil(a, out=np.zeros((2, 3))), (True, True))
    check_against_mygrad(lambda a, b: np.ceil(a, out=np.zeros((2, 3))), (False, True))
    check_against_mygrad(lambda a, b: np.divmod(a, 2.0, out=(np.zeros((2, 3)), None)), (True, True))
    for kw in ["casting", "order", "subok", "signature"]:
        check_against_mygrad(lambda a, b: np.sin(a, **{kw: None}))


@pytest.mark.parametrize("call", [
    lambda t: np.isfinite(t, [0.0, 0.0]),           # MyGrad: the array np.asarray makes of it
    lambda t: np.isfinite(t, out=([0.0, 0.0],)),
    lambda t: np.equal(t, 1.5, out=[0, 0]),
    lambda t: np.logical_not(t, out=[0, 0]),
    lambda t: np.isnan(t[0], 1.5),                   # a number: a 0-d array
    lambda t: np.isnan(t, 7),                        # ValueError: does not broadcast
    lambda t: np.signbit(t, out="ab"),
    lambda t: np.floor(t, out=[0.0, 0.0]),           # not a boolean ufunc: NumPy's TypeError
    lambda t: np.exp(t, out=[0.0, 0.0]),
])
@pytest.mark.parametrize("constant", [False, True])
def test_boolean_ufunc_out_of_an_array_like_as_mygrad(call, constant):
    results = []
    for lib in (mg, mygrad):
        try:
            r = call(lib.tensor([1.5, 0.0], constant=constant))
            results.append((type(r), r.dtype, r.tolist()))
        except Exception as e:
            results.append(type(e))
    assert results[0] == results[1]


def test_ufunc_out_numpy_array_is_written():
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        o = np.zeros(2)
        r = np.multiply(x, 3.0, out=o)
        assert isinstance(r, lib.Tensor)
        assert_array_equal(o, [3.0, 6.0])
        r.backward()
        assert_array_equal(x.grad, [3.0, 3.0])


def test_ufunc_out_tensor_is_written_in_place():
    results = []
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0])
        t = lib.zeros(2)
        r = np.multiply(np.array([1.0, 1.0]), x, out=t)
        assert r is t
        assert_array_equal(t.data, [1.0, 2.0])
        t.sum().backward()
        results.append(x.grad)
    assert_array_equal(results[0], results[1])


def test_non_differentiable_ufunc_out_tensor():
    for lib in (mg, mygrad):
        c = lib.tensor([0.5, 1.5], constant=True)
        o = lib.zeros(2, constant=True)
        r = np.ceil(c, out=o)
        assert type(r) is np.ndarray
        assert_array_equal(o.data, [1.0, 2.0])
        with pytest.raises(ValueError, match="cannot involve non-constant"):
            np.ceil(c, out=lib.zeros(2))


def test_integer_tensors():
    for lib in (mg, mygrad):
        i = lib.tensor([1, 2, 3])
        s = np.sin(i)
        assert isinstance(s, lib.Tensor) and s.constant
        assert type(np.ceil(i)) is np.ndarray


# ---------------------------------------------------------------------------
# functions
# ---------------------------------------------------------------------------
FUNCTION_CASES = [
    ("sum", lambda a, b: np.sum(a)),
    ("sum", lambda a, b: np.sum(a, axis=0, keepdims=True)),
    ("sum", lambda a, b: np.sum(a, out=np.zeros(()))),
    ("mean", lambda a, b: np.mean(a, axis=1)),
    ("var", lambda a, b: np.var(a, ddof=1)),
    ("std", lambda a, b: np.std(a, axis=0)),
    ("prod", lambda a, b: np.prod(a, axis=0)),
    ("max", lambda a, b: np.max(a, axis=1)),
    ("min", lambda a, b: np.min(a)),
    ("amax", lambda a, b: np.amax(a, axis=0)),
    ("amin", lambda a, b: np.amin(a, axis=0)),
    ("cumsum", lambda a, b: np.cumsum(a, axis=1)),
    ("cumprod", lambda a, b: np.cumprod(a)),
    ("clip", lambda a, b: np.clip(a, 0.3, 0.7)),
    ("where", lambda a, b: np.where(a.data > 0.5, a, b)),
    ("where", lambda a, b: np.where(np.array([True, False, True]), a, 0.0)),
    ("einsum", lambda a, b: np.einsum("ij,ij->i", a, b)),
    ("einsum", lambda a, b: np.einsum("ij->j", a)),
    ("concatenate", lambda a, b: np.concatenate([a, b])),
    ("concatenate", lambda a, b: np.concatenate([np.ones((1, 3)), a], axis=0)),
    ("stack", lambda a, b: np.stack([a, b], axis=1)),
    ("reshape", lambda a, b: np.reshape(a, (3, 2))),
    ("ravel", lambda a, b: np.ravel(a)),
    ("squeeze", lambda a, b: np.squeeze(a[:1])),
    ("expand_dims", lambda a, b: np.expand_dims(a, 1)),
    ("broadcast_to", lambda a, b: np.broadcast_to(a, (4, 2, 3))),
    ("moveaxis", lambda a, b: np.moveaxis(a, 0, 1)),
    ("swapaxes", lambda a, b: np.swapaxes(a, 0, 1)),
    ("transpose", lambda a, b: np.transpose(a)),
    ("transpose", lambda a, b: np.permute_dims(a, (1, 0))),
    ("repeat", lambda a, b: np.repeat(a, 2, axis=0)),
    ("roll", lambda a, b: np.roll(a, 1)),
    ("atleast_1d", lambda a, b: np.atleast_1d(a)),
    ("atleast_2d", lambda a, b: np.atleast_2d(a)),
    ("atleast_3d", lambda a, b: np.atleast_3d(a)),
    ("zeros_like", lambda a, b: np.zeros_like(a)),
    ("ones_like", lambda a, b: np.ones_like(a)),
    ("full_like", lambda a, b: np.full_like(a, 2.0)),
    ("linalg.norm", lambda a, b: np.linalg.norm(a)),
    ("linalg.norm", lambda a, b: np.linalg.norm(a, axis=1)),
    ("any", lambda a, b: np.any(a)),
    ("argmax", lambda a, b: np.argmax(a, axis=1)),
    ("argmin", lambda a, b: np.argmin(a)),
    (None, lambda a, b: np.shape(a)),
    (None, lambda a, b: np.result_type(a, b)),
    (None, lambda a, b: np.may_share_memory(a, a.data)),
    (None, lambda a, b: np.shares_memory(a, b)),
    (None, lambda a, b: np.can_cast(a, np.float32)),
    (None, lambda a, b: np.min_scalar_type(a)),
    (None, lambda a, b: np.isclose(a, b)),
    (None, lambda a, b: np.allclose(a, a)),
    (None, lambda a, b: np.bincount(np.array([1, 1, 2]), weights=a[0])),
    (None, lambda a, b: np.sort(a)),
    (None, lambda a, b: np.dot(a, b.T)),
    (None, lambda a, b: np.sinc(a)),
    (None, lambda a, b: np.tensordot(a, b)),
]


@pytest.mark.parametrize("name, call", FUNCTION_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(FUNCTION_CASES)])
@pytest.mark.parametrize("constant", [(False, False), (True, False)])
def test_numpy_functions(name, call, constant):
    if name is not None:
        _require(name)
    check_against_mygrad(call, constant)


def test_empty_like_and_copyto():
    _require("empty_like")
    for lib in (mg, mygrad):
        t = lib.tensor([1.0, 2.0])
        e = np.empty_like(t)
        assert isinstance(e, lib.Tensor) and e.shape == (2,)
        assert np.copyto(t, 5.0) is None
        assert_array_equal(t.data, [5.0, 5.0])


def test_unsupported_function_message():
    with pytest.raises(TypeError, match="no implementation found for 'numpy.sort'"):
        np.sort(mg.tensor([2.0, 1.0]))


def test_function_and_ufunc_keywords_errors():
    _require("sum")
    check_against_mygrad(lambda a, b: np.sum(a, dtype=None))
    check_against_mygrad(lambda a, b: np.mean(a, where=True))
    check_against_mygrad(lambda a, b: np.reshape(a, shape=(3, 2)))


# An out= array that is one of the operation's own inputs (or the array owning an input's
# memory): MyGrad's memory guard has locked it by the time the forward pass writes, so the
# write is refused - where writing it would leave the backward pass reading the result in
# place of the input (a wrong gradient: np.exp(t, out=t.data) gave exp(exp(t))).
OUT_INTO_INPUT = {
    "ndarray += tensor": "a = np.ones(2); a += t",
    "ndarray *= constant tensor": "a = np.ones(2); a *= mg.tensor([1.0, 2.0], constant=True)",
    "np.multiply(a, t, out=a)": "a = np.array([1.5, 0.5]); np.multiply(a, t, out=a)",
    "np.multiply(t, a, out=a)": "a = np.array([1.5, 0.5]); np.multiply(t, a, out=a)",
    "integer tensor input": "a = np.array([1.5, 0.5]); np.multiply(a, mg.tensor([1, 2]), out=a)",
    "0-d": "a = np.array(1.5); np.multiply(a, t[0], out=a)",
    "out is the owner of an input view": "b = np.array([1.5, 0.5]); np.multiply(b[:], t, out=b)",
    "out is the owner of a tensor's view": "c = np.array([1.5, 0.5]); np.multiply(mg.astensor(c[:]), t, out=c)",
    "out is a tensor's array": "np.exp(t, out=t.data)",
    "mg.add": "a = np.array([1.5, 0.5]); mg.add(a, t, out=a)",
    "mg.maximum": "a = np.array([1.5, 0.5]); mg.maximum(a, t, out=a)",
    "matmul": "a = np.ones((2, 2)); mg.matmul(a, mg.tensor([[1.0, 2.0], [3.0, 4.0]]), out=a)",
    "einsum": "a = np.array([1.5, 0.5]); mg.einsum('i,i->i', a, t, out=a)",
    "concatenate": "a = np.array([1.5, 0.5, 1.0, 1.0]); mg.concatenate([a[:2], t], out=a)",
    "stack": "a = np.zeros((2, 2)); mg.stack([a[0], t], out=a)",
}


@pytest.mark.parametrize("code", list(OUT_INTO_INPUT.values()), ids=list(OUT_INTO_INPUT))
def test_out_array_that_an_input_locks_is_refused_as_in_mygrad(code):
    errors = []
    for lib in (mygrad, mg):
        ns = {"np": np, "mg": lib, "t": lib.tensor([1.0, 2.0])}
        with pytest.raises(ValueError) as info:
            exec(code, ns)
        errors.append(str(info.value))
        assert_array_equal(ns["t"].data, [1.0, 2.0])   # nothing was written
        if "a" in ns:
            assert ns["a"].flags.writeable                # and the target is not left locked
    assert errors[0] == errors[1]


@pytest.mark.parametrize("code", [
    "c = np.array([1.5, 0.5]); b = c[:]; r = np.multiply(b[:], t, out=b)",       # b: neither input nor owner
    "a = np.array([1.5, 0.5])\nwith mg.no_autodiff: r = np.multiply(a, t, out=a)",  # no graph, no lock
])
def test_out_array_that_no_input_locks_is_written_as_in_mygrad(code):
    results = []
    for lib in (mygrad, mg):
        ns = {"np": np, "mg": lib, "t": lib.tensor([1.0, 2.0])}
        exec(code, ns)
        r = ns["r"]
        if isinstance(r, lib.Tensor) and r.creator is not None:
            r.backward()
        results.append((np.asarray(r), ns["t"].grad))
    assert_array_equal(results[1][0], results[0][0])
    if results[0][1] is None:
        assert results[1][1] is None
    else:
        assert_array_equal(results[1][1], [1.5, 0.5])   # (MyGrad's: the result, [1.5, 1.0])


@pytest.mark.parametrize("code", [
    "b = np.array([1.5, 0.5, 3.0]); r = np.multiply(b[:2], t, out=b[1:]); x = b[:2]",
    "a = np.array([1.5, 0.5])\nwith mg.mem_guard_off: r = np.multiply(a, t, out=a)",
    "a = np.array([1.5, 0.5])\nwith mg.mem_guard_off: r = mg.einsum('i,i->i', a, t, out=a)",
    "b = np.zeros((2, 2)); b[0] = [1.5, 0.5]\nwith mg.mem_guard_off: r = mg.stack([b[0], t], out=b)",
    # (hunt seed 196) a tensor's own array, as input and as out=
    "u = mg.tensor([1.5, 0.5])\nwith mg.mem_guard_off: r = mg.multiply(t, u.data, out=u.data)",
])
def test_an_input_array_that_out_overwrites_keeps_its_values_for_the_backward_pass(code):
    """A NumPy array input that the result overwrites, where no lock refuses it: the
    gradient is the one of the values the operation computed with.  MyGrad's backward
    pass reads the overwritten memory (a wrong number)."""
    ns = {"np": np, "mg": mg, "t": mg.tensor([1.0, 2.0])}
    exec(code, ns)
    ns["r"].backward()
    expected = [1.0, 1.0] if "stack" in code else [1.5, 0.5]
    assert_array_equal(ns["t"].grad, expected)
