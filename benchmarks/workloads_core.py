"""Core engine workloads for ``benchmarks/run.py``: 1 (scalar chain), 4 (broadcast),
6 (deep chain, with a linear-growth check) and 10 (element-wise in-place updates).

Every callable runs one forward + backward pass; inputs are made inside so that each call
builds a fresh graph, exactly as a user's loop would.
"""
from __future__ import annotations

import time

import numpy as np

from _libs import load


def _chain(lib: str, n_ops: int):
    """x = x * 1.0001 + 0.1, n_ops / 2 times, on a 0-d float64 tensor; then backward."""
    m = load(lib)
    if m is None:
        return None
    steps = n_ops // 2
    if lib == "torch":
        def run():
            x = m.tensor(1.0, dtype=m.float64, requires_grad=True)
            for _ in range(steps):
                x = x * 1.0001 + 0.1
            x.backward()
        return run

    def run():
        x = m.tensor(1.0)
        for _ in range(steps):
            x = x * 1.0001 + 0.1
        x.backward()
    return run


def _scalar_chain(quick):
    n = 1000
    return dict(id="1", name="scalar chain: 0-d f64, x = x*1.0001 + 0.1 x500 (1000 ops), backward; per op",
                build=lambda lib: _chain(lib, n), per=n, target="<=0.6x torch")


def _broadcast(quick):
    m = 200 if quick else 1000
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, m))
    b = rng.standard_normal((m,))

    def build(lib):
        L = load(lib)
        if L is None:
            return None
        if lib == "torch":
            at = L.tensor(a, requires_grad=True)
            bt = L.tensor(b, requires_grad=True)

            def run():
                at.grad = None
                bt.grad = None
                (at * bt).sum().backward()
            return run
        ta, tb = L.tensor(a), L.tensor(b)
        return lambda: (ta * tb).sum().backward()

    return dict(id="4", name=f"broadcast: a({m}, {m}) f64 * b({m},), sum, backward",
                build=build, target="<=1.5x torch")


def _deep_chain(quick):
    n = 10_000 if quick else 100_000
    # the growth check runs at the full sizes in --quick mode too (about a second): below some
    # 25k ops the graph fits in the caches, and the time per op grows with the size from cache
    # misses alone (1 thread: 1.57 us/op at 2.5k ops, 1.86 at 10k, 2.23 at 25k, 2.43 at 100k,
    # the same with gc off), which made the quick run's 10k/2.5k check fail with no
    # algorithmic cause
    small, big = 25_000, 100_000

    def linear_growth():
        import gc

        def best(k):
            fn = _chain("mygrad_c", k)
            fn()
            out = float("inf")
            for _ in range(2 if quick else 3):
                gc.collect()
                t0 = time.perf_counter()
                fn()
                out = min(out, time.perf_counter() - t0)
            return out

        ratio = best(big) / best(small)
        expected = big / small
        # linear growth: the ratio is the size ratio; allow 25 % for noise
        return f"mygrad_c {big // 1000}k/{small // 1000}k ops time ratio {ratio:.2f} (linear {expected:.0f});", \
            ratio <= expected * 1.25

    return dict(id="6", name=f"deep chain: workload 1 with {n:,} ops, forward + backward, whole time",
                build=lambda lib: _chain(lib, n), target="<=0.5x torch", check=linear_growth)


def _inplace_updates(quick):
    """1,000 element updates x[i] = x[i] * 2 on a (1000,) tensor, then backward."""
    n = 1000

    def build(lib):
        L = load(lib)
        if L is None:
            return None
        if lib == "torch":
            def run():
                x0 = L.ones(n, dtype=L.float64, requires_grad=True)
                x = x0.clone()  # torch refuses in-place writes into a leaf that requires grad
                for i in range(n):
                    x[i] = x[i] * 2
                x.sum().backward()
            return run

        def run():
            x = L.tensor(np.ones(n))
            for i in range(n):
                x[i] = x[i] * 2
            x.sum().backward()
        return run

    return dict(id="10", name="1,000 in-place x[i] = x[i] * 2 on a (1000,) f64 tensor, then backward",
                build=build, target=">=10x mygrad")


def workloads(quick: bool) -> list[dict]:
    """Workloads 1, 4, 6 and 10; see BENCHMARKS.md."""
    return [make(quick) for make in (_scalar_chain, _broadcast, _deep_chain, _inplace_updates)]
