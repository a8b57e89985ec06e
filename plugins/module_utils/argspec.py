# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of legacy_iis.iis4.iis4_component: the ONE source for the module, the action plugin and the
documentation (a unit test checks that the module's DOCUMENTATION says the same as this spec).

``ARGUMENT_SPEC`` is what the update needs; ``CONNECTION_SPEC`` only matters when the module file runs by
itself (not through the action plugin, which takes the connection from the inventory).  ``SPEC_KWARGS`` are
the cross-option rules, given to ``AnsibleModule`` and to ``ArgumentSpecValidator`` alike.

``COMPONENT_OPTIONS`` are the keys an entry of ``components`` may set: the per-DLL options without their
defaults, so that a key an entry leaves out takes the task's top-level value (see :mod:`rollout`).
"""

from __future__ import annotations

from typing import Any

DEFAULT_ADSUTIL = "C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
DEFAULT_SITE = "Default Web Site"
DEFAULT_TIMEOUT = 120
DEFAULT_CMDLINE_LIMIT = 2047
DEFAULT_KEEP_BACKUPS = 3
DEFAULT_VERIFY_RETRIES = 10
DEFAULT_VERIFY_DELAY = 3
DEFAULT_VERIFY_TIMEOUT = 10

ARGUMENT_SPEC: dict[str, Any] = {
    "src": {"type": "str"},
    "dest": {"type": "str"},
    "site": {"type": "str", "default": DEFAULT_SITE},
    "application": {"type": "list", "elements": "str", "default": ["/"], "aliases": ["applications"]},
    "isolation": {"type": "str", "default": "auto", "choices": ["auto", "in_process", "out_of_process"]},
    "backup": {"type": "bool", "default": True},
    "keep_backups": {"type": "int", "default": DEFAULT_KEEP_BACKUPS},
    "register_dll": {"type": "bool", "default": False, "aliases": ["register"]},
    "restart_services": {"type": "list", "elements": "str", "default": ["auto"]},
    "unload_fallback": {"type": "bool", "default": True},
    "package_restart": {"type": "bool", "default": False},
    "timeout": {"type": "int", "default": DEFAULT_TIMEOUT},
    "adsutil_path": {"type": "str", "default": DEFAULT_ADSUTIL},
    "cmdline_limit": {"type": "int"},
    "verify_url": {"type": "str"},
    "verify_expect": {"type": "str"},
    "verify_status": {"type": "list", "elements": "int", "default": [200]},
    "verify_retries": {"type": "int", "default": DEFAULT_VERIFY_RETRIES},
    "verify_delay": {"type": "int", "default": DEFAULT_VERIFY_DELAY},
    "verify_timeout": {"type": "int", "default": DEFAULT_VERIFY_TIMEOUT},
    "verify_validate_certs": {"type": "bool", "default": True},
    "rollback": {"type": "bool", "default": True},
    "state": {"type": "str", "default": "present", "choices": ["present", "reverted"]},
    "keep_gathered": {"type": "bool", "default": False},
    "preview": {"type": "bool", "default": True},
    "gathered": {"type": "dict"},
}

#: Per-DLL options an entry of ``components`` may set (the task's own value applies where it does not).
PER_COMPONENT = (
    "src",
    "dest",
    "site",
    "application",
    "isolation",
    "backup",
    "keep_backups",
    "register_dll",
    "restart_services",
    "unload_fallback",
    "package_restart",
    "timeout",
    "adsutil_path",
    "verify_url",
    "verify_expect",
    "gathered",
)
COMPONENT_OPTIONS: dict[str, Any] = {
    name: {k: v for k, v in ARGUMENT_SPEC[name].items() if k != "default"} for name in PER_COMPONENT
}
COMPONENT_OPTIONS["dest"]["required"] = True  # src too with state=present (checked by params.Params)
ARGUMENT_SPEC["components"] = {"type": "list", "elements": "dict", "options": COMPONENT_OPTIONS}

CONNECTION_SPEC: dict[str, Any] = {
    "winrm_host": {"type": "str"},
    "winrm_port": {"type": "int"},
    "winrm_user": {"type": "str"},
    "winrm_password": {"type": "str", "no_log": True},
    "winrm_transport": {"type": "str", "default": "ntlm", "choices": ["ntlm", "basic", "credssp", "kerberos"]},
    "winrm_scheme": {"type": "str", "choices": ["http", "https"]},
    "winrm_path": {"type": "str", "default": "/wsman"},
    "winrm_server_cert_validation": {"type": "str", "default": "validate", "choices": ["validate", "ignore"]},
    "winrm_ca_trust_path": {"type": "path"},
    "winrm_message_encryption": {"type": "str", "default": "auto", "choices": ["auto", "always", "never"]},
    "winrm_operation_timeout": {"type": "int", "default": 20},
    "winrm_read_timeout": {"type": "int", "default": 30},
    "allow_unencrypted": {"type": "bool", "default": False},
}

#: Every option the module accepts.
FULL_SPEC: dict[str, Any] = {**ARGUMENT_SPEC, **CONNECTION_SPEC}

#: Rules between options, for AnsibleModule(**SPEC_KWARGS) and ArgumentSpecValidator(**SPEC_KWARGS).
SPEC_KWARGS: dict[str, Any] = {
    "required_by": {"winrm_password": ["winrm_user"]},
    "required_one_of": [["dest", "components"]],
    "required_if": [["state", "present", ["src", "components"], True]],
    "mutually_exclusive": [["src", "components"], ["dest", "components"]],
}


def accepted_names() -> frozenset[str]:
    """Every option name and alias (the action plugin's ``_VALID_ARGS``)."""
    names = set(FULL_SPEC)
    for spec in FULL_SPEC.values():
        names.update(spec.get("aliases", []))
    return frozenset(names)
