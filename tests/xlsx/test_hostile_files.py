"""Hostile and broken workbooks, generated here at run time: each is refused in one line naming
the part (and the cell), fast and in little memory, or read inertly; ``gpucredit refresh`` exits 2
with ``error: ...`` and no traceback, and writes nothing."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from refresh_books import hand_workbook, rich_workbook

from pyfuncs.xlsx.package import MAX_PART_BYTES, Package, WorkbookFileError
from pyfuncs.xlsx.reader import load_book

GIB = 1 << 30


def refresh_cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyfuncs.cli", "refresh", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_refused_in_one_line(source: Path, *expected: str) -> str:
    """``gpucredit refresh`` refuses: exit 2, one ``error:`` line, no file written."""
    before = sorted(p.name for p in source.parent.iterdir())
    done = refresh_cli(source)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    assert sorted(p.name for p in source.parent.iterdir()) == before, "nothing may be written"
    return lines[0]


def replace_part(path: Path, name: str, old: bytes, new: bytes) -> Path:
    """Rewrite one part of a zip (``old`` replaced by ``new``), the others as they were."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, data in parts:
            if filename == name:
                assert old in data, f"{old!r} not in {name}"
                data = data.replace(old, new)
            archive.writestr(filename, data)
    return path


def test_a_part_that_inflates_to_a_gibibyte_is_refused_from_its_declared_size(tmp_path: Path):
    """A ~1 MB file whose sheet part inflates to 1 GiB (deflate's ~1000x on one repeated byte)."""
    bomb = hand_workbook(tmp_path / "bomb.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(bomb) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for filename, data in parts:
            if filename != "xl/worksheets/sheet1.xml":
                archive.writestr(filename, data)
                continue
            with archive.open(filename, "w", force_zip64=True) as part:
                chunk = b" " * (1 << 20)
                part.write(data.replace(b"</worksheet>", b""))
                for _ in range(GIB // len(chunk)):
                    part.write(chunk)
                part.write(b"</worksheet>")
    assert bomb.stat().st_size < 1.5e6  # a small file...
    with zipfile.ZipFile(bomb) as archive:  # ...declaring a part over 1 GiB
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > GIB > MAX_PART_BYTES
    # Refused in one line, in its own process, whose peak memory stays far below the part.
    probe = (
        "import sys; from pyfuncs.xlsx.reader import load_book\n"
        "from pyfuncs.xlsx.package import WorkbookFileError\n"
        "try:\n    load_book(sys.argv[1])\nexcept WorkbookFileError as exc:\n    print(exc)\n"
        # VmHWM: this process's own peak (ru_maxrss would carry the forking parent's over exec).
        "status = open('/proc/self/status').read()\n"
        "print(next(l.split()[1] for l in status.splitlines() if l.startswith('VmHWM')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(bomb)], capture_output=True, text=True, timeout=60
    )
    message, peak_kib = done.stdout.strip().splitlines()
    assert "xl/worksheets/sheet1.xml" in message and "inflates to 1,073,7" in message
    assert int(peak_kib) < 300 * 1024, f"peak {int(peak_kib) // 1024} MiB"
    assert_refused_in_one_line(bomb, "bomb.xlsx", "xl/worksheets/sheet1.xml", "zip bomb")


def test_a_part_lying_about_its_size_cannot_inflate_past_what_it_declares(tmp_path: Path):
    """The central directory says 100 bytes; the data inflates to far more: a CRC failure."""
    source = hand_workbook(tmp_path / "liar.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    raw = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        real = info.file_size
    # Patch the uncompressed size in the central directory entry of the sheet part.
    name = b"xl/worksheets/sheet1.xml"
    at = raw.rfind(b"PK\x01\x02", 0, raw.rfind(name))
    raw[at + 24 : at + 28] = (100).to_bytes(4, "little")
    source.write_bytes(bytes(raw))
    assert real > 100
    with pytest.raises(WorkbookFileError, match=r"liar\.xlsx"):
        Package.open(source)
    assert_refused_in_one_line(source, "liar.xlsx")


@pytest.mark.parametrize(
    ("sheet_data", "expected"),
    [
        ('<row r="1"><c r="ZZZZ1"><v>1</v></c></row>', 'cell r="ZZZZ1"'),
        ('<row r="1"><c r="XFE1"><v>1</v></c></row>', 'cell r="XFE1"'),  # past column XFD
        ('<row r="1"><c r="A1048577"><v>1</v></c></row>', 'cell r="A1048577"'),
        ('<row r="x1"><c r="A1"><v>1</v></c></row>', '<row r="x1">'),
        ('<row r="0"><c r="A1"><v>1</v></c></row>', '<row r="0">'),
        ('<row r="1"><c r="A1"><f t="array" ref="nonsense">1</f><v>1</v></c></row>', "nonsense"),
        ('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', "bad shared string"),
        ('<row r="1"><c r="B1"><f t="shared" si="3"/><v>1</v></c></row>', "no master cell"),
    ],
    ids=["ZZZZ1", "XFE1", "row-past-end", "row-x1", "row-0", "array-ref", "shared-string", "si"],
)
def test_malformed_sheet_xml_is_one_line_naming_part_and_cell(tmp_path, sheet_data, expected):
    source = hand_workbook(tmp_path / "bad.xlsx", sheet_data)
    with pytest.raises(WorkbookFileError) as caught:
        load_book(source)
    assert "xl/worksheets/sheet1.xml" in str(caught.value) and expected in str(caught.value)
    assert "\n" not in str(caught.value)
    assert_refused_in_one_line(source, "xl/worksheets/sheet1.xml", expected)


@pytest.mark.parametrize(
    ("part", "old", "new", "expected"),
    [
        (
            "xl/workbook.xml",
            b'<calcPr calcId="191029"/>',
            b'<calcPr calcId="191029" iterate="1" iterateCount="many"/>',
            'xl/workbook.xml: calcPr iterateCount="many"',
        ),
        (
            "xl/workbook.xml",
            b'<calcPr calcId="191029"/>',
            b'<calcPr calcId="191029" iterateDelta="tiny"/>',
            'calcPr iterateDelta="tiny"',
        ),
        (
            "xl/metadata.xml",
            b'<rc t="1" v="0"/>',
            b'<rc t="one" v="0"/>',
            'xl/metadata.xml: cell metadata <rc t="one">',
        ),
        ("xl/metadata.xml", b'<rc t="1" v="0"/>', b'<rc t="1" v="?"/>', '<rc v="?">'),
        ("xl/metadata.xml", b"</metadata>", b"", "xl/metadata.xml is not well-formed XML"),
        ("xl/workbook.xml", b"</workbook>", b"<workbook>", "xl/workbook.xml is not well-formed"),
    ],
    ids=[
        "iterateCount",
        "iterateDelta",
        "metadata-t",
        "metadata-v",
        "metadata-xml",
        "workbook-xml",
    ],
)
def test_malformed_workbook_parts_are_one_line_naming_the_part(tmp_path, part, old, new, expected):
    source = hand_workbook(tmp_path / "bad.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    replace_part(source, part, old, new)
    assert_refused_in_one_line(source, expected)


def test_not_a_zip_truncated_and_encrypted_files_are_refused_in_one_line(tmp_path: Path):
    good = rich_workbook(tmp_path / "good.xlsx").read_bytes()
    (tmp_path / "text.xlsx").write_text("hello, not a workbook", encoding="utf-8")
    (tmp_path / "cut.xlsx").write_bytes(good[: len(good) // 2])
    # Excel saves a password-protected workbook as an OLE compound file ([MS-OFFCRYPTO] 2.1):
    # its first eight bytes are the CFB signature, then the EncryptionInfo streams.
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    # A zip whose part has the "encrypted" flag set (ZipCrypto), as `zip -e` makes.
    # zipfile will not write the flag: set bit 0 of the general purpose flags by hand, in the
    # local header (offset 6) and the central directory entry (offset 8), APPNOTE.TXT 4.3.7/12.
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("xl/workbook.xml", b"\x00" * 64)
    raw = bytearray(zipped.getvalue())
    raw[6] |= 0x1
    central = raw.find(b"PK\x01\x02")
    raw[central + 8] |= 0x1
    (tmp_path / "zipcrypto.xlsx").write_bytes(bytes(raw))
    expected = {
        "text.xlsx": "not an .xlsx workbook",
        "cut.xlsx": "not an .xlsx workbook",
        "locked.xlsx": "encrypted (password-protected)",
        "zipcrypto.xlsx": "encrypted",
    }
    for name, message in expected.items():
        with pytest.raises(WorkbookFileError, match=re.escape(message)):
            load_book(tmp_path / name)
    for name, message in expected.items():
        sandbox = tmp_path / name.replace(".xlsx", "")
        sandbox.mkdir()
        (sandbox / name).write_bytes((tmp_path / name).read_bytes())
        assert_refused_in_one_line(sandbox / name, name, message)


def test_xxe_and_billion_laughs_stay_inert(tmp_path: Path):
    """An external entity is never fetched; entity expansion is refused or left as text."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    dtd = f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    laughs = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    laughs += "]>"
    # 1. XXE in the sheet: the sheet is scanned, not parsed, and only the five XML entities
    #    and character references are resolved; &xxe; stays literal text.
    source = hand_workbook(
        tmp_path / "xxe.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    )
    replace_part(source, "xl/worksheets/sheet1.xml", b"<worksheet ", dtd.encode() + b"<worksheet ")
    book = load_book(source)
    assert book.sheets[0].values[(1, 1)] == "&xxe;"
    # 2. XXE in a parsed part (the workbook): expat never fetches external entities.
    replace_part(
        source,
        "xl/workbook.xml",
        b"<workbook ",
        dtd.replace("r [", "workbook [").encode() + b"<workbook ",
    )
    replace_part(source, "xl/workbook.xml", b'<sheet name="Model"', b'<sheet name="&xxe;Model"')
    try:
        book = load_book(source)
    except WorkbookFileError as exc:  # refused in one line is inert too
        assert "TOP-SECRET" not in str(exc)
    else:
        assert all("TOP-SECRET" not in s.name for s in book.sheets)
    # 3. Billion laughs (10^9 'a's) in a parsed part: expat's amplification limit refuses it.
    bomb = hand_workbook(tmp_path / "laughs.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    replace_part(
        bomb,
        "xl/workbook.xml",
        b"<workbook ",
        laughs.replace("r [", "workbook [").encode() + b"<workbook ",
    )
    replace_part(bomb, "xl/workbook.xml", b'<sheet name="Model"', b'<sheet name="&j;"')
    line = assert_refused_in_one_line(bomb, "xl/workbook.xml")
    assert "aaaa" not in line
