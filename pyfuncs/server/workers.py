"""Heavy calls in worker processes that can be stopped: at the end of the request's time budget,
or when the client goes away.

A thread cannot be stopped from outside; a process can. Each heavy call (the Monte Carlo stress,
a long deal schedule: :func:`is_heavy`) runs in a fresh process forked from a *fork server*
that has imported the credit math once (``multiprocessing``'s ``forkserver`` start method, so the
server's own threads are never forked). At most ``heavy_workers`` run at once; a call that
cannot start or finish within the budget, or whose client disconnected, has its process killed
and answers ``#NUM!`` with the reason.

The worker runs at a lower scheduling priority (:data:`~pyfuncs.server.evaluation.WORKER_NICENESS`)
so the light calls and ``/health`` of the server process win the processor, and the event loop
waits on the worker's pipe (no polling): it wakes when the answer arrives, and otherwise every
:data:`_CHECK_SECONDS` to look at the budget and the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.excel import costs
from pyfuncs.server.evaluation import work_in_process

#: Imported once by the fork server, so a worker starts computing at once (no web framework).
_PRELOAD = [
    "pyfuncs",
    "pyfuncs.excel.dispatch",
    "pyfuncs.deal.stress",
    "pyfuncs.deal.schedule",
    "pyfuncs.server.evaluation",
]
#: How often a waiting heavy call looks at its time budget and whether its client is gone.
_CHECK_SECONDS = 0.1


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


class HeavyCalls:
    """Runs heavy calls in stoppable processes, at most ``workers`` at a time."""

    def __init__(self, workers: int, limits: costs.Limits) -> None:
        self.workers = workers
        self.limits = limits
        self.waiting = 0
        self._slots: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        return self._slots

    async def run(
        self,
        function: str,
        args: list[Any],
        deadline: float,
        gone: Callable[[], Awaitable[bool]],
    ) -> Any:
        """The call's JSON result, or ``#NUM!`` once the deadline passes or the client is gone."""
        slots = self._semaphore()
        self.waiting += 1
        try:
            await asyncio.wait_for(slots.acquire(), timeout=max(deadline - time.monotonic(), 0))
        except TimeoutError:
            return _stopped("no worker was free within the request's time budget")
        finally:
            self.waiting -= 1
        try:
            return await self._in_process(function, args, deadline, gone)
        finally:
            slots.release()

    async def _in_process(
        self, function: str, args: list[Any], deadline: float, gone: Callable[[], Awaitable[bool]]
    ) -> Any:
        context = _context()
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=work_in_process, args=(sender, function, args, self.limits), daemon=True
        )
        loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        watching = False
        try:
            await asyncio.to_thread(process.start)  # the fork server may still be starting
            sender.close()
            loop.add_reader(receiver.fileno(), ready.set)
            watching = True
            while not receiver.poll():  # an answer, or the end of the pipe (the worker died)
                left = deadline - time.monotonic()
                if left <= 0:
                    return _stopped("it ran past the request's time budget and was stopped")
                if await gone():
                    return _stopped("the client went away; stopped")
                if not process.is_alive() and not receiver.poll():
                    return ExcelError(
                        "#NUM!", f"the worker stopped (exit code {process.exitcode})"
                    ).to_json()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ready.wait(), timeout=min(_CHECK_SECONDS, left))
                ready.clear()
            try:
                # Off the event loop: a large answer takes a while to read and unpickle.
                return await asyncio.to_thread(receiver.recv)
            except EOFError:
                process.join(1)
                return ExcelError(
                    "#NUM!", f"the worker stopped without an answer (exit code {process.exitcode})"
                ).to_json()
        finally:
            if watching:
                loop.remove_reader(receiver.fileno())
            receiver.close()
            if process.is_alive():
                process.kill()
            if process.pid is not None:
                await asyncio.to_thread(process.join, 5)


def _stopped(reason: str) -> dict[str, str]:
    return ExcelError("#NUM!", reason).to_json()
