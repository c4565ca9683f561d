"""Request and response bodies of the function server's API (pydantic, so /docs explains them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator


class Call(BaseModel):
    """One formula cell: a function in any spelling (``GPU.DSCR``) and its Excel values.

    A call that is not ``{"function": text, "args": [...]}`` is kept, with ``problem`` saying
    what is wrong, so it becomes that call's ``#VALUE!`` instead of failing the whole batch.
    """

    function: str = Field("", examples=["GPU.DSCR"])
    problem: str | None = Field(None, exclude=True, json_schema_extra={"readOnly": True})
    args: list[Any] = Field(
        default_factory=list,
        description="Excel values in argument order: number, text, bool, null (blank), "
        "rows of cells (2-D list), or an error {'error': '#N/A'}.",
        examples=[[[[1.3], [0.9]], [[1.0], [0.0]]]],
    )

    @model_validator(mode="before")
    @classmethod
    def _keep_malformed(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return {"problem": 'a call must be {"function": name, "args": [...]}'}
        if not isinstance(data.get("function"), str):
            return {"problem": "a call's function must be a name (text)"}
        if not isinstance(data.get("args", []), list):
            return {"function": data["function"], "problem": "a call's args must be a list"}
        return data


class CallBatch(BaseModel):
    """The calls of one recalculation, answered in the same order."""

    calls: list[Call]


class CallResults(BaseModel):
    """Each result is a value (scalar or rows) or ``{"error": "#NUM!", "reason": "..."}``."""

    results: list[Any] = Field(examples=[[[[1.3], [{"error": "#DIV/0!", "reason": "..."}]]]])


class ArgumentInfo(BaseModel):
    name: str
    help: str
    kind: str
    optional: bool
    default: Any = None
    choices: list[str] = []


class FunctionInfo(BaseModel):
    name: str = Field(examples=["DSCR"])
    officejs_name: str = Field(examples=["GPU.DSCR"])
    xlwings_name: str = Field(examples=["GPU_DSCR"])
    category: str
    signature: str
    help: str
    result: str
    columns: list[str] = []
    args: list[ArgumentInfo]


class Catalogue(BaseModel):
    namespace: str
    functions: list[FunctionInfo]


class Health(BaseModel):
    status: str = "ok"
    version: str
    functions: int
    token_required: bool


class Problem(BaseModel):
    """Every 4xx answer: a short machine-readable ``error`` and a one-line ``reason``."""

    error: str = Field(examples=["too_many_calls"])
    reason: str
