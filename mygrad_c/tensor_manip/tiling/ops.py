"""MyGrad's module path ``mygrad.tensor_manip.tiling.ops``: the op class of ``repeat``.

Re-exports only; the home is ``mygrad_c.tensor_manip.tiling``.
"""
from mygrad_c.tensor_manip.tiling import Repeat
from mygrad_c.nnet.layers.utils import sliding_window_view
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor

__all__ = ["Repeat"]
