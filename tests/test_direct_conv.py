"""The direct stride-1 convolution kernels (``src/_direct_conv.h``, used by
``mygrad_c._conv`` on CPUs with AVX-512) against the im2col + BLAS path they replace:
the same numbers up to float rounding for 1-, 2- and 3-d geometries with padding,
dilation and sizes that are no multiple of the kernels' tiles; the same nan / inf
results and floating-point warnings; and conv_nd through them against MyGrad over a few
training steps."""
import warnings

import numpy as np
import pytest

import mygrad_c as mg
from mygrad_c import _conv

pytestmark = pytest.mark.skipif(not _conv.AVAILABLE, reason="the direct kernels need AVX2 or AVX-512")
ISAS = {1: "avx2", 2: "avx512"}


@pytest.fixture(autouse=True, params=[i for i in ISAS if i <= _conv.AVAILABLE], ids=lambda i: ISAS[i])
def isa(request):
    """Each test runs with the kernels of each instruction set this CPU has (an AVX-512
    CPU runs the AVX2 ones too)."""
    saved = _conv.DIRECT
    _conv.DIRECT = request.param
    yield request.param
    _conv.DIRECT = saved


@pytest.fixture
def blas(isa):
    """Run the passes through im2col + BLAS inside the block."""
    class Switch:
        def __enter__(self):
            _conv.DIRECT = 0

        def __exit__(self, *exc):
            _conv.DIRECT = isa
    return Switch()


# (x shape (N, C, S0, S1, S2), w shape (F, C, K0, K1, K2), padding, dilation)
GEOMETRIES = {
    "mnist-conv2": ((3, 32, 1, 26, 26), (32, 32, 1, 3, 3), (0, 0, 0), (1, 1, 1)),
    "mnist-conv1": ((2, 1, 1, 28, 28), (32, 1, 1, 3, 3), (0, 0, 0), (1, 1, 1)),
    "odd-sizes": ((2, 3, 1, 12, 17), (13, 3, 1, 3, 3), (0, 0, 0), (1, 1, 1)),
    "padded-dilated": ((2, 3, 1, 14, 14), (15, 3, 1, 3, 2), (0, 1, 2), (1, 2, 1)),
    "1d": ((2, 2, 1, 1, 60), (7, 2, 1, 1, 4), (0, 0, 3), (1, 1, 1)),
    "3d": ((2, 2, 6, 7, 12), (7, 2, 2, 2, 3), (1, 0, 1), (1, 2, 1)),
    "kernel-as-large-as-padding-allows": ((2, 3, 1, 8, 8), (16, 3, 1, 5, 5), (0, 2, 2), (1, 1, 1)),
}
# too small for the direct kernels (most of their work would be thrown away): BLAS
DECLINED = {"one-position": ((1, 2, 1, 3, 3), (8, 2, 1, 3, 3), (0, 0, 0), (1, 1, 1))}
ONE = (1, 1, 1)


def _passes(x, w, g, pad, dil):
    return (_conv.conv_forward(x, w, ONE, pad, dil),
            _conv.conv_grad_w(x, g, w.shape, ONE, pad, dil),
            _conv.conv_grad_x(g, w, x.shape, ONE, pad, dil))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(GEOMETRIES) + list(DECLINED))
def test_direct_passes_match_blas(name, dtype, blas):
    xs, ws, pad, dil = {**GEOMETRIES, **DECLINED}[name]
    r = np.random.default_rng(3)
    x, w = r.standard_normal(xs).astype(dtype), r.standard_normal(ws).astype(dtype)
    out_shape = _conv.conv_forward(x, w, ONE, pad, dil).shape
    g = r.standard_normal(out_shape).astype(dtype)
    # the direct kernels take each pass (they return None where they decline)
    taken = name in GEOMETRIES
    assert (_conv._direct_forward(x, w, np.empty(out_shape, dtype), dil, pad) is not None) == taken
    assert (_conv._direct_grad_w(x, g, w.shape, dil, pad, _conv.DEFAULT_CHUNK_BYTES) is not None) == taken
    direct = _passes(x, w, g, pad, dil)
    with blas:
        want = _passes(x, w, g, pad, dil)
    eps = 1e-5 if dtype == np.float32 else 1e-13
    for got, ref in zip(direct, want):
        assert got.dtype == ref.dtype and got.shape == ref.shape and got.flags.c_contiguous
        # (sums in another order: errors on the scale of the largest terms)
        np.testing.assert_allclose(got, ref, rtol=eps, atol=eps * np.abs(ref).max())


def test_direct_passes_of_non_contiguous_inputs(blas):
    r = np.random.default_rng(4)
    x = r.standard_normal((2, 3, 1, 9, 16)).astype(np.float32)[..., ::2]
    w = r.standard_normal((4, 1, 3, 3, 3)).astype(np.float32).transpose(0, 2, 1, 3, 4)
    g = r.standard_normal((2, 4, 1, 7, 6)).astype(np.float32)
    direct = _passes(x, w, g, (0, 0, 0), ONE)
    with blas:
        want = _passes(x, w, g, (0, 0, 0), ONE)
    for got, ref in zip(direct, want):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


def _same_but_rounding(got, want):
    """nan and inf exactly where BLAS has them, the finite values up to rounding (with
    several threads only the samples holding the inf/nan go through BLAS: the other half
    of the batch is summed by the direct kernel)."""
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    np.testing.assert_array_equal(got[np.isinf(got)], want[np.isinf(want)])
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-5 if got.dtype == np.float32 else 1e-12)


def test_an_infinite_input_read_only_by_thrown_away_positions_does_not_reach_dw(blas):
    # x[..., 0] is in no window of kernel column 1, but the direct kernel's wrapped
    # positions read it (times a gradient of 0): inf * 0 is nan, so the pass goes to BLAS
    x = np.random.default_rng(5).standard_normal((2, 2, 1, 6, 6)).astype(np.float32)
    x[0, 1, 0, 3, 0] = np.inf
    w_shape, g = (3, 2, 1, 3, 3), np.ones((2, 3, 1, 4, 4), np.float32)
    with np.errstate(all="ignore"):
        got = _conv.conv_grad_w(x, g, w_shape, ONE, (0, 0, 0), ONE)
        with blas:
            want = _conv.conv_grad_w(x, g, w_shape, ONE, (0, 0, 0), ONE)
    _same_but_rounding(got, want)   # (inf where the input is read, finite elsewhere)
    assert np.isfinite(got[:, :, :, :, 1:]).all() and np.isinf(got[:, 1, 0, :, 0]).any()


def test_a_nan_input_read_only_by_thrown_away_positions_does_not_reach_dw(blas):
    # the same with a nan, which raises no flag (0 * nan is nan, quietly)
    x = np.random.default_rng(5).standard_normal((2, 2, 1, 6, 6))
    x[1, 0, 0, 2, 0] = np.nan
    w_shape, g = (3, 2, 1, 3, 3), np.ones((2, 3, 1, 4, 4))
    got = _conv.conv_grad_w(x, g, w_shape, ONE, (0, 0, 0), ONE)
    with blas:
        want = _conv.conv_grad_w(x, g, w_shape, ONE, (0, 0, 0), ONE)
    _same_but_rounding(got, want)
    assert np.isfinite(got[:, :, :, :, 1:]).all() and np.isnan(got[:, 0, 0, :, 0]).any()


@pytest.mark.parametrize("which", ["forward", "grad_w", "grad_x"])
def test_floating_point_warnings_are_numpys_as_through_blas(which, blas):
    x = np.full((2, 2, 1, 5, 5), 3e38, dtype=np.float32)
    w = np.full((3, 2, 1, 3, 3), 2.0, dtype=np.float32)
    g = np.full((2, 3, 1, 3, 3), 3e38, dtype=np.float32)
    run = {"forward": lambda: _conv.conv_forward(x, w, ONE, (0, 0, 0), ONE),
           "grad_w": lambda: _conv.conv_grad_w(x, g, w.shape, ONE, (0, 0, 0), ONE),
           "grad_x": lambda: _conv.conv_grad_x(g, w, x.shape, ONE, (0, 0, 0), ONE)}[which]
    messages = []
    for mode in ("direct", "blas"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if mode == "blas":
                with blas:
                    result = run()
            else:
                result = run()
        messages.append([str(m.message) for m in caught])
        with np.errstate(over="raise"):
            with pytest.raises(FloatingPointError):
                if mode == "blas":
                    with blas:
                        run()
                else:
                    run()
        assert np.isinf(result).all()
    assert messages[0] == messages[1] and any("overflow" in m for m in messages[0])


def test_conv_nd_training_steps_through_the_direct_kernels_match_mygrad():
    # a small conv net trained for a few steps, its parameters updated in place each
    # time, compared with MyGrad after every step (values and gradients)
    mygrad = pytest.importorskip("mygrad")
    r = np.random.default_rng(6)
    x = r.standard_normal((4, 3, 12, 12)).astype(np.float32)
    w1 = (r.standard_normal((8, 3, 3, 3)) / 5).astype(np.float32)
    w2 = (r.standard_normal((5, 8, 3, 3)) / 9).astype(np.float32)
    params = {lib: [lib.tensor(w1), lib.tensor(w2)] for lib in (mg, mygrad)}
    for step in range(3):
        losses = {}
        for lib, (a, b) in params.items():
            h = lib.nnet.relu(lib.nnet.conv_nd(x, a, stride=1, padding=1))
            out = lib.nnet.conv_nd(h, b, stride=1, dilation=2)
            losses[lib] = (out ** 2).mean()
            losses[lib].backward()
        np.testing.assert_allclose(losses[mg].data, losses[mygrad].data, rtol=1e-5)
        for got, want in zip(params[mg], params[mygrad]):
            np.testing.assert_allclose(got.grad, want.grad, rtol=1e-4, atol=1e-6)
        for lib, ps in params.items():
            for p in ps:
                p.data -= 0.1 * p.grad


def test_the_direct_kernels_decline_where_blas_is_faster(blas):
    # d/dw with sums larger than the L2 cache (64 filters of 64x3x3: 2.4 MB) goes to BLAS,
    # and so does a convolution with few filter rows (1 channel, 3x3) - with the same numbers
    r = np.random.default_rng(7)
    x = r.standard_normal((2, 64, 1, 8, 8)).astype(np.float32)
    g = r.standard_normal((2, 64, 1, 6, 6)).astype(np.float32)
    w_shape = (64, 64, 1, 3, 3)
    assert _conv._direct_grad_w(x, g, w_shape, ONE, (0, 0, 0), _conv.DEFAULT_CHUNK_BYTES) is None
    got = _conv.conv_grad_w(x, g, w_shape, ONE, (0, 0, 0), ONE)
    with blas:
        np.testing.assert_array_equal(got, _conv.conv_grad_w(x, g, w_shape, ONE, (0, 0, 0), ONE))
    assert _conv._MIN_ROWS > 9
