"""``gpucredit build``: write a template credit model with its values computed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pyfuncs.cli.console import fail, say


def build_command(
    template: Annotated[str, typer.Argument(help="neocloud, miner, datacenter or colo.")],
    inputs: Annotated[
        Path | None,
        typer.Option("--inputs", help="YAML or JSON deal assumptions (default: the example deal)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default: TEMPLATE.xlsx).")
    ] = None,
    flavor: Annotated[
        str,
        typer.Option(
            "--flavor",
            help="officejs (=GPU.NAME, the Office add-in), xlwings (=GPU_NAME, Windows) or "
            "libreoffice (GPU.NAME as stored, for Calc with gpucredit libreoffice install).",
        ),
    ] = "officejs",
    force: Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")] = False,
) -> None:
    """Build a template credit model: Inputs, Schedule, Dashboard with charts, Notes.

    Every formula cell carries its cached value, so the workbook shows numbers in Excel before
    the add-in loads, in LibreOffice and in pandas.
    """
    from pyfuncs.deal.assumptions import load_assumptions_file
    from pyfuncs.errors import GpuCreditError
    from pyfuncs.fileio import write_bytes_atomic
    from pyfuncs.templates import TEMPLATES, build_template
    from pyfuncs.templates.layout import FLAVORS

    if template not in TEMPLATES:
        fail(f"unknown template {template!r}; choose one of: {', '.join(TEMPLATES)}")
    if flavor not in FLAVORS:
        fail(f"--flavor must be one of {', '.join(FLAVORS)}, got {flavor!r}")
    target = out or Path(f"{template}.xlsx")
    if target.suffix.lower() != ".xlsx":
        fail(f"--out must be an .xlsx file, got {target.name}")
    if target.exists() and not force:
        fail(f"{target} exists; choose another --out or add --force to replace it")
    values = {}
    if inputs is not None:
        try:
            deals = load_assumptions_file(inputs)
        except GpuCreditError as exc:
            fail(exc.reason)
        except (OSError, ValueError) as exc:
            fail(f"cannot read {inputs}: {exc}")
        if len(deals) != 1:
            fail(f"{inputs} holds {len(deals)} deals; a template takes one")
        values = deals[0]
    try:
        data = build_template(template, values, flavor)
    except GpuCreditError as exc:
        fail(f"{exc.code} {exc.reason}")
    write_bytes_atomic(target, data)
    say(f"wrote {target} ({TEMPLATES[template].title}, {flavor} flavor)")
