"""Tests for mygrad_c.optim: hand-computed steps, PyTorch's update formulas, and edge cases.

Gradients are produced by ``(w * c).backward()`` (so ``w.grad == c``): any
gradient can be fed to the optimizers without needing reductions.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import mygrad_c as mg
from mygrad_c.optim import SGD, Adam, Optimizer


def set_grad(w, g) -> None:
    """Give ``w`` the gradient ``g`` by back-propagating through ``w * g``."""
    (w * mg.tensor(np.asarray(g, dtype=w.dtype), constant=True)).backward()


def run(opt, params, grads_per_step) -> None:
    for grads in grads_per_step:
        for w, g in zip(params, grads):
            set_grad(w, g)
        opt.step()
        opt.zero_grad()


# ---------------------------------------------------------------------------
# reference updates, written straight from PyTorch's documentation
# (torch.optim.SGD with dampening=0, torch.optim.Adam with amsgrad=False)
# ---------------------------------------------------------------------------
def sgd_reference(p0, grads, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    p = np.array(p0, dtype=np.float64)
    b = None
    for t, g in enumerate(grads, start=1):
        g = np.asarray(g, dtype=np.float64)
        if weight_decay != 0:
            g = g + weight_decay * p
        if momentum != 0:
            b = g if t == 1 else momentum * b + g
            g = g + momentum * b if nesterov else b
        p = p - lr * g
    return p


def adam_reference(p0, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    p = np.array(p0, dtype=np.float64)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    b1, b2 = betas
    for t, g in enumerate(grads, start=1):
        g = np.asarray(g, dtype=np.float64)
        if weight_decay != 0:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


# ---------------------------------------------------------------------------
# hand-computed steps
# ---------------------------------------------------------------------------
def test_sgd_plain_step_by_hand():
    w = mg.tensor([1.0, -2.0, 3.0])
    opt = SGD([w], lr=0.1)
    run(opt, [w], [[[1.0, 1.0, -2.0]]])
    np.testing.assert_allclose(w.data, [0.9, -2.1, 3.2])
    run(opt, [w], [[[0.5, 0.0, 0.0]]])
    np.testing.assert_allclose(w.data, [0.85, -2.1, 3.2])


def test_sgd_momentum_by_hand():
    # step 1: b = g1 = 1,            p = 1 - 0.1 * 1   = 0.9
    # step 2: b = 0.9 * 1 + 2 = 2.9, p = 0.9 - 0.1 * 2.9 = 0.61
    w = mg.tensor([1.0])
    opt = SGD([w], lr=0.1, momentum=0.9)
    run(opt, [w], [[[1.0]], [[2.0]]])
    np.testing.assert_allclose(w.data, [0.61])
    np.testing.assert_allclose(opt.velocity[0], [2.9])


def test_sgd_nesterov_by_hand():
    # step 1: b = 1,   step = g + 0.9 b = 1.9, p = 1 - 0.19 = 0.81
    # step 2: b = 2.9, step = 2 + 0.9 * 2.9 = 4.61, p = 0.81 - 0.461 = 0.349
    w = mg.tensor([1.0])
    opt = SGD([w], lr=0.1, momentum=0.9, nesterov=True)
    run(opt, [w], [[[1.0]], [[2.0]]])
    np.testing.assert_allclose(w.data, [0.349])


def test_sgd_weight_decay_by_hand():
    # g = 1 + 0.5 * 2 = 2, p = 2 - 0.1 * 2 = 1.8
    w = mg.tensor([2.0])
    opt = SGD([w], lr=0.1, weight_decay=0.5)
    run(opt, [w], [[[1.0]]])
    np.testing.assert_allclose(w.data, [1.8])


def test_adam_by_hand():
    # step 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2: p -= lr * g / (|g| + eps)
    w = mg.tensor([1.0, -2.0])
    opt = Adam([w], lr=0.1)
    run(opt, [w], [[[4.0, -0.5]]])
    np.testing.assert_allclose(w.data, [0.9, -1.9], rtol=1e-7)
    # step 2 with g = 1 (first entry):
    #   m = 0.9 * 0.4 + 0.1 * 1 = 0.46;       m_hat = 0.46 / 0.19
    #   v = 0.999 * 0.016 + 0.001 * 1 = 0.016984; v_hat = 0.016984 / (1 - 0.999^2)
    run(opt, [w], [[[1.0, -0.5]]])
    m_hat = 0.46 / 0.19
    v_hat = 0.016984 / (1 - 0.999 ** 2)
    np.testing.assert_allclose(w.data[0], 0.9 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-7)
    # a constant gradient gives steps of exactly lr (up to eps)
    np.testing.assert_allclose(w.data[1], -1.8, rtol=1e-7)


# ---------------------------------------------------------------------------
# against PyTorch's formulas, many random steps
# ---------------------------------------------------------------------------
grads_strategy = hnp.arrays(np.float64, (4, 3), elements=st.floats(-10, 10))


@given(
    grads=grads_strategy,
    lr=st.floats(1e-3, 1.0),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    nesterov=st.booleans(),
    weight_decay=st.sampled_from([0.0, 1e-2, 0.3]),
)
def test_sgd_matches_pytorch_formula(grads, lr, momentum, nesterov, weight_decay):
    nesterov = nesterov and momentum > 0
    p0 = np.array([0.5, -1.0, 2.0])
    w = mg.tensor(p0)
    opt = SGD([w], lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)
    run(opt, [w], [[g] for g in grads])
    expected = sgd_reference(p0, grads, lr, momentum, nesterov, weight_decay)
    np.testing.assert_allclose(w.data, expected, rtol=1e-10, atol=1e-10)


@given(
    grads=grads_strategy,
    lr=st.floats(1e-4, 0.5),
    beta1=st.sampled_from([0.0, 0.8, 0.9]),
    beta2=st.sampled_from([0.9, 0.999]),
    weight_decay=st.sampled_from([0.0, 1e-2]),
)
def test_adam_matches_pytorch_formula(grads, lr, beta1, beta2, weight_decay):
    p0 = np.array([0.5, -1.0, 2.0])
    w = mg.tensor(p0)
    opt = Adam([w], lr=lr, betas=(beta1, beta2), weight_decay=weight_decay)
    run(opt, [w], [[g] for g in grads])
    expected = adam_reference(p0, grads, lr, (beta1, beta2), 1e-8, weight_decay)
    np.testing.assert_allclose(w.data, expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("SGD", dict(lr=0.1)),
        ("SGD", dict(lr=0.05, momentum=0.9)),
        ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
        ("Adam", dict(lr=0.01)),
        ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ],
)
def test_against_torch(name, kwargs):
    """Optional cross-check with PyTorch itself (skipped when torch is absent)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    p0 = rng.normal(size=(3, 4))
    grads = rng.normal(size=(5, 3, 4))

    w = mg.tensor(p0)
    ours = {"SGD": SGD, "Adam": Adam}[name]([w], **kwargs)
    run(ours, [w], [[g] for g in grads])

    tw = torch.tensor(p0, requires_grad=True)
    theirs = getattr(torch.optim, name)([tw], **kwargs)
    for g in grads:
        tw.grad = torch.tensor(g)
        theirs.step()
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------
# behaviour
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps)])
def test_updates_in_place_and_keeps_dtype(make):
    w = mg.tensor(np.ones((2, 3), dtype=np.float32))
    data_before = w.data
    opt = make([w])
    set_grad(w, np.full((2, 3), 0.5))
    opt.step()
    assert w.data is data_before  # the very same array was updated
    assert w.dtype == np.float32
    assert np.all(w.data < 1)
    assert w.creator is None  # the step recorded no graph


def test_zero_grad_and_params_without_grad_are_skipped():
    a = mg.tensor([1.0, 2.0])
    b = mg.tensor([3.0])
    opt = SGD([a, b], lr=1.0)
    set_grad(a, [1.0, 1.0])
    assert b.grad is None
    opt.step()
    np.testing.assert_allclose(a.data, [0.0, 1.0])
    np.testing.assert_allclose(b.data, [3.0])
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    assert opt.step_count == 1


def test_gradient_is_not_modified_by_weight_decay():
    w = mg.tensor([2.0])
    opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5)
    set_grad(w, [1.0])
    opt.step()
    np.testing.assert_allclose(w.grad, [1.0])


def test_lr_can_be_changed_between_steps():
    w = mg.tensor([1.0])
    opt = SGD([w], lr=0.1)
    run(opt, [w], [[[1.0]]])
    opt.lr = 0.5
    run(opt, [w], [[[1.0]]])
    np.testing.assert_allclose(w.data, [0.4])


def test_works_on_mygrad_tensors():
    mygrad = pytest.importorskip("mygrad")
    w = mygrad.tensor([1.0, -2.0])
    opt = Adam([w], lr=0.1)
    (w * w).backward()
    opt.step()
    np.testing.assert_allclose(w.data, [0.9, -1.9])


def test_invalid_arguments():
    w = mg.tensor([1.0])
    with pytest.raises(ValueError):
        SGD([], lr=0.1)
    with pytest.raises(ValueError):
        SGD([w], lr=-1.0)
    with pytest.raises(ValueError):
        SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError):
        Adam([w], betas=(1.0, 0.9))
    with pytest.raises(ValueError):
        SGD([mg.tensor([1.0], constant=True)], lr=0.1)
    with pytest.raises(TypeError):
        SGD([np.array([1.0])], lr=0.1)
    with pytest.raises(NotImplementedError):
        opt = Optimizer([w])
        set_grad(w, [1.0])
        opt.step()


def test_repr():
    assert repr(SGD([mg.tensor([1.0])], lr=0.1)).startswith("SGD(1 parameters, lr=0.1")
