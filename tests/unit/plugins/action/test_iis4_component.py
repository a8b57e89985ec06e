"""The action plugin's own part: options checked with ansible-core's argument-spec validation before anything
is connected, and a connection that is not WinRM refused with what to do."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext

from ansible_collections.legacy_iis.iis4.plugins.action.iis4_component import ActionModule
from ansible_collections.legacy_iis.iis4.plugins.action.iis4_component_info import ActionModule as InfoAction


def action(args: dict, connection_name: str = "ansible.builtin.ssh", plugin: type = ActionModule) -> ActionModule:
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.action = plugin.MODULE
    connection = MagicMock()
    connection._load_name = connection_name
    connection._shell.tmpdir = None
    return plugin(task, connection, PlayContext(), MagicMock(), MagicMock(), MagicMock())


def test_options_of_the_wrong_type_are_refused_before_any_connection():
    plugin = action({"src": "C:\\a.dll", "dest": "C:\\b.dll", "timeout": "soon"})
    with pytest.raises(AnsibleActionFail) as err:
        plugin.run(task_vars={})
    assert str(err.value).startswith("invalid input:") and "timeout" in str(err.value)


def test_a_host_whose_connection_is_not_winrm_is_told_how_to_reach_it():
    plugin = action({"src": "C:\\a.dll", "dest": "C:\\b.dll"})
    with pytest.raises(AnsibleActionFail) as err:
        plugin.run(task_vars={})
    assert "set ansible_connection=winrm" in str(err.value)


def test_the_info_plugin_opens_its_task_the_same_way():
    """Both plugins share their opening (WinRMAction._open): the info module's options are checked the same way
    before anything is connected, and a connection that is not WinRM is refused with the same advice."""
    with pytest.raises(AnsibleActionFail) as err:
        action({"dest": ["C:\\b.dll"], "timeout": "soon"}, plugin=InfoAction).run(task_vars={})
    assert str(err.value).startswith("invalid input:") and "timeout" in str(err.value)
    with pytest.raises(AnsibleActionFail) as err:
        action({"dest": ["C:\\b.dll"]}, plugin=InfoAction).run(task_vars={})
    assert "iis4_component_info talks WinRM" in str(err.value) and "set ansible_connection=winrm" in str(err.value)
