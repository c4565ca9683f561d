"""Excel conventions: values in and out, errors, and the faces that Excel loads."""

from pyfuncs.excel.dispatch import call, format_result

__all__ = ["call", "format_result"]
