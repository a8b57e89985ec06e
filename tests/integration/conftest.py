"""Integration tests run Ansible against lab hosts; point Ansible at the working tree's collection."""

from __future__ import annotations

import os
import sys

from tests.ansible_env import collections_path

# The fault matrix's collector: hooks of the process that runs the session (docs/fault-matrix.md check).
# pylint: disable-next=unused-import
from tests.integration.faults.collector import (  # noqa: F401 - pytest hooks, found by name
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)


def _ensure_stdin() -> None:
    """Ansible's forked workers detach from stdin and fail with EBADF when descriptor 0 is closed, as it can
    be in a pytest-xdist worker run with no stdin (CI).  Give the process a valid stdin: /dev/null."""
    try:
        os.fstat(0)
    except OSError:
        fd = os.open(os.devnull, os.O_RDONLY)
        if fd != 0:
            os.dup2(fd, 0)
            os.close(fd)


_ensure_stdin()

# pytest-ansible runs Ansible inside the pytest process: its configuration is read from the environment.
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(collections_path()))
os.environ.setdefault("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
os.environ.setdefault("ANSIBLE_HOST_KEY_CHECKING", "false")
os.environ.setdefault("ANSIBLE_DEPRECATION_WARNINGS", "false")
