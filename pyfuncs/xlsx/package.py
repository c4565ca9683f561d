"""The zip container of an .xlsx/.xlsm: read its parts, write a copy with a few parts replaced.

Every part we do not replace is copied with its exact bytes, its compression method, its time
stamp and attributes, in its original order; charts, images, VBA, comments and extensions are
never parsed, so they cannot be damaged. An unchanged part's compressed stream is copied as
stored, not inflated and deflated again (:func:`_copy_raw`); a replaced part is deflated at
:data:`REWRITE_LEVEL`.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from pyfuncs.errors import GpuCreditError

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "/officeDocument"


class WorkbookFileError(GpuCreditError):
    """The file is not a workbook we can read (not a zip, no workbook part, bad XML)."""


#: Largest size one part may inflate to. Excel's own limits keep real sheets far below it: a
#: sheet part of a full 1,048,576-row model with a few columns is tens of megabytes.
MAX_PART_BYTES = 256 * 1024 * 1024
#: Largest size all parts together may inflate to.
MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: Largest inflation ratio (uncompressed / compressed) of a part above :data:`RATIO_FLOOR_BYTES`.
#: Sheet XML deflates 5-30x, very repetitive sheets up to ~100x; deflate itself cannot pass
#: ~1032x (RFC 1951: a 258-byte match per 2 bits at best), which is what zip bombs use.
MAX_RATIO = 200.0
#: Parts smaller than this are not held to :data:`MAX_RATIO` (small parts of zeros are normal).
RATIO_FLOOR_BYTES = 8 * 1024 * 1024
#: Largest number of parts (a workbook has tens; a few thousand with many images or sheets).
MAX_PARTS = 20_000
#: zlib level of a rewritten part. Measured on the 85 MB sheet part of the 1,000,000-formula
#: benchmark model: level 1 deflates it in 0.45 s to 22.2 MB, level 4 in 0.69 s to 19.0 MB,
#: level 6 (zlib's default) in 1.76 s to 18.1 MB; level 4 keeps the file within 5% of the
#: default at 40% of the time. Any level is plain deflate (RFC 1951), which every reader inflates.
REWRITE_LEVEL = 4
#: The first bytes of an OLE compound file: what Excel writes for a password-protected
#: (encrypted) workbook ([MS-OFFCRYPTO] 2.1) and for a legacy .xls.
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_sizes(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse a zip whose parts would inflate past the limits, from the sizes it declares.

    Checked before a byte is inflated. The declared sizes bind the reading: ``zipfile`` stops at
    a part's declared size and fails its CRC check if the data goes on, so a part that lies
    about its size cannot inflate further than declared.
    """
    if len(infos) > MAX_PARTS:
        raise WorkbookFileError(f"{name} has {len(infos):,} parts, more than {MAX_PARTS:,}")
    total = 0
    for info in infos:
        size = info.file_size
        if size > MAX_PART_BYTES:
            raise WorkbookFileError(
                f"{name}: part {info.filename} inflates to {size:,} bytes, more than "
                f"{MAX_PART_BYTES:,}; refused (a zip bomb, or not a workbook)"
            )
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size / max(info.compress_size, 1)
            raise WorkbookFileError(
                f"{name}: part {info.filename} inflates {ratio:,.0f}x ({info.compress_size:,} "
                f"to {size:,} bytes), more than {MAX_RATIO:g}x; refused (a zip bomb)"
            )
        total += size
    if total > MAX_TOTAL_BYTES:
        raise WorkbookFileError(
            f"{name}: its parts inflate to {total:,} bytes, more than {MAX_TOTAL_BYTES:,}"
        )


def _not_a_workbook(path: Path, reason: object) -> WorkbookFileError:
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        head = b""
    if head == CFB_SIGNATURE:
        return WorkbookFileError(
            f"{path.name} is encrypted (password-protected) or a legacy .xls file, not an .xlsx "
            "workbook; save it without a password as .xlsx"
        )
    return WorkbookFileError(f"{path.name} is not an .xlsx workbook: {reason}")


@dataclass
class Package:
    """The parts of a workbook file, in their stored order."""

    path: Path
    infos: list[zipfile.ZipInfo]
    data: dict[str, bytes] = field(default_factory=dict)
    raw: bytes = b""  # the zip file as read: unchanged parts' compressed bytes are copied from it

    @classmethod
    def open(cls, path: Path) -> Package:
        """Read every part of the zip at ``path`` into memory, within the size limits.

        Refused in one line (:class:`WorkbookFileError`): not a zip, truncated, encrypted, a
        part with encrypted or unknown compression, a part that fails its CRC, or sizes past
        :func:`check_sizes`' limits (checked before anything is inflated).
        """
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_TOTAL_BYTES + MAX_PART_BYTES // 16:  # the parts, with room for headers
                raise WorkbookFileError(
                    f"{path.name} is {size:,} bytes, more than a workbook's parts may inflate to "
                    f"({MAX_TOTAL_BYTES:,})"
                )
            raw = path.read_bytes()
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                infos = archive.infolist()
                check_sizes(infos, path.name)
                data = {}
                for info in infos:
                    if info.flag_bits & 0x1:
                        raise WorkbookFileError(
                            f"{path.name}: part {info.filename} is encrypted; save the workbook "
                            "without a password"
                        )
                    data[info.filename] = archive.read(info)
        except WorkbookFileError:
            raise
        except FileNotFoundError:
            raise WorkbookFileError(f"{path.name} does not exist") from None
        except IsADirectoryError:
            raise WorkbookFileError(f"{path.name} is a folder, not a workbook") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise _not_a_workbook(path, exc) from None
        except (NotImplementedError, RuntimeError) as exc:  # compression method, encryption
            raise WorkbookFileError(f"{path.name}: cannot read its parts: {exc}") from None
        return cls(path=path, infos=infos, data=data, raw=raw)

    def has(self, name: str) -> bool:
        return name in self.data

    def read(self, name: str) -> bytes:
        try:
            return self.data[name]
        except KeyError:
            raise WorkbookFileError(f"{self.path.name} has no part {name}") from None

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part name) of ``part`` ("" for the package)."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.data:
            return {}
        root = parse_xml(self.data[rels_name], rels_name)
        out: dict[str, tuple[str, str]] = {}
        for rel in root.iter(f"{{{REL_NS}}}Relationship"):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                out[rel.get("Id", "")] = (rel.get("Type", ""), target)
                continue
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
        return out

    def workbook_part(self) -> str:
        """The workbook part named by the package's officeDocument relationship."""
        for rel_type, target in self.relationships("").values():
            if rel_type.endswith(OFFICE_DOCUMENT):
                return target
        raise WorkbookFileError(f"{self.path.name} has no workbook part")

    def to_bytes(self, replaced: dict[str, bytes]) -> bytes:
        """A zip with the parts of ``replaced`` swapped in, everything else as stored."""
        unknown = set(replaced) - set(self.data)
        if unknown:
            raise ValueError(f"cannot add new parts: {sorted(unknown)}")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as out:
            for info in self.infos:
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                copy.comment = info.comment
                new = replaced.get(info.filename)
                if new is None and _copy_raw(out, copy, info, self.raw):
                    continue
                data = self.data[info.filename] if new is None else new
                out.writestr(copy, data, compresslevel=REWRITE_LEVEL)
        return buffer.getvalue()


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., file name length, extra length


def _copy_raw(
    out: zipfile.ZipFile, copy: zipfile.ZipInfo, info: zipfile.ZipInfo, raw: bytes
) -> bool:
    """Append ``info``'s compressed bytes from ``raw`` to ``out`` as ``copy``, unchanged.

    The stream was already inflated and CRC-checked by :meth:`Package.open`, so it is known
    good. A fresh local header is written with the stored CRC and sizes (APPNOTE.TXT 4.3.7; no
    data descriptor needed). ``zipfile`` has no public raw copy, so this does what its own
    writer does on closing a part (``start_dir``, ``filelist``, ``NameToInfo``); False (the
    caller deflates the part again) when the local header is not where the directory says or
    ``zipfile``'s internals are not as expected.
    """
    start = info.header_offset
    head = raw[start : start + _LOCAL_HEADER.size]
    if (
        len(head) < _LOCAL_HEADER.size
        or max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT
    ):
        return False
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(head)
    if signature != b"PK\x03\x04":
        return False
    begin = start + _LOCAL_HEADER.size + name_length + extra_length
    stream = raw[begin : begin + info.compress_size]
    if len(stream) != info.compress_size:
        return False
    if not all(hasattr(out, name) for name in ("fp", "start_dir", "filelist", "NameToInfo")):
        return False  # another Python's zipfile: deflate again instead
    handle = out.fp
    copy.CRC, copy.file_size, copy.compress_size = info.CRC, info.file_size, info.compress_size
    copy.flag_bits = info.flag_bits & 0x0006  # the deflate option bits; sizes are known
    copy.header_offset = handle.tell()
    handle.write(copy.FileHeader(False))
    handle.write(stream)
    out.start_dir = handle.tell()
    out.filelist.append(copy)
    out.NameToInfo[copy.filename] = copy
    return True


def parse_xml(data: bytes, name: str) -> ET.Element:
    """Parse one XML part for reading (never written back)."""
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise WorkbookFileError(f"part {name} is not well-formed XML: {exc}") from None


def check_xml(data: bytes, name: str) -> None:
    """Raise :class:`WorkbookFileError` naming the part unless ``data`` is well-formed XML.

    For parts read by scanning rather than parsing (worksheets, shared strings): a truncated or
    damaged part must be refused, not half-read. Uses expat without building a tree.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise WorkbookFileError(f"part {name} is not well-formed XML: {exc}") from None


_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def xml_unescape(text: str) -> str:
    """XML character and entity references resolved (text taken from raw sheet XML)."""
    if "&" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref[0] == "#":
            return chr(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:]))
        return _NAMED[ref]

    return _ENTITY.sub(one, text)


def xml_escape(text: str) -> str:
    """Text escaped for an XML element's content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_XSTRING = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decode_xstring(text: str) -> str:
    """OOXML's ``_xHHHH_`` escapes of control characters in strings, decoded."""
    return _XSTRING.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text
