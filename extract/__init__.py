"""PDF → pages, ruled tables with merged cells, text lines (no schema knowledge here)."""

import sys

from .. import _Extract

# jixiao.extract(paths, **config): this subpackage, called, is the Python API's extract.
sys.modules[__name__].__class__ = _Extract
