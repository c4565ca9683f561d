"""The add-in files Excel loads, rendered for the server's own address from ``addin/``.

``manifest.template.xml`` and ``functions.js`` are written by hand; what they need from the
registry (function ids, parameter counts, which results spill) and from the server (its URL) is
filled in here, so nothing lists the functions a second time.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any

from pyfuncs import __version__
from pyfuncs.catalogue import CATEGORY_ORDER, NAMESPACE, catalogue, format_default
from pyfuncs.excel.officejs import MATRIX_RESULT_KINDS, functions_metadata, is_heavy

#: The marker in addin/functions.js that the server replaces with its configuration.
CONFIG_MARKER = "/*@GPUCREDIT_CONFIG@*/ null"


def manifest_version() -> str:
    """Office wants four numeric parts: 0.1.0 -> 0.1.0.0."""
    parts = [p for p in __version__.split(".") if p.isdigit()][:4]
    return ".".join(parts + ["0"] * (4 - len(parts)))


@lru_cache(maxsize=8)
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def render_manifest(addin_dir: Path, base_url: str) -> str:
    """The XML manifest with every URL pointing at ``base_url``."""
    template = Template(_read(addin_dir / "manifest.template.xml"))
    return template.substitute(
        base_url=html.escape(base_url, quote=True),
        version=manifest_version(),
        namespace=NAMESPACE,
    )


def render_functions_json(base_url: str) -> str:
    """functions.json as committed, plus each function's ``helpUrl`` on this server."""
    return json.dumps(functions_metadata(f"{base_url}/reference"), ensure_ascii=False)


def functions_js_config(base_url: str, limits: dict[str, int] | None = None) -> dict[str, Any]:
    """CONFIG of functions.js: settings (``limits`` = the server's request limits) and functions."""
    return {
        "settings": {"baseUrl": base_url, "namespace": NAMESPACE, "server": limits or {}},
        "functions": {
            spec.name: {
                "params": len(spec.args),
                "matrix": spec.result.kind in MATRIX_RESULT_KINDS,
                "heavy": is_heavy(spec),
            }
            for spec in catalogue()
        },
    }


def render_functions_js(
    addin_dir: Path, base_url: str, limits: dict[str, int] | None = None
) -> str:
    """addin/functions.js with its configuration filled in (``limits``: ``maxBodyBytes``, ...)."""
    source = _read(addin_dir / "functions.js")
    if CONFIG_MARKER not in source:
        raise RuntimeError(f"{addin_dir / 'functions.js'} lost its {CONFIG_MARKER} marker")
    config = json.dumps(functions_js_config(base_url, limits), separators=(",", ":"))
    # "</" cannot end a script element early when the file is inlined into a page.
    return source.replace(CONFIG_MARKER, config.replace("</", "<\\/"), 1)


def render_reference() -> str:
    """An HTML function reference with one anchor per function id (the helpUrl targets)."""
    esc = html.escape
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>gpucredit function reference</title>",
        "<style>body{font:14px/1.45 'Segoe UI',system-ui,sans-serif;margin:2em;max-width:60em}"
        "code{font-family:Consolas,monospace}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
        "h3{margin-top:1.6em}</style></head><body>",
        "<h1>gpucredit function reference</h1>",
        f"<p>Type <code>={NAMESPACE}.NAME(...)</code> with the Office add-in, "
        f"<code>={NAMESPACE}_NAME(...)</code> with xlwings on Windows. Bad input gives an Excel "
        "error with a one-line reason.</p>",
    ]
    specs = catalogue()
    for category in CATEGORY_ORDER:
        members = [s for s in specs if s.category == category]
        if not members:
            continue
        out.append(f"<h2>{esc(category)}</h2>")
        for spec in members:
            out.append(f"<h3 id='{spec.name}'><code>{esc(spec.officejs_name)}</code></h3>")
            out.append(f"<p><code>{esc(spec.signature)}</code></p><p>{esc(spec.help)}</p>")
            if spec.args:
                out.append(
                    "<table><tr><th>argument</th><th>default</th><th>blank cell</th>"
                    "<th>meaning</th></tr>"
                )
                for arg in spec.args:
                    default = format_default(arg.default) if arg.optional else "required"
                    out.append(
                        f"<tr><td><code>{esc(arg.name)}</code></td><td>{esc(default or 'blank')}"
                        f"</td><td>{esc(arg.blank)}</td><td>{esc(arg.help)}</td></tr>"
                    )
                out.append("</table>")
            columns = f": {', '.join(spec.result.columns)}" if spec.result.columns else ""
            out.append(f"<p>Result: {esc(spec.result.kind + columns)}. {esc(spec.result.help)}</p>")
    out.append("</body></html>")
    return "\n".join(out)
