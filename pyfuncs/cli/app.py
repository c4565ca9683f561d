"""The ``gpucredit`` command."""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from pyfuncs.cli.console import (
    EXIT_BAD_INPUT,
    EXIT_BUG,
    EXIT_OK,
    EXIT_PROBLEMS,
    console,
    error_line,
    fail,
    say,
)
from pyfuncs.errors import ExcelError, GpuCreditError
from pyfuncs.xlsx.package import WorkbookFileError

app = typer.Typer(
    help="gpucredit: credit math for lending against GPUs, in Excel and on the command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
    out_dir: Annotated[
        str, typer.Option("--out-dir", help="Where to write the four template workbooks.")
    ] = "gpucredit-demo",
    workbooks: Annotated[
        bool, typer.Option("--workbooks/--no-workbooks", help="Build and refresh the templates.")
    ] = True,
) -> None:
    """Show the thesis on sample deals, then build and refresh the four template workbooks."""
    from pyfuncs.cli.demo import print_demo, run_demo

    with console.status("running the sample deals and their joint stress..."):
        result = run_demo()
    if as_json:
        print(json.dumps(asdict(result), indent=2, default=str))
        return
    print_demo(result, console)
    if workbooks:
        _demo_workbooks(out_dir)


def _demo_workbooks(out_dir: str) -> None:
    """Build the four templates, then refresh one with a steeper rent decline."""
    from pathlib import Path

    from pyfuncs.cli.demo import build_demo_workbooks, ratio_text

    with console.status("building and refreshing the template workbooks..."):
        made = build_demo_workbooks(Path(out_dir))
    table = Table(title=f"Template workbooks in {out_dir}/ (open in Excel or LibreOffice)")
    table.add_column("Workbook")
    table.add_column("What it is")
    table.add_column("Minimum DSCR (operating months, lower view)", justify="right")
    for item in made:
        table.add_row(item.path.name, item.description, ratio_text(item.min_dscr))
    console.print(table)


def _print_portfolio_credit(results: list) -> None:
    """The correlated loss distribution and the concentration flags, after the deal table."""
    from pyfuncs.deal.portfolio import portfolio_concentration, portfolio_loss

    loss = portfolio_loss(results)
    if loss is not None:
        console.print("Portfolio loss on shared factor draws (GPU rent index, BTC):")
        for name, dollars, share in loss.report():
            console.print(f"  {name}: ${dollars / 1e6:,.1f}M ({share:.2%} of exposure)")
    for c in portfolio_concentration(results):
        top = ", ".join(f"{n} {s:.0%}" for n, s in c.shares[:3])
        flag = f"; above the {c.limit:.0%} limit: {', '.join(c.breaches)}" if c.breaches else ""
        console.print(f"  by {c.kind}: HHI {c.hhi:.3f}; top {top}{flag}")


@app.command()
def portfolio(
    deals: Annotated[
        str, typer.Argument(help="Deals: a CSV (one row per deal) or YAML/JSON file.")
    ],
    out: Annotated[
        str | None, typer.Option("--out", help="Write the results to this .xlsx.")
    ] = None,
    paths: Annotated[int, typer.Option(help="Monte Carlo paths per deal.")] = 2_000,
    seed: Annotated[int, typer.Option(help="Seed of every deal's joint stress.")] = 1,
    workers: Annotated[
        int | None, typer.Option(help="Local processes (default: all cores).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (tcp://host:8786) to run on a cluster."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace OUT if it exists.")] = False,
) -> None:
    """Compute every deal of a portfolio: schedule, joint stress, fire-sale recovery, spreads."""
    from pathlib import Path

    from rich.progress import Progress

    from pyfuncs.deal.portfolio import (
        portfolio_totals,
        portfolio_workbook,
        read_deals,
        run_portfolio,
    )
    from pyfuncs.errors import GpuCreditError
    from pyfuncs.fileio import write_bytes_atomic

    if out is not None and Path(out).resolve() == Path(deals).resolve():
        fail("--out would overwrite the input file; choose another name")
    if out is not None and Path(out).exists() and not force:
        fail(f"{out} exists; choose another --out or add --force to replace it")
    try:
        items = read_deals(deals)
    except GpuCreditError as exc:
        fail(exc.reason)
    except (OSError, ValueError) as exc:
        fail(f"cannot read {deals}: {exc}")
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{len(items)} deals", total=len(items))
        try:
            results = run_portfolio(
                items,
                paths=paths,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                on_result=lambda _: progress.advance(task),
            )
        except OSError as exc:
            fail(f"cannot reach the Dask scheduler {scheduler}: {exc}")
    table = Table(title=f"Portfolio: {len(results)} deals, {paths:,} stress paths each")
    for column in (
        "deal",
        "min DSCR",
        "PD (annual)",
        "LGD",
        "EL",
        "fair spread",
        "repriced",
        "status",
    ):
        table.add_column(column, justify="left" if column in ("deal", "status") else "right")

    def show(value, fmt):
        if value is None or isinstance(value, str):  # blank, or "distressed"
            return value or ""
        return fmt.format(value)

    for r in [*(x.values for x in results), portfolio_totals(results)]:
        table.add_row(
            str(r.get("deal")),
            show(r.get("min_dscr"), "{:.2f}x"),
            show(r.get("annual_pd"), "{:.1%}"),
            show(r.get("expected_lgd"), "{:.0%}"),
            show(r.get("expected_loss"), "{:.1%}"),
            show(r.get("fair_spread"), "{:.2%}"),
            show(r.get("repriced_spread"), "{:.2%}"),
            str(r.get("status")),
        )
    console.print(table)
    _print_portfolio_credit(results)
    failed = [r for r in results if not r.ok]
    if out is not None:
        write_bytes_atomic(Path(out), portfolio_workbook(results))
        say(f"wrote {out}")
    if failed:
        error_line(
            f"{len(failed)} of {len(results)} deal(s) could not be computed; see their status"
        )
        raise typer.Exit(EXIT_PROBLEMS)


@app.command("functions")
def list_functions() -> None:
    """List the Excel functions with their arguments."""
    from pyfuncs.catalogue import catalogue

    table = Table(title="gpucredit Excel functions (=GPU.NAME in Office.js, =GPU_NAME in xlwings)")
    table.add_column("Function", no_wrap=True)
    table.add_column("Result")
    table.add_column("What it computes")
    for spec in catalogue():  # Text, not markup: "[annual_decline=0.28]" is an optional argument
        table.add_row(Text(spec.signature), Text(spec.result.kind), Text(spec.help))
    console.print(table)


@app.command()
def docs(
    out: Annotated[str, typer.Option(help="Where to write the reference.")] = "docs/functions.md",
) -> None:
    """Write the function reference (Markdown) generated from the registry."""
    from pathlib import Path

    from pyfuncs.cli.reference import function_reference
    from pyfuncs.fileio import write_text_atomic

    write_text_atomic(Path(out), function_reference())
    say(f"wrote {out}")


@app.command(
    "call",
    # Negative numbers are arguments, not options: gpucredit call DSCR -1.5 2.
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
def call_function(
    name: Annotated[str, typer.Argument(help="Function name, e.g. DSCR or GPU.RENT_CURVE.")],
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help="Arguments as typed in a cell: -1.5, 6.5%, 2026-03-01, TRUE, #N/A, text; "
            '[[1],[2]] (JSON rows) for a range; "" for blank.'
        ),
    ] = None,
) -> None:
    """Evaluate one function, as Excel would, and print the result (exit 1 on an Excel error)."""
    from pyfuncs.excel.dispatch import call
    from pyfuncs.formulas.typed import TypedValueError, parse_typed

    try:
        values = [parse_typed(a, arrays=True) for a in args or []]
    except TypedValueError as exc:
        fail(exc)
    result = call(name, *values)
    if isinstance(result, ExcelError):
        print(result.code)
        error_line(f"{name}: {result.code} {result.reason}")
        raise typer.Exit(EXIT_PROBLEMS)
    if isinstance(result, list):
        for row in result:
            print("\t".join(str(c) if not isinstance(c, ExcelError) else c.code for c in row))
    else:
        print(result)


def _register_commands() -> None:
    # Commands whose code lives with their feature: the function server and the refresh.
    from pyfuncs.cli import serve as commands
    from pyfuncs.cli.build import build_command
    from pyfuncs.cli.curve import curve_command
    from pyfuncs.cli.libreoffice import libreoffice_app
    from pyfuncs.cli.refresh import refresh_command

    app.command("serve")(commands.serve)
    app.command("certs")(commands.certs)
    app.command("addin")(commands.addin_metadata)
    app.command("refresh")(refresh_command)
    app.command("build")(build_command)
    app.command("curve")(curve_command)
    app.add_typer(libreoffice_app, name="libreoffice")


_register_commands()


def main() -> None:
    """Entry point of the ``gpucredit`` console script, under the console policy of
    :mod:`pyfuncs.cli.console`: usage errors and unexpected failures are one ``error:`` line
    on standard error with a documented exit code, never a traceback."""
    import sys

    from pyfuncs.cli.console import run_as_process

    run_as_process(lambda: _run(sys.argv[1:]))


def _run(args: list[str]) -> int:
    import os

    try:
        code = _run_quickly(args)
        if code is None:
            code = app(args=args, prog_name="gpucredit", standalone_mode=False)
    except typer.Exit as exc:  # raised outside a command (typer returns it inside one)
        code = exc.exit_code
    except typer.Abort:
        error_line("interrupted")
        code = 130
    except GpuCreditError as exc:
        error_line(exc.reason)
        code = EXIT_BAD_INPUT
    except WorkbookFileError as exc:
        error_line(exc)
        code = EXIT_BAD_INPUT
    except Exception as exc:
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            return _usage_error(exc)
        if os.environ.get("GPUCREDIT_TRACEBACK"):
            raise
        error_line(
            f"unexpected {type(exc).__name__}: {exc} (a bug in gpucredit; "
            "GPUCREDIT_TRACEBACK=1 shows where)"
        )
        code = EXIT_BUG
    return code if isinstance(code, int) else EXIT_OK


def _run_quickly(args: list[str]) -> int | None:
    """``gpucredit refresh`` with a plain command line, run without typer's parser (which
    imports pydantic: :mod:`pyfuncs.cli.quick_args`); None when typer must read the line."""
    if not args or args[0] != "refresh":
        return None
    from pyfuncs.cli.quick_args import quick_parse
    from pyfuncs.cli.refresh import refresh_command

    kwargs = quick_parse(refresh_command, args[1:])
    if kwargs is None:
        return None
    refresh_command(**kwargs)
    return EXIT_OK


def _usage_error(exc: Any) -> int:
    """click's (or typer's vendored click's) usage errors: one line, not a framed panel."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "gpucredit"
    if type(exc).__name__ == "NoArgsIsHelpError":  # bare `gpucredit`: its help
        with contextlib.suppress(SystemExit):
            app(args=[*command.split()[1:], "--help"], prog_name="gpucredit")
        return EXIT_OK
    error_line(f"{exc.format_message()} (see {command} --help)")
    return int(exc.exit_code)


if __name__ == "__main__":
    main()
