"""User-defined Operations run through ``mg.execute_op`` (MyGrad's documented pattern)."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import mygrad.operation_base
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg
import mygrad_c.operation_base
from mygrad_c.errors import InvalidGradient
from helpers import assert_same_trace, check_numerical_grad, float_arrays, observed, outcome, tols


def make_ops(Operation):
    class CustomMultiply(Operation):
        def __call__(self, x, y):
            self.variables = (x, y)
            return x.data * y.data

        def backward_var(self, grad, index, **kwargs):
            x, y = self.variables
            if index == 0:
                return grad * y.data
            elif index == 1:
                return grad * x.data

    class Cube(Operation):
        def __call__(self, x, scale=1.0):
            self.variables = (x,)
            self.scale = scale
            return scale * x.data ** 3

        def backward_var(self, grad, index, **kwargs):
            return grad * 3 * self.scale * self.variables[0].data ** 2

    return CustomMultiply, Cube


CM_C, CUBE_C = make_ops(mygrad_c.operation_base.Operation)
CM_R, CUBE_R = make_ops(mygrad.operation_base.Operation)


def custom_multiply(lib, x, y, constant=None):
    Op = CM_C if lib is mg else CM_R
    return lib.execute_op(Op, x, y, constant=constant)


@given(data=st.data(), dtype=st.sampled_from([np.float16, np.float32, np.float64]))
def test_custom_multiply_matches_mygrad(data, dtype):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    a = data.draw(float_arrays(shapes.input_shapes[0], dtype=dtype, min_value=-3, max_value=3))
    b = data.draw(float_arrays(shapes.input_shapes[1], dtype=dtype, min_value=-3, max_value=3))
    consts = data.draw(st.lists(st.booleans(), min_size=2, max_size=2))
    g = np.random.default_rng(0).uniform(-1, 1, size=shapes.result_shape).astype(dtype)
    res = {}
    for lib in (mg, mygrad):
        x, y = lib.tensor(a, constant=consts[0]), lib.tensor(b, constant=consts[1])
        out = custom_multiply(lib, x, y)
        out.backward(g)
        res[lib.__name__] = (out, x.grad, y.grad)
    (o_c, xg_c, yg_c), (o_r, xg_r, yg_r) = res["mygrad_c"], res["mygrad"]
    tol = tols(dtype) if dtype != np.float16 else dict(rtol=3e-2, atol=3e-2)
    assert isinstance(o_c, mg.Tensor)
    assert o_c.dtype == o_r.dtype and o_c.shape == o_r.shape and o_c.constant == o_r.constant
    assert_allclose(o_c.data, o_r.data, **tol)
    for ours, ref in ((xg_c, xg_r), (yg_c, yg_r)):
        if ref is None:
            assert ours is None
        else:
            # the engine reduces the broadcast gradient to the input's shape
            assert ours.shape == ref.shape and ours.dtype == ref.dtype
            assert_allclose(ours, ref, **tol)


@given(data=st.data())
def test_custom_op_numerical_gradient(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, max_side=3))
    a = data.draw(float_arrays(shapes.input_shapes[0], min_value=-3, max_value=3))
    b = data.draw(float_arrays(shapes.input_shapes[1], min_value=-3, max_value=3))
    if a.size == 0 or b.size == 0:
        return
    check_numerical_grad(lambda x, y: mg.execute_op(CM_C, x, y), a, b)
    check_numerical_grad(lambda x: mg.execute_op(CUBE_C, x, op_kwargs=dict(scale=0.5)), a)


def test_execute_op_constant_and_array_like_inputs():
    for lib in (mg, mygrad):
        x = lib.tensor(2.0)
        z = custom_multiply(lib, x, 3.0)
        assert not z.constant
        z.backward()
        assert x.grad == 3.0
        assert custom_multiply(lib, [1.0], [2.0]).constant is True
        assert custom_multiply(lib, x, 3.0, constant=True).constant is True
        assert custom_multiply(lib, lib.tensor([1, 2]), 3).constant is True
    z = custom_multiply(mg, np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    assert isinstance(z, mg.Tensor)
    assert_array_equal(z.data, [3.0, 8.0])


def test_execute_op_args_and_kwargs():
    for lib, Op in ((mg, CUBE_C), (mygrad, CUBE_R)):
        x = lib.tensor([1.0, 2.0])
        y = lib.execute_op(Op, x, op_args=(2.0,))
        assert_array_equal(y.data, [2.0, 16.0])
        y.backward()
        assert_array_equal(x.grad, [6.0, 24.0])
        x = lib.tensor([1.0, 2.0])
        y = lib.execute_op(Op, x, op_kwargs={"scale": 3.0})
        y.backward()
        assert_array_equal(x.grad, [9.0, 36.0])


def test_creator_and_variables():
    x, y = mg.tensor([1.0]), mg.tensor([2.0])
    z = custom_multiply(mg, x, y)
    assert isinstance(z.creator, CM_C)
    assert z.creator.variables[0] is x and z.creator.variables[1] is y


def test_custom_op_in_a_larger_graph():
    res = {}
    for lib in (mg, mygrad):
        x = lib.tensor([1.0, 2.0, 3.0])
        y = lib.tensor([[2.0], [3.0]])
        z = custom_multiply(lib, x * 2, y) + x
        w = custom_multiply(lib, z, z)
        w.backward()
        res[lib.__name__] = (x.grad, y.grad)
    for a, b in zip(res["mygrad_c"], res["mygrad"]):
        assert_allclose(a, b)


def test_skip_gradient():
    from mygrad_c.operation_base import SkipGradient

    class OnlyFirst(mygrad_c.operation_base.Operation):
        def __call__(self, x, y):
            self.variables = (x, y)
            return x.data + y.data

        def backward_var(self, grad, index, **kwargs):
            if index == 1:
                raise SkipGradient
            return grad

    x, y = mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0])
    out = mg.execute_op(OnlyFirst, x, y)
    out.backward()
    assert_array_equal(x.grad, [1.0, 1.0])
    assert y.grad is None
    # MyGrad has the same name at the same path
    assert hasattr(mygrad.operation_base, "SkipGradient")


class _Bad(mygrad_c.operation_base.Operation):
    ret = None

    def __call__(self, x, y):
        self.variables = (x, y)
        return x.data * y.data

    def backward_var(self, grad, index, **kwargs):
        return self.ret if index == 1 else grad * self.variables[1].data


@pytest.mark.parametrize("ret", ["abc", None, [1.0, 2.0], {"a": 1}, np.ones((5,)), np.ones((3, 3)),
                                 np.ones(2, dtype=complex), np.array(["a", "b"]), 1.0 + 2j])
def test_invalid_gradient_leaves_mygrads_state(ret):
    """As in MyGrad, the gradients computed before the error are kept (here those of
    ``out`` and of ``c``, the input handled before the bad one), the others are None,
    and the graph is intact: a valid backward afterwards works."""
    _Bad.ret = ret
    a, b, w = mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0]), mg.tensor(1.0)
    c = a * w
    out = mg.execute_op(_Bad, c, b)
    with pytest.raises(InvalidGradient):
        out.backward()
    for t in (a, b, w):
        assert t.grad is None
    assert_array_equal(c.grad, [3.0, 4.0])
    assert_array_equal(out.grad, [1.0, 1.0])
    assert out.creator is not None
    _Bad.ret = np.array([1.0, 2.0])
    out.backward()
    assert_array_equal(b.grad, [1.0, 2.0])
    assert_array_equal(a.grad, [3.0, 4.0])


def test_invalid_gradient_string_like_mygrad():
    class BadR(mygrad.operation_base.Operation):
        def __call__(self, x):
            self.variables = (x,)
            return x.data * 1

        def backward_var(self, grad, index, **kwargs):
            return "abc"

    class BadC(mygrad_c.operation_base.Operation):
        def __call__(self, x):
            self.variables = (x,)
            return x.data * 1

        def backward_var(self, grad, index, **kwargs):
            return "abc"

    with pytest.raises(mygrad.errors.InvalidGradient):
        mygrad.execute_op(BadR, mygrad.tensor([1.0])).backward()
    with pytest.raises(mg.errors.InvalidGradient if hasattr(mg, "errors") else InvalidGradient):
        mg.execute_op(BadC, mg.tensor([1.0])).backward()


@pytest.mark.parametrize("ret, shape, error", [
    ("tensor", (2,), "InvalidGradient"),       # a tensor is not a gradient (MyGrad's check)
    ("bool_", (), "InvalidGradient"),          # nor NumPy's bool scalar (not a number)
    ("scalar", (2,), "ValueError"),            # fewer dimensions than the input
    ("row", (2, 3), "ValueError"),
])
def test_refused_gradients_raise_mygrads_exception_type(ret, shape, error):
    results = []
    for lib in (mygrad, mg):
        class Op(lib.operation_base.Operation):
            def __call__(self, a):
                self.variables = (a,)
                return a.data * 2

            def backward_var(self, grad, index, **kwargs):
                return {"tensor": lib.tensor(grad), "bool_": np.bool_(True), "scalar": 2.0,
                        "row": np.ones(shape[-1:])}[ret]

        with pytest.raises(Exception) as info:
            lib.execute_op(Op, lib.tensor(np.ones(shape))).backward()
        results.append(info.value)
    ref, ours = results
    assert type(ref).__name__ == type(ours).__name__ == error, (ref, ours)
    if error == "ValueError":
        assert "dimension" in str(ours) and "Op.backward_var" in str(ours)


def test_valid_gradient_forms_are_accepted():
    """Python scalars for 0-d inputs, integer arrays and keepdims-shaped arrays all work."""
    for ret, shape, expected in [(2.0, (), 2.0), (np.array([1, 2]), (2,), [1.0, 2.0]),
                                 (np.ones((3, 2)), (2,), [3.0, 3.0]), (np.ones((1, 2)), (2,), [1.0, 1.0])]:
        _Bad.ret = ret
        a, b = mg.tensor(np.ones(shape)), mg.tensor(np.ones(shape))
        mg.execute_op(_Bad, a, b).backward()
        assert b.grad.shape == shape and b.grad.dtype == np.float64
        assert_allclose(b.grad, expected)


def test_operation_base_module_path():
    from mygrad_c.operation_base import Operation

    assert Operation is mygrad_c.operation_base.Operation
    with pytest.raises(NotImplementedError):
        mg.execute_op(Operation, mg.tensor(1.0))


# --- how MyGrad reads what a user's Operation records (session 17's grid of user ops) ---------

_LIBS = (mygrad, mg)


def _grad(t):
    return None if t.grad is None else t.grad.tolist()


def test_variables_may_be_a_list_in_a_training_loop_as_in_mygrad():
    """``self.variables = [x, w]`` works in MyGrad: a list is taken as the tuple it lists.
    Three SGD steps through the same leaves, compared with MyGrad at every step."""
    def scenario(lib, out):
        class Affine(lib.operation_base.Operation):
            def __call__(self, x, w):
                self.variables = [x, w]
                return x.data @ w.data

            def backward_var(self, grad, index, **kwargs):
                x, w = self.variables
                return grad @ w.data.T if index == 0 else x.data.T @ grad

        x = lib.tensor([[1.0, -2.0], [0.5, 3.0]])
        w = lib.tensor([[0.1, 0.2], [-0.3, 0.4]])
        for _ in range(3):
            loss = (lib.execute_op(Affine, x, w) ** 2).sum()
            loss.backward()
            out.append((loss, x.grad, w.grad))
            w.data -= 0.1 * w.grad
    assert len(assert_same_trace(scenario)) == 3


@pytest.mark.parametrize("constant", [None, True, False])
def test_an_operation_that_records_no_variables_cannot_back_propagate_as_in_mygrad(constant):
    """MyGrad's forward runs; walking the graph raises AttributeError before any gradient
    is set and leaves the graph as it was (mygrad_c used to back-propagate nothing, silently)."""
    def scenario(lib, out):
        class Forgetful(lib.operation_base.Operation):
            def __call__(self, a):
                return a.data * 2

            def backward_var(self, grad, index, **kwargs):
                return grad * 2

        a, w = lib.tensor([1.0, 2.0]), lib.tensor(3.0)
        z = a * w
        y = lib.execute_op(Forgetful, z, constant=constant) * 2
        with pytest.raises(AttributeError, match="'Forgetful' object has no attribute 'variables'"):
            y.backward()
        # (a constant result: MyGrad clears the graph node by node as it walks it and has
        # cleared ``y``'s creator when it meets the op; mygrad_c raises before clearing any)
        kept = y.creator is not None or (constant and lib is mygrad)
        out.append((bool(y.constant), kept, z.creator is not None, [t.grad for t in (y, z, a, w)]))
        if y.creator is not None:
            with pytest.raises(AttributeError):
                y.creator.variables[0].creator.variables
    assert assert_same_trace(scenario)[0][1:] == (True, True, [None] * 4)


@pytest.mark.parametrize("record", ["none", "empty", "first", "second", "both", "swapped"])
@pytest.mark.parametrize("const_a", [False, True])
@pytest.mark.parametrize("const_b", [False, True])
def test_a_results_constant_flag_follows_the_inputs_not_what_the_op_records(record, const_a,
                                                                           const_b):
    """As MyGrad: with ``constant=None`` a result is constant exactly when every input is,
    whichever of them the operation records as ``variables``."""
    def scenario(lib, out):
        class Op(lib.operation_base.Operation):
            def __call__(self, a, b):
                if record != "none":
                    self.variables = tuple({"a": a, "b": b}[k] for k in
                                           {"empty": "", "first": "a", "second": "b",
                                            "both": "ab", "swapped": "ba"}[record])
                return a.data * b.data

            def backward_var(self, grad, index, **kwargs):
                return grad * (index + 2)

        a, b = lib.tensor(2.0, constant=const_a), lib.tensor(3.0, constant=const_b)
        y = lib.execute_op(Op, a, b)
        out.append((bool(y.constant), outcome(y.backward), y.grad, a.grad, b.grad))
    assert assert_same_trace(scenario)[0][0] == (const_a and const_b)


def test_an_operation_of_no_inputs_makes_a_constant_as_in_mygrad():
    def scenario(lib, out):
        class Source(lib.operation_base.Operation):
            def __call__(self):
                self.variables = ()
                return np.array([1.0, 2.0])

            def backward_var(self, grad, index, **kwargs):
                raise AssertionError("no input to back-propagate to")

        y = lib.execute_op(Source)
        y.backward()
        out.append((bool(y.constant), y.grad))
    assert assert_same_trace(scenario) == [(True, None)]


_RETURNS = {
    "its own array": lambda x, owner: x,
    "np.asarray of it": lambda x, owner: np.asarray(x),
    "a view of it": lambda x, owner: x[...],
    "the array owning its memory": lambda x, owner: owner,
    "a view of that owner": lambda x, owner: owner[1:],
    "an unrelated view": lambda x, owner: np.arange(5.0)[:3],
    "a copy": lambda x, owner: x.copy(),
}


@pytest.mark.parametrize("returns", list(_RETURNS))
@pytest.mark.parametrize("input_is_a_view", [False, True])
def test_a_can_return_view_op_makes_a_view_only_of_a_numpy_view(returns, input_is_a_view):
    """MyGrad's rule: the result is a view of its input when its array is a NumPy view
    (has a ``.base``) of the input's memory - not when it is the input's own array or the
    array that owns that memory.  Two backward passes through the same base, each compared."""
    def scenario(lib, out):
        class Pass(lib.operation_base.Operation):
            can_return_view = True

            def __call__(self, a):
                self.variables = (a,)
                return _RETURNS[returns](a.data, base.data)

            def backward_var(self, grad, index, **kwargs):
                return np.broadcast_to(grad.sum() if grad.shape != self.variables[0].shape
                                       else grad, self.variables[0].shape) * 2

        base = lib.arange(4.0)
        x = base[1:] if input_is_a_view else base
        for _ in range(2):
            y = lib.execute_op(Pass, x)
            out.append((y.base is x, y.base is None, y.base is base))
            out.append(outcome(lambda: (y * y).sum().backward()))
            out.append((y.grad, x.grad, base.grad))
    assert len(assert_same_trace(scenario)) == 6


@pytest.mark.parametrize("value", [[1.0, 2.0], 3.0, 3, None, "x"])
def test_a_can_return_view_op_must_return_an_array_as_in_mygrad(value):
    """MyGrad reads the result's ``.base``: a list, number, None or string is an
    AttributeError (outside ``no_autodiff``, where it does not look)."""
    for lib in _LIBS:
        class Op(lib.operation_base.Operation):
            can_return_view = True

            def __call__(self, a):
                self.variables = (a,)
                return value

            def backward_var(self, grad, index, **kwargs):
                return grad

        with pytest.raises(AttributeError, match="base"):
            lib.execute_op(Op, lib.tensor([1.0, 2.0]))
        if value in (3.0, 3):
            with lib.no_autodiff:
                assert lib.execute_op(Op, lib.tensor([1.0, 2.0])).item() == value


def test_variables_of_another_type_are_refused_when_set():
    class Op(mg.operation_base.Operation):
        def __call__(self, a):
            self.variables = a          # (MyGrad: InvalidBackprop later, naming no cause)
            return a.data

        def backward_var(self, grad, index, **kwargs):
            return grad

    with pytest.raises(TypeError, match="Op.variables must be a tuple or list"):
        mg.execute_op(Op, mg.tensor([1.0]))


def test_a_recorded_variable_that_is_not_an_input_gets_its_gradient():
    """A deliberate difference (docs/guide/migrating.md): an operation may record a tensor it
    was not given as an input (``op_args=(w,)``).  MyGrad back-propagates into it only while
    that tensor is part of some other graph, and otherwise raises InvalidBackprop saying a
    graph "was cleared"; mygrad_c gives it its gradient either way - MyGrad's numbers in the
    case where MyGrad works."""
    results = {}
    for lib in _LIBS:
        for used_elsewhere in (False, True):
            c = lib.tensor(5.0)
            if used_elsewhere:
                keep = c * 1  # noqa: F841 - c is now part of a graph
            class Op(lib.operation_base.Operation):
                def __call__(self, a, b, extra):
                    self.variables = (a, extra)
                    return a.data * b.data * extra.data

                def backward_var(self, grad, index, **kwargs):
                    return grad * (index + 2)

            a, b = lib.tensor(2.0), lib.tensor(3.0)
            y = lib.execute_op(Op, a, b, op_args=(c,)) * 2
            results[lib.__name__, used_elsewhere] = (outcome(y.backward), _grad(a), _grad(c))
    assert results["mygrad", False][0] == ("raises", "InvalidBackprop")
    assert results["mygrad", True] == results["mygrad_c", True] == (("value", None), 4.0, 6.0)
    assert results["mygrad_c", False] == results["mygrad_c", True]


@pytest.mark.parametrize("returns, post", [
    ("grad", "tenfold"), ("number", "ones"), ("float16", "same"), ("integers", "same"),
    ("rows", "sum rows"), ("rows", "same"), ("rows", "list"), ("rows", "other shape")])
def test_an_operations_own_grad_post_process_fn_is_used_as_in_mygrad(returns, post):
    """MyGrad passes every gradient ``backward_var`` returns through the operation's
    ``grad_post_process_fn(grad, var_shape)`` (by default: sum the broadcasting away), so
    an operation may override it.  Three steps through the same leaves, each compared; a
    result that is not an array of the input's shape is refused (MyGrad: AssertionError or
    AttributeError, mygrad_c: InvalidGradient)."""
    def scenario(lib, out):
        calls = []

        class Op(lib.operation_base.Operation):
            def __call__(self, a, b):
                self.variables = (a, b)
                return a.data * b.data

            def backward_var(self, grad, index, **kwargs):
                other = self.variables[1 - index].data
                return {"grad": grad * other, "number": 2.0, "float16": (grad * other).astype(np.float16),
                        "integers": np.ones(grad.shape, dtype=int),
                        "rows": np.ones((3,) + grad.shape)}[returns]

            def grad_post_process_fn(self, grad, var_shape):
                calls.append((grad.shape, str(grad.dtype), var_shape))
                return {"tenfold": lambda: np.broadcast_to(10 * grad.sum(), var_shape).copy()
                        if grad.shape != var_shape else 10 * grad,
                        "ones": lambda: np.ones(var_shape), "same": lambda: grad,
                        "sum rows": lambda: np.broadcast_to(grad.sum(), var_shape) * 1.0,
                        "list": lambda: [1.0] * len(var_shape),
                        "other shape": lambda: np.ones(5)}[post]()

        a, b = lib.tensor([1.0, -2.0]), lib.tensor(3.0)
        for _ in range(3):
            raised = outcome(lib.execute_op(Op, a, b).backward)[0]   # (not which error)
            # (a NumPy scalar from grad_post_process_fn for the 0-d b: MyGrad's b.grad is
            # that scalar, mygrad_c's a 0-d array of it - docs/guide/migrating.md)
            assert b.grad is None or isinstance(b.grad, np.ndarray) or lib is mygrad
            out.append((raised, a.grad, None if b.grad is None else np.asarray(b.grad)))
            if a.grad is not None:
                a.data -= 0.1 * a.grad
        out.append(calls)
    assert len(assert_same_trace(scenario)) == 4


@pytest.mark.parametrize("path, name, n_inputs", [
    ("math.arithmetic.ops", "Multiply", 2), ("math.arithmetic.ops", "Add", 2),
    ("math.arithmetic.ops", "Power", 2), ("math.misc.ops", "Maximum", 2),
    ("math.misc.ops", "MatMul", 2), ("math.trigonometric.ops", "Sin", 1),
    ("math.misc.ops", "Abs", 1)])
def test_a_subclass_of_a_built_in_op_may_call_super_backward_var(path, name, n_inputs):
    """``class Scaled(Multiply)`` whose ``backward_var`` returns ``10 * super().backward_var(...)``:
    MyGrad's pattern for tweaking an op.  (mygrad_c's ufunc ops used to recurse forever.)
    Three steps through the same leaves, compared with MyGrad at every step."""
    import importlib

    seen = []
    for lib in _LIBS:
        base = getattr(importlib.import_module(f"{lib.__name__}.{path}"), name)

        class Scaled(base):
            def backward_var(self, grad, index, **kwargs):
                return 10 * np.asarray(super().backward_var(grad, index, **kwargs))

        x = lib.tensor([[0.5, -0.25], [0.1, 0.3]])
        y = lib.tensor([[1.5, 2.0], [0.7, 1.2]])
        steps = []
        for _ in range(3):
            out = lib.execute_op(Scaled, *(x, y)[:n_inputs])
            (out * out).sum().backward()
            steps.append((out.data.tolist(), _grad(x), _grad(y)))
            x.data -= 0.01 * x.grad
        seen.append(steps)
    for ref_step, our_step in zip(*seen):
        for ref, ours in zip(ref_step, our_step):
            assert (ref is None) == (ours is None)
            if ref is not None:
                assert_allclose(ours, ref, rtol=1e-12)


def test_an_operations_backward_called_by_hand_adds_to_its_inputs_grads_as_mygrad():
    """MyGrad's ``Operation.backward(grad)`` adds each non-constant input's gradient to its
    ``.grad`` (in the input's dtype, summed down to its shape; a copy, not ``grad``) and
    returns None; it does not go further back.  (mygrad_c's used to return the gradients
    and set nothing.)"""
    def scenario(lib, record):
        x, w = lib.tensor([1.0, 2.0], dtype=np.float32), lib.tensor(3.0)
        y = x * w
        z = y + 1
        g = np.array([1.0, 2.0])
        record.append(z.creator.backward(g))
        record.append([x.grad, w.grad, y.grad, z.grad])
        z.creator.backward(g)                       # accumulates
        record.append([x.grad, y.grad])
        z.backward()                                # a whole pass after it
        record.append([x.grad, w.grad, y.grad])
        y2 = x * lib.tensor([1.0, 1.0], constant=True)
        y2.creator.backward(np.array([1, 1]))       # integer grad, a constant input
        record.append((x.grad, x.grad is not None and not np.shares_memory(x.grad, g)))
        y3 = x * w
        y3.creator.backward(np.ones((2, 2)))        # broadcast: summed down
        record.append((x.grad, w.grad))
    ours = assert_same_trace(scenario)
    assert ours[0] is None and ours[1] == observed([None, None, np.array([1.0, 2.0]), None])
    assert len(ours) == 6
