"""Benchmark workload 8 (advanced-index gather + backward) for ``benchmarks/run.py``.

``x[idx]`` with 10^5 random, heavily repeated row indices into a (1000, 64)
float32 tensor, summed and back-propagated: the backward pass is a scatter-add
of 10^5 gradient rows (mygrad_c: the compiled ``_indexing.scatter_add_rows``;
MyGrad: ``np.add.at``; PyTorch: ``index_select``'s backward).  Inputs are
prepared outside the timed functions.  Run this file for a quick timing.
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


def _gather_workload(quick: bool) -> dict:
    import mygrad

    import mygrad_c

    rng = np.random.default_rng(8)
    n_idx = 10 ** 4 if quick else 10 ** 5
    x = rng.standard_normal((1000, 64)).astype(np.float32)
    idx = rng.integers(0, 1000, size=n_idx)
    xc, xr = mygrad_c.tensor(x), mygrad.tensor(x)

    def run_c():
        xc[idx].sum().backward()

    def run_ref():
        xr[idx].sum().backward()

    run_torch = None
    torch = _torch()
    if torch is not None:
        xt = torch.tensor(x, requires_grad=True)
        it = torch.from_numpy(idx)

        def run_torch():
            xt.grad = None
            torch.index_select(xt, 0, it).sum().backward()

    return dict(id="8", name=f"advanced-index gather + backward: x[idx], {n_idx} repeated indices "
                             "into a (1000, 64) float32 tensor",
                mygrad_c=run_c, mygrad=run_ref, torch=run_torch, target="<=1.0x torch")


def workloads(quick: bool) -> list[dict]:
    """The indexing workloads (one forward + backward pass per call)."""
    return [_gather_workload(quick)]


if __name__ == "__main__":  # pragma: no cover - manual timing
    import timeit

    for w in workloads(quick=False):
        print(w["id"], w["name"])
        for lib in ("mygrad_c", "mygrad", "torch"):
            fn = w[lib]
            if fn is None:
                continue
            fn()
            reps = 3 if lib == "mygrad" else 20
            t = min(timeit.repeat(fn, number=1, repeat=reps))
            print(f"  {lib:9s} {t * 1e3:8.2f} ms")
