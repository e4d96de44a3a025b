import os
import stat

import pytest

from neuroflow.errors import UsageError
from neuroflow.files import atomic_file, atomic_folder, write_text


def test_written_files_and_folders_are_readable_by_others(tmp_path):
    mask = os.umask(0o022)
    try:
        write_text(tmp_path / "a.txt", "hello")
        with atomic_folder(tmp_path / "model") as tmp:
            (tmp / "x").write_text("x")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "model").stat().st_mode) == 0o755


def test_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), atomic_file(tmp_path / "out.bin") as fh:
        fh.write(b"half")
        raise RuntimeError("disk pulled out")
    assert list(tmp_path.iterdir()) == []


def test_output_in_missing_folder_is_refused(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        write_text(tmp_path / "nope" / "a.txt", "x")
