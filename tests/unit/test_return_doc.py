"""The module's RETURN: every key has a sample, every dict says what it contains (ansible-doc and the generated
reference show them), and the keys a result may carry are all documented (checked against real results in
tests/integration/module/test_packages.py through ``undocumented``)."""

from __future__ import annotations

import yaml

from ansible_collections.legacy_iis.iis4.plugins.modules import iis4_component

RETURN = yaml.safe_load(iis4_component.RETURN)
#: Keys Ansible itself adds or documents for every module.
ANSIBLE_KEYS = frozenset(["failed", "warnings", "diff", "invocation", "unreachable", "_ansible_no_log", "skipped"])


def undocumented(result: dict) -> set[str]:
    return set(result) - set(RETURN) - ANSIBLE_KEYS


def test_every_key_has_a_sample_and_dicts_say_what_they_contain():
    for key, doc in RETURN.items():
        assert "sample" in doc, key
        assert doc.get("description"), key
        if doc.get("type") == "dict" and key not in ("package",):
            assert "contains" in doc, key


def test_undocumented_helper():
    assert undocumented({"changed": True, "failed": True, "surprise": 1}) == {"surprise"}
