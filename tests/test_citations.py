"""Every citation resolves inside the repository.

No file (code, docs, tests, the committed workbooks' sheets) points at the design notes that live
outside the repository; every source number cited with docs/domain.md is in its reference list,
and every section cited exists.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]
DOMAIN = ROOT / "docs" / "domain.md"
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", "build", "dist", "gpucredit-demo"}

# A path into the folder of design notes (``shared`` then a slash, not inside a longer path such
# as LibreOffice's help URLs ``text/shared/...``), or a design note's upper-case file name.
OUTSIDE = re.compile(
    r"(?:^|[^/\w])shared[/]|/work/share[d]"
    r"|\b(?:DOMAIN|FUNCTIONS|EXCEL-FILES|LIBREOFFICE|ARCHITECTURE|STYLE)[.]md\b"
)
# A bracketed source number, [25] or [3][5], not an index such as ``errors()[0]`` or ``a[1]``.
CITED = re.compile(r"(?<![\w\])}\[])((?:\[\d{1,3}\])+)(?![\w(\[=])")
SECTION = re.compile(r"docs/domain\.md(?:'s)?,? (?:section|§)s? (\d+)(?:\s*(?:-|and|,)\s*(\d+))?")


def _repository_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.splitlines()
        paths = [ROOT / p for p in listed]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: walk it
        paths = [p for p in ROOT.rglob("*") if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    return [p for p in paths if p.is_file() and not SKIP_DIRS & set(p.relative_to(ROOT).parts)]


def _texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) of a file; for a workbook, of each XML part (its sheets, its strings)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with zipfile.ZipFile(path) as book:
            return [
                (f"{path.relative_to(ROOT)}:{name}", book.read(name).decode("utf-8", "replace"))
                for name in book.namelist()
                if name.endswith(".xml")
            ]
    try:
        return [(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))]
    except UnicodeDecodeError:  # binaries (the add-in's .rdb, images)
        return []


def _references() -> set[int]:
    text = DOMAIN.read_text(encoding="utf-8")
    listed = text.split("\n## References", 1)[1]
    return {int(n) for n in re.findall(r"^- \[(\d+)\]", listed, flags=re.M)}


def test_no_file_cites_the_design_notes_outside_the_repository():
    offences = []
    for path in _repository_files():
        for where, text in _texts(path):
            for number, line in enumerate(text.splitlines(), 1):
                for match in OUTSIDE.finditer(line):
                    offences.append(f"{where}:{number}: {match.group(0).strip()}")
    assert not offences, "\n".join(offences[:40])


def test_the_reference_list_is_complete_and_numbered_in_order():
    numbers = sorted(_references())
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 109
    text = DOMAIN.read_text(encoding="utf-8")
    sections = [int(n) for n in re.findall(r"^## (\d+)\. ", text, flags=re.M)]
    assert sections == list(range(1, 11))
    body = text.split("\n## References", 1)[0]
    cited_in_body = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert cited_in_body <= set(numbers)
    assert set(numbers) <= cited_in_body, "every source is used somewhere in docs/domain.md"


def test_every_source_cited_with_docs_domain_exists():
    known = _references()
    offences = []
    citing = 0
    for path in _repository_files():
        for where, text in _texts(path):
            if "docs/domain.md" not in text and "domain.md" not in where:
                continue
            citing += 1
            for match in CITED.finditer(text):
                for number in map(int, re.findall(r"\d+", match.group(1))):
                    if number not in known:
                        line = text.count("\n", 0, match.start()) + 1
                        offences.append(f"{where}:{line}: [{number}]")
            for match in SECTION.finditer(text):
                for number in filter(None, match.groups()):
                    if not 1 <= int(number) <= 10:
                        offences.append(f"{where}: {match.group(0)}")
    assert citing > 10, "the code cites docs/domain.md"
    assert not offences, "\n".join(offences[:40])
