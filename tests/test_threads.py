"""Threads: graph mode is per thread, concurrent training is exact, GIL-free kernels are safe.

- ``no_autodiff`` and memory guarding are switched per thread (as PyTorch's grad
  mode is): a switch in one thread is invisible in another, and the context
  managers restore each thread's own previous setting however the threads'
  ``with`` blocks interleave.
- Two threads training independent small models at the same time get exactly
  (bit for bit) the gradients and weights that each gets when run alone.
- The compiled kernels that release the GIL (index scatter-add, im2col/col2im,
  max-pool, the GRU loops) give the single-threaded results when several
  threads run them at once.
"""
from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import mygrad_c as mg
from mygrad_c import _engine


def run_threads(*targets, timeout=60):
    """Run each callable in its own thread; re-raise the first failure."""
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)
        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "thread hung"
    if errors:
        raise errors[0]


@pytest.fixture(autouse=True)
def fast_switching():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)   # interleave the threads as much as possible
    yield
    sys.setswitchinterval(old)
    assert _engine.is_tracking() and _engine.mem_guard_active()


# ---------------------------------------------------------------------------
# graph mode is per thread
# ---------------------------------------------------------------------------
def test_no_autodiff_in_one_thread_does_not_affect_another():
    inside, checked = threading.Event(), threading.Event()
    seen = {}

    def a():
        with mg.no_autodiff:
            inside.set()
            assert checked.wait(10)
            x = mg.tensor([1.0, 2.0])
            seen["a_creator"] = (x * 2).creator
            seen["a_tracking"] = _engine.is_tracking()

    def b():
        assert inside.wait(10)
        seen["b_tracking"] = _engine.is_tracking()
        x = mg.tensor([1.0, 2.0])
        y = (x * x).sum()
        y.backward()
        seen["b_grad"] = x.grad
        checked.set()

    run_threads(a, b)
    assert seen["a_creator"] is None and seen["a_tracking"] is False
    assert seen["b_tracking"] is True
    assert_array_equal(seen["b_grad"], [2.0, 4.0])
    assert _engine.is_tracking()


def test_mem_guard_off_in_one_thread_does_not_affect_another():
    inside, checked = threading.Event(), threading.Event()
    seen = {}

    def a():
        with mg.mem_guard_off:
            inside.set()
            assert checked.wait(10)
            x = mg.tensor([1.0, 2.0])
            _ = x * 2
            seen["a_writeable"] = x.data.flags.writeable
            seen["a_active"] = mg.mem_guard_active()

    def b():
        assert inside.wait(10)
        seen["b_active"] = mg.mem_guard_active()
        x = mg.tensor([1.0, 2.0])
        y = x * 2
        seen["b_writeable"] = x.data.flags.writeable
        del y
        checked.set()

    run_threads(a, b)
    assert seen["a_active"] is False and seen["a_writeable"] is True
    assert seen["b_active"] is True and seen["b_writeable"] is False


def test_new_threads_start_with_graph_mode_on_whatever_the_parent_does():
    seen = []
    with mg.no_autodiff, mg.mem_guard_off:
        run_threads(lambda: seen.append((_engine.is_tracking(), mg.mem_guard_active())))
        assert not _engine.is_tracking() and not mg.mem_guard_active()
    assert seen == [(True, True)]


@pytest.mark.parametrize("switch, probe", [
    ("no_autodiff", _engine.is_tracking),
    ("mem_guard_off", _engine.mem_guard_active),
])
def test_interleaved_with_blocks_restore_each_threads_own_setting(switch, probe):
    """A enters, B enters, A enters again (nested), B leaves, A leaves twice.

    Each thread must find its own setting restored (on) after its blocks, and
    A must still be switched off inside its outer block after B has left.
    """
    ctx = getattr(mg, switch)
    steps = [threading.Event() for _ in range(5)]
    seen = {}

    def a():
        with ctx:
            steps[0].set()
            assert steps[1].wait(10)
            with ctx:
                steps[2].set()
                assert steps[3].wait(10)
            seen["a_outer_after_inner"] = probe()
        seen["a_after"] = probe()
        steps[4].set()

    def b():
        assert steps[0].wait(10)
        with ctx:
            steps[1].set()
            assert steps[2].wait(10)
        seen["b_after"] = probe()
        steps[3].set()
        assert steps[4].wait(10)

    run_threads(a, b)
    assert seen == {"b_after": True, "a_outer_after_inner": False, "a_after": True}, seen


def test_decorated_functions_in_two_threads():
    @mg.no_autodiff
    def step(w, hold, go):
        hold.set()
        assert go.wait(10)
        return _engine.is_tracking(), (w * 2).creator

    res = {}
    e1, e2 = threading.Event(), threading.Event()

    def a():
        res["a"] = step(mg.tensor([1.0]), e1, e2)
        res["a_after"] = _engine.is_tracking()

    def b():
        assert e1.wait(10)
        res["b"] = step(mg.tensor([1.0]), threading.Event(), _set(threading.Event()))
        e2.set()
        res["b_after"] = _engine.is_tracking()

    run_threads(a, b)
    assert res["a"] == (False, None) and res["b"] == (False, None)
    assert res["a_after"] is True and res["b_after"] is True


def _set(event):
    event.set()
    return event


# ---------------------------------------------------------------------------
# two threads training independent models
# ---------------------------------------------------------------------------
def _train(seed: int, steps: int = 200, barrier: threading.Barrier | None = None):
    """A tiny MLP trained by SGD; returns every step's loss, gradients and the final weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(16, 3))
    Y = np.sin(X.sum(axis=1, keepdims=True))
    W1 = mg.tensor(rng.normal(size=(3, 8)) * 0.5)
    b1 = mg.tensor(np.zeros(8))
    W2 = mg.tensor(rng.normal(size=(8, 1)) * 0.5)
    b2 = mg.tensor(np.zeros(1))
    params = (W1, b1, W2, b2)
    history = []
    for i in range(steps):
        if barrier is not None and i % 20 == 0:
            barrier.wait(10)
        h = mg.tanh(mg.matmul(X, W1) + b1)
        pred = mg.matmul(h, W2) + b2
        loss = ((pred - Y) ** 2).sum() / len(X)
        loss.backward()
        history.append((loss.item(),) + tuple(p.grad.copy() for p in params))
        with mg.no_autodiff:
            for p in params:
                p -= 0.05 * p.grad
        for p in params:
            p.null_grad()
    return history, tuple(p.data.copy() for p in params)


def _assert_same_run(got, want):
    (hist_g, w_g), (hist_w, w_w) = got, want
    assert len(hist_g) == len(hist_w)
    for step, (a, b) in enumerate(zip(hist_g, hist_w)):
        assert a[0] == b[0], f"loss differs at step {step}"
        for ga, gb in zip(a[1:], b[1:]):
            assert_array_equal(ga, gb, err_msg=f"gradient differs at step {step}")
    for a, b in zip(w_g, w_w):
        assert_array_equal(a, b)


def test_two_threads_training_get_exactly_their_solo_gradients():
    solo = {0: _train(0), 1: _train(1)}
    assert solo[0][0][-1][0] < solo[0][0][0][0]   # it does learn
    barrier = threading.Barrier(2)
    together = {}
    run_threads(lambda: together.__setitem__(0, _train(0, barrier=barrier)),
                lambda: together.__setitem__(1, _train(1, barrier=barrier)))
    _assert_same_run(together[0], solo[0])
    _assert_same_run(together[1], solo[1])


def test_training_next_to_a_thread_that_toggles_graph_mode():
    """One thread trains while another keeps entering/leaving no_autodiff and
    mem_guard_off: the trainer's gradients are unaffected."""
    solo = _train(3, steps=100)
    stop = threading.Event()

    def toggler():
        x = mg.tensor(np.ones(4))
        while not stop.is_set():
            with mg.no_autodiff:
                assert (x * 2).creator is None
            with mg.mem_guard_off:
                (x * 3).sum().backward()

    out = {}

    def trainer():
        try:
            out["run"] = _train(3, steps=100)
        finally:
            stop.set()

    run_threads(trainer, toggler)
    _assert_same_run(out["run"], solo)


# ---------------------------------------------------------------------------
# kernels that release the GIL, run from several threads at once
# ---------------------------------------------------------------------------
N_THREADS = 4


def _concurrently(make_job, n=N_THREADS, repeats=3):
    """Each thread runs its job ``repeats`` times; all results must equal the serial ones."""
    jobs = [make_job(i) for i in range(n)]
    serial = [job() for job in jobs]
    results = [[] for _ in range(n)]
    barrier = threading.Barrier(n)

    def runner(i):
        def run():
            barrier.wait(10)
            for _ in range(repeats):
                results[i].append(jobs[i]())
        return run

    run_threads(*[runner(i) for i in range(n)])
    for i in range(n):
        for r in results[i]:
            for a, b in zip(r, serial[i]):
                assert_array_equal(a, b)


def test_scatter_add_kernel_from_several_threads():
    from mygrad_c._indexing import scatter_add_rows

    def make(i):
        rng = np.random.default_rng(i)
        rows = rng.integers(0, 500, size=20000)
        src = rng.normal(size=(20000, 16))
        def job():
            out = np.zeros((500, 16))
            scatter_add_rows(out, rows, src)
            return (out,)
        return job

    _concurrently(make)


def test_shared_output_is_not_needed_to_be_safe_but_shared_inputs_are():
    """Several threads scatter the same (read-only shared) source into their own outputs."""
    from mygrad_c._indexing import scatter_add_rows

    rng = np.random.default_rng(0)
    rows = rng.integers(0, 300, size=30000)
    src = np.broadcast_to(rng.normal(size=(1, 8)), (30000, 8))   # stride-0, shared
    ref = np.zeros((300, 8))
    np.add.at(ref, rows, src)
    _concurrently(lambda i: lambda: (scatter_add_rows(np.zeros((300, 8)), rows, src),))
    got = scatter_add_rows(np.zeros((300, 8)), rows, src)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)


def test_gather_backward_from_several_threads():
    def make(i):
        rng = np.random.default_rng(10 + i)
        data = rng.normal(size=(400, 8))
        idx = rng.integers(-400, 400, size=5000)
        g = rng.normal(size=(5000, 8))
        def job():
            x = mg.tensor(data)
            x[idx].backward(g)
            return (x.grad,)
        return job

    _concurrently(make)


def test_conv_kernels_and_conv_nd_from_several_threads():
    from mygrad_c._conv import col2im, im2col

    def make(i):
        rng = np.random.default_rng(20 + i)
        x = rng.normal(size=(4, 3, 1, 20, 20)).astype(np.float32 if i % 2 else np.float64)
        w = rng.normal(size=(5, 3, 3, 3))
        geom = ((1, 3, 3), (1, 9, 9), (1, 2, 2), (0, 1, 1), (1, 1, 1))
        def job():
            cols = im2col(x, *geom)
            back = col2im(cols, x.shape, *geom[2:])
            xt, wt = mg.tensor(x[:, :, 0].astype(np.float64)), mg.tensor(w)
            out = mg.nnet.conv_nd(xt, wt, stride=1, padding=1)
            out.backward(np.ones(out.shape))
            return cols, back, out.data, xt.grad, wt.grad
        return job

    _concurrently(make)


def test_max_pool_from_several_threads():
    from mygrad_c._pool import max_pool_backward, max_pool_forward

    def make(i):
        rng = np.random.default_rng(30 + i)
        x = rng.normal(size=(8, 1, 32, 32))
        x[0, 0, 0, :4] = np.nan
        def job():
            out, arg = max_pool_forward(x, (1, 2, 2), (1, 2, 2))
            dx = max_pool_backward(np.ones_like(out), arg, x.shape, (1, 2, 2), (1, 2, 2))
            xt = mg.tensor(x[:, 0])
            o = mg.nnet.max_pool(xt, (3, 3), 1)
            o.backward(np.ones(o.shape))
            return out, arg, dx, o.data, xt.grad
        return job

    _concurrently(make)


def test_gru_from_several_threads():
    from mygrad_c.nnet.layers import gru

    def make(i):
        rng = np.random.default_rng(40 + i)
        T, N, C, D = 12, 3, 4, 5
        X = rng.normal(size=(T, N, C))
        ws = [rng.normal(size=s) * 0.4 for s in [(C, D), (D, D), (D,)] * 3]
        def job():
            params = [mg.tensor(w) for w in ws]
            s = gru(X, *params)
            s.sum().backward()
            return (s.data,) + tuple(p.grad for p in params)
        return job

    _concurrently(make, repeats=2)
