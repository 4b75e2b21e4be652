"""Benchmark workloads 3 (conv_nd) and 5 (max_pool) for ``benchmarks/run.py``.

Each workload is one forward + backward pass, with the same float32 inputs in
mygrad_c, MyGrad and PyTorch; inputs are prepared outside the timed functions.
"""
from __future__ import annotations

import numpy as np

from _libs import load


def _conv_workload(quick: bool) -> dict:
    rng = np.random.default_rng(0)
    shape = (8, 3, 16, 16) if quick else (32, 3, 32, 32)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((16, 3, 3, 3)).astype(np.float32)

    def build(lib):
        L = load(lib)
        if L is None:
            return None
        if lib == "torch":
            xt = L.tensor(x, requires_grad=True)
            wt = L.tensor(w, requires_grad=True)

            def run():
                xt.grad = wt.grad = None
                L.nn.functional.conv2d(xt, wt, stride=1).sum().backward()
            return run
        xc, wc = L.tensor(x), L.tensor(w)
        return lambda: L.nnet.layers.conv_nd(xc, wc, stride=1).sum().backward()

    return dict(id="3", name=f"conv_nd x{shape} f32, w(16, 3, 3, 3), stride 1, sum, backward",
                build=build, target="<=1.5x torch", memory=True, memory_target="<=1x mygrad")


def _pool_workload(quick: bool) -> dict:
    rng = np.random.default_rng(1)
    shape = (8, 16, 16, 16) if quick else (32, 16, 32, 32)
    x = rng.standard_normal(shape).astype(np.float32)

    def build(lib):
        L = load(lib)
        if L is None:
            return None
        if lib == "torch":
            xt = L.tensor(x, requires_grad=True)

            def run():
                xt.grad = None
                L.nn.functional.max_pool2d(xt, 2, 2).sum().backward()
            return run
        xc = L.tensor(x)
        return lambda: L.nnet.layers.max_pool(xc, (2, 2), 2).sum().backward()

    return dict(id="5", name=f"max_pool x{shape} f32, window 2x2, stride 2, sum, backward",
                build=build, target="<=1.5x torch", memory=True, memory_target="<=1x mygrad")


def workloads(quick: bool) -> list[dict]:
    """The nnet-layer workloads: dicts with id, name and ``build(lib)``."""
    return [_conv_workload(quick), _pool_workload(quick)]
