"""``casework serve`` as a real process: killed hard, its workers do not live on."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

CASEWORK = Path(sys.executable).with_name("casework")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=2)
    except urllib.error.HTTPError:
        return True  # an answer all the same
    except OSError:
        return False
    return True


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def _start(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    env["CASEWORK_DATA_DIR"] = str(data_dir)
    return subprocess.Popen(  # noqa: S603 — our own command
        [str(CASEWORK), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killing_the_server_ends_its_workers_and_a_restart_serves_at_once(
    tmp_path: Path,
) -> None:
    port = _free_port()
    server = _start(port, tmp_path)
    workers: set[int] = set()
    try:
        # A busy machine may take a while to start Python and Django twice over.
        assert _wait(lambda: _answers(port), 90), "the server never answered"
        workers = _children(server.pid)
        assert len(workers) == 2, workers
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        assert _wait(lambda: not any(_alive(w) for w in workers), 30), "workers live on"
        assert not _answers(port)

        restarted = _start(port, tmp_path)
        try:
            assert _wait(lambda: _answers(port), 90), "the restarted server never answered"
            assert _children(restarted.pid).isdisjoint(workers)
        finally:
            restarted.terminate()
            restarted.wait(30)
    finally:
        if server.poll() is None:
            server.kill()
        for pid in workers | _children(server.pid):  # never leave a worker behind
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
