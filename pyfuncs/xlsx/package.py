"""The zip container of an .xlsx/.xlsm: read its parts, write a copy with a few parts replaced.

Every part we do not replace is copied with its exact bytes, its compression method, its time
stamp and attributes, in its original order; charts, images, VBA, comments and extensions are
never parsed, so they cannot be damaged. (The compressed stream of an unchanged part is
re-deflated by zlib, so the zip file's bytes may differ while every part's bytes are identical.)
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from pyfuncs.errors import GpuCreditError

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "/officeDocument"


class WorkbookFileError(GpuCreditError):
    """The file is not a workbook we can read (not a zip, no workbook part, bad XML)."""


@dataclass
class Package:
    """The parts of a workbook file, in their stored order."""

    path: Path
    infos: list[zipfile.ZipInfo]
    data: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> Package:
        """Read every part of the zip at ``path`` into memory."""
        path = Path(path)
        try:
            with zipfile.ZipFile(path) as archive:
                infos = archive.infolist()
                data = {info.filename: archive.read(info) for info in infos}
        except (zipfile.BadZipFile, OSError) as exc:
            raise WorkbookFileError(f"{path.name} is not an .xlsx workbook: {exc}") from None
        return cls(path=path, infos=infos, data=data)

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
                out.writestr(copy, replaced.get(info.filename, self.data[info.filename]))
        return buffer.getvalue()


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
