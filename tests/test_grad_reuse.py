"""The backward pass writing an input's gradient into the buffer of its output's gradient
(``Operation._reuse_index`` / ``backward_var_reusing``: ReLu and SetItem).

The engine may do so only when nobody outside the graph can read the output's gradient:
the output tensor is not held (not by a name, not as ``y.creator.variables[0]`` through a
held operation, not through a view) and the buffer is not shared.  These tests hold
outputs every way a user can and compare every step of a training loop with MyGrad, and
count that the reuse does happen in a network's step (it saves one activation-sized
allocation per relu).
"""
from __future__ import annotations

import mygrad
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import mygrad_c as mg
from helpers import trace
from mygrad_c._relu import relu_backward
from mygrad_c.nnet.activations.elementwise import ReLu


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_in_place_writes_into_grad(dtype):
    x = np.array([[-1.0, 2.0, 0.0], [3.0, -0.5, 1.0]], dtype)
    grad = np.array([[1.0, -2.0, 3.0], [np.inf, 5.0, -6.0]], dtype)
    expected = relu_backward(grad, x)
    out = relu_backward(grad, x, True)
    assert out is grad
    assert_array_equal(out, expected)
    mask_out = relu_backward(np.array([1.0, -1.0], dtype), np.array([False, True]), True)
    assert_array_equal(mask_out, np.array([0.0, -1.0], dtype))


def test_kernel_in_place_refuses_a_read_only_grad():
    grad = np.ones(3)
    grad.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        relu_backward(grad, np.ones(3), True)


@pytest.fixture
def count_reuse(monkeypatch):
    """Counts ReLu's backward calls by kind: {"reusing": n, "plain": m}."""
    calls = {"reusing": 0, "plain": 0}
    reusing, plain = ReLu.backward_var_reusing, ReLu.backward_var

    def counted_reusing(self, grad, index):
        calls["reusing"] += 1
        return reusing(self, grad, index)

    def counted_plain(self, grad, index, **kwargs):
        calls["plain"] += 1
        return plain(self, grad, index, **kwargs)

    monkeypatch.setattr(ReLu, "backward_var_reusing", counted_reusing)
    monkeypatch.setattr(ReLu, "backward_var", counted_plain)
    return calls


def _cnn_step(lib, params, x, y, keep):
    """One step of a small CNN; ``keep`` collects what the "user" holds on to."""
    w1, b1, w2, b2, w = params
    nn = lib.nnet
    h1 = nn.relu(nn.conv_nd(x, w1, stride=1) + b1)
    h2 = nn.relu(nn.conv_nd(h1, w2, stride=1) + b2)
    pooled = nn.max_pool(h2, (2, 2), 2)
    loss = nn.softmax_crossentropy(pooled.reshape(len(x), -1) @ w, y)
    keep(h1=h1, h2=h2, pooled=pooled)
    del h1, h2, pooled  # (only what `keep` kept stays reachable from outside the graph)
    loss.backward()
    return loss


def _params(lib, rng_seed=0):
    rng = np.random.default_rng(rng_seed)
    return [
        lib.tensor(rng.standard_normal((4, 1, 3, 3)).astype(np.float32) * 0.5),
        lib.tensor(np.zeros((1, 4, 1, 1), np.float32)),
        lib.tensor(rng.standard_normal((4, 4, 3, 3)).astype(np.float32) * 0.5),
        lib.tensor(np.zeros((1, 4, 1, 1), np.float32)),
        lib.tensor(rng.standard_normal((4 * 3 * 3, 3)).astype(np.float32) * 0.1),
    ]


def test_a_network_step_reuses_every_relu_gradient(count_reuse):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 1, 10, 10)).astype(np.float32)
    params = _params(mg)
    for _ in range(2):
        _cnn_step(mg, params, x, np.array([0, 2]), keep=lambda **_: None)
    assert count_reuse == {"reusing": 4, "plain": 0}


# what a user may hold after the forward: each way makes a relu output's gradient readable
HOLDS = {
    "nothing": lambda h1, h2, pooled: [],
    "relu outputs": lambda h1, h2, pooled: [h1, h2],
    "pool's op": lambda h1, h2, pooled: [pooled.creator],    # .variables[0] is h2
    "view of a relu output": lambda h1, h2, pooled: [h2[:, :2]],
    "reshaped relu output": lambda h1, h2, pooled: [h1.reshape(-1)],
}


@pytest.mark.parametrize("hold", list(HOLDS))
def test_training_loop_matches_mygrad_whatever_is_held(hold):
    """Three SGD steps; after each, every parameter's gradient and value, and the gradient of
    everything held, equal MyGrad's (to float32 rounding: the convolutions sum in another
    order than MyGrad's; a gradient overwritten by the reuse would differ grossly)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 1, 10, 10)).astype(np.float32)
    y = np.array([1, 0])

    def scenario(lib, out):
        params = _params(lib)
        for _ in range(3):
            held = []
            _cnn_step(lib, params, x, y,
                      keep=lambda **kw: held.extend(HOLDS[hold](**kw)))
            for t in held:
                t = t.variables[0] if not isinstance(t, lib.Tensor) else t
                out.append(t.grad)
            for p in params:
                out.append(p.grad)
                p.data = p.data - 0.1 * p.grad
                out.append(p)

    ours, ref = trace(scenario)
    assert len(ours) == len(ref) and len(ours) >= 3 * 2 * 5
    for step, (a, b) in enumerate(zip(ours, ref)):
        assert a is not None and b is not None, step   # every gradient is there
        assert a[:-1] == b[:-1], step                   # kind, (type), dtype, shape
        dtype = a[-3]
        assert_allclose(np.frombuffer(a[-1], dtype), np.frombuffer(b[-1], dtype),
                        rtol=1e-4, atol=1e-6, err_msg=f"step {step}")


def test_kept_relu_output_keeps_its_own_gradient(count_reuse):
    """The reuse must never write the masked gradient into a gradient someone can read."""
    x = mg.tensor([-1.0, 2.0, -3.0, 4.0])
    h = mg.nnet.relu(x * 1.0)
    (h * mg.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert_array_equal(h.grad, [1.0, 2.0, 3.0, 4.0])
    assert_array_equal(x.grad, [0.0, 2.0, 0.0, 4.0])
    assert count_reuse["plain"] == 1 and count_reuse["reusing"] == 0


def test_seed_gradient_of_a_relu_output_is_not_written(count_reuse):
    """``relu(x).backward(g)``: g is the caller's array, never the engine's to write."""
    g = np.array([5.0, 6.0])
    x = mg.tensor([-1.0, 1.0])
    mg.nnet.relu(x).backward(g)
    assert_array_equal(g, [5.0, 6.0])
    assert_array_equal(x.grad, [0.0, 6.0])

    xr = mygrad.tensor([-1.0, 1.0])
    mygrad.nnet.relu(xr).backward(g)
    assert_array_equal(x.grad, xr.grad)
