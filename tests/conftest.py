from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_pdfs"
SHARED = ROOT.parent / "shared"
REALDATA = SHARED / "realdata"


def need(path: Path) -> Path:
    """A file from ../shared/ the test needs; skip (saying why) where this checkout has none."""
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/ is laid beside the repository in CI)")
    return path
