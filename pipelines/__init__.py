"""Batch runs, executors, the ledger, outputs and the command line (no parsing logic here)."""


def __getattr__(name: str):
    if name == "__version__":  # pyproject.toml's, through importlib.metadata, when asked for
        from .. import __version__

        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
