"""Build the compiled core of mygrad_c.

Every ``src/*.pyx`` becomes ``mygrad_c.<name>``.  The build is optimised by
default; ``MYGRAD_C_DEBUG=1`` gives a debug build with bounds and wraparound
checks on (and no optimisation), used to run the tests and the fuzzers against
checked kernels.
"""
import os
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("MYGRAD_C_DEBUG", "0") not in ("", "0", "false", "False")

directives = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
    "embedsignature": True,
}
compile_args = ["-O0", "-g"] if DEBUG else ["-O3"]

extensions = [
    Extension(
        f"mygrad_c.{path.stem}",
        [str(path)],
        include_dirs=[np.get_include(), "src"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args,
        depends=[str(h) for h in sorted(Path("src").glob("*.h"))],   # (C headers the .pyx include)
    )
    for path in sorted(Path("src").glob("*.pyx"))
]

# The generated C lives in a directory per build mode: cythonize only regenerates C
# that is older than its .pyx, so a C file generated for one mode must never be
# reused for the other (the debug build would silently lose its bounds checks).
build_dir = "build/cython-debug" if DEBUG else "build/cython-release"
setup(ext_modules=cythonize(extensions, compiler_directives=directives, include_path=["src"],
                            build_dir=build_dir))
