"""Template credit models, generated with openpyxl and given their values by the refresh engine.

``build_template(name, inputs, flavor)`` returns the .xlsx bytes: openpyxl writes the layout and
formulas (code shaped like the sheets, in ``neocloud``, ``miner``, ``datacenter``, ``colo``), then the
headless refresh computes every formula and writes its cached value into the sheet XML, so the
workbook shows numbers in Excel before the add-in loads, in LibreOffice and in pandas.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from pyfuncs.deal.assumptions import DealAssumptions, parse_assumptions
from pyfuncs.templates import colo, datacenter, miner, neocloud
from pyfuncs.templates.layout import FLAVORS


@dataclass(frozen=True)
class Template:
    """A template: its builder, example inputs and title."""

    name: str
    title: str
    build: Callable[[DealAssumptions, str], Workbook]
    example: dict[str, Any]


TEMPLATES = {
    t.name: t
    for t in (
        Template("neocloud", neocloud.TITLE, neocloud.build, neocloud.EXAMPLE),
        Template("miner", miner.TITLE, miner.build, miner.EXAMPLE),
        Template("datacenter", datacenter.TITLE, datacenter.build, datacenter.EXAMPLE),
        Template("colo", colo.TITLE, colo.build, colo.EXAMPLE),
    )
}


def template_workbook(
    name: str, inputs: dict[str, Any] | None = None, flavor: str = "officejs"
) -> Workbook:
    """The template's openpyxl workbook (formulas, no values) for ``inputs`` (default: example)."""
    if name not in TEMPLATES:
        raise KeyError(f"unknown template {name!r}; choose one of {', '.join(TEMPLATES)}")
    if flavor not in FLAVORS:
        raise ValueError(f"flavor must be one of {', '.join(FLAVORS)}, got {flavor!r}")
    template = TEMPLATES[name]
    assumptions = parse_assumptions({**template.example, **(inputs or {})})
    book = template.build(assumptions, flavor)
    # Our cached values are exact: Excel need not recalculate on open, and a forced full
    # calculation would turn GPU.* cells to #NAME? until the add-in loads (docs/excel-files.md).
    book.calculation.fullCalcOnLoad = False
    book.properties.creator = "gpucredit"
    return book


def build_template(
    name: str, inputs: dict[str, Any] | None = None, flavor: str = "officejs"
) -> bytes:
    """The finished .xlsx: layout and formulas from openpyxl, cached values from the refresh."""
    from pyfuncs.refresh.core import refresh

    book = template_workbook(name, inputs, flavor)
    buffer = io.BytesIO()
    book.save(buffer)
    with tempfile.TemporaryDirectory(prefix="gpucredit-build-") as work:
        draft = Path(work) / f"{name}.xlsx"
        draft.write_bytes(buffer.getvalue())
        finished = Path(work) / f"{name}.built.xlsx"
        refresh(draft, finished)
        return finished.read_bytes()
