"""The xlwings face, registered by xlwings' own code (``xlwings.udfs``) on Linux.

Only the Windows COM modules are stubbed (``pythoncom``, ``pywintypes``, ``win32com``), plus a
thin stand-in for the one Excel COM object *Import Functions* talks to (the workbook: its VBA
project and ``Application.MacroOptions``). Everything else is xlwings' real registration code:
the decorators as bound on Windows, ``generate_vba_wrapper`` and ``import_udfs``.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import types
from pathlib import Path

import pytest
import xlwings

from pyfuncs.catalogue import catalogue
from pyfuncs.excel import xlwings_udfs as plain_module

ROOT = Path(__file__).resolve().parents[2]
MODULE = "pyfuncs.excel.xlwings_udfs"
#: The xlwings versions this face is tested on (pyproject pins >=0.33,<0.38); this file has been
#: run against xlwings 0.33.0, 0.35.0 and 0.37.8.
TESTED_XLWINGS = ("0.33", "0.34", "0.35", "0.36", "0.37")


class _ComError(Exception):
    pass


@pytest.fixture(scope="module")
def udfs_module(tmp_path_factory):
    """Our UDF module decorated by xlwings.udfs, as on Windows; sys.modules restored after."""
    saved = {
        n: sys.modules.get(n) for n in ("pythoncom", "pywintypes", "win32com", "win32com.client")
    }
    stubs = {n: types.ModuleType(n) for n in saved}
    stubs["pythoncom"].CoInitialize = lambda: None
    stubs["pywintypes"].com_error = _ComError
    stubs["win32com.client"].Dispatch = lambda *a, **k: None
    stubs["win32com"].client = stubs["win32com.client"]
    sys.modules.update(stubs)
    sys.modules.pop("xlwings.udfs", None)
    udfs = importlib.import_module("xlwings.udfs")
    bound = {n: getattr(xlwings, n) for n in ("func", "arg", "ret")}
    # What xlwings/__init__.py binds on Windows (``from .udfs import xlfunc as func, ...``).
    xlwings.func, xlwings.arg, xlwings.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret
    try:
        spec = importlib.util.spec_from_file_location(MODULE, plain_module.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield udfs, module
    finally:
        for name, value in bound.items():
            setattr(xlwings, name, value)
        sys.modules.pop("xlwings.udfs", None)
        for name, value in saved.items():
            if value is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value


class FakeWorkbook:
    """Excel's workbook COM object, as much of it as *Import Functions* touches."""

    def __init__(self, name: str) -> None:
        self.Name = name
        self.imported: str | None = None
        self.macro_options: list[tuple[str, dict]] = []
        book = self

        class Components:
            def __call__(self, name):
                raise _ComError("no module yet")

            def Remove(self, component):
                pass

            def Import(self, path):
                book.imported = Path(path).read_text()

        class Application:
            Version = "16.0"

            def MacroOptions(self, macro, **options):
                book.macro_options.append((macro, options))

        self.VBProject = types.SimpleNamespace(VBComponents=Components())
        self.Application = Application()


def _wrappers(vba: str) -> dict[str, tuple[list[str], str]]:
    """Function name -> (parameter list, the CallUDF line) from generated VBA."""
    out = {}
    for match in re.finditer(r"^Function (\w+)\(([^\n]*)\)$(.*?)^End Function", vba, re.M | re.S):
        name, params, body = match.groups()
        calls = re.findall(r'XLPy\.CallUDF\("([^"]+)", "(\w+)", (Array\([^)]*\))', body)
        out[name] = ([p.strip() for p in params.split(",") if p.strip()], calls)
    return out


def test_xlwings_version_is_one_this_face_is_tested_on():
    assert xlwings.__version__.startswith(TESTED_XLWINGS)


def test_generated_vba_has_one_wrapper_per_registry_function(udfs_module):
    udfs, module = udfs_module
    out = io.StringIO()
    udfs.generate_vba_wrapper(MODULE, module, out, FakeWorkbook("gpucredit.xlam"))
    wrappers = _wrappers(out.getvalue())
    specs = catalogue()
    assert sorted(wrappers) == sorted(f"GPU_{s.name}" for s in specs)
    for spec in specs:
        params, calls = wrappers[f"GPU_{spec.name}"]
        names = [p.removeprefix("Optional ") for p in params]
        assert names == [module.vba_parameter_name(a.name) for a in spec.args]
        # Required first, then Optional for every argument from the first optional one on.
        first_optional = next((i for i, a in enumerate(spec.args) if a.optional), len(spec.args))
        assert [p.startswith("Optional ") for p in params] == [
            i >= first_optional for i in range(len(spec.args))
        ]
        # Both branches (Excel and other hosts) call our module with every argument in order.
        assert calls == [(MODULE, f"GPU_{spec.name}", f"Array({', '.join(names)})")] * 2
    assert "ActiveWorkbook, Application.Caller" in out.getvalue()  # add-ins use ActiveWorkbook
    # The VBA editor refuses physical lines longer than 1023 characters.
    assert max(len(line) for line in out.getvalue().splitlines()) < 1024


def test_import_functions_sets_help_category_and_argument_docs(udfs_module):
    udfs, module = udfs_module
    book = FakeWorkbook("deal.xlsm")
    udfs.udf_modules[MODULE] = {"module": module, "filetime": None, "filename": module.__file__}
    try:
        udfs.import_udfs(MODULE, book)
    finally:
        udfs.udf_modules.pop(MODULE, None)
    assert book.imported.startswith('Attribute VB_Name = "xlwings_udfs"')
    assert "ThisWorkbook, Application.Caller" in book.imported
    options = {macro.split("!")[1]: opts for macro, opts in book.macro_options}
    assert sorted(options) == sorted(f"GPU_{s.name}" for s in catalogue())
    for spec in catalogue():
        got = options[f"GPU_{spec.name}"]
        assert got["Description"] == spec.help
        assert got["Category"] == f"gpucredit: {spec.category}"
        assert got["ArgumentDescriptions"] == [a.description for a in spec.args]


def test_decorator_metadata_range_arguments_are_2d_and_errors_come_as_text(udfs_module):
    _, module = udfs_module
    for spec in catalogue():
        xlf = getattr(module, f"GPU_{spec.name}").__xlfunc__
        first_optional = next((i for i, a in enumerate(spec.args) if a.optional), len(spec.args))
        assert xlf["name"] == f"GPU_{spec.name}"
        assert xlf["ret"]["options"] == {}  # native dynamic arrays spill 2-D lists by themselves
        for info, arg in zip(xlf["args"], spec.args, strict=True):
            assert info["options"] == {"ndim": 2, "err_to_str": True}
            assert info["doc"] == arg.description
            # A missing optional argument reaches call() as None, which fills the registry default.
            assert ("optional" in info) == (info["pos"] >= first_optional)
            if "optional" in info:
                assert info["optional"] is None


def test_legacy_excel_gets_expand_table_on_array_results(monkeypatch, udfs_module):
    _, module = udfs_module
    monkeypatch.setenv("GPUCREDIT_XLWINGS_LEGACY_EXPAND", "1")
    rebuilt = module.build_udfs()
    assert rebuilt["GPU_RENT_CURVE"].__xlfunc__["ret"]["options"] == {"expand": "table"}
    assert rebuilt["GPU_DSCR"].__xlfunc__["ret"]["options"] == {"expand": "table"}
    assert rebuilt["GPU_LGD"].__xlfunc__["ret"]["options"] == {}


# --- behaviour, with values shaped as xlwings hands them over (2-D lists, ndim=2) --------------


def test_dscr_column_with_an_error_cell():
    # 1.3/1.0 = 1.3; zero debt service is #DIV/0! with its reason, as text in that cell only.
    got = plain_module.GPU_DSCR([[1.3], [0.9]], [[1.0], [0.0]])
    assert got[0] == [pytest.approx(1.3)]
    assert got[1][0].startswith("#DIV/0! ")
    assert "debt_service" in got[1][0]


def test_scalar_with_omitted_optionals_uses_registry_defaults():
    # HAZARD_RATE(spread, [recovery=0.35]) = spread/(1-recovery): 0.0675/0.65.
    assert plain_module.GPU_HAZARD_RATE([[0.0675]], None) == pytest.approx(0.0675 / 0.65)
    # OPEX_HOUR() with all defaults: 1.275*1.3*0.08 $/GPU-hour.
    assert plain_module.GPU_OPEX_HOUR(None, None, None, None, None) == pytest.approx(
        1.275 * 1.3 * 0.08
    )


def test_rent_curve_spills_one_row_per_period():
    # 2.0*(1-0.28)^((t-1)/12), t=1..3.
    got = plain_module.GPU_RENT_CURVE([[2.0]], [[3.0]], None, None, None, None, None)
    assert got == [[pytest.approx(2.0 * 0.72 ** ((t - 1) / 12))] for t in (1, 2, 3)]


def test_bad_input_is_a_short_reason_not_a_traceback():
    got = plain_module.GPU_LGD([["lots"]], [[1.0]], None, None)
    assert got.startswith("#VALUE! ") and "ead" in got and "Traceback" not in got


def test_error_cells_and_our_error_text_propagate():
    assert plain_module.GPU_HAZARD_RATE([["#N/A"]], None).startswith("#N/A")
    upstream = plain_module.GPU_DSCR([[1.0]], [[0.0]])
    assert plain_module.GPU_HAZARD_RATE([[upstream]], None) == upstream


def test_vba_parameter_names_avoid_reserved_words():
    assert plain_module.vba_parameter_name("type") == "type_"
    assert plain_module.vba_parameter_name("Caller") == "Caller_"
    assert plain_module.vba_parameter_name("rent0") == "rent0"
    for spec in catalogue():
        for arg in spec.args:  # a reserved word (SENSITIVITY's output) gets a trailing _
            vba = plain_module.vba_parameter_name(arg.name)
            assert vba in (arg.name, f"{arg.name}_"), (spec.name, arg.name)
    # ... and the renamed parameter still reaches the function
    kv = [["gpus", 1.0], ["tenor_years", 2.0]]
    grid = plain_module.GPU_SENSITIVITY(
        kv, [["gpus"]], [[1.0]], [["tenor_years"]], [[2.0]], [["pd"]]
    )
    assert isinstance(grid[0][0], float) and 0.0 <= grid[0][0] <= 1.0


def test_addin_setup_names_the_udf_module():
    conf = (ROOT / "addin" / "xlwings.conf").read_text()
    assert f'"UDF MODULES","{MODULE}"' in conf
    guide = (ROOT / "addin" / "XLWINGS.md").read_text()
    for step in ("pip install gpucredit", "xlwings addin install", MODULE, "Import Functions"):
        assert step in guide
