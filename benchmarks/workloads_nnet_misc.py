"""Benchmark workloads 2 (small MLP training step) and 9 (GRU forward + backward).

- 2: X (64, 64) f32 -> dense 128 + relu -> dense 10 -> softmax cross-entropy,
  backward.  The same code runs in mygrad and mygrad_c. Target <= 0.6 x PyTorch.
- 9: GRU with T=30, N=16, C=32, D=64 (float32), ``S.sum()`` backward, against
  ``torch.nn.GRU``.  MyGrad's gru needs numba (absent), so it has no MyGrad
  entry. Target <= 2 x PyTorch.
"""
from __future__ import annotations

import numpy as np

from _libs import load
from workloads_training import mlp_step


def _gru_arrays(T=30, N=16, C=32, D=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(T, N, C)).astype(np.float32)
    params = [(rng.normal(size=s) * 0.1).astype(np.float32) for s in [(C, D), (D, D), (D,)] * 3]
    return X, params


def _gru(lib, quick):
    L = load(lib) if lib != "mygrad" else None  # MyGrad's gru needs numba
    if L is None:
        return None
    X, params = _gru_arrays(T=10 if quick else 30)
    if lib == "torch":
        Xt = L.from_numpy(X).requires_grad_(True)
        layer = L.nn.GRU(32, 64)

        def step():
            Xt.grad = None
            layer.zero_grad(set_to_none=True)
            out, _ = layer(Xt)
            out.sum().backward()
        return step
    from mygrad_c.nnet.layers.gru import gru

    Xc = L.tensor(X)
    ps = [L.tensor(p) for p in params]

    def step():
        S = gru(Xc, *ps)
        S.backward(np.ones(S.shape, dtype=S.dtype))
    return step


def workloads(quick: bool) -> list[dict]:
    return [
        dict(id="2", name="small MLP step: (64,64) f32 -> dense 128 + relu -> dense 10 -> softmax xent",
             build=lambda lib: mlp_step(lib, 64, (64, 128, 10)), target="<=0.6x torch"),
        dict(id="9", name=f"GRU T={10 if quick else 30}, N=16, C=32, D=64 f32, forward + backward",
             build=lambda lib: _gru(lib, quick), target="<=2x torch"),
    ]
