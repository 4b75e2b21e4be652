"""Shape manipulation: reshaping, transposing, joining and repeating tensors."""
from mygrad_c.tensor_manip.array_shape import *  # noqa: F401,F403
from mygrad_c.tensor_manip.transpose_like import *  # noqa: F401,F403
from mygrad_c.tensor_manip.tensor_joining import *  # noqa: F401,F403
from mygrad_c.tensor_manip.tiling import *  # noqa: F401,F403
from mygrad_c.tensor_manip import array_shape, tensor_joining, tiling, transpose_like

__all__ = array_shape.__all__ + transpose_like.__all__ + tensor_joining.__all__ + tiling.__all__
