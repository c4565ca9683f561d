"""The built-in registry refuses a second function under a name already taken: otherwise the
module imported last would silently win."""

from __future__ import annotations

import pytest

from pyfuncs.formulas.builtins import BUILTINS
from pyfuncs.formulas.builtins.registry import builtin


def test_a_name_taken_twice_is_refused():
    def another_sum(*args):
        return 0.0

    with pytest.raises(ValueError, match="SUM is registered twice"):
        builtin("SUM", params="r*")(another_sum)
    assert BUILTINS["SUM"].fn is not another_sum
