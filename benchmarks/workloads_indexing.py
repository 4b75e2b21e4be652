"""Benchmark workload 8 (advanced-index gather + backward) for ``benchmarks/run.py``.

``x[idx]`` with 10^5 random, heavily repeated row indices into a (1000, 64)
float32 tensor, summed and back-propagated: the backward pass is a scatter-add
of 10^5 gradient rows (mygrad_c: the compiled ``_indexing.scatter_add_rows``;
MyGrad: ``np.add.at``; PyTorch: ``index_select``'s backward).  Inputs are
prepared outside the timed functions.
"""
from __future__ import annotations

import numpy as np

from _libs import load


def _gather_workload(quick: bool) -> dict:
    rng = np.random.default_rng(8)
    n_idx = 10 ** 4 if quick else 10 ** 5
    x = rng.standard_normal((1000, 64)).astype(np.float32)
    idx = rng.integers(0, 1000, size=n_idx)

    def build(lib):
        L = load(lib)
        if L is None:
            return None
        if lib == "torch":
            xt = L.tensor(x, requires_grad=True)
            it = L.from_numpy(idx)

            def run():
                xt.grad = None
                L.index_select(xt, 0, it).sum().backward()
            return run
        xc = L.tensor(x)
        return lambda: xc[idx].sum().backward()

    return dict(id="8", name=f"advanced-index gather + backward: x[idx], {n_idx} repeated indices "
                             "into a (1000, 64) float32 tensor",
                build=build, target="<=1.0x torch")


def workloads(quick: bool) -> list[dict]:
    """The indexing workloads (one forward + backward pass per call)."""
    return [_gather_workload(quick)]
