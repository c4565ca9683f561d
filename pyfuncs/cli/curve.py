"""``gpucredit curve``: a GPU model's documented curve, or its base curve refitted to your index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pyfuncs.cli.console import console, fail, say


def curve_command(
    model: Annotated[str, typer.Argument(help="A100, H100, H200, B200, GB200 or B300.")],
    index: Annotated[
        Path | None,
        typer.Option(
            "--index",
            help="CSV of date and $/GPU-hour (e.g. an export of a rental index): refit the base "
            "rent curve to it.",
        ),
    ] = None,
    years: Annotated[int, typer.Option("--years", help="Years to show, from today.")] = 5,
) -> None:
    """Show a GPU model's rent (low/base/high) and resale value by year from March 2026.

    With --index, the base rent curve is refitted to the file (the margin of rent over cash
    operating cost falling at a constant yearly rate) and shown beside the documented one.
    """
    from pyfuncs.errors import GpuCreditError
    from pyfuncs.gpu_curves import MODELS, gpu_curve, gpu_model, residual_value
    from pyfuncs.rental_index import read_index, recalibrate

    if not 1 <= years <= 30:
        fail(f"--years must be between 1 and 30, got {years}")
    try:
        spec = gpu_model(model)
        calibration = recalibrate(spec.name, read_index(index)) if index is not None else None
    except GpuCreditError as exc:
        fail(exc.reason)
    today = MODELS[spec.name].reference_age
    periods = years + 1
    rents = {
        s: gpu_curve(spec.name, periods, "rent", s, per_year=1, age_years=today)
        for s in ("low", "base", "high")
    }
    import numpy as np  # imported here: the other commands start without numpy

    ages = today + np.arange(periods)
    table = Table(title=f"{spec.name}: rent $/GPU-hour and resale value (share of new price)")
    for heading in ("year", "age", "rent low", "rent base", "rent high"):
        table.add_column(heading, justify="right")
    if calibration is not None:
        table.add_column("rent, your index", justify="right")
    table.add_column("value of a new GPU", justify="right")
    for k in range(periods):
        row = [f"{2026 + k}", f"{ages[k]:.2f}"] + [f"{rents[s][k]:.2f}" for s in rents]
        if calibration is not None:
            row.append(f"{float(calibration.rent(ages[k])):.2f}")
        row.append(f"{float(residual_value(spec.name, k)):.0%}")
        table.add_row(*row)
    console.print(table)
    say(f"cash operating cost (the rent floor): ${spec.floor_rent:.2f}/GPU-hour")
    if calibration is not None:
        say(
            f"your index: {calibration.observations} prices {calibration.first} to "
            f"{calibration.last}; fitted rent ${calibration.fitted_rent:.2f} on {calibration.last}; "
            f"margin over cash cost falls {calibration.margin_decline:.1%} a year "
            f"(documented base 28.0%); fit residual {calibration.residual_sd:.3f} in log margin"
        )
