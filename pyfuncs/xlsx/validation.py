"""A worksheet's data validation rules (``<dataValidations>``), read from its XML.

ECMA-376 Part 1, 18.3.1.32-33 (dataValidation): ``type`` is ``none``, ``whole``, ``decimal``,
``list``, ``date``, ``time``, ``textLength`` or ``custom``; ``operator`` (default ``between``)
compares the value with ``formula1`` (and ``formula2``); ``sqref`` lists the cells and ranges
the rule covers; ``allowBlank`` lets the cell be empty. Rules in the ``x14`` extension (lists
drawn from another sheet, written by Excel 2010+) are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from pyfuncs.xlsx.package import WorkbookFileError
from pyfuncs.xlsx.sheet_xml import parse_range

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class DataValidation:
    """One rule: what it allows and the cells it covers."""

    kind: str  # "whole", "decimal", "list", "date", "time", "textLength", "custom", "none"
    operator: str  # "between", "greaterThanOrEqual", ...
    formula1: str | None
    formula2: str | None
    areas: tuple[tuple[int, int, int, int], ...]  # r1, c1, r2, c2
    allow_blank: bool
    error: str  # the message Excel shows (may be empty)

    def covers(self, row: int, col: int) -> bool:
        return any(r1 <= row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in self.areas)


def data_validations(sheet_xml: str, part: str = "sheet") -> list[DataValidation]:
    """Every rule of the worksheet XML ``sheet_xml`` (the text of its part)."""
    root = re.search(r"<(\w+:)?worksheet\b", sheet_xml)
    p = (root.group(1) or "") if root else ""
    block = re.search(rf"<{p}dataValidations\b.*?</{p}dataValidations>", sheet_xml, re.S)
    if block is None:
        return []
    declared = f' xmlns{":" + p[:-1] if p else ""}="{MAIN_NS}"'
    fragment = re.sub(rf"^<{p}dataValidations\b", f"<{p}dataValidations{declared}", block[0])
    try:
        element = ET.fromstring(fragment)
    except ET.ParseError as exc:
        raise WorkbookFileError(
            f"part {part}: its dataValidations are not well-formed XML: {exc}"
        ) from None
    rules = []
    for item in element.iter(f"{{{MAIN_NS}}}dataValidation"):
        areas = []
        for ref in item.get("sqref", "").split():
            try:
                areas.append(parse_range(ref))
            except ValueError:
                continue
        rules.append(
            DataValidation(
                kind=item.get("type", "none"),
                operator=item.get("operator", "between"),
                formula1=_text(item, "formula1"),
                formula2=_text(item, "formula2"),
                areas=tuple(areas),
                allow_blank=item.get("allowBlank") in ("1", "true"),
                error=item.get("error", ""),
            )
        )
    return rules


def _text(item: ET.Element, tag: str) -> str | None:
    found = item.find(f"{{{MAIN_NS}}}{tag}")
    return None if found is None or found.text is None else found.text.strip()
