"""The compiled half of the inference core (pipeline/_native.c), built from source on install.

Everything else about the package is in pyproject.toml; an extension is declared here because
setuptools' pyproject form for it is still experimental.  It is optional: where it cannot be
built, the package runs the pure-Python reference path, which gives the same results.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("pipeline._native", ["pipeline/_native.c"], optional=True)])
