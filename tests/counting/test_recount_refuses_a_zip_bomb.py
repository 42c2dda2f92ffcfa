"""`rankandfile recount` refuses a bundle that holds more than a real one could, before reading
it into memory, whatever sizes the zip declares."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from rankandfile.counting import recount
from rankandfile.counting.recount import BundleTooLargeError, main, recount_bundle

MiB = 2**20


def _bomb(size: int) -> bytes:
    """One file of ``size`` zero bytes, deflated to about a thousandth of that, written in steps
    so that the test itself never holds it in memory."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("receipts.txt", "w", force_zip64=True) as entry,
    ):
        chunk = bytes(MiB)
        for _ in range(size // MiB):
            entry.write(chunk)
        entry.write(bytes(size % MiB))
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_with_a_clear_error_and_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _bomb(recount.MAX_ENTRY_BYTES + 1)
    assert len(data) < recount.MAX_ENTRY_BYTES // 100
    with pytest.raises(BundleTooLargeError, match=r"receipts\.txt declares .* more than"):
        recount_bundle(data)
    path = tmp_path / "bomb.zip"
    path.write_bytes(data)
    assert main([str(path)]) == 1
    assert "refused: receipts.txt declares" in capsys.readouterr().err


def test_files_under_the_limit_one_by_one_are_refused_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(recount, "MAX_ENTRY_BYTES", 2 * MiB)
    monkeypatch.setattr(recount, "MAX_TOTAL_BYTES", 3 * MiB)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(2):
            archive.writestr(f"questions/{n}.csv", bytes(2 * MiB))
    with pytest.raises(BundleTooLargeError, match="in all"):
        recount_bundle(buffer.getvalue())


def _lie_about_size(data: bytes, declared: int) -> bytes:
    """The zip with its one file's uncompressed size rewritten in both headers."""
    patched = bytearray(data)
    local = patched.index(b"PK\x03\x04")
    struct.pack_into("<I", patched, local + 22, declared)
    central = patched.index(b"PK\x01\x02")
    struct.pack_into("<I", patched, central + 24, declared)
    return bytes(patched)


def test_a_file_that_declares_less_than_it_holds_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(recount, "MAX_ENTRY_BYTES", MiB)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("receipts.txt", bytes(4 * MiB))
    lying = _lie_about_size(buffer.getvalue(), 100)
    # Read no further than it declared (and never past the limit), it fails its checksum.
    with pytest.raises(recount.BundleError, match="not a readable zip"):
        recount_bundle(lying)
