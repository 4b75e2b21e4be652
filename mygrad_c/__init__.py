"""mygrad_c: NumPy-centric automatic differentiation with a compiled engine.

A drop-in replacement for MyGrad: ``import mygrad_c as mg`` and use tensors as
you use NumPy arrays; ``tensor.backward()`` back-propagates derivatives through
every operation.

>>> import mygrad_c as mg
>>> x = mg.tensor([1.0, 2.0, 3.0])
>>> (x ** 2).sum().backward()
>>> x.grad
array([2., 4., 6.])
"""
from mygrad_c._engine import execute_op
from mygrad_c._graph_mode import (
    mem_guard_active, mem_guard_off, mem_guard_on, no_autodiff,
    turn_memory_guarding_off, turn_memory_guarding_on,
)
from mygrad_c.tensor_base import Tensor, asarray, astensor, tensor
from mygrad_c.ufuncs import ufunc

# the operation catalog, section by section (each subpackage lists its public names in __all__)
from mygrad_c.tensor_creation import *  # noqa: E402,F401,F403
from mygrad_c.math import *  # noqa: E402,F401,F403
from mygrad_c.tensor_manip import *  # noqa: E402,F401,F403
from mygrad_c.linalg import einsum, multi_matmul  # noqa: E402,F401
from mygrad_c.indexing_routines import *  # noqa: E402,F401,F403
from mygrad_c.io import *  # noqa: E402,F401,F403
from mygrad_c._numpy_reexports import *  # noqa: E402,F401,F403
from mygrad_c.nnet.layers.utils import sliding_window_view  # noqa: E402,F401

from mygrad_c import linalg, nnet, random  # noqa: E402,F401
from mygrad_c import _module_paths  # noqa: E402,F401  (MyGrad's module paths, loaded as MyGrad's)
from mygrad_c.autodiff import grad, hessian, hvp, jacobian  # noqa: E402,F401  (beyond MyGrad: higher-order derivatives)

__version__ = "0.1.0"

# Large freed NumPy blocks are kept for reuse (a training step allocates the same arrays
# every iteration; see src/_memory.pyx and docs/guide/performance.md).
# MYGRAD_C_MEMORY_CACHE_MB=0 turns it off.
from mygrad_c import _memory  # noqa: E402

_memory.install_from_environment()
