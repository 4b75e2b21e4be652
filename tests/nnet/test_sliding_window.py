"""sliding_window_view against MyGrad's: shapes, values, strides, read-only views, copies of
non-contiguous inputs, and MyGrad's validation errors."""
import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import mygrad
import numpy as np
import pytest
from hypothesis import assume, given
from numpy.testing import assert_array_equal

import mygrad_c as mg
from helpers import float_arrays
from mygrad_c.nnet.layers.utils import sliding_window_view


@st.composite
def cases(draw):
    x = draw(float_arrays(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=6)))
    n = draw(st.integers(1, x.ndim))
    trailing = x.shape[-n:]
    window = tuple(draw(st.integers(1, s)) for s in trailing)
    step = draw(st.one_of(st.integers(1, 3), st.tuples(*[st.integers(1, 3)] * n)))
    dilation = draw(st.one_of(st.none(), st.integers(1, 2), st.tuples(*[st.integers(1, 2)] * n)))
    d = (1,) * n if dilation is None else (dilation,) * n if isinstance(dilation, int) else dilation
    assume(all(w * di <= s for w, di, s in zip(window, d, trailing)))
    return x, window, step, dilation


@given(cases())
def test_matches_mygrad(case):
    x, window, step, dilation = case
    ours = sliding_window_view(x, window, step, dilation)
    # (MyGrad can misread some negative-stride inputs: give it a fresh copy)
    ref = mygrad.sliding_window_view(x.copy(), window, step, dilation)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    assert_array_equal(ours, ref)
    assert not ours.flags.writeable
    if x.flags.c_contiguous:
        # (strides along length-1 axes are irrelevant and may differ)
        assert [a for a, n in zip(ours.strides, ours.shape) if n > 1] == \
            [b for b, n in zip(ref.strides, ref.shape) if n > 1]
        assert np.shares_memory(ours, x)
    elif ours.size:
        assert not np.shares_memory(ours, x)


def test_top_level_name_and_example():
    assert mg.sliding_window_view is sliding_window_view
    x = np.arange(36).reshape(6, 6)
    y = sliding_window_view(x, step=(2, 2), window_shape=(3, 2))
    assert y.shape == (2, 3, 3, 2)
    assert_array_equal(y[1, 0], x[2:5, 0:2])
    assert_array_equal(sliding_window_view(x, (3, 3), 1, (2, 1))[1, 2], x[1:6:2, 2:5])


def _call(f, *args):
    try:
        f(*args)
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return type(e), str(e)
    return None


A = np.arange(2 * 8 * 9.0).reshape(2, 8, 9)
BAD = [(A, (3, 3), 1, 3), (A, (3, 3), 1, 4), (A, (3, 3), 1, (3, 4)), (A, (3, 8, 9), 1),
       (A, (1, 3, 3, 3), 1), (A, (0, 3), 1), (A, (-1, 3), 1), (A, (3, 3), 0), (A, (3, 3), -1),
       (A, (3, 3), (1,)), (A, (3, 3), (1, 1, 1)), (A, (3, 3), 1, 0), (A, (3, 3), 1, (1,)),
       (A, (3, 3), 1.0), (A, (3.0, 3), 1), (A, 3, 1), (A, (3, 3), 1, 1.0), (A, (), 1),
       (A.tolist(), (3, 3), 1), (np.float64(3), (1,), 1), (A, (3, 3), [0, 1]),
       (A, (3, 3), np.array([0, 1])), (A, (3, 3), (1, 1), [0, 1]), (A, (3, 3), "a"),
       (A, (3, 3), None), (A, (3,), 1, "a"), (A, (3,), 1, [2.5]), (A, (3,), 1, -2),
       (A, (3, 30), 1, 0), (A, (3, 5), 1, 2), (A, (1, 3, 3, 3), 1, 0), (A, (3, 3), (1, 2.0)),
       (np.zeros((4, 0)), (1,), 1)]


@pytest.mark.parametrize("args", BAD)
def test_errors_match_mygrad(args):
    expected = _call(mygrad.sliding_window_view, *args)
    assert expected is not None
    assert _call(sliding_window_view, *args) == expected


@pytest.mark.parametrize("args", [(A, [3, 3], [1, 1], [1, 1]), (A, np.array([3, 3]), 1),
                                  (A, (3, 3), True), (A, (True, 3), 1),
                                  (np.arange(8.0), (np.int32(3),), np.int8(1), np.int16(2)),
                                  (A, (3, 3), (1, 1), (True, 1)), (A, (3, 3), np.int64(2))])
def test_odd_but_accepted_arguments(args):
    assert_array_equal(sliding_window_view(*args), mygrad.sliding_window_view(*args))
    assert sliding_window_view(*args).shape == mygrad.sliding_window_view(*args).shape


@pytest.mark.parametrize("shape, window, step", [((8,), (3,), (2, 2)), ((8,), (3,), (1, 1)),
                                                 ((8,), (3,), (2, 2, 2)), ((5, 6), (2,), (1, 1))])
def test_a_step_longer_than_the_window_is_refused(shape, window, step):
    """A step with more entries than the window has axes.  Where the array has more axes than
    the window, MyGrad raises NumPy's ValueError; where it has not, MyGrad's view reaches past the
    end of the array (its values there are whatever lies in memory - a deliberate difference:
    mygrad_c raises the same ValueError).  mygrad_c used to return a view of the wrong shape."""
    x = np.arange(float(np.prod(shape))).reshape(shape)
    with pytest.raises(ValueError, match="mismatch in length of strides and shape"):
        sliding_window_view(x, window, step)
    if len(shape) == len(window):
        view = mygrad.sliding_window_view(x, window, step)
        reach = sum((n - 1) * s for n, s in zip(view.shape, view.strides))
        assert reach >= x.nbytes   # (MyGrad's last window ends beyond the array)
    else:
        with pytest.raises(ValueError):
            mygrad.sliding_window_view(x, window, step)
