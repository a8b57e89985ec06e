# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment legacy_iis.iis4.winrm: the connection options of a module run by itself."""

from __future__ import annotations


class ModuleDocFragment:
    # The winrm_* options matter only when the module file runs by itself (for example delegated to a Linux
    # host); through the action plugin the inventory's ansible_winrm_* variables are used.
    DOCUMENTATION = r"""
---
options:
  winrm_host:
    description:
      - Only when the module runs by itself. Host name or address of the WinRM endpoint. When the module runs through
        its action plugin (the normal case) the inventory's C(ansible_host) and C(ansible_winrm_*) variables are used.
    type: str
  winrm_port:
    description: Only when the module runs by itself. WinRM port; defaults to 5986 for https and 5985 for http.
    type: int
  winrm_user:
    description: Only when the module runs by itself. User name.
    type: str
  winrm_password:
    description: Only when the module runs by itself. Password. Never logged or returned.
    type: str
  winrm_transport:
    description: Only when the module runs by itself. WinRM authentication.
    type: str
    choices: [ntlm, basic, credssp, kerberos]
    default: ntlm
  winrm_scheme:
    description: Only when the module runs by itself. V(http) or V(https); guessed from the port when unset.
    type: str
    choices: [http, https]
  winrm_path:
    description: Only when the module runs by itself. URL path of the endpoint.
    type: str
    default: /wsman
  winrm_server_cert_validation:
    description:
      - Only when the module runs by itself. V(ignore) turns off TLS certificate validation, which is unsafe;
        prefer O(winrm_ca_trust_path).
    type: str
    choices: [validate, ignore]
    default: validate
  winrm_ca_trust_path:
    description: Only when the module runs by itself. CA bundle used to validate the host's certificate.
    type: path
  winrm_message_encryption:
    description: Only when the module runs by itself. WinRM message encryption.
    type: str
    choices: [auto, always, never]
    default: auto
  winrm_operation_timeout:
    description: Only when the module runs by itself. WS-Management operation timeout in seconds.
    type: int
    default: 20
  winrm_read_timeout:
    description: Only when the module runs by itself. HTTP read timeout in seconds; must exceed the operation timeout.
    type: int
    default: 30
  allow_unencrypted:
    description:
      - Allow credentials and data to travel unencrypted (Basic over HTTP, or message encryption V(never) over
        HTTP). Unsafe; refused unless set. Through the action plugin the inventory variable
        C(ansible_winrm_allow_unencrypted) sets it.
    type: bool
    default: false
"""
