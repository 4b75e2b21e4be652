"""Indexing routines: ``where`` (public), and ``getitem``/``setitem`` behind
``Tensor.__getitem__`` / ``Tensor.__setitem__``."""
from mygrad_c.indexing_routines.indexing import GetItem, SetItem, getitem, setitem
from mygrad_c.indexing_routines.where import Where, where

__all__ = ["where"]
