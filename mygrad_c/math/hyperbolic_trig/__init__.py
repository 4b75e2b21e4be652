"""MyGrad's package path ``mygrad.math.hyperbolic_trig``: hyperbolic functions.

Its modules ``ops`` and ``funcs`` re-export; the home is ``mygrad_c.math.elementwise``.
"""

