"""gpucredit's functions as a LibreOffice Calc add-in, so LibreOffice recalculates our workbooks.

The extension (an ``.oxt``, or the same files unpacked) is built from committed sources in
``extension/`` plus two things generated from the current package:

- ``functions.json``: every function's names, help and arguments, read off the registry;
- ``pythonpath/pyfuncs``: a copy of this package, which LibreOffice's Python imports (numpy and
  scipy come from that Python: Debian's ``python3-numpy`` and ``python3-scipy``);
- ``pythonpath/pydantic`` and its few dependencies, copied from the running interpreter: the
  deal assumptions need pydantic 2, which Debian 12 does not package (its python3-pydantic is
  1.x). ``pydantic_core`` is compiled, so the running Python and LibreOffice's must share a
  minor version (3.11 on Debian 12 and in CI).

Committed and generated once: ``extension/XGpuCredit.idl`` (from the registry, by :mod:`.idl`)
and ``extension/gpucredit.rdb``, its compiled form, with ``gpucredit.rdb.sha256`` naming the IDL
text it was compiled from. When the registry changes, regenerate both with one command (this
needs ``unoidl-write``, Debian package ``libreoffice-dev``; CI does not)::

    python -m pyfuncs.excel.libreoffice build       # IDL + .rdb from the registry
    python -m pyfuncs.excel.libreoffice check       # exit 1 when they are stale
    python -m pyfuncs.excel.libreoffice oxt dist/gpucredit.oxt   # an installable extension

A test fails when the committed IDL or .rdb is stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from pyfuncs.catalogue import NAMESPACE, catalogue
from pyfuncs.errors import GpuCreditError
from pyfuncs.excel.libreoffice.idl import QUALIFIED_INTERFACE, interface_idl, returns_matrix

EXTENSION_SOURCES = Path(__file__).parent / "extension"
IDL_FILE = EXTENSION_SOURCES / "XGpuCredit.idl"
RDB_FILE = EXTENSION_SOURCES / "gpucredit.rdb"
RDB_SOURCE_FILE = EXTENSION_SOURCES / "gpucredit.rdb.sha256"
#: Committed files copied into every built extension, as they are.
RUNTIME_SOURCES = ("META-INF/manifest.xml", "gpucredit.components", "gpucredit_addin.py")
EXTENSION_ID = "org.gpucredit.calc"
#: Where Debian's libreoffice-dev puts the IDL compiler (it is not on PATH).
_SDK_BIN = Path("/usr/lib/libreoffice/sdk/bin")


class AddInBuildError(GpuCreditError, RuntimeError):
    """The add-in cannot be built or compiled (a tool or a committed file is missing)."""


def metadata() -> dict[str, Any]:
    """What the add-in tells Calc about each function (``functions.json``)."""
    import pyfuncs

    return {
        "namespace": NAMESPACE,
        "version": pyfuncs.__version__,
        "interface": QUALIFIED_INTERFACE,
        "functions": [
            {
                "name": spec.name,
                "display": spec.officejs_name,
                "stored": spec.stored_name,
                "category": spec.category,
                "help": spec.help,
                "matrix": returns_matrix(spec),
                "args": [{"name": arg.name, "help": arg.description} for arg in spec.args],
            }
            for spec in catalogue()
        ],
    }


def description_xml(version: str) -> str:
    """The extension's ``description.xml`` (identifier, version, name shown in LibreOffice)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<description xmlns="http://openoffice.org/extensions/description/2006"
 xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:d="http://openoffice.org/extensions/description/2006">
 <identifier value="{EXTENSION_ID}"/>
 <version value="{version}"/>
 <display-name><name lang="en">gpucredit: GPU credit functions for Calc</name></display-name>
 <platform value="all"/>
</description>
"""


def build_extension(target: Path) -> Path:
    """Write the unpacked extension into the new folder ``target``; return ``target``.

    LibreOffice can load such a folder as a bundled extension (see
    :func:`pyfuncs.refresh.libreoffice.recalculate`); :func:`build_oxt` zips it.
    """
    import pyfuncs

    stale = stale_sources()
    if stale:
        raise AddInBuildError("; ".join(stale))
    target = Path(target)
    target.mkdir(parents=True)
    for name in (*RUNTIME_SOURCES, RDB_FILE.name):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXTENSION_SOURCES / name, target / name)
    meta = metadata()
    (target / "functions.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    (target / "description.xml").write_text(description_xml(meta["version"]), encoding="utf-8")
    shutil.copytree(
        Path(pyfuncs.__file__).parent,
        target / "pythonpath" / "pyfuncs",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", EXTENSION_SOURCES.name),
    )
    for name in VENDORED:
        _copy_module(name, target / "pythonpath")
    return target


#: Libraries pyfuncs imports that LibreOffice's Python (Debian's) does not provide in the
#: version needed: pydantic 2 and what it imports.
VENDORED = (
    "pydantic",
    "pydantic_core",
    "typing_extensions",
    "annotated_types",
    "typing_inspection",
)


def _copy_module(name: str, destination: Path) -> None:
    """Copy an importable package or module of the running interpreter into ``destination``."""
    import importlib

    module = importlib.import_module(name)
    source = Path(module.__file__)
    if source.name == "__init__.py":
        shutil.copytree(
            source.parent, destination / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    else:
        shutil.copyfile(source, destination / source.name)


def build_oxt(path: Path) -> Path:
    """Write the installable extension ``path`` (an .oxt: a zip of :func:`build_extension`)."""
    from pyfuncs.fileio import write_bytes_atomic

    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="gpucredit-oxt-") as tmp:
        root = build_extension(Path(tmp) / "gpucredit")
        zipped = Path(tmp) / "gpucredit.oxt"
        with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as oxt:
            for file in sorted(p for p in root.rglob("*") if p.is_file()):
                oxt.write(file, file.relative_to(root).as_posix())
        write_bytes_atomic(path, zipped.read_bytes())
    return path


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stale_sources() -> list[str]:
    """Why the committed IDL or .rdb do not match the registry (empty when they do)."""
    problems = []
    wanted = interface_idl()
    if not IDL_FILE.exists() or IDL_FILE.read_text(encoding="utf-8") != wanted:
        problems.append(f"{IDL_FILE.name} is stale against the registry")
    if not RDB_FILE.exists() or not RDB_SOURCE_FILE.exists():
        problems.append(f"{RDB_FILE.name} is missing")
    elif RDB_SOURCE_FILE.read_text(encoding="utf-8").split()[0] != _sha256(wanted):
        problems.append(f"{RDB_FILE.name} was compiled from another IDL")
    if problems:
        problems.append("run: python -m pyfuncs.excel.libreoffice build")
    return problems


def unoidl_write() -> str | None:
    """The ``unoidl-write`` compiler, or ``None`` (Debian: ``apt-get install libreoffice-dev``)."""
    found = shutil.which("unoidl-write")
    if found:
        return found
    candidate = _SDK_BIN / "unoidl-write"
    return str(candidate) if os.access(candidate, os.X_OK) else None


def _office_type_libraries() -> list[str]:
    """LibreOffice's own type libraries, which define the types the IDL refers to."""
    program = Path("/usr/lib/libreoffice/program")
    found = [program / "types.rdb", program / "types" / "offapi.rdb"]
    missing = [str(p) for p in found if not p.exists()]
    if missing:
        raise AddInBuildError(f"LibreOffice type libraries not found: {', '.join(missing)}")
    return [str(p) for p in found]


def compile_interface() -> list[str]:
    """Regenerate the IDL from the registry and compile it to the committed .rdb.

    Returns
    -------
    list of str
        The files written (an unchanged file is not rewritten).
    """
    from pyfuncs.fileio import write_bytes_atomic, write_text_atomic

    compiler = unoidl_write()
    if compiler is None:
        raise AddInBuildError(
            "unoidl-write not found: apt-get install --no-install-recommends libreoffice-dev"
        )
    text = interface_idl()
    written = []
    if not IDL_FILE.exists() or IDL_FILE.read_text(encoding="utf-8") != text:
        write_text_atomic(IDL_FILE, text)
        written.append(str(IDL_FILE))
    with tempfile.TemporaryDirectory(prefix="gpucredit-idl-") as tmp:
        output = Path(tmp) / RDB_FILE.name
        done = subprocess.run(
            [compiler, *_office_type_libraries(), str(IDL_FILE), str(output)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0 or not output.exists():
            raise AddInBuildError(f"unoidl-write failed: {(done.stderr or done.stdout).strip()}")
        data = output.read_bytes()
    if not RDB_FILE.exists() or RDB_FILE.read_bytes() != data:
        write_bytes_atomic(RDB_FILE, data)
        written.append(str(RDB_FILE))
    stamp = f"{_sha256(text)}  {IDL_FILE.name}\n"
    if not RDB_SOURCE_FILE.exists() or RDB_SOURCE_FILE.read_text(encoding="utf-8") != stamp:
        write_text_atomic(RDB_SOURCE_FILE, stamp)
        written.append(str(RDB_SOURCE_FILE))
    return written
