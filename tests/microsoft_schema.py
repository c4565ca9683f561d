"""Validate custom-functions metadata against Microsoft's schema pinned in tests/data/.

The pinned file is the custom-functions part of Microsoft's app manifest schema v1.26 (origin and
licence in its ``$comment``; tests/js/metadata.test.mjs checks it is verbatim and validates with
ajv against the npm package's files). Its name pattern uses ``\\p{L}`` (any letter), which
Python's ``re`` lacks, so this validator reads ``[\\p{L}...]`` as "a letter or one of ..."
(``[^\\W\\d_]`` is a Unicode letter in ``re``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft4Validator, ValidationError

SCHEMA = Path(__file__).resolve().parent / "data" / "custom-functions-metadata.schema.json"
_LETTER_CLASS = re.compile(r"\[\\p\{L\}([^\]]*)\]")


def python_pattern(pattern: str) -> str:
    """A JSON Schema pattern with ``[\\p{L}...]`` classes in Python ``re`` syntax."""
    translated = _LETTER_CLASS.sub(
        lambda m: f"(?:[^\\W\\d_]|[{m.group(1)}])" if m.group(1) else "[^\\W\\d_]", pattern
    )
    if "\\p" in translated:
        raise ValueError(f"unsupported pattern {pattern!r}")
    return translated


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not re.search(python_pattern(pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(Draft4Validator, {"pattern": _pattern})


def flattened(entry: dict[str, Any]) -> dict[str, Any]:
    """A functions.json entry as the unified manifest has it: options on the function itself."""
    out = {k: v for k, v in entry.items() if k != "options"}
    for key, value in entry.get("options", {}).items():
        out["requiresParameterAddress" if key == "requiresParameterAddresses" else key] = value
    return out


def validate_functions_json(metadata: dict[str, Any]) -> None:
    """Raise ``ValidationError`` unless ``metadata`` passes Microsoft's pinned schema.

    Top-level keys are those of "Manually create JSON metadata for custom functions"
    (learn.microsoft.com/office/dev/add-ins/excel/custom-functions-json).
    """
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = _Validator(schema)
    validator.validate(metadata)
    allowed = {"allowCustomDataForDataTypeAny", "allowErrorForDataTypeAny", "functions", "enums"}
    extra = set(metadata) - allowed
    if extra:
        raise ValidationError(f"unknown top-level keys {sorted(extra)}")
    function_schema = {
        **schema["definitions"]["extensionFunction"],
        "definitions": schema["definitions"],
    }
    known = set(schema["definitions"]["extensionFunction"]["properties"])
    for entry in metadata["functions"]:
        flat = flattened(entry)
        _Validator(function_schema).validate(flat)
        unknown = set(flat) - known
        if unknown:
            raise ValidationError(
                f"{entry.get('id')}: options Microsoft does not define: {unknown}"
            )
