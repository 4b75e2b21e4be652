"""Release as it goes: during a backward pass, the graph of each node nobody outside it can
reach is cleared as soon as the node has been passed on (``_engine._may_release_as_it_goes``),
so that a network's activations are freed during its backward pass, not after it.

The whole suite runs with every graph released (``conftest.py`` sets the threshold to 0);
these tests check that release happens, that it frees memory, and that it never happens
where MyGrad's behaviour could tell: a backward pass that fails, an operation written by a
user, an input cleared since it was used.
"""
from __future__ import annotations

import gc
import warnings
import weakref

import mygrad
import numpy as np
import pytest
from numpy.testing import assert_array_equal

import mygrad_c as mg
from mygrad_c import _engine
from mygrad_c.nnet.activations.elementwise import ReLu
from mygrad_c.operation_base import Operation


@pytest.fixture
def release_bytes():
    """Set the release threshold for one test (restored after it)."""
    old = _engine.set_release_bytes(0)
    yield _engine.set_release_bytes
    _engine.set_release_bytes(old)


def _deep_chain(lib, n_layers=6, size=(512, 512)):
    """x -> relu(h * 1.5) six times -> sum: nobody holds the intermediates."""
    x = lib.tensor(np.random.default_rng(0).standard_normal(size))
    h = x
    for _ in range(n_layers):
        h = lib.nnet.relu(h * 1.5)
    return x, h.sum()


def _live_intermediates_at_bottom(monkeypatch, threshold, release_bytes):
    """How many of the chain's intermediates are alive when the bottom relu back-propagates."""
    release_bytes(threshold)
    refs, seen = [], []
    x, loss = _deep_chain(mg)
    node = loss.creator.variables[0]
    while node.creator is not None:     # every intermediate, by weak reference
        refs.append(weakref.ref(node))
        node = node.creator.variables[0]
    node = None

    def counted(method):
        def wrapper(self, grad, index, **kwargs):
            if self.variables[0].creator.variables[0] is x:   # the bottom relu
                seen.append(sum(r() is not None for r in refs))
            return method(self, grad, index, **kwargs)
        return wrapper

    monkeypatch.setattr(ReLu, "backward_var_reusing", counted(ReLu.backward_var_reusing))
    monkeypatch.setattr(ReLu, "backward_var", counted(ReLu.backward_var))
    loss.backward()
    assert x.grad is not None and x.grad.shape == (512, 512)
    return seen[0], len(refs)


@pytest.mark.parametrize("threshold", [0, 1 << 20])
def test_the_chain_is_freed_as_the_pass_goes(monkeypatch, threshold, release_bytes):
    live, total = _live_intermediates_at_bottom(monkeypatch, threshold, release_bytes)
    assert total == 12
    # the bottom relu's input (x * 1.5) and its own result are alive, and the next layer's
    # product, which its consumer's cleared operation no longer holds but `order` did
    # until passed on; nothing above
    assert live <= 3


def test_nothing_is_freed_below_the_threshold(monkeypatch, release_bytes):
    live, total = _live_intermediates_at_bottom(monkeypatch, 1 << 40, release_bytes)
    assert live == total == 12


def test_release_gives_the_same_gradients_as_mygrad(release_bytes):
    release_bytes(0)
    x, loss = _deep_chain(mg)
    loss.backward()
    xr, loss_r = _deep_chain(mygrad)
    loss_r.backward()
    assert_array_equal(x.grad, xr.grad)
    assert loss.creator is None                   # the graph is cleared, as MyGrad's
    assert loss_r.creator is None


def _failing_graph(lib):
    """x -> a = x * 1 -> b = 3 / a -> c = relu(b * 2) -> root = sum(c * 3): 3 / a's
    backward divides by zero (a has a zero), after the nodes above it were passed on."""
    x = lib.tensor([0.0, 2.0, -1.0])
    with np.errstate(divide="ignore"):
        b = 3.0 / (x * 1.0)
    root = (lib.nnet.relu(b * 2.0) * 3.0).sum()
    return x, root


def _fail_then_retry(lib, how):
    x, root = _failing_graph(lib)
    with warnings.catch_warnings(), np.errstate(divide="warn"):
        if how == "errstate":
            np.seterr(divide="raise")
        else:
            warnings.simplefilter("error")
        with pytest.raises((FloatingPointError, RuntimeWarning)):
            root.backward()
    after_failure = (None if x.grad is None else np.array(x.grad), root.creator is not None)
    with np.errstate(divide="ignore", invalid="ignore"):
        root.backward()
    return after_failure, np.array(x.grad)


@pytest.mark.parametrize("how", ["errstate", "warnings"])
def test_a_failed_backward_leaves_the_whole_graph(how, release_bytes):
    """A backward pass that may fail is not released: MyGrad keeps the graph of a failed
    pass, and a retried backward (here without the error) walks all of it again."""
    release_bytes(0)
    ours = _fail_then_retry(mg, how)
    ref = _fail_then_retry(mygrad, how)
    assert ours[0][1] and ref[0][1]          # the graph is still there after the failure
    assert (ours[0][0] is None) == (ref[0][0] is None)
    assert_array_equal(ours[1], ref[1])      # the retry back-propagates through all of it
    assert np.isfinite(ours[1][1:]).all()


def test_a_users_operation_sees_the_whole_graph(release_bytes):
    """An operation defined outside mygrad_c may look at anything in its backward: no
    node is released in a graph that has one (here: the node above it, by weak reference)."""
    release_bytes(0)
    seen = []

    class Peek(Operation):
        def __call__(self, a):
            self.variables = (a,)
            return a.data * 2

        def backward_var(self, grad, index, **kwargs):
            above = self.above()
            seen.append(above is not None and above.creator is not None)
            return grad * 2

    x = mg.tensor(np.ones(4))
    y = mg.execute_op(Peek, x)
    z = y * 3.0                     # its creator is what the Peek looks at
    op = y.creator
    op.above = weakref.ref(z)
    root = mg.nnet.relu(z).sum()
    del z, y, op
    root.backward()
    assert seen == [True]
    assert_array_equal(x.grad, np.full(4, 6.0))


@pytest.mark.parametrize("old_first", [True, False])
def test_an_input_cleared_and_used_again_is_not_released_out_from_under(old_first, release_bytes):
    """``x * 3`` recorded x before its graph was cleared; ``x * 4`` uses x since, which is
    what allows back-propagating into x through ``x * 3`` (MyGrad's rule).  Releasing the
    node of ``x * 4`` first (one of the two orders) would free that operation and refuse
    the backward pass."""
    release_bytes(0)

    def run(lib):
        x = lib.tensor([1.0, 2.0])
        w = lib.tensor([5.0, 7.0])
        old = x * 3.0
        (x * w).backward()                 # clears x's graph
        new = lib.nnet.relu(x * 4.0)
        a, b = (new * 1.0).sum(), (old * w).sum()
        root = b + a if old_first else a + b
        del new, old, a, b
        root.backward()
        return x.grad, w.grad

    ours, ref = run(mg), run(mygrad)
    assert_array_equal(ours[0], ref[0])
    assert_array_equal(ours[1], ref[1])


def test_views_in_the_graph(release_bytes):
    """A view nobody holds is released unless views were taken from it (their gradients are
    read off through its operation); values and gradients as MyGrad's over three steps."""
    release_bytes(0)

    def run(lib):
        w = lib.tensor(np.arange(12.0).reshape(3, 4) - 5)
        out = []
        for step in range(3):
            v = w.T                       # held: its gradient is read below
            chained = lib.moveaxis(w, 1, 0)[1]   # a view of a view nobody holds
            loss = (lib.nnet.relu(v.reshape(-1) * (step + 1)) ** 2).sum() + (chained * chained).sum()
            del chained
            loss.backward()
            out += [np.array(w.grad), np.array(v.grad)]
            w.data = w.data - 0.01 * w.grad
        return out

    for a, b in zip(run(mg), run(mygrad)):
        assert_array_equal(a, b)


def test_memory_lock_of_a_released_intermediate_is_given_back(release_bytes):
    """The array of an intermediate a user kept (not the tensor) is read-only while its
    graph lives and writeable once the backward pass has cleared it, as in MyGrad."""
    release_bytes(0)

    def run(lib):
        x = lib.tensor(np.ones(3))
        h = x * 2.0
        arr = h.data
        root = lib.nnet.relu(h).sum()
        flags = [arr.flags.writeable]
        del h
        root.backward()
        gc.collect()
        flags.append(arr.flags.writeable)
        return flags, np.array(x.grad)

    ours, ref = run(mg), run(mygrad)
    assert ours[0] == ref[0] == [False, True]
    assert_array_equal(ours[1], ref[1])
