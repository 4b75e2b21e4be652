"""GRU layer: a plain-NumPy reference of the recurrence (forward and truncated BPTT),
numerical derivatives, dropout masks as MyGrad draws them, and the kernel's input checks."""
from __future__ import annotations

import gc

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose

import mygrad_c as mg
from helpers import numerical_grad
from mygrad_c import _gru
from mygrad_c.nnet.layers.gru import gru

NAMES = ["X", "Uz", "Wz", "bz", "Ur", "Wr", "br", "Uh", "Wh", "bh"]


def sig(x):
    return 0.5 * (1 + np.tanh(0.5 * x))

def gru_ref(X, Uz, Wz, bz, Ur, Wr, br, Uh, Wh, bh, s0=None, bp_lim=None, masks=None, grad=None):
    """Plain NumPy GRU forward and truncated-BPTT backward. masks: (mUz,mUr,mUh,mWz,mWr,mWh) or None"""
    T, N, C = X.shape
    D = Uz.shape[1]
    if masks is not None:
        mUz, mUr, mUh, mWz, mWr, mWh = masks
        Wz, Wr, Wh = Wz * mWz, Wr * mWr, Wh * mWh
    else:
        mUz = mUr = mUh = 1.0
    s = np.zeros((T + 1, N, D))
    if s0 is not None:
        s[0] = s0
    z = np.zeros((T, N, D)); r = np.zeros((T, N, D)); h = np.zeros((T, N, D))
    for t in range(T):
        z[t] = sig(mUz * (X[t] @ Uz) + s[t] @ Wz + bz)
        r[t] = sig(mUr * (X[t] @ Ur) + s[t] @ Wr + br)
        h[t] = np.tanh(mUh * (X[t] @ Uh) + (r[t] * s[t]) @ Wh + bh)
        s[t + 1] = (1 - z[t]) * h[t] + z[t] * s[t]
    if grad is None:
        return s
    G = np.array(grad[1:], dtype=float)

    def local(t, dS):
        # t: step index (0..T-1) producing s[t+1]; returns (daz, dar, dah, ds_prev)
        sp = s[t]
        dh = dS * (1 - z[t]); dz = dS * (sp - h[t]); dsp = dS * z[t]
        dah = dh * (1 - h[t] ** 2)
        drs = dah @ Wh.T
        dr = drs * sp; dsp = dsp + drs * r[t]
        dar = dr * r[t] * (1 - r[t]); daz = dz * z[t] * (1 - z[t])
        dsp = dsp + dar @ Wr.T + daz @ Wz.T
        return daz, dar, dah, dsp

    k = T - 1 if bp_lim is None else bp_lim
    Dtot = G.copy()
    level = G.copy()
    for _ in range(min(k, T - 1)):
        new = np.zeros_like(level)
        for t in range(1, T):
            new[t - 1] = local(t, level[t])[3]
        Dtot += new
        level = new
    out = {n: 0.0 for n in ["X", "Uz", "Wz", "bz", "Ur", "Wr", "br", "Uh", "Wh", "bh"]}
    dX = np.zeros_like(X, dtype=float)
    for t in range(T):
        daz, dar, dah, _ = local(t, Dtot[t])
        sp = s[t]
        out["Wz"] = out["Wz"] + sp.T @ daz; out["Wr"] = out["Wr"] + sp.T @ dar
        out["Wh"] = out["Wh"] + (r[t] * sp).T @ dah
        out["bz"] = out["bz"] + daz.sum(0); out["br"] = out["br"] + dar.sum(0); out["bh"] = out["bh"] + dah.sum(0)
        daz, dar, dah = daz * mUz, dar * mUr, dah * mUh
        out["Uz"] = out["Uz"] + X[t].T @ daz; out["Ur"] = out["Ur"] + X[t].T @ dar; out["Uh"] = out["Uh"] + X[t].T @ dah
        dX[t] = daz @ Uz.T + dar @ Ur.T + dah @ Uh.T
    out["X"] = dX
    if masks is not None:
        out["Wz"] = out["Wz"] * mWz; out["Wr"] = out["Wr"] * mWr; out["Wh"] = out["Wh"] * mWh
    return s, out


def make_inputs(rng, T, N, C, D, dtype=np.float64, scale=0.7):
    return [rng.normal(size=(T, N, C)).astype(dtype)] + [
        (rng.normal(size=s) * scale).astype(dtype) for s in [(C, D), (D, D), (D,)] * 3]


def draw_masks(seed, N, D, dropout):
    """The masks MyGrad's gru draws: binomial(1, 1 - p) / (1 - p) for Uz, Ur, Uh, Wz, Wr, Wh."""
    np.random.seed(seed)
    p = 1 - dropout
    return [np.random.binomial(1, p, size=s) / p for s in [(1, N, D)] * 3 + [(D, D)] * 3]


@given(T=st.integers(1, 5), N=st.integers(1, 3), C=st.integers(1, 3), D=st.integers(1, 4),
       data=st.data())
def test_matches_numpy_reference(T, N, C, D, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    arrays = make_inputs(rng, T, N, C, D)
    s0 = rng.normal(size=(N, D)) if data.draw(st.booleans()) else None
    bp_lim = data.draw(st.one_of(st.none(), st.integers(0, T - 1)))
    dropout = data.draw(st.sampled_from([0.0, 0.0, 0.3]))
    masks = None
    if dropout:
        seed = data.draw(st.integers(0, 1000))
        m = draw_masks(seed, N, D, dropout)
        masks = [m[0][0], m[1][0], m[2][0]] + m[3:]
        np.random.seed(seed)
    tensors = [mg.tensor(a) for a in arrays]
    S = gru(*tensors, s0=s0, bp_lim=bp_lim, dropout=dropout)
    G = rng.normal(size=S.shape)
    S.backward(G)
    s_ref, grads = gru_ref(*arrays, s0=s0, bp_lim=bp_lim, masks=masks, grad=G)
    assert S.shape == (T + 1, N, D) and S.dtype == np.float64 and not S.constant
    assert_allclose(S.data, s_ref, rtol=1e-10, atol=1e-12)
    for name, t in zip(NAMES, tensors):
        assert t.grad.shape == t.shape
        assert_allclose(t.grad, grads[name], rtol=1e-8, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("bp_lim", [None, 1])
def test_numerical_derivatives(bp_lim):
    rng = np.random.default_rng(0)
    T, N, C, D = 4, 2, 3, 3
    arrays = make_inputs(rng, T, N, C, D)
    s0 = rng.normal(size=(N, D))
    G = rng.normal(size=(T + 1, N, D))
    tensors = [mg.tensor(a) for a in arrays]
    gru(*tensors, s0=s0, bp_lim=bp_lim).backward(G)
    if bp_lim is None:  # full BPTT is the true derivative
        expected = numerical_grad(lambda *xs: gru_ref(*xs, s0=s0), *arrays, weights=G)
        for name, t, e in zip(NAMES, tensors, expected):
            assert_allclose(t.grad, e, rtol=1e-5, atol=1e-7, err_msg=name)
    else:  # truncated BPTT differs from it, but the reference checks the truncation
        _, grads = gru_ref(*arrays, s0=s0, bp_lim=bp_lim, grad=G)
        full = gru_ref(*arrays, s0=s0, grad=G)[1]
        assert not np.allclose(grads["Wz"], full["Wz"])
        for name, t in zip(NAMES, tensors):
            assert_allclose(t.grad, grads[name], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("dtype, tol", [(np.float16, 2e-2), (np.float32, 1e-4), (np.float64, 1e-10)])
def test_dtypes(dtype, tol):
    rng = np.random.default_rng(1)
    arrays = make_inputs(rng, 6, 3, 4, 5, dtype=dtype)
    tensors = [mg.tensor(a) for a in arrays]
    S = gru(*tensors)
    assert S.dtype == dtype
    S.backward(np.ones(S.shape, dtype=dtype))
    s_ref, grads = gru_ref(*[a.astype(np.float64) for a in arrays], grad=np.ones(S.shape))
    assert_allclose(S.data.astype(np.float64), s_ref, rtol=tol, atol=tol)
    for name, t in zip(NAMES, tensors):
        assert t.grad.dtype == dtype
        assert_allclose(t.grad.astype(np.float64), grads[name], rtol=tol * 10, atol=tol * 10)


def test_mixed_dtypes_promote_and_s0_is_cast():
    rng = np.random.default_rng(2)
    arrays = make_inputs(rng, 3, 2, 2, 3, dtype=np.float32)
    arrays[1] = arrays[1].astype(np.float64)
    assert gru(*arrays).dtype == np.float64
    arrays[1] = arrays[1].astype(np.float32)
    assert gru(*arrays, s0=np.ones((2, 3))).dtype == np.float32


def test_non_contiguous_inputs():
    rng = np.random.default_rng(3)
    arrays = make_inputs(rng, 4, 3, 2, 3)
    strided = [np.asfortranarray(a) if a.ndim > 1 else np.repeat(a, 2)[::2] for a in arrays]
    strided[0] = np.swapaxes(np.ascontiguousarray(np.swapaxes(arrays[0], 0, 1)), 0, 1)
    t1 = [mg.tensor(a) for a in arrays]
    t2 = [mg.tensor(a, copy=False) for a in strided]
    S1, S2 = gru(*t1), gru(*t2)
    assert_allclose(S1.data, S2.data)
    S1.sum().backward() if hasattr(S1, "sum") else S1.backward()
    S2.sum().backward() if hasattr(S2, "sum") else S2.backward()
    for a, b in zip(t1, t2):
        assert_allclose(a.grad, b.grad)


def test_constant_flags_and_no_grad_for_constants():
    rng = np.random.default_rng(4)
    arrays = make_inputs(rng, 3, 2, 2, 3)
    assert gru(*arrays).constant  # all constants
    assert gru(*[mg.tensor(a) for a in arrays], constant=True).constant
    X = mg.tensor(arrays[0])
    params = [mg.tensor(a, constant=True) for a in arrays[1:]]
    S = gru(X, *params)
    assert not S.constant
    S.backward()
    assert X.grad is not None and all(p.grad is None for p in params)
    X = mg.tensor(arrays[0], constant=True)
    params = [mg.tensor(a) for a in arrays[1:]]
    gru(X, *params).backward()
    assert X.grad is None and all(p.grad is not None for p in params)


def test_s0_seeds_the_state_and_must_be_constant():
    rng = np.random.default_rng(5)
    arrays = make_inputs(rng, 2, 2, 2, 3)
    s0 = rng.normal(size=(2, 3))
    assert_allclose(gru(*arrays, s0=s0).data[0], s0)
    assert_allclose(gru(*arrays, s0=mg.tensor(s0, constant=True)).data[0], s0)
    with pytest.raises(ValueError):
        gru(*arrays, s0=mg.tensor(s0))
    with pytest.raises(ValueError):
        gru(*arrays, s0=np.ones((3, 3)))


@pytest.mark.parametrize("kwargs", [dict(dropout=1.0), dict(dropout=-0.1), dict(bp_lim=-1),
                                    dict(bp_lim=3), dict(bp_lim=1.5)])
def test_invalid_arguments_raise_like_mygrad(kwargs):
    arrays = make_inputs(np.random.default_rng(6), 3, 2, 2, 3)
    with pytest.raises(AssertionError):
        gru(*arrays, **kwargs)


@pytest.mark.parametrize("index, shape", [(0, (3, 2)), (1, (3, 3)), (2, (3, 2)), (3, (2,)), (9, (3, 1))])
def test_shape_mismatch_raises(index, shape):
    arrays = make_inputs(np.random.default_rng(7), 3, 2, 2, 3)
    arrays[index] = np.ones(shape)
    with pytest.raises(ValueError):
        gru(*arrays)


def test_kernel_rejects_bad_buffers():
    T, N, D = 2, 3, 4
    f = np.float64
    s = np.zeros((T + 1, N, D))
    z, r, h, rs = (np.zeros((T, N, D)) for _ in range(4))
    good = dict(xzrh=np.zeros((T, N, 3 * D)), Wzr=np.zeros((D, 2 * D)), Wh=np.zeros((D, D)))
    _gru.gru_forward(good["xzrh"], good["Wzr"], good["Wh"], s, z, r, h, rs)
    bad_cases = [
        (np.zeros((T, N, 2 * D)), good["Wzr"], good["Wh"], s, z, r, h, rs),
        (good["xzrh"], np.zeros((D, D)), good["Wh"], s, z, r, h, rs),
        (good["xzrh"].astype(np.float32), good["Wzr"], good["Wh"], s, z, r, h, rs),
        (good["xzrh"], good["Wzr"], np.zeros((D, D))[:, ::-1], s, z, r, h, rs),
        (good["xzrh"], good["Wzr"], good["Wh"], s, z[:1], r, h, rs),
        (good["xzrh"], good["Wzr"], good["Wh"], s.astype(np.int64), z, r, h, rs),
        ([1.0], good["Wzr"], good["Wh"], s, z, r, h, rs),
    ]
    for args in bad_cases:
        with pytest.raises((TypeError, ValueError)):
            _gru.gru_forward(*args)
    G = np.zeros((T, N, D), dtype=f)
    dzr, dah = np.zeros((T, N, 2 * D)), np.zeros((T, N, D))
    _gru.gru_backward(G, s, z, r, h, rs, good["Wzr"], good["Wh"], dzr, dah)
    with pytest.raises(ValueError):
        _gru.gru_backward(G[:1], s, z, r, h, rs, good["Wzr"], good["Wh"], dzr, dah)
    with pytest.raises(ValueError):
        _gru.gru_backward(G, s, z, r, h, rs, good["Wzr"], good["Wh"], dzr[:, :, :D], dah)


def test_long_sequence_output_is_bounded():
    rng = np.random.default_rng(8)
    arrays = make_inputs(rng, 200, 4, 3, 5, scale=3.0)
    S = gru(*[mg.tensor(a) for a in arrays])
    assert np.all(np.abs(S.data) <= 1 + 1e-12)
    S.backward()


# ---------------------------------------------------------------------------
# against MyGrad's own gru (which needs numba: compared where numba is installed,
# as the test extra installs it)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype, rtol, config", [
    (np.float64, 1e-9, config) for config in [
        dict(), dict(bp_lim=2), dict(s0="constant"), dict(dropout=0.3), dict(constant_x=True),
        dict(loss="last"), dict(bp_lim=0, s0="array", loss="square")]
] + [(np.float32, 2e-4, dict(bp_lim=3, s0="constant", loss="square"))])   # (each dtype and dropout
def test_training_loop_through_gru_as_mygrad(dtype, rtol, config):      # costs MyGrad a numba compile)
    """The same parameters through three forward/backward/update steps in both libraries:
    every hidden state and every gradient agrees with MyGrad's gru at every step (to
    rounding: MyGrad's numba loops sum in another order), dropout masks included."""
    pytest.importorskip("numba")
    import mygrad

    rng = np.random.default_rng(21)
    T, N, C, D = 6, 3, 4, 5
    arrays = [a.astype(dtype) for a in make_inputs(rng, T, N, C, D)]
    s0 = rng.standard_normal((N, D)).astype(dtype)
    states = {}
    for lib in (mg, mygrad):
        params = [lib.tensor(a, constant=(i == 0 and config.get("constant_x", False))) for i, a in enumerate(arrays)]
        steps = []
        for step in range(3):
            kw = {k: config[k] for k in ("bp_lim", "dropout") if k in config}
            if "s0" in config:
                kw["s0"] = lib.tensor(s0, constant=True) if config["s0"] == "constant" else s0
            np.random.seed(100 + step)   # (the dropout masks: drawn alike, in the same order)
            S = lib.nnet.layers.gru(*params, **kw)
            loss = {"sum": lambda: S.sum(), "last": lambda: S[-1].sum(),
                    "square": lambda: (S ** 2).mean()}[config.get("loss", "sum")]()
            loss.backward()
            steps.append([S.data.copy()] + [None if p.grad is None else p.grad.copy() for p in params])
            del S, loss
            gc.collect()   # (MyGrad's gru graph is cyclic: its inputs stay locked until collected)
            with lib.no_autodiff:
                for p in params[1:]:
                    p -= 0.1 * p.grad
        states[lib] = steps
    for ours, ref in zip(states[mg], states[mygrad]):
        for a, b in zip(ours, ref):
            if b is None:
                assert a is None
            else:
                assert a.dtype == b.dtype and a.shape == b.shape
                np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)


def test_gru_of_integer_inputs_is_computed_in_float64_where_mygrads_fails():
    """A documented difference (migrating.md): numba finds no loop for integer arrays in
    MyGrad's gru (its TypingError); mygrad_c computes them as float64."""
    numba = pytest.importorskip("numba")
    import mygrad

    rng = np.random.default_rng(5)
    ints = [np.round(a * 2).astype(np.int64) for a in make_inputs(rng, 3, 2, 2, 2)]
    with pytest.raises(numba.core.errors.TypingError):
        mygrad.nnet.layers.gru(*ints)
    S = gru(*ints)
    assert S.dtype == np.float64 and S.constant
    assert_allclose(S.data, gru(*[a.astype(np.float64) for a in ints]).data)


@pytest.mark.parametrize("s0", ["floats", "integers", "number", "bools"])
def test_gru_refuses_an_s0_that_is_not_an_array_or_a_constant_tensor_as_mygrad(s0):
    """MyGrad makes a (non-constant) tensor of a list or a number given as s0, and refuses it."""
    rng = np.random.default_rng(6)
    arrays = make_inputs(rng, 3, 2, 2, 3)
    value = {"floats": np.zeros((2, 3)).tolist(), "integers": np.zeros((2, 3), int).tolist(),
             "number": 0.0, "bools": np.zeros((2, 3), bool).tolist()}[s0]
    with pytest.raises(ValueError, match="does not support non-constant tensors"):
        gru(*arrays, s0=value)
    gru(*arrays, s0=np.asarray(value, dtype=float).reshape(2, 3) if s0 != "number" else np.zeros((2, 3)))


def test_gru_takes_a_boolean_bp_lim_as_mygrad():
    rng = np.random.default_rng(7)
    arrays = [mg.tensor(a) for a in make_inputs(rng, 3, 2, 2, 3)]
    for flag, limit in [(True, 1), (False, 0)]:
        gs = []
        for bp in (flag, limit):
            for a in arrays:
                a.null_grad()
            gru(*arrays, bp_lim=bp).sum().backward()
            gs.append([a.grad.copy() for a in arrays])
        for a, b in zip(*gs):
            np.testing.assert_array_equal(a, b)


def test_gru_of_float16_inputs_is_computed_in_float32_where_mygrads_fails():
    """A documented difference (migrating.md): MyGrad's numba loops have no float16
    (NotImplementedError); mygrad_c computes in float32 and gives float16 states."""
    pytest.importorskip("numba")
    import mygrad

    rng = np.random.default_rng(8)
    halves = [a.astype(np.float16) for a in make_inputs(rng, 3, 2, 2, 2)]
    with pytest.raises(NotImplementedError):
        mygrad.nnet.layers.gru(*halves)
    S = gru(*[mg.tensor(a) for a in halves])
    assert S.dtype == np.float16
    assert_allclose(S.data, gru(*[a.astype(np.float32) for a in halves]).data.astype(np.float16))


def test_gru_output_gradient_is_dl_ds_where_mygrads_is_overwritten():
    """A documented difference (migrating.md): MyGrad's gru back-propagates through time
    inside the gradient array of its output and leaves that as the output's ``.grad``
    (one time step short, other values); mygrad_c's output gradient is dL/dS."""
    pytest.importorskip("numba")
    import mygrad

    rng = np.random.default_rng(9)
    arrays = make_inputs(rng, 3, 2, 2, 2)
    S_ref = mygrad.nnet.layers.gru(*[mygrad.tensor(a) for a in arrays])
    S_ref.sum().backward()
    assert S_ref.grad.shape == (3, 2, 2) and not np.allclose(S_ref.grad, 1.0)   # (MyGrad's)
    params = [mg.tensor(a) for a in arrays]
    S = gru(*params)
    S.sum().backward()
    assert S.grad.shape == S.shape == (4, 2, 2)
    assert_allclose(S.grad, np.ones((4, 2, 2)))


@pytest.mark.parametrize("written", [None, 0, 1, 3])
def test_gradient_after_a_write_into_the_output_is_the_numerical_one(written):
    """``S[i] = 0.5`` after the layer ran, then a backward (hunt seed 180): the inputs'
    gradients are those of central differences - for the first two states MyGrad's are not
    (accepted: gru-written-output-in-mygrad, docs/guide/migrating.md)."""
    rng = np.random.default_rng(0)
    X0, W0 = rng.standard_normal((3, 1, 1)), rng.standard_normal(9) * 0.5
    weights = np.arange(1.0, 5.0).reshape(4, 1, 1)

    def loss(X, backward):
        x, W = mg.tensor(X), mg.tensor(W0)
        S = gru(x, *[W[i:i + 1].reshape(1, 1) if i % 3 < 2 else W[i:i + 1] for i in range(9)])
        if written is not None:
            S[written] = 0.5
        out = (S * weights).sum()
        if backward:
            out.backward()
            return x.grad
        return out.item()

    numeric = np.zeros(3)
    for i in range(3):
        up, down = X0.copy(), X0.copy()
        up.ravel()[i] += 1e-6
        down.ravel()[i] -= 1e-6
        numeric[i] = (loss(up, False) - loss(down, False)) / 2e-6
    assert_allclose(loss(X0, True).ravel(), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("untracked", [False, True])
def test_gru_backward_after_its_outputs_shape_was_set(untracked):
    """``S.shape = (-1,)`` of the layer's output, then a backward through it (hunt seed 205):
    the gradients are those of ``S.reshape(-1)``, as MyGrad gives them for the reshape;
    MyGrad's own backward after the shape set reads the output's new shape and crashes
    (accepted: gru-shape-set-output-in-mygrad, docs/guide/migrating.md)."""
    pytest.importorskip("numba")
    import mygrad

    def grads(lib, set_shape):
        rng = np.random.default_rng(1)
        params = [lib.tensor(a) for a in make_inputs(rng, 3, 2, 4, 5)]
        S = lib.nnet.gru(*params)
        if set_shape:
            if untracked:
                with lib.no_autodiff:
                    S.shape = (-1,)
            else:
                S.shape = (-1,)
        else:
            S = S.reshape(-1)
        lib.arctan2(0.5, S).backward(np.linspace(-1, 1, S.size))
        return [p.grad for p in params]

    with pytest.raises((IndexError, ValueError)):
        grads(mygrad, True)
    if untracked:   # (no graph recorded the shape set: S's gradient has S's new shape, which
        # the layer's backward through time cannot take - an error naming both shapes)
        with pytest.raises(ValueError, match=r"must have shape \(3, 2, 5\), got \(39,\)"):
            grads(mg, True)
        return
    for ours, ref in zip(grads(mg, True), grads(mygrad, False)):
        assert_allclose(ours, ref, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------
# what MyGrad's gru accepts beyond the documented shapes, and the order of its errors
# (session 33: the bad-input report compared with MyGrad's gru for the first time)
# ---------------------------------------------------------------------------
_T, _N, _C, _D = 4, 2, 3, 3
_ACCEPTED = {   # MyGrad runs these forward and backward: values and gradients must agree
    "br (1, D) array": dict(br=np.full((1, _D), 0.5)),
    "br (T, N, D) array": dict(br=np.linspace(-1, 1, _T * _N * _D).reshape(_T, _N, _D)),
    "br (T, 1, 1) array": dict(br=np.arange(_T, dtype=float).reshape(_T, 1, 1)),
    "br (1,) array": dict(br=np.ones(1)),
    "br integer (D,) array": dict(br=np.arange(_D)),
    "br (1, D) constant tensor": dict(br=("constant", np.full((1, _D), 0.5))),
    "bh (N, D) array": dict(bh=np.full((_N, _D), -0.25)),
    "bh (N, D) array, dropout": dict(bh=np.full((_N, _D), -0.25), dropout=0.5),
    "s0 0-d": dict(s0=np.array(0.5)),
    "s0 (D,)": dict(s0=np.linspace(-1, 1, _D)),
    "s0 (1, N, D)": dict(s0=np.full((1, _N, _D), 0.25)),
    "s0 (N, 1)": dict(s0=np.array([[0.5], [-0.5]])),
    "s0 of numeric strings": dict(s0=np.full((_N, _D), "1.5")),
    "s0 complex (NumPy's cast: the real part)": dict(s0=np.full((_N, _D), 0.5 + 2j)),
    "s0 integers": dict(s0=np.ones((_N, _D), dtype=int)),
    "s0 constant 0-d tensor": dict(s0=("constant", np.array(0.5))),
    "T = 0": dict(X=np.empty((0, _N, _C))),
    "N = 0": dict(X=np.empty((_T, 0, _C))),
    "T = 1": dict(X="first step"),
}


def _gru_call(lib, config):
    """gru of fixed inputs with ``config``'s replacements, then ``S.sum().backward()``:
    the states and the parameters' gradients (None for a constant)."""
    rng = np.random.default_rng(33)
    X = rng.standard_normal((_T, _N, _C))
    kwargs = {"X": X}
    for name, shape in zip(NAMES[1:], [(_C, _D), (_D, _D), (_D,)] * 3):
        kwargs[name] = lib.tensor(rng.standard_normal(shape) * 0.5)
    for name, value in config.items():
        if isinstance(value, tuple):
            value = lib.tensor(value[1], constant=True)
        elif isinstance(value, str) and name == "X":
            value = X[:1]
        kwargs[name] = value
    extra = {k: kwargs.pop(k) for k in ("s0", "dropout", "bp_lim") if k in kwargs}
    np.random.seed(5)  # (dropout masks: drawn alike)
    S = lib.nnet.layers.gru(*[kwargs[n] for n in NAMES], **extra)
    S.sum().backward()
    return S.data, [p.grad if isinstance(p, lib.Tensor) else None for p in (kwargs[n] for n in NAMES[1:])]


@pytest.mark.parametrize("case", list(_ACCEPTED))
def test_gru_accepts_what_mygrads_accepts(case):
    pytest.importorskip("numba")
    import mygrad

    with np.testing.suppress_warnings() as sup:
        sup.filter(np.exceptions.ComplexWarning)   # (both: NumPy's cast of a complex s0)
        ours, theirs = _gru_call(mg, _ACCEPTED[case]), _gru_call(mygrad, _ACCEPTED[case])
    assert ours[0].shape == theirs[0].shape and ours[0].dtype == theirs[0].dtype
    assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-12)
    for a, b in zip(ours[1], theirs[1]):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.shape == b.shape
            assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shape", [(1, _D), (_N, _D), (_T, 1, 1), (_T, _N, _D), ()])
@pytest.mark.parametrize("name", ["br", "bh"])
def test_a_bias_that_broadcasts_gets_its_summed_gradient(name, shape):
    # (MyGrad's backward fails here - AssertionError: it gives a (D,) gradient to a bias of
    # another shape; the accepted difference gru-broadcast-bias-grad-in-mygrad) the gradient
    # is checked numerically, and a (1, D) bias's equals a (D,) bias's of the same values
    rng = np.random.default_rng(4)
    arrays = make_inputs(rng, _T, _N, _C, _D)
    index = NAMES.index(name)
    bias = np.broadcast_to(rng.standard_normal(shape), shape).copy()
    tensors = [mg.tensor(a) for a in arrays]
    tensors[index] = mg.tensor(bias)
    G = rng.standard_normal((_T + 1, _N, _D))
    gru(*tensors).backward(G)
    assert tensors[index].grad.shape == shape

    def states(b):
        args = list(arrays)
        args[index] = b
        return gru(*args).data
    [expected] = numerical_grad(states, bias, weights=G)
    assert_allclose(tensors[index].grad, expected, rtol=1e-5, atol=1e-7)
    if shape == (1, _D):
        flat = [mg.tensor(a) for a in arrays]
        flat[index] = mg.tensor(bias[0])
        gru(*flat).backward(G)
        assert_allclose(tensors[index].grad[0], flat[index].grad, rtol=1e-12)


_BAD = {   # several problems at once: MyGrad's exception type is that of the first it meets
    "X of strings, bp_lim too large": (TypeError, dict(X=np.full((_T, _N, _C), "a"), bp_lim=99)),
    "0-d X, bp_lim too large": (TypeError, dict(X=np.array(1.0), bp_lim=99)),
    "0-d X, dropout 2": (AssertionError, dict(X=np.array(1.0), dropout=2.0)),
    "X of strings, dropout 2": (TypeError, dict(X=np.full((_T, _N, _C), "a"), dropout=2.0)),
    "2-d X, bp_lim too large": (AssertionError, dict(X=np.ones((_N, _C)), bp_lim=99)),
    "2-d X, 0-d Uz": (ValueError, dict(X=np.ones((_N, _C)), Uz=1.5)),
    "0-d Uz": (IndexError, dict(Uz=1.5)),
    "0-d Uh": (IndexError, dict(Uh=1.5)),
    "0-d bz": (ValueError, dict(bz=1.5)),
    "dict Uz": (TypeError, dict(Uz={})),
    "None bh": (TypeError, dict(bh=None)),
    "complex Wr": (TypeError, dict(Wr=np.ones((_D, _D), dtype=complex))),
    "1-d Uz, s0 of the wrong shape": (ValueError, dict(Uz=np.ones(_D), s0=np.ones((5, 5)))),
    "s0 of the wrong shape, Wz of the wrong shape": (ValueError, dict(Wz=np.ones((4, 4)), s0=np.ones((5, 5)))),
    "s0 of letters": (ValueError, dict(s0=np.full((_N, _D), "a"))),
    "br (3, 1)": (ValueError, dict(br=np.ones((3, 1)))),
    "br (T + 1, N, D)": (ValueError, dict(br=np.ones((_T + 1, _N, _D)))),
    "T = 0, bp_lim 0": (AssertionError, dict(X=np.empty((0, _N, _C)), bp_lim=0)),
}


@pytest.mark.parametrize("case", list(_BAD))
def test_gru_raises_mygrads_exception_type_first(case):
    pytest.importorskip("numba")
    import mygrad

    expected, config = _BAD[case]
    for lib in (mygrad, mg):
        with pytest.raises(expected) as info:
            _gru_call(lib, config)
        if lib is mg:   # (and ours names the problem)
            assert info.type is not AssertionError and str(info.value)
