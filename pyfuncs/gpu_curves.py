"""GPU curves by model: rent and resale value of A100, H100, H200, B200, GB200 and B300.

Every figure is sourced in docs/gpu-curves.md. Two conventions carry the whole module:

- **All-in declines, no generation steps.** Observed rent and used-price declines already include
  the arrival of new generations, so a model's curve is one decelerating all-in decline; no
  step-down is ever applied on top of it (docs/gpu-curves.md, "Counting obsolescence once").
- **Declines decelerate and floor.** Rent falls towards the GPU's cash operating cost (power at
  PUE 1.3 and $0.08/kWh plus $200/kW-month colocation, on its IT load): the margin over that cost
  falls at a constant rate, so the rent's own decline slows as it nears the floor. Resale value
  falls towards a salvage floor the same way, calibrated to the published H100 bands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pyfuncs._checks import MAX_PERIODS, as_array, as_count, check_ge
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.curves import per_year_count
from pyfuncs.defaults import (
    COLO_KW_MONTH_TYPICAL,
    HOURS_PER_MONTH,
    PER_YEAR,
    POWER_PRICE,
    PUE,
)
from pyfuncs.errors import InvalidInputError

CATEGORY = "GPU curves by model"

#: Date of the rent observations the curves are anchored to (March 2026), as a decimal year.
REFERENCE_YEAR = 2026.2
#: The H100 1-year contract price of March 2026, $ per GPU-hour: the market anchor of every model.
H100_REFERENCE_RENT = 2.35
#: CoreWeave's on-demand list of February 2026, $ per GPU-hour (per-node price / GPUs per node):
#: only the ratios to the H100 are used, to carry the H100 market anchor to the other models.
COREWEAVE_LIST_FEB_2026 = {
    "A100": 21.60 / 8,
    "H100": 49.24 / 8,
    "H200": 50.44 / 8,
    "B200": 68.80 / 8,
    "GB200": 42.00 / 4,
}
#: B300 over B200 on neocloud on-demand, 2026 (Ornn benchmark: B200 $4.50, B300 $5.00-7.25).
B300_OVER_B200 = ((5.00 + 7.25) / 2) / 4.50
#: IT load per GPU over the GPU's own power: DGX H100 10.2 kW / 8 GPUs / 0.7 kW.
SYSTEM_OVERHEAD = 10.2 / 8 / 0.7


def cash_operating_cost(it_kw: float) -> float:
    """$ per GPU-hour to keep a GPU running: ``it_kw*(PUE*power_price + colo_kw_month/730)``.

    Parameters
    ----------
    it_kw : float
        IT load per GPU, kW.

    Returns
    -------
    float
        OPEX_HOUR at PUE 1.3, $0.08/kWh and $200/kW-month colocation on IT kW (docs/gpu-curves.md).
    """
    return it_kw * (PUE * POWER_PRICE + COLO_KW_MONTH_TYPICAL / HOURS_PER_MONTH)


@dataclass(frozen=True)
class GpuModel:
    """One GPU model's curve inputs (docs/gpu-curves.md, "The models").

    ``reference_rent`` is the market rent at ``REFERENCE_YEAR``, when the model was
    ``reference_age`` years past its volume launch; ``it_kw`` sets the cash operating cost, the
    rent floor.
    """

    name: str
    launch_year: float
    it_kw: float
    reference_rent: float

    @property
    def reference_age(self) -> float:
        return REFERENCE_YEAR - self.launch_year

    @property
    def floor_rent(self) -> float:
        return cash_operating_cost(self.it_kw)


def _relative_rent(model: str) -> float:
    if model == "B300":
        return _relative_rent("B200") * B300_OVER_B200
    return COREWEAVE_LIST_FEB_2026[model] / COREWEAVE_LIST_FEB_2026["H100"]


def _model(name: str, launch_year: float, it_kw: float) -> GpuModel:
    return GpuModel(name, launch_year, it_kw, H100_REFERENCE_RENT * _relative_rent(name))


#: The documented models. IT kW: GPU power x SYSTEM_OVERHEAD, except GB200 (NVL72 rack / 72).
MODELS: dict[str, GpuModel] = {
    m.name: m
    for m in (
        _model("A100", 2020.4, 0.4 * SYSTEM_OVERHEAD),
        _model("H100", 2023.25, 10.2 / 8),
        _model("H200", 2024.6, 0.7 * SYSTEM_OVERHEAD),
        _model("B200", 2025.0, 1.0 * SYSTEM_OVERHEAD),
        _model("GB200", 2025.3, 120.0 / 72),
        _model("B300", 2026.0, 1.4 * SYSTEM_OVERHEAD),
    )
}


@dataclass(frozen=True)
class Scenario:
    """How fast rents and values fall: ``margin_decline`` of the rent's margin over cash cost a
    year; resale value ``value_floor + (1-value_floor)*value_keep^age``."""

    margin_decline: float
    value_floor: float
    value_keep: float


def _fit_residual(one_year: float, two_years: float) -> tuple[float, float]:
    """Floor ``f`` and yearly keep ``x`` with ``f+(1-f)x = one_year`` and ``f+(1-f)x^2 = two_years``.

    From ``(r1-f)^2 = (1-f)(r2-f)``: ``f = (r2 - r1^2)/(1 + r2 - 2*r1)``, ``x = (r1-f)/(1-f)``.
    """
    floor = (two_years - one_year**2) / (1.0 + two_years - 2.0 * one_year)
    return floor, (one_year - floor) / (1.0 - floor)


_BASE_FLOOR, _BASE_KEEP = _fit_residual(0.625, 0.425)  # midpoints of the 60-65% and 40-45% bands

#: -28%/yr base (range 20-46%) on the margin over cash cost; resale value calibrated to the
#: H100 bands (base: their midpoints; low: 60% at 1 year, 10% salvage; high: 65%, 30% salvage).
SCENARIOS: dict[str, Scenario] = {
    "low": Scenario(0.46, 0.10, (0.60 - 0.10) / (1 - 0.10)),
    "base": Scenario(0.28, _BASE_FLOOR, _BASE_KEEP),
    "high": Scenario(0.20, 0.30, (0.65 - 0.30) / (1 - 0.30)),
}
MEASURES = ("rent", "value")


def _text(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be text, one of {', '.join(choices)}")
    text = value.strip()
    for choice in choices:
        if text.upper() == choice.upper():
            return choice
    raise InvalidInputError(f"unknown {name} {value!r}: use one of {', '.join(choices)}")


def gpu_model(model: Any) -> GpuModel:
    """The documented :class:`GpuModel` called ``model`` (case-insensitive), or ``#VALUE!``."""
    return MODELS[_text("model", model, tuple(MODELS))]


def scenario_of(scenario: Any) -> Scenario:
    """The :class:`Scenario` called ``"low"``, ``"base"`` or ``"high"``."""
    return SCENARIOS[_text("scenario", scenario, tuple(SCENARIOS))]


def model_rent(spec: GpuModel, scenario: Scenario, age: np.ndarray) -> np.ndarray:
    """``floor + (reference_rent - floor)*(1 - d)^(age - reference_age)``.

    ``d`` is the scenario's ``margin_decline`` after the reference date and the base decline
    before it: the past is one observed history, scenarios differ only in what comes next.
    """
    floor = spec.floor_rent
    margin = spec.reference_rent - floor
    since = np.asarray(age, dtype=np.float64) - spec.reference_age
    keep = np.where(
        since > 0, 1.0 - scenario.margin_decline, 1.0 - SCENARIOS["base"].margin_decline
    )
    return floor + margin * keep**since


def model_value(scenario: Scenario, age: np.ndarray) -> np.ndarray:
    """``value_floor + (1 - value_floor)*value_keep^age``, a fraction of the new price."""
    return scenario.value_floor + (1.0 - scenario.value_floor) * scenario.value_keep**age


_MODEL_ARG = Arg(
    "model", 'GPU model: "A100", "H100", "H200", "B200", "GB200" or "B300".', "text", tuple(MODELS)
)
_SCENARIO_ARG = Arg("scenario", 'Curve: "low", "base" or "high".', "text", ("low", "base", "high"))


@excel_function(
    "GPU_CURVE",
    category=CATEGORY,
    help="Documented curve of a GPU model per period from age_years: rent ($/GPU-hour) falling "
    "towards cash operating cost, or value (fraction of new price); all-in, no generation steps.",
    args=[
        _MODEL_ARG,
        Arg("periods", "Number of periods to project.", "integer"),
        Arg(
            "measure", '"rent" ($ per GPU-hour) or "value" (share of new price).', "text", MEASURES
        ),
        _SCENARIO_ARG,
        Arg("per_year", "Periods a year.", "integer"),
        Arg(
            "age_years",
            "Age at period 1, years: rent, since the model's launch (H100 ~2.95 in "
            "Mar 2026); value, since the GPUs were bought new.",
            "number",
        ),
    ],
    result=Result("column", help="Rent in $ per GPU-hour or value as a fraction, one per period."),
)
def gpu_curve(
    model: str,
    periods: int,
    measure: str = "rent",
    scenario: str = "base",
    per_year: int = PER_YEAR,
    age_years: Any = 0.0,
) -> np.ndarray:
    """Rent or resale value of a GPU model, period by period, from ``age_years`` of age.

    Parameters
    ----------
    model : {"A100", "H100", "H200", "B200", "GB200", "B300"}
        The GPU model (docs/gpu-curves.md, "The models").
    periods : int
    measure : {"rent", "value"}, default "rent"
        Rent in $ per GPU-hour, or resale value as a fraction of the new price.
    scenario : {"low", "base", "high"}, default "base"
    per_year : int, default 12
    age_years : float, default 0
        Age at period 1; period t is at age ``age_years + (t-1)/per_year``. For ``"rent"``, a
        market price, the age is the model's: years since its volume launch (an H100 in March
        2026 is ~2.95 years old, ``MODELS["H100"].reference_age``). For ``"value"``, the GPUs'
        own: years since they were bought new.

    Returns
    -------
    ndarray, shape (periods,)
        Rent: ``c + (R_ref - c)*(1-d)^(age - age_ref)`` with ``c`` the cash operating cost
        (``it_kw*(1.3*0.08 + 200/730)``), ``R_ref`` the March 2026 market rent at ``age_ref`` and
        ``d`` the scenario's yearly decline of the margin after March 2026 (0.46 / 0.28 / 0.20,
        the base before; -28%/yr from
        reserved 1-yr vs 3-yr prices and Epoch's price-performance doubling,
        https://www.alignmentforum.org/posts/c6KFvQcZggQKZzxr9). Value:
        ``f + (1-f)*x^age`` (:func:`residual_value`). Both decelerate and floor; no generation
        step is applied, since the declines are all-in (docs/gpu-curves.md).
    """
    spec = gpu_model(model)
    kind = _text("measure", measure, MEASURES)
    case = scenario_of(scenario)
    n = as_count("periods", periods, maximum=MAX_PERIODS)
    py = per_year_count(per_year)
    start = as_array("age_years", age_years)
    if start.ndim:
        raise InvalidInputError("age_years must be a single number")
    check_ge("age_years", start, 0.0)
    age = float(start) + np.arange(n) / py
    if kind == "rent":
        return model_rent(spec, case, age)
    return model_value(case, age)


@excel_function(
    "RESIDUAL_VALUE",
    category=CATEGORY,
    help="Resale value of a GPU model as a fraction of its new price at age_years: "
    "floor + (1-floor)*keep^age, calibrated to the published H100 bands (60-65%, 40-45%, 25-35% "
    "at 1, 2, 3 years).",
    args=[
        _MODEL_ARG,
        Arg("age_years", "Age of the GPUs, years (a cell or a range).", "array"),
        _SCENARIO_ARG,
    ],
    result=Result("elementwise", help="Fraction of the new price."),
)
def residual_value(model: str, age_years: Any, scenario: str = "base") -> np.ndarray:
    """Used-GPU value as a fraction of the new price.

    Parameters
    ----------
    model : {"A100", "H100", "H200", "B200", "GB200", "B300"}
    age_years : array_like
        Years since purchase new (>= 0).
    scenario : {"low", "base", "high"}, default "base"

    Returns
    -------
    ndarray
        ``f + (1-f)*x^age``. Base: ``f = (r2 - r1^2)/(1 + r2 - 2 r1) = 0.1964`` and
        ``x = (r1-f)/(1-f) = 0.5333`` from the midpoints ``r1 = 0.625``, ``r2 = 0.425`` of the
        published H100 bands (https://v2-pseo-ai.pages.dev/tools/residual-value-guide, weak),
        giving 62.5% / 42.5% / 31.8% at 1 / 2 / 3 years. Low: 60% at 1 year, 10% salvage floor;
        high: 65%, 30%. The one published resale curve (H100) is used for every model
        (docs/gpu-curves.md).
    """
    gpu_model(model)
    case = scenario_of(scenario)
    age = as_array("age_years", age_years)
    check_ge("age_years", age, 0.0)
    return model_value(case, age)
