"""Higher-order derivatives (mygrad_c.autodiff): grad(create_graph=True), hvp, hessian, jacobian.

Every covered operation's second derivative is checked against central differences of
its first derivative (``gradgradcheck``) and, where PyTorch is importable, against
PyTorch's double backward, for float64 inputs of several shapes (0-d, broadcast,
non-contiguous views).  The thorough hypothesis profile adds more shapes per op.
"""
from __future__ import annotations

import os

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import assume, given, settings
from numpy.testing import assert_allclose

import mygrad_c as mg
from helpers import float_arrays
from mygrad_c.operation_base import Operation
from mygrad_c.testing import gradcheck, gradgradcheck
from test_elementwise import UNARY  # the domains of the elementwise functions

try:
    import torch
    torch.set_num_threads(1)
except ImportError:  # pragma: no cover
    torch = None

THOROUGH = os.environ.get("MYGRAD_C_HYPOTHESIS_PROFILE") == "thorough"
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not importable")

rng = np.random.default_rng(1234)


def uniform(shape, low=0.3, high=0.9):
    return rng.uniform(low, high, size=shape)


# ---------------------------------------------------------------------------
# the cases: name -> (mygrad_c function, torch function or None, input arrays)
# Each function receives one tensor per array; "A" is (3, 4), "B" (4,) broadcasts against it.
# ---------------------------------------------------------------------------
A, B, C = uniform((3, 4)), uniform((4,)), uniform((4, 2))
LABELS = np.array([0, 3, 1])


def _setitem(lib):
    def f(a, b):
        c = a * 1
        c[1] = b ** 2
        c[[0, 2], 1:3] = a[0, :2] ** 3  # advanced index
        return c ** 2
    return f


def _torch_setitem(a, b):
    c = a * 1
    c[1] = b ** 2
    c[[0, 2], 1:3] = a[0, :2] ** 3
    return c ** 2


GRU_PARAMS = tuple(uniform(s, -0.5, 0.5) for s in [(2, 3), (3, 3), (3,)] * 3)


def _seeded_gru(X, *params):
    np.random.seed(7)  # the dropout masks are drawn from NumPy's global generator, as in MyGrad
    return mg.nnet.layers.gru(X, *params, s0=np.full((2, 3), 0.3), dropout=0.25) ** 2


T = torch
CASES = {
    # arithmetic
    "add": (lambda a, b: (a + b) ** 2, lambda a, b: (a + b) ** 2, (A, B)),
    "subtract": (lambda a, b: (a - b) ** 3, lambda a, b: (a - b) ** 3, (A, B)),
    "multiply": (lambda a, b: a * b * a, lambda a, b: a * b * a, (A, B)),
    "divide": (lambda a, b: a / b, lambda a, b: a / b, (A, B)),
    "power": (lambda a, b: a ** b, lambda a, b: a ** b, (A, B)),
    "power_const": (lambda a: a ** 3.5, lambda a: a ** 3.5, (A,)),
    "negative": (lambda a: -a * a, lambda a: -a * a, (A,)),
    "positive": (lambda a: mg.positive(a) * a, lambda a: T.positive(a) * a, (A,)),
    "reciprocal": (mg.reciprocal, lambda a: T.reciprocal(a), (A,)),
    "square": (lambda a: mg.square(a) * a, lambda a: T.square(a) * a, (A,)),
    "sqrt": (mg.sqrt, lambda a: T.sqrt(a), (A,)),
    "absolute": (lambda a: mg.absolute(a) * a, lambda a: T.abs(a) * a, (A - 0.6,)),
    "matmul": (lambda a, c: (a @ c) ** 2, lambda a, c: (a @ c) ** 2, (A, C)),
    "matmul_mv": (lambda a, b: (a @ b) ** 2, lambda a, b: (a @ b) ** 2, (A, B)),
    "matmul_vm": (lambda b, c: (b @ c) ** 2, lambda b, c: (b @ c) ** 2, (B, C)),
    "matmul_vv": (lambda b: (b @ (b * b)) ** 2, lambda b: (b @ (b * b)) ** 2, (B,)),
    "matmul_batched": (lambda a, c: (a @ c) ** 2, lambda a, c: (a @ c) ** 2, (uniform((2, 3, 4)), C)),
    "maximum": (lambda a, b: mg.maximum(a, b) ** 2, lambda a, b: T.maximum(a, b) ** 2, (A, B)),
    "minimum": (lambda a, b: mg.minimum(a, b) ** 2, lambda a, b: T.minimum(a, b) ** 2, (A, B)),
    "clip": (lambda a: mg.clip(a, 0.4, 0.7) ** 2, lambda a: T.clip(a, 0.4, 0.7) ** 2, (A,)),
    "logaddexp": (mg.logaddexp, lambda a, b: T.logaddexp(a, b), (A, B)),
    "logaddexp2": (mg.logaddexp2, lambda a, b: T.logaddexp2(a, b), (A, B)),
    "arctan2": (mg.arctan2, lambda a, b: T.atan2(a, b), (A, B)),
    "where_kwarg": (lambda a: mg.multiply(a, a, where=a > 0.5, out=np.ones((3, 4))) * a, None, (A,)),
    # reductions
    "sum": (lambda a: mg.sum(a * a, axis=0), lambda a: T.sum(a * a, dim=0), (A,)),
    "mean": (lambda a: mg.mean(a ** 3, axis=1, keepdims=True), lambda a: T.mean(a ** 3, dim=1, keepdim=True), (A,)),
    "var": (lambda a: mg.var(a, axis=0), lambda a: T.var(a, dim=0, unbiased=False), (A,)),
    "std": (lambda a: mg.std(a, axis=1, ddof=1), lambda a: T.std(a, dim=1), (A,)),
    "std_all": (mg.std, lambda a: T.std(a, unbiased=False), (A,)),
    "prod": (lambda a: mg.prod(a, axis=1), lambda a: T.prod(a, dim=1), (A,)),
    "prod_one_zero": (lambda a: mg.prod(a * np.array([1.0, 0.0, 1.0, 1.0]), axis=1), None, (A,)),
    "max": (lambda a: mg.max(a * a, axis=0), lambda a: T.amax(a * a, dim=0), (A,)),
    "min": (lambda a: mg.min(a ** 2), lambda a: T.amin(a ** 2), (A,)),
    "cumsum": (lambda a: mg.cumsum(a * a, axis=1), lambda a: T.cumsum(a * a, dim=1), (A,)),
    "cumsum_flat": (lambda a: mg.cumsum(a ** 2), lambda a: T.cumsum((a ** 2).flatten(), dim=0), (A,)),
    "cumprod": (lambda a: mg.cumprod(a, axis=0), lambda a: T.cumprod(a, dim=0), (A,)),
    "add_sequence": (lambda a, b: mg.add_sequence(a, b, a * a), None, (A, B)),
    "multiply_sequence": (lambda a, b: mg.multiply_sequence(a, b, a), None, (A, B)),
    "logsumexp": (lambda a: mg.log(mg.sum(mg.exp(a), axis=1)), lambda a: T.logsumexp(a, dim=1), (A,)),
    # linear algebra
    "einsum": (lambda a, c: mg.einsum("ij,jk->ik", a, c) ** 2, lambda a, c: T.einsum("ij,jk->ik", a, c) ** 2, (A, C)),
    "einsum_diag": (lambda a: mg.einsum("ii->i", a) ** 2, lambda a: T.einsum("ii->i", a) ** 2, (A[:3, :3],)),
    "einsum_scalar": (lambda a, b: mg.einsum("ij,j->", a, b) ** 2, lambda a, b: T.einsum("ij,j->", a, b) ** 2, (A, B)),
    "multi_matmul": (lambda a, c: mg.multi_matmul([a, c, c.T]) ** 2, lambda a, c: T.linalg.multi_dot([a, c, c.T]) ** 2, (A, C)),
    "norm": (lambda a: mg.linalg.norm(a, axis=1), lambda a: T.linalg.norm(a, dim=1), (A,)),
    "norm_1": (lambda a: mg.linalg.norm(a, ord=1, axis=0) ** 2, lambda a: T.linalg.vector_norm(a, ord=1, dim=0) ** 2, (A - 0.6,)),
    "norm_3": (lambda a: mg.linalg.norm(a, ord=3, axis=1), lambda a: T.linalg.vector_norm(a, ord=3, dim=1), (A,)),
    "norm_inf": (lambda a: mg.linalg.norm(a, ord=np.inf, axis=1) ** 2, None, (A,)),
    # shapes and joining
    "reshape": (lambda a: mg.reshape(a, (2, 6)) ** 3, lambda a: T.reshape(a, (2, 6)) ** 3, (A,)),
    "ravel": (lambda a: mg.ravel(a) ** 3, lambda a: T.ravel(a) ** 3, (A,)),
    "flatten": (lambda a: a.flatten() ** 3, lambda a: a.flatten() ** 3, (A,)),
    "squeeze_expand_dims": (lambda a: mg.squeeze(mg.expand_dims(a, 0)) ** 3, None, (A,)),
    "atleast_3d": (lambda a: mg.atleast_3d(a) ** 3, None, (A,)),
    "broadcast_to": (lambda b: mg.broadcast_to(b, (3, 4)) ** 3, lambda b: T.broadcast_to(b, (3, 4)) ** 3, (B,)),
    "transpose": (lambda a: mg.transpose(a ** 3), lambda a: T.permute(a ** 3, (1, 0)), (A,)),
    "moveaxis": (lambda a: mg.moveaxis(a ** 3, 0, 1), lambda a: T.moveaxis(a ** 3, 0, 1), (A,)),
    "swapaxes": (lambda a: mg.swapaxes(a, 0, 1) ** 3, lambda a: T.swapaxes(a, 0, 1) ** 3, (A,)),
    "roll": (lambda a: mg.roll(a, 2, axis=1) * a, lambda a: T.roll(a, 2, dims=1) * a, (A,)),
    "concatenate": (lambda a, b: mg.concatenate([a, b[None]]) ** 3, lambda a, b: T.cat([a, b[None]]) ** 3, (A, B)),
    "stack": (lambda a, b: mg.stack([b, a[0]], axis=1) ** 3, lambda a, b: T.stack([b, a[0]], dim=1) ** 3, (A, B)),
    "repeat": (lambda a: mg.repeat(a, 2, axis=1) ** 3, lambda a: T.repeat_interleave(a, 2, dim=1) ** 3, (A,)),
    "repeat_counts": (lambda b: mg.repeat(b, [1, 0, 2, 1]) ** 3, None, (B,)),
    # indexing
    "getitem": (lambda a: a[1:, ::2] ** 3, lambda a: a[1:, ::2] ** 3, (A,)),
    "getitem_advanced": (lambda a: a[[0, 0, 2], [1, 1, 3]] ** 3, lambda a: a[[0, 0, 2], [1, 1, 3]] ** 3, (A,)),
    "setitem": (_setitem(mg), _torch_setitem, (A, B)),
    "setitem_view": (lambda a: _write_through_view(a), None, (A,)),
    "inplace_ops": (lambda a, b: _inplace_ops(a, b), None, (A, B)),
    "where": (lambda a, b: mg.where(a > 0.5, a ** 2, b ** 3), lambda a, b: T.where(a > 0.5, a ** 2, b ** 3), (A, B)),
    # nnet
    "relu": (lambda a: mg.nnet.relu(a - 0.6) ** 2, lambda a: T.relu(a - 0.6) ** 2, (A,)),
    "leaky_relu": (lambda a: mg.nnet.leaky_relu(a - 0.6, 0.1) ** 2,
                   lambda a: T.nn.functional.leaky_relu(a - 0.6, 0.1) ** 2, (A,)),
    "elu": (lambda a: mg.nnet.elu(a - 0.6, 0.5), lambda a: T.nn.functional.elu(a - 0.6, 0.5), (A,)),
    "selu": (lambda a: mg.nnet.selu(a - 0.6), lambda a: T.selu(a - 0.6), (A,)),
    "hard_tanh": (lambda a: mg.nnet.hard_tanh(a, lower_bound=0.4, upper_bound=0.7) ** 2,
                  lambda a: T.nn.functional.hardtanh(a, 0.4, 0.7) ** 2, (A,)),
    "sigmoid": (mg.nnet.sigmoid, lambda a: T.sigmoid(a), (A,)),
    "soft_sign": (lambda a: mg.nnet.soft_sign(a - 0.6), lambda a: T.nn.functional.softsign(a - 0.6), (A,)),
    "nnet_tanh": (mg.nnet.tanh, lambda a: T.tanh(a), (A,)),
    "softmax": (lambda a: mg.nnet.softmax(a) ** 2, lambda a: T.softmax(a, dim=-1) ** 2, (A,)),
    "logsoftmax": (lambda a: mg.nnet.logsoftmax(a, axis=0) ** 2, lambda a: T.log_softmax(a, dim=0) ** 2, (A,)),
    "glu": (lambda a: mg.nnet.glu(a, axis=1), lambda a: T.nn.functional.glu(a, dim=1), (A,)),
    "softmax_crossentropy": (lambda a: mg.nnet.softmax_crossentropy(a, LABELS),
                             lambda a: T.nn.functional.cross_entropy(a, T.tensor(LABELS)), (A,)),
    "negative_log_likelihood": (lambda a: mg.nnet.negative_log_likelihood(mg.log(a), LABELS),
                                lambda a: T.nn.functional.nll_loss(T.log(a), T.tensor(LABELS)), (A,)),
    "margin_ranking_loss": (lambda a, b: mg.nnet.margin_ranking_loss(a[0] * b, b, np.array([1, -1, 1, -1]), 0.5),
                            lambda a, b: T.nn.functional.margin_ranking_loss(
                                a[0] * b, b, T.tensor([1.0, -1, 1, -1], dtype=T.float64), margin=0.5), (A, B)),
    "multiclass_hinge": (lambda a: mg.nnet.multiclass_hinge(a * a, LABELS, 1.0), None, (A,)),
    "focal_loss": (lambda a: mg.nnet.focal_loss(a, LABELS, alpha=0.5, gamma=2.0), None, (A,)),
    "softmax_focal_loss": (lambda a: mg.nnet.softmax_focal_loss(a, LABELS, alpha=0.5, gamma=2.0), None, (A,)),
    "conv_nd": (lambda x, w: mg.nnet.conv_nd(x, w, stride=1, padding=1) ** 2,
                lambda x, w: T.nn.functional.conv2d(x, w, stride=1, padding=1) ** 2,
                (uniform((2, 2, 4, 4), -1, 1), uniform((3, 2, 2, 2), -1, 1))),
    "conv_nd_strided_dilated": (lambda x, w: mg.nnet.conv_nd(x, w, stride=(2, 1), dilation=2) ** 3,
                                lambda x, w: T.nn.functional.conv2d(x, w, stride=(2, 1), dilation=2) ** 3,
                                (uniform((1, 2, 5, 5), -1, 1), uniform((2, 2, 2, 2), -1, 1))),
    "conv_nd_1d": (lambda x, w: mg.nnet.conv_nd(x, w, stride=2) ** 2,
                   lambda x, w: T.nn.functional.conv1d(x, w, stride=2) ** 2,
                   (uniform((2, 2, 7), -1, 1), uniform((3, 2, 3), -1, 1))),
    "max_pool": (lambda x: mg.nnet.max_pool(x * x, (2, 2), 1) ** 2,
                 lambda x: T.nn.functional.max_pool2d(x * x, 2, 1) ** 2, (uniform((2, 2, 4, 4), -1, 1),)),
    "gru": (lambda X, *p: mg.nnet.layers.gru(X, *p) ** 2, None, (uniform((3, 2, 2), -1, 1),) + GRU_PARAMS),
    "gru_dropout_s0": (lambda X, *p: _seeded_gru(X, *p), None, (uniform((3, 2, 2), -1, 1),) + GRU_PARAMS),
    # (br and bh of the shapes MyGrad broadcasts: one per step, one per sample)
    "gru_broadcast_biases": (lambda X, *p: mg.nnet.layers.gru(X, *p) ** 2, None,
                             (uniform((3, 2, 2), -1, 1),) + GRU_PARAMS[:5] + (uniform((3, 1, 1), -0.5, 0.5),)
                             + GRU_PARAMS[6:8] + (uniform((2, 3), -0.5, 0.5),)),
    "batchnorm": (lambda a, g, b: mg.nnet.batchnorm(a, gamma=g, beta=b, eps=1e-3) ** 2,
                  lambda a, g, b: T.nn.functional.batch_norm(a, None, None, g, b, training=True, eps=1e-3) ** 2,
                  (A, B, B)),
}

# the elementwise functions of the catalog, on (3, 4) inputs inside each one's domain
_TORCH_UNARY = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh",
                "arctanh": "atanh"}


def _domain_array(name, shape=(3, 4)):
    low, high, gap = UNARY[name]
    x = rng.uniform(low, high, size=shape)
    x = np.where(np.abs(x) < max(gap, 0.05), np.copysign(max(gap, 0.05) + 0.1, x), x)
    return np.clip(x, low, high)


for _name in UNARY:
    _tname = _TORCH_UNARY.get(_name, _name)
    _tfunc = getattr(torch, _tname, None) if torch is not None and _name not in ("sinc",) else None
    CASES[_name] = (getattr(mg, _name), _tfunc, (_domain_array(_name),))


def _write_through_view(a):
    c = a * 1
    v = c[:, 1:3]          # a view of c
    v[...] = v ** 2        # written through the view into c (a past state of c is in the graph)
    return c ** 2


def _inplace_ops(a, b):
    c = a * 1
    c *= b
    c += a ** 2
    c[0] = 2 * b
    return c ** 2


# ---------------------------------------------------------------------------
# second derivatives against central differences of the first
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivative_matches_central_differences(name):
    f, _, arrays = CASES[name]
    assert gradcheck(f, *arrays)  # the first derivative (the engine's backward pass) ...
    assert gradgradcheck(f, *arrays, atol=1e-4, rtol=1e-3)  # ... and the second


def _zero_d(name):
    f, tf, arrays = CASES[name]
    return f, [np.asarray(a.flat[0]) for a in arrays]


ZERO_D = ["add", "multiply", "divide", "power", "sqrt", "square", "absolute", "maximum", "logaddexp", "arctan2",
          "sin", "exp", "log", "tanh", "sinc", "cot", "cumsum_flat", "min", "sigmoid", "relu", "elu", "softmax",
          "ravel", "transpose", "where"]


@pytest.mark.parametrize("name", ZERO_D if THOROUGH else ZERO_D[::3])
def test_second_derivative_zero_d(name):
    f, arrays = _zero_d(name)
    assert gradgradcheck(f, *arrays, atol=1e-4)


VIEWS = ["add", "multiply", "divide", "power", "sin", "exp", "log1p", "matmul", "sum", "var", "prod", "max",
         "softmax", "sigmoid", "reshape", "transpose", "getitem", "where", "einsum", "cumprod", "concatenate"]


@pytest.mark.parametrize("name", VIEWS if THOROUGH else VIEWS[::3])
@pytest.mark.parametrize("view", ["strided", "transposed"])
def test_second_derivative_through_views(name, view):
    """The inputs reach the op as non-contiguous views of bigger tensors."""
    f, _, arrays = CASES[name]
    if view == "strided":
        bigs = [np.repeat(a, 2, axis=-1) for a in arrays]
        take = lambda t: t[..., ::2]  # noqa: E731
    else:
        bigs = [np.ascontiguousarray(np.swapaxes(a, 0, -1)) if a.ndim else a for a in arrays]
        take = lambda t: mg.swapaxes(t, 0, -1) if t.ndim else t  # noqa: E731
    assert gradgradcheck(lambda *ts: f(*(take(t) for t in ts)), *bigs, atol=1e-4)


# ---------------------------------------------------------------------------
# against PyTorch's double backward
# ---------------------------------------------------------------------------
def _second_order(lib, f, arrays, u, w):
    """d/dx <d<f(x), u>/dx, w> for each input, in mygrad_c or in torch."""
    if lib == "torch":
        xs = [torch.tensor(np.array(a), dtype=torch.float64, requires_grad=True) for a in arrays]
        y = f(*xs)
        gs = torch.autograd.grad(y, xs, grad_outputs=torch.tensor(u), create_graph=True, allow_unused=True)
        s = sum((g * torch.tensor(wi)).sum() for g, wi in zip(gs, w) if g is not None and g.requires_grad)
        return [None if h is None else h.detach().numpy()
                for h in torch.autograd.grad(s, xs, allow_unused=True)]
    xs = [mg.tensor(a) for a in arrays]
    y = f(*xs)
    gs = mg.grad(y, xs, grad_outputs=u, create_graph=True, allow_unused=True)
    s = mg.add_sequence(*[mg.sum(g * wi) for g, wi in zip(gs, w) if g is not None], mg.tensor(0.0))
    return [None if h is None else h.data for h in mg.grad(s, xs, allow_unused=True)]


TORCH_CASES = sorted(n for n, c in CASES.items() if c[1] is not None)


@needs_torch
@pytest.mark.parametrize("name", TORCH_CASES)
def test_second_derivative_matches_pytorch(name):
    f, tf, arrays = CASES[name]
    with np.errstate(all="ignore"):
        y = f(*[mg.tensor(a) for a in arrays])
    u = rng.uniform(0.5, 1.5, size=y.shape)
    w = [rng.uniform(0.5, 1.5, size=np.shape(a)) for a in arrays]
    ours = _second_order("mygrad_c", f, arrays, u, w)
    theirs = _second_order("torch", tf, arrays, u, w)
    for i, (h, t) in enumerate(zip(ours, theirs)):
        h = np.zeros(np.shape(arrays[i])) if h is None else h
        t = np.zeros(np.shape(arrays[i])) if t is None else t
        assert_allclose(h, t, rtol=1e-7, atol=1e-9, err_msg=f"input {i}")


# ---------------------------------------------------------------------------
# higher orders, hvp, hessian, jacobian
# ---------------------------------------------------------------------------
def test_third_derivative_of_sin_times_exp():
    for v in (-1.3, 0.0, 0.7, 2.5):
        x = mg.tensor(v)
        (d1,) = mg.grad(mg.sin(x) * mg.exp(x), x, create_graph=True)
        (d2,) = mg.grad(d1, x, create_graph=True)
        (d3,) = mg.grad(d2, x)
        # (sin x e^x)''' = 2 e^x (cos x - sin x)
        assert_allclose(d3.data, 2 * np.exp(v) * (np.cos(v) - np.sin(v)), rtol=1e-12)
        assert_allclose(d2.data, 2 * np.exp(v) * np.cos(v), rtol=1e-12)


def test_fourth_derivative_of_a_polynomial():
    x = mg.tensor([1.5, -2.0])
    g = x ** 5
    for _ in range(4):
        (g,) = mg.grad(g, x, create_graph=True)
    assert_allclose(g.data, 120 * x.data)


def _mlp_params(seed=0, sizes=(6, 8, 3), n=5):
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, sizes[0]))
    y = r.integers(0, sizes[-1], size=n)
    W1, b1 = r.normal(size=sizes[:2]) * 0.5, r.normal(size=sizes[1]) * 0.1
    W2, b2 = r.normal(size=sizes[1:]) * 0.5, r.normal(size=sizes[2]) * 0.1
    return X, y, (W1, b1, W2, b2)


def _mg_mlp_loss(X, y):
    def loss(W1, b1, W2, b2):
        h = mg.nnet.relu(X @ W1 + b1)
        return mg.nnet.softmax_crossentropy(mg.tanh(h @ W2 + b2), y)
    return loss


@needs_torch
def test_hvp_of_a_two_layer_mlp_matches_pytorch():
    X, y, params = _mlp_params()
    vs = tuple(np.random.default_rng(1).normal(size=p.shape) for p in params)
    ours = mg.hvp(_mg_mlp_loss(X, y), params, vs)

    Xt, yt = torch.tensor(X), torch.tensor(y)

    def tloss(W1, b1, W2, b2):
        h = torch.relu(Xt @ W1 + b1)
        return torch.nn.functional.cross_entropy(torch.tanh(h @ W2 + b2), yt)

    _, theirs = torch.autograd.functional.hvp(tloss, tuple(torch.tensor(p) for p in params),
                                              tuple(torch.tensor(v) for v in vs))
    for o, t in zip(ours, theirs):
        assert_allclose(o.data, t.numpy(), rtol=1e-8, atol=1e-12)


def test_hvp_equals_hessian_times_vector():
    f = lambda x: mg.sum(mg.sin(x) * x ** 2) + mg.prod(x)  # noqa: E731
    x = np.array([0.3, -1.2, 2.0])
    v = np.array([1.0, 0.5, -2.0])
    H = mg.hessian(f, x)
    assert H.shape == (3, 3)
    assert_allclose(H.data, H.data.T, rtol=1e-12)
    assert_allclose(mg.hvp(f, x, v).data, H.data @ v, rtol=1e-10)


def test_hessian_of_quadratic_form():
    M = np.array([[2.0, 1.0], [0.0, 3.0]])
    H = mg.hessian(lambda x: x @ (M @ x), np.array([0.7, -0.2]))
    assert_allclose(H.data, M + M.T)


def test_hessian_of_a_linear_function_is_zero():
    H = mg.hessian(lambda x: mg.sum(3 * x), np.ones((2, 2)))
    assert H.shape == (2, 2, 2, 2)
    assert not H.data.any()


def test_jacobian():
    x = np.array([0.5, 1.0, 2.0])
    J = mg.jacobian(lambda t: mg.stack([mg.sum(t ** 2), mg.prod(t)]), x)
    assert_allclose(J.data, [2 * x, [2.0, 1.0, 0.5]])


def test_jacobian_with_create_graph_is_differentiable():
    x = mg.tensor([0.5, 2.0])
    J = mg.jacobian(lambda t: t ** 3, x, create_graph=True)
    (g,) = mg.grad(mg.sum(J), x)
    assert_allclose(g.data, 6 * x.data)


# ---------------------------------------------------------------------------
# the grad API: MyGrad's semantics untouched
# ---------------------------------------------------------------------------
def test_grad_touches_no_grad_and_keeps_the_graph():
    x = mg.tensor([1.0, 2.0])
    w = mg.tensor([3.0, 4.0])
    y = mg.sum(x * w)
    (gx, gw) = mg.grad(y, [x, w])
    assert_allclose(gx.data, w.data)
    assert_allclose(gw.data, x.data)
    assert gx.constant and gw.constant
    assert x.grad is None and w.grad is None and y.creator is not None
    (gx2,) = mg.grad(y, x, create_graph=True)
    assert not gx2.constant and x.grad is None
    y.backward()  # the ordinary backward pass still works afterwards, as in MyGrad
    assert_allclose(x.grad, w.data)
    assert isinstance(x.grad, np.ndarray)
    assert y.creator is None  # ...and clears the graph


def test_backward_through_a_gradient_fills_grad_as_mygrad():
    x = mg.tensor([1.0, 2.0])
    (g,) = mg.grad(mg.sum(x ** 3), x, create_graph=True)  # 3 x^2
    mg.sum(g).backward()
    assert_allclose(x.grad, 6 * x.data)
    assert isinstance(x.grad, np.ndarray) and g.creator is None


def test_grad_of_several_outputs_sums_them():
    x = mg.tensor(2.0)
    a, b = x ** 2, mg.sin(x)
    for create_graph in (False, True):
        (g,) = mg.grad([a, b], x, grad_outputs=[1.0, 2.0], create_graph=create_graph)
        assert_allclose(g.data, 4.0 + 2 * np.cos(2.0))


def test_grad_outputs_is_broadcast_and_may_be_differentiated():
    x = mg.tensor([1.0, 2.0, 3.0])
    (g,) = mg.grad(x ** 2, x, grad_outputs=2.0)
    assert_allclose(g.data, 4 * x.data)
    v = mg.tensor([1.0, 1.0, 2.0])
    (g,) = mg.grad(x ** 2, x, grad_outputs=v, create_graph=True)  # 2 x v
    (gv,) = mg.grad(mg.sum(g), v)
    assert_allclose(gv.data, 2 * x.data)


def test_gradient_with_respect_to_an_intermediate_tensor():
    x = mg.tensor(3.0)
    h = x ** 2
    y = mg.sin(h)
    for create_graph in (False, True):
        gh, gx = mg.grad(y, [h, x], create_graph=create_graph)
        assert_allclose(gh.data, np.cos(9.0))
        assert_allclose(gx.data, np.cos(9.0) * 6.0)


def test_unused_and_constant_inputs():
    x, z = mg.tensor(1.0), mg.tensor(2.0)
    c = mg.tensor(3.0, constant=True)
    y = x * c
    for create_graph in (False, True):
        with pytest.raises(ValueError, match=r"inputs\[1\] is not used"):
            mg.grad(y, [x, z], create_graph=create_graph)
        with pytest.raises(ValueError, match=r"inputs\[1\] is a constant"):
            mg.grad(y, [x, c], create_graph=create_graph)
        assert mg.grad(y, [x, z, c], allow_unused=True, create_graph=create_graph)[1:] == (None, None)
    (g,) = mg.grad(y, x)  # without create_graph: a constant
    with pytest.raises(ValueError, match="the outputs are constants"):
        mg.grad(g, x)


def test_bad_arguments():
    x = mg.tensor([1.0, 2.0])
    y = x * 2
    with pytest.raises(TypeError, match="inputs"):
        mg.grad(y, np.array([1.0]))
    with pytest.raises(TypeError, match="outputs"):
        mg.grad([y, 3.0], x)
    with pytest.raises(ValueError, match="grad_outputs"):
        mg.grad(y, x, grad_outputs=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="2 entries for 1"):
        mg.grad([y], x, grad_outputs=[1.0, 2.0])
    with pytest.raises(ValueError, match="scalar"):
        mg.hvp(lambda t: t * 2, [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(TypeError, match="must return a tensor"):
        mg.hessian(lambda t: 3.0, [1.0])


def test_float32_is_computed_in_float32():
    x = mg.tensor(np.array([0.5, 1.5], dtype=np.float32))
    (g,) = mg.grad(mg.sum(mg.exp(x) * x), x, create_graph=True)
    assert g.dtype == np.float32
    (h,) = mg.grad(mg.sum(g), x)
    assert h.dtype == np.float32
    assert_allclose(h.data, np.exp(x.data) * (x.data + 2), rtol=1e-6)


def test_first_order_grad_matches_backward_on_mlp():
    X, y, params = _mlp_params(3)
    ts = [mg.tensor(p) for p in params]
    loss = _mg_mlp_loss(X, y)(*ts)
    fast = mg.grad(loss, ts)
    slow = mg.grad(loss, ts, create_graph=True)
    loss.backward()
    for t, a, b in zip(ts, fast, slow):
        assert_allclose(a.data, t.grad, rtol=1e-12)
        assert_allclose(b.data, t.grad, rtol=1e-12)


# ---------------------------------------------------------------------------
# ops without a rule, and user-defined operations
# ---------------------------------------------------------------------------
class _Cube(Operation):
    """f(x) = x**3, backward written in NumPy only."""

    def __call__(self, x):
        self.variables = (x,)
        return x.data ** 3

    def backward_var(self, grad, index, **kwargs):
        return grad * 3 * self.variables[0].data ** 2


class _DifferentiableCube(_Cube):
    """The same op, opted in to higher-order derivatives."""

    def backward_var_tensor(self, grad, index):
        return grad * 3 * self.variables[0] ** 2


def test_op_without_rule_raises_naming_it():
    x = mg.tensor([1.0, 2.0])
    y = mg.sum(mg.execute_op(_Cube, x))
    (g,) = mg.grad(y, x)  # first order: the engine's backward_var
    assert_allclose(g.data, 3 * x.data ** 2)
    with pytest.raises(NotImplementedError, match="_Cube"):
        mg.grad(y, x, create_graph=True)


def test_op_without_rule_off_the_path_is_no_obstacle():
    x, z = mg.tensor(1.5), mg.tensor(2.0)
    y = mg.execute_op(_Cube, z) + x ** 3
    (g,) = mg.grad(y, x, create_graph=True)
    (h,) = mg.grad(g, x)
    assert_allclose(h.data, 9.0)


def test_user_operation_opts_in_with_backward_var_tensor():
    x = np.array([0.5, -1.0, 2.0])
    f = lambda t: mg.execute_op(_DifferentiableCube, t)  # noqa: E731
    assert gradgradcheck(f, x)
    H = mg.hessian(lambda t: mg.sum(f(t)), x)
    assert_allclose(H.data, np.diag(6 * x))


def test_truncated_gru_reports_its_missing_rule_clearly():
    X = np.random.default_rng(0).normal(size=(4, 2, 2))
    params = [mg.tensor(p) for p in GRU_PARAMS]
    S = mg.nnet.layers.gru(X, *params, bp_lim=1)
    (g,) = mg.grad(mg.sum(S ** 2), params[0])  # first order: the engine's truncated backward
    assert g.shape == (2, 3)
    with pytest.raises(NotImplementedError, match="GRUnit.*bp_lim"):
        mg.grad(mg.sum(S ** 2), params[0], create_graph=True)


def test_covered_operations_lists_the_registry():
    names = mg.autodiff.covered_operations()
    for name in ("Add", "MatMul", "Sin", "Sum", "GetItem", "SetItem", "Softmax", "SoftmaxCrossEntropy",
                 "BatchNorm", "EinSum", "ConvND", "MaxPoolND", "GRUnit"):
        assert name in names


def _float_dtypes_in_graph(roots) -> set:
    seen, stack, dtypes = set(), list(roots), set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.dtype.kind == "f":
            dtypes.add(t.dtype)
        if t.creator is not None:
            stack.extend(t.creator.variables)
    return dtypes


# MyGrad computes these in float64 whatever the input (or the case mixes in float64 constants)
_F64_BY_DESIGN = {"soft_sign", "prod_one_zero", "multiclass_hinge", "margin_ranking_loss", "where_kwarg",
                  "clip", "leaky_relu", "batchnorm"}


@pytest.mark.parametrize("name", sorted(set(CASES) - _F64_BY_DESIGN))
def test_float32_gradient_graphs_stay_float32(name):
    f, _, arrays = CASES[name]
    xs = [mg.tensor(np.asarray(a, dtype=np.float32)) for a in arrays]
    with np.errstate(all="ignore"):
        y = f(*xs)
        if y.dtype != np.float32:
            pytest.skip(f"the forward pass itself gives {y.dtype}")
        gs = [g for g in mg.grad(y, xs, create_graph=True, allow_unused=True) if g is not None]
    assert all(g.dtype == np.float32 for g in gs)
    assert _float_dtypes_in_graph(gs) == {np.dtype(np.float32)}


# operations of mygrad_c without a differentiable rule (docs/higher-order.md lists them too),
# and abstract bases that no graph contains
NOT_COVERED = set()
ABSTRACT = {"UfuncOp", "UnaryUfunc", "BinaryUfunc", "Sequential", "_Reduction", "_Cumulative", "MaxMin",
            "_Reshaping", "_UnaryOp", "_UnaryUfuncOp"}


def test_every_operation_of_the_catalog_has_a_rule_or_is_listed():
    seen, stack = set(), [Operation]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    ours = {c for c in seen if c.__module__.startswith("mygrad_c.") and not c.__module__.startswith("mygrad_c.autodiff")}
    covered = set(mg.autodiff.covered_operations())
    missing = {c.__name__ for c in ours if c.__name__ not in covered} - ABSTRACT
    assert missing == NOT_COVERED


BINARY_FOR_TORCH = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "multiply": (lambda a, b: a * b, lambda a, b: a * b),
    "divide": (lambda a, b: a / b, lambda a, b: a / b),
    "power": (lambda a, b: a ** b, lambda a, b: a ** b),
    "logaddexp": (mg.logaddexp, lambda a, b: T.logaddexp(a, b)),
    "arctan2": (mg.arctan2, lambda a, b: T.atan2(a, b)),
    "maximum": (mg.maximum, lambda a, b: T.maximum(a, b)),
}


@needs_torch
@settings(deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       name=st.sampled_from(sorted(BINARY_FOR_TORCH)), data=st.data())
def test_second_derivatives_of_broadcast_binary_ops_match_pytorch(shapes, name, data):
    a = data.draw(float_arrays(shapes.input_shapes[0], min_value=0.2, max_value=2.0))
    b = data.draw(float_arrays(shapes.input_shapes[1], min_value=0.2, max_value=2.0))
    f, tf = BINARY_FOR_TORCH[name]
    assume(name != "maximum" or not np.any(a == b))  # ties: MyGrad gives neither input a gradient, torch halves
    y_shape = np.broadcast_shapes(a.shape, b.shape)
    u = rng.uniform(0.5, 1.5, size=y_shape)
    w = [rng.uniform(0.5, 1.5, size=a.shape), rng.uniform(0.5, 1.5, size=b.shape)]
    ours = _second_order("mygrad_c", lambda x, y: f(x, y) * mg.sin(x * y), [a, b], u, w)
    theirs = _second_order("torch", lambda x, y: tf(x, y) * T.sin(x * y), [a, b], u, w)
    for h, t in zip(ours, theirs):
        assert_allclose(h, t, rtol=1e-7, atol=1e-9)


def test_gradients_are_distinct_tensors():
    x, z = mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0])
    v = mg.tensor([5.0, 6.0])
    y = x + z
    gx, gz = mg.grad(y, [x, z], grad_outputs=v, create_graph=True)
    assert gx is not gz and gx is not v and gz is not v
    assert_allclose(gx.data, v.data)
    gx *= 2  # an in-place change of one gradient leaves the others (and v) alone
    assert_allclose(gz.data, v.data)
    assert_allclose(v.data, [5.0, 6.0])
    (gv,) = mg.grad(mg.sum(gz * gz), v)  # still differentiable with respect to v
    assert_allclose(gv.data, 2 * v.data)


def test_repeated_higher_order_calls_leak_no_tensors():
    """Graph nodes are invisible to the cyclic garbage collector: the differentiable backward
    pass must create no reference cycles (closures of linear maps, composite rules, ...)."""
    from mygrad_c._engine import live_tensor_count

    X, y, params = _mlp_params(5)
    vs = tuple(np.ones_like(p) for p in params)
    x4 = np.random.default_rng(2).normal(size=(1, 2, 4, 4))

    def work():
        mg.hvp(_mg_mlp_loss(X, y), params, vs)
        mg.hessian(lambda t: mg.sum(mg.nnet.max_pool(t, (2, 2), 2) ** 3) + mg.sum(t[::2] ** 3), x4[0, 0])
        gradgradcheck(lambda x, w: mg.nnet.conv_nd(x, w, stride=1) ** 2, x4, np.ones((1, 2, 2, 2)))
        gradgradcheck(CASES["gru"][0], *CASES["gru"][2])
        gradgradcheck(CASES["setitem"][0], *CASES["setitem"][2])

    import gc

    work()
    # Garbage left by earlier tests is collected first, and the collector stays off while the
    # work repeats: a tensor kept alive only by a reference cycle would then stay counted.
    gc.collect()
    before = live_tensor_count()
    gc.disable()
    try:
        for _ in range(3):
            work()
        after = live_tensor_count()
    finally:
        gc.enable()
    assert after == before
