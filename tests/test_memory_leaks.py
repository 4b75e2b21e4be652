"""Memory: no leaked or over-released references in the compiled entry points, no
growth of live tensors, flat traced memory over many training steps.

Refcount checks call an entry point many times and compare ``sys.getrefcount`` of
every object handed to it (tensors, their arrays, gradients, shapes) before and
after: a reference leaked per call shows up as growth by the number of calls, an
over-released one as a drop (and eventually a crash).
"""
from __future__ import annotations

import gc
import sys
import tracemalloc

import numpy as np
import pytest

import mygrad_c as mg
from mygrad_c import _engine

REPEATS = 30


def refcounts(objs):
    return [sys.getrefcount(o) for o in objs]


def assert_no_ref_change(fn, *objs, repeats=REPEATS):
    """Run ``fn`` once (warm-up: caches), then ``repeats`` times; refcounts must not move."""
    fn()
    before = refcounts(objs)
    for _ in range(repeats):
        fn()
    after = refcounts(objs)
    assert after == before, f"refcounts moved: {before} -> {after}"


# ---------------------------------------------------------------------------
# engine entry points
# ---------------------------------------------------------------------------
def test_execute_op_and_dropping_the_result():
    x = mg.tensor([1.0, 2.0, 3.0])
    y = mg.tensor([4.0, 5.0, 6.0], constant=True)
    arr = np.array([1.0, 1.0, 1.0])
    xd, yd = x.data, y.data

    def run():
        z = x * y + arr
        z = mg.multiply(z, x)
        del z

    assert_no_ref_change(run, x, y, arr, xd, yd)


def test_execute_op_with_non_tensor_inputs():
    a = np.arange(6.0).reshape(2, 3)
    b = [1.0, 2.0, 3.0]
    scalar = 2.5
    assert_no_ref_change(lambda: mg.add(a, b) * scalar, a, b, scalar)


def test_backward_and_gradients():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    w = mg.tensor(np.ones(3))
    xd, wd = x.data, w.data
    seed = np.ones((2, 3))

    def run():
        (x * w + x).backward(seed)
        (mg.tanh(x) * w).sum().backward()

    assert_no_ref_change(run, x, w, xd, wd, seed)


def test_backward_drops_the_graph():
    x = mg.tensor([1.0, 2.0])
    xd = x.data

    def run():
        y = mg.exp(x * 2).sum()
        y.backward()
        assert y.creator is None

    assert_no_ref_change(run, x, xd)


def test_clear_graph_and_null_grad():
    x = mg.tensor([1.0, 2.0])
    xd = x.data

    def run():
        y = x * 3
        z = y + 1
        z.clear_graph()
        x.null_grad()
        y.null_grad()
        del y, z

    assert_no_ref_change(run, x, xd)


def test_failed_backward_leaks_nothing():
    x = mg.tensor([1.0, 2.0])
    xd = x.data
    bad_seed = np.ones(5)

    def run():
        y = x * 2
        with pytest.raises(Exception):
            y.backward(bad_seed)
        del y

    assert_no_ref_change(run, x, xd, bad_seed)


def test_backward_through_a_graph_that_was_cleared():
    x = mg.tensor([1.0, 2.0])

    def run():
        y = x * 2
        z = y * 3
        y.backward()
        try:
            z.backward()
        except Exception:  # noqa: BLE001 - InvalidBackprop here, as in MyGrad
            pass
        del y, z

    assert_no_ref_change(run, x)


def test_reduce_broadcast_refcounts():
    g = np.ones((4, 3, 2))
    same = (4, 3, 2)
    shapes = [(3, 2), (1, 2), (3, 1), (), (4, 1, 1), same]
    for shape in shapes:
        assert_no_ref_change(lambda: _engine.reduce_broadcast(g, shape), g, shape)
    assert _engine.reduce_broadcast(g, same) is g
    lst = [[1.0, 2.0]]
    assert_no_ref_change(lambda: _engine.reduce_broadcast(lst, (2,)), lst)

    def bad():
        with pytest.raises(ValueError):
            _engine.reduce_broadcast(g, (5,))
    assert_no_ref_change(bad, g)


def test_in_place_ops():
    x = mg.tensor(np.zeros(4))
    w = mg.tensor(np.ones(4))
    one = np.ones(4)

    def run():
        y = x * w          # a graph through x
        y += one
        y[1:3] = 5.0
        y.backward()
        with mg.no_autodiff:
            x[...] = 0.0
        x.null_grad()
        del y

    assert_no_ref_change(run, x, w, one)


def test_views_and_view_refresh():
    base = mg.tensor(np.arange(8.0))
    bd = base.data

    def run():
        v = base[2:6]
        vv = v[::2]
        base[3] = 1.0          # in-place write into the base: the views refresh
        _ = vv.data, v.data
        (vv * 2).sum().backward()
        del v, vv

    assert_no_ref_change(run, base)
    del bd


def test_getitem_scatter_backward():
    x = mg.tensor(np.arange(12.0).reshape(4, 3))
    idx = np.array([0, 3, 3, 1])
    assert_no_ref_change(lambda: x[idx].backward(np.ones((4, 3))), x, idx)


# ---------------------------------------------------------------------------
# compiled kernels
# ---------------------------------------------------------------------------
def test_scatter_kernel_refcounts():
    from mygrad_c._indexing import scatter_add_rows
    out = np.zeros((5, 3))
    rows = np.array([0, 4, 4])
    src = np.ones((3, 3))
    rows_list = [1, 2, 3]
    assert_no_ref_change(lambda: scatter_add_rows(out, rows, src), out, rows, src)
    assert_no_ref_change(lambda: scatter_add_rows(out, rows_list, src), rows_list)

    def bad():
        with pytest.raises(IndexError):
            scatter_add_rows(out, np.array([9, 0, 0]), src)
    assert_no_ref_change(bad, out, src)


def test_conv_kernel_refcounts():
    from mygrad_c._conv import col2im, im2col
    x = np.random.default_rng(0).normal(size=(2, 3, 1, 6, 6))
    geom = ((1, 3, 3), (1, 6, 6), (1, 1, 1), (0, 1, 1), (1, 1, 1))
    cols = im2col(x, *geom)
    dx = np.zeros_like(x)
    assert_no_ref_change(lambda: im2col(x, *geom), x, *geom)
    assert_no_ref_change(lambda: col2im(cols, x.shape, *geom[2:]), cols, *geom[2:])
    assert_no_ref_change(lambda: col2im(cols, x.shape, *geom[2:], out=dx), cols, dx)


def test_conv_driver_and_relu_kernel_refcounts():
    from mygrad_c._conv import conv_forward, conv_grad_w, conv_grad_x
    from mygrad_c._relu import relu_backward, relu_forward
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 2, 1, 7, 6)).astype(np.float32)
    w = rng.normal(size=(4, 2, 1, 3, 3)).astype(np.float32)
    geom = ((1, 1, 1), (0, 1, 1), (1, 1, 1))
    g = np.ones_like(conv_forward(x, w, *geom))
    for chunk in (1, 1 << 20):   # one sample per chunk, and the whole batch in one
        assert_no_ref_change(lambda: conv_forward(x, w, *geom, chunk_bytes=chunk), x, w)
        assert_no_ref_change(lambda: conv_grad_w(x, g, w.shape, *geom, chunk_bytes=chunk), x, g)
        assert_no_ref_change(lambda: conv_grad_x(g, w, x.shape, *geom, chunk_bytes=chunk), g, w)
    assert_no_ref_change(lambda: relu_forward(x), x)
    mask = x > 0
    assert_no_ref_change(lambda: relu_backward(x, x), x)
    assert_no_ref_change(lambda: relu_backward(x, mask), x, mask)


def test_pool_kernel_refcounts():
    from mygrad_c._pool import max_pool_backward, max_pool_forward
    x = np.random.default_rng(0).normal(size=(3, 1, 6, 6))
    out, arg = max_pool_forward(x, (1, 2, 2), (1, 2, 2))
    g = np.ones_like(out)
    assert_no_ref_change(lambda: max_pool_forward(x, (1, 2, 2), (1, 2, 2)), x)
    assert_no_ref_change(lambda: max_pool_forward(x, (1, 3, 3), (1, 1, 2)), x)
    assert_no_ref_change(lambda: max_pool_backward(g, arg, x.shape, (1, 2, 2), (1, 2, 2)), g, arg)


def test_gru_refcounts():
    from mygrad_c.nnet.layers import gru
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 2, 3))
    ws = [mg.tensor(rng.normal(size=s) * 0.3) for s in [(3, 4), (4, 4), (4,)] * 3]
    assert_no_ref_change(lambda: gru(X, *ws).sum().backward(), X, *ws, repeats=20)


def test_public_layers_refcounts():
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.normal(size=(2, 1, 6, 6)))
    w = mg.tensor(rng.normal(size=(4, 1, 3, 3)))

    def run():
        h = mg.nnet.conv_nd(x, w, stride=1, padding=1)
        h = mg.nnet.max_pool(h, (2, 2), 2)
        h.sum().backward()

    assert_no_ref_change(run, x, w, x.data, w.data, repeats=20)


# ---------------------------------------------------------------------------
# training loops: live tensors and traced memory stay flat
# ---------------------------------------------------------------------------
STEPS = 600          # measured over the second half: a leak of >= 40 bytes/step fails
MAX_GROWTH = 12_000


def live_tensors() -> int:
    gc.collect()
    # tensors are not tracked by the cyclic collector (the graph has no cycles), so
    # gc.get_objects() cannot see them: the engine counts them instead
    return _engine.live_tensor_count()


class TinyCNN:
    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.conv_w = mg.tensor(rng.normal(0, 0.5, size=(4, 1, 3, 3)).astype(np.float32))
        self.conv_b = mg.tensor(np.zeros((4, 1, 1), dtype=np.float32))
        self.dense_w = mg.tensor(rng.normal(0, 0.2, size=(4 * 3 * 3, 3)).astype(np.float32))
        self.dense_b = mg.tensor(np.zeros(3, dtype=np.float32))
        self.params = [self.conv_w, self.conv_b, self.dense_w, self.dense_b]

    def step(self, x, y, lr=0.05):
        h = mg.nnet.conv_nd(x, self.conv_w, stride=1, padding=1) + self.conv_b
        h = mg.nnet.max_pool(mg.nnet.relu(h), (2, 2), 2)
        logits = mg.matmul(h.reshape(len(h), -1), self.dense_w) + self.dense_b
        loss = mg.nnet.softmax_crossentropy(logits, y)
        loss.backward()
        with mg.no_autodiff:
            for p in self.params:
                p -= lr * p.grad
        return loss.item()


def _traced_growth(step, warmup, steps):
    """Run ``warmup`` steps, then measure traced memory over ``steps`` more."""
    for i in range(warmup):
        step(i)
    gc.collect()
    n0 = live_tensors()
    tracemalloc.start()
    try:
        for i in range(steps // 2):
            step(i)
        gc.collect()
        mid, _ = tracemalloc.get_traced_memory()
        for i in range(steps // 2, steps):
            step(i)
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return end - mid, live_tensors() - n0


def test_cnn_training_memory_is_flat():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 1, 6, 6)).astype(np.float32)
    Y = rng.integers(0, 3, size=8)
    model = TinyCNN()
    first = model.step(X, Y)
    growth, tensors = _traced_growth(lambda i: model.step(X, Y), 50, STEPS)
    assert model.step(X, Y) < first          # it does learn
    assert tensors == 0, f"{tensors} more live tensors after training"
    assert growth < MAX_GROWTH, f"traced memory grew by {growth} bytes over {STEPS // 2} steps"


def test_mlp_training_with_views_and_in_place_memory_is_flat():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(16, 4))
    Y = rng.normal(size=(16, 1))
    W = mg.tensor(rng.normal(size=(4, 1)))

    def step(i):
        pred = mg.matmul(X, W)
        err = pred - Y
        err[::2] *= 2.0            # in-place write into a view of a non-leaf
        (err ** 2).mean().backward()
        with mg.no_autodiff:
            W[...] = W - 0.01 * W.grad

    growth, tensors = _traced_growth(step, 50, STEPS)
    assert tensors == 0, f"{tensors} more live tensors after training"
    assert growth < MAX_GROWTH, f"traced memory grew by {growth} bytes over {STEPS // 2} steps"


def test_views_of_a_locked_tensor_are_freed_while_the_lock_is_held():
    """A loop that takes views of a tensor whose memory a live graph locks (evaluation
    beside a graph that is kept): the lock remembers the views' arrays it must make
    writeable again, but not those of views that died meanwhile - before, it kept every
    one alive (and searched them all at each use: a quadratic slow-down)."""
    import weakref

    W = mg.tensor(np.ones((6, 4)))
    kept = W * 2                      # its graph locks W's memory
    live = W[:3]
    used = live * 1.0
    assert not live.data.flags.writeable
    dead = []
    for i in range(100):
        v = W[i % 6:]
        (v * 3.0).sum()
        dead.append(weakref.ref(v.data))
        del v
    gc.collect()
    assert all(r() is None for r in dead)
    growth, _ = _traced_growth(lambda i: (W[:2] * 3.0).sum(), 50, STEPS)
    assert growth < MAX_GROWTH, f"traced memory grew by {growth} bytes over {STEPS // 2} steps"
    kept_alive = live.data
    del used, live
    gc.collect()
    kept.backward()   # the last graph that locks W goes: the arrays are writeable again (as MyGrad)
    assert kept_alive.flags.writeable and W.data.flags.writeable


def test_a_tensor_on_a_numpy_view_of_locked_memory_used_in_a_loop_is_recorded_once():
    """A tensor made on a NumPy view of memory a live graph locks (``mg.tensor(a, copy=False)``
    of a view of a parameter), used again and again: each operation's release leaves its
    array read-only until the owner's lock goes.  The engine recorded that array once per
    release - a record that grew without bound and that every later release searched (each
    operation slowed by the loop's length: 4 -> 600 us per ``m * 2`` after 6,000 steps).
    Now it is recorded once: traced memory stays flat; and the arrays regain writeability
    with the owner, as in MyGrad."""
    W = mg.tensor(np.ones((6, 4), dtype=np.float32))
    kept = W[:3] * 2                     # its graph locks W's memory
    on_view = mg.tensor(W.data[:3], copy=False)
    growth, tensors = _traced_growth(lambda i: (on_view * 3.0).sum(), 50, STEPS)
    assert growth < MAX_GROWTH, f"traced memory grew by {growth} bytes over {STEPS // 2} steps"
    assert tensors == 0
    assert not on_view.data.flags.writeable and not W.data.flags.writeable
    kept.backward()
    assert W.data.flags.writeable and on_view.data.flags.writeable
    on_view.data[0, 0] = 5.0
    assert W.data[0, 0] == 5.0
