"""The registry against the published catalogue (v2, tests/data/functions.txt) and Excel's limits."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import pyfuncs
from pyfuncs.catalogue import CATEGORY_ORDER, EXCEL_HELP_LIMIT, REGISTRY, canonical_name, catalogue

HERE = Path(__file__).parent


def _published() -> dict[str, list[tuple[str, bool, str | None]]]:
    out = {}
    for line in (HERE / "data" / "functions.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, rest = re.fullmatch(r"(\w+)\((.*)\)", line.strip()).groups()
        args = []
        for part in (p.strip() for p in rest.split(",") if p.strip()):
            optional = part.startswith("[")
            body = part.strip("[]")
            arg, _, default = body.partition("=")
            args.append((arg, optional, default or None))
        out[name] = args
    return out


PUBLISHED = _published()


def _same_default(published: str | None, actual: object) -> bool:
    if published is None:
        return actual is None
    if published in ("TRUE", "FALSE"):
        return actual is (published == "TRUE")
    if published.startswith('"'):
        return isinstance(actual, str) and actual.lower() == published.strip('"').lower()
    return isinstance(actual, int | float) and float(actual) == pytest.approx(float(published))


def test_every_catalogue_function_is_registered():
    missing = sorted(set(PUBLISHED) - set(REGISTRY))
    assert not missing
    assert not set(REGISTRY) - set(PUBLISHED), "a registered function is not in the catalogue"


@pytest.mark.parametrize("name", sorted(set(PUBLISHED) & set(REGISTRY)))
def test_arguments_follow_the_catalogue(name):
    spec = REGISTRY[name]
    assert [a.name for a in spec.args] == [p[0] for p in PUBLISHED[name]]
    for arg, (_, optional, default) in zip(spec.args, PUBLISHED[name], strict=True):
        assert arg.optional == optional, arg.name
        if optional:
            assert _same_default(default, arg.default), (arg.name, default, arg.default)


@pytest.mark.parametrize("spec", catalogue(), ids=lambda s: s.name)
def test_help_fits_excel_and_docstrings_write_the_formula(spec):
    assert 20 <= len(spec.help) <= EXCEL_HELP_LIMIT
    assert spec.category in CATEGORY_ORDER
    for arg in spec.args:
        assert 5 <= len(arg.help) <= EXCEL_HELP_LIMIT, arg.name
    doc = inspect.getdoc(spec.func)
    assert doc and "Parameters" in doc and "Returns" in doc, spec.name
    if spec.result.kind == "table":
        assert spec.result.columns
    assert spec.officejs_name == f"GPU.{spec.name}"
    assert spec.xlwings_name == f"GPU_{spec.name}"
    assert spec.stored_name == f"_xldudf_GPU_{spec.name}"


def test_every_function_is_exercised_by_a_test():
    text = "\n".join(
        p.read_text() for p in HERE.rglob("test_*.py") if p.name != Path(__file__).name
    )
    untested = [
        s.name
        for s in catalogue()
        if f"pyfuncs.{s.func.__name__}(" not in text and f'"{s.name}"' not in text
    ]
    assert not untested


@pytest.mark.parametrize(
    "spelling", ["GPU.DSCR", "GPU_DSCR", "_xldudf_GPU_DSCR", "dscr", "=gpu.dscr(", " Dscr "]
)
def test_names_in_any_spelling(spelling):
    assert canonical_name(spelling) == "DSCR"
    assert pyfuncs.lookup(spelling) is REGISTRY["DSCR"]


def test_committed_function_reference_is_current():
    from pyfuncs.cli.reference import function_reference

    committed = (HERE.parent / "docs" / "functions.md").read_text(encoding="utf-8")
    assert committed == function_reference(), "run: gpucredit docs"


def test_the_reference_names_each_functions_module_and_an_existing_test_file():
    from pyfuncs.cli.reference import test_file

    root = HERE.parent
    for spec in catalogue():
        test = root / test_file(spec)
        assert test.is_file(), (spec.name, test_file(spec))
        assert f'"{spec.name}"' in test.read_text() or f"{spec.func.__name__}(" in test.read_text()


def test_help_texts_never_restate_a_default():
    # The signature holds each default (from pyfuncs.defaults); Arg.description renders it.
    restated = [
        f"{spec.name}.{arg.name}"
        for spec in catalogue()
        for arg in spec.args
        if re.search(r"\(default\b|\bdefault\s+[-\d\"']", arg.help, re.I)
    ]
    assert restated == []
