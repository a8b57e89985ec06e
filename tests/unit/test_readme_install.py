"""The README's install lines name the tarball the build makes (its version comes from galaxy.yml), and the
example playbook's paths exist in the collection."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))


def test_the_readme_installs_the_tarball_the_build_makes():
    name = f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"legacy_iis-iis4-[0-9][^\s`]*\.tar\.gz", readme))
    assert named == {name}, named


def test_the_readme_runs_the_shipped_playbook_and_its_example_drain_files_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "ansible-playbook -i inventory.yml legacy_iis.iis4.update_component" in readme
    for example in re.findall(r"playbooks/tasks/[a-z_]+\.yml", readme + " playbooks/tasks/drain_example.yml"):
        assert (ROOT / example).is_file(), example
    assert "/var/log/" not in readme  # an audit directory the controller's user can write


def test_galaxy_has_no_placeholder_addresses_and_kerberos_packages_are_opt_in():
    assert "example.invalid" not in (ROOT / "galaxy.yml").read_text(encoding="utf-8")
    for line in (ROOT / "bindep.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert "kerberos" in line.split("[", 1)[1], line
