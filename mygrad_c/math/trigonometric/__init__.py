"""MyGrad's package path ``mygrad.math.trigonometric``: trigonometric functions.

Its modules ``ops`` and ``funcs`` re-export; the home is ``mygrad_c.math.elementwise``.
"""

