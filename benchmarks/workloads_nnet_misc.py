"""Benchmark workloads 2 (small MLP training step) and 9 (GRU forward + backward).

``workloads(quick)`` is collected by ``benchmarks/run.py``.  Inputs are built
outside the timed functions; each function runs forward and backward once.

- 2: X (64, 64) f32 -> dense 128 + relu -> dense 10 -> softmax cross-entropy,
  backward.  The same code runs in mygrad and mygrad_c. Target <= 0.6 x PyTorch.
- 9: GRU with T=30, N=16, C=32, D=64 (float32), ``S.sum()`` backward, against
  ``torch.nn.GRU``.  MyGrad's gru needs numba (absent), so it has no MyGrad
  entry. Target <= 2 x PyTorch.
"""
from __future__ import annotations

from types import ModuleType
from typing import Callable, Optional

import numpy as np

import mygrad_c


def _mygrad() -> Optional[ModuleType]:
    try:
        import mygrad
        return mygrad
    except ImportError:  # pragma: no cover
        return None


def _torch():
    try:
        import torch
        torch.set_num_threads(2)
        return torch
    except ImportError:  # pragma: no cover
        return None


# ---------------------------------------------------------------------------
# 2: small MLP step
# ---------------------------------------------------------------------------
def _mlp_arrays(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(64, 64)).astype(np.float32)
    y = rng.integers(0, 10, size=64)
    W1 = (rng.normal(size=(64, 128)) * 0.1).astype(np.float32)
    b1 = np.zeros(128, np.float32)
    W2 = (rng.normal(size=(128, 10)) * 0.1).astype(np.float32)
    b2 = np.zeros(10, np.float32)
    return X, y, W1, b1, W2, b2


def make_mlp_step(lib: ModuleType) -> Callable[[], None]:
    """One forward + backward of the MLP, written once for mygrad and mygrad_c."""
    X, y, W1, b1, W2, b2 = _mlp_arrays()
    X = lib.tensor(X, constant=True)
    params = [lib.tensor(a) for a in (W1, b1, W2, b2)]
    relu, xent = lib.nnet.relu, lib.nnet.softmax_crossentropy

    def step() -> None:
        w1, c1, w2, c2 = params
        loss = xent(relu(X @ w1 + c1) @ w2 + c2, y)
        loss.backward()

    return step


def make_mlp_step_torch(torch) -> Callable[[], None]:
    X, y, W1, b1, W2, b2 = (torch.from_numpy(a) for a in _mlp_arrays())
    params = [p.clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
    F = torch.nn.functional

    def step() -> None:
        w1, c1, w2, c2 = params
        for p in params:
            p.grad = None
        loss = F.cross_entropy(torch.relu(X @ w1 + c1) @ w2 + c2, y)
        loss.backward()

    return step


# ---------------------------------------------------------------------------
# 9: GRU
# ---------------------------------------------------------------------------
def _gru_arrays(T=30, N=16, C=32, D=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(T, N, C)).astype(np.float32)
    params = [(rng.normal(size=s) * 0.1).astype(np.float32) for s in [(C, D), (D, D), (D,)] * 3]
    return X, params


def make_gru_step(quick: bool) -> Callable[[], None]:
    from mygrad_c.nnet.layers.gru import gru

    X, params = _gru_arrays(T=10 if quick else 30)
    X = mygrad_c.tensor(X)
    params = [mygrad_c.tensor(p) for p in params]

    def step() -> None:
        S = gru(X, *params)
        S.backward(np.ones(S.shape, dtype=S.dtype))

    return step


def make_gru_step_torch(torch, quick: bool) -> Callable[[], None]:
    X, _ = _gru_arrays(T=10 if quick else 30)
    X = torch.from_numpy(X).requires_grad_(True)
    layer = torch.nn.GRU(32, 64)

    def step() -> None:
        X.grad = None
        layer.zero_grad(set_to_none=True)
        out, _ = layer(X)
        out.sum().backward()

    return step


def workloads(quick: bool) -> list[dict]:
    mygrad, torch = _mygrad(), _torch()
    return [
        dict(id="2", name="small MLP step: (64,64) f32 -> dense 128 + relu -> dense 10 -> softmax xent",
             mygrad_c=make_mlp_step(mygrad_c),
             mygrad=make_mlp_step(mygrad) if mygrad is not None else None,
             torch=make_mlp_step_torch(torch) if torch is not None else None),
        dict(id="9", name=f"GRU T={10 if quick else 30}, N=16, C=32, D=64 f32, forward + backward",
             mygrad_c=make_gru_step(quick),
             mygrad=None,  # MyGrad's gru needs numba
             torch=make_gru_step_torch(torch, quick) if torch is not None else None,
             target="<=2x torch"),
    ]


if __name__ == "__main__":  # quick side-by-side timing: best of several repeats
    import sys
    import timeit

    for w in workloads(quick="--quick" in sys.argv):
        row = []
        for lib in ("mygrad_c", "mygrad", "torch"):
            fn = w[lib]
            if fn is None:
                row.append((lib, None))
                continue
            fn()
            n = 200
            best = min(timeit.repeat(fn, number=n, repeat=7)) / n
            row.append((lib, best))
        times = dict(row)
        print(f"[{w['id']}] {w['name']}")
        for lib, t in row:
            print(f"    {lib:9s} {'-' if t is None else f'{t * 1e6:9.1f} us'}")
        if times.get("torch"):
            print(f"    mygrad_c / torch = {times['mygrad_c'] / times['torch']:.2f}")
        if times.get("mygrad"):
            print(f"    mygrad_c / mygrad = {times['mygrad_c'] / times['mygrad']:.2f}")
