"""Loads MyGrad's module paths with the package, as ``import mygrad`` does.

After ``import mygrad``, ``mygrad.math.arithmetic.ops.Multiply`` works without importing the
module first; the same holds here.  The modules are thin re-exports of the catalog's homes
(see the layout in docs/ARCHITECTURE.md).
"""
import mygrad_c.indexing_routines.funcs  # noqa: F401
import mygrad_c.indexing_routines.ops  # noqa: F401
import mygrad_c.linalg.funcs  # noqa: F401
import mygrad_c.linalg.ops  # noqa: F401
import mygrad_c.math.arithmetic.funcs  # noqa: F401
import mygrad_c.math.arithmetic.ops  # noqa: F401
import mygrad_c.math.consts  # noqa: F401
import mygrad_c.math.exp_log.funcs  # noqa: F401
import mygrad_c.math.exp_log.ops  # noqa: F401
import mygrad_c.math.hyperbolic_trig.funcs  # noqa: F401
import mygrad_c.math.hyperbolic_trig.ops  # noqa: F401
import mygrad_c.math.misc.funcs  # noqa: F401
import mygrad_c.math.misc.ops  # noqa: F401
import mygrad_c.math.nondifferentiable  # noqa: F401
import mygrad_c.math.sequential.funcs  # noqa: F401
import mygrad_c.math.sequential.ops  # noqa: F401
import mygrad_c.math.trigonometric.funcs  # noqa: F401
import mygrad_c.math.trigonometric.ops  # noqa: F401
import mygrad_c.nnet.layers.conv  # noqa: F401
import mygrad_c.nnet.layers.pooling  # noqa: F401
import mygrad_c.nnet.layers.utils  # noqa: F401
import mygrad_c.no_grad_funcs  # noqa: F401
import mygrad_c.random.funcs  # noqa: F401
import mygrad_c.tensor_creation.funcs  # noqa: F401
import mygrad_c.tensor_manip.array_shape.funcs  # noqa: F401
import mygrad_c.tensor_manip.array_shape.ops  # noqa: F401
import mygrad_c.tensor_manip.tensor_joining.funcs  # noqa: F401
import mygrad_c.tensor_manip.tensor_joining.ops  # noqa: F401
import mygrad_c.tensor_manip.tiling.funcs  # noqa: F401
import mygrad_c.tensor_manip.tiling.ops  # noqa: F401
import mygrad_c.tensor_manip.transpose_like.funcs  # noqa: F401
import mygrad_c.tensor_manip.transpose_like.ops  # noqa: F401
import mygrad_c.typing  # noqa: F401
import mygrad_c.ufuncs  # noqa: F401
