"""Waiting for a forked child that reports through its exit status, without hanging."""

from __future__ import annotations

import os
import time

import pytest


def child_exit_code(pid: int, what: str, *, timeout: float = 20) -> int:
    """The child's exit code; a child still running after ``timeout`` is killed and fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail(f"the child deadlocked on {what}")
