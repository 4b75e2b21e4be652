"""Mathematical functions: arithmetic, elementwise functions, reductions, misc."""
from mygrad_c.math.arithmetic import *  # noqa: F401,F403
from mygrad_c.math.elementwise import *  # noqa: F401,F403
from mygrad_c.math.misc import *  # noqa: F401,F403
from mygrad_c.math.sequential import *  # noqa: F401,F403
from mygrad_c.math import arithmetic, elementwise, misc, sequential

__all__ = arithmetic.__all__ + elementwise.__all__ + misc.__all__ + sequential.__all__
