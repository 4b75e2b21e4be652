"""Saving and loading tensors: ``save`` and ``load``.

The file format is MyGrad's: a NumPy ``.npz`` archive holding the tensor's
array under ``data`` and, if it has one, its gradient under ``grad`` - nothing
else, so a file written by either library is the same to the other.  As in
MyGrad, the ``constant`` flag is not saved: a loaded float tensor is a variable.
"""
from __future__ import annotations

import os
import pathlib
import zipfile
from typing import TYPE_CHECKING, BinaryIO, Union

import numpy as np

from mygrad_c import _engine
from mygrad_c._engine import TensorBase

if TYPE_CHECKING:  # pragma: no cover
    from mygrad_c.tensor_base import Tensor

__all__ = ["save", "load"]


def save(file: Union[str, pathlib.Path, BinaryIO], tensor: "Tensor") -> None:
    """Save a tensor - its data and, if it has one, its gradient - to an ``.npz`` file.

    The archive holds ``data`` and possibly ``grad``, exactly as MyGrad writes it; the
    ``constant`` flag is not saved (as in MyGrad).

    Parameters
    ----------
    file : str | pathlib.Path | BinaryIO
        A path (``.npz`` is appended if it is missing, as ``numpy.savez`` does)
        or a file object opened for binary writing.
    tensor : Tensor
        The tensor to save.  Its gradient is saved too, if it has one.

    Raises
    ------
    TypeError
        If ``tensor`` is not a tensor.

    Examples
    --------
    >>> import io
    >>> import mygrad_c as mg
    >>> f = io.BytesIO()
    >>> mg.save(f, mg.tensor([1.0, 2.0], constant=True))
    >>> _ = f.seek(0)
    >>> x = mg.load(f)
    >>> x, x.constant
    (Tensor([1., 2.]), False)
    """
    if not isinstance(tensor, TensorBase):
        raise TypeError(f"mygrad_c.save requires a Tensor-type object, got type {type(tensor)}")
    arrays = {"data": tensor.data}
    if tensor.grad is not None:
        arrays["grad"] = tensor.grad
    np.savez(file, **arrays)


def load(file: Union[str, pathlib.Path, BinaryIO]) -> "Tensor":
    """Load a tensor saved by ``save`` (or by MyGrad's ``save``), with its gradient.

    Parameters
    ----------
    file : str | pathlib.Path | BinaryIO
        The path of the ``.npz`` file, or a file object opened for binary reading.

    Returns
    -------
    Tensor
        With the saved dtype and the saved gradient, if any. It is a constant only
        if its dtype is not a float type (as in MyGrad, which saves no constant flag;
        a ``constant`` entry in files from older versions of mygrad_c is ignored).

    Raises
    ------
    ValueError
        If the file is not an ``.npz`` archive holding a tensor.

    Examples
    --------
    >>> import io
    >>> import mygrad_c as mg
    >>> x = mg.arange(3.0)
    >>> (x * x).backward()
    >>> f = io.BytesIO()
    >>> mg.save(f, x)
    >>> _ = f.seek(0)
    >>> y = mg.load(f)
    >>> y
    Tensor([0., 1., 2.])
    >>> y.grad
    array([0., 2., 4.])
    """
    from mygrad_c.tensor_base import Tensor

    name = os.fspath(file) if isinstance(file, (str, os.PathLike)) else getattr(file, "name", "<file>")
    try:
        contents = np.load(file, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"{name!r} is not a file saved by mygrad_c.save (an .npz archive): {e}") from e
    if not isinstance(contents, np.lib.npyio.NpzFile):
        raise ValueError(f"{name!r} holds a plain array, not a tensor saved by mygrad_c.save (an .npz archive)")
    with contents:
        if "data" not in contents.files:
            raise ValueError(f"{name!r} holds no tensor: the archive has no 'data' entry "
                             f"(entries: {contents.files})")
        try:
            data = contents["data"]
            grad = contents["grad"] if "grad" in contents.files else None
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
            raise ValueError(f"{name!r} is corrupt: {e}") from e
    if data.dtype.kind not in "biuf":
        raise ValueError(f"{name!r} holds an array of dtype {data.dtype}, which is not a tensor's dtype")
    out = Tensor(data, copy=False)
    if grad is not None:
        _engine.set_grad(out, grad)
    return out
