"""Benchmark workload 15: Hessian-vector product of the MNIST MLP loss.

``workloads(quick)`` is collected by ``benchmarks/run.py``.  The MLP is
784-256-256-10 with relu, softmax cross-entropy, batch 128, float32; one call
computes ``H v`` for the weights and biases (``mygrad_c.hvp`` against
``torch.autograd.functional.hvp``).  MyGrad has no second derivatives.
Target <= 1.5 x PyTorch.
"""
from __future__ import annotations

import numpy as np

from _libs import load


def _arrays(quick: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    sizes = (784, 256, 256, 10)
    n = 32 if quick else 128
    X = rng.normal(size=(n, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], size=n)
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params.append((rng.normal(size=(a, b)) / np.sqrt(a)).astype(np.float32))
        params.append((rng.normal(size=b) * 0.1).astype(np.float32))
    vs = tuple(rng.normal(size=p.shape).astype(np.float32) for p in params)
    return X, y, tuple(params), vs


def make_mygrad_c(quick: bool):
    mg = load("mygrad_c")
    X, y, params, vs = _arrays(quick)
    X = mg.tensor(X, constant=True)
    relu, xent = mg.nnet.relu, mg.nnet.softmax_crossentropy

    def loss(W1, b1, W2, b2, W3, b3):
        h = relu(X @ W1 + b1)
        h = relu(h @ W2 + b2)
        return xent(h @ W3 + b3, y)

    def run():
        return mg.hvp(loss, params, vs)

    return run


def make_torch(quick: bool):
    torch = load("torch")
    if torch is None:
        return None
    X, y, params, vs = _arrays(quick)
    X, y = torch.tensor(X), torch.tensor(y)
    params = tuple(torch.tensor(p) for p in params)
    vs = tuple(torch.tensor(v) for v in vs)
    F = torch.nn.functional

    def loss(W1, b1, W2, b2, W3, b3):
        h = torch.relu(X @ W1 + b1)
        h = torch.relu(h @ W2 + b2)
        return F.cross_entropy(h @ W3 + b3, y)

    def run():
        return torch.autograd.functional.hvp(loss, params, vs)

    return run


def _check(quick: bool):
    """mygrad_c's H v agrees with PyTorch's (float32 tolerance)."""
    def check():
        torch_run = make_torch(quick)
        if torch_run is None:
            return "no torch to compare with", True
        ours = make_mygrad_c(quick)()
        _, theirs = torch_run()
        err = max(float(np.max(np.abs(o.data - t.numpy())) / (np.max(np.abs(t.numpy())) + 1e-30))
                  for o, t in zip(ours, theirs))
        return f"max rel. diff vs torch {err:.1e}", err < 1e-3

    return check


def workloads(quick: bool) -> list:
    n = 32 if quick else 128
    builders = {"mygrad_c": make_mygrad_c, "torch": make_torch}

    def build(lib):   # (MyGrad has no second derivatives)
        return builders[lib](quick) if lib in builders else None

    return [dict(id="15", name=f"hvp: MNIST MLP 784-256-256-10 relu, softmax xent, batch {n} f32, H v",
                 build=build, target="<=1.5x torch", check=_check(quick))]


if __name__ == "__main__":  # pragma: no cover
    import timeit

    for w in workloads(quick=False):
        print(f"[{w['id']}] {w['name']}")
        for lib in ("mygrad_c", "torch"):
            fn = w["build"](lib)
            if fn is None:
                continue
            fn()
            t = min(timeit.repeat(fn, number=3, repeat=5)) / 3
            print(f"    {lib:9s} {t * 1e3:8.2f} ms")
        print("   ", w["check"]())
