"""Web workers die with the server process that started them.

``casework serve`` becomes granian (``execv`` keeps its process id), and granian starts
the workers. Killed hard (``kill -9``, the out-of-memory killer), granian cannot stop
them, and they would go on serving on the same port with whatever code and settings
they were started with; a restarted server would then share the port with them. So each
worker asks Linux to send it SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), and
exits at once if the parent is already gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

#: Set by ``casework serve`` to its own process id, which granian's main process keeps.
SERVER_PID = "CASEWORK_SERVER_PID"
_PR_SET_PDEATHSIG = 1


def die_with_server() -> None:
    """In a worker of ``casework serve``: end when the server process ends."""
    server = os.environ.get(SERVER_PID)
    if not server or not sys.platform.startswith("linux") or str(os.getppid()) != server:
        return  # not a worker of ours (the server itself, a shell, tests, ``runserver``)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        return
    if str(os.getppid()) != server:  # the server died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)
