"""gpucredit's functions in LibreOffice Calc: a Python UNO add-in (``com.sun.star.sheet.AddIn``).

This file runs inside LibreOffice's own Python (on Debian ``/usr/bin/python3`` with
``python3-uno``), never in gpucredit's virtual environment. The extension that carries it holds:

- ``gpucredit.rdb``: the compiled ``org.gpucredit.XGpuCredit`` interface, one method per function;
- ``functions.json``: each function's name, help and argument names (written from the registry
  when the extension is built), so Calc lists the functions without importing numpy;
- ``pythonpath/pyfuncs``: a copy of the gpucredit package. numpy and scipy come from LibreOffice's
  Python (Debian ``python3-numpy`` and ``python3-scipy``).

Calc names a function ``<service name>.<method>``; the service name is ``GPU``, so a workbook's
``GPU.DSCR(...)`` resolves to the method ``DSCR``. Each call goes to
``pyfuncs.excel.libreoffice.bridge.evaluate``, imported on the first call.

When the environment variable ``GPUCREDIT_LO_STATUS`` names a file, the add-in records there, as
JSON, the Python and libraries it runs on, the methods Calc's reflection sees, and any import
error; ``pyfuncs.refresh.libreoffice`` reads it after each run.
"""

import json
import os
import struct
import sys
import traceback

import unohelper
from com.sun.star.lang import Locale, XLocalizable, XServiceInfo, XServiceName
from com.sun.star.sheet import LocalizedName, XAddIn, XCompatibilityNames
from org.gpucredit import XGpuCredit

HERE = os.path.dirname(os.path.abspath(__file__))
IMPLEMENTATION = "org.gpucredit.GpuCreditAddIn"
ADDIN_SERVICE = "com.sun.star.sheet.AddIn"

with open(os.path.join(HERE, "functions.json"), encoding="utf-8") as _handle:
    META = json.load(_handle)
FUNCTIONS = {entry["name"]: entry for entry in META["functions"]}
NAMESPACE = META["namespace"]

# Our copy of pyfuncs comes first: LibreOffice's loader appends this folder to sys.path, after
# any other pyfuncs the system Python may know (an editable install of a checkout, say).
_PYTHONPATH = os.path.join(HERE, "pythonpath")
if _PYTHONPATH in sys.path:
    sys.path.remove(_PYTHONPATH)
sys.path.insert(0, _PYTHONPATH)

# Calc's error number for #VALUE! inside a NaN, for when pyfuncs itself cannot be imported.
_VALUE_ERROR = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_0000_0000 | 519))[0]
_STATUS = {"loaded": True, "python": sys.version, "prefix": sys.prefix}


def _write_status(**items):
    """Merge ``items`` into the status file named by GPUCREDIT_LO_STATUS (atomically)."""
    _STATUS.update(items)
    path = os.environ.get("GPUCREDIT_LO_STATUS")
    if not path:
        return
    try:
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(_STATUS, handle, indent=1, default=str)
        os.replace(tmp, path)
    except OSError:
        pass  # diagnostics only; never fail a calculation over them


_bridge = None


def _load_bridge():
    """Import the bridge (and with it pyfuncs, numpy, scipy) once, recording where they came from."""
    global _bridge
    if _bridge is None:
        try:
            import numpy
            import scipy

            import pyfuncs
            from pyfuncs.excel.libreoffice import bridge
        except Exception:
            _write_status(import_error=traceback.format_exc(limit=3))
            raise
        _write_status(
            numpy=numpy.__version__,
            numpy_file=numpy.__file__,
            scipy=scipy.__version__,
            scipy_file=scipy.__file__,
            pyfuncs=pyfuncs.__version__,
            pyfuncs_file=pyfuncs.__file__,
            import_error=None,
        )
        _bridge = bridge
    return _bridge


def _interface_methods(ctx):
    """The methods of XGpuCredit as Calc's reflection sees them (names, parameter types)."""
    reflection = ctx.getValueByName("/singletons/com.sun.star.reflection.theCoreReflection")
    interface = reflection.forName("org.gpucredit.XGpuCredit")
    methods = {}
    for method in interface.getMethods():
        if method.getDeclaringClass().getName() != interface.getName():
            continue  # queryInterface, acquire, release
        params = method.getParameterInfos()
        methods[method.getName()] = {
            "params": [p.aName for p in params],
            "types": [p.aType.getName() for p in params],
            "returns": method.getReturnType().getName(),
        }
    return methods


class GpuCreditAddIn(
    unohelper.Base,
    XGpuCredit,
    XAddIn,
    XCompatibilityNames,
    XServiceName,
    XServiceInfo,
    XLocalizable,
):
    """The add-in object Calc creates; one method per catalogue function is added below."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.locale = Locale("en", "US", "")
        try:
            _write_status(methods=_interface_methods(ctx))
        except Exception:
            _write_status(methods=None, reflection_error=traceback.format_exc(limit=3))

    def _evaluate(self, name, args):
        matrix = FUNCTIONS[name]["matrix"]
        try:
            bridge = _load_bridge()
        except Exception:
            return ((_VALUE_ERROR,),) if matrix else _VALUE_ERROR
        return bridge.evaluate(name, args, matrix)

    # XAddIn: names and help for Calc's function wizard. (The UNO method really is spelled
    # "Funtion".) Display names carry the namespace so users type GPU.DSCR as in Excel.
    def getProgrammaticFuntionName(self, display_name):
        name = display_name.strip().upper()
        if name.startswith(NAMESPACE + "."):
            name = name[len(NAMESPACE) + 1 :]
        return name if name in FUNCTIONS else ""

    def getDisplayFunctionName(self, name):
        return FUNCTIONS[name]["display"] if name in FUNCTIONS else ""

    def getFunctionDescription(self, name):
        return FUNCTIONS[name]["help"] if name in FUNCTIONS else ""

    def getDisplayArgumentName(self, name, index):
        args = FUNCTIONS.get(name, {}).get("args", [])
        return args[index]["name"] if 0 <= index < len(args) else ""

    def getArgumentDescription(self, name, index):
        args = FUNCTIONS.get(name, {}).get("args", [])
        return args[index]["help"] if 0 <= index < len(args) else ""

    def getProgrammaticCategoryName(self, name):
        return "Add-In"

    def getDisplayCategoryName(self, name):
        return "Add-In"

    # XCompatibilityNames: the name Excel stores for our Office.js functions. LibreOffice 7.4
    # does not use it when it opens an .xlsx (measured), hence the rewrite in
    # pyfuncs.excel.libreoffice.spelling; it costs nothing and helps the binary .xls import.
    def getCompatibilityNames(self, name):
        if name not in FUNCTIONS:
            return ()
        return (LocalizedName(Locale("en", "US", ""), FUNCTIONS[name]["stored"]),)

    # XServiceName: the namespace, so Calc's name for DSCR is "GPU.DSCR".
    def getServiceName(self):
        return NAMESPACE

    # XServiceInfo
    def getImplementationName(self):
        return IMPLEMENTATION

    def supportsService(self, name):
        return name in self.getSupportedServiceNames()

    def getSupportedServiceNames(self):
        return (ADDIN_SERVICE, NAMESPACE)

    # XLocalizable
    def setLocale(self, locale):
        self.locale = locale

    def getLocale(self):
        return self.locale


def _method(name):
    def method(self, *args):
        return self._evaluate(name, args)

    method.__name__ = name
    method.__doc__ = FUNCTIONS[name]["help"]
    return method


for _name in FUNCTIONS:
    setattr(GpuCreditAddIn, _name, _method(_name))

g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(GpuCreditAddIn, IMPLEMENTATION, (ADDIN_SERVICE, NAMESPACE))
