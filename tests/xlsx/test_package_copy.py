"""Writing a package: unchanged parts keep their compressed bytes, replaced parts are deflated.

The zip layout is read straight from the file (APPNOTE.TXT 4.3.7: a local header of 30 bytes,
the name and extra field, then the compressed data), independently of the code under test.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from refresh_books import rich_workbook

from pyfuncs.refresh.core import refresh
from pyfuncs.xlsx.package import Package


def compressed_streams(path: Path) -> dict[str, bytes]:
    """Each part's compressed bytes as stored in the zip file."""
    data = path.read_bytes()
    out = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            start = info.header_offset
            assert data[start : start + 4] == b"PK\x03\x04"
            name_length, extra_length = struct.unpack("<HH", data[start + 26 : start + 30])
            begin = start + 30 + name_length + extra_length
            out[info.filename] = data[begin : begin + info.compress_size]
    return out


def test_unchanged_parts_keep_their_compressed_bytes(tmp_path: Path):
    # Deflated at level 1 so that a part deflated again (at the writer's level) would differ.
    source = rich_workbook(tmp_path / "deal.xlsx")
    level1 = tmp_path / "level1.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(level1, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info), zipfile.ZIP_DEFLATED, compresslevel=1)
    report = refresh(level1, tmp_path / "out.xlsx", assignments=[("Rate", 0.1)])
    before, after = compressed_streams(level1), compressed_streams(report.target)
    assert list(before) == list(after)
    assert report.parts_rewritten
    for name in before:
        if name in report.parts_rewritten:
            assert before[name] != after[name]
        else:
            assert before[name] == after[name], name
    with zipfile.ZipFile(report.target) as archive:
        assert archive.testzip() is None  # every CRC checks out
        for info in archive.infolist():
            if info.filename not in report.parts_rewritten:
                assert archive.read(info) == zipfile.ZipFile(level1).read(info.filename)


class Unseekable:
    """A write-only stream: zipfile then writes each part with a data descriptor."""

    def __init__(self, target: io.BytesIO) -> None:
        self.target = target

    def write(self, data: bytes) -> int:
        return self.target.write(data)

    def flush(self) -> None:
        pass


def test_a_stored_part_and_a_data_descriptor_copy_as_stored(tmp_path: Path):
    # A part stored without compression, and one written through a stream (zipfile then uses a
    # data descriptor, flag bit 3, with zeros in the local header's CRC and sizes).
    path = tmp_path / "odd.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(Unseekable(buffer), "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("stored.bin"), b"\x00\x01" * 500)
        archive.writestr("streamed.xml", b"<a>" + b"x" * 5000 + b"</a>")
    path.write_bytes(buffer.getvalue())
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("streamed.xml").flag_bits & 0x08
    package = Package.open(path)
    copy = tmp_path / "copy.zip"
    copy.write_bytes(package.to_bytes({}))
    assert compressed_streams(copy) == compressed_streams(path)
    with zipfile.ZipFile(copy) as archive:
        assert archive.testzip() is None
        assert archive.read("stored.bin") == b"\x00\x01" * 500
        assert archive.read("streamed.xml") == b"<a>" + b"x" * 5000 + b"</a>"
        assert archive.getinfo("stored.bin").compress_type == zipfile.ZIP_STORED


def test_a_replaced_part_is_deflated_and_reads_back(tmp_path: Path):
    path = tmp_path / "one.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", b"<a/>")
        archive.writestr("b.xml", b"<b/>")
    package = Package.open(path)
    body = b"<b>" + b"<c>1</c>" * 10_000 + b"</b>"
    copy = tmp_path / "copy.zip"
    copy.write_bytes(package.to_bytes({"b.xml": body}))
    with zipfile.ZipFile(copy) as archive:
        assert archive.read("b.xml") == body
        assert zlib.crc32(body) == archive.getinfo("b.xml").CRC
        assert archive.getinfo("b.xml").compress_size < len(body) / 10


def test_a_file_larger_than_the_parts_may_inflate_to_is_refused_before_reading(
    tmp_path: Path, monkeypatch
):
    import pyfuncs.xlsx.package as package_module

    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK" + b"\0" * 5000)
    monkeypatch.setattr(package_module, "MAX_TOTAL_BYTES", 1000)
    monkeypatch.setattr(package_module, "MAX_PART_BYTES", 1600)
    try:
        Package.open(path)
    except package_module.WorkbookFileError as exc:
        assert str(exc) == (
            "big.xlsx is 5,002 bytes, more than a workbook's parts may inflate to (1,000)"
        )
    else:
        raise AssertionError("not refused")
