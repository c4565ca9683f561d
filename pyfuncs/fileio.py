"""Atomic file writes: a temporary file in the same folder, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    ``mode`` gives the file these permission bits from the moment it exists (``0o600`` for a
    private key: the temporary file is created with them, so no one else can ever open it);
    by default the file keeps the mode it had, or gets the default one for a new file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates the file private (os.open with 0600); widen it only to the mode the
        # file has or would get, unless a mode is asked for.
        os.chmod(tmp, _mode_for(path) if mode is None else mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The existing file's permission bits, or the default for a new file under the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text_atomic(path: Path, text: str) -> None:
    """Atomic :func:`write_bytes_atomic` of UTF-8 text."""
    write_bytes_atomic(path, text.encode("utf-8"))


def read_data_file(path: Path, what: str = "file") -> object:
    """The data of a YAML or JSON file (JSON by the ``.json`` suffix), or one readable error.

    The one reader of the command line's YAML/JSON inputs (``refresh --inputs``, ``build
    --inputs``, ``portfolio``). Raises :class:`~pyfuncs.errors.InvalidInputError` with a
    one-line reason that names the file, and the line and column of a syntax error.
    """
    import json

    import yaml

    from pyfuncs.errors import InvalidInputError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError(f"{what} {path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{what} {path} is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {what} {path}: {exc.strerror}") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(
                f"{path} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InvalidInputError(f"{path} is not valid YAML: {where}{problem}") from None
