"""Tests of mygrad_c.save / mygrad_c.load: round trips and compatibility with MyGrad's files."""
import io
import pathlib
import zipfile

import mygrad
import numpy as np
import pytest
from numpy.testing import assert_array_equal

import mygrad_c as mg

ARRAYS = [
    np.array(2.5),
    np.arange(6.0).reshape(2, 3),
    np.arange(6.0).reshape(2, 3)[:, ::2],  # non-contiguous
    np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    np.zeros((0, 3)),
    np.array([1.5, -2.0], dtype=np.float16),
    np.array([1.5, -2.0], dtype=np.float32),
    np.arange(4, dtype=np.int32),
    np.array([True, False]),
]


def roundtrip(tensor, kind, tmp_path, lib_save=mg.save, lib_load=mg.load):
    if kind == "fileobj":
        f = io.BytesIO()
        lib_save(f, tensor)
        f.seek(0)
        return lib_load(f)
    path = tmp_path / "t.npz"
    lib_save(str(path) if kind == "str" else path, tensor)
    return lib_load(str(path) if kind == "str" else path)


def assert_same_tensor(a, b):
    assert type(a) is mg.Tensor or type(a) is mygrad.Tensor
    assert a.shape == b.shape and a.dtype == b.dtype
    assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("arr", ARRAYS, ids=lambda a: f"{a.dtype}{a.shape}")
@pytest.mark.parametrize("kind", ["str", "path", "fileobj"])
@pytest.mark.parametrize("constant", [False, True])
def test_roundtrip_keeps_data_dtype(arr, kind, constant, tmp_path):
    t = mg.tensor(arr, constant=constant if arr.dtype.kind == "f" else None)
    loaded = roundtrip(t, kind, tmp_path)
    assert isinstance(loaded, mg.Tensor)
    assert_same_tensor(loaded, t)
    # no flag is saved (MyGrad's format): float tensors load as variables, as in MyGrad
    ref = roundtrip(mygrad.tensor(arr, constant=constant if arr.dtype.kind == "f" else None), kind,
                    tmp_path, mygrad.save, mygrad.load)
    assert loaded.constant == ref.constant == (arr.dtype.kind != "f")
    assert loaded.grad is None
    assert loaded.creator is None


@pytest.mark.parametrize("kind", ["str", "path", "fileobj"])
def test_roundtrip_keeps_gradient(kind, tmp_path):
    x = mg.arange(4.0)
    (x * x).backward()
    loaded = roundtrip(x, kind, tmp_path)
    assert_array_equal(loaded.grad, 2 * np.arange(4.0))
    assert not loaded.constant
    # the loaded tensor is an ordinary leaf: it can join new graphs
    (3 * loaded).sum().backward()
    assert_array_equal(loaded.grad, [3.0, 3.0, 3.0, 3.0])


def test_path_without_suffix_gets_npz(tmp_path):
    mg.save(tmp_path / "weights", mg.tensor([1.0, 2.0]))
    assert (tmp_path / "weights.npz").exists()
    assert_array_equal(mg.load(tmp_path / "weights.npz").data, [1.0, 2.0])


def test_saved_file_format_is_mygrads():
    f = io.BytesIO()
    mg.save(f, mg.tensor([1.0, 2.0], constant=True))
    assert zipfile.ZipFile(io.BytesIO(f.getvalue())).namelist() == ["data.npy"]


def _saved(lib, arr, constant, with_grad):
    """An .npz written by ``lib.save`` of a tensor of ``arr`` (given a gradient if asked)."""
    t = lib.tensor(arr.copy(), constant=constant)
    if with_grad:
        (t * t).sum().backward()
    f = io.BytesIO()
    lib.save(f, t)
    return t, f.getvalue()


SAVE_ARRAYS = [np.array(1.5, dtype=dt) for dt in ("f2", "f4", "f8")] + [
    np.arange(6, dtype=dt).reshape(2, 3) / 4 for dt in ("f2", "f4", "f8")]


@pytest.mark.parametrize("arr", SAVE_ARRAYS, ids=lambda a: f"{a.dtype}{a.shape}")
@pytest.mark.parametrize("constant, with_grad", [(True, False), (False, False), (False, True)])
def test_files_are_the_same_for_both_libraries(arr, constant, with_grad):
    """mygrad_c's archive has MyGrad's keys, dtypes and contents; each library loads the
    other's file into the tensor it loads from its own."""
    t_c, ours = _saved(mg, arr, constant, with_grad)
    t_r, theirs = _saved(mygrad, arr, constant, with_grad)
    assert (t_c.grad is None) == (t_r.grad is None)
    with np.load(io.BytesIO(ours)) as a, np.load(io.BytesIO(theirs)) as b:
        assert a.files == b.files
        for key in a.files:
            assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape
            assert_array_equal(a[key], b[key])
    for load_lib in (mg, mygrad):
        from_c, from_r = load_lib.load(io.BytesIO(ours)), load_lib.load(io.BytesIO(theirs))
        for x in (from_c, from_r):
            assert isinstance(x, load_lib.Tensor)
            assert x.dtype == arr.dtype and x.shape == arr.shape
            assert_array_equal(x.data, arr)
        assert from_c.constant == from_r.constant
        assert (from_c.grad is None) == (from_r.grad is None) == (not with_grad)
        if with_grad:
            assert from_c.grad.dtype == from_r.grad.dtype
            assert_array_equal(from_c.grad, from_r.grad)
            assert_array_equal(from_c.grad, 2 * arr)


@pytest.mark.parametrize("arr", ARRAYS, ids=lambda a: f"{a.dtype}{a.shape}")
@pytest.mark.parametrize("with_grad", [False, True])
def test_mygrad_loads_what_mygrad_c_saves(arr, with_grad, tmp_path):
    t = mg.tensor(arr)
    if with_grad and arr.dtype.kind == "f":
        (t * t).backward()
    path = tmp_path / "t.npz"
    mg.save(path, t)
    ref = mygrad.load(path)
    assert isinstance(ref, mygrad.Tensor)
    assert ref.shape == t.shape and ref.dtype == t.dtype
    assert_array_equal(ref.data, t.data)
    if t.grad is None:
        assert ref.grad is None
    else:
        assert_array_equal(ref.grad, t.grad)


@pytest.mark.parametrize("arr", ARRAYS, ids=lambda a: f"{a.dtype}{a.shape}")
@pytest.mark.parametrize("with_grad", [False, True])
def test_mygrad_c_loads_what_mygrad_saves(arr, with_grad, tmp_path):
    t = mygrad.tensor(arr)
    if with_grad and arr.dtype.kind == "f":
        (t * t).backward()
    f = io.BytesIO()
    mygrad.save(f, t)
    f.seek(0)
    ours = mg.load(f)
    f.seek(0)
    ref = mygrad.load(f)
    assert isinstance(ours, mg.Tensor)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    assert ours.constant == ref.constant  # no flag in the file: the default applies
    assert_array_equal(ours.data, ref.data)
    if ref.grad is None:
        assert ours.grad is None
    else:
        assert_array_equal(ours.grad, ref.grad)


@pytest.mark.parametrize("obj", [np.arange(3.0), [1.0, 2.0], 3.0, None])
def test_save_rejects_non_tensors(obj):
    with pytest.raises(TypeError, match="Tensor"):
        mygrad.save(io.BytesIO(), obj)
    with pytest.raises(TypeError, match="Tensor"):
        mg.save(io.BytesIO(), obj)


def _npy_file():
    f = io.BytesIO()
    np.save(f, np.arange(3.0))
    return f.getvalue()


def _npz_without_data():
    f = io.BytesIO()
    np.savez(f, foo=np.arange(3.0))
    return f.getvalue()


def _npz_with_object_data():
    f = io.BytesIO()
    np.savez(f, data=np.array([{"a": 1}], dtype=object))
    return f.getvalue()


def _truncated_npz():
    f = io.BytesIO()
    mg.save(f, mg.arange(10.0))
    return f.getvalue()[:-40]


def _npz_with_string_data():
    f = io.BytesIO()
    np.savez(f, data=np.array(["a", "b"]))
    return f.getvalue()


@pytest.mark.parametrize("make", [lambda: b"not a tensor file at all" * 4, lambda: b"", _npy_file,
                                  _npz_without_data, _npz_with_object_data, _truncated_npz,
                                  _npz_with_string_data])
def test_load_rejects_bad_files_clearly(make):
    with pytest.raises(ValueError, match="tensor|corrupt|npz"):
        mg.load(io.BytesIO(make()))


def test_load_missing_file():
    with pytest.raises(FileNotFoundError):
        mg.load(pathlib.Path("/nonexistent/dir/t.npz"))


def test_io_exports():
    assert mg.io.__all__ == ["save", "load"]
    assert mg.save is mg.io.save and mg.load is mg.io.load
