"""The order of evaluation: every formula after the cells it reads, without recursion.

Evaluation is on demand but iterative. Cells are tried in sheet order from an explicit work
stack; a formula that reads a cell not yet computed stops with :class:`Miss` naming every such
cell it found (a range read names all of its pending cells at once), those cells are pushed on
the stack, and the formula is tried again once they are done. The cells being waited for form
the path of a depth-first walk of the dependency graph, so the finished cells come out in a
topological order, including what OFFSET, INDIRECT or INDEX point at (known only while
computing). A 100,000-cell chain is a 100,000-entry list, never a deep Python stack.

A formula that reads a cell on the current path closes a circular reference. With iterative
calculation off, Excel shows 0 in the cells of the cycle: those cells are pinned at 0 at once
and reported, and their dependents see the 0.

A formula's own tree (at most 8,192 characters, 64 levels of functions, but parentheses may
nest deeper) is compiled and evaluated by recursion over the tree; that runs on a thread with a
large stack (:func:`on_deep_stack`).
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

PENDING = object()  # a formula cell not computed yet
WAITING = object()  # a formula cell tried, waiting for cells it reads (on the current path)

Key = tuple[int, int, int]  # sheet index, row, column
T = TypeVar("T")


class Miss(BaseException):
    """Raised by a read of cells not yet computed: ``keys`` must be computed first (empty when
    a circular reference was just pinned and the formula should simply be tried again).

    A ``BaseException`` so that no ``except Exception`` inside a function swallows it.
    """

    def __init__(self, keys: list[Key]) -> None:
        super().__init__()
        self.keys = keys


def on_deep_stack(fn: Callable[[], T]) -> T:
    """Run ``fn`` on a thread with a 512 MB stack and a high recursion limit (for formula trees
    nested thousands deep, such as 3,000 parentheses within Excel's 8,192 characters).

    Python's cyclic garbage collector is paused meanwhile: compiling and computing allocate
    millions of objects that all stay alive (closures, keys, values), and each full collection
    would walk every object of the workbook again for nothing (on the 1,000,000-formula
    benchmark model, about a tenth of the compile and run time). Reference counting still frees
    everything at once; the collector resumes when ``fn`` returns.
    """
    result: list[Any] = []
    errors: list[BaseException] = []

    def work() -> None:
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            result.append(fn())
        except BaseException as exc:  # handed to the calling thread
            errors.append(exc)
        finally:
            if paused:
                gc.enable()

    limit = sys.getrecursionlimit()
    size = threading.stack_size()
    try:
        sys.setrecursionlimit(max(limit, 200_000))
        threading.stack_size(512 * 1024 * 1024)
        thread = threading.Thread(target=work, name="gpucredit-recalc")
        thread.start()
    finally:
        threading.stack_size(size)
    thread.join()
    sys.setrecursionlimit(limit)
    if errors:
        raise errors[0]
    return result[0]


class Scheduler:
    """The evaluator's ordering part (mixed into :class:`~pyfuncs.formulas.evaluator.Evaluator`,
    which provides ``vals``, ``cells``, ``owner``, ``pinned``, ``cycle_cells`` and ``place``)."""

    vals: list[dict[tuple[int, int], Any]]
    cells: list[dict[tuple[int, int], Any]]
    owner: list[dict[tuple[int, int], tuple[int, int]]]
    pinned: set[Key]
    cycle_cells: set[Key]
    work: list[Key]

    def cell(self, sheet: int, r: int, c: int) -> Any:
        """The value of one cell (``None`` when blank); raises :class:`Miss` when not ready."""
        v = self.vals[sheet].get((r, c))
        if v is PENDING or v is WAITING:
            return self.not_ready(sheet, r, c)
        return v

    def pending_key(self, sheet: int, r: int, c: int) -> Key | None:
        """The formula cell to compute before (r, c) can be read (its array's anchor), or
        ``None`` when (r, c) belongs to an array whose anchor is done (read as 0)."""
        key = (r, c) if (r, c) in self.cells[sheet] else self.owner[sheet].get((r, c))
        if key is None:
            return None
        state = self.vals[sheet].get(key)
        if state is PENDING:
            return (sheet, *key)
        if state is WAITING:
            self.close_cycle((sheet, *key))
            raise Miss([])
        return None

    def not_ready(self, sheet: int, r: int, c: int) -> Any:
        key = self.pending_key(sheet, r, c)
        if key is None:
            return 0.0
        raise Miss([key])

    def close_cycle(self, key: Key) -> None:
        """``key`` is read while it waits: pin every waiting cell from it to the top at 0."""
        members: list[Key] = []
        for entry in reversed(self.work):
            s, r, c = entry
            if self.vals[s].get((r, c)) is WAITING and entry not in members:
                members.append(entry)
            if entry == key:
                break
        for s, r, c in members or [key]:
            self.vals[s][(r, c)] = 0.0
            self.pinned.add((s, r, c))
            self.cycle_cells.add((s, r, c))

    def settle(self, start: Key, first: list[Key] | None = None) -> None:
        """Compute ``start`` and, first, every formula cell it reads (iteratively); ``first``:
        the cells a try of ``start`` found missing already."""
        work = self.work = [start]
        if first:
            work.extend(first)
        vals, cells, compute = self.vals, self.cells, self.compute
        while work:
            s, r, c = work[-1]
            key = (r, c)
            sheet_vals = vals[s]
            state = sheet_vals.get(key)
            if state is not PENDING and state is not WAITING:
                work.pop()
                continue
            sheet_vals[key] = WAITING
            try:
                compute(s, key, cells[s][key])
            except Miss as miss:
                work.extend(miss.keys)
                continue
            work.pop()

    def compute(self, sheet: int, key: tuple[int, int], entry: Any) -> None:  # pragma: no cover
        raise NotImplementedError
