"""``gpucredit refresh``: the command-line face of :mod:`pyfuncs.refresh.core`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from pyfuncs.cli.console import (
    EXIT_PROBLEMS,
    console,
    end_without_teardown,
    err_console,
    error_line,
    fail,
    process_ends_after_command,
    warning_line,
)
from pyfuncs.errors import ExcelError


def _shown(value: object) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, ExcelError):
        return value.code
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return f"{value:,.10g}"
    return repr(value)


def _report_produced(cells: list[tuple[str, object, ExcelError]], total: int) -> None:
    """The first error cells a refresh produced, with what they held and why (on stderr)."""
    table = Table("cell", "was", "now", "why", title="Formula cells that became errors")
    for cell, old, new in cells[:10]:
        table.add_row(cell, _shown(old), new.code, new.reason)
    err_console.print(table)
    if len(cells) > 10:
        err_console.print(Text(f"... and {len(cells) - 10:,} more"))


def refresh_command(
    workbook: Annotated[Path, typer.Argument(help="The .xlsx or .xlsm workbook to refresh.")],
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="An input: NAME=VALUE or Sheet!B3=VALUE (repeatable). VALUE is a number "
            '(0.05, 5%), TRUE/FALSE, text, or "quoted text".',
        ),
    ] = None,
    inputs: Annotated[
        Path | None, typer.Option("--inputs", help="YAML or JSON file mapping names to values.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write (default: NAME.refreshed.xlsx beside it)."),
    ] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Replace the input workbook (atomically).")
    ] = False,
    engine: Annotated[
        str, typer.Option("--engine", help="builtin (default) or libreoffice.")
    ] = "builtin",
    force: Annotated[
        bool, typer.Option("--force", help="Replace the output file if it exists.")
    ] = False,
    allow_errors: Annotated[
        bool,
        typer.Option(
            "--allow-errors",
            help="Write the workbook even if formula cells that held values now hold errors.",
        ),
    ] = False,
) -> None:
    """Set inputs, recompute every formula, and write the new values into the workbook.

    Only cell values change: charts, images, comments, validation, conditional formats,
    defined names and VBA are copied unchanged. The input file is never modified unless
    --in-place is given, and an existing output file is never replaced unless --force is.
    Each input is checked against its cell's data validation and, for a deal assumption, its
    documented range (exit 2, nothing written). If the new inputs turn formula cells that held
    values into errors, nothing is written and the exit code is 1, unless --allow-errors.
    """
    import gc

    from pyfuncs.formulas.evaluator import RefreshRefusedError
    from pyfuncs.refresh.core import BuiltinEngine, ProducedErrorsError, RefreshError, refresh
    from pyfuncs.refresh.inputs import InputError, parse_assignments, read_inputs_file
    from pyfuncs.xlsx.package import WorkbookFileError

    if process_ends_after_command():
        # Nothing the cyclic collector could reclaim matters to a process about to end, and
        # walking a million live objects when the refresh switches it back on costs about 5%
        # of a 100,000-formula refresh (benchmarks/bench_refresh.py).
        gc.disable()
    try:
        if engine == "builtin":
            chosen = BuiltinEngine()
        elif engine == "libreoffice":
            from pyfuncs.refresh.libreoffice_engine import LibreOfficeEngine

            chosen = LibreOfficeEngine()
        else:
            raise RefreshError(f"--engine must be builtin or libreoffice, not {engine!r}")
        assignments = read_inputs_file(inputs) if inputs else []
        assignments += parse_assignments(set_ or [])
        report = refresh(
            workbook,
            out,
            assignments=assignments,
            in_place=in_place,
            engine=chosen,
            force=force,
            allow_errors=allow_errors,
        )
    except RefreshRefusedError as exc:
        error_line(
            f"Refused: {len(exc.problems)} formula cell(s) cannot be evaluated; "
            "nothing was written."
        )
        table = Table("cell", "why")
        for cell, reason in exc.problems[:25]:
            table.add_row(cell, reason)
        err_console.print(table)
        if len(exc.problems) > 25:
            err_console.print(Text(f"... and {len(exc.problems) - 25} more"))
        raise typer.Exit(EXIT_PROBLEMS) from None
    except ProducedErrorsError as exc:
        _report_produced(exc.cells, exc.error_cells)
        error_line(
            f"{len(exc.cells):,} formula cell(s) that held values now hold errors "
            f"({exc.error_cells:,} error cells in all); nothing was written "
            "(--allow-errors writes it anyway)"
        )
        raise typer.Exit(EXIT_PROBLEMS) from None
    except (RefreshError, InputError, WorkbookFileError, OSError) as exc:
        fail(exc)
    except MemoryError:
        fail(f"{workbook.name} needs more memory than this machine has; nothing was written")
    except RecursionError:
        fail(f"{workbook.name}: a formula or a chain of cells is nested too deeply")

    console.print(
        f"[bold]Refreshed[/bold] {report.source.name} -> {report.target}: "
        f"{report.formulas:,} formula cells recomputed ({report.engine} engine), "
        f"{report.changed:,} cell values changed, in {report.seconds:.2f} s."
    )
    if report.inputs:
        table = Table("input", "cell", "was", "now", title="Inputs set")
        for target, where, old, new in report.inputs:
            table.add_row(target, where, _shown(old), _shown(new))
        console.print(table)
    for warning in report.warnings:
        warning_line(warning)
    if report.produced_errors:
        _report_produced(report.produced_errors, report.error_cells)
        warning_line(
            f"{len(report.produced_errors):,} formula cell(s) that held values now hold errors "
            f"({report.error_cells:,} error cells in all); written as asked (--allow-errors)"
        )
    elif report.error_cells:
        warning_line(
            f"{report.error_cells:,} formula cell(s) hold errors; none of them held a value "
            "before this refresh"
        )
    if report.parts_rewritten:
        console.print("Rewritten parts: " + ", ".join(report.parts_rewritten))
    else:
        console.print("No cell value changed; every part was copied unchanged.")
    end_without_teardown()
