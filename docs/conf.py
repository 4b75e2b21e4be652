"""Sphinx configuration of mygrad_c's documentation site.

Build it with ``python -m sphinx -W -b html docs docs/_build/html`` after
``pip install -e ".[docs]"``.  The guide pages are Markdown (MyST), so they read well on a code
host too; the API reference pages are reStructuredText built by autodoc from the docstrings
(NumPy style, read by napoleon).
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # document this checkout's mygrad_c, compiled in place or installed

import mygrad_c  # noqa: E402

project = "mygrad_c"
author = "the mygrad_c developers"
copyright = "the mygrad_c developers"
release = version = mygrad_c.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "demo.md"]  # demo.md: a draft of README sections, kept for its history

# docs/higher-order.md comes from another branch: until it is there, its toctree entry on the
# index is skipped instead of failing the build (-W turns warnings into errors).
# Heading levels that skip one (common in the development notes) are not worth failing for.
suppress_warnings = ["myst.header"]
if not os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "higher-order.md")):
    suppress_warnings.append("toc.not_readable")

napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_inherit_docstrings = True
add_module_names = True

myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

html_theme = "furo"
html_title = f"mygrad_c {release}"
html_static_path = []
