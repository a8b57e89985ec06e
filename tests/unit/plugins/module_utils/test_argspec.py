"""The module's DOCUMENTATION must say what argspec.py accepts: one source for module, action and docs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from ansible_collections.legacy_iis.iis4.plugins.module_utils.argspec import (
    ARGUMENT_SPEC,
    COMPONENT_OPTIONS,
    CONNECTION_SPEC,
    FULL_SPEC,
    SPEC_KWARGS,
    accepted_names,
)

PLUGINS = Path(__file__).resolve().parents[4] / "plugins"
MODULE = PLUGINS / "modules" / "iis4_component.py"
FRAGMENT = PLUGINS / "doc_fragments" / "winrm.py"


def _documentation(path: Path) -> dict:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            return yaml.safe_load(ast.literal_eval(node.value))
    raise AssertionError(f"no DOCUMENTATION in {path.name}")


def documented_options() -> dict[str, dict]:
    doc = _documentation(MODULE)
    assert doc["extends_documentation_fragment"] == ["legacy_iis.iis4.winrm"]
    return {**doc["options"], **_documentation(FRAGMENT)["options"]}


DOCS = documented_options()


def test_every_option_is_documented_and_every_documented_option_exists():
    assert set(DOCS) == set(FULL_SPEC)


@pytest.mark.parametrize("name", sorted(FULL_SPEC))
def test_documentation_matches_the_spec(name):
    spec, doc = FULL_SPEC[name], DOCS[name]
    assert doc.get("type", "str") == spec.get("type", "str"), "type"
    assert doc.get("required", False) == spec.get("required", False), "required"
    assert doc.get("default") == spec.get("default"), "default"
    assert doc.get("choices") == spec.get("choices"), "choices"
    assert doc.get("elements") == spec.get("elements"), "elements"
    assert doc.get("aliases", []) == spec.get("aliases", []), "aliases"


@pytest.mark.parametrize("name", sorted(COMPONENT_OPTIONS))
def test_component_suboptions_match_the_spec(name):
    spec, doc = COMPONENT_OPTIONS[name], DOCS["components"]["suboptions"][name]
    for key in ("type", "required", "default", "choices", "elements", "aliases"):
        assert doc.get(key) == spec.get(key), key


def test_connection_options_live_in_the_fragment():
    assert set(_documentation(FRAGMENT)["options"]) == set(CONNECTION_SPEC)


def test_secrets_are_no_log_and_said_so():
    assert CONNECTION_SPEC["winrm_password"]["no_log"] is True
    assert "Never logged" in str(DOCS["winrm_password"]["description"])


def test_action_accepts_every_name_and_alias():
    names = accepted_names()
    assert set(ARGUMENT_SPEC) <= names
    assert "applications" in names


def test_module_and_action_validate_alike():
    """The action plugin validates with the same spec and the same cross-option rules as AnsibleModule."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    validator = ArgumentSpecValidator(FULL_SPEC, **SPEC_KWARGS)
    res = validator.validate({"src": "C:\\a.dll", "dest": "C:\\b.dll", "winrm_password": "x"})
    assert any("winrm_user" in m for m in res.error_messages)
    ok = validator.validate({"src": "C:\\a.dll", "dest": "C:\\b.dll", "applications": ["/Shop"]})
    assert not ok.error_messages
    assert ok.validated_parameters["application"] == ["/Shop"]
