#!/usr/bin/python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the action plugin legacy_iis.iis4.component_update_report (it runs on the controller only)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: component_update_report
short_description: The report step of the component_update role (used by the role)
version_added: 1.2.0
description:
  - Used by the C(legacy_iis.iis4.component_update) role, once per host. Runs on the controller; it connects to the
    host only with O(update).
  - With O(update) it first runs the update, the real run of M(legacy_iis.iis4.iis4_component) with those options
    and the task's WinRM connection, as that module's action plugin would - except in check mode, for a host
    refused by O(refuse) or O(hooks_missed), or a host the dry run could not reach. A failed update fails the task
    with the module's result; otherwise the result is the module's, with the report added. The role uses it
    without drain steps, so that the update and its report cost one task per host.
  - Builds the host's C(component_update_report) and C(component_update_summary) from the results of the module's
    dry run and real run, writes the host's audit record into O(audit_dir) (not in check mode), and hands the
    report over as the job artifact C(component_update_reports) (what M(ansible.builtin.set_stats) would do).
  - A host the module could not reach is reported as unreachable, so that the recap, C(ignore_unreachable),
    C(max_fail_percentage) and AWX see it as such.
  - In check mode a host that would change is reported as changed; with C(--diff) the diff shows the DLL in
    place against the new one and the commands the update would run.
author:
  - legacy_iis.iis4 maintainers (@legacy_iis)
options:
  plan:
    description: The registered result of the module's dry run.
    type: dict
    required: true
  apply:
    description: The registered result of the update (empty when it did not run).
    type: dict
    default: {}
  entries:
    description: The components as given to the module (with O(update), its C(components) instead).
    type: list
    elements: dict
  update:
    description:
      - Options of M(legacy_iis.iis4.iis4_component) for the real run this task makes before it reports (see above).
        O(apply) and O(failure) are then not used, except O(failure) as the reason of a refusal.
    type: dict
    version_added: 1.2.0
  role_vars:
    description:
      - Take O(update), O(refuse), O(hooks_missed), O(failure), O(plan), O(drained_before), O(version_regex) and
        O(audit_dir) from the role's variables (C(component_update_*), the registered dry run
        C(_component_update_plan), the capacity floor's C(_component_update_capacity)) instead of from options. The
        role's update step without drain steps uses it, so that it costs no template per option in each host's
        worker.
        Options given as well win.
    type: bool
    default: false
    version_added: 1.2.0
  hooks_missed:
    description:
      - Fail the host with O(failure) at once, as O(refuse) does, because its inventory alone sets drain or undrain
        task files; the result then says C(hooks_missed).
    type: bool
    default: false
    version_added: 1.2.0
  failure:
    description: Why the host failed; empty when it did not.
    type: str
    default: ''
  refuse:
    description: Fail the host with O(failure) at once, without a report (the role's rescue then reports it).
    type: bool
    default: false
  refused:
    description: The capacity floor refused the host (nothing was drained).
    type: bool
    default: false
  drained_before:
    description: Whether the host was out of service when the role started on it.
    type: bool
    default: false
  version_regex:
    description: Pulls the served version out of a health check body (first capture group).
    type: str
    default: ''
  audit_dir:
    description: Controller directory for the host's audit record. Empty - no record.
    type: str
    default: ''
attributes:
  check_mode:
    support: full
    description: Reports what would change; writes no audit record.
  diff_mode:
    support: full
    description: Shows the DLLs that would be replaced and the commands the update would run.
notes:
  - Internal to the C(legacy_iis.iis4.component_update) role; its options may change with the role.
"""

EXAMPLES = r"""
- name: Report the outcome
  legacy_iis.iis4.component_update_report:
    plan: "{{ _component_update_plan }}"
    apply: "{{ _component_update_apply | default({}) }}"
    entries: "{{ _component_update_entries }}"
    audit_dir: /home/deploy/iis4-audit
"""

RETURN = r"""
component_update_report:
  description: The host's report, when the host could not be reached (Ansible keeps no facts of such a host).
  returned: when the host could not be reached
  type: dict
ansible_facts:
  description: C(component_update_report), C(component_update_summary) and C(component_update_drained).
  returned: when the host was reached
  type: dict
  contains:
    component_update_report:
      description: The host's report (see the role's documentation).
      type: dict
    component_update_summary:
      description: The report in one line.
      type: str
    component_update_drained:
      description: Whether the host is left out of service.
      type: bool
"""
