"""MyGrad's module path ``mygrad.indexing_routines.ops``: the op class of ``where``.

Re-exports only; the home is ``mygrad_c.indexing_routines.where``.
"""
from mygrad_c.indexing_routines.where import Where
from mygrad_c.operation_base import Operation
