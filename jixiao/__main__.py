"""``python -m jixiao``: the command line, as the ``jixiao`` script."""

from jixiao.pipelines.cli import entry

if __name__ == "__main__":
    entry()
