"""Linear algebra: ``norm`` (and ``einsum``/``multi_matmul``, exported at the top level).

- ``contraction``: ``einsum`` (every subscript form NumPy accepts) and
  ``multi_matmul`` (matrix chains in the cheapest order).
- ``norms``: ``norm`` (differentiable vector norms).
"""
from mygrad_c.linalg.contraction import EinSum, einsum, multi_matmul
from mygrad_c.linalg.norms import Norm, norm

__all__ = ["norm"]
