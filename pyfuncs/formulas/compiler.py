"""Formulas compiled into Python closures ``f(row, col)``, once per shape.

A formula's tree (:mod:`pyfuncs.formulas.parser`) does not depend on its host cell (relative
references are offsets), so a filled-down column or a shared formula compiles to one closure,
and identical trees on one sheet share it. Compiling is where whatever cannot be evaluated (an
unknown function, an external reference) is found, before anything is computed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas import references
from pyfuncs.formulas.builtins import BUILTINS, Builtin
from pyfuncs.formulas.parser import MAX_COL, MAX_ROW, FormulaSyntaxError, parse_formula
from pyfuncs.formulas.problems import UnsupportedFormulaError
from pyfuncs.formulas.schedule import PENDING, WAITING
from pyfuncs.formulas.values import FLOAT_OPS, REF, Arr, Ref, XlError, lift, num, scalar_op
from pyfuncs.xlsx.reader import DefinedName

if TYPE_CHECKING:
    from pyfuncs.formulas.evaluator import Evaluator


class Compiler:
    """The compiling part of :class:`~pyfuncs.formulas.evaluator.Evaluator`."""

    let_scopes: list[dict[str, Callable]]  # LET names being compiled, innermost last

    def compile(self, node: Any, array: bool, sheet: int) -> Callable[[int, int], Any]:
        if self.let_scopes:  # LET's names shadow defined names: no sharing inside a LET
            return self._compile(node, array, sheet)
        key = (node, array, sheet)
        fn = self._compiled.get(key)
        if fn is None:
            fn = self._compile(node, array, sheet)
            self._compiled[key] = fn
        return fn

    def _compile(self, node: Any, array: bool, sheet: int) -> Callable[[int, int], Any]:
        kind = node[0]
        if kind in ("num", "str", "bool"):
            value = node[1]
            return lambda r, c: value
        if kind == "err":
            err = ExcelError(node[1], "error in the formula")
            return lambda r, c: err
        if kind == "missing":
            return lambda r, c: None
        if kind == "arr":
            constant = Arr(
                [[ExcelError(v[1]) if isinstance(v, tuple) else v for v in row] for row in node[1]]
            )
            return lambda r, c: constant
        if kind == "ref":
            return self._compile_ref(node, sheet)
        if kind == "name":
            return self._compile_name(node, array, sheet)
        if kind in ("neg", "pos", "pct", "single"):
            return self._compile_unary(kind, self.compile(node[1], array, sheet), array)
        if kind == "bin":
            return self._compile_binary(node, array, sheet)
        if kind == "range":
            return self._compile_range(node, array, sheet)
        if kind == "call":
            return self._compile_call(node[1], node[2], array, sheet)
        if kind == "gpu":
            return self._compile_gpu(node[1], node[2], array, sheet)
        if kind == "struct":
            return references.compile_struct(self, node, sheet)  # type: ignore[arg-type]
        if kind == "union":
            return references.compile_union(self, node, array, sheet)  # type: ignore[arg-type]
        if kind == "isect":
            return references.compile_isect(self, node, array, sheet)  # type: ignore[arg-type]
        if kind == "ref3d":
            return references.compile_ref3d(self, node, sheet)  # type: ignore[arg-type]
        raise UnsupportedFormulaError(f"unsupported formula element {kind}")

    def _sheet_of(self, name: str | None, sheet: int) -> int | None:
        if name is None:
            return sheet
        return self.sheet_index.get(name.casefold())

    def _compile_ref(self, node: Any, sheet: int) -> Callable[[int, int], Any]:
        _, sheet_name, r1, ra1, c1, ca1, r2, ra2, c2, ca2 = node
        target = self._sheet_of(sheet_name, sheet)
        if target is None:
            return lambda r, c: REF
        if ra1 and ca1 and ra2 and ca2:
            ref = Ref(target, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
            return lambda r, c: ref

        def make(r: int, c: int) -> Any:
            a = r1 if ra1 else r + r1
            b = c1 if ca1 else c + c1
            d = r2 if ra2 else r + r2
            e = c2 if ca2 else c + c2
            if a < 1 or b < 1 or d < 1 or e < 1 or max(a, d) > MAX_ROW or max(b, e) > MAX_COL:
                return REF
            return Ref(target, min(a, d), min(b, e), max(a, d), max(b, e))

        return make

    def _compile_name(self, node: Any, array: bool, sheet: int) -> Callable[[int, int], Any]:
        _, qualifier, name = node
        if qualifier is None:
            for names in reversed(self.let_scopes):
                bound = names.get(references.let_name(name))
                if bound is not None:
                    return bound
        scope = sheet if qualifier is None else self._sheet_of(qualifier, sheet)
        defined: DefinedName | None = None
        if scope is not None:
            defined = self.book.name_lookup(name, scope)
            if qualifier is not None and defined is not None and defined.sheet_index != scope:
                defined = None
        if defined is None:
            missing = ExcelError("#NAME?", f"no defined name {name!r}")
            return lambda r, c: missing
        token = f"{defined.sheet_index}:{defined.name.casefold()}"
        if token in self._names_compiling:
            raise UnsupportedFormulaError(f"defined name {name} refers to itself")
        self._names_compiling.add(token)
        try:
            tree = parse_cached(defined.text, (1, 1))
            return self.compile(tree, array, sheet)
        except FormulaSyntaxError as exc:
            raise UnsupportedFormulaError(f"defined name {name}: {exc}") from None
        finally:
            self._names_compiling.discard(token)

    def _compile_unary(self, kind: str, operand: Callable, array: bool) -> Callable:
        value = self.value_of

        if kind == "single":

            def single(r: int, c: int) -> Any:
                x = operand(r, c)
                if type(x) is Ref:
                    return self.intersect(x, r, c)
                if type(x) is Arr:
                    return x.values[0][0]
                return x

            return single

        def scalar(x: Any) -> Any:
            if type(x) is ExcelError:
                return x
            try:
                n = num(x)
            except XlError as exc:
                return exc.value
            if kind == "neg":
                return -n
            if kind == "pct":
                return n / 100.0
            return x  # unary plus keeps the value as it is

        def unary(r: int, c: int) -> Any:
            x = value(operand(r, c), r, c, array)
            if type(x) is Arr:
                return lift(scalar, [x])
            return scalar(x)

        return unary

    def _compile_binary(self, node: Any, array: bool, sheet: int) -> Callable:
        op = scalar_op(node[1])
        fast = FLOAT_OPS.get(node[1])  # two numbers: the result, or NaN to go the long way
        left = self.value_fn(node[2], array, sheet)
        right = self.value_fn(node[3], array, sheet)
        if fast is None:

            def binary(r: int, c: int) -> Any:
                a = left(r, c)
                b = right(r, c)
                if type(a) is Arr or type(b) is Arr:
                    return lift(op, [a, b])
                return op(a, b)

            return binary
        if node[3][0] == "num":  # A1*2: the constant bound, not called
            b = node[3][1]

            def binary_constant(r: int, c: int) -> Any:
                a = left(r, c)
                if type(a) is float:
                    out = fast(a, b)
                    if out - out == 0.0:  # finite (a logical too)
                        return out
                elif type(a) is Arr:
                    return lift(op, [a, b])
                return op(a, b)

            return binary_constant

        def binary_numbers(r: int, c: int) -> Any:
            a = left(r, c)
            b = right(r, c)
            if type(a) is float and type(b) is float:
                out = fast(a, b)
                if out - out == 0.0:  # finite (a logical too)
                    return out
            elif type(a) is Arr or type(b) is Arr:
                return lift(op, [a, b])
            return op(a, b)

        return binary_numbers

    def value_fn(self, node: Any, array: bool, sheet: int) -> Callable[[int, int], Any]:
        """A closure giving ``node``'s value (a reference read as ``value_of`` reads it); a
        single-cell reference reads its cell directly, without building a :class:`Ref`."""
        direct = self._cell_reader(node, sheet) if node[0] == "ref" else None
        if direct is not None:
            return direct
        fn = self.compile(node, array, sheet)
        if node[0] in _NEVER_A_REFERENCE:
            return fn
        value = self.value_of
        return lambda r, c: value(fn(r, c), r, c, array)

    def _cell_reader(self, node: Any, sheet: int) -> Callable[[int, int], Any] | None:
        _, sheet_name, r1, ra1, c1, ca1, r2, ra2, c2, ca2 = node
        target = self._sheet_of(sheet_name, sheet)
        if target is None or (r1, ra1, c1, ca1) != (r2, ra2, c2, ca2):
            return None
        if ra1 and ca1 and not (1 <= r1 <= MAX_ROW and 1 <= c1 <= MAX_COL):
            return None
        dr, dc = (0 if ra1 else r1), (0 if ca1 else c1)
        fr, fc = (r1 if ra1 else 0), (c1 if ca1 else 0)
        evaluator = self

        def read(r: int, c: int) -> Any:
            a = fr or r + dr
            b = fc or c + dc
            if a < 1 or b < 1 or a > MAX_ROW or b > MAX_COL:
                return REF
            v = evaluator.vals[target].get((a, b))  # type: ignore[attr-defined]
            if v is PENDING or v is WAITING:
                return evaluator.not_ready(target, a, b)  # type: ignore[attr-defined]
            return v

        return read

    def _compile_range(self, node: Any, array: bool, sheet: int) -> Callable:
        left = self.compile(node[1], array, sheet)
        right = self.compile(node[2], array, sheet)

        def span(r: int, c: int) -> Any:
            a, b = left(r, c), right(r, c)
            if type(a) is ExcelError:
                return a
            if type(b) is ExcelError:
                return b
            if type(a) is not Ref or type(b) is not Ref:
                return ExcelError("#VALUE!", "the range operator needs references")
            if a.sheet != b.sheet:
                return REF
            return Ref(a.sheet, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2), max(a.c2, b.c2))

        return span

    def _compile_call(self, name: str, args: tuple, array: bool, sheet: int) -> Callable:
        from pyfuncs.formulas.special_forms import SPECIAL

        special = SPECIAL.get(name)
        if special is not None:
            return special(self, args, array, sheet)
        return self.compile_builtin(name, args, array, sheet)

    def compile_builtin(self, name: str, args: tuple, array: bool, sheet: int) -> Callable:
        """The plain call of a registered built-in (arguments prepared by their kinds)."""
        spec = BUILTINS.get(name)
        if spec is None:
            raise UnsupportedFormulaError(f"function {name} is not supported", name)
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            bad = ExcelError("#VALUE!", f"{name} takes {spec.arity_text} arguments")
            return lambda r, c: bad  # Excel would not accept the formula; never a crash
        kinds = [spec.kind(i) for i in range(len(args))]
        compiled = [
            self.value_fn(arg, array, sheet)  # "v": read as a value already
            if kind == "v"
            else self.compile(arg, array or kind == "a", sheet)
            for arg, kind in zip(args, kinds, strict=True)
        ]
        return call_builtin(self, spec, kinds, compiled, array)

    def _compile_gpu(self, spelling: str, args: tuple, array: bool, sheet: int) -> Callable:
        from pyfuncs.catalogue import lookup

        spec = lookup(spelling)
        if spec is None:
            raise UnsupportedFormulaError(
                f"gpucredit function {spelling} is not in the catalogue", spelling
            )
        compiled = [self.compile(arg, array, sheet) for arg in args]
        grid = self.grid

        def gpu(r: int, c: int) -> Any:
            from pyfuncs.excel.dispatch import call

            values = []
            for fn in compiled:
                x = fn(r, c)
                if type(x) is Ref:
                    x = grid(x)
                elif type(x) is Arr:
                    x = x.values
                values.append(x)
            result = call(spec.name, *values)
            if isinstance(result, list):
                if not result or not result[0]:
                    return ExcelError("#CALC!", f"{spec.name} returned an empty array")
                return Arr([["" if v is None else v for v in row] for row in result])
            return "" if result is None else result

        return gpu


#: Formula elements whose value is never a reference (no ``value_of`` needed).
_NEVER_A_REFERENCE = frozenset({"num", "str", "bool", "err", "missing", "arr", "bin", "neg", "pct"})
_PARSED: dict[Any, Any] = {}
# A cell reference in formula text (not a function name such as LOG10, not part of a name).
_REF_TEXT = re.compile(r"(?<![\w.$\\])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![\w(!.\[])")


#: Every digit as "0": formulas filled down a column share this template up to the lengths of
#: their numbers (A9 and A10 differ), so it keys the cached reader of their shape keys.
_ZERO_DIGITS = str.maketrans("123456789", "000000000")
_ZERO_BYTES = bytes.maketrans(b"123456789", b"000000000")  # the same on ASCII text, faster
_ZERO_RUNS = re.compile(r"0+")
#: template -> the function giving a formula's shape key from its text, host row and column.
_KEYERS: dict[str | bytes, Callable[[str, int, int], Any]] = {}
#: After this many formulas of one template, its key function is generated code.
_GENERATE_AFTER = 8


def _literal_spans(template: str) -> list[tuple[int, int]] | None:
    """The ``"strings"`` and ``'quoted sheet names'`` of a formula (their digits are never
    rows), or None when a quote is not closed."""
    spans, i, n = [], 0, len(template)
    while i < n:
        quote = template[i]
        if quote not in "\"'":
            i += 1
            continue
        j = i + 1
        while True:
            j = template.find(quote, j)
            if j < 0:
                return None
            if j + 1 < n and template[j + 1] == quote:  # "" or '' inside: an escaped quote
                j += 2
                continue
            break
        spans.append((i, j + 1))
        i = j + 1
    return spans


def _keyer(stored: str | bytes, generate: bool) -> Callable[[str, int, int], Any]:
    """The shape-key function of the formulas of one template (see :func:`shape_key`)."""
    template = stored.decode() if type(stored) is bytes else stored
    literals = None if "[" in template else _literal_spans(template)
    if literals is None:  # structured or external references: keyed by the text itself
        return lambda text, r0, c0: (text, (r0, c0))
    runs = [(m.start(), m.end()) for m in _ZERO_RUNS.finditer(template)]
    rows = set()
    for m in _REF_TEXT.finditer(template):
        if not m.group(3) and not any(a <= m.start() < b for a, b in literals):
            rows.add(m.start(4))
    canon = _ZERO_RUNS.sub("#", template)
    parts = [(a, b, a in rows) for a, b in runs]
    if generate:
        items = "".join(
            f"int(s[{a}:{b}]) - r0, " if row else f"s[{a}:{b}], " for a, b, row in parts
        )
        namespace: dict[str, Any] = {"canon": canon}
        exec(f"def key(s, r0, c0):\n    return ('shape', canon, c0, {items})", namespace)
        return namespace["key"]
    seen = [0]

    def key(text: str, r0: int, c0: int) -> Any:
        seen[0] += 1
        if seen[0] == _GENERATE_AFTER:  # a filled-down column: generated code from now on
            _KEYERS[stored] = _keyer(stored, True)
        out: list[Any] = ["shape", canon, c0]
        for a, b, row in parts:
            out.append(int(text[a:b]) - r0 if row else text[a:b])
        return tuple(out)

    return key


def shape_key(text: str, host: tuple[int, int]) -> Any:
    """A key shared by the formulas that parse to the same tree (a filled-down column).

    The text with its runs of digits masked (a template) decides which digits are rows of
    relative references (not those inside ``"strings"`` or ``'quoted names'``), once per
    template; a formula's key is the template, its column and its numbers with those rows
    taken relative to the host row. Two formulas with one key have the same text up to those
    rows, each the same offset from its host: the same tree.
    """
    ascii_text = text.encode()
    template: str | bytes = ascii_text.translate(_ZERO_BYTES)
    if len(ascii_text) != len(text):  # not ASCII: the template's positions are characters
        template = text.translate(_ZERO_DIGITS)
    keyer = _KEYERS.get(template)
    if keyer is None:
        if len(_KEYERS) > 200_000:
            _KEYERS.clear()
        keyer = _KEYERS[template] = _keyer(template, False)
    return keyer(text, *host)


def parse_cached(text: str, host: tuple[int, int], key: Any = None) -> Any:
    if key is None:
        key = shape_key(text, host)
    tree = _PARSED.get(key)
    if tree is None:
        tree = parse_formula(text, host)
        if len(_PARSED) > 200_000:
            _PARSED.clear()
        _PARSED[key] = tree
    return tree


def call_builtin(
    ev: Evaluator, spec: Builtin, kinds: list[str], compiled: list[Callable], array: bool
) -> Callable[[int, int], Any]:
    fn = spec.fn
    clipped = ev.clipped
    as_array = ev.array
    value_positions = [i for i, k in enumerate(kinds) if k == "v"]
    errors_ok = spec.errors_ok
    wants_context = spec.context
    Areas = references.Areas  # noqa: N806
    variadic = spec.params in ("r*", "a*")  # SUM, COUNT, MAX...: one argument per area

    def scalar_call(*args: Any) -> Any:
        if not errors_ok:
            for i in value_positions:
                if type(args[i]) is ExcelError:
                    return args[i]
        try:
            return fn(ev, *args) if wants_context else fn(*args)
        except XlError as exc:
            return exc.value

    def call(r: int, c: int) -> Any:
        args = []
        lifted = False
        for kind, arg in zip(kinds, compiled, strict=True):
            x = arg(r, c)
            if kind == "v":  # compiled by value_fn: already a value
                if type(x) is Arr:
                    lifted = True
            elif type(x) is Ref and kind != "R":  # "R": the function reads the reference
                x = as_array(clipped(x))
            elif type(x) is Areas and kind == "u":  # a list that may be a union: one row
                x = Arr([[v for ref in x.refs for v in as_array(clipped(ref)).flat()]])
            elif type(x) is Areas:
                if not variadic:
                    return ExcelError("#VALUE!", f"{spec.name} takes one range here, not several")
                args.extend(as_array(clipped(ref)) for ref in x.refs)
                continue
            args.append(x)
        if lifted:
            positions = set(value_positions)

            def element_call(*vals: Any) -> Any:
                return scalar_call(*vals)

            arrays = [a if i in positions else _Opaque(a) for i, a in enumerate(args)]
            out = lift(lambda *v: element_call(*[_unwrap(x) for x in v]), arrays)
            return out
        return scalar_call(*args)

    return call


class _Opaque:
    """An argument that must not be broadcast (a range argument beside lifted scalars)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _unwrap(x: Any) -> Any:
    return x.value if type(x) is _Opaque else x
