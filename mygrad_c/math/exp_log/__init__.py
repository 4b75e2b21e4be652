"""MyGrad's package path ``mygrad.math.exp_log``: exponential and logarithmic functions.

Its modules ``ops`` and ``funcs`` re-export; the home is ``mygrad_c.math.elementwise``.
"""

