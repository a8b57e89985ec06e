"""``state: reverted`` (issue 23): its options, and the names of the files a revert uses."""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import Paths, StateRecord, record_lines
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.facts import read_backups
from ansible_collections.legacy_iis.iis4.plugins.module_utils.argspec import FULL_SPEC, SPEC_KWARGS
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import InputError
from ansible_collections.legacy_iis.iis4.plugins.module_utils.params import Params

DEST = "C:\\InetPub\\shop\\bin\\ShopCart.dll"


def validate(args: dict) -> list[str]:
    return [str(e) for e in ArgumentSpecValidator(FULL_SPEC, **SPEC_KWARGS).validate(args).errors]


def test_a_revert_needs_dest_only_and_an_update_still_needs_src():
    assert validate({"dest": DEST, "state": "reverted"}) == []
    assert validate({"components": [{"dest": DEST}], "state": "reverted"}) == []
    assert any("src" in e for e in validate({"dest": DEST}))
    assert validate({"src": "C:\\Staging\\ShopCart.dll", "dest": DEST}) == []


def test_params_of_a_revert_ignore_src_and_default_to_present():
    p = Params.from_module_params({"dest": DEST, "state": "reverted", "src": "C:\\anything.dll"})
    assert p.reverting and p.src == DEST
    assert Params.from_module_params({"src": "C:\\Staging\\ShopCart.dll", "dest": DEST}).state == "present"
    with pytest.raises(InputError):
        Params.from_module_params({"dest": DEST})
    with pytest.raises(InputError):
        Params.from_module_params({"dest": DEST, "state": "absent"})


def test_the_dll_a_revert_replaces_is_kept_outside_the_backups_a_revert_chooses():
    paths = Paths(DEST + ".20261125170000.bak", DEST, "20261207120000", tag="rev")
    assert paths.backup == DEST + ".20261207120000.rev.bak"
    listing = "\n".join(["ShopCart.dll.20261125170000.bak", "ShopCart.dll.20261207120000.rev.bak"])
    assert read_backups(listing, "ShopCart.dll") == ("ShopCart.dll.20261125170000.bak",)


def test_an_interrupted_revert_s_record_gives_back_the_same_paths():
    paths = Paths(DEST + ".20261125170000.bak", DEST, "20261207120000", tag="rev")
    record = StateRecord.parse("\n".join(record_lines(paths, "service_restart", ["IISADMIN"])))
    assert record is not None
    again = Paths.from_record(record, DEST)
    assert again == paths


def test_a_revert_leaves_room_for_its_longer_backup_name():
    long_dest = "C:\\" + "d" * (260 - 3 - 4 - 21) + ".dll"
    assert Params.from_module_params({"src": "C:\\x.dll", "dest": long_dest}).dest == long_dest
    with pytest.raises(InputError):
        Params.from_module_params({"dest": long_dest, "state": "reverted"})
