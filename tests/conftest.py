import os
import stat
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


def unwritable_dir(tmp_path: Path) -> Path:
    """A directory path that can be neither created nor written, for root too."""
    if os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("x")
        return blocker / "sub"  # a path under a regular file can never be created
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return ro / "out"
