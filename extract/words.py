"""Chinese word segmentation (jieba), loaded once per process and only when first needed."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def jieba():
    """The jieba module, quiet and with its dictionary loaded."""
    import jieba as j

    j.setLogLevel(60)
    j.initialize()
    return j
