"""``python -m pyfuncs.excel.libreoffice build|check|oxt``: regenerate, check or package the add-in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pyfuncs.excel.libreoffice import AddInBuildError, build_oxt, compile_interface, stale_sources


def main(argv: list[str] | None = None) -> int:
    """Run the command; the exit status is 0 on success, 1 on a readable failure."""
    parser = argparse.ArgumentParser(
        prog="python -m pyfuncs.excel.libreoffice",
        description="The LibreOffice Calc add-in that exposes gpucredit's functions as GPU.*.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "build", help="regenerate XGpuCredit.idl from the registry and compile gpucredit.rdb"
    )
    commands.add_parser("check", help="exit 1 when the committed IDL or .rdb is stale")
    oxt = commands.add_parser("oxt", help="write an installable extension (.oxt)")
    oxt.add_argument("path", nargs="?", default="dist/gpucredit.oxt", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            written = compile_interface()
            print("\n".join(written) if written else "up to date")
        elif args.command == "check":
            problems = stale_sources()
            if problems:
                print("\n".join(problems), file=sys.stderr)
                return 1
            print("up to date")
        else:
            print(build_oxt(args.path))
    except AddInBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
