"""Integration tests run Ansible against lab hosts; point Ansible at the working tree's collection."""

from __future__ import annotations

import os
import sys

from tests.integration.ansible_helpers import collections_path

# pytest-ansible runs Ansible inside the pytest process: its configuration is read from the environment.
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(collections_path()))
os.environ.setdefault("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
os.environ.setdefault("ANSIBLE_HOST_KEY_CHECKING", "false")
os.environ.setdefault("ANSIBLE_DEPRECATION_WARNINGS", "false")
