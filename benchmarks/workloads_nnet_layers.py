"""Benchmark workloads 3 (conv_nd) and 5 (max_pool) for ``benchmarks/run.py``.

Each workload is one forward + backward pass, with the same float32 inputs in
mygrad_c, MyGrad and (when importable) PyTorch; inputs are prepared outside the
timed functions.  Run this file directly for a quick side-by-side timing.
"""
from __future__ import annotations

import numpy as np


def _torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    return torch


def _conv_workload(quick: bool) -> dict:
    import mygrad

    import mygrad_c

    rng = np.random.default_rng(0)
    shape = (8, 3, 16, 16) if quick else (32, 3, 32, 32)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((16, 3, 3, 3)).astype(np.float32)
    xc, wc = mygrad_c.tensor(x), mygrad_c.tensor(w)
    xr, wr = mygrad.tensor(x), mygrad.tensor(w)

    def run_c():
        mygrad_c.nnet.layers.conv_nd(xc, wc, stride=1).sum().backward()

    def run_ref():
        mygrad.nnet.layers.conv_nd(xr, wr, stride=1).sum().backward()

    run_torch = None
    torch = _torch()
    if torch is not None:
        xt = torch.tensor(x, requires_grad=True)
        wt = torch.tensor(w, requires_grad=True)

        def run_torch():
            torch.nn.functional.conv2d(xt, wt, stride=1).sum().backward()

    return dict(id="3", name=f"conv_nd x{shape} f32, w(16, 3, 3, 3), stride 1, sum, backward",
                mygrad_c=run_c, mygrad=run_ref, torch=run_torch, memory=True)


def _pool_workload(quick: bool) -> dict:
    import mygrad

    import mygrad_c

    rng = np.random.default_rng(1)
    shape = (8, 16, 16, 16) if quick else (32, 16, 32, 32)
    x = rng.standard_normal(shape).astype(np.float32)
    xc, xr = mygrad_c.tensor(x), mygrad.tensor(x)

    def run_c():
        mygrad_c.nnet.layers.max_pool(xc, (2, 2), 2).sum().backward()

    def run_ref():
        mygrad.nnet.layers.max_pool(xr, (2, 2), 2).sum().backward()

    run_torch = None
    torch = _torch()
    if torch is not None:
        xt = torch.tensor(x, requires_grad=True)

        def run_torch():
            torch.nn.functional.max_pool2d(xt, 2, 2).sum().backward()

    return dict(id="5", name=f"max_pool x{shape} f32, window 2x2, stride 2, sum, backward",
                mygrad_c=run_c, mygrad=run_ref, torch=run_torch, memory=True)


def workloads(quick: bool) -> list[dict]:
    """The nnet-layer workloads: dicts with id, name and no-argument callables per library."""
    return [_conv_workload(quick), _pool_workload(quick)]


if __name__ == "__main__":  # a quick look without the shared runner
    import sys
    import time
    import tracemalloc

    def best(fn, repeat=30):
        fn()
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    def peak(fn):
        tracemalloc.start()
        fn()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    for wl in workloads(quick="--quick" in sys.argv):
        t = {k: best(wl[k]) for k in ("mygrad_c", "mygrad", "torch") if wl[k] is not None}
        line = f"[{wl['id']}] {wl['name']}\n    " + "  ".join(f"{k} {v * 1e3:.3f} ms" for k, v in t.items())
        line += f"\n    mygrad_c/mygrad {t['mygrad_c'] / t['mygrad']:.3f}"
        if "torch" in t:
            line += f"  mygrad_c/torch {t['mygrad_c'] / t['torch']:.3f}"
        line += (f"\n    peak memory: mygrad_c {peak(wl['mygrad_c']) / 1e6:.2f} MB, "
                 f"mygrad {peak(wl['mygrad']) / 1e6:.2f} MB")
        print(line)
