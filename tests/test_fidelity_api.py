"""API fidelity: type hints and subclassing of ufunc-like classes, einsum views, tensor()
with copy=False / ndmin, empty results, atleast_Nd constants: against MyGrad."""
from __future__ import annotations

import inspect
import typing

import mygrad
import numpy as np
import pytest

import mygrad_c as mg

UFUNC_NAMES = sorted(n for n in dir(mygrad) if isinstance(getattr(mygrad, n), type)
                     and issubclass(getattr(mygrad, n), mygrad.ufunc) and getattr(mygrad, n) is not mygrad.ufunc)


def _hint(h):
    """A library-independent name for a type hint (unions as the set of their members)."""
    args = typing.get_args(h)
    if args:
        return frozenset(_hint(a) for a in args)
    if h is None or h is type(None):
        return "None"
    return getattr(h, "__name__", str(h))


def test_every_mygrad_ufunc_is_one_here():
    assert len(UFUNC_NAMES) > 30
    for name in UFUNC_NAMES:
        assert issubclass(getattr(mg, name), mg.ufunc), name


@pytest.mark.parametrize("name", UFUNC_NAMES)
def test_ufunc_type_hints_match_mygrad(name):
    ours, ref = typing.get_type_hints(getattr(mg, name)), typing.get_type_hints(getattr(mygrad, name))
    assert list(ours) == list(ref)
    assert {k: _hint(v) for k, v in ours.items()} == {k: _hint(v) for k, v in ref.items()}
    assert _hint(ours["return"]) == "Tensor" and ours["return"] is mg.Tensor


@pytest.mark.parametrize("name", UFUNC_NAMES)
def test_ufunc_signature_annotations_match_mygrad(name):
    ours, ref = inspect.signature(getattr(mg, name)), inspect.signature(getattr(mygrad, name))
    assert [(p.name, p.kind, p.default, _hint(p.annotation)) for p in ours.parameters.values()] == \
        [(p.name, p.kind, p.default, _hint(p.annotation)) for p in ref.parameters.values()]
    assert ours.return_annotation is mg.Tensor


def test_binary_hints_name_x1_x2_out_where_dtype_constant():
    assert list(typing.get_type_hints(mg.add)) == ["x1", "x2", "out", "where", "dtype", "constant", "return"]


@pytest.mark.parametrize("lib", [mygrad, mg], ids=["mygrad", "mygrad_c"])
def test_ufunc_base_cannot_be_subclassed(lib):
    with pytest.raises(TypeError, match="cannot be subclassed"):
        class MyUfunc(lib.ufunc):  # noqa: F841
            pass
    with pytest.raises(TypeError):
        lib.ufunc()


@pytest.mark.parametrize("lib", [mygrad, mg], ids=["mygrad", "mygrad_c"])
def test_a_ufunc_like_class_can_be_subclassed(lib):
    class MyAdd(lib.add):
        pass

    assert issubclass(MyAdd, lib.ufunc)
    assert repr(MyAdd).endswith("-ufunc 'add'>")
    x = lib.tensor([1.0, 2.0])
    out = MyAdd(x, 3.0)
    out.backward()
    assert out.data.tolist() == [4.0, 5.0]
    assert x.grad.tolist() == [1.0, 1.0]


# ---------------------------------------------------------------------------
# einsum returns a view where NumPy's does (as MyGrad): .base, shared memory, writes
# through it, gradients; compared with MyGrad with test_views' mirrored scenarios
# ---------------------------------------------------------------------------
from test_views import assert_same_description, backward_sum_sq, check_mirrored, describe  # noqa: E402

EINSUMS = {  # name: (subscripts, shape of the operand)
    "diagonal": ("ii->i", (3, 3)),
    "transpose": ("ij->ji", (2, 3)),
    "identity": ("ij->ij", (2, 3)),
    "implicit-transpose": ("ji", (2, 3)),
    "ellipsis": ("...->...", (2, 3)),
    "batched-diagonal": ("...ii->...i", (2, 3, 3)),
    "diagonal-of-3d": ("iij->ji", (3, 3, 2)),
    "trace(copy)": ("ii", (3, 3)),
    "sum(copy)": ("ij->", (2, 3)),
    "row-sums(copy)": ("ij->i", (2, 3)),
}


def _einsum_x(lib, shape):
    return lib.tensor(np.arange(np.prod(shape), dtype=np.float64).reshape(shape) - 3.5)


def _weights(shape):
    return np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) % 5 - 2


@pytest.mark.parametrize("name", list(EINSUMS))
@pytest.mark.parametrize("constant", [False, True])
def test_einsum_view_matches_mygrad(name, constant):
    spec, shape = EINSUMS[name]

    def scenario(lib):
        x = lib.tensor(_einsum_x(lib, shape), constant=constant)
        return [x, lib.einsum(spec, x)]

    tc, tr = check_mirrored(scenario, context=name)
    assert (tc[1].base is tc[0]) == (tr[1].base is tr[0]) == ("copy" not in name)
    if not constant:
        def bw(lib, ts):
            (ts[1] * _weights(ts[1].shape)).sum().backward()
        check_mirrored(scenario, backward=bw, context=name)


@pytest.mark.parametrize("name", list(EINSUMS))
def test_einsum_view_grad_after_backward_through_base(name):
    spec, shape = EINSUMS[name]
    tc, _ = check_mirrored(lambda lib: [x := _einsum_x(lib, shape), lib.einsum(spec, x)],
                           backward=backward_sum_sq(0), context=name)
    if tc[1].base is tc[0]:
        assert np.shares_memory(tc[1].grad, tc[0].grad)
        np.testing.assert_array_equal(tc[1].grad, np.einsum(spec, tc[0].grad))


@pytest.mark.parametrize("name", list(EINSUMS))
def test_write_through_einsum_view_seen_by_base(name):
    spec, shape = EINSUMS[name]

    def scenario(lib):
        x = _einsum_x(lib, shape)
        v = lib.einsum(spec, x)
        v[...] = 2 * v + 1
        return [x, v]

    check_mirrored(scenario, backward=backward_sum_sq(0), context=name)
    check_mirrored(scenario, backward=backward_sum_sq(1), context=name)


@pytest.mark.parametrize("name", list(EINSUMS))
def test_write_into_base_seen_by_einsum_view(name):
    spec, shape = EINSUMS[name]

    def scenario(lib):
        x = _einsum_x(lib, shape)
        v = lib.einsum(spec, x)
        x[...] = -x
        return [x, v]

    check_mirrored(scenario, backward=backward_sum_sq(1), context=name)


def test_einsum_view_of_an_intermediate():
    def scenario(lib):
        x = _einsum_x(lib, (3, 3))
        y = 2 * x
        d = lib.einsum("ii->i", y)
        d[1] = 0.0
        return [x, y, d]

    check_mirrored(scenario, backward=backward_sum_sq(1), context="intermediate")
    check_mirrored(scenario, backward=backward_sum_sq(2), context="intermediate")


@pytest.mark.parametrize("name", [n for n in EINSUMS if "copy" not in n])
def test_backward_loop_reusing_an_einsum_view(name):
    """Several backward passes through one view (after a write through it), each with a new
    graph that uses the view and its base: every step's values and the base's gradient as
    MyGrad's. The first pass is compared in full; after it the view has been released, and
    MyGrad stops treating it as a view (its .base is None, its .grad its own: the deliberate
    difference of test_views.test_released_view_stays_a_view), so from then on the view's
    value is compared and not its .base/.grad."""
    spec, shape = EINSUMS[name]

    def steps(lib):
        x = _einsum_x(lib, shape)
        v = lib.einsum(spec, x)
        v[...] = 2 * v + 1
        w = _weights(v.shape)
        seen = []
        for step in range(4):
            loss = (v * w).sum() + (step + 1) * (x * x).sum() if step % 2 else (v * v * w).sum()
            loss.backward()
            seen.append(describe([x, v]) if step == 0 else describe([x]) + [np.array(v.data)])
        return seen

    ours, ref = steps(mg), steps(mygrad)
    assert_same_description(ours[0], ref[0], f"{name} step 0")
    for i, (a, b) in enumerate(zip(ours[1:], ref[1:]), start=1):
        assert_same_description(a[:1], b[:1], f"{name} step {i}")
        np.testing.assert_array_equal(a[1], b[1], err_msg=f"{name} step {i}: the view's value")


def test_training_loop_updates_through_an_einsum_view():
    """Gradient steps written through the view, compared with MyGrad at every step: after
    the first backward pass the view is released, so (MyGrad's rule) its next write is
    its own and no longer reaches x."""
    def run(lib):
        x = lib.tensor(np.arange(9.0).reshape(3, 3))
        d = lib.einsum("ii->i", x)
        seen = []
        for _ in range(3):
            (d * d).sum().backward()
            seen += [np.array(d.grad), None if x.grad is None else np.array(x.grad)]
            d -= 0.25 * d.grad
            seen += [d.base is x, d.base is None, np.array(x.data), np.array(d.data)]
        return seen

    ours, ref = run(mg), run(mygrad)
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        if isinstance(b, np.ndarray) or isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


# ---------------------------------------------------------------------------
# tensor(t, copy=False, ndmin=k): t itself, or a view of it with leading 1s, as MyGrad
# ---------------------------------------------------------------------------
TENSOR_KWARGS = [
    dict(copy=False), dict(copy=False, ndmin=0), dict(copy=False, ndmin=1), dict(copy=False, ndmin=2),
    dict(copy=False, ndmin=4), dict(copy=False, ndmin=-1), dict(copy=False, ndmin=True),
    dict(copy=False, ndmin=np.int8(3)), dict(copy=True, ndmin=2), dict(copy=False, ndmin=2, constant=True),
    dict(copy=False, ndmin=2, constant=False), dict(copy=False, dtype="float64", ndmin=2),
    dict(copy=False, dtype="float32", ndmin=2), dict(copy=False, dtype="float32"),
]


@pytest.mark.parametrize("kwargs", TENSOR_KWARGS, ids=str)
@pytest.mark.parametrize("source", ["leaf", "constant", "intermediate", "view", "0-d"])
def test_tensor_of_a_tensor_without_copy_matches_mygrad(source, kwargs):
    def scenario(lib):
        if source == "0-d":
            t = lib.tensor(1.5)
        else:
            t = lib.tensor([[1.0, 2.0, 3.0]], constant=source == "constant")
            t = {"intermediate": lambda: 2 * t, "view": lambda: t[0]}.get(source, lambda: t)()
        r = lib.tensor(t, **kwargs)
        return [t, r, r is t]

    def bw(lib, ts):
        if not ts[1].constant:
            (ts[1] * np.arange(1.0, ts[1].size + 1).reshape(ts[1].shape)).sum().backward()

    tc, tr = check_mirrored(scenario, backward=bw, context=f"{source} {kwargs}")
    assert tc[2] == tr[2]
    assert (type(tc[1].creator).__name__ if tc[1].creator else None) == \
        (type(tr[1].creator).__name__ if tr[1].creator else None)


@pytest.mark.parametrize("ndmin", [None, 2.0, "2", [2]])
@pytest.mark.parametrize("copy", [False, True])
@pytest.mark.parametrize("make", [lambda lib: lib.tensor([1.0, 2.0]), lambda lib: [1.0, 2.0],
                                  lambda lib: np.array([1.0, 2.0])])
def test_tensor_ndmin_must_be_an_integer(make, copy, ndmin):
    with pytest.raises(TypeError):
        mygrad.tensor(make(mygrad), copy=copy, ndmin=ndmin)
    with pytest.raises(TypeError, match="ndmin"):
        mg.tensor(make(mg), copy=copy, ndmin=ndmin)


# ---------------------------------------------------------------------------
# zero repeats, empty inputs and empty results: values, gradients and errors as MyGrad's
# ---------------------------------------------------------------------------
def _outcome(lib, f, x):
    """What ``f(lib, tensor(x))`` gives: its value and the input's gradient after a backward
    pass of the result's sum, or the type of the error and the stage it was raised in."""
    t = lib.tensor(x)
    try:
        out = f(lib, t)
    except Exception as e:  # noqa: BLE001 - the error is what is compared
        return ("forward", type(e).__name__)
    try:
        (out.sum() if out.ndim else out).backward()
    except Exception as e:  # noqa: BLE001
        return ("backward", type(e).__name__)
    g = t.grad
    return (out.shape, out.dtype, np.array(out.data), None if g is None else (g.shape, g.dtype, np.array(g)))


def _assert_same_outcome(a, b):
    assert len(a) == len(b) and a[:2] == b[:2], (a, b)
    if a[0] in ("forward", "backward"):
        return
    np.testing.assert_array_equal(a[2], b[2])
    assert (a[3] is None) == (b[3] is None), (a, b)
    if a[3] is not None:
        assert a[3][:2] == b[3][:2], (a, b)
        np.testing.assert_array_equal(a[3][2], b[3][2])


E03, E20 = np.ones((0, 3)), np.ones((2, 0))
EMPTY_CASES = {
    "repeat 0-d 0 times axis 0": (lambda L, t: L.repeat(t, 0, axis=0), np.array(2.0)),
    "repeat 0-d 3 times axis 0": (lambda L, t: L.repeat(t, 3, axis=0), np.array(2.0)),
    "repeat 0-d 2 times axis -1": (lambda L, t: L.repeat(t, 2, axis=-1), np.array(2.0)),
    "repeat 0-d [0] axis 0": (lambda L, t: L.repeat(t, [0], axis=0), np.array(2.0)),
    "repeat 0-d 0 times": (lambda L, t: L.repeat(t, 0), np.array(2.0)),
    "repeat 0-d axis 1": (lambda L, t: L.repeat(t, 0, axis=1), np.array(2.0)),
    "repeat 0 times": (lambda L, t: L.repeat(t, 0), np.array([1.0, 2.0])),
    "repeat 0 times axis 1": (lambda L, t: L.repeat(t, 0, axis=1), np.ones((2, 3))),
    "repeat [0, 2]": (lambda L, t: L.repeat(t, [0, 2], axis=0), np.ones((2, 3))),
    "repeat [0, 0]": (lambda L, t: L.repeat(t, [0, 0], axis=0), np.ones((2, 3))),
    "broadcast_to (0, 3)": (lambda L, t: L.broadcast_to(t, (0, 3)), np.ones(3)),
    "broadcast_to 0-d to (0,)": (lambda L, t: L.broadcast_to(t, (0,)), np.array(1.0)),
    "broadcast_to (4, 0)": (lambda L, t: L.broadcast_to(t, (4, 0)), np.ones((1, 0))),
    "sum": (lambda L, t: L.sum(t), E03),
    "sum axis 1": (lambda L, t: L.sum(t, axis=1), E03),
    "mean": (lambda L, t: L.mean(t), E03),
    "mean axis 0": (lambda L, t: L.mean(t, axis=0), E03),
    "var": (lambda L, t: L.var(t), E03),
    "var axis 0": (lambda L, t: L.var(t, axis=0), E03),
    "var ddof=1 of one": (lambda L, t: L.var(t, ddof=1), np.ones(1)),
    "std": (lambda L, t: L.std(t), E03),
    "std ddof=3 of three": (lambda L, t: L.std(t, ddof=3), np.ones(3)),
    "max": (lambda L, t: L.max(t), E03),
    "max axis 0": (lambda L, t: L.max(t, axis=0), E03),
    "max axis 1": (lambda L, t: L.max(t, axis=1), E03),
    "min": (lambda L, t: L.min(t), np.ones(0)),
    "prod": (lambda L, t: L.prod(t), np.ones(0)),
    "cumsum": (lambda L, t: L.cumsum(t), np.ones(0)),
    "cumprod axis 0": (lambda L, t: L.cumprod(t, axis=0), E03),
    "concatenate": (lambda L, t: L.concatenate([t, L.ones((2, 3))]), E03),
    "stack": (lambda L, t: L.stack([t, t], axis=1), E03),
    "reshape": (lambda L, t: L.reshape(t, (3, 0)), E03),
    "reshape -1": (lambda L, t: L.reshape(t, (0, -1)), E03),
    "squeeze": (lambda L, t: L.squeeze(t, axis=1), np.ones((0, 1))),
    "squeeze of a non-1 axis": (lambda L, t: L.squeeze(t, axis=0), np.ones((0, 1))),
    "roll": (lambda L, t: L.roll(t, (1, 2), axis=(0, 1)), E03),
    "einsum": (lambda L, t: L.einsum("ij,ij->i", t, t), E03),
    "matmul to 0x0": (lambda L, t: L.matmul(t, t.T), E03),
    "matmul over 0": (lambda L, t: L.matmul(t, t.T), E20),
    "multi_matmul": (lambda L, t: L.multi_matmul([t.T, t, t.T]), E03),
    "norm": (lambda L, t: L.linalg.norm(t), np.ones(0)),
    "norm ord=-inf": (lambda L, t: L.linalg.norm(t, ord=-np.inf), np.ones(0)),
    "norm of zeros ord=0.5": (lambda L, t: L.linalg.norm(t, ord=0.5), np.zeros(3)),
    "atleast_3d": (lambda L, t: L.atleast_3d(t), E03),
    "softmax_crossentropy": (lambda L, t: L.nnet.softmax_crossentropy(t, np.zeros(0, int)), E03),
    "multiclass_hinge": (lambda L, t: L.nnet.multiclass_hinge(t, np.zeros(0, int)), E03),
    "softmax_focal_loss": (lambda L, t: L.nnet.softmax_focal_loss(t, np.zeros(0, int)), E03),
    "glu": (lambda L, t: L.nnet.glu(t), np.ones((0, 2))),
}


@pytest.mark.parametrize("name", list(EMPTY_CASES))
def test_empty_and_zero_repeat_cases_match_mygrad(name):
    f, x = EMPTY_CASES[name]
    with np.errstate(all="ignore"):
        _assert_same_outcome(_outcome(mg, f, x), _outcome(mygrad, f, x))


def test_repeat_of_a_scalar_zero_times_has_gradient_zero():
    x = mg.tensor(2.0)
    mg.repeat(x, 0, axis=0).sum().backward()
    assert x.grad.shape == () and x.grad == 0.0


@pytest.mark.parametrize("axis", [None, 0])
def test_repeat_of_an_empty_input_backpropagates(axis):
    """MyGrad's backward fails here (ValueError from its sliding window); the gradient of an
    empty input is the empty array."""
    x = mg.tensor(np.ones((0, 3)))
    mg.repeat(x, 2, axis=axis).sum().backward()
    assert x.grad.shape == (0, 3)
    with pytest.raises(ValueError):
        y = mygrad.tensor(np.ones((0, 3)))
        mygrad.repeat(y, 2, axis=axis).sum().backward()


def test_infinity_norm_of_an_empty_vector_is_numpys():
    """numpy.linalg.norm(empty, ord=inf) is 0.0 and so is ours (MyGrad: ValueError)."""
    x = mg.tensor(np.ones(0))
    out = mg.linalg.norm(x, ord=np.inf)
    assert out.item() == np.linalg.norm(np.ones(0), ord=np.inf) == 0.0
    out.backward()
    assert x.grad.shape == (0,)


# ---------------------------------------------------------------------------
# atleast_1d/2d/3d: constant flags, identity and views as MyGrad
# ---------------------------------------------------------------------------
ATLEAST_INPUTS = {
    "0-d": lambda lib: lib.tensor(0.5), "0-d constant": lambda lib: lib.tensor(0.5, constant=True),
    "1-d": lambda lib: lib.tensor([1.0, 2.0]), "2-d": lambda lib: lib.tensor([[1.0, 2.0]]),
    "3-d": lambda lib: lib.tensor([[[1.0], [2.0]]]), "3-d constant": lambda lib: lib.tensor([[[1.0]]], constant=True),
    "view": lambda lib: lib.tensor([1.0, 2.0, 3.0])[:2], "intermediate": lambda lib: 2 * lib.tensor([1.0, 2.0]),
}


ATLEAST_CASES = [(fn, source, constant) for fn in ["atleast_1d", "atleast_2d", "atleast_3d"]
                 for source in ATLEAST_INPUTS for constant in [None, False, True]]


@pytest.mark.parametrize("fn, source, constant", ATLEAST_CASES)
def test_atleast_nd_matches_mygrad(fn, source, constant):
    """The input itself when it has the dimensions and flag already; else an op whose result
    is a view only if the shape changed (or the input is a view), as MyGrad's."""
    def scenario(lib):
        x = ATLEAST_INPUTS[source](lib)
        out = getattr(lib, fn)(x, constant=constant)
        return [x, out, out is x, type(out.creator).__name__ if out.creator is not None else None]

    def bw(lib, ts):
        if not ts[1].constant:
            (ts[1] * 3).sum().backward()

    tc, tr = check_mirrored(scenario, backward=bw, context=f"{fn} {source} {constant}")
    assert tc[2:] == tr[2:]


@pytest.mark.parametrize("fn", ["atleast_1d", "atleast_2d", "atleast_3d"])
@pytest.mark.parametrize("x", [np.array(0.0), np.array([1.0, 2.0]), np.ones((1, 2, 3))])
def test_atleast_nd_of_float_arrays_takes_constant(fn, x):
    for constant in (None, False, True):
        ours, ref = getattr(mg, fn)(x, constant=constant), getattr(mygrad, fn)(x, constant=constant)
        assert ours.constant == ref.constant == (constant is not False)  # an array is a constant
        assert ours.shape == ref.shape


@pytest.mark.parametrize("fn", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast_nd_of_an_integer_input_refuses_constant_false(fn):
    with pytest.raises(ValueError, match="Integer-valued tensors must be treated as constants"):
        getattr(mygrad, fn)(np.array(0), constant=False)
    with pytest.raises(ValueError, match="Integer-valued tensors must be treated as constants"):
        getattr(mg, fn)(np.array(0), constant=False)
