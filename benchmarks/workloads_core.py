"""Core engine workloads for ``benchmarks/run.py``: 1 (scalar chain), 4 (broadcast),
6 (deep chain, with a linear-growth check) and 10 (issue 4: element-wise in-place updates).

Every callable runs one forward + backward pass; inputs are made inside so that each call
builds a fresh graph, exactly as a user's loop would.
"""
from __future__ import annotations

import time

import numpy as np


def _torch():
    try:
        import torch
    except Exception:  # noqa: BLE001
        return None
    torch.set_num_threads(2)
    return torch


def _chain_fns(n_ops):
    """x = x * 1.0001 + 0.1, n_ops / 2 times, on a 0-d float64 tensor; then backward."""
    import mygrad

    import mygrad_c

    steps = n_ops // 2

    def make(lib):
        def run():
            x0 = lib.tensor(1.0)
            x = x0
            for _ in range(steps):
                x = x * 1.0001 + 0.1
            x.backward()
        return run

    run_torch = None
    torch = _torch()
    if torch is not None:
        def run_torch():
            x0 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
            x = x0
            for _ in range(steps):
                x = x * 1.0001 + 0.1
            x.backward()
    return make(mygrad_c), make(mygrad), run_torch


def _scalar_chain(quick):
    n = 1000
    c, r, t = _chain_fns(n)
    return dict(id="1", name="scalar chain: 0-d f64, x = x*1.0001 + 0.1 x500 (1000 ops), backward; per op",
                mygrad_c=c, mygrad=r, torch=t, per=n, target="<=0.6x torch")


def _broadcast(quick):
    import mygrad

    import mygrad_c

    m = 200 if quick else 1000
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, m))
    b = rng.standard_normal((m,))
    ac, bc = mygrad_c.tensor(a), mygrad_c.tensor(b)
    ar, br = mygrad.tensor(a), mygrad.tensor(b)

    def run_c():
        (ac * bc).sum().backward()

    def run_ref():
        (ar * br).sum().backward()

    run_torch = None
    torch = _torch()
    if torch is not None:
        at = torch.tensor(a, requires_grad=True)
        bt = torch.tensor(b, requires_grad=True)

        def run_torch():
            at.grad = None
            bt.grad = None
            (at * bt).sum().backward()

    return dict(id="4", name=f"broadcast: a({m}, {m}) f64 * b({m},), sum, backward",
                mygrad_c=run_c, mygrad=run_ref, torch=run_torch, target="<=1.5x torch")


def _deep_chain(quick):
    n = 10_000 if quick else 100_000
    c, r, t = _chain_fns(n)
    small, big = (2_500, 10_000) if quick else (25_000, 100_000)

    def linear_growth():
        import gc

        def best(k):
            fn = _chain_fns(k)[0]
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
                mygrad_c=c, mygrad=r, torch=t, target="<=0.5x torch", check=linear_growth,
                repeats=2 if quick else 3)


def _inplace_updates(quick):
    """Issue 4: 1,000 element updates x[i] = x[i] * 2 on a (1000,) tensor, then backward."""
    import mygrad

    import mygrad_c

    n = 1000

    def make(lib):
        def run():
            x = lib.tensor(np.ones(n))
            for i in range(n):
                x[i] = x[i] * 2
            x.sum().backward()
        return run

    run_torch = None
    torch = _torch()
    if torch is not None:
        def run_torch():
            x0 = torch.ones(n, dtype=torch.float64, requires_grad=True)
            x = x0.clone()  # torch refuses in-place writes into a leaf that requires grad
            for i in range(n):
                x[i] = x[i] * 2
            x.sum().backward()

    return dict(id="10", name="issue 4: 1,000 in-place x[i] = x[i] * 2 on a (1000,) f64 tensor, then backward",
                mygrad_c=make(mygrad_c), mygrad=make(mygrad), torch=run_torch, target=">=10x mygrad")


def workloads(quick: bool) -> list[dict]:
    """Workloads 1, 4, 6 and the issue-4 in-place row (10); see BENCHMARKS.md."""
    out = []
    for make in (_scalar_chain, _broadcast, _deep_chain, _inplace_updates):
        try:
            out.append(make(quick))
        except Exception as e:  # noqa: BLE001 - reported as a row by run.py
            out.append(dict(id=make.__name__.strip("_"), name=make.__name__.strip("_"),
                            error=f"{type(e).__name__}: {e}"))
    return out
