"""The LibreOffice add-in's parts that need no LibreOffice: interface, bridge, spelling, package."""

from __future__ import annotations

import json
import math
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

import pyfuncs
from pyfuncs import ExcelError
from pyfuncs.catalogue import REGISTRY, catalogue
from pyfuncs.errors import EXCEL_ERROR_CODES
from pyfuncs.excel import libreoffice as lo_addin
from pyfuncs.excel.libreoffice import bridge, idl
from pyfuncs.excel.libreoffice.spelling import calc_formula, respell_workbook
from pyfuncs.refresh.libreoffice import LibreOfficeError, _check_addin, computed_values

#: LibreOffice's error numbers, from include/formula/errorcodes.hxx (enum class FormulaError),
#: written out here rather than read from the module under test.
LIBREOFFICE_FORMULA_ERROR = {
    "NoCode": 521,  # shown as #NULL!
    "DivisionByZero": 532,  # #DIV/0!
    "NoValue": 519,  # #VALUE!
    "NoRef": 524,  # #REF!
    "NoName": 525,  # #NAME?
    "IllegalFPOperation": 503,  # #NUM!
    "NotAvailable": 0x7FFF,  # #N/A
}


def payload(value: float) -> int:
    """The low 32 bits of a double, where LibreOffice keeps an error number inside a NaN."""
    return struct.unpack("<Q", struct.pack("<d", value))[0] & 0xFFFFFFFF


# --- the interface ------------------------------------------------------------------------------


def test_committed_idl_and_rdb_are_current():
    assert lo_addin.stale_sources() == []
    committed = lo_addin.IDL_FILE.read_text(encoding="utf-8")
    assert committed == idl.interface_idl()
    rdb = lo_addin.RDB_FILE.read_bytes()
    assert rdb.startswith(b"UNOIDL\xff\x00"), "not a type library written by unoidl-write"
    for spec in catalogue():
        assert spec.name.encode() in rdb, f"{spec.name} is missing from gpucredit.rdb"


def test_staleness_is_detected(tmp_path, monkeypatch):
    idl_copy = tmp_path / "XGpuCredit.idl"
    idl_copy.write_text(idl.interface_idl().replace("DSCR(", "DSCR_OLD("), encoding="utf-8")
    monkeypatch.setattr(lo_addin, "IDL_FILE", idl_copy)
    problems = lo_addin.stale_sources()
    assert any("stale" in p for p in problems) and problems[-1].endswith("excel.libreoffice build")
    # The IDL is current but the .rdb was compiled from other text.
    idl_copy.write_text(idl.interface_idl(), encoding="utf-8")
    stamp = tmp_path / "gpucredit.rdb.sha256"
    stamp.write_text("0" * 64 + "  XGpuCredit.idl\n", encoding="utf-8")
    monkeypatch.setattr(lo_addin, "RDB_SOURCE_FILE", stamp)
    assert any("another IDL" in p for p in lo_addin.stale_sources())
    with pytest.raises(lo_addin.AddInBuildError, match="another IDL"):
        lo_addin.build_extension(tmp_path / "ext")


def test_every_function_is_declared_with_its_arguments():
    text = idl.interface_idl()
    for spec in catalogue():
        line = next(x for x in text.splitlines() if re.search(rf"\b{spec.name}\(", x))
        returns = "sequence< sequence< any > >" if spec.result.kind != "scalar" else "any "
        assert line.strip().startswith(returns.strip()), spec.name
        assert line.count("[in] any ") == len(spec.args), spec.name


@pytest.mark.parametrize(
    ("name", "uno"),
    [("debt_service", "debtService"), ("rent_1y", "rent1y"), ("pd", "pd"), ("type", "typeValue")],
)
def test_argument_names_become_unoidl_identifiers(name, uno):
    assert idl.parameter_name(name) == uno


def test_names_unoidl_cannot_declare_are_refused():
    spec = REGISTRY["DSCR"]
    for bad in ("X__Y", "X_"):
        with pytest.raises(ValueError, match="UNOIDL"):
            idl.method_name(type(spec)(**{**spec.__dict__, "name": bad}))


# --- the bridge ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("#NULL!", LIBREOFFICE_FORMULA_ERROR["NoCode"]),
        ("#DIV/0!", LIBREOFFICE_FORMULA_ERROR["DivisionByZero"]),
        ("#VALUE!", LIBREOFFICE_FORMULA_ERROR["NoValue"]),
        ("#REF!", LIBREOFFICE_FORMULA_ERROR["NoRef"]),
        ("#NAME?", LIBREOFFICE_FORMULA_ERROR["NoName"]),
        ("#NUM!", LIBREOFFICE_FORMULA_ERROR["IllegalFPOperation"]),
        ("#N/A", LIBREOFFICE_FORMULA_ERROR["NotAvailable"]),
        ("#SPILL!", LIBREOFFICE_FORMULA_ERROR["NoValue"]),  # Calc 7.4 has no #SPILL!
        ("#CALC!", LIBREOFFICE_FORMULA_ERROR["NoValue"]),  # nor #CALC!
    ],
)
def test_errors_travel_as_nans_carrying_libreoffices_error_number(code, number):
    value = bridge.coded_error(code)
    assert math.isnan(value) and payload(value) == number
    assert bridge.error_number(value) == number
    assert bridge.error_number(1.5) is None


def test_every_error_gpucredit_returns_has_a_calc_form():
    assert set(bridge.CALC_ERROR_NUMBERS) == set(EXCEL_ERROR_CODES)


def test_scalar_results_come_back_as_values_or_coded_errors():
    # x^2 + x + 1 = 3 * 5.4 / 7.2 with x = 1 - d (docs/domain.md section 1).
    x = (-1 + math.sqrt(1 - 4 * (1 - 3 * 5.4 / 7.2))) / 2
    assert bridge.evaluate("IMPLIED_DECLINE", (7.2, 5.4, 3.0), False) == pytest.approx(1 - x)
    assert payload(bridge.evaluate("LGD", (1.0, None, None, None), False)) == 519  # required
    assert bridge.evaluate("NO_SUCH", (), False) != bridge.evaluate("NO_SUCH", (), False)  # NaN


def test_matrix_results_are_rows_of_cells_and_errors_stay_in_their_cell():
    # Calc passes ranges as tuples of row tuples and blanks inside them as "".
    out = bridge.evaluate("DSCR", (((2.0,), (3.0,), ("",)), ((1.0,), (0.0,), (1.0,))), True)
    assert out[0] == (2.0,)
    assert payload(out[1][0]) == 532  # #DIV/0! for the zero, the other cells computed
    assert out[2] == ("",)  # a blank input gives a blank result (empty text: MIN skips it)
    # A whole-call error becomes a 1x1 matrix, which Calc repeats over the array range.
    (only,) = bridge.evaluate("RENT_CURVE", (2.0, -1.0, None, None, None, None, None), True)
    assert len(only) == 1 and payload(only[0]) == 503
    table = bridge.evaluate("DEBT_SCHEDULE", (1200.0, 0.0, 1.0, 12.0, None, None, True), True)
    assert table[0] == REGISTRY["DEBT_SCHEDULE"].result.columns
    assert table[1][:5] == (1.0, 1200.0, 0.0, 100.0, 100.0)


# --- spelling -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "calc", "rewritten", "calls"),
    [
        ("_xldudf_GPU_DSCR(A1,B1)", "GPU.DSCR(A1,B1)", 1, 1),
        ("SUM(_xldudf_gpu_rent_curve(2,12))*2", "SUM(GPU.RENT_CURVE(2,12))*2", 1, 1),
        ("GPU_DSCR(A1,B1)+GPU.LTV(1,2)", "GPU.DSCR(A1,B1)+GPU.LTV(1,2)", 1, 2),
        (
            'IF(A1,"_xldudf_GPU_DSCR(",_xldudf_GPU_LTV(1,2))',
            'IF(A1,"_xldudf_GPU_DSCR(",GPU.LTV(1,2))',
            1,
            1,
        ),
        ("_xldudf_GPU_NOPE(1)+MYGPU_DSCR(1)+Sheet.GPU_DSCR(1)", None, 0, 0),
        ("GPU_GPU_DSCR(1)", None, 0, 0),
    ],
)
def test_calls_are_respelled_for_calc(formula, calc, rewritten, calls):
    assert calc_formula(formula) == (calc or formula, rewritten, calls)


def test_respelling_copies_every_other_part_byte_for_byte(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = '=_xldudf_GPU_DSCR(2,1)&"<&>"'
    sheet["A2"] = "_xldudf_GPU_DSCR( stays text"
    book.create_sheet("Other")["B2"] = "=1+1"
    source = tmp_path / "in.xlsx"
    book.save(source)
    before = source.read_bytes()
    done = respell_workbook(source, tmp_path / "out.xlsx")
    assert (done.rewritten, done.calls) == (1, 1)
    assert source.read_bytes() == before
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(tmp_path / "out.xlsx") as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed == ["xl/worksheets/sheet1.xml"]
    copy = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert copy["A1"].value == '=GPU.DSCR(2,1)&"<&>"'
    assert copy["A2"].value == "_xldudf_GPU_DSCR( stays text"


# --- the package --------------------------------------------------------------------------------


def test_extension_holds_interface_component_metadata_and_our_package(tmp_path):
    root = lo_addin.build_extension(tmp_path / "gpucredit")
    manifest = (root / "META-INF" / "manifest.xml").read_text(encoding="utf-8")
    for part in ("gpucredit.rdb", "gpucredit.components"):
        assert f'manifest:full-path="{part}"' in manifest and (root / part).is_file()
    assert 'uri="./gpucredit_addin.py"' in (root / "gpucredit.components").read_text()
    assert f'value="{pyfuncs.__version__}"' in (root / "description.xml").read_text()
    meta = json.loads((root / "functions.json").read_text(encoding="utf-8"))
    assert meta["namespace"] == "GPU"
    assert [f["name"] for f in meta["functions"]] == [s.name for s in catalogue()]
    dscr = next(f for f in meta["functions"] if f["name"] == "DSCR")
    assert dscr["display"] == "GPU.DSCR" and dscr["stored"] == "_xldudf_GPU_DSCR"
    assert [a["name"] for a in dscr["args"]] == ["cfads", "debt_service"] and dscr["matrix"]
    copied = root / "pythonpath" / "pyfuncs"
    assert (copied / "__init__.py").read_text() == Path(pyfuncs.__file__).read_text()
    assert (copied / "excel" / "libreoffice" / "bridge.py").is_file()
    assert (
        not list(copied.rglob("__pycache__"))
        and not (copied / "workbook/lo_addin/extension").exists()
    )


def test_oxt_is_a_zip_of_the_extension(tmp_path):
    path = lo_addin.build_oxt(tmp_path / "dist" / "gpucredit.oxt")
    with zipfile.ZipFile(path) as oxt:
        names = set(oxt.namelist())
    for part in (
        "META-INF/manifest.xml",
        "description.xml",
        "gpucredit.rdb",
        "gpucredit_addin.py",
        "functions.json",
        "pythonpath/pyfuncs/excel/dispatch.py",
    ):
        assert part in names


def test_module_command_checks_and_packages(tmp_path, capsys):
    from pyfuncs.excel.libreoffice.__main__ import main

    assert main(["check"]) == 0 and "up to date" in capsys.readouterr().out
    assert main(["oxt", str(tmp_path / "g.oxt")]) == 0 and (tmp_path / "g.oxt").is_file()


# --- reading what LibreOffice computed, and refusing a broken add-in ----------------------------


def test_an_addin_that_could_not_import_numpy_is_reported():
    with pytest.raises(LibreOfficeError, match="python3-numpy"):
        _check_addin({"python": "3.11.2 (main)", "import_error": "ModuleNotFoundError: numpy\n"})
    with pytest.raises(LibreOfficeError, match="python3-uno"):
        _check_addin(None)
    with pytest.raises(LibreOfficeError, match="missing: DSCR"):
        methods = idl.expected_methods()
        del methods["DSCR"]
        _check_addin({"import_error": None, "methods": methods})


def test_computed_values_reads_numbers_text_booleans_errors_and_array_ranges(tmp_path):
    sheet_xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1"><v>2</v></c><c r="B1"><f>A1*2</f><v>4</v></c>'
        '<c r="C1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D1" t="str"><f>"a"</f><v>a</v></c>'
        '<c r="E1" t="b"><f>TRUE()</f><v>1</v></c><c r="F1" t="s"><v>0</v></c></row>'
        '<row r="2"><c r="A2"><f t="array" ref="A2:B3">X</f><v>1</v></c><c r="B2"><v>2</v></c></row>'
        '<row r="3"><c r="A3" t="e"><v>#N/A</v></c><c r="B3"><v>4.5</v></c></row>'
        "</sheetData></worksheet>"
    )
    path = tmp_path / "lo.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats'
            '.org/officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        package.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Deal" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
            '<Relationship Id="rId2" Target="sharedStrings.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
            "</Relationships>",
        )
        package.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        package.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            "<si><r><t>ri</t></r><r><t>ch</t></r></si></sst>",
        )
    values = computed_values(path)
    assert values == {
        ("Deal", "B1"): 4.0,
        ("Deal", "C1"): ExcelError("#DIV/0!", "computed by LibreOffice"),
        ("Deal", "D1"): "a",
        ("Deal", "E1"): True,
        ("Deal", "A2"): 1.0,
        ("Deal", "B2"): 2.0,
        ("Deal", "A3"): ExcelError("#N/A", "computed by LibreOffice"),
        ("Deal", "B3"): 4.5,
    }
    everything = computed_values(path, formulas_only=False)
    assert everything[("Deal", "A1")] == 2.0 and everything[("Deal", "F1")] == "rich"
