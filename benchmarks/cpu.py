"""Pinning processes to CPUs: steadier figures on a small, busy machine.

Left to the scheduler, the threads of one ASGI request (the event loop and
the thread that runs its sync work) and a client and its server hop between
CPUs from one run to the next, and the figures jump by up to twofold. Each
in-process benchmark runs pinned to one CPU; in HTTP mode the client and
the server get one CPU each.
"""

import os


def available() -> list[int]:
    """The CPUs this process may use, or ``[]`` when pinning is impossible."""
    if not hasattr(os, 'sched_getaffinity'):
        return []
    return sorted(os.sched_getaffinity(0))


def pin_to(cpu: int) -> None:
    """Pin this process (and what it starts later) to *cpu*."""
    os.sched_setaffinity(0, {cpu})


def pin_to_one() -> int | None:
    """Pin this process to the last CPU it may use; return that CPU."""
    cpus = available()
    if not cpus:
        return None
    pin_to(cpus[-1])
    return cpus[-1]
