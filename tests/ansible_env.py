"""The environment in which the real ``ansible`` commands run against the working tree.

Shared by the integration tests (:mod:`tests.integration.ansible_helpers`) and the benchmark (:mod:`bench.run`).
The collection is made importable through a temporary collections path that holds
``ansible_collections/legacy_iis/iis4`` as a symlink to the repository root, so the commands use exactly the
files in the checkout.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@functools.cache
def collections_path() -> Path:
    root = Path(tempfile.mkdtemp(prefix="iis4-acp-"))
    ns = root / "ansible_collections" / "legacy_iis"
    ns.mkdir(parents=True)
    (ns / "iis4").symlink_to(REPO, target_is_directory=True)
    return root


def ansible_env(workdir: Path, collections: Path | None = None) -> dict[str, str]:
    """The caller's environment without any ``ANSIBLE_*`` variable it exported (a user's
    ``ANSIBLE_STDOUT_CALLBACK``, ``ANSIBLE_CONFIG`` or ``ANSIBLE_VAULT_PASSWORD_FILE`` must not change what the
    tests see), plus the settings the tests run with."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("ANSIBLE_")}
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections or collections_path()),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        ANSIBLE_HOST_KEY_CHECKING="false",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(workdir / "ansible-tmp"),
        ANSIBLE_HOME=str(workdir / "ansible-home"),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_DEPRECATION_WARNINGS="false",
        # the collection's fleet table and audit records (the component_update role needs it for its records)
        ANSIBLE_CALLBACKS_ENABLED="legacy_iis.iis4.rollout_summary",
        ANSIBLE_CONFIG=str(workdir / "no-ansible.cfg"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env
