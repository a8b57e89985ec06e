"""The environment the real ansible commands run in starts clean: nothing the user exported changes it."""

from __future__ import annotations

import os

from tests.ansible_env import ansible_env


def test_inherited_ansible_variables_are_dropped(monkeypatch, tmp_path):
    for name in [k for k in os.environ if k.startswith("ANSIBLE_")]:
        monkeypatch.delenv(name)
    clean = ansible_env(tmp_path)
    monkeypatch.setenv("ANSIBLE_STDOUT_CALLBACK", "json")
    monkeypatch.setenv("ANSIBLE_VAULT_PASSWORD_FILE", "/nonexistent")
    monkeypatch.setenv("ANSIBLE_CONFIG", "/etc/ansible/ansible.cfg")
    monkeypatch.setenv("IIS4_UNRELATED", "kept")
    env = ansible_env(tmp_path)
    assert "ANSIBLE_STDOUT_CALLBACK" not in env and "ANSIBLE_VAULT_PASSWORD_FILE" not in env
    assert env["ANSIBLE_CONFIG"] == str(tmp_path / "no-ansible.cfg")  # the tests' own, not the user's
    assert {k: v for k, v in env.items() if k.startswith("ANSIBLE_")} == {
        k: v for k, v in clean.items() if k.startswith("ANSIBLE_")
    }
    assert env["IIS4_UNRELATED"] == "kept"  # other variables (PATH, HOME, proxies) pass through
