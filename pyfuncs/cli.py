"""The ``gpucredit`` command."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from pyfuncs.errors import ExcelError

app = typer.Typer(
    help="gpucredit: credit math for lending against GPUs, in Excel and on the command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _ratio(x: float) -> str:
    return f"{x:.2f}x"


def _money(x: float) -> str:
    return f"${x / 1e6:,.1f}M"


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    """Show the thesis on a sample neocloud deal: flat vs deflating rents, book vs market LTV."""
    from pyfuncs.demo import run_demo

    result = run_demo()
    if as_json:
        print(json.dumps(asdict(result), indent=2, default=str))
        return
    deal = result.deal
    console.print(
        f"[bold]Sample neocloud deal[/bold]: {deal['gpus']:,} H100s at "
        f"${deal['capex_per_gpu']:,.0f}, loan {_money(deal['principal'])} "
        f"({deal['loan_to_cost']:.0%} of cost) at {deal['annual_rate']:.0%} over "
        f"{deal['years']:g} years, monthly annuity; rent ${deal['rent0']:.2f}/GPU-hr, "
        f"utilisation {deal['utilization']:.0%}, opex ${result.opex_hour:.3f}/GPU-hr."
    )

    table = Table(title="Debt service coverage (DSCR)")
    table.add_column("")
    for scenario in result.scenarios:
        table.add_column(f"{scenario.name}\n({scenario.rent_note})", justify="right")
    flat = result.scenarios[0]
    table.add_row("Minimum DSCR", *(_ratio(s.min_dscr) for s in result.scenarios))
    table.add_row("Average DSCR", *(_ratio(s.average_dscr) for s in result.scenarios))
    for year in flat.dscr_by_year:
        table.add_row(
            f"DSCR, month {year * deal['per_year']}",
            *(_ratio(s.dscr_by_year[year]) for s in result.scenarios),
        )
    for label, attr in (
        ("Lock-up (<1.10x) from month", "lockup_breach_period"),
        ("Default (<1.00x) from month", "default_breach_period"),
    ):
        table.add_row(label, *(str(getattr(s, attr) or "never") for s in result.scenarios))
    console.print(table)

    table = Table(title="Loan-to-value: what the collateral is worth")
    table.add_column("Year end")
    table.add_column("Book LTV\n6-yr SLN", justify="right")
    table.add_column("Market LTV\n-30%/yr, gen steps", justify="right")
    table.add_column("Fire-sale LTV\nwhole fleet at once", justify="right")
    for year, row in result.ltv_by_year.items():
        firesale = "no recovery" if row["firesale"] is None else _pct(row["firesale"])
        table.add_row(str(year), _pct(row["book"]), _pct(row["market"]), firesale)
    console.print(table)

    fs = result.firesale
    table = Table(title=f"Fire sale at the first default (month {fs['period']:.0f})")
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("Debt outstanding (EAD)", _money(fs["exposure"]))
    table.add_row("Market value of the fleet", _money(fs["market_value"]))
    table.add_row("Fire-sale discount", _pct(fs["discount"]))
    table.add_row("Net fire-sale recovery", _money(fs["recovery"]))
    table.add_row("Loss given default", _pct(fs["lgd"]))
    console.print(table)

    sp = result.spreads
    table = Table(title="Spreads: what the market prices vs what the collateral implies")
    table.add_column("")
    table.add_column("", justify="right")
    table.add_row("Market spread (CoreWeave 5-yr CDS)", f"{sp['market_spread'] * 1e4:.0f} bp")
    table.add_row("Implied hazard rate (35% recovery)", _pct(sp["market_hazard"]))
    table.add_row("Implied 5-year PD", _pct(sp["market_5y_pd"]))
    table.add_row("LGD the market assumes", _pct(sp["market_lgd"]))
    table.add_row("LGD from the fire sale", _pct(sp["firesale_lgd"]))
    table.add_row(
        "Repriced spread (same PD, fire-sale LGD)", f"{sp['repriced_spread'] * 1e4:.0f} bp"
    )
    console.print(table)
    for note in result.notes:
        console.print(f"- {note}")


@app.command("functions")
def list_functions() -> None:
    """List the Excel functions with their arguments."""
    from pyfuncs.registry import catalogue

    table = Table(title="gpucredit Excel functions (=GPU.NAME in Office.js, =GPU_NAME in xlwings)")
    table.add_column("Function", no_wrap=True)
    table.add_column("Result")
    table.add_column("What it computes")
    for spec in catalogue():
        table.add_row(spec.signature, spec.result.kind, spec.help)
    console.print(table)


@app.command()
def docs(
    out: Annotated[str, typer.Option(help="Where to write the reference.")] = "docs/functions.md",
) -> None:
    """Write the function reference (Markdown) generated from the registry."""
    from pathlib import Path

    from pyfuncs.docs import function_reference
    from pyfuncs.fileio import write_text_atomic

    write_text_atomic(Path(out), function_reference())
    console.print(f"wrote {out}")


def _parse_cli_value(text: str) -> Any:
    """A command-line argument as an Excel value: JSON (numbers, lists of rows, true) or text."""
    if text == "":
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@app.command("call")
def call_function(
    name: Annotated[str, typer.Argument(help="Function name, e.g. DSCR or GPU.RENT_CURVE.")],
    args: Annotated[
        list[str] | None,
        typer.Argument(help='Arguments as JSON: 1.3, "SLN", [[1],[2]] (rows); "" for blank.'),
    ] = None,
) -> None:
    """Evaluate one function, as Excel would, and print the result."""
    from pyfuncs.excel.dispatch import call

    result = call(name, *[_parse_cli_value(a) for a in args or []])
    if isinstance(result, ExcelError):
        console.print(f"[red]{result.code}[/red] {result.reason}")
        raise typer.Exit(1)
    if isinstance(result, list):
        for row in result:
            print("\t".join(str(c) if not isinstance(c, ExcelError) else c.code for c in row))
    else:
        print(result)


from pyfuncs.workbook.refresh_command import refresh_command  # noqa: E402

app.command("refresh")(refresh_command)


def main() -> None:
    """Entry point of the ``gpucredit`` console script."""
    app()


if __name__ == "__main__":
    main()
