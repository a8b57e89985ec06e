# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of legacy_iis.iis4.iis4_component: the ONE source for the module, the action plugin and the
documentation (a unit test checks that the module's DOCUMENTATION says the same as this spec).

``ARGUMENT_SPEC`` is what the update needs; ``CONNECTION_SPEC`` only matters when the module file runs by
itself (not through the action plugin, which takes the connection from the inventory).  ``SPEC_KWARGS`` are
the cross-option rules, given to ``AnsibleModule`` and to ``ArgumentSpecValidator`` alike.
"""

from __future__ import annotations

from typing import Any

DEFAULT_ADSUTIL = "C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
DEFAULT_SITE = "Default Web Site"
DEFAULT_TIMEOUT = 120
DEFAULT_CMDLINE_LIMIT = 2047
DEFAULT_KEEP_BACKUPS = 3

ARGUMENT_SPEC: dict[str, Any] = {
    "src": {"type": "str", "required": True},
    "dest": {"type": "str", "required": True},
    "site": {"type": "str", "default": DEFAULT_SITE},
    "application": {"type": "list", "elements": "str", "default": ["/"], "aliases": ["applications"]},
    "isolation": {"type": "str", "default": "auto", "choices": ["auto", "in_process", "out_of_process"]},
    "backup": {"type": "bool", "default": True},
    "keep_backups": {"type": "int", "default": DEFAULT_KEEP_BACKUPS},
    "register": {"type": "bool", "default": False},
    "restart_services": {"type": "list", "elements": "str", "default": ["auto"]},
    "unload_fallback": {"type": "bool", "default": True},
    "package_restart": {"type": "bool", "default": False},
    "timeout": {"type": "int", "default": DEFAULT_TIMEOUT},
    "adsutil_path": {"type": "str", "default": DEFAULT_ADSUTIL},
    "cmdline_limit": {"type": "int"},
}

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
SPEC_KWARGS: dict[str, Any] = {"required_by": {"winrm_password": ["winrm_user"]}}


def accepted_names() -> frozenset[str]:
    """Every option name and alias (the action plugin's ``_VALID_ARGS``)."""
    names = set(FULL_SPEC)
    for spec in FULL_SPEC.values():
        names.update(spec.get("aliases", []))
    return frozenset(names)
