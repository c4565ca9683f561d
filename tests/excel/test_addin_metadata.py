"""functions.json against Microsoft's pinned schema: the committed file, and cases that must fail."""

from __future__ import annotations

import copy
import json

import pytest
from jsonschema import ValidationError
from live_server import ROOT
from microsoft_schema import python_pattern, validate_functions_json

from pyfuncs.excel.officejs import DESCRIPTION_LIMIT, functions_metadata, short_description

COMMITTED = json.loads((ROOT / "addin" / "functions.json").read_text(encoding="utf-8"))


def test_committed_and_generated_metadata_pass_microsofts_schema():
    validate_functions_json(COMMITTED)
    validate_functions_json(functions_metadata("https://localhost:8443/reference"))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("description",), "x" * 129),  # over v1.26's 128 characters
        (("parameters", 0, "description"), "y" * 129),
        (("id",), "1ABC"),  # must start with a letter
        (("name",), "A B"),  # letters, digits, periods, underscores only
        (("result", "dimensionality"), "vector"),
        (("options", "requiresParameterAddresses"), "yes"),  # a boolean
        (("options", "requiresParameterAdresses"), True),  # not an option Microsoft defines
    ],
)
def test_the_schema_check_fails_on_what_microsoft_forbids(path, value):
    broken = copy.deepcopy(COMMITTED)
    target = broken["functions"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        validate_functions_json(broken)


def test_letter_pattern_is_read_as_unicode_letters():
    pattern = python_pattern(r"^[\p{L}][\p{L}0-9._]*$")
    import re

    assert re.search(pattern, "Äbc.1_x") and not re.search(pattern, "1bc")
    assert not re.search(pattern, "_bc")


def test_descriptions_are_cut_at_a_word_with_an_ellipsis():
    text = "word " * 40
    short = short_description(text)
    assert len(short) <= DESCRIPTION_LIMIT and short.endswith("\u2026")
    assert text.startswith(short[:-1])
    assert short_description("short help.") == "short help."
