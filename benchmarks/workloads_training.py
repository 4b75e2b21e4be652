"""Training-size workloads 11-14 for ``benchmarks/run.py`` (and the MLP step of row 2).

- 11: MNIST-shaped CNN step: x (64, 1, 28, 28) f32 -> conv 32 3x3 + bias (1, 32, 1, 1)
  -> relu -> conv 32 3x3 + bias -> relu -> max_pool 2x2 -> reshape (64, 4608) @ (4608, 10)
  -> softmax cross-entropy, backward.
- 12: a training loop reusing views: W (256, 256) f32, b (256,) f32; 200 times
  ``bb = b.reshape(1, 256); ((W[:64] * 2 + bb) ** 2).mean().backward()``.
- 13: MNIST-shaped MLP step: (128, 784) f32 -> dense 256 + relu -> dense 256 + relu ->
  dense 10 -> softmax cross-entropy, backward.
- 14: CIFAR-shaped CNN step: x (32, 3, 32, 32) f32 -> conv 64 3x3 pad 1 -> relu ->
  max_pool 2 -> conv 64 3x3 pad 1 -> relu -> max_pool 2 -> dense 10 -> softmax
  cross-entropy, backward.

The same code runs in MyGrad and mygrad_c (only the module differs); PyTorch runs the
same graph with ``torch.nn.functional`` and sets the parameters' gradients to None
before each step (as ``optimizer.zero_grad()`` does), so that every library computes
fresh gradients.  The data are constants, the labels int64.
"""
from __future__ import annotations

import numpy as np

from _libs import load


def _params(rng, shapes, scales):
    return [(rng.standard_normal(s) * sc).astype(np.float32) for s, sc in zip(shapes, scales)]


def _build(lib, x, y, params, forward_mygrad, forward_torch):
    """A step function for ``lib``: the loss of ``forward(lib, X, *params)`` and its backward pass."""
    L = load(lib)
    if L is None:
        return None
    if lib == "torch":
        X, Y = L.from_numpy(x), L.from_numpy(y)
        ps = [L.from_numpy(p.copy()).requires_grad_(True) for p in params]
        F = L.nn.functional

        def step():
            for p in ps:
                p.grad = None
            F.cross_entropy(forward_torch(L, X, *ps), Y).backward()
        return step
    X = L.tensor(x, constant=True)
    ps = [L.tensor(p) for p in params]
    xent = L.nnet.softmax_crossentropy

    def step():
        xent(forward_mygrad(L, X, *ps), y).backward()
    return step


# ---------------------------------------------------------------------------
# 11: MNIST-shaped CNN
# ---------------------------------------------------------------------------
def _mnist_cnn(quick):
    N = 16 if quick else 64
    rng = np.random.default_rng(11)
    x = rng.standard_normal((N, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, size=N)
    params = _params(rng, [(32, 1, 3, 3), (1, 32, 1, 1), (32, 32, 3, 3), (1, 32, 1, 1), (4608, 10)],
                     [1 / 3, 0.1, 1 / 17, 0.1, 1 / 68])

    def forward(L, X, w1, b1, w2, b2, w3):
        conv, relu, pool = L.nnet.conv_nd, L.nnet.relu, L.nnet.max_pool
        h = relu(conv(X, w1, stride=1) + b1)
        h = relu(conv(h, w2, stride=1) + b2)
        return pool(h, (2, 2), 2).reshape(N, 4608) @ w3

    def forward_torch(L, X, w1, b1, w2, b2, w3):
        F = L.nn.functional
        h = L.relu(F.conv2d(X, w1) + b1)
        h = L.relu(F.conv2d(h, w2) + b2)
        return F.max_pool2d(h, 2, 2).reshape(N, 4608) @ w3

    return dict(id="11", name=f"MNIST CNN step: x({N},1,28,28) f32, conv 32 3x3 + bias, relu, conv 32 3x3 "
                              "+ bias, relu, max_pool 2x2, dense 10, softmax xent",
                build=lambda lib: _build(lib, x, y, params, forward, forward_torch),
                target="<=1.0x torch; >=5x mygrad", memory=True, memory_target="<=1.2x torch")


# ---------------------------------------------------------------------------
# 12: a training loop that takes views of its parameters
# ---------------------------------------------------------------------------
def _views_loop(quick):
    reps = 20 if quick else 200
    rng = np.random.default_rng(12)
    w = rng.standard_normal((256, 256)).astype(np.float32)
    b = rng.standard_normal(256).astype(np.float32)

    def build(lib):
        L = load(lib)
        if L is None:
            return None
        if lib == "torch":
            W = L.from_numpy(w.copy()).requires_grad_(True)
            B = L.from_numpy(b.copy()).requires_grad_(True)

            def run():
                for _ in range(reps):
                    W.grad = B.grad = None
                    bb = B.reshape(1, 256)
                    ((W[:64] * 2 + bb) ** 2).mean().backward()
            return run
        W, B = L.tensor(w), L.tensor(b)

        def run():
            for _ in range(reps):
                bb = B.reshape(1, 256)
                ((W[:64] * 2 + bb) ** 2).mean().backward()
        return run

    return dict(id="12", name=f"training loop reusing views: {reps}x bb = b.reshape(1, 256); "
                              "((W[:64] * 2 + bb) ** 2).mean().backward(), W (256,256) f32",
                build=build, target="<=0.5x torch; >=5x mygrad")


# ---------------------------------------------------------------------------
# 13 (and 2): MLP steps
# ---------------------------------------------------------------------------
def mlp_step(lib, batch, sizes, seed=0):
    """One step of an MLP with ``sizes`` = (inputs, hidden..., outputs): dense + relu layers,
    a last dense layer, softmax cross-entropy, backward."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], size=batch)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params += [(rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32),
                   np.zeros(fan_out, np.float32)]

    def forward(L, X, *ps):
        relu = L.nnet.relu if hasattr(L, "nnet") else L.relu
        h = X
        for i in range(0, len(ps) - 2, 2):
            h = relu(h @ ps[i] + ps[i + 1])
        return h @ ps[-2] + ps[-1]

    return _build(lib, x, y, params, forward, forward)


def _mnist_mlp(quick):
    return dict(id="13", name="MNIST MLP step: (128, 784) f32, dense 256 + relu, dense 256 + relu, dense 10, "
                              "softmax xent",
                build=lambda lib: mlp_step(lib, 128, (784, 256, 256, 10)), target="<=1.0x torch")


# ---------------------------------------------------------------------------
# 14: CIFAR-shaped CNN
# ---------------------------------------------------------------------------
def _cifar_cnn(quick):
    N = 8 if quick else 32
    rng = np.random.default_rng(14)
    x = rng.standard_normal((N, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, size=N)
    params = _params(rng, [(64, 3, 3, 3), (64, 64, 3, 3), (4096, 10), (10,)],
                     [1 / 5, 1 / 24, 1 / 64, 0.0])

    def forward(L, X, w1, w2, w3, b3):
        conv, relu, pool = L.nnet.conv_nd, L.nnet.relu, L.nnet.max_pool
        h = pool(relu(conv(X, w1, stride=1, padding=1)), (2, 2), 2)
        h = pool(relu(conv(h, w2, stride=1, padding=1)), (2, 2), 2)
        return h.reshape(N, 4096) @ w3 + b3

    def forward_torch(L, X, w1, w2, w3, b3):
        F = L.nn.functional
        h = F.max_pool2d(L.relu(F.conv2d(X, w1, padding=1)), 2, 2)
        h = F.max_pool2d(L.relu(F.conv2d(h, w2, padding=1)), 2, 2)
        return h.reshape(N, 4096) @ w3 + b3

    return dict(id="14", name=f"CIFAR CNN step: x({N},3,32,32) f32, conv 64 3x3 pad 1, relu, max_pool 2, "
                              "conv 64 3x3 pad 1, relu, max_pool 2, dense 10, softmax xent",
                build=lambda lib: _build(lib, x, y, params, forward, forward_torch),
                target="<=1.0x torch; >=5x mygrad", memory=True, memory_target="<=1.2x torch")


def workloads(quick: bool) -> list[dict]:
    """Workloads 11-14 (``quick``: smaller batches and loops)."""
    return [_mnist_cnn(quick), _views_loop(quick), _mnist_mlp(quick), _cifar_cnn(quick)]
