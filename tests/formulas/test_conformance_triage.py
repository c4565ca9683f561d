"""Rows of LibreOffice's function test documents triaged against Excel: where Excel agrees
with LibreOffice, the engine's fix, each expected value from Microsoft's documentation, an
Excel-saved file or a hand calculation written out here (tests/data/conformance/libreoffice/)."""

from __future__ import annotations

import pytest
from formula_engine import Err, evaluate


@pytest.mark.parametrize(
    "formula",
    ["=BIN2HEX(TRUE)", "=BIN2OCT(TRUE)", "=BIN2DEC(FALSE)", "=HEX2DEC(TRUE)", "=OCT2HEX(A1)"],
)
def test_base_conversions_take_no_logical_value(formula):
    # Excel's Analysis ToolPak functions take no TRUE/FALSE: EDATE(366,FALSE) is #VALUE! in
    # pycel's date-time.xlsx (saved by Excel); LibreOffice reads TRUE as 1 (bin2hex.fods).
    assert evaluate(formula, {"A1": True}) == Err("#VALUE!")


def test_base_conversions_still_read_numbers_and_text():
    # Microsoft's BIN2HEX and HEX2DEC examples.
    assert evaluate("=BIN2HEX(11111011,4)") == "00FB"
    assert evaluate('=HEX2DEC("A5")') == 165
